# Two service accounts: the nodes' own (what the running site may do) and the instance
# groups' (what the group manager may do to create and replace nodes).

resource "yandex_iam_service_account" "node" {
  name        = "${local.name}-node"
  description = "Web and worker nodes: read the site's secrets, write logs and metrics, pull the image"
}

resource "yandex_iam_service_account" "instance_groups" {
  name        = "${local.name}-ig"
  description = "Instance group manager: creates nodes and registers them with the load balancer"
}

resource "yandex_lockbox_secret_iam_member" "node_reads_secrets" {
  secret_id = var.app_secret_id
  role      = "lockbox.payloadViewer"
  member    = "serviceAccount:${yandex_iam_service_account.node.id}"
}

resource "yandex_resourcemanager_folder_iam_member" "node" {
  for_each = toset([
    "container-registry.images.puller",
    "logging.writer",
    "monitoring.editor",
    "kms.keys.encrypterDecrypter",
  ])
  folder_id = var.folder_id
  role      = each.value
  member    = "serviceAccount:${yandex_iam_service_account.node.id}"
}

resource "yandex_resourcemanager_folder_iam_member" "instance_groups" {
  for_each = toset([
    "compute.editor",
    "vpc.user",
    "iam.serviceAccounts.user",
    "alb.editor",
  ])
  folder_id = var.folder_id
  role      = each.value
  member    = "serviceAccount:${yandex_iam_service_account.instance_groups.id}"
}
