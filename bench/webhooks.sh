#!/usr/bin/env bash
# Webhook delivery: commit → first attempt latency and backlog throughput to a local receiver,
# on SQLite and on a throwaway PostgreSQL. Usage: bench/webhooks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/pg.sh
run() { cargo test --release -q --test api -- --ignored --nocapture webhook_delivery_figures 2>&1 | grep -E "commit|throughput"; }
echo "== SQLite"; run
start_pg
echo "== PostgreSQL"; TEST_DATABASE_URL="$PG_URL" run
