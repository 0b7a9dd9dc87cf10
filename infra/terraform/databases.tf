# Managed PostgreSQL: one host per zone (var.postgres.hosts of them; the service fails
# over to a replica), daily base backups in a night window plus continuous WAL archiving,
# which gives point-in-time recovery to any moment of the retention period
# (`yc managed-postgresql cluster restore --time ...`, docs/runbooks).
resource "yandex_mdb_postgresql_cluster" "main" {
  name                = local.name
  environment         = "PRODUCTION"
  network_id          = yandex_vpc_network.main.id
  security_group_ids  = [yandex_vpc_security_group.postgres.id]
  deletion_protection = var.deletion_protection
  labels              = local.labels

  config {
    version                   = var.postgres.version
    backup_retain_period_days = var.postgres.retention_days

    resources {
      resource_preset_id = var.postgres.preset
      disk_type_id       = "network-ssd"
      disk_size          = var.postgres.disk_size
    }

    # 01:00 Moscow time (UTC+3), when no excursion is sold.
    backup_window_start {
      hours   = 22
      minutes = 0
    }

    # Session pooling: Django keeps connections (DB_CONN_MAX_AGE) and uses server-side
    # cursors; transaction pooling needs DISABLE_SERVER_SIDE_CURSORS first.
    pooler_config {
      pooling_mode = "SESSION"
    }

    performance_diagnostics {
      enabled = true
    }
  }

  maintenance_window {
    type = "WEEKLY"
    day  = "MON"
    hour = 1
  }

  dynamic "host" {
    for_each = slice(var.zones, 0, var.postgres.hosts)
    content {
      zone             = host.value
      subnet_id        = local.subnets[host.value].id
      assign_public_ip = false
    }
  }
}

resource "yandex_mdb_postgresql_user" "app" {
  cluster_id = yandex_mdb_postgresql_cluster.main.id
  name       = "prichal"
  password   = local.app_secrets["DB_PASSWORD"]
  conn_limit = 200
}

resource "yandex_mdb_postgresql_database" "app" {
  cluster_id = yandex_mdb_postgresql_cluster.main.id
  name       = "prichal"
  owner      = yandex_mdb_postgresql_user.app.name
  lc_collate = "ru_RU.UTF-8"
  lc_type    = "ru_RU.UTF-8"
}

# Managed Redis: cache, sessions' fast copy, rate limits and the django-q2 broker. No
# persistence is needed (README, "Scaling out"); a replica in a second zone fails over.
# TLS is off: the traffic stays inside the network and its security group, and the
# clients would need Yandex's CA bundle in the image for rediss://.
resource "yandex_mdb_redis_cluster" "main" {
  name                = local.name
  environment         = "PRODUCTION"
  network_id          = yandex_vpc_network.main.id
  security_group_ids  = [yandex_vpc_security_group.redis.id]
  deletion_protection = var.deletion_protection
  tls_enabled         = false
  labels              = local.labels

  config {
    version  = var.redis.version
    password = local.app_secrets["REDIS_PASSWORD"]
  }

  resources {
    resource_preset_id = var.redis.preset
    disk_type_id       = "network-ssd"
    disk_size          = var.redis.disk_size
  }

  maintenance_window {
    type = "WEEKLY"
    day  = "MON"
    hour = 2
  }

  dynamic "host" {
    for_each = slice(var.zones, 0, var.redis.hosts)
    content {
      zone      = host.value
      subnet_id = local.subnets[host.value].id
    }
  }
}
