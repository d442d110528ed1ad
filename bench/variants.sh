#!/usr/bin/env bash
# Near-copy clustering at scale: generated documents with planted groups of
# altered copies (a figure changed, a word replaced, a paragraph removed, a
# sentence added), clustered as `leakcheck variants` does (MinHash
# signatures, LSH banding, grouping). Reports time, peak RSS, recall of the
# planted groups and false clusters.
#
# Usage: bench/variants.sh [DOCS] [GROUPS]   (default 200000 documents, 2000 groups)
# Output: one JSON line on stdout, also written to bench/results/variants-latest.json.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
cargo bench -q -p leakcheck-variants --bench cluster -- --docs "${1:-200000}" --groups "${2:-2000}" \
  | tail -1 | tee bench/results/variants-latest.json
