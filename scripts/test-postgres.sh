#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on loopback and a free port.
#   eval "$(scripts/test-postgres.sh start <dir>)"   # exports PROMPT_RUNNER_TEST_PG
#   scripts/test-postgres.sh stop <dir>
# As root, the cluster runs as the `postgres` user (initdb refuses root).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?a folder for the cluster}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$bin/initdb" ] || { echo "no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }

# From inside the cluster's folder: the postgres user may not enter the current one.
as_owner() {
  if [ "$(id -u)" = 0 ]; then (cd "$dir" && runuser -u postgres -- "$@"); else "$@"; fi
}

case $action in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log"
  # The superuser the tests connect as is trusted; any other role logs in with its password,
  # so the tests can check how logins are refused and where passwords are read from.
  printf '%s\n' 'local all all trust' 'host all postgres 127.0.0.1/32 trust' \
    'host all all 127.0.0.1/32 scram-sha-256' >"$dir/data/pg_hba.conf"
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
  echo "export PROMPT_RUNNER_TEST_PG=postgresql://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  rm -rf "$dir"
  ;;
*) echo "start or stop" >&2; exit 2 ;;
esac
