# Sourced by the load scripts that need PostgreSQL: a fresh cluster of Debian's PostgreSQL (the newest installed) in
# a temporary directory, on a free port, stopped and removed on exit. As root the cluster runs as the postgres user.
# Sets: bin (PostgreSQL's programs), work (the directory), port; as_pg runs a command as the cluster's owner.
# Usage: . Benchmarks/load/pg-cluster.sh; pg_cluster_start "extra postgresql.conf lines"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "needs PostgreSQL: apt-get install postgresql" >&2; exit 1; }
work=$(mktemp -d)
chmod 755 "$work"
port=$((20000 + RANDOM % 20000))
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
pg_cluster_cleanup() { as_pg "$bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap pg_cluster_cleanup EXIT

pg_cluster_start() {
  as_pg "$bin/initdb" -D "$work/pg" -A trust -U khaothi -E UTF8 --locale=C >/dev/null
  cat >>"$work/pg/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
fsync = on
synchronous_commit = on
full_page_writes = on
$1
CONF
  as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
}
