#!/usr/bin/env bash
# A whole leak, end to end, beside the peers a newsroom would chain instead.
#
# Usage: bench/scale.sh [SCALE] [SEED]        (defaults: 0.1 2017)
#   SCALE 1.0 is the 2017 dump's shape: 71,848 emails, 26,506 attachments, 9 GB.
#
# The dump comes from ../shared/bench/macron-scale/gen.py (deterministic by
# seed and scale) and is written outside the repository, to
# $DATA (default /tmp/leakcheck-scale-SCALE-SEED); an existing dump with the
# same seed and scale is reused. Generating needs Python packages, installed
# here with pip when missing. Scale 1.0 takes about 17 minutes to generate
# with 2 workers.
#
# In one run, from the page cache (each step after a warm-up read), each
# step timed by /usr/bin/time -v (wall, CPU = user + sys, peak RSS):
#   sha256sum      every file of the dump: the floor of read + hash
#   cpython        CPython's email package parsing every message
#                  (gen.py's py_email_parse_dump.py)
#   exiftool       metadata of the loose documents and images (skipped,
#                  saying so, when exiftool is not installed)
#   pdftotext      text of the loose PDFs (likewise)
#   the same two   over the attachments and zip members, written out first
#                  by CPython (untimed), as the issue's chain counts them
#   leakcheck      init, keys import, ingest, verify, five searches, the
#                  exports (JSON lines, FollowTheMoney) and a report
# and prints a table with ratios, the verdict counts, the suspicious items
# by check, and whether exactly the planted tampered emails are altered.
# OCR is left for later by ingest, so ingest and verify are timed alone; with OCR=1
# `leakcheck ocr` then reads the scans and pictures of text as a step of its
# own, followed by the `verify` that OCR's new text layer calls for.
# Env: DATA (dump folder), CASE (case folder, default $DATA/case, replaced),
# SKIP_PEERS=1 (leakcheck only), OCR=1 (time OCR too; needs Tesseract).
set -euo pipefail

SCALE=${1:-0.1}
SEED=${2:-2017}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GEN_DIR=$REPO/../shared/bench/macron-scale
if [[ ! -f $GEN_DIR/gen.py ]]; then
  echo "skipped: generator not found at $GEN_DIR/gen.py"
  exit 0
fi
GEN_DIR=$(cd "$GEN_DIR" && pwd)
DATA=${DATA:-/tmp/leakcheck-scale-$SCALE-$SEED}
CASE=${CASE:-$DATA/case}
DUMP=$DATA/dump
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

need_py=()
for m in dkim cryptography PIL piexif reportlab docx openpyxl wordfreq; do
  python3 -c "import $m" 2> /dev/null || need_py+=("$m")
done
if ((${#need_py[@]})); then
  python3 -m pip install --quiet dkimpy cryptography pillow piexif reportlab python-docx openpyxl wordfreq
fi

manifest_matches() {
  [[ -f $DATA/MANIFEST.json ]] && python3 - "$DATA/MANIFEST.json" "$SCALE" "$SEED" << 'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
sys.exit(0 if float(m["scale"]) == float(sys.argv[2]) and int(m["seed"]) == int(sys.argv[3]) else 1)
EOF
}
if ! manifest_matches; then
  echo "generating the dump at scale $SCALE, seed $SEED into $DATA" >&2
  python3 "$GEN_DIR/gen.py" --out "$DATA" --scale "$SCALE" --seed "$SEED" --workers "$(nproc)" --force >&2
fi

cd "$REPO"
cargo build --release -q -p leakcheck
BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/leakcheck

# run NAME -- command...: times the command, appends "name|wall|cpu|rss_kb" to rows.
: > "$TMP/rows"
run() {
  local name=$1
  shift 2
  echo "== $name" >&2
  /usr/bin/time -v -o "$TMP/time" "$@" > "$TMP/out" 2> "$TMP/err" || {
    local rc=$?
    # verify exits 1 when something needs a look, search when nothing
    # matched; anything else is a failure.
    if [[ $rc -ne 1 || $name != leakcheck\ [vs]* ]]; then
      echo "$name failed ($rc): $(tail -c 600 "$TMP/err")" >&2
      exit 2
    fi
  }
  awk -F': ' -v name="$name" '
    /Elapsed \(wall clock\)/ { n = split($2, a, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + a[i] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident set size/ { r = $2 }
    END { printf "%s|%.2f|%.2f|%d\n", name, w, u + s, r }' "$TMP/time" >> "$TMP/rows"
}

find "$DUMP" -type f -print0 | xargs -0 cat > /dev/null
run "sha256sum, every file" -- bash -c 'find "$1" -type f -print0 | xargs -0 sha256sum > /dev/null' _ "$DUMP"
if [[ ${SKIP_PEERS:-0} != 1 ]]; then
  run "CPython email, every message" -- python3 "$GEN_DIR/py_email_parse_dump.py" "$DUMP"
  if command -v exiftool > /dev/null; then
    run "exiftool, loose documents and images" -- exiftool -j -r -q -q -ext pdf -ext docx -ext xlsx \
      -ext jpg -ext jpeg -ext png "$DUMP"
  else
    echo "exiftool not installed: its row is left out (apt-get install libimage-exiftool-perl)" >&2
  fi
  if command -v pdftotext > /dev/null; then
    run "pdftotext, loose PDFs" -- bash -c \
      'find "$1" -type f -iname "*.pdf" -print0 | xargs -0 -r -I{} pdftotext -q {} - > /dev/null' _ "$DUMP"
  else
    echo "pdftotext not installed: its row is left out (apt-get install poppler-utils)" >&2
  fi
  # leakcheck reads the attachments too, so the chain does: CPython writes
  # them out once (not timed), then exiftool and pdftotext read them.
  if command -v exiftool > /dev/null && command -v pdftotext > /dev/null; then
    python3 "$GEN_DIR/py_email_parse_dump.py" "$DUMP" --extract "$TMP/att" > /dev/null
    run "exiftool, attachments and zip members" -- exiftool -j -r -q -q "$TMP/att"
    run "pdftotext, attached PDFs" -- bash -c \
      'find "$1" -type f -iname "*.pdf" -print0 | xargs -0 -r -I{} pdftotext -q {} - > /dev/null' _ "$TMP/att"
  fi
fi

# The case a reporter would make: the movement's founding to the leak's
# publication (public facts of the 2017 case), the campaign's mail domain
# and the DKIM key as archived.
DOMAIN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dkim"]["domain"])' "$DATA/MANIFEST.json")
rm -rf "$CASE"
"$BIN" init "$CASE" -q --window 2016-04-06..2017-05-05 --org-domain "$DOMAIN"
"$BIN" keys import "$CASE" "$DATA/dkim-keys.txt" -q --source "bench/scale.sh: the generator's key"
run "leakcheck ingest" -- "$BIN" ingest "$CASE" "$DUMP" -q --ocr-later
run "leakcheck verify" -- "$BIN" verify "$CASE" --verbose
cp "$TMP/out" "$TMP/verify-first.out"
run "leakcheck verify, nothing changed" -- "$BIN" verify "$CASE" --verbose
cp "$TMP/out" "$TMP/verify-again.out"
for q in budget réunion '"meeting"' 'kind:pdf' 'date:2017-03'; do
  run "leakcheck search $q" -- "$BIN" search "$CASE" "$q" --json
done
# Publication: every item streamed out, and the evidence report of the
# altered items (their originals and the case report's figures included).
run "leakcheck export jsonl" -- "$BIN" export "$CASE" --format jsonl --out "$TMP/items.jsonl" -q
run "leakcheck export ftm" -- "$BIN" export "$CASE" --format ftm --out "$TMP/items.ftm.json" -q
run "leakcheck report --verdict altered" -- "$BIN" report "$CASE" --verdict altered --out "$TMP/report" -q
rm -rf "$TMP/items.jsonl" "$TMP/items.ftm.json" "$TMP/report"

if [[ ${OCR:-0} == 1 ]]; then
  run "leakcheck ocr" -- "$BIN" ocr "$CASE" --json
  cp "$TMP/out" "$TMP/ocr.json"
  run "leakcheck verify, after OCR" -- "$BIN" verify "$CASE" --verbose
  cp "$TMP/out" "$TMP/verify-ocr.out"
fi

"$BIN" stats "$CASE" --json > "$TMP/stats.json"
"$BIN" verify "$CASE" --json > "$TMP/verify.jsonl" || true

python3 - "$TMP/rows" "$TMP/stats.json" "$TMP/verify.jsonl" "$DATA/MANIFEST.json" "$SCALE" \
  "$TMP/verify-first.out" "$TMP/verify-again.out" "$TMP/ocr.json" "$TMP/verify-ocr.out" << 'EOF'
import collections, json, sys
rows = [r.split("|") for r in open(sys.argv[1]).read().split("\n") if r]
stats = json.load(open(sys.argv[2]))
manifest = json.load(open(sys.argv[4]))
t = {name: (float(w), float(c), int(r)) for name, w, c, r in rows}
sha = t["sha256sum, every file"][0]
peers = [n for n in t if not n.startswith(("leakcheck", "sha256sum"))]
print(f"Dump at scale {sys.argv[5]}: {manifest['files']['total_files']:,} files, "
      f"{manifest['files']['total_bytes'] / 1e9:.2f} GB; leakcheck found {stats['items']:,} items")
print()
print("| step | wall s | CPU s | peak RSS MB | wall ÷ sha256sum |")
print("|---|---:|---:|---:|---:|")
for name, (w, c, r) in t.items():
    print(f"| {name} | {w:.1f} | {c:.1f} | {r / 1024:.0f} | {w / sha:.2f}× |")
ours = t["leakcheck ingest"][0] + t["leakcheck verify"][0]
again = t["leakcheck verify, nothing changed"]
print(f"| **leakcheck ingest + verify** | **{ours:.1f}** | "
      f"{t['leakcheck ingest'][1] + t['leakcheck verify'][1]:.1f} | "
      f"{max(t['leakcheck ingest'][2], t['leakcheck verify'][2]) / 1024:.0f} | {ours / sha:.2f}× |")
print(f"\nverify peak RSS: {t['leakcheck verify'][2] / 1024:.0f} MB; "
      f"ingest peak RSS: {t['leakcheck ingest'][2] / 1024:.0f} MB")
for label, path in (("first verify", sys.argv[6]), ("second verify, nothing changed", sys.argv[7])):
    for line in open(path):
        if "re-checked" in line or line.startswith("time:"):
            print(f"{label}: {line.strip()}")
print(f"second verify: {again[0]:.1f} s wall, {again[2] / 1024:.0f} MB peak RSS")
if "leakcheck ocr" in t:
    print(f"ocr: {json.load(open(sys.argv[8]))['summary']}")
    for line in open(sys.argv[9]):
        if "re-checked" in line:
            print(f"verify after OCR: {line.strip()}")
if peers:
    chain = sha + sum(t[p][0] for p in peers)
    print(f"| peers chained (sha256sum, {', '.join(p.split(',')[0] for p in peers)}) | {chain:.1f} | | | "
          f"{chain / sha:.2f}× |")
    print(f"\nleakcheck ingest + verify ÷ the chained peers: {ours / chain:.2f}×")

verdicts = collections.Counter()
by_check = collections.Counter()
altered = set()
items = 0
for line in open(sys.argv[3]):
    item = json.loads(line)
    items += 1
    verdicts[item["verdict"]] += 1
    if item["verdict"] == "suspicious":
        for f in item["findings"]:
            if f["verdict"] == "suspicious":
                by_check[f["check"]] += 1
    if item["verdict"] == "altered":
        altered.add(item["id"])
print("\nverdicts: " + ", ".join(f"{v} {n:,}" for v, n in verdicts.most_common()))
print(f"suspicious: {verdicts['suspicious']:,} of {items:,} items ({100 * verdicts['suspicious'] / max(items, 1):.2f} %)")
print("\n| check | suspicious items it flags |\n|---|---:|")
for check, n in by_check.most_common():
    print(f"| `{check}` | {n:,} |")
planted = len(manifest["dkim"]["tampered_after_signing"])
print(f"\naltered items: {len(altered):,}; tampered signed emails planted (distinct Message-IDs): {planted:,}")
EOF
