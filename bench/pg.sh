# Sourced by the bench scripts: start_pg starts a throwaway PostgreSQL and sets PG_URL;
# it is stopped when the calling script exits.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# PostgreSQL deployments need the operator's secret (mailbox passwords, tracking links).
export FLUENZR_SECRET_KEY=${FLUENZR_SECRET_KEY:-bench-operator-secret}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_pg() {
  PGTMP=$(mktemp -d)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGTMP"
  local port; port=$(free_port)
  as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/pg.log" -w -t 30 \
    -o "-p $port -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB" \
    start >/dev/null
  PG_PORT=$port
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  trap 'as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$PGTMP"' EXIT
}
