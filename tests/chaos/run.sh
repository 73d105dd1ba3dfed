#!/usr/bin/env bash
# Workers killed (-9) again and again while a campaign sends, on one throwaway PostgreSQL: no
# contact gets a step twice, only the SMTP transactions cut short end unknown, and the stats agree
# with what the SMTP sink accepted (see run.py). Usage: tests/chaos/run.sh [path/to/fluenzr]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-target/debug/fluenzr}")
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGTMP=$(mktemp -d)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGTMP"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/pg.log" -w -t 30 \
  -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
python3 tests/chaos/run.py "$BIN" "postgres://postgres@127.0.0.1:$PORT/postgres" "$PGBIN/psql"
