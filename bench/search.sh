#!/usr/bin/env bash
# Search at scale: leakcheck's index beside SQLite FTS5, on the same
# generated emails, in one run (crates/search/benches/scale.rs).
#
# Usage: bench/search.sh [--docs N] [--queries N] [--dir PATH] [--seed N] [--merge]
#   --docs     emails to generate and index (default 1,000,000)
#   --queries  queries per class (default 200), after 20 warm-up queries
#   --dir      where both indexes are written (default: a temp dir, removed
#              at the end); the bench replaces only its own two entries there
#   --merge    merge the tantivy index into one segment and run FTS5's
#              `optimize` after the build (timed apart)
#
# Corpus: half French, half English emails with senders, recipients,
# subjects, dates over 2015-2018 and 100-400-word bodies drawn with Zipf-like
# frequencies from the word lists in crates/search/benches/scale/words.rs,
# seeded, so every run indexes the same texts. Query classes: term (common,
# medium and rare words), phrase (fixed expressions), boolean + facet counts
# (`a AND b NOT c`), term + date range of 1-3 months. Each query returns the
# top 10 by relevance and the total count on both sides.
#
# Output: markdown tables on stdout (times in ms; ratios are FTS5 time /
# leakcheck time, so above 1 means leakcheck is faster), progress on stderr,
# and the figures as JSON in bench/results/search-latest.json (ignored by git).
# A million emails take about 10 minutes on the 2-core machine, 2.4 GB of
# memory at peak (FTS5 phase) and 4.2 GB of disk (FTS5 3.3 GB, leakcheck 0.8 GB).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$REPO/bench/results
mkdir -p "$RESULTS"
[[ -f $RESULTS/.gitignore ]] || echo '*-latest.json' > "$RESULTS/.gitignore"

cd "$REPO"
# Later flags win, so "$@" overrides the default size.
cargo bench -q -p leakcheck-search --bench scale -- \
  --docs 1000000 --json "$RESULTS/search-latest.json" "$@"
