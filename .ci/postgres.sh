#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the team tests (crates/team) and
# prints the line that points them at it:
#   eval "$(.ci/postgres.sh)"
#   .ci/postgres.sh stop "$PGDATA_TEAM_TESTS"
# The cluster lives in a new temporary folder and trusts local connections.
# It listens on a socket there, and on a free port of 127.0.0.1 with TLS
# only (a certificate for `localhost` made here, for the TLS tests). initdb
# refuses to run as root: as root, the cluster runs as the `postgres` user
# of Debian's package.
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
# A CA of its own signs the server's certificate (a self-signed one is a
# CA, which TLS clients refuse as a server's).
(
  cd "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=leakcheck-test-ca \
    -keyout ca.key -out ca.crt
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile server.ext -out server.crt
) > "$dir/openssl.log" 2>&1
chmod 600 "$dir/server.key"
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir/server.key" "$dir/server.crt"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${run[@]}" "$bin/initdb" -D "$dir/data" -A trust -U leakcheck > "$dir/initdb.log"
# TCP takes TLS connections only, so a test that meant TLS cannot pass
# over plain TCP by mistake.
echo "hostnossl all all 0.0.0.0/0 reject" > "$dir/hba.conf"
cat "$dir/data/pg_hba.conf" >> "$dir/hba.conf"
# fsync off: nothing in it outlives the tests.
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c hba_file=$dir/hba.conf \
      -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key" start > /dev/null
echo "export LEAKCHECK_TEST_POSTGRES='host=$dir port=$port user=leakcheck dbname=postgres'" \
  "LEAKCHECK_TEST_POSTGRES_TLS='host=localhost port=$port user=leakcheck dbname=postgres sslmode=require'" \
  "LEAKCHECK_TEST_POSTGRES_CA='$dir/ca.crt' PGDATA_TEAM_TESTS='$dir/data'"
