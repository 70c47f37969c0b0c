#!/usr/bin/env bash
# `make bench`: the intake and end-to-end rates of the release build, each next to PostgreSQL's own
# single-row INSERT rate (pgbench) measured in the same run, at the same concurrency; then the checkout
# latency next to the processor's own (latency.sh), and the pushed webhooks' delivery rate next to the receiver's own.
set -euo pipefail
cd "$(dirname "$0")/../.."

source Sandbox/bench/common.sh
CLIENTS="${BENCH_CLIENTS:-64}"
SECONDS_INTAKE="${BENCH_SECONDS:-15}"
SECONDS_E2E="${BENCH_E2E_SECONDS:-10}"
API_PORT=18080
SANDBOX_PORT=18111
RUN=$(date +%s)
export BENCH_TOKEN=bench BENCH_RUN=$((RUN % 4000000000))

rss_kib() { awk "/^$2:/ {print \$2}" "/proc/$1/status"; }
mib() { awk "BEGIN {printf \"%.1f\", $1 / 1024}"; }
# CPU time in clock ticks: a process's own, or PostgreSQL's whole (the postmaster's, its reaped backends' and
# its live ones'), so that a before/after difference is what a run cost each side.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
PG_MASTER=$(head -1 "$("${PSQL[@]}" -c 'SHOW data_directory' postgres)/postmaster.pid")
pg_ticks() {
  local total
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PG_MASTER/stat")
  for child in $(pgrep -P "$PG_MASTER"); do total=$((total + $(cpu_ticks "$child" 2>/dev/null || echo 0))); done
  echo "$total"
}
# Microseconds of CPU per item, from a tick difference ("n/a" when there were no items).
us_per() { awk "BEGIN {if ($2 > 0) printf \"%.0f\", $1 * 1000000 / $(getconf CLK_TCK) / $2; else printf \"n/a\"}"; }

fresh_db() {
  local name="bench_${1}_$RUN"
  "${PSQL[@]}" -c "CREATE DATABASE $name" postgres
  echo "postgresql://postgres@127.0.0.1:$PG_PORT/$name"
}

pgbench_tps() {
  local db="bench_pg_$RUN"
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $db" postgres
  "${PSQL[@]}" -c "CREATE DATABASE $db" postgres
  "${PSQL[@]}" -c "CREATE TABLE bench_payments (id uuid PRIMARY KEY, order_id uuid NOT NULL UNIQUE,
      status text NOT NULL, amount bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX ON bench_payments (status);" "$db"
  local before tps rows
  before=$(pg_ticks)
  tps=$("$PGBIN/pgbench" -n -c "$CLIENTS" -j 2 -T "$SECONDS_INTAKE" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
      -f Sandbox/bench/pgbench-insert.sql "$db" 2>/dev/null | awk '/^tps/ {print $3; exit}')
  rows=$("${PSQL[@]}" -c "SELECT count(*) FROM bench_payments" "$db")
  sleep 1  # pgbench's backends exit: reaped, their time moves into the postmaster's, counted once
  echo "$tps $(us_per $(($(pg_ticks) - before)) "$rows")"
  "${PSQL[@]}" -c "DROP DATABASE $db" postgres
}


say "== durability: fsync=$("${PSQL[@]}" -c 'SHOW fsync' postgres) synchronous_commit=$("${PSQL[@]}" -c 'SHOW synchronous_commit' postgres); nproc=$(nproc)"
say "== pgbench before (single-row INSERT, $CLIENTS clients, ${SECONDS_INTAKE}s)"
PGB=$(pgbench_tps); read -r PG1 PG1_CPU <<<"$PGB"
[[ "$PG1" =~ ^[0-9.]+$ ]] || { say "pgbench failed: '$PGB'"; exit 1; }
say "   $PG1 tps, PostgreSQL CPU ${PG1_CPU} µs per insert"

say "== intake: ROLE=api, wrk $CLIENTS connections, ${SECONDS_INTAKE}s, every request a new cart"
DB=$(fresh_db intake)
env DATABASE_URL="$DB" ROLE=api PORT=$API_PORT PAYMENT_API_TOKENS=bench STRIPE_SECRET_KEY=sk_test_bench \
  STRIPE_API_BASE=http://127.0.0.1:9 STRIPE_WEBHOOK_SECRET=whsec_bench LOG_LEVEL=warning LOG_FORMAT=json \
  "$BIN/payment-service" > /tmp/bench-intake.log 2>&1 &
SVC=$!
wait_ready $API_PORT
sleep 1
IDLE=$(rss_kib $SVC VmRSS)
SVC_T0=$(cpu_ticks $SVC); PG_T0=$(pg_ticks)
WRK=$(wrk -t2 -c"$CLIENTS" -d"${SECONDS_INTAKE}s" --latency -s Sandbox/bench/authorize.lua "http://127.0.0.1:$API_PORT")
PEAK_INTAKE=$(rss_kib $SVC VmHWM)
SVC_T1=$(cpu_ticks $SVC); PG_T1=$(pg_ticks)
# The same service's HTTP stack on a route that does no work: the floor under the intake's own path.
FLOOR_T0=$(cpu_ticks $SVC)
FLOOR_WRK=$(wrk -t2 -c"$CLIENTS" -d5s "http://127.0.0.1:$API_PORT/health/live")
FLOOR_US=$(us_per $(($(cpu_ticks $SVC) - FLOOR_T0)) "$(awk '/requests in/ {print $1}' <<<"$FLOOR_WRK")")
FLOOR=$(awk '/^Requests\/sec/ {print $2}' <<<"$FLOOR_WRK")
kill -TERM $SVC; wait $SVC || true
INTAKE_RPS=$(awk '/^Requests\/sec/ {print $2}' <<<"$WRK")
P50=$(awk '$1 == "50%" {print $2}' <<<"$WRK")
P99=$(awk '$1 == "99%" {print $2}' <<<"$WRK")
NON2XX=$(awk '/Non-2xx/ {print $5}' <<<"$WRK"); NON2XX=${NON2XX:-0}
SOCKERR=$(awk '/Socket errors/ {print $0}' <<<"$WRK")
ROWS=$("${PSQL[@]}" -c "SELECT count(*) FROM payments" "${DB##*/}")
SVC_US=$(us_per $((SVC_T1 - SVC_T0)) "$ROWS"); PG_US=$(us_per $((PG_T1 - PG_T0)) "$ROWS")
say "$WRK"

say "== pgbench after"
PGB=$(pgbench_tps); read -r PG2 PG2_CPU <<<"$PGB"
[[ "$PG2" =~ ^[0-9.]+$ ]] || { say "pgbench failed: '$PGB'"; exit 1; }
say "   $PG2 tps, PostgreSQL CPU ${PG2_CPU} µs per insert"

say "== end to end: ROLE=all against a standalone stripe-sandbox, ${SECONDS_E2E}s burst"
DB2=$(fresh_db e2e)
"$BIN/stripe-sandbox" --port $SANDBOX_PORT --log-level warning > /tmp/bench-sandbox.log 2>&1 &
SBX=$!
env DATABASE_URL="$DB2" ROLE=all PORT=$API_PORT PAYMENT_API_TOKENS=bench STRIPE_SECRET_KEY=sk_test_bench \
  STRIPE_API_BASE=http://127.0.0.1:$SANDBOX_PORT STRIPE_WEBHOOK_SECRET=whsec_bench LOG_LEVEL=warning LOG_FORMAT=json \
  WORKER_CONCURRENCY="${BENCH_WORKER_CONCURRENCY:-64}" "$BIN/payment-service" > /tmp/bench-e2e.log 2>&1 &
SVC=$!
wait_ready $API_PORT
SVC_T0=$(cpu_ticks $SVC); SBX_T0=$(cpu_ticks $SBX); PG_T0=$(pg_ticks)
START=$(date +%s.%N)
WRK2=$(wrk -t2 -c"$CLIENTS" -d"${SECONDS_E2E}s" -s Sandbox/bench/authorize.lua "http://127.0.0.1:$API_PORT")
# Settled when no operation waits. Polling the queue's small partial index, not counting the payments
# table, so the watching costs the database little next to the work it watches.
for _ in $(seq 1 600); do
  [ "$("${PSQL[@]}" -c "SELECT count(*) FROM operations WHERE status = 'queued'" "${DB2##*/}")" = 0 ] && break
  sleep 0.2
done
END=$(date +%s.%N)
SVC_T1=$(cpu_ticks $SVC); SBX_T1=$(cpu_ticks $SBX); PG_T1=$(pg_ticks)
# Counted once settled: a command in flight when wrk stopped may commit after it.
ACCEPTED=$("${PSQL[@]}" -c "SELECT count(*) FROM payments" "${DB2##*/}")
PEAK_E2E=$(rss_kib $SVC VmHWM)
HELD=$(curl -s "http://127.0.0.1:$SANDBOX_PORT/_sandbox/ledger" | python3 -c 'import json,sys; print(sum(1 for i in json.load(sys.stdin)["payment_intents"] if i["status"] == "requires_capture"))')
kill -TERM $SVC; wait $SVC || true
kill -TERM $SBX; wait $SBX || true
E2E_SVC_US=$(us_per $((SVC_T1 - SVC_T0)) "$HELD"); E2E_SBX_US=$(us_per $((SBX_T1 - SBX_T0)) "$HELD")
E2E_PG_US=$(us_per $((PG_T1 - PG_T0)) "$HELD")
E2E_RATE=$(awk "BEGIN {printf \"%.0f\", $HELD / ($END - $START)}")

HOOK_EVENTS="${BENCH_WEBHOOK_EVENTS:-5000}"
say "== pushed webhooks: ROLE=worker delivers the last $HOOK_EVENTS events of (4)'s outbox to one endpoint for every type"
EVENTS=$("${PSQL[@]}" -c "SELECT least(count(*), $HOOK_EVENTS) FROM events" "${DB2##*/}")
read -r FROM_XID FROM_SEQ <<<"$("${PSQL[@]}" -F ' ' -c "SELECT coalesce((SELECT xid::text FROM events ORDER BY events.xid DESC, seq DESC OFFSET $EVENTS LIMIT 1), '0'), \
  coalesce((SELECT seq FROM events ORDER BY xid DESC, seq DESC OFFSET $EVENTS LIMIT 1), 0)" "${DB2##*/}")"
RCV_PORT=18190
python3 Sandbox/scripts/webhook-receiver.py --port $RCV_PORT --log /tmp/bench-webhooks.jsonl > /dev/null 2>/tmp/bench-receiver.log &
RCV=$!
sleep 1
"${PSQL[@]}" -c "INSERT INTO webhook_endpoints (id, url, events, secret, cursor_xid, cursor_seq) \
  VALUES (gen_random_uuid(), 'http://127.0.0.1:$RCV_PORT/hook', '{*}', 'whsec_bench', '$FROM_XID', $FROM_SEQ)" "${DB2##*/}" > /dev/null
: > /tmp/bench-webhooks.jsonl
env DATABASE_URL="$DB2" ROLE=worker PORT=$API_PORT STRIPE_SECRET_KEY=sk_test_bench STRIPE_API_BASE=http://127.0.0.1:9 \
  WEBHOOK_ALLOW_PRIVATE=1 LOG_LEVEL=warning LOG_FORMAT=json "$BIN/payment-service" > /tmp/bench-webhooks.log 2>&1 &
SVC=$!
SVC_T0=$(cpu_ticks $SVC); PG_T0=$(pg_ticks)
HOOK_START=$(date +%s.%N)
for _ in $(seq 1 600); do
  [ "$("${PSQL[@]}" -c "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'" "${DB2##*/}")" -ge "$EVENTS" ] && break
  sleep 0.1
done
HOOK_END=$(date +%s.%N)
SVC_T1=$(cpu_ticks $SVC); PG_T1=$(pg_ticks)
DELIVERED=$("${PSQL[@]}" -c "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'" "${DB2##*/}")
kill -TERM $SVC; wait $SVC || true
HOOK_RATE=$(awk "BEGIN {printf \"%.0f\", $DELIVERED / ($HOOK_END - $HOOK_START)}")
HOOK_SVC_US=$(us_per $((SVC_T1 - SVC_T0)) "$DELIVERED"); HOOK_PG_US=$(us_per $((PG_T1 - PG_T0)) "$DELIVERED")
RCV_WRK=$(wrk -t1 -c1 -d5s -s Sandbox/bench/webhook.lua "http://127.0.0.1:$RCV_PORT/hook")
RCV_RPS=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$RCV_WRK")
kill $RCV; wait $RCV 2>/dev/null || true
"${PSQL[@]}" -c "DROP DATABASE ${DB##*/}" postgres
"${PSQL[@]}" -c "DROP DATABASE ${DB2##*/}" postgres

MEAN=$(awk "BEGIN {printf \"%.0f\", ($PG1 + $PG2) / 2}")
printf '\n'
printf '1. pgbench single-row INSERT, %s clients: %s tps before, %s tps after (mean %s)\n' "$CLIENTS" "$PG1" "$PG2" "$MEAN"
printf '2. intake (ROLE=api), %s connections, %ss: %s req/s, p50 %s, p99 %s, non-2xx %s, rows %s %s\n' \
  "$CLIENTS" "$SECONDS_INTAKE" "$INTAKE_RPS" "$P50" "$P99" "$NON2XX" "$ROWS" "${SOCKERR:+($SOCKERR)}"
printf '3. intake / pgbench: %s\n' "$(awk "BEGIN {printf \"%.2f\", $INTAKE_RPS / $MEAN}")"
printf '   CPU per command in (2): service %s µs, PostgreSQL %s µs; PostgreSQL per pgbench insert: %s / %s µs; HTTP stack floor (GET /health/live, same service, %s connections): %s req/s at %s µs of service CPU each; nproc %s\n' \
  "$SVC_US" "$PG_US" "$PG1_CPU" "$PG2_CPU" "$CLIENTS" "$FLOOR" "$FLOOR_US" "$(nproc)"
printf '4. end to end (ROLE=all, standalone sandbox), %ss burst: %s accepted, %s held at the processor in %.1fs = %s settled/s; ratio to pgbench %s\n' \
  "$SECONDS_E2E" "$ACCEPTED" "$HELD" "$(awk "BEGIN {print $END - $START}")" "$E2E_RATE" "$(awk "BEGIN {printf \"%.2f\", $E2E_RATE / $MEAN}")"
printf '   CPU per settled payment in (4): service %s µs, sandbox %s µs, PostgreSQL %s µs (intake, worker and the processor on the same %s cores)\n' \
  "$E2E_SVC_US" "$E2E_SBX_US" "$E2E_PG_US" "$(nproc)"
printf '5. memory: idle %s MiB after start; peak %s MiB in (2), %s MiB in (4)\n' "$(mib "$IDLE")" "$(mib "$PEAK_INTAKE")" "$(mib "$PEAK_E2E")"
printf '7. pushed webhooks, one endpoint (strictly ordered: one request in flight): %s of %s events in %.1fs = %s delivered/s; the receiver itself takes %s req/s from one connection (wrk -c1); ratio %s\n' \
  "$DELIVERED" "$EVENTS" "$(awk "BEGIN {print $HOOK_END - $HOOK_START}")" "$HOOK_RATE" "$RCV_RPS" "$(awk "BEGIN {printf \"%.2f\", $HOOK_RATE / $RCV_RPS}")"
printf '   CPU per delivered event: service %s µs, PostgreSQL %s µs\n' "$HOOK_SVC_US" "$HOOK_PG_US"
Sandbox/bench/latency.sh
