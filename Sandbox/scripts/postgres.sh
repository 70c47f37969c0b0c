#!/usr/bin/env bash
# Starts (or reuses) the project's own PostgreSQL: data under /tmp, its own port and socket folder,
# running as the `postgres` user (PostgreSQL refuses root). Creates the `payments` database.
#   Sandbox/scripts/postgres.sh start|stop|restart|drop-test-databases|url
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

# A lock file (postmaster.pid, or the socket's) left by a killed server names a process id that may
# since belong to another process, one the postgres user cannot signal; PostgreSQL then refuses to
# start. A lock is live only while its process is a postgres running on this data folder.
remove_stale_locks() {
  local lock pid
  for lock in "$DATA/postmaster.pid" "$SOCK/.s.PGSQL.$PG_PORT.lock"; do
    [ -f "$lock" ] || continue
    pid=$(head -n 1 "$lock")
    if ! tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -q "postgres.*$DATA"; then
      rm -f "$lock"
    fi
  done
}

# Test databases (test_*) from earlier runs: dropped so the data folder stays small.
drop_test_databases() {
  local bin name
  bin=$(bindir) || return 0
  for name in $("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%'" postgres); do
    "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" postgres
  done
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
  # After a crash PostgreSQL fsyncs its whole data folder before it opens; syncfs does that per filesystem.
  grep -q '^recovery_init_sync_method' "$DATA/postgresql.conf" \
    || echo "recovery_init_sync_method = syncfs" | as_postgres tee -a "$DATA/postgresql.conf" >/dev/null
  if ! as_postgres "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    remove_stale_locks
    as_postgres "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 600 start >/dev/null || {
      echo "postgres.sh: PostgreSQL did not start; the end of $LOG:" >&2
      tail -n 20 "$LOG" >&2
      exit 1
    }
  fi
  for _ in $(seq 1 60); do
    "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q && break
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
  drop-test-databases) drop_test_databases ;;
  url) ;;
  *) echo "usage: $0 start|stop|restart|drop-test-databases|url" >&2; exit 2 ;;
esac
echo "postgresql://postgres@127.0.0.1:$PG_PORT/$PG_DB"
