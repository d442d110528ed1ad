#!/usr/bin/env bash
# Team mode against embedded mode: the same dump ingested and verified in an
# embedded case and in team cases whose ingest and verify 1 and 2 worker
# processes do (one thread each), side by side.
#
# Usage: bench/team.sh DUMP [RUNS]
#   DUMP  a folder, e.g. the generator's scale-0.1 dump:
#         python3 ../shared/bench/macron-scale/gen.py --out /tmp/m01 --scale 0.1 --seed 2017
#   RUNS  runs of each mode (default 1); the median wall time is reported.
# PostgreSQL: the one LEAKCHECK_BENCH_POSTGRES names (a libpq string or
# postgres:// URL), else a throwaway cluster from .ci/postgres.sh, stopped
# at the end.
#
# Rows:
#   embedded, 1 thread    `ingest --threads 1` into a fresh embedded case
#   embedded, 2 threads   `ingest --threads 2`
#   team, 1 worker        `ingest` (walks, queues, waits) + 1 `worker --threads 1`
#   team, 2 workers       the same with 2 workers
# Wall seconds run from ingest's start to its end (the workers start with
# it). Then each case is verified, timed the same way: embedded `verify`
# pinned to one core (taskset) or on both, and team `verify` (queues the
# emails, waits, runs the cross-item checks itself) with 1 or 2 workers of
# one thread each. Every case is checked against the first as soon as it is
# made, then deleted (a round of cases took 4.5 GB of disk on the scale-0.1
# dump): `stats --json` and `verify --json` must be the same (each case's own
# ingest time aside), or the script fails. The database's rate is the rows
# the first 2-worker run wrote (catalog tables) over its wall time: what it
# sustained, not its top.
# Output: a markdown table on stdout; JSON in bench/results/team-latest.json.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DUMP=${1:?usage: bench/team.sh DUMP [RUNS]}
RUNS=${2:-1}
DUMP=$(cd "$DUMP" && pwd)
cd "$REPO"
cargo build --release -p leakcheck
BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/leakcheck
RESULTS=$REPO/bench/results
mkdir -p "$RESULTS"
work=$(mktemp -d /tmp/leakcheck-team-bench.XXXXXX)
pgdata=
cleanup() {
  if [[ -n $pgdata ]]; then .ci/postgres.sh stop "$pgdata"; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [[ -n ${LEAKCHECK_BENCH_POSTGRES:-} ]]; then
  PG=$LEAKCHECK_BENCH_POSTGRES
else
  eval "$(.ci/postgres.sh)"
  PG=$LEAKCHECK_TEST_POSTGRES
  pgdata=$PGDATA_TEAM_TESTS
fi
files=$(find "$DUMP" -type f | wc -l)
bytes=$(du -sb "$DUMP" | cut -f1)
# Every mode reads the dump from the page cache.
find "$DUMP" -type f -print0 | xargs -0 cat > /dev/null

now_us() { echo "${EPOCHREALTIME//[.,]/}"; }

# Before each timed run: the last case's gigabyte of blobs is written out
# first, so that its writeback does not land in the next run's time.
settle() { sync; sleep 1; }

# embedded THREADS N: seconds of one run, into $work/e-THREADS-N.
embedded() {
  local case=$work/e-$1-$2
  "$BIN" init "$case" -q
  local start end
  settle
  start=$(now_us)
  "$BIN" ingest "$case" "$DUMP" --threads "$1" --ocr-later -q || [[ $? == 1 ]]
  end=$(now_us)
  local pin=()
  if [[ $1 == 1 ]]; then pin=(taskset -c 0); fi
  local v0 v1
  settle
  v0=$(now_us)
  "${pin[@]}" "$BIN" verify "$case" -q || [[ $? == 1 ]]
  v1=$(now_us)
  echo "$(((end - start) / 1000)) $(((v1 - v0) / 1000))"
}

# team WORKERS N: seconds of one run, into $work/t-WORKERS-N (schema b_WORKERS_N).
team() {
  local case=$work/t-$1-$2 schema=b_$1_$2
  psql_drop "$schema"
  "$BIN" init "$case" --catalog "$PG" --schema "$schema" -q
  local start end pids=()
  settle
  start=$(now_us)
  "$BIN" ingest "$case" "$DUMP" -q > /dev/null &
  local ingest=$!
  for _ in $(seq "$1"); do
    "$BIN" worker "$case" --threads 1 -q > /dev/null 2>&1 &
    pids+=($!)
  done
  wait "$ingest" || [[ $? == 1 ]]
  end=$(now_us)
  kill "${pids[@]}" 2> /dev/null || true
  wait "${pids[@]}" 2> /dev/null || true
  local v0 v1
  pids=()
  settle
  v0=$(now_us)
  "$BIN" verify "$case" -q > /dev/null &
  local verify=$!
  for _ in $(seq "$1"); do
    "$BIN" worker "$case" --threads 1 -q > /dev/null 2>&1 &
    pids+=($!)
  done
  wait "$verify" || [[ $? == 1 ]]
  v1=$(now_us)
  kill "${pids[@]}" 2> /dev/null || true
  wait "${pids[@]}" 2> /dev/null || true
  echo "$(((end - start) / 1000)) $(((v1 - v0) / 1000))"
}

psql_drop() {
  "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql" "$PG" -q -c "DROP SCHEMA IF EXISTS $1 CASCADE" > /dev/null 2>&1 || true
}

rows() {
  "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql" "$PG" -At -c \
    "SET search_path TO $1; SELECT (SELECT count(*) FROM items) + (SELECT count(*) FROM occurrences)
       + (SELECT count(*) FROM item_errors) + (SELECT count(*) FROM containers)
       + (SELECT count(*) FROM emails) + (SELECT count(*) FROM documents)" | tail -n 1
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# verify --json, each case's first ingest time named alike.
reports() {
  local first
  first=$(head -n 1 "$1/custody.jsonl" | sed -E 's/.*"time":"([^"]*)".*/\1/')
  "$BIN" verify "$1" --json | sed "s/\"ingested\":\"$first\"/\"ingested\":\"first\"/g" || [[ $? == 1 ]]
}

# same CASE [SCHEMA]: checks CASE against the first case, then deletes it.
same() {
  if [[ $("$BIN" stats "$1" --json) != "$(cat "$work/stats")" ]]; then
    echo "stats --json of $1 differ from the first case's" >&2
    exit 1
  fi
  if ! cmp -s <(reports "$1") "$work/reports"; then
    echo "verify --json of $1 differs from the first case's" >&2
    exit 1
  fi
  rm -rf "$1"
  if [[ -n ${2:-} ]]; then psql_drop "$2"; fi
}

declare -A ms vms
for run in $(seq "$RUNS"); do
  for mode in e1 e2 t1 t2; do
    case $mode in
      e1) got=$(embedded 1 "$run") ;;
      e2) got=$(embedded 2 "$run") ;;
      t1) got=$(team 1 "$run") ;;
      t2) got=$(team 2 "$run") ;;
    esac
    ms[$mode]+="${got% *} "
    vms[$mode]+="${got#* } "
    case $mode-$run in
      e1-1)
        "$BIN" stats "$work/e-1-1" --json > "$work/stats"
        reports "$work/e-1-1" > "$work/reports"
        rm -rf "$work/e-1-1"
        ;;
      e1-*) same "$work/e-1-$run" ;;
      e2-*) same "$work/e-2-$run" ;;
      t1-*) same "$work/t-1-$run" "b_1_$run" ;;
      t2-*)
        if [[ $run == 1 ]]; then written=$(rows b_2_1); fi
        same "$work/t-2-$run" "b_2_$run"
        ;;
    esac
  done
done

declare -A med vmed
for mode in e1 e2 t1 t2; do
  med[$mode]=$(tr ' ' '\n' <<< "${ms[$mode]}" | grep . | median)
  vmed[$mode]=$(tr ' ' '\n' <<< "${vms[$mode]}" | grep . | median)
done
items=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["items"])' < "$work/stats")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
row() {
  local s
  s=$(awk -v m="$2" 'BEGIN {printf "%.1f", m / 1000}')
  printf '| %s | %s | %.0f | %.1f | %s |\n' "$1" "$s" \
    "$(awk -v f="$files" -v m="$2" 'BEGIN {print f / (m / 1000)}')" \
    "$(awk -v b="$bytes" -v m="$2" 'BEGIN {print b / 1e6 / (m / 1000)}')" "$3"
}
echo "dump: $DUMP ($files files, $((bytes / 1000000)) MB), $RUNS run(s) each, median"
echo
echo "| mode | wall s | files/s | MB/s | ratio |"
echo "|---|---:|---:|---:|---|"
row "embedded, 1 thread" "${med[e1]}" "1.00"
row "embedded, 2 threads" "${med[e2]}" "$(ratio "${med[e1]}" "${med[e2]}")× faster than 1 thread"
row "team, 1 worker" "${med[t1]}" "$(ratio "${med[t1]}" "${med[e1]}")× embedded 1 thread's time"
row "team, 2 workers" "${med[t2]}" "$(ratio "${med[t1]}" "${med[t2]}")× 1 worker's speed; $(ratio "${med[t2]}" "${med[e2]}")× embedded 2 threads' time"
echo
echo "verify ($items items):"
echo
echo "| mode | wall s | items/s | ratio |"
echo "|---|---:|---:|---|"
vrow() {
  printf '| %s | %s | %.0f | %s |\n' "$1" "$(awk -v m="$2" 'BEGIN {printf "%.1f", m / 1000}')" \
    "$(awk -v n="$items" -v m="$2" 'BEGIN {print n / (m / 1000)}')" "$3"
}
vrow "embedded, 1 core" "${vmed[e1]}" "1.00"
vrow "embedded, 2 cores" "${vmed[e2]}" "$(ratio "${vmed[e1]}" "${vmed[e2]}")× faster than 1 core"
vrow "team, 1 worker" "${vmed[t1]}" "$(ratio "${vmed[t1]}" "${vmed[e1]}")× embedded 1 core's time"
vrow "team, 2 workers" "${vmed[t2]}" "$(ratio "${vmed[t1]}" "${vmed[t2]}")× 1 worker's speed; $(ratio "${vmed[t2]}" "${vmed[e2]}")× embedded 2 cores' time"
echo
echo "database: $written catalog rows in the 2-worker run, $(awk -v r="$written" -v m="${med[t2]}" 'BEGIN {printf "%.0f", r / (m / 1000)}') rows/s sustained"
cat > "$RESULTS/team-latest.json" << JSON
{"dump": "$DUMP", "files": $files, "bytes": $bytes, "runs": $RUNS,
 "ms": {"embedded_1": "${ms[e1]}", "embedded_2": "${ms[e2]}", "team_1": "${ms[t1]}", "team_2": "${ms[t2]}"},
 "median_ms": {"embedded_1": ${med[e1]}, "embedded_2": ${med[e2]}, "team_1": ${med[t1]}, "team_2": ${med[t2]}},
 "verify_ms": {"embedded_1": "${vms[e1]}", "embedded_2": "${vms[e2]}", "team_1": "${vms[t1]}", "team_2": "${vms[t2]}"},
 "verify_median_ms": {"embedded_1": ${vmed[e1]}, "embedded_2": ${vmed[e2]}, "team_1": ${vmed[t1]}, "team_2": ${vmed[t2]}}, "items": $items,
 "team_rows": $written}
JSON
