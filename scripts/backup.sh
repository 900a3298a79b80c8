#!/usr/bin/env bash
# Back up the tracker's PostgreSQL database: `make backup` (or scripts/backup.sh).
#
#   DATABASE_URL  the database to dump (default: DATABASE_URL from .env, as the app reads it)
#   BACKUP        where to write the dump (default: backups/<UTC timestamp>.dump)
#
# A pg_dump custom-format archive (compressed; pg_restore can restore all of it or single
# tables). It is written to a temporary name, checked with `pg_restore --list`, and only then
# renamed, so a dump that exists is a complete one. Readable by its owner only: it holds
# personal data and the API key fingerprints. Prints the path of the dump.
set -euo pipefail
cd "$(dirname "$0")/.."

database_url() {
  local url="${DATABASE_URL:-}"
  if [ -z "$url" ] && [ -f .env ]; then
    url="$(sed -n 's/^DATABASE_URL=//p' .env | tail -1 | tr -d "\"'")"
  fi
  case "$url" in
    postgres://* | postgresql://*) ;;
    pgsql://* | psql://* | postgis://*) url="postgresql://${url#*://}" ;;  # django-environ aliases
    "")
      echo "No DATABASE_URL: set it to the PostgreSQL database to back up (make run's demo" >&2
      echo "database: .venv/bin/python scripts/embedded_db.py -- make backup)." >&2
      exit 2 ;;
    *) echo "DATABASE_URL is not a PostgreSQL URL: $url" >&2; exit 2 ;;
  esac
  printf '%s' "$url"
}

url="$(database_url)"
out="${BACKUP:-backups/$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$out")"
umask 077
partial="$out.partial"
trap 'rm -f "$partial"' EXIT

# --no-owner/--no-privileges: the dump restores into a database owned by whoever restores it.
pg_dump --format=custom --no-owner --no-privileges --file="$partial" --dbname="$url"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$out"
echo "$out"
