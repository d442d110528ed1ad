#!/usr/bin/env bash
# Ingest throughput benchmark: leakcheck against two baselines on the same inputs.
#
# Usage: bench/ingest.sh [CORPUS_DIR]
#   CORPUS_DIR defaults to ../shared/corpus/email beside the repo root. When it
#   (or one of the input sets below) is missing, the script prints
#   "skipped: corpus not found at ..." and exits 0, so CI without data passes.
#
# Inputs: CORPUS/enron/mbox_cmu_20150507 (mbox) and
#         CORPUS/misc/spamassassin-publiccorpus (one message per file).
#
# Measured, each after a warm-up `cat` so all three read from the page cache
# (no cache dropping: that needs root and measures the disk, not us):
#   leakcheck  `leakcheck ingest CASE INPUTS --json` into a fresh case
#   cpython    tests/oracle/cpython_email.py --bench: parse + walk + decode,
#              in memory, best of 3, once with compat32 and once with default
#   sha256sum  every input file hashed: the speed ceiling of read + hash alone
#
# Message count and bytes come from the oracle (tests/oracle/cpython_email.py
# --jsonl), so every row divides by the same N messages and B bytes
# (B = message bytes, without mbox envelopes; MB = 10^6 bytes). sha256sum
# reads the whole files, 2.5% more (envelopes, cmds, README.txt), so its
# MB/s here is that much understated.
# Wall seconds come from bash's EPOCHREALTIME (microseconds): /usr/bin/time's
# %e has 10 ms steps, too coarse for sha256sum's ~0.3 s. Peak RSS is
# /usr/bin/time's %M (the cpython row reports its own getrusage peak, which
# includes holding every message in memory).
#
# Output: a markdown table on stdout, and the same figures as JSON in
# bench/results/ingest-latest.json (ignored by git).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${1:-$REPO/../shared/corpus/email}
if [[ ! -d $CORPUS ]]; then
  echo "skipped: corpus not found at $CORPUS"
  exit 0
fi
CORPUS=$(cd "$CORPUS" && pwd)
INPUTS=("$CORPUS/enron/mbox_cmu_20150507" "$CORPUS/misc/spamassassin-publiccorpus")
for dir in "${INPUTS[@]}"; do
  if [[ ! -d $dir ]]; then
    echo "skipped: corpus not found at $dir"
    exit 0
  fi
done

cd "$REPO"
cargo build --release -p leakcheck
BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/leakcheck
ORACLE=$REPO/tests/oracle/cpython_email.py
RESULTS=$REPO/bench/results

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Same N and B for every row.
python3 "$ORACLE" --jsonl "$TMP/oracle.jsonl" "${INPUTS[@]}"
MESSAGES=$(wc -l < "$TMP/oracle.jsonl")
BYTES=$(python3 -c 'import json,sys; print(sum(json.loads(l)["size"] for l in open(sys.argv[1])))' "$TMP/oracle.jsonl")

warm() { find "${INPUTS[@]}" -type f -print0 | xargs -0 cat > /dev/null; }

# timed NAME CMD...: writes "MICROSECONDS PEAK_RSS_KB" to $TMP/NAME.time and
# CMD's exit code to TIMED_RC (a return code would switch off set -e inside).
timed() {
  local name=$1 start end rss
  shift
  TIMED_RC=0
  start=${EPOCHREALTIME//[.,]/}
  /usr/bin/time -f '%e %M' -o "$TMP/$name.rusage" "$@" || TIMED_RC=$?
  end=${EPOCHREALTIME//[.,]/}
  # On a non-zero exit, GNU time writes a "Command exited with ..." line first.
  rss=$(tail -n 1 "$TMP/$name.rusage")
  echo "$((end - start)) ${rss#* }" > "$TMP/$name.time"
}

# (a) leakcheck. Exit 1 means some items had errors, which a real dump has.
"$BIN" init "$TMP/case" > /dev/null
warm
timed leakcheck "$BIN" ingest "$TMP/case" "${INPUTS[@]}" --json > "$TMP/leakcheck.json"
LEAKCHECK_RC=$TIMED_RC
if (( LEAKCHECK_RC > 1 )); then
  echo "leakcheck ingest failed with exit code $LEAKCHECK_RC" >&2
  exit "$LEAKCHECK_RC"
fi

# (a2) the same into a case on tmpfs: what the blob store's file creation
# costs on the disk's file system shows as the difference.
SHM=""
if [[ -d /dev/shm && -w /dev/shm ]]; then
  SHM=$(mktemp -d /dev/shm/leakcheck-bench.XXXXXX)
  "$BIN" init "$SHM/case" > /dev/null
  warm
  timed leakcheck_tmpfs "$BIN" ingest "$SHM/case" "${INPUTS[@]}" -q
  rm -rf "$SHM"
fi

# (a3) parse only, one thread, messages in memory: the same work as (b).
(cd "$REPO" && cargo bench -q -p leakcheck-extract --bench parse -- "${INPUTS[@]}") > "$TMP/parse.json"

# (b) CPython's email package (it times itself, reading outside the clock).
warm
python3 "$ORACLE" --bench "${INPUTS[@]}" > "$TMP/cpython.json"

# (c) sha256sum over the same files.
warm
timed sha256sum bash -c 'set -o pipefail; find "$@" -type f -print0 | xargs -0 sha256sum > /dev/null' _ "${INPUTS[@]}"
if (( TIMED_RC != 0 )); then
  echo "sha256sum baseline failed with exit code $TIMED_RC" >&2
  exit "$TIMED_RC"
fi

mkdir -p "$RESULTS"
[[ -f $RESULTS/.gitignore ]] || echo '*-latest.json' > "$RESULTS/.gitignore"

REV=$(git rev-parse --short HEAD 2> /dev/null || echo none)
python3 - "$TMP" "$RESULTS/ingest-latest.json" "$MESSAGES" "$BYTES" "$LEAKCHECK_RC" "$CORPUS" "$REV" <<'EOF'
import json, os, sys, time

tmp, out, n, size, rc, corpus, rev = sys.argv[1:]
n, size, mb = int(n), int(size), int(size) / 1e6

def timing(name):
    micros, rss_kb = open(os.path.join(tmp, name + ".time")).read().split()
    return int(micros) / 1e6, int(rss_kb)

def row(tool, secs, rss_kb):
    return {"tool": tool, "seconds": round(secs, 3), "mb_per_s": round(mb / secs, 2),
            "msgs_per_s": round(n / secs, 1), "peak_rss_mb": round(rss_kb * 1024 / 1e6, 1)}

def report(path):
    # Keep leakcheck's own summary if it is JSON (a document or JSON lines: take the last).
    text = open(path, encoding="utf-8", errors="replace").read().strip()
    for candidate in (text, text.splitlines()[-1] if text else ""):
        try:
            return json.loads(candidate)
        except ValueError:
            pass
    return None

py = json.load(open(os.path.join(tmp, "cpython.json")))
parse = json.load(open(os.path.join(tmp, "parse.json")))
rows = [
    row("leakcheck", *timing("leakcheck")),
    row("cpython compat32", py["compat32_seconds"], py["peak_rss_kb"]),
    row("cpython default", py["default_seconds"], py["peak_rss_kb"]),
    row("sha256sum", *timing("sha256sum")),
]
lc, sha = rows[0], rows[3]
best_py = max(rows[1:3], key=lambda r: r["msgs_per_s"])
parse_row = row("leakcheck parse only (1 thread)", parse["seconds"], 0)
rows.insert(1, parse_row)
if os.path.exists(os.path.join(tmp, "leakcheck_tmpfs.time")):
    rows.insert(1, row("leakcheck, case on tmpfs", *timing("leakcheck_tmpfs")))
ratios = {
    "leakcheck_vs_cpython_msgs": round(lc["msgs_per_s"] / best_py["msgs_per_s"], 2),
    "cpython_policy": best_py["tool"].split()[1],
    "parse_only_vs_cpython_msgs": round(parse_row["msgs_per_s"] / best_py["msgs_per_s"], 2),
    "leakcheck_vs_sha256sum_mb": round(lc["mb_per_s"] / sha["mb_per_s"], 3),
}
if rows[1]["tool"].endswith("tmpfs"):
    ratios["tmpfs_vs_cpython_msgs"] = round(rows[1]["msgs_per_s"] / best_py["msgs_per_s"], 2)

print(f"\n{n} messages, {mb:.1f} MB (leakcheck exit code {rc})\n")
print("| tool | seconds | MB/s | messages/s | peak RSS MB |")
print("|---|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['tool']} | {r['seconds']:.3f} | {r['mb_per_s']:.1f} | {r['msgs_per_s']:.0f} | {r['peak_rss_mb']:.1f} |")
print(f"\nleakcheck / cpython ({ratios['cpython_policy']}, the faster) messages/s: {ratios['leakcheck_vs_cpython_msgs']}x")
print(f"leakcheck on tmpfs / cpython messages/s: {ratios.get('tmpfs_vs_cpython_msgs', 'n/a')}x")
print(f"leakcheck parse only (1 thread) / cpython messages/s: {ratios['parse_only_vs_cpython_msgs']}x")
print(f"leakcheck / sha256sum MB/s: {ratios['leakcheck_vs_sha256sum_mb']}x")

json.dump({
    "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "git_rev": rev, "cpus": os.cpu_count(),
    "corpus": corpus, "messages": n, "bytes": size, "leakcheck_exit": int(rc),
    "rows": rows, "ratios": ratios, "leakcheck_report": report(os.path.join(tmp, "leakcheck.json")),
}, open(out, "w"), indent=2)
print(f"\nwrote {out}")
EOF
