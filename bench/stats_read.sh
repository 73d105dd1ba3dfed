#!/usr/bin/env bash
# One campaign's stats read at 1 000 and at 1 000 000 events, on SQLite and PostgreSQL:
# loads the events through the project's schema, serves them, and times GET /v1/campaigns/:id/stats
# with wrk (1 thread, 1 connection, 10 s after a 3 s warm-up). Usage: bench/stats_read.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/pg.sh
if [ -z "${BIN:-}" ]; then cargo build --release -q; BIN=target/release/fluenzr; fi
WORK=$(mktemp -d)

measure() { # engine url
  local engine=$1 url=$2 port out key hot cold
  out=$("$BIN" seed-bench --database-url "$url" --workspaces 1 --contacts 2000 --groups 1 --campaigns 2 \
        --enrol-percent 100 --events 2000 --hot-events 999000 2>"$WORK/seed.log")
  key=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workspaces"][0]["apiKey"])')
  hot=$(echo "$out" | python3 -c 'import json,sys; e=json.load(sys.stdin)["events"]; print(max(e, key=lambda x: x["events"])["campaignId"])')
  cold=$(echo "$out" | python3 -c 'import json,sys; e=json.load(sys.stdin)["events"]; print(min(e, key=lambda x: x["events"])["campaignId"])')
  port=$(free_port)
  "$BIN" serve --addr "127.0.0.1:$port" --database-url "$url" --rate-limit 1000000000 >"$WORK/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  for campaign in "$cold" "$hot"; do
    local body events
    body=$(curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/campaigns/$campaign/stats")
    echo "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["success"] and d["data"]["sent"] > 0, d' 
    events=$([ "$campaign" = "$hot" ] && echo 1000000 || echo 1000)
    wrk -t1 -c1 -d3s -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/campaigns/$campaign/stats" >/dev/null
    wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/campaigns/$campaign/stats" >"$WORK/wrk.txt"
    local p50 p99 rps
    p50=$(awk '$1=="50%"{print $2}' "$WORK/wrk.txt"); p99=$(awk '$1=="99%"{print $2}' "$WORK/wrk.txt")
    rps=$(awk '/Requests\/sec/{print $2}' "$WORK/wrk.txt")
    printf '%-10s %9s events  p50 %-8s p99 %-8s %s req/s\n' "$engine" "$events" "$p50" "$p99" "$rps"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

measure sqlite "sqlite://$WORK/bench.db?mode=rwc"
start_pg
measure postgres "$PG_URL"
rm -rf "$WORK"
