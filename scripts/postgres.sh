#!/usr/bin/env bash
# Starts a private PostgreSQL for tests and benchmarks: its own data folder and port, trust auth on
# 127.0.0.1 only. Installs PostgreSQL from Debian's packages when the machine has none.
#   scripts/postgres.sh start   -> prints the ADO.NET connection string (without a database name)
#   scripts/postgres.sh stop
set -euo pipefail

PORT="${SWITCHBOARD_PG_PORT:-55432}"
DATA="${SWITCHBOARD_PG_DATA:-/tmp/switchboard-pg-$PORT}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

install_postgres() {
  echo "PostgreSQL not found: installing it from Debian's packages..." >&2
  # We run our own server below: don't let the package create (and try to start) its default cluster.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $SUDO mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql >&2
}

# Runs a PostgreSQL server command as the postgres user when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  bin=$(pg_bin) || { install_postgres; bin=$(pg_bin); }
  if [ ! -s "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
    as_pg "$bin/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    # Tests trade durability for speed; SWITCHBOARD_PG_DURABLE=1 (benchmarks) keeps every commit durable, with the
    # WAL settings the operator's guide recommends: compressed full-page images and checkpoints 15 minutes apart,
    # so a checkpoint's burst of page images does not stall every commit behind it.
    local speed="-c fsync=off -c full_page_writes=off"
    [ "${SWITCHBOARD_PG_DURABLE:-0}" = "1" ] && speed="-c wal_compression=lz4 -c checkpoint_timeout=15min -c max_wal_size=4GB"
    as_pg "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start \
      -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c max_connections=400 $speed" >/dev/null
  fi
  echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=postgres"
}

stop() {
  local bin
  bin=$(pg_bin) || return 0
  [ -s "$DATA/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  bin) pg_bin ;;
  *) echo "usage: $0 start|stop|bin" >&2; exit 2 ;;
esac
