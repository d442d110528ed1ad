#!/usr/bin/env bash
# OCR against OCRmyPDF on pages of known French and English text: clean at
# 300 and 150 dpi, turned 1.5 degrees, grey noise with JPEG at quality 35,
# and a 1-bit fax TIFF (bench/ocr_pages.py makes them). Prints the
# character error rate of each variant and pages per second, side by side.
#
#   bench/ocr.sh [WORK_DIR]      (default: a temporary folder)
#
# leakcheck: `ingest` with OCR unavailable, then `leakcheck ocr` is timed
# (the pass ingest runs when Tesseract is there). OCRmyPDF: each file with
# `--jobs 2 --force-ocr --output-type pdf --sidecar`, the way its manual
# runs it on a scanned PDF, timed over the whole batch.
# Needs: a release build (target/release/leakcheck), tesseract-ocr
# (fra, eng), poppler-utils, ocrmypdf, python3 with reportlab and Pillow.
set -euo pipefail
cd "$(dirname "$0")/.."
LC=${LC:-target/release/leakcheck}
WORK=${1:-$(mktemp -d)}
mkdir -p "$WORK"
python3 bench/ocr_pages.py make "$WORK" 2> >(grep -v STRIP_SIZE >&2)
PAGES=$(ls "$WORK/in" | wc -l)

# leakcheck
rm -rf "$WORK/case" "$WORK/lc"
mkdir -p "$WORK/lc"
"$LC" init "$WORK/case" -q
LEAKCHECK_TESSERACT=/nonexistent "$LC" ingest "$WORK/case" "$WORK/in" -q
start=$(date +%s.%N)
"$LC" ocr "$WORK/case" -q
lc_s=$(echo "$(date +%s.%N) - $start" | bc)
for f in "$WORK/in"/*; do
  id=$(sha256sum "$f" | cut -c1-64)
  "$LC" show "$WORK/case" "$id" --json |
    python3 -c 'import json,sys; o=json.load(sys.stdin)["ocr"]; print("\n".join(p["text"] for p in o["pages"]))' \
      > "$WORK/lc/$(basename "${f%.*}").txt"
done

# OCRmyPDF
rm -rf "$WORK/om"
mkdir -p "$WORK/om"
start=$(date +%s.%N)
for f in "$WORK/in"/*; do
  name=$(basename "${f%.*}")
  extra=()
  case "$f" in *.tif) extra=(--image-dpi 200) ;; esac
  ocrmypdf -q --jobs 2 -l fra+eng --force-ocr --output-type pdf "${extra[@]}" \
    --sidecar "$WORK/om/$name.txt" "$f" "$WORK/om/$name.pdf"
done
om_s=$(echo "$(date +%s.%N) - $start" | bc)
rm -f "$WORK/om"/*.pdf

echo "variant      CER leakcheck %   CER OCRmyPDF %"
join <(python3 bench/ocr_pages.py cer "$WORK/truth" "$WORK/lc") \
     <(python3 bench/ocr_pages.py cer "$WORK/truth" "$WORK/om") |
  awk '{printf "%-12s %15s %16s\n", $1, $2, $3}'
printf "pages/s      %15.2f %16.2f   (%d pages; %.1f s and %.1f s)\n" \
  "$(echo "$PAGES / $lc_s" | bc -l)" "$(echo "$PAGES / $om_s" | bc -l)" "$PAGES" "$lc_s" "$om_s"
