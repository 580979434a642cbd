#!/usr/bin/env bash
# CPU per event on the webhook path, as docs/benchmarks.md reports it: Switchboard as its own process on
# PostgreSQL (durable), one message per POST at a modest open-loop rate, and Switchboard's CPU time
# (utime + stime from /proc) divided by the events of a fixed run. CPU per event stays meaningful on a
# busy machine where throughput and latency do not; the idle-machine throughput run is the last block.
#
#   1. steady:  warm-up, then a measured run with processing on; CPU from the measured run's start to the
#               last event processed, per event (web/ack + processor together).
#   2. ack:     the processor is held off by a lock on "Messages" (its batches wait; appends do not), so
#               the measured run's CPU is the web/ack part alone.
#   3. drain:   the lock released with no load running; CPU until the backlog is processed is the
#               processor's part (in batches of up to 256, the shape it has at 5,000/s).
#
# usage: [THROUGHPUT_RATE=5000 [THROUGHPUT_ONLY=1]] bench/ingest-cpu.sh [rate] [seconds]        (default 600 events/s for 20 s)
#   SWITCHBOARD_PG_PORT=55433 SWITCHBOARD_PG_DURABLE=1 scripts/postgres.sh start   (the benchmark server)
# Reports go to $OUT (default /tmp/switchboard-ingest); builds to $OUT/bin.
#
# Throughput and latency (idle machine only; the issue-22 targets):
#   dotnet $OUT/bin/Switchboard.LoadTest/Switchboard.LoadTest.dll ingest --url http://127.0.0.1:5096 \
#     --operator-key bench-operator --skip-ceiling --tenant-file $OUT/tenant.json --per-webhook 1 --rate 5000 \
#     --customers 1000 --concurrency 64 --duration 20 --warmup 5 --db-provider postgres --db "$pg;Database=ingest"
set -euo pipefail
rate=${1:-600}
seconds=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/switchboard-ingest}
port=${SWITCHBOARD_PG_PORT:-55433}
sb_port=${SB_PORT:-5096}
sim_port=${SIM_PORT:-5097}
pg="Host=127.0.0.1;Port=$port;Username=postgres;Password=postgres"
psql_db() { psql "host=127.0.0.1 port=$port user=postgres password=postgres dbname=ingest" -qtAX "$@"; }

mkdir -p "$out/bin"
if [ -z "${SKIP_BUILD:-}" ]; then
  for project in src/Switchboard bench/Switchboard.LoadTest tools/CloudApiSimulator; do
    dotnet build "$root/$project" -c Release -o "$out/bin/$(basename $project)" -v quiet -nologo > "$out/build.log"
  done
fi

psql "host=127.0.0.1 port=$port user=postgres password=postgres" -qc "drop database if exists ingest" -c "create database ingest" > /dev/null
rm -f "$out/tenant.json"
# Connecting a number asks Meta whether the business owns it: the simulator answers for any number.
(cd "$out/bin/CloudApiSimulator" && Simulator__AcceptUnknownNumbers=true Logging__LogLevel__Default=Warning \
  exec dotnet CloudApiSimulator.dll --urls http://127.0.0.1:$sim_port > "$out/simulator.log" 2>&1) &
sim=$!
(cd "$out/bin/Switchboard" && exec env Switchboard__Database__Provider=postgres "ConnectionStrings__Switchboard=$pg;Database=ingest;Maximum Pool Size=200" \
  Switchboard__MasterKey="$(openssl rand -base64 32)" Switchboard__OperatorApiKey=bench-operator Switchboard__DataDirectory="$out/data" \
  Switchboard__PublicBaseUrl=http://127.0.0.1:$sb_port Switchboard__WhatsApp__GraphApiBaseUrl=http://127.0.0.1:$sim_port/graph/v25.0 \
  Logging__LogLevel__Default=Warning dotnet Switchboard.dll --urls http://127.0.0.1:$sb_port > "$out/switchboard.log" 2>&1) &
sb=$!
trap 'kill $sb $sim 2> /dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf -o /dev/null http://127.0.0.1:$sb_port/health/ready && break; sleep 0.5; done
for _ in $(seq 1 240); do curl -s -o /dev/null http://127.0.0.1:$sim_port/ && break; sleep 0.5; done
sb_pid=$(pgrep -P $sb -f Switchboard.dll || echo $sb)

ticks() { awk '{print $14+$15}' /proc/$sb_pid/stat; }
hz=$(getconf CLK_TCK)
load() {
  dotnet "$out/bin/Switchboard.LoadTest/Switchboard.LoadTest.dll" ingest --url http://127.0.0.1:$sb_port --operator-key bench-operator \
    --skip-ceiling --tenant-file "$out/tenant.json" --per-webhook 1 --customers 1000 --concurrency 64 \
    --rate "$rate" --duration "$1" --warmup 1 > "$out/$2.md" 2> "$out/$2.err"
}
events() { psql_db -c 'select count(*) from "InboxEvents"'; }
commits() { psql_db -c "select xact_commit from pg_stat_database where datname = 'ingest'"; }
# The CPU of the benchmark server's PostgreSQL: its postmaster, its live processes, and (cutime + cstime) those that ended.
pg_ticks() {
  local pm total pid
  pm=$(head -1 "${SWITCHBOARD_PG_DATA:-/tmp/switchboard-pg-$port}/postmaster.pid")
  total=$(awk '{print $14+$15+$16+$17}' /proc/$pm/stat)
  for pid in $(pgrep -P "$pm"); do
    [ -r /proc/$pid/stat ] && total=$((total + $(awk '{print $14+$15}' /proc/$pid/stat 2> /dev/null || echo 0)))
  done
  echo "$total"
}
pending() { psql_db -c "select count(*) from \"InboxEvents\" where \"State\" = 'pending'"; }
drained() { for _ in $(seq 1 600); do [ "$(pending)" = 0 ] && return; sleep 0.2; done; echo "not drained" >&2; }
per_event() { awk -v t="$1" -v n="$2" -v hz=$hz 'BEGIN { printf "%.3f", t * 1000 / hz / n }'; }

echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $rate events/s for $seconds s, one message per POST"
load 30 warmup
drained

# THROUGHPUT_ONLY=1 (with THROUGHPUT_RATE) skips the three CPU phases: quicker A/B runs of the throughput run alone.
if [ -z "${THROUGHPUT_ONLY:-}" ]; then
e0=$(events) t0=$(ticks) c0=$(commits) p0=$(pg_ticks)
load "$seconds" steady
drained
e1=$(events) t1=$(ticks) c1=$(commits) p1=$(pg_ticks)
echo "steady: $((e1 - e0)) events, Switchboard CPU $(per_event $((t1 - t0)) $((e1 - e0))) ms/event (ack + processing)," \
  "PostgreSQL CPU $(per_event $((p1 - p0)) $((e1 - e0))) ms/event, $(awk -v c=$((c1 - c0)) -v n=$((e1 - e0)) 'BEGIN { printf "%.2f", c / n }') commits/event"

# The processor's next batch waits for this lock; appends to the inbox do not touch "Messages".
psql_db -c 'begin; lock table "Messages" in exclusive mode; select pg_sleep(86400);' > /dev/null 2>&1 &
locker=$!
sleep 2
t2=$(ticks) e2=$(events)
load "$seconds" ack
t3=$(ticks) e3=$(events)
echo "ack: $((e3 - e2)) events, Switchboard CPU $(per_event $((t3 - t2)) $((e3 - e2))) ms/event (web/ack alone)"
backlog=$(pending)
psql "host=127.0.0.1 port=$port user=postgres password=postgres dbname=ingest" -qtAX \
  -c "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(86400)%' and pid <> pg_backend_pid()" > /dev/null
wait $locker 2> /dev/null || true
t4=$(ticks)
drained
t5=$(ticks)
echo "drain: $backlog events, Switchboard CPU $(per_event $((t5 - t4)) "$backlog") ms/event (processor alone)"
fi

# 4. throughput (THROUGHPUT_RATE=5000): open loop at that rate with processing on, acknowledged and processed
# rates, ack latency and processing lag, as the load tool reports them (meaningful on an idle machine only).
if [ -n "${THROUGHPUT_RATE:-}" ]; then
  # With pg_stat_statements loaded on the server (shared_preload_libraries), the throughput run's statements go to
  # $out/statements.txt, busiest first, with the run's commits per event.
  statements=$(psql_db -c "select count(*) from pg_available_extensions where name = 'pg_stat_statements' and exists (select 1 from pg_settings where name = 'shared_preload_libraries' and setting like '%pg_stat_statements%')")
  [ "$statements" = 1 ] && psql_db -c "create extension if not exists pg_stat_statements" -c "select pg_stat_statements_reset()" > /dev/null
  c6=$(commits) e6=$(events) p6=$(pg_ticks) t6=$(ticks)
  dotnet "$out/bin/Switchboard.LoadTest/Switchboard.LoadTest.dll" ingest --url http://127.0.0.1:$sb_port --operator-key bench-operator \
    --skip-ceiling --tenant-file "$out/tenant.json" --per-webhook 1 --customers 1000 --concurrency 64 \
    --rate "$THROUGHPUT_RATE" --duration "$seconds" --warmup 5 --db-provider postgres --db "$pg;Database=ingest" > "$out/throughput.md" 2> "$out/throughput.err"
  drained
  c7=$(commits) e7=$(events) p7=$(pg_ticks) t7=$(ticks)
  echo "throughput at $THROUGHPUT_RATE/s offered:"; cat "$out/throughput.md"
  echo "throughput run to drained: $((e7 - e6)) events, Switchboard CPU $(per_event $((t7 - t6)) $((e7 - e6))) ms/event," \
    "PostgreSQL CPU $(per_event $((p7 - p6)) $((e7 - e6))) ms/event, $(awk -v c=$((c7 - c6)) -v n=$((e7 - e6)) 'BEGIN { printf "%.2f", c / n }') commits/event"
  if [ "$statements" = 1 ]; then
    psql_db -c "select calls, round(total_exec_time::numeric, 0) as total_ms, round(mean_exec_time::numeric, 3) as mean_ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 160) from pg_stat_statements where dbid = (select oid from pg_database where datname = 'ingest') order by total_exec_time desc limit 25" > "$out/statements.txt"
    echo "statements: $out/statements.txt"
  fi
fi
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); reports: $out/*.md"
