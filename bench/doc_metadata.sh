#!/usr/bin/env bash
# Document metadata and PDF text benchmark: leakcheck beside ExifTool and
# pdftotext, on the same files, in one run.
#
# Usage: bench/doc_metadata.sh [COPIES]
#   Reads ../shared/corpus/{tika,exiftool} beside the repo root (prints
#   "skipped: ..." and exits 0 when absent). COPIES (default 3) copies of the
#   corpus's documents (not its .exiftool.json oracles) make the file set, so
#   that process start-up weighs little on either side.
#
# Rows (files/s = files in the set / wall seconds, both sides single-process):
#   metadata  `doc_text --meta SET` (our extractors, one thread, JSON lines)
#             against `exiftool -j -r -q SET`
#   ingest    `leakcheck ingest CASE SET/1 --json` into a fresh case (hashing,
#             blobs, catalog, text: the whole pipeline, all cores), on one
#             copy, since ingest reads identical bytes once
#   pdf text  our extractor against `pdftotext -enc UTF-8 FILE -`, one process
#             per PDF on both sides, plus token agreement
#             (bench/pdf_text_agreement.py)
# Installs libimage-exiftool-perl and poppler-utils when missing (needs apt).
# Output: a markdown table on stdout; JSON in bench/results/doc-metadata-latest.json.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=$REPO/../shared/corpus
COPIES=${1:-3}
for sub in tika exiftool; do
  if [[ ! -d $CORPUS/$sub ]]; then
    echo "skipped: corpus not found at $CORPUS/$sub"
    exit 0
  fi
done

need() { # command, Debian package
  command -v "$1" > /dev/null && return
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "$2" > /dev/null
}
need exiftool libimage-exiftool-perl
need pdftotext poppler-utils

cd "$REPO"
cargo build --release -q -p leakcheck
cargo build --release -q -p leakcheck-extract --example doc_text
TARGET=${CARGO_TARGET_DIR:-$REPO/target}/release
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for i in $(seq 1 "$COPIES"); do
  for sub in tika exiftool; do
    mkdir -p "$TMP/set/$i/$sub"
    find "$CORPUS/$sub" -maxdepth 1 -type f ! -name '*.exiftool.json' -exec cp -t "$TMP/set/$i/$sub" {} +
  done
done
FILES=$(find "$TMP/set" -type f | wc -l)
find "$TMP/set" -type f -exec cat {} + > /dev/null # page cache warm for both sides

seconds() { # runs "$@", prints wall seconds. Exit status 1 (ExifTool: some
  # files unreadable; leakcheck: some items with errors) is part of the job.
  local t0=$EPOCHREALTIME
  "$@" > /dev/null 2> "$TMP/err" || [[ $? -eq 1 ]] || { cat "$TMP/err" >&2; return 1; }
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'
}

ours=$(seconds "$TARGET/examples/doc_text" --meta "$TMP/set")
exif=$(seconds exiftool -j -r -q "$TMP/set")
"$TARGET/leakcheck" init "$TMP/case" -q
# One copy only: ingest stores identical bytes once, so copies would cost it nothing.
UNIQUE=$(find "$TMP/set/1" -type f | wc -l)
ingest=$(seconds "$TARGET/leakcheck" ingest "$TMP/case" "$TMP/set/1" --json)

mapfile -t PDFS < <(find "$TMP/set/1" -type f -iname '*.pdf' | sort)
per_pdf() { for f in "${PDFS[@]}"; do "$@" "$f" > /dev/null 2>&1 || true; done; }
pdf_ours=$(seconds per_pdf "$TARGET/examples/doc_text")
pdf_poppler=$(seconds per_pdf pdftotext -enc UTF-8 -q)
agreement=$(python3 bench/pdf_text_agreement.py --bin "$TARGET/examples/doc_text" "$CORPUS/tika" "$CORPUS/exiftool" | tail -1)

python3 - "$FILES" "$UNIQUE" "$ours" "$exif" "$ingest" "${#PDFS[@]}" "$pdf_ours" "$pdf_poppler" "$agreement" \
  "$REPO/bench/results/doc-metadata-latest.json" << 'EOF'
import json, sys
files, unique, ours, exif, ingest, pdfs, pdf_ours, pdf_pop, agreement, out = sys.argv[1:]
files, unique, pdfs = int(files), int(unique), int(pdfs)
ours, exif, ingest, pdf_ours, pdf_pop = map(float, (ours, exif, ingest, pdf_ours, pdf_pop))
rows = [  # what, files, seconds, peer, peer's files, peer's seconds
    ("metadata: doc_text --meta", files, ours, "exiftool -j -r", files, exif),
    ("ingest (whole pipeline)", unique, ingest, "exiftool -j -r", files, exif),
    ("PDF text, process per file", pdfs, pdf_ours, "pdftotext", pdfs, pdf_pop),
]
print(f"| what | files | leakcheck files/s | peer | peer files/s | ratio |")
print(f"|---|---|---|---|---|---|")
result = {"files": files, "pdfs": pdfs, "pdf_token_agreement": agreement, "rows": []}
for name, n, t, peer, pn, pt in rows:
    ratio = (n / t) / (pn / pt)
    print(f"| {name} | {n} | {n / t:.0f} | {peer} | {pn / pt:.0f} | {ratio:.1f}x |")
    result["rows"].append({"what": name, "files": n, "seconds": t, "peer": peer,
                           "peer_files": pn, "peer_seconds": pt, "ratio": ratio})
print(f"\nPDF text agreement with pdftotext: {agreement}")
with open(out, "w") as f:
    json.dump(result, f, indent=1)
EOF
