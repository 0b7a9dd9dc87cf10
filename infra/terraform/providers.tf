# Credentials come from the environment, never from this code: YC_TOKEN (a user's IAM
# token) or YC_SERVICE_ACCOUNT_KEY_FILE (the CI deployer's authorised key).
provider "yandex" {
  cloud_id  = var.cloud_id
  folder_id = var.folder_id
  zone      = var.zones[0]
}
