#!/usr/bin/env bash
# Sending: one worker sends 10 000 emails (send gap 0) to a local SMTP sink, on SQLite and on a
# throwaway PostgreSQL; the due-work lookup is timed with 10 000 and with 1 000 000 enrolments.
# Usage: bench/sending.sh [EMAILS] [TABLE]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/pg.sh
EMAILS=${1:-10000}
TABLE=${2:-1000000}
cargo build --release -q
DB=$(mktemp -d)
echo "== SQLite"
./target/release/fluenzr bench-sending --database-url "sqlite://$DB/bench.db?mode=rwc" --emails "$EMAILS" --table "$TABLE"
rm -rf "$DB"
start_pg
echo "== PostgreSQL"
./target/release/fluenzr bench-sending --database-url "$PG_URL" --emails "$EMAILS" --table "$TABLE"
