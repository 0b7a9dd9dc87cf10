# Object Storage (README, "Scaling out"): public-read media, private support attachments,
# and backups (database dumps for the restore drill, copies of media) that expire.

resource "yandex_kms_symmetric_key" "storage" {
  name              = "${local.name}-storage"
  default_algorithm = "AES_256"
  rotation_period   = "8760h"
  labels            = local.labels
}

resource "yandex_storage_bucket" "media" {
  bucket    = "${local.name}-media"
  folder_id = var.folder_id

  # Images and renditions are linked from public pages; nobody may list the bucket.
  anonymous_access_flags {
    read = true
    list = false
  }
}

resource "yandex_storage_bucket" "private" {
  bucket    = "${local.name}-private"
  folder_id = var.folder_id

  anonymous_access_flags {
    read = false
    list = false
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        kms_master_key_id = yandex_kms_symmetric_key.storage.id
        sse_algorithm     = "aws:kms"
      }
    }
  }
}

resource "yandex_storage_bucket" "backups" {
  bucket    = "${local.name}-backups"
  folder_id = var.folder_id

  anonymous_access_flags {
    read = false
    list = false
  }

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        kms_master_key_id = yandex_kms_symmetric_key.storage.id
        sse_algorithm     = "aws:kms"
      }
    }
  }

  # Cold storage after a month, deleted after the retention period; overwritten or
  # deleted copies linger a week so that a mistaken overwrite can be undone.
  lifecycle_rule {
    id      = "expire-backups"
    enabled = true

    transition {
      days          = 30
      storage_class = "COLD"
    }

    expiration {
      days = var.backup_retention_days
    }

    noncurrent_version_expiration {
      days = 7
    }
  }
}
