#!/bin/sh
# Container start: wait for PostgreSQL, apply migrations, then run the given command.
set -e
echo "-- waiting for PostgreSQL at ${DB_HOST:-db}:${DB_PORT:-5432}"
until pg_isready -q -h "${DB_HOST:-db}" -p "${DB_PORT:-5432}" -U "${DB_USER:-postgres}"; do sleep 1; done
if [ "${RUN_MIGRATIONS:-1}" = "1" ]; then
  python manage.py migrate --noinput
fi
if [ "${SEED_DEMO:-0}" = "1" ]; then
  python manage.py seed_demo --if-empty
fi
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  # Metrics of this container's processes only (uvicorn workers, or the worker's processes).
  rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi
exec "$@"
