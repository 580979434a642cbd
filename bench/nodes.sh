#!/usr/bin/env bash
# One node and three nodes side by side on the same machine and the same PostgreSQL (docs/benchmarks.md,
# "Nodes"): for each, a fresh database, the Cloud API simulator (connecting a number asks Meta about it),
# N Switchboard processes (the first migrates, the others start after it), and the load tool posting signed
# webhooks with one message each to the nodes in turn (--urls). It prints, for 1 and then 3 nodes: events
# acknowledged per second, ack latency, processing lag (acknowledged → message stored, read from the
# database), and the CPU of Switchboard (all nodes) and PostgreSQL per event (from /proc, so Linux only).
#
# usage: bench/nodes.sh [seconds] [concurrency] [rate]   (default 20 s, 64 connections, as fast as they go;
#                                                          a rate makes it open-loop at that many events/s)
#   SWITCHBOARD_PG_PORT=55433 SWITCHBOARD_PG_DURABLE=1 scripts/postgres.sh start   (the benchmark server)
# Reports go to $OUT (default /tmp/switchboard-nodes); builds to $OUT/bin (SKIP_BUILD=1 reuses them).
set -euo pipefail
seconds=${1:-20}
concurrency=${2:-64}
rate=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/switchboard-nodes}
port=${SWITCHBOARD_PG_PORT:-55433}
base_port=${SB_PORT:-5190}
sim_port=${SIM_PORT:-5189}
pg="Host=127.0.0.1;Port=$port;Username=postgres;Password=postgres"
pg_pid=$(head -1 "${SWITCHBOARD_PG_DATA:-/tmp/switchboard-pg-$port}/postmaster.pid")
hz=$(getconf CLK_TCK)

mkdir -p "$out/bin"
if [ -z "${SKIP_BUILD:-}" ]; then
: > "$out/build.log"
  for project in src/Switchboard bench/Switchboard.LoadTest tools/CloudApiSimulator; do
    dotnet build "$root/$project" -c Release -o "$out/bin/$(basename "$project")" -v quiet -nologo >> "$out/build.log"
  done
fi

# Waits up to 4 minutes for a URL to answer 200 (a loaded machine starts .NET processes slowly).
wait_ready() { for _ in $(seq 1 480); do curl -sf -o /dev/null "$1" && return 0; sleep 0.5; done; echo "$1 did not answer" >&2; return 1; }

pids=()
cleanup() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2> /dev/null || true; }
trap cleanup EXIT

(cd "$out/bin/CloudApiSimulator" && Simulator__AcceptUnknownNumbers=true Logging__LogLevel__Default=Warning \
  exec dotnet CloudApiSimulator.dll --urls http://127.0.0.1:$sim_port > "$out/simulator.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 480); do curl -s -o /dev/null http://127.0.0.1:$sim_port/ && break; sleep 0.5; done

ticks() { local t=0 p v; for p in "$@"; do v=$(awk '{print $14+$15}' "/proc/$p/stat" 2> /dev/null || echo 0); t=$((t + ${v:-0})); done; echo $t; }
pg_ticks() { ticks "$pg_pid" $(pgrep -P "$pg_pid"); }
per_event() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { if (n > 0) printf "%.3f", t * 1000 / hz / n; else printf "-" }'; }

run() {
  local nodes=$1 db="nodes$1" key
  key=$(openssl rand -base64 32)
  psql "host=127.0.0.1 port=$port user=postgres password=postgres" -qc "drop database if exists $db" -c "create database $db" > /dev/null
  local node_pids=() urls=()
  for n in $(seq 1 "$nodes"); do
    local p=$((base_port + n)) dir="$out/data-$nodes-$n"
    rm -rf "$dir"
    (cd "$out/bin/Switchboard" && exec env Switchboard__Database__Provider=postgres "ConnectionStrings__Switchboard=$pg;Database=$db;Maximum Pool Size=100" \
      Switchboard__MasterKey="$key" Switchboard__OperatorApiKey=bench-operator Switchboard__DataDirectory="$dir" \
      Switchboard__PublicBaseUrl=http://127.0.0.1:$p Switchboard__WhatsApp__GraphApiBaseUrl=http://127.0.0.1:$sim_port/graph/v25.0 \
      Switchboard__RateLimits__Enabled=false Logging__LogLevel__Default=Warning \
      dotnet Switchboard.dll --urls http://127.0.0.1:$p > "$out/switchboard-$nodes-$n.log" 2>&1) &
    node_pids+=($!)
    pids+=($!)
    urls+=("http://127.0.0.1:$p")
    # The first node migrates the new database; the others start once it is ready.
    if [ "$n" = 1 ]; then wait_ready "http://127.0.0.1:$p/health/ready"; fi
  done

  for u in "${urls[@]}"; do wait_ready "$u/health/ready"; done

  local list
  list=$(IFS=,; echo "${urls[*]}")
  local rate_args=()
  [ -n "$rate" ] && rate_args=(--rate "$rate")
  local load_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== $nodes node(s): load average $load_before before the run" >&2
  local sb0 pg0 sb1 pg1
  sb0=$(ticks "${node_pids[@]}") pg0=$(pg_ticks)
  dotnet "$out/bin/Switchboard.LoadTest/Switchboard.LoadTest.dll" ingest --urls "$list" --operator-key bench-operator --skip-ceiling \
    --per-webhook 1 --customers 1000 --concurrency "$concurrency" --duration "$seconds" --warmup 5 "${rate_args[@]}" \
    --db-provider postgres --db "$pg;Database=$db" > "$out/nodes-$nodes.md" 2> "$out/nodes-$nodes.err"
  sb1=$(ticks "${node_pids[@]}") pg1=$(pg_ticks)
  local events
  events=$(psql "host=127.0.0.1 port=$port user=postgres password=postgres dbname=$db" -qtAX -c 'select count(*) from "Messages"')
  {
    echo "#### $nodes node(s) — load average before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    sed -n '/^| endpoint/,$p' "$out/nodes-$nodes.md"
    echo
    echo "CPU per event stored (warm-up included, $events messages): Switchboard (all nodes) $(per_event $((sb1 - sb0)) "$events") ms, PostgreSQL $(per_event $((pg1 - pg0)) "$events") ms."
    echo
  } | tee -a "$out/summary.md"
  kill "${node_pids[@]}" 2> /dev/null || true
  wait "${node_pids[@]}" 2> /dev/null || true
}

: > "$out/summary.md"
{
  echo "### Nodes — $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, one message per POST, $concurrency connections, ${rate:-closed loop}, ${seconds} s"
  echo
  echo "Commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src bench tools || echo ' (with local changes)'); command: bench/nodes.sh $*"
  echo "uptime before the runs: $(uptime)"
  echo
} | tee -a "$out/summary.md"
run 1
run 3
