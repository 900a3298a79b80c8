#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh: `make restore BACKUP=backups/….dump`.
#
#   BACKUP                the dump to restore (default: the newest backups/*.dump)
#   RESTORE_DATABASE_URL  the database to restore into (default: DATABASE_URL, then .env);
#                         created if it does not exist yet
#   FORCE=1               allowed to overwrite a database that already has tables
#
# Restores in a single transaction: either the whole dump is restored or nothing changes.
# Refuses a database that already holds tables unless FORCE=1, so that a typo in a URL cannot
# wipe production. After restoring, run `manage.py migrate` if the code is newer than the dump.
set -euo pipefail
cd "$(dirname "$0")/.."

normalise() {
  case "$1" in
    postgres://* | postgresql://*) printf '%s' "$1" ;;
    pgsql://* | psql://* | postgis://*) printf 'postgresql://%s' "${1#*://}" ;;
    *) echo "Not a PostgreSQL URL: $1" >&2; exit 2 ;;
  esac
}

target="${RESTORE_DATABASE_URL:-${DATABASE_URL:-}}"
if [ -z "$target" ] && [ -f .env ]; then
  target="$(sed -n 's/^DATABASE_URL=//p' .env | tail -1 | tr -d "\"'")"
fi
[ -n "$target" ] || { echo "Set RESTORE_DATABASE_URL (or DATABASE_URL)." >&2; exit 2; }
target="$(normalise "$target")"

dump="${BACKUP:-$(ls -1t backups/*.dump 2>/dev/null | head -1 || true)}"
[ -n "$dump" ] && [ -f "$dump" ] || { echo "No dump to restore: set BACKUP=path." >&2; exit 2; }
pg_restore --list "$dump" >/dev/null || { echo "$dump is not a readable pg_dump archive." >&2; exit 2; }

# The database name is the URL's path; the server's maintenance database is "postgres".
without_query="${target%%\?*}"
name="${without_query##*/}"
query=""
[ "$without_query" != "$target" ] && query="?${target#*\?}"
maintenance="${without_query%/*}/postgres${query}"

if ! psql "$target" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "Creating database $name"
  psql "$maintenance" -qv ON_ERROR_STOP=1 -c "CREATE DATABASE \"${name//\"/\"\"}\""
fi

tables="$(psql "$target" -Atqc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
clean=()
if [ "$tables" != "0" ]; then
  if [ "${FORCE:-}" != "1" ]; then
    echo "Refusing to restore: database $name already has $tables tables." >&2
    echo "Restore into an empty database (RESTORE_DATABASE_URL), or set FORCE=1 to replace it." >&2
    exit 3
  fi
  echo "FORCE=1: replacing the contents of $name"
  clean=(--clean --if-exists)
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" \
  --dbname="$target" "$dump"
echo "Restored $dump into $name"
