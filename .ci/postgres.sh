#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the team tests (crates/team) and
# prints the line that points them at it:
#   eval "$(.ci/postgres.sh)"
#   .ci/postgres.sh stop "$PGDATA_TEAM_TESTS"
# The cluster lives in a new temporary folder, listens only on a socket
# there and trusts local connections. initdb refuses to run as root: as
# root, the cluster runs as the `postgres` user of Debian's package.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "no PostgreSQL server: apt-get install postgresql" >&2
  exit 1
fi
run=()
if [ "$(id -u)" = 0 ]; then
  run=(runuser -u postgres --)
fi
if [ "${1:-}" = stop ]; then
  "${run[@]}" "$bin/pg_ctl" -D "$2" -m fast stop > /dev/null
  rm -rf "$(dirname "$2")"
  exit 0
fi
dir=$(mktemp -d /tmp/leakcheck-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
fi
"${run[@]}" "$bin/initdb" -D "$dir/data" -A trust -U leakcheck > "$dir/initdb.log"
# fsync off: nothing in it outlives the tests.
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses='' -k $dir -c fsync=off" start > /dev/null
echo "export LEAKCHECK_TEST_POSTGRES='host=$dir user=leakcheck dbname=postgres' PGDATA_TEAM_TESTS='$dir/data'"
