#!/usr/bin/env bash
# Runs every test: formatting check, then the whole suite on SQLite and on PostgreSQL.
# PostgreSQL is installed from Debian's packages when missing and started privately on its own port.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SWITCHBOARD_TEST_POSTGRES="$(scripts/postgres.sh start)"
SWITCHBOARD_TEST_PG_BIN="$(scripts/postgres.sh bin)"
export SWITCHBOARD_TEST_POSTGRES SWITCHBOARD_TEST_PG_BIN
trap 'scripts/postgres.sh stop' EXIT

echo "== restore and build"
dotnet build Switchboard.slnx -c Release -warnaserror

echo "== format"
dotnet format Switchboard.slnx --verify-no-changes --no-restore

echo "== tests (SQLite and PostgreSQL)"
dotnet test Switchboard.slnx -c Release --no-build --logger "console;verbosity=normal" "$@"
