# Application Load Balancer: TLS ends here (certificate from Certificate Manager, renewed
# by it), plain HTTP is redirected to HTTPS, and requests go round-robin to the web nodes
# (no sticky sessions: README, "Scaling out"). The site trusts one proxy (NUM_PROXIES=1).

resource "yandex_cm_certificate" "site" {
  name    = local.name
  domains = var.domains

  # Proved by CNAME records in the zone (output dns_challenges).
  managed {
    challenge_type = "DNS_CNAME"
  }
}

resource "yandex_vpc_address" "alb" {
  name = "${local.name}-alb"

  external_ipv4_address {
    zone_id = var.zones[0]
  }
}

resource "yandex_alb_backend_group" "web" {
  name = "${local.name}-web"

  http_backend {
    name             = "web"
    weight           = 1
    port             = 8000
    target_group_ids = [yandex_compute_instance_group.web.application_load_balancer[0].target_group_id]

    healthcheck {
      timeout             = "5s"
      interval            = "10s"
      healthy_threshold   = 2
      unhealthy_threshold = 3
      http_healthcheck {
        path = var.health_path
      }
    }
  }
}

resource "yandex_alb_http_router" "web" {
  name   = "${local.name}-web"
  labels = local.labels
}

resource "yandex_alb_virtual_host" "web" {
  name           = "${local.name}-web"
  http_router_id = yandex_alb_http_router.web.id
  authority      = var.domains

  route {
    name = "all"
    http_route {
      http_route_action {
        backend_group_id = yandex_alb_backend_group.web.id
        # Ticket PDFs and manifests are rendered per request.
        timeout = "60s"
      }
    }
  }
}

resource "yandex_alb_load_balancer" "web" {
  name               = local.name
  network_id         = yandex_vpc_network.main.id
  security_group_ids = [yandex_vpc_security_group.alb.id]
  labels             = local.labels

  allocation_policy {
    dynamic "location" {
      for_each = local.subnets
      content {
        zone_id   = location.key
        subnet_id = location.value.id
      }
    }
  }

  listener {
    name = "http"
    endpoint {
      address {
        external_ipv4_address {
          address = yandex_vpc_address.alb.external_ipv4_address[0].address
        }
      }
      ports = [80]
    }
    http {
      redirects {
        http_to_https = true
      }
    }
  }

  listener {
    name = "https"
    endpoint {
      address {
        external_ipv4_address {
          address = yandex_vpc_address.alb.external_ipv4_address[0].address
        }
      }
      ports = [443]
    }
    tls {
      default_handler {
        http_handler {
          http_router_id = yandex_alb_http_router.web.id
        }
        certificate_ids = [yandex_cm_certificate.site.id]
      }
    }
  }

  log_options {
    log_group_id = yandex_logging_group.app.id
  }
}
