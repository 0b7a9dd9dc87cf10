output "load_balancer_address" {
  description = "Point the domains' A records here."
  value       = yandex_vpc_address.alb.external_ipv4_address[0].address
}

output "dns_challenges" {
  description = "CNAME records that prove the domains to Certificate Manager."
  value       = yandex_cm_certificate.site.challenges
}

output "postgres_host" {
  description = "The current primary, whichever host it is (Yandex's special FQDN)."
  value       = "c-${yandex_mdb_postgresql_cluster.main.id}.rw.mdb.yandexcloud.net"
}

output "redis_host" {
  description = "The current Redis master."
  value       = "c-${yandex_mdb_redis_cluster.main.id}.rw.mdb.yandexcloud.net"
}

output "buckets" {
  description = "AWS_STORAGE_BUCKET_NAME, AWS_PRIVATE_BUCKET_NAME and the backup bucket."
  value = {
    media   = yandex_storage_bucket.media.bucket
    private = yandex_storage_bucket.private.bucket
    backups = yandex_storage_bucket.backups.bucket
  }
}

output "log_group_id" {
  description = "Cloud Logging group of the load balancer and the nodes."
  value       = yandex_logging_group.app.id
}

output "node_service_account_id" {
  description = "Give this account storage.editor on the buckets' static key (README)."
  value       = yandex_iam_service_account.node.id
}
