#!/usr/bin/env bash
# The heap of one command over time: what README's "memory by phase"
# figures come from.
#
# Usage: bench/heap.sh OUT COMMAND [ARGS...]
#   Runs COMMAND, reads its RssAnon (the heap, without the mapped catalog
#   and index files that RssFile counts) from /proc/PID/status twice a
#   second, writes "seconds megabytes" lines to OUT, and prints the peak.
#   The command's own output goes to OUT.log.
# Example: bench/heap.sh /tmp/verify.txt target/release/leakcheck verify CASE --all --verbose
set -euo pipefail
out=$1
shift
"$@" > "$out.log" 2>&1 &
pid=$!
: > "$out"
start=$(date +%s%N)
peak=0
while kill -0 "$pid" 2> /dev/null; do
  kb=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
  if [[ -n $kb ]]; then
    mb=$((kb / 1024))
    printf '%.1f %d\n' "$(((($(date +%s%N) - start) / 100000000)))e-1" "$mb" >> "$out"
    ((mb > peak)) && peak=$mb
  fi
  sleep 0.5
done
rc=0
wait "$pid" || rc=$?
echo "exit $rc; peak RssAnon ${peak} MB; $(wc -l < "$out") samples in $out"
