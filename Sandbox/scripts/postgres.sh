#!/usr/bin/env bash
# Starts (or reuses) the project's own PostgreSQL: data under /tmp, its own port and socket folder,
# running as the `postgres` user (PostgreSQL refuses root). Creates the `payments` database.
#   Sandbox/scripts/postgres.sh start|stop|restart|url
# PG_PORT (default 55432) and PG_DIR (default /tmp/payment-api-pg) move it.
set -euo pipefail

PG_PORT="${PG_PORT:-55432}"
PG_DIR="${PG_DIR:-/tmp/payment-api-pg}"
PG_DB="${PG_DB:-payments}"
DATA="$PG_DIR/data"
SOCK="$PG_DIR/socket"
LOG="$PG_DIR/postgres.log"

bindir() {
  for v in 17 16 15 14 13; do
    [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ] && { echo "/usr/lib/postgresql/$v/bin"; return; }
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  bin=$(bindir) || { echo "postgres.sh: no PostgreSQL server binaries; run Sandbox/scripts/install-deps.sh" >&2; exit 1; }
  mkdir -p "$PG_DIR" "$SOCK"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_DIR"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
    cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SOCK'
max_connections = 300
shared_buffers = 256MB
CONF
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
  fi
  for _ in $(seq 1 60); do
    "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q && break
    sleep 0.5
  done
  if ! "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" postgres | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
  fi
}

stop() {
  local bin
  bin=$(bindir) || return 0
  [ -f "$DATA/PG_VERSION" ] || return 0
  as_postgres "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  url) ;;
  *) echo "usage: $0 start|stop|restart|url" >&2; exit 2 ;;
esac
echo "postgresql://postgres@127.0.0.1:$PG_PORT/$PG_DB"
