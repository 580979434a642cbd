#!/usr/bin/env bash
# The routing benchmark as docs/benchmarks.md reports it: PostgreSQL (durable, its own port), a Cloud API
# simulator (connecting a number asks Meta about it), a fresh Switchboard, and the load tool's routing
# mode: 10 teams of 20 agents, 10,000 new customers over one simulated hour, agents resolving what they
# get, the database sampled for any conversation waiting while its team had free capacity.
#
# usage: bench/routing.sh [extra load-tool options, e.g. --real-seconds 300 --conversations 10000]
#   SWITCHBOARD_PG_PORT=55433 SWITCHBOARD_PG_DURABLE=1 scripts/postgres.sh start   (first)
# Report on stdout; logs and builds in $OUT (default /tmp/switchboard-routing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/switchboard-routing}
sim_port=5097 sb_port=5099
port=${SWITCHBOARD_PG_PORT:-55433}
pg="Host=127.0.0.1;Port=$port;Username=postgres;Password=postgres"

rm -rf "$out/data" && mkdir -p "$out/data" "$out/bin"
for project in src/Switchboard bench/Switchboard.LoadTest tools/CloudApiSimulator; do
  dotnet build "$root/$project" -c Release -o "$out/bin/$(basename $project)" -v quiet -nologo > "$out/build.log"
done
psql "host=127.0.0.1 port=$port user=postgres password=postgres" -qc "drop database if exists routing" -c "create database routing" > /dev/null

cleanup() { kill "${sim:-}" "${sb:-}" 2> /dev/null || true; }
trap cleanup EXIT
(cd "$out/bin/CloudApiSimulator" && Simulator__AcceptUnknownNumbers=true Logging__LogLevel__Default=Warning \
  exec dotnet CloudApiSimulator.dll --urls http://127.0.0.1:$sim_port > "$out/simulator.log" 2>&1) &
sim=$!
(cd "$out/bin/Switchboard" && exec env Switchboard__Database__Provider=postgres "ConnectionStrings__Switchboard=$pg;Database=routing;Maximum Pool Size=100" \
  Switchboard__MasterKey="$(openssl rand -base64 32)" Switchboard__OperatorApiKey=bench-operator Switchboard__DataDirectory="$out/data" \
  Switchboard__WhatsApp__GraphApiBaseUrl=http://127.0.0.1:$sim_port/graph/v25.0 Switchboard__RateLimits__Enabled=false \
  Switchboard__PublicBaseUrl=http://127.0.0.1:$sb_port \
  Logging__LogLevel__Default=Warning dotnet Switchboard.dll --urls http://127.0.0.1:$sb_port > "$out/switchboard.log" 2>&1) &
sb=$!
for _ in $(seq 1 120); do curl -sf -o /dev/null http://127.0.0.1:$sb_port/health/ready && break; sleep 0.5; done

dotnet "$out/bin/Switchboard.LoadTest/Switchboard.LoadTest.dll" routing --url http://127.0.0.1:$sb_port --operator-key bench-operator \
  --db-provider postgres --db "$pg;Database=routing" "$@"
