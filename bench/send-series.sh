#!/usr/bin/env bash
# The sending benchmark as docs/benchmarks.md reports it: a Cloud API simulator that answers any number,
# a fresh Switchboard pointed at it, and batches of replies (10 numbers each, queued while the numbers
# are held, then released) run one after another against the same server process. The first batches
# warm the process up (JIT tiering); the later ones are its steady state. For each batch it prints the
# simulator's per-number rates, 130429s, and the CPU each process spent per reply from the release to
# the last send (from /proc, so Linux only).
#
# usage: bench/send-series.sh sqlite|postgres [replies per number for each batch...]   (default: 200 400 400 400)
#   postgres uses the benchmark server of docs/benchmarks.md:
#   SWITCHBOARD_PG_PORT=55433 SWITCHBOARD_PG_DURABLE=1 scripts/postgres.sh start
# Reports go to $OUT (default /tmp/switchboard-send); builds to $OUT/bin.
set -euo pipefail
provider=${1:?usage: bench/send-series.sh sqlite|postgres [replies per number...]}
shift
batches=("$@")
[ ${#batches[@]} -gt 0 ] || batches=(200 400 400 400)
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/switchboard-send}
sim_port=5097 sb_port=5098
pg="Host=127.0.0.1;Port=${SWITCHBOARD_PG_PORT:-55433};Username=postgres;Password=postgres"

rm -rf "$out/data" && mkdir -p "$out/data" "$out/bin"
for project in src/Switchboard bench/Switchboard.LoadTest tools/CloudApiSimulator; do
  dotnet build "$root/$project" -c Release -o "$out/bin/$(basename $project)" -v quiet -nologo > "$out/build.log"
done

if [ "$provider" = postgres ]; then
  psql "host=127.0.0.1 port=${SWITCHBOARD_PG_PORT:-55433} user=postgres password=postgres" -qc "drop database if exists send" -c "create database send" > /dev/null
  db_env=(Switchboard__Database__Provider=postgres "ConnectionStrings__Switchboard=$pg;Database=send")
  db_args=(--db-provider postgres --db "$pg;Database=send")
  pg_pid=$(head -1 "/tmp/switchboard-pg-${SWITCHBOARD_PG_PORT:-55433}/postmaster.pid")
else
  db_env=()
  db_args=(--db-provider sqlite --db "Data Source=$out/data/switchboard.db")
  pg_pid=
fi

cleanup() { kill "${sim:-}" "${sb:-}" 2> /dev/null || true; }
trap cleanup EXIT
(cd "$out/bin/CloudApiSimulator" && Simulator__AcceptUnknownNumbers=true Logging__LogLevel__Default=Warning \
  exec dotnet CloudApiSimulator.dll --urls http://127.0.0.1:$sim_port > "$out/simulator.log" 2>&1) &
sim=$!
(cd "$out/bin/Switchboard" && exec env "${db_env[@]}" Switchboard__MasterKey="$(openssl rand -base64 32)" \
  Switchboard__OperatorApiKey=bench-operator Switchboard__DataDirectory="$out/data" \
  Switchboard__WhatsApp__GraphApiBaseUrl=http://127.0.0.1:$sim_port/graph/v25.0 Switchboard__RateLimits__Enabled=false \
  Switchboard__PublicBaseUrl=http://127.0.0.1:$sb_port \
  Logging__LogLevel__Default=Warning dotnet Switchboard.dll --urls http://127.0.0.1:$sb_port > "$out/switchboard.log" 2>&1) &
sb=$!
for _ in $(seq 1 120); do curl -sf -o /dev/null http://127.0.0.1:$sb_port/health/ready && break; sleep 0.5; done

# CPU ticks (user + system) of a process, or of PostgreSQL's postmaster and its backends.
ticks() { local t=0 p v; for p in "$@"; do v=$(awk '{print $14+$15}' /proc/$p/stat 2> /dev/null || echo 0); t=$((t + ${v:-0})); done; echo $t; }
pg_ticks() { if [ -n "$pg_pid" ]; then ticks "$pg_pid" $(pgrep -P "$pg_pid"); else echo 0; fi; }
hz=$(getconf CLK_TCK)

n=0
for per_number in "${batches[@]}"; do
  n=$((n + 1)) replies=$((per_number * 10))
  echo "== batch $n: $replies replies ($(cut -d' ' -f1-3 /proc/loadavg) load)"
  : > "$out/batch-$n.err"
  # The load tool says when it releases the numbers: CPU is counted from there to the last send.
  (while ! grep -q "releasing the numbers" "$out/batch-$n.err"; do sleep 0.05; done
   echo "$(ticks $sb) $(ticks $sim) $(pg_ticks)" > "$out/batch-$n.release") &
  watcher=$!
  dotnet "$out/bin/Switchboard.LoadTest/Switchboard.LoadTest.dll" send --url http://127.0.0.1:$sb_port --operator-key bench-operator \
    --numbers 10 --replies-per-number "$per_number" --simulator http://127.0.0.1:$sim_port "${db_args[@]}" \
    > "$out/batch-$n.md" 2>> "$out/batch-$n.err" || { kill $watcher; cat "$out/batch-$n.err"; exit 1; }
  wait $watcher
  read -r s0 m0 g0 < "$out/batch-$n.release"
  grep -E "^Simulator:|^130429 at" "$out/batch-$n.md"
  awk -v s=$(( $(ticks $sb) - s0 )) -v m=$(( $(ticks $sim) - m0 )) -v g=$(( $(pg_ticks) - g0 )) -v r=$replies -v hz=$hz \
    'BEGIN { printf "CPU per reply from the release to the last send: switchboard %.2f ms, simulator %.2f ms, postgres %.2f ms\n", s*1000/hz/r, m*1000/hz/r, g*1000/hz/r }'
done
echo "reports: $out/batch-*.md"
