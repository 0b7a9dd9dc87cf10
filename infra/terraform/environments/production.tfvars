# terraform init -backend-config=environments/production.backend.hcl
# terraform plan -var-file=environments/production.tfvars
cloud_id      = "b1gexamplecloud00000"
folder_id     = "b1gexampleproduct000"
environment   = "production"
zones         = ["ru-central1-a", "ru-central1-b", "ru-central1-d"]
subnet_cidrs  = ["10.10.1.0/24", "10.10.2.0/24", "10.10.3.0/24"]
domains       = ["prichal.example", "www.prichal.example"]
image         = "cr.yandex/crpexampleregistry0/prichal:release"
app_secret_id = "e6qexampleproduct000"

app_settings = {
  EMAIL_HOST    = "smtp.yandex.ru"
  EMAIL_PORT    = "465"
  EMAIL_USE_SSL = "1"
}

web_size = {
  min    = 3
  max    = 9
  cores  = 4
  memory = 8
}

worker_size = {
  count  = 2
  cores  = 2
  memory = 4
}

postgres = {
  version        = "16"
  preset         = "s3-c4-m16"
  disk_size      = 100
  hosts          = 3
  retention_days = 14
}

redis = {
  version   = "7.2"
  preset    = "hm3-c2-m8"
  disk_size = 16
  hosts     = 2
}

backup_retention_days = 90
deletion_protection   = true
log_retention         = "720h"
