#!/usr/bin/env bash
# Idle: a worker over CAMPAIGNS running campaigns with nothing due (each with one contact whose
# next email is ten days away), on SQLite and on a throwaway PostgreSQL. Prints the worker
# process's CPU (user + system) over SECONDS, as a share of one core, after a warm-up.
# With IDLE_PAUSED=1 the campaigns are paused and their contacts due (work no pass may send).
# Usage: bench/idle.sh [CAMPAIGNS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/pg.sh
CAMPAIGNS=${1:-10000}
SECONDS_RUN=${2:-30}
BIN=${FLUENZR_BIN:-./target/release/fluenzr}
[ -n "${FLUENZR_BIN:-}" ] || cargo build --release -q
TICKS=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() {
  local engine=$1 url=$2
  local flags=() what="running campaigns, nothing due"
  [ -z "${IDLE_PAUSED:-}" ] || { flags=(--paused); what="paused campaigns with due work"; }
  "$BIN" seed-idle --database-url "$url" --campaigns "$CAMPAIGNS" "${flags[@]}" >/dev/null
  "$BIN" worker --database-url "$url" >/dev/null 2>&1 &
  local pid=$!
  sleep 5
  local before after
  before=$(cpu_ticks "$pid")
  sleep "$SECONDS_RUN"
  after=$(cpu_ticks "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  python3 -c "print(f'idle ($engine): {$CAMPAIGNS} $what: worker CPU {100 * ($after - $before) / $TICKS / $SECONDS_RUN:.2f} % of one core over {$SECONDS_RUN} s')"
}

DB=$(mktemp -d)
measure sqlite "sqlite://$DB/idle.db?mode=rwc"
rm -rf "$DB"
start_pg
measure postgres "$PG_URL"
