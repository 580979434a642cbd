#!/usr/bin/env bash
# Single-message webhooks on SQLite, the embedded default (issue 22's target: >= 3,000 events/s): Switchboard as its own
# process with no database settings, a 30 s run at 600/s to warm up, then 5,000/s offered for 20 s, one message per POST,
# 1,000 customers, 64 connections; the load tool reports acknowledged/s, ack latency and processing lag from the database.
#   usage: bench/ingest-sqlite.sh            (builds into $OUT/bin unless SKIP_BUILD=1; OUT defaults to /tmp/switchboard-ingest)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/switchboard-ingest}
sb_port=${SB_PORT:-5196}
sim_port=${SIM_PORT:-5197}
data="$out/sqlite-data"
mkdir -p "$out/bin"
if [ -z "${SKIP_BUILD:-}" ]; then
  for project in src/Switchboard bench/Switchboard.LoadTest tools/CloudApiSimulator; do
    dotnet build "$root/$project" -c Release -o "$out/bin/$(basename $project)" -v quiet -nologo > "$out/build.log"
  done
fi
rm -rf "$data" "$out/tenant-sqlite.json"
mkdir -p "$data"
(cd "$out/bin/CloudApiSimulator" && Simulator__AcceptUnknownNumbers=true Logging__LogLevel__Default=Warning \
  exec dotnet CloudApiSimulator.dll --urls http://127.0.0.1:$sim_port > "$out/simulator-sqlite.log" 2>&1) &
sim=$!
(cd "$out/bin/Switchboard" && exec env Switchboard__MasterKey="$(openssl rand -base64 32)" Switchboard__OperatorApiKey=bench-operator \
  Switchboard__DataDirectory="$data" Switchboard__PublicBaseUrl=http://127.0.0.1:$sb_port \
  Switchboard__WhatsApp__GraphApiBaseUrl=http://127.0.0.1:$sim_port/graph/v25.0 Logging__LogLevel__Default=Warning \
  dotnet Switchboard.dll --urls http://127.0.0.1:$sb_port > "$out/switchboard-sqlite.log" 2>&1) &
sb=$!
trap 'kill $sb $sim 2> /dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf -o /dev/null http://127.0.0.1:$sb_port/health/ready && break; sleep 0.5; done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); one message per POST on SQLite"
load() {
  dotnet "$out/bin/Switchboard.LoadTest/Switchboard.LoadTest.dll" ingest --url http://127.0.0.1:$sb_port --operator-key bench-operator \
    --skip-ceiling --tenant-file "$out/tenant-sqlite.json" --per-webhook 1 --customers 1000 --concurrency 64 "$@"
}
load --rate 600 --duration 30 --warmup 1 > "$out/sqlite-warmup.md" 2> "$out/sqlite-warmup.err"
load --rate 5000 --duration 20 --warmup 5 --db-provider sqlite --db "Data Source=$data/switchboard.db" > "$out/sqlite-throughput.md" 2> "$out/sqlite-throughput.err"
cat "$out/sqlite-throughput.md"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
