#!/usr/bin/env bash
# Runs every test: formatting check, then the whole suite on SQLite and on PostgreSQL.
# PostgreSQL, Chromium (for the browser tests), aiosmtpd (for the mail tests) and Node.js (for the S3 store's tests) are
# installed from Debian's packages when missing; PostgreSQL is started privately on its own port.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The browser tests drive Debian's Chromium through Playwright (no browser download): install it when missing.
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium not found: installing it from Debian's packages..." >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold chromium >&2
fi

# The mail tests run a real SMTP server: Debian's python3-aiosmtpd (install it when missing).
if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  echo "aiosmtpd not found: installing python3-aiosmtpd from Debian's packages..." >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold python3-aiosmtpd >&2
fi

# The s3 media store's tests run s3rver (an S3-compatible server from npm, installed into .tools/ on first use) on
# Debian's Node.js: install nodejs and npm when missing.
if [ ! -x /usr/bin/node ] || [ ! -x /usr/bin/npm ]; then
  echo "Node.js not found: installing nodejs and npm from Debian's packages..." >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold nodejs npm >&2
fi

# Business hours and SLA clocks use IANA time zones (TimeZoneInfo reads /usr/share/zoneinfo on Linux):
# a slim Debian image has none until the tzdata package is installed.
if [ ! -d /usr/share/zoneinfo ] || [ ! -e /usr/share/zoneinfo/Europe/Madrid ]; then
  echo "Time zone data not found: installing tzdata from Debian's packages..." >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tzdata >&2
fi

SWITCHBOARD_TEST_POSTGRES="$(scripts/postgres.sh start)"
SWITCHBOARD_TEST_PG_BIN="$(scripts/postgres.sh bin)"
export SWITCHBOARD_TEST_POSTGRES SWITCHBOARD_TEST_PG_BIN
SCREENSHOTS="${SWITCHBOARD_ARTIFACTS:-tests/Switchboard.Tests/bin/Release/net10.0/artifacts}/screenshots"
trap 'scripts/postgres.sh stop; echo "== browser screenshots: $SCREENSHOTS"' EXIT

echo "== restore and build"
dotnet build Switchboard.slnx -c Release -warnaserror

echo "== format"
dotnet format Switchboard.slnx --verify-no-changes --no-restore

echo "== tests (SQLite and PostgreSQL)"
# The whole output is kept beside the screenshots; a failed run ends by repeating each failure, so that the last lines of
# a long log name what failed.
OUTPUT="$(dirname "$SCREENSHOTS")/test-output.log"
mkdir -p "$(dirname "$OUTPUT")"
set +e
dotnet test Switchboard.slnx -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$OUTPUT"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "== failed tests (the whole output: $OUTPUT)"
  # awk reads the whole log and stops printing by itself: no reader leaves early, so no writer dies of SIGPIPE under pipefail.
  cut -c1-400 "$OUTPUT" | awk '/^[[:space:]]+Failed [A-Za-z]/ { show = 1; lines = 0 } /^[[:space:]]+Stack Trace:/ { show = 0 } show && lines++ < 25 && printed++ < 400'
fi
exit "$status"
