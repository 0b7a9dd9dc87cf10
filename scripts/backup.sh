#!/usr/bin/env bash
# A backup of the shop (README, "Operations: recover"): the database as a pg_dump custom-
# format archive and the uploaded files, into one timestamped directory.
#
#   DATABASE_URL=postgres://… scripts/backup.sh [--db-only] [DESTINATION]
#
# DESTINATION (default $BACKUP_DIR, else var/backups) gets prichal-YYYYmmddTHHMMSSZ/ with
#   database.dump   pg_dump -Fc (restore with scripts/restore.sh)
#   media.tar.gz    MEDIA_ROOT (default var/media) when files are kept on local disk
#   SHA256SUMS      checksums that restore.sh verifies first
# and prints that directory's path as its last line. With AWS_STORAGE_BUCKET_NAME set the
# uploads live in object storage: they are not copied here; the bucket is replicated to a
# backup bucket by `aws s3 sync` (below, when MEDIA_BACKUP_BUCKET is set) and protected by
# the bucket's versioning. Copies older than BACKUP_KEEP_DAYS (default 14) are removed.
#
# pg_dump suits small installations (a dump a night, restore to that night). Production
# keeps a base backup + WAL archive as well (pgBackRest or wal-g: README) for recovery to
# any moment; this script still runs there for a portable, self-contained copy.
set -euo pipefail

db_only=false
if [[ ${1:-} == --db-only ]]; then db_only=true; shift; fi
: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
root=${1:-${BACKUP_DIR:-var/backups}}
keep_days=${BACKUP_KEEP_DAYS:-14}
media_root=${MEDIA_ROOT:-var/media}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$root/prichal-$stamp"
mkdir -p "$target"
# A half-written backup must never look like a good one.
trap 'rm -rf "$target"' ERR

# -Fc: compressed, restorable table by table and in parallel; a consistent snapshot
# (one transaction) while the site keeps running.
pg_dump --format=custom --compress=6 --no-password --file="$target/database.dump" \
  --dbname="$DATABASE_URL"

if ! $db_only; then
  if [[ -n ${AWS_STORAGE_BUCKET_NAME:-} ]]; then
    if [[ -n ${MEDIA_BACKUP_BUCKET:-} ]]; then
      aws s3 sync "s3://$AWS_STORAGE_BUCKET_NAME" "s3://$MEDIA_BACKUP_BUCKET" \
        --endpoint-url "${AWS_S3_ENDPOINT_URL:-https://storage.yandexcloud.net}" --only-show-errors
    else
      echo "Media are in s3://$AWS_STORAGE_BUCKET_NAME: set MEDIA_BACKUP_BUCKET to sync them" >&2
    fi
  elif [[ -d $media_root ]]; then
    tar -czf "$target/media.tar.gz" -C "$media_root" .
  fi
fi

(cd "$target" && sha256sum -- * > SHA256SUMS)
trap - ERR

# Retention: whole backup directories older than BACKUP_KEEP_DAYS.
find "$root" -maxdepth 1 -type d -name 'prichal-*' -mtime "+$keep_days" -exec rm -rf {} +

echo "$target"
