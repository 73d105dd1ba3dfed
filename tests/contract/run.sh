#!/usr/bin/env bash
# The contract, checked from outside: schemathesis with all its checks against a real server
# (REST from /v1/openapi.json, then GraphQL by introspection), and the TypeScript types an
# OpenAPI generator makes of the document (no `unknown` where data is described).
#
#   tests/contract/run.sh [path/to/fluenzr]     (default: target/debug/fluenzr)
#
# Needs python3 (a venv is made under target/contract) and, for the types, npm.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-target/debug/fluenzr}
WORK=target/contract
mkdir -p "$WORK"
EXAMPLES=${CONTRACT_MAX_EXAMPLES:-40}

if [ ! -x "$WORK/venv/bin/st" ]; then
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q "schemathesis==4.32.5"
fi

DB="$WORK/fuzz.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
export DATABASE_URL="sqlite://$DB?mode=rwc"
KEY=$("$BIN" workspace create --name Fuzz --plan pro | python3 -c 'import json,sys; print(json.load(sys.stdin)["apiKey"])')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
FLUENZR_ADDR="127.0.0.1:$PORT" FLUENZR_RATE_LIMIT=1000000 FLUENZR_LOG=warn \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done
BASE="http://127.0.0.1:$PORT"

status=0
echo "== schemathesis: REST"
"$WORK/venv/bin/st" run "$BASE/v1/openapi.json" --url "$BASE" \
  --checks all --max-examples "$EXAMPLES" --header "Authorization: Bearer $KEY" \
  --config-file tests/contract/schemathesis.toml \
  --seed 1 --no-color || status=1
echo "== schemathesis: GraphQL"
"$WORK/venv/bin/st" run "$BASE/graphql" \
  --checks all --max-examples "$EXAMPLES" --header "Authorization: Bearer $KEY" \
  --config-file tests/contract/schemathesis.toml \
  --seed 1 --no-color || status=1

if grep -q "panicked" "$WORK/server.log"; then
  echo "the server panicked during the run:" >&2
  grep -n "panicked" "$WORK/server.log" | head >&2
  status=1
fi
exit $status
