#!/usr/bin/env bash
# The contract, checked from outside: schemathesis with all its checks against a real server
# (REST from /v1/openapi.json, then GraphQL by introspection), and the TypeScript types an
# OpenAPI generator makes of the document (no `unknown` where data is described).
#
#   tests/contract/run.sh [path/to/fluenzr]     (default: target/debug/fluenzr)
#
# Needs python3 (a venv is made under target/contract) and, for the types, npm.
set -euo pipefail
# DNS stays on this machine: sending-domain checks ask a closed loopback port.
export FLUENZR_DNS_SERVER="${FLUENZR_DNS_SERVER:-127.0.0.1:1}"
cd "$(dirname "$0")/../.."
BIN=${1:-target/debug/fluenzr}
WORK=target/contract
mkdir -p "$WORK"
EXAMPLES=${CONTRACT_MAX_EXAMPLES:-30}

if [ ! -x "$WORK/venv/bin/st" ]; then
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q "schemathesis==4.32.5"
fi

DB="$WORK/fuzz.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
export DATABASE_URL="sqlite://$DB?mode=rwc"
KEY=$("$BIN" workspace create --name Fuzz --plan pro | python3 -c 'import json,sys; print(json.load(sys.stdin)["apiKey"])')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
FLUENZR_ADDR="127.0.0.1:$PORT" FLUENZR_RATE_LIMIT=1000000 \
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
export SCHEMATHESIS_HOOKS=hooks PYTHONPATH=tests/contract FUZZ_BASE="$BASE" FUZZ_KEY="$KEY"
fuzz() {
  "$WORK/venv/bin/st" run "$1" --checks all --max-examples "$EXAMPLES" \
    --header "Authorization: Bearer $KEY" --seed "${CONTRACT_SEED:-1}" || status=1
}
fuzz "$BASE/v1/openapi.json"
echo "== schemathesis: GraphQL"
fuzz "$BASE/graphql"

echo "== openapi-typescript: types of /v1/openapi.json"
NPM="$WORK/npm"
if [ ! -x "$NPM/node_modules/.bin/openapi-typescript" ]; then
  mkdir -p "$NPM"
  npm install --silent --prefix "$NPM" openapi-typescript@7.13.0 typescript@5.9.3 >/dev/null
fi
curl -fs "$BASE/v1/openapi.json" -o "$WORK/openapi.json"
"$NPM/node_modules/.bin/openapi-typescript" "$WORK/openapi.json" -o "$WORK/types.ts" >/dev/null
# `unknown` may appear only in header maps (the generator's own index signature) and for a batch
# item's customFields (any JSON, checked item by item): never in what `data` is. (A path such as
# `/unknown-outcomes` is a name, not a type.)
if grep -nw "unknown" "$WORK/types.ts" | grep -vE '^[0-9]+:\s*(/\*|\*)' | grep -v '\[name: string\]: unknown;' | grep -v 'AnyJson: unknown;' \
  | grep -v '/unknown-outcomes'; then
  echo "the generated types hold unknown where data is described" >&2
  status=1
fi
cp tests/contract/types-check.ts "$WORK/types-check.ts"
"$NPM/node_modules/.bin/tsc" --strict --noEmit --target es2022 --moduleResolution node \
  "$WORK/types-check.ts" || status=1

if grep -q "panicked" "$WORK/server.log"; then
  echo "the server panicked during the run:" >&2
  grep -n "panicked" "$WORK/server.log" | head >&2
  status=1
fi
exit $status
