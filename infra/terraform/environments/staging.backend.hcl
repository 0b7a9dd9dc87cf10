# Partial backend configuration (versions.tf): state of staging in Object Storage. The bucket
# is created once by hand, private, with versioning; credentials come from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the deployer's environment.
bucket                      = "prichal-terraform-state"
key                         = "staging/terraform.tfstate"
region                      = "ru-central1"
endpoints                   = { s3 = "https://storage.yandexcloud.net" }
skip_region_validation      = true
skip_credentials_validation = true
skip_requesting_account_id  = true
skip_s3_checksum            = true
use_lockfile                = true
