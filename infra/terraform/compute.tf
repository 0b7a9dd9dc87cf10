# Web and workers as two instance groups of VMs running the site's Docker image, rather
# than Managed Kubernetes: two stateless roles of one image need no scheduler, the groups
# replace failed nodes, spread them over the zones, roll releases one node at a time and
# register web nodes with the load balancer themselves; a Kubernetes cluster would add a
# control plane, node groups, an ingress controller and its own upgrade cycle to operate.

data "yandex_compute_image" "ubuntu" {
  family = "ubuntu-2204-lts"
}

locals {
  node_settings = merge(
    {
      DJANGO_SETTINGS_MODULE  = "config.settings.production"
      ALLOWED_HOSTS           = join(",", var.domains)
      SITE_URL                = "https://${var.domains[0]}"
      NUM_PROXIES             = "1"
      AWS_STORAGE_BUCKET_NAME = yandex_storage_bucket.media.bucket
      AWS_PRIVATE_BUCKET_NAME = yandex_storage_bucket.private.bucket
      AWS_S3_ENDPOINT_URL     = "https://storage.yandexcloud.net"
      AWS_S3_REGION_NAME      = "ru-central1"
      LOG_FORMAT              = "json"
    },
    var.app_settings,
  )
  node_template = {
    secret_id     = var.app_secret_id
    settings      = local.node_settings
    image         = var.image
    postgres_host = "c-${yandex_mdb_postgresql_cluster.main.id}.rw.mdb.yandexcloud.net"
    redis_host    = "c-${yandex_mdb_redis_cluster.main.id}.rw.mdb.yandexcloud.net"
  }
}

resource "yandex_compute_instance_group" "web" {
  name                = "${local.name}-web"
  folder_id           = var.folder_id
  service_account_id  = yandex_iam_service_account.instance_groups.id
  deletion_protection = var.deletion_protection
  labels              = local.labels

  instance_template {
    platform_id        = "standard-v3"
    service_account_id = yandex_iam_service_account.node.id

    resources {
      cores  = var.web_size.cores
      memory = var.web_size.memory
    }

    boot_disk {
      mode = "READ_WRITE"
      initialize_params {
        image_id = data.yandex_compute_image.ubuntu.id
        type     = "network-ssd"
        size     = 20
      }
    }

    network_interface {
      network_id         = yandex_vpc_network.main.id
      subnet_ids         = yandex_vpc_subnet.private[*].id
      security_group_ids = [yandex_vpc_security_group.web.id]
      nat                = false
    }

    metadata = {
      user-data = templatefile("${path.module}/templates/cloud-init.yaml.tftpl", merge(
        local.node_template,
        { role = "web", command = "" },
      ))
    }
  }

  scale_policy {
    auto_scale {
      initial_size           = var.web_size.min
      min_zone_size          = 1
      max_size               = var.web_size.max
      measurement_duration   = 60
      warmup_duration        = 120
      stabilization_duration = 300
      cpu_utilization_target = 70
    }
  }

  allocation_policy {
    zones = var.zones
  }

  # One node at a time: the others keep serving while a release rolls out.
  deploy_policy {
    max_unavailable = 1
    max_expansion   = 1
  }

  health_check {
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
    http_options {
      port = 8000
      path = var.liveness_path
    }
  }

  application_load_balancer {
    target_group_name = "${local.name}-web"
  }

  depends_on = [yandex_resourcemanager_folder_iam_member.instance_groups]
}

resource "yandex_compute_instance_group" "worker" {
  name                = "${local.name}-worker"
  folder_id           = var.folder_id
  service_account_id  = yandex_iam_service_account.instance_groups.id
  deletion_protection = var.deletion_protection
  labels              = local.labels

  instance_template {
    platform_id        = "standard-v3"
    service_account_id = yandex_iam_service_account.node.id

    resources {
      cores  = var.worker_size.cores
      memory = var.worker_size.memory
    }

    boot_disk {
      mode = "READ_WRITE"
      initialize_params {
        image_id = data.yandex_compute_image.ubuntu.id
        type     = "network-ssd"
        size     = 20
      }
    }

    network_interface {
      network_id         = yandex_vpc_network.main.id
      subnet_ids         = yandex_vpc_subnet.private[*].id
      security_group_ids = [yandex_vpc_security_group.worker.id]
      nat                = false
    }

    metadata = {
      user-data = templatefile("${path.module}/templates/cloud-init.yaml.tftpl", merge(
        local.node_template,
        { role = "worker", command = "python manage.py qcluster" },
      ))
    }
  }

  scale_policy {
    fixed_scale {
      size = var.worker_size.count
    }
  }

  allocation_policy {
    zones = var.zones
  }

  deploy_policy {
    max_unavailable = 1
    max_expansion   = 0
  }

  depends_on = [yandex_resourcemanager_folder_iam_member.instance_groups]
}
