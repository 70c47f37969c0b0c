#!/usr/bin/env bash
# The contract checked by a tool we did not write: schemathesis (pinned below) against the real binary, in
# sandbox mode with a token, on a fresh database, with every check and the stateful phase following the
# document's links (schemathesis.toml). Exits non-zero on any failure.
#   ST_MAX_TIME (seconds, default 150) bounds the run; ST_SEED repeats one.
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION=4.32.5
if [ "$(python3 -c 'import schemathesis; print(schemathesis.__version__)' 2>/dev/null)" != "$VERSION" ]; then
  python3 -m pip install --quiet "schemathesis==$VERSION" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "schemathesis==$VERSION"
fi

PG_PORT="${PG_PORT:-55432}"
PSQL=$(ls /usr/lib/postgresql/*/bin/psql | tail -1)
"$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c "DROP DATABASE IF EXISTS schemathesis" -c "CREATE DATABASE schemathesis" postgres

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
SANDBOX_PORT=$(free_port)
TOKEN="schemathesis-$RANDOM$RANDOM"
LOG=$(mktemp /tmp/schemathesis-service.XXXXXX.log)

env -u STRIPE_SECRET_KEY -u STRIPE_API_BASE DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/schemathesis" \
  PORT="$PORT" SANDBOX_PORT="$SANDBOX_PORT" PAYMENT_API_TOKENS="$TOKEN" LOG_LEVEL=warning LOG_FORMAT=text \
  .build/debug/payment-service serve >"$LOG" 2>&1 &
SERVICE=$!
trap 'kill "$SERVICE" 2>/dev/null || true; wait "$SERVICE" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  kill -0 "$SERVICE" 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.2
done

SEED_ARGS=()
[ -n "${ST_SEED:-}" ] && SEED_ARGS=(--seed "$ST_SEED")
status=0
st run "http://127.0.0.1:$PORT/openapi.json" --header "Authorization: Bearer $TOKEN" --checks all \
  --phases examples,coverage,fuzzing,stateful --max-time "${ST_MAX_TIME:-150}" --no-color "${SEED_ARGS[@]}" || status=$?
if grep -q "unhandled error" "$LOG"; then
  echo "schemathesis.sh: the service logged an unhandled error:"; grep "unhandled error" "$LOG" | head -5; status=1
fi
kill -0 "$SERVICE" 2>/dev/null || { echo "schemathesis.sh: the service died"; tail -20 "$LOG"; status=1; }
exit $status
