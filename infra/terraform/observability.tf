# Cloud Logging: the load balancer's access log and the nodes' JSON logs (the nodes'
# service account has logging.writer and monitoring.editor; the containers log JSON to
# journald (templates/cloud-init.yaml.tftpl). Shipping journald to this group and scraping
# /metrics into Monitoring is the Unified Agent's job, not installed by this code yet:
# README, "Operations: infrastructure as code").
resource "yandex_logging_group" "app" {
  name             = local.name
  folder_id        = var.folder_id
  retention_period = var.log_retention
  labels           = local.labels
}
