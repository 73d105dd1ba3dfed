#!/usr/bin/env bash
# The attacker's bill: server CPU per costly request, with and without a key, on a seeded
# SQLite database (20 000 contacts, 10 campaigns, 200 000 events), then the memory a flood of
# junk methods and paths leaves. Usage: bench/attack.sh [path/to/release/fluenzr]
# (without a path it builds target/release/fluenzr).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  BIN=$(realpath "$1")
else
  cargo build --release -q
  BIN=./target/release/fluenzr
fi
DIR=$(mktemp -d)
export DATABASE_URL="sqlite://$DIR/attack.db?mode=rwc"
SEED=$("$BIN" seed-bench --workspaces 1 --contacts 20000 --campaigns 10 --events 200000)
KEY=$(echo "$SEED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workspaces"][0]["apiKey"])')
CAMPAIGN=$(echo "$SEED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workspaces"][0]["campaignIds"][0])')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
FLUENZR_ADDR="127.0.0.1:$PORT" FLUENZR_RATE_LIMIT=100000 "$BIN" serve >"$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
python3 bench/attack.py "http://127.0.0.1:$PORT" "$SERVER" "$KEY" "$CAMPAIGN"
