#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh (README, "Operations: recover").
#
#   scripts/restore.sh [--media MEDIA_ROOT] BACKUP_DIRECTORY TARGET_DATABASE_URL
#
# The target database must exist and be empty (createdb it first): a restore never
# overwrites a live database; point the site at the restored one once it is checked.
# The checksums are verified first; the dump is restored without its owner and grants
# (the target's role owns everything), in parallel (RESTORE_JOBS, default 2), and stops
# at the first error. With --media the uploaded files are unpacked into MEDIA_ROOT.
set -euo pipefail

media_root=""
if [[ ${1:-} == --media ]]; then media_root=${2:?--media needs a directory}; shift 2; fi
backup=${1:?usage: restore.sh [--media MEDIA_ROOT] BACKUP_DIRECTORY TARGET_DATABASE_URL}
target=${2:?usage: restore.sh [--media MEDIA_ROOT] BACKUP_DIRECTORY TARGET_DATABASE_URL}

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

tables=$(psql --no-password --tuples-only --no-align --dbname="$target" \
  --command="select count(*) from pg_tables where schemaname = 'public'")
if [[ $tables != 0 ]]; then
  echo "The target database is not empty ($tables tables): restore into a new database." >&2
  exit 1
fi

pg_restore --no-owner --no-acl --exit-on-error --no-password \
  --jobs="${RESTORE_JOBS:-2}" --dbname="$target" "$backup/database.dump"
# Fresh statistics, or the first queries plan as on an empty database.
psql --no-password --quiet --dbname="$target" --command="analyze"

if [[ -n $media_root ]]; then
  if [[ -f $backup/media.tar.gz ]]; then
    mkdir -p "$media_root"
    tar -xzf "$backup/media.tar.gz" -C "$media_root"
  else
    echo "No media.tar.gz in $backup (object storage keeps the uploads)." >&2
  fi
fi
echo "Restored $backup into the target database."
