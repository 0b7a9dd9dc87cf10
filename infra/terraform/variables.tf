variable "cloud_id" {
  description = "Yandex Cloud id."
  type        = string
}

variable "folder_id" {
  description = "The folder of this environment (one folder per environment)."
  type        = string
}

variable "environment" {
  description = "staging or production: names, sizes and deletion protection follow it."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "zones" {
  description = "Availability zones of ru-central1 used for subnets, hosts and nodes."
  type        = list(string)
  default     = ["ru-central1-a", "ru-central1-b", "ru-central1-d"]
}

variable "subnet_cidrs" {
  description = "One private subnet per zone, in the order of var.zones."
  type        = list(string)
  default     = ["10.10.1.0/24", "10.10.2.0/24", "10.10.3.0/24"]
}

variable "domains" {
  description = "Host names the site answers on; the TLS certificate covers them all."
  type        = list(string)
}

variable "image" {
  description = "The site's Docker image (Dockerfile), e.g. cr.yandex/<registry>/prichal:<tag>."
  type        = string
}

variable "app_secret_id" {
  description = <<-EOT
    Lockbox secret with the site's secrets, created before the first apply (README):
    SECRET_KEY, DB_PASSWORD, REDIS_PASSWORD, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    YOOKASSA_SHOP_ID, YOOKASSA_SECRET_KEY, SMSRU_API_ID, EMAIL_HOST_PASSWORD.
  EOT
  type        = string
}

variable "app_settings" {
  description = "Non-secret environment of the containers (README, Configuration)."
  type        = map(string)
  default     = {}
}

variable "web_size" {
  description = "Web nodes: the autoscaler keeps between min and max of them."
  type = object({
    min    = number
    max    = number
    cores  = number
    memory = number
  })
}

variable "worker_size" {
  description = "django-q2 worker nodes (a fixed number: two give failover)."
  type = object({
    count  = number
    cores  = number
    memory = number
  })
}

variable "postgres" {
  description = "Managed PostgreSQL: host class, disk (GB), backup retention (days)."
  type = object({
    version        = string
    preset         = string
    disk_size      = number
    hosts          = number
    retention_days = number
  })
}

variable "redis" {
  description = "Managed Redis: host class, disk (GB), hosts (a replica gives failover)."
  type = object({
    version   = string
    preset    = string
    disk_size = number
    hosts     = number
  })
}

variable "health_path" {
  description = "What the load balancer asks to send a node traffic (readiness: database, Redis)."
  type        = string
  default     = "/health/ready"
}

variable "liveness_path" {
  description = "What the instance groups ask before recreating a node (liveness: no database, so an outage does not recycle every node)."
  type        = string
  default     = "/health/live"
}

variable "backup_retention_days" {
  description = "Days the backup bucket keeps media copies and database dumps."
  type        = number
  default     = 90
}

variable "deletion_protection" {
  description = "Refuse to delete the database, Redis and the instance groups."
  type        = bool
  default     = true
}

variable "log_retention" {
  description = "How long Cloud Logging keeps the load balancer's and the nodes' logs."
  type        = string
  default     = "720h"
}
