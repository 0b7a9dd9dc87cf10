resource "yandex_vpc_network" "main" {
  name   = local.name
  labels = local.labels
}

# The nodes have no public addresses: outbound traffic (YooKassa, SMS.ru, e-mail, the
# image registry) leaves through a NAT gateway.
resource "yandex_vpc_gateway" "nat" {
  name = "${local.name}-nat"
  shared_egress_gateway {}
}

resource "yandex_vpc_route_table" "private" {
  name       = "${local.name}-private"
  network_id = yandex_vpc_network.main.id

  static_route {
    destination_prefix = "0.0.0.0/0"
    gateway_id         = yandex_vpc_gateway.nat.id
  }
}

resource "yandex_vpc_subnet" "private" {
  count          = length(var.zones)
  name           = "${local.name}-${var.zones[count.index]}"
  zone           = var.zones[count.index]
  network_id     = yandex_vpc_network.main.id
  v4_cidr_blocks = [var.subnet_cidrs[count.index]]
  route_table_id = yandex_vpc_route_table.private.id
  labels         = local.labels
}

# --- Security groups: each tier admits only the tier in front of it ---------------------

resource "yandex_vpc_security_group" "alb" {
  name       = "${local.name}-alb"
  network_id = yandex_vpc_network.main.id

  ingress {
    description    = "HTTP, redirected to HTTPS"
    protocol       = "TCP"
    port           = 80
    v4_cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description    = "HTTPS"
    protocol       = "TCP"
    port           = 443
    v4_cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description       = "The load balancer's own node health checks"
    protocol          = "TCP"
    port              = 30080
    predefined_target = "loadbalancer_healthchecks"
  }

  egress {
    description    = "To the web nodes"
    protocol       = "TCP"
    port           = 8000
    v4_cidr_blocks = var.subnet_cidrs
  }
}

resource "yandex_vpc_security_group" "web" {
  name       = "${local.name}-web"
  network_id = yandex_vpc_network.main.id

  ingress {
    description       = "gunicorn, from the load balancer only"
    protocol          = "TCP"
    port              = 8000
    security_group_id = yandex_vpc_security_group.alb.id
  }

  ingress {
    description       = "Health checks of the load balancer"
    protocol          = "TCP"
    port              = 8000
    predefined_target = "loadbalancer_healthchecks"
  }

  egress {
    description    = "PostgreSQL, Redis, Object Storage, Lockbox, payment and SMS providers"
    protocol       = "ANY"
    v4_cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "yandex_vpc_security_group" "worker" {
  name       = "${local.name}-worker"
  network_id = yandex_vpc_network.main.id

  egress {
    description    = "PostgreSQL, Redis, Object Storage, Lockbox, e-mail, SMS, webhooks"
    protocol       = "ANY"
    v4_cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "yandex_vpc_security_group" "postgres" {
  name       = "${local.name}-postgres"
  network_id = yandex_vpc_network.main.id

  ingress {
    description       = "PostgreSQL through the managed pooler, from web nodes"
    protocol          = "TCP"
    port              = 6432
    security_group_id = yandex_vpc_security_group.web.id
  }

  ingress {
    description       = "PostgreSQL through the managed pooler, from workers"
    protocol          = "TCP"
    port              = 6432
    security_group_id = yandex_vpc_security_group.worker.id
  }
}

resource "yandex_vpc_security_group" "redis" {
  name       = "${local.name}-redis"
  network_id = yandex_vpc_network.main.id

  ingress {
    description       = "Redis from web nodes"
    protocol          = "TCP"
    port              = 6379
    security_group_id = yandex_vpc_security_group.web.id
  }

  ingress {
    description       = "Redis from workers"
    protocol          = "TCP"
    port              = 6379
    security_group_id = yandex_vpc_security_group.worker.id
  }
}
