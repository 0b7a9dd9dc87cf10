locals {
  name = "prichal-${var.environment}"
  labels = {
    project     = "prichal"
    environment = var.environment
  }
  # zone => subnet, for hosts and nodes spread over the zones.
  subnets = { for index, zone in var.zones : zone => yandex_vpc_subnet.private[index] }
  # The site's secrets from Lockbox, by key. Only the two passwords that Terraform must
  # hand to the managed services are read here; the nodes read the rest themselves.
  app_secrets = {
    for entry in data.yandex_lockbox_secret_version.app.entries : entry.key => entry.text_value
  }
}

data "yandex_lockbox_secret_version" "app" {
  secret_id = var.app_secret_id
}
