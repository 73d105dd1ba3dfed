#!/usr/bin/env bash
# Sending at SaaS scale: ACCOUNTS email accounts (send gap 0, ten to a workspace, one running
# campaign each) with EMAILS due emails between them, sent to an SMTP server in a process of
# its own that waits DELAY_MS before accepting each message. Times one worker process until
# every email is sent, on SQLite and on a throwaway PostgreSQL, then two worker processes on
# PostgreSQL; checks the server received each email exactly once and reads each worker's peak
# RSS (VmHWM).
# ENGINES (default "sqlite postgres") picks the engines; WORKER_CONCURRENCY, when set, is each
# worker's FLUENZR_SMTP_CONCURRENCY (SMTP transactions in flight per worker process).
# Usage: bench/latency.sh [ACCOUNTS] [EMAILS] [DELAY_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/pg.sh
ACCOUNTS=${1:-2000}
EMAILS=${2:-20000}
DELAY=${3:-100}
BIN=${FLUENZR_BIN:-./target/release/fluenzr}
[ -n "${FLUENZR_BIN:-}" ] || cargo build --release -q
export FLUENZR_ALLOW_PRIVATE_HOSTS=true
[ -z "${WORKER_CONCURRENCY:-}" ] || export FLUENZR_SMTP_CONCURRENCY=$WORKER_CONCURRENCY
ENGINES=${ENGINES:-sqlite postgres}
WORK=$(mktemp -d)

sent_count() { # engine url
  if [ "$1" = sqlite ]; then
    sqlite3 "$WORK/latency.db" "SELECT count(*) FROM messages WHERE state = 'sent'"
  else
    as_pg "$PGBIN/psql" -qtAX "$2" -c "SELECT count(*) FROM messages WHERE state = 'sent'"
  fi
}

peak_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

measure() { # engine url workers
  local engine=$1 url=$2 workers=$3
  "$BIN" bench-sink --delay-ms "$DELAY" >"$WORK/sink.out" &
  local sink=$!
  for _ in $(seq 100); do [ -s "$WORK/sink.out" ] && break; sleep 0.05; done
  local port; port=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["port"])' "$WORK/sink.out")
  "$BIN" seed-latency --database-url "$url" --accounts "$ACCOUNTS" --emails "$EMAILS" --smtp-port "$port" >/dev/null
  local pids=() started ended n=0
  started=$(date +%s.%N)
  for _ in $(seq "$workers"); do
    "$BIN" worker --database-url "$url" >"$WORK/worker.log" 2>&1 &
    pids+=($!)
  done
  local deadline=$((SECONDS + 600))
  while [ "$n" -lt "$EMAILS" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out at $n of $EMAILS sent" >&2; tail -20 "$WORK/worker.log" >&2; exit 1; }
    sleep 0.1
    n=$(sent_count "$engine" "$url")
  done
  ended=$(date +%s.%N)
  local rss=()
  for pid in "${pids[@]}"; do rss+=("$(peak_mb "$pid")"); kill "$pid"; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  kill "$sink"; wait "$sink" 2>/dev/null || true
  local received; received=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["received"])' "$WORK/sink.out")
  [ "$received" = "$EMAILS" ] || { echo "the SMTP server received $received of $EMAILS" >&2; exit 1; }
  python3 -c "
import os, sys
e, w, a, n, d, s, t, rss = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], float(sys.argv[6]), float(sys.argv[7]), sys.argv[8]
c = os.environ.get('FLUENZR_SMTP_CONCURRENCY', '500 (default)')
print(f'latency ({e}, {w} worker{\"s\" if w > 1 else \"\"}, {c} in flight per worker): {a} accounts, {n} emails, SMTP server waits {d} ms per message: {n / (t - s):.0f} emails/s; peak RSS per worker {rss} MB; received exactly once')
" "$engine" "$workers" "$ACCOUNTS" "$EMAILS" "$DELAY" "$started" "$ended" "$(IFS=/; echo "${rss[*]}")"
}

case " $ENGINES " in *" sqlite "*) measure sqlite "sqlite://$WORK/latency.db?mode=rwc" 1 ;; esac
case " $ENGINES " in *" postgres "*)
  start_pg
  for workers in 1 2; do
    as_pg "$PGBIN/psql" -qX "$PG_URL" -c "CREATE DATABASE latency$workers" >/dev/null
    measure postgres "${PG_URL%/*}/latency$workers" "$workers"
  done ;;
esac
rm -rf "$WORK"
