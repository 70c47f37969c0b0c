# What bench.sh and latency.sh share: the release binaries, PostgreSQL's client tools, and a wait for a service.
PG_PORT="${PG_PORT:-55432}"
BIN="${BENCH_BIN:-.build-release/release}"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PSQL=("$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atq)

say() { printf '%s\n' "$*" >&2; }

wait_ready() {
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return 0
    sleep 0.1
  done
  say "service on port $1 did not become ready"; return 1
}
