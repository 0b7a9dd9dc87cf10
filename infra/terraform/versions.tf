# Yandex Cloud, region ru-central1: personal data of Russian customers stays in Russia
# (152-FZ). Checked on this machine only by tests/infra/test_terraform.py (README,
# "Operations: infrastructure as code"); run `terraform fmt -check`, `validate` and `plan`
# where the provider can be downloaded.
terraform {
  required_version = ">= 1.6.0"

  required_providers {
    yandex = {
      source  = "yandex-cloud/yandex"
      version = "~> 0.130"
    }
  }

  # State in Object Storage, one key per environment:
  #   terraform init -backend-config=environments/production.backend.hcl
  # The state holds the database and Redis passwords read from Lockbox: the state bucket
  # is private, encrypted, and readable only by the deploying service account.
  backend "s3" {}
}
