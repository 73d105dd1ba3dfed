#!/usr/bin/env bash
# CSV import: 100 000 rows (email, name, company, a custom field) uploaded to a release server
# and imported by its worker, on SQLite and on a throwaway PostgreSQL; prints rows per second.
# Usage: bench/import.sh [ROWS]   (FLUENZR_BIN=<binary> measures another build)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/pg.sh
ROWS=${1:-100000}
BIN=${FLUENZR_BIN:-./target/release/fluenzr}
[ -n "${FLUENZR_BIN:-}" ] || cargo build --release -q
DIR=$(mktemp -d)
python3 - "$DIR/leads.csv" "$ROWS" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("email,first_name,company,plan\n")
    for i in range(int(sys.argv[2])):
        f.write(f"lead{i}@example.com,Lead {i},Company {i % 500},{'pro' if i % 3 else 'free'}\n")
PY
run() {
  local url=$1 name=$2 port
  port=$(free_port)
  local key
  key=$(DATABASE_URL="$url" "$BIN" workspace create --name Bench --plan pro | python3 -c 'import json,sys; print(json.load(sys.stdin)["apiKey"])')
  DATABASE_URL="$url" FLUENZR_ADDR="127.0.0.1:$port" RUST_LOG=warn "$BIN" serve >"$DIR/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  python3 - "http://127.0.0.1:$port" "$key" "$DIR/leads.csv" "$name" <<'PY'
import json, sys, time, urllib.request
base, key, path, name = sys.argv[1:5]
body = open(path, "rb").read()
started = time.time()
req = urllib.request.Request(base + "/v1/contacts/import", data=body, method="POST",
                             headers={"Authorization": "Bearer " + key, "Content-Type": "text/csv"})
imp = json.load(urllib.request.urlopen(req))["data"]
accepted = time.time() - started
while imp["status"] not in ("completed", "failed"):
    time.sleep(0.2)
    req = urllib.request.Request(f"{base}/v1/imports/{imp['id']}", headers={"Authorization": "Bearer " + key})
    imp = json.load(urllib.request.urlopen(req))["data"]
took = time.time() - started
print(json.dumps({"engine": name, "rows": imp["total"], "created": imp["created"], "status": imp["status"],
                  "uploadSeconds": round(accepted, 2), "seconds": round(took, 2),
                  "rowsPerSecond": round(imp["total"] / took)}))
PY
  kill "$pid"; wait "$pid" || true
}
run "sqlite://$DIR/bench.db?mode=rwc" sqlite
start_pg
run "$PG_URL" postgres
rm -rf "$DIR"
