#!/usr/bin/env bash
# The per-workspace rate-limit check: in process (SQLite, one instance) and shared through a
# throwaway PostgreSQL (several instances). Usage: bench/ratelimit.sh [CHECKS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/pg.sh
cargo build --release -q
start_pg
./target/release/fluenzr bench-rate-limit --database-url "$PG_URL" --checks "${1:-20000}"
