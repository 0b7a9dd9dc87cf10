# terraform init -backend-config=environments/staging.backend.hcl
# terraform plan -var-file=environments/staging.tfvars
# Staging uses the real YooKassa test shop and the providers' sandboxes (its Lockbox
# secret holds the test shop's keys), never the emulator.
cloud_id      = "b1gexamplecloud00000"
folder_id     = "b1gexamplestaging000"
environment   = "staging"
zones         = ["ru-central1-a", "ru-central1-b"]
subnet_cidrs  = ["10.20.1.0/24", "10.20.2.0/24"]
domains       = ["staging.prichal.example"]
image         = "cr.yandex/crpexampleregistry0/prichal:staging"
app_secret_id = "e6qexamplestaging000"

app_settings = {
  EMAIL_HOST    = "smtp.yandex.ru"
  EMAIL_PORT    = "465"
  EMAIL_USE_SSL = "1"
}

web_size = {
  min    = 1
  max    = 2
  cores  = 2
  memory = 4
}

worker_size = {
  count  = 1
  cores  = 2
  memory = 2
}

postgres = {
  version        = "16"
  preset         = "s3-c2-m8"
  disk_size      = 20
  hosts          = 1
  retention_days = 7
}

redis = {
  version   = "7.2"
  preset    = "hm3-c2-m8"
  disk_size = 16
  hosts     = 1
}

backup_retention_days = 14
deletion_protection   = false
log_retention         = "168h"
