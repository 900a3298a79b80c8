#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis that the tests use answer. If a server is installed on this
# machine but stopped, start it; otherwise say what to start and fail.
#   --postgres-optional  no PostgreSQL is not an error but exit status 3 (once Redis answers):
#                        `make test` then tests on the embedded one (scripts/embedded_db.py).
set -euo pipefail
postgres_optional=false
if [ "${1:-}" = "--postgres-optional" ]; then postgres_optional=true; fi
postgres_missing=false

db_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379/15}"
py="${PYTHON:-.venv/bin/python}"

pg_ok() {
  "$py" - "$db_url" <<'PY' >/dev/null 2>&1
import sys
from urllib.parse import urlsplit
import psycopg
u = urlsplit(sys.argv[1])
# Connect to the maintenance database: the test database itself is created by pytest-django.
psycopg.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                password=u.password, dbname="postgres", connect_timeout=3).close()
PY
}

redis_ok() {
  "$py" -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()" \
    "$redis_url" >/dev/null 2>&1
}

if ! pg_ok; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is not answering; starting the local cluster…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 20); do pg_ok && break; sleep 0.5; done
  fi
  pg_ok || { $postgres_optional && postgres_missing=true; } || {
    echo "ERROR: PostgreSQL does not answer at ${db_url}." >&2
    echo "Start a PostgreSQL server (e.g. 'apt-get install postgresql') or set DATABASE_URL." >&2
    if [ -n "${DATABASE_URL:-}" ]; then
      echo "(make test without DATABASE_URL falls back to an embedded PostgreSQL.)" >&2
    fi
    exit 1
  }
fi

if ! redis_ok; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not answering; starting a local server…"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 20); do redis_ok && break; sleep 0.5; done
  fi
  redis_ok || {
    echo "ERROR: Redis does not answer at ${redis_url}." >&2
    echo "Start a Redis server (e.g. 'apt-get install redis-server') or set REDIS_URL." >&2
    exit 1
  }
fi
if $postgres_missing; then
  echo "Redis answers; PostgreSQL does not."
  exit 3
fi
echo "PostgreSQL and Redis answer."
