#!/usr/bin/env bash
# `make bench`, step 6: checkout latency. An authorization with `Prefer: wait` through the release build
# (ROLE=all, a fresh database, the standalone sandbox), next to the sandbox's own create plus confirm measured
# by the same client in the same run (`latency.py`), at concurrency 1 and 16. Runs alone as well:
#   BENCH_BIN=.build-release/release Sandbox/bench/latency.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

source Sandbox/bench/common.sh
COUNT="${BENCH_LATENCY_COUNT:-400}"
API_PORT=18090
SANDBOX_PORT=18112
DB_NAME="bench_latency_$(date +%s)"

"${PSQL[@]}" -c "CREATE DATABASE $DB_NAME" postgres
"$BIN/stripe-sandbox" --port $SANDBOX_PORT --log-level warning > /tmp/bench-latency-sandbox.log 2>&1 &
SBX=$!
env DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/$DB_NAME" ROLE=all PORT=$API_PORT PAYMENT_API_TOKENS=bench \
  STRIPE_SECRET_KEY=sk_test_bench STRIPE_API_BASE=http://127.0.0.1:$SANDBOX_PORT STRIPE_WEBHOOK_SECRET=whsec_bench \
  LOG_LEVEL=warning LOG_FORMAT=json "$BIN/payment-service" > /tmp/bench-latency.log 2>&1 &
SVC=$!
cleanup() {
  kill -TERM "$SVC" "$SBX" 2>/dev/null || true
  wait "$SVC" "$SBX" 2>/dev/null || true
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB_NAME" postgres
}
trap cleanup EXIT
wait_ready $API_PORT

for concurrency in 1 16; do
  printf '6. checkout latency, %s\n' "$(python3 Sandbox/bench/latency.py --api "http://127.0.0.1:$API_PORT" --token bench \
    --processor "http://127.0.0.1:$SANDBOX_PORT" --concurrency "$concurrency" --count $((COUNT * (concurrency == 1 ? 1 : 2))))"
done
