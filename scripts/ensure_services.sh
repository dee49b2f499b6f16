#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer; starts locally installed ones that are stopped,
# and says plainly what is missing otherwise. Used by `make run` and `make test`.
set -euo pipefail

DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-5432}
DB_USER=${DB_USER:-postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

pg_up() { pg_isready -q -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" 2>/dev/null; }
redis_up() { redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG; }
is_local() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == ::1 ]]; }

if ! command -v pg_isready >/dev/null; then
  echo "!! PostgreSQL client tools (pg_isready) are missing: apt-get install postgresql" >&2
  exit 1
fi
if ! pg_up; then
  if is_local "$DB_HOST" && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "-- PostgreSQL $version is installed but not running: starting it"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  pg_up || {
    echo "!! PostgreSQL is not reachable at $DB_HOST:$DB_PORT (user $DB_USER)." >&2
    echo "   Install it (apt-get install postgresql) or point DB_HOST/DB_PORT at a running server." >&2
    exit 1
  }
fi
echo "-- PostgreSQL answers at $DB_HOST:$DB_PORT"

if ! command -v redis-cli >/dev/null; then
  echo "!! Redis tools (redis-cli) are missing: apt-get install redis-server" >&2
  exit 1
fi
if ! redis_up; then
  if [[ "$REDIS_URL" =~ ^redis://(127\.0\.0\.1|localhost) ]] && command -v redis-server >/dev/null; then
    echo "-- Redis is installed but not running: starting it"
    mkdir -p /tmp/booking-graph-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp/booking-graph-redis --logfile /tmp/booking-graph-redis/redis.log
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
  redis_up || {
    echo "!! Redis is not reachable at $REDIS_URL." >&2
    echo "   Install it (apt-get install redis-server) or set REDIS_URL to a running server." >&2
    exit 1
  }
fi
echo "-- Redis answers at $REDIS_URL"
