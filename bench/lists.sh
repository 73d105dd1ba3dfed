#!/usr/bin/env bash
# Contact lists at a million contacts in one workspace, on SQLite and PostgreSQL: seeds the
# workspace (fluenzr seed-bench), serves it, and times each read of a page of 50 over HTTP with
# wrk (1 thread, 1 connection, DURATION s after a 2 s warm-up): p50 and p99.
#
#   bench/lists.sh                          (CONTACTS=1000000 ENGINES="sqlite postgres" DURATION=5)
#   BIN=path/to/fluenzr bench/lists.sh      (default: a release build of this checkout)
#
# The reads: the first page; page 10 000 by number (an offset of 499 950) and the same depth by
# cursor; sorted by email descending; a selective email substring; a company (2 000 of them);
# a filter matching nothing; a substring most contacts match (an estimated total); a rare
# status; a campaign's enrolments.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/pg.sh
if [ -z "${BIN:-}" ]; then cargo build --release -q; BIN=target/release/fluenzr; fi
CONTACTS=${CONTACTS:-1000000}
ENGINES=${ENGINES:-sqlite postgres}
DURATION=${DURATION:-5}
WORK=$(mktemp -d)

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

measure() { # engine url
  local engine=$1 url=$2 port out key campaign pid base
  local started=$SECONDS
  out=$("$BIN" seed-bench --database-url "$url" --workspaces 1 --contacts "$CONTACTS" --groups 1 \
        --campaigns 1 --enrol-percent 10 --events 1000 2>"$WORK/seed.log")
  echo "$engine: seeded $CONTACTS contacts in $((SECONDS - started)) s"
  key=$(echo "$out" | json 'd["workspaces"][0]["apiKey"]')
  campaign=$(echo "$out" | json 'd["events"][0]["campaignId"]')
  port=$(free_port)
  "$BIN" serve --addr "127.0.0.1:$port" --database-url "$url" --rate-limit 1000000000 --no-workers \
    >"$WORK/serve.log" 2>&1 &
  pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
  local deep cursor
  deep=$(curl -sf -H "Authorization: Bearer $key" "$base/v1/contacts?perPage=50&page=9999")
  cursor=$(echo "$deep" | json 'd["meta"]["nextCursor"]')
  local reads=(
    "first page|/v1/contacts?perPage=50"
    "page 10 000 (page=)|/v1/contacts?perPage=50&page=10000"
    "page 10 000 (cursor)|/v1/contacts?perPage=50&cursor=$cursor"
    "sorted by email, desc|/v1/contacts?perPage=50&sort=email&order=desc"
    "email substring (selective)|/v1/contacts?perPage=50&email=person123456."
    "company filter|/v1/contacts?perPage=50&company=Company%2042"
    "a filter matching nothing|/v1/contacts?perPage=50&email=nobody-here"
    "email substring (most match)|/v1/contacts?perPage=50&email=example"
    "a rare status|/v1/contacts?perPage=50&status=bounced"
    "a campaign's enrolments|/v1/campaigns/$campaign/contacts?perPage=50"
  )
  printf '%-10s %-30s %10s %10s %9s %s\n' engine read p50 p99 req/s total
  for read in "${reads[@]}"; do
    local name=${read%%|*} path=${read#*|} body total
    body=$(curl -sf -H "Authorization: Bearer $key" "$base$path")
    total=$(echo "$body" | json '"%s%s (%d rows)" % ("~" if d["meta"]["totalIsEstimate"] else "", d["meta"]["total"], len(d["data"]))')
    wrk -t1 -c1 -d2s -H "Authorization: Bearer $key" "$base$path" >/dev/null
    wrk -t1 -c1 -d"${DURATION}s" --latency -H "Authorization: Bearer $key" "$base$path" >"$WORK/wrk.txt"
    local p50 p99 rps
    p50=$(awk '$1=="50%"{print $2}' "$WORK/wrk.txt"); p99=$(awk '$1=="99%"{print $2}' "$WORK/wrk.txt")
    rps=$(awk '/Requests\/sec/{print $2}' "$WORK/wrk.txt")
    printf '%-10s %-30s %10s %10s %9s %s\n' "$engine" "$name" "$p50" "$p99" "$rps" "$total"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for engine in $ENGINES; do
  case $engine in
    sqlite) measure sqlite "sqlite://$WORK/bench.db?mode=rwc"; rm -f "$WORK"/bench.db* ;;
    postgres) start_pg; measure postgres "$PG_URL" ;;
  esac
done
rm -rf "$WORK"
