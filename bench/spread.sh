#!/usr/bin/env bash
# Posts against a dump: `leakcheck posts import` of N generated posts (quotes
# of the dump's emails, some changed; claims that quote nothing; chatter)
# into a case, then `spread`, with wall time, CPU and peak RSS, and how many
# of each kind of post were classed as expected.
#
# usage: bench/spread.sh CASE DUMP_DIR [N]    (N default 1000000)
# CASE must be a case of DUMP_DIR, ingested and verified; the posts are
# imported into it (source "bench"), so use a copy you can spare.
set -euo pipefail
case_dir=${1:?case folder}
dump=${2:?the dump folder the case was ingested from}
n=${3:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
bin=${LEAKCHECK:-$here/../target/release/leakcheck}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$here/spread_posts.py" "$dump" "$work/posts.csv" "$n"
echo "posts: $n ($(du -h "$work/posts.csv" | cut -f1)) against $("$bin" stats "$case_dir" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"])') items"

/usr/bin/time -v "$bin" posts import "$case_dir" "$work/posts.csv" --source bench --json \
  > "$work/import.json" 2> "$work/import.time" || true
/usr/bin/time -v "$bin" spread "$case_dir" --json > "$work/spread.json" 2> "$work/spread.time"
"$bin" posts list "$case_dir" --limit 100000000 --json > "$work/posts.jsonl"

python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
def timing(f):
    t = open(f).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", t).group(1)
    parts = [float(x) for x in wall.split(":")]
    secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    cpu = float(re.search(r"User time.*: (\S+)", t).group(1)) + float(re.search(r"System time.*: (\S+)", t).group(1))
    rss = int(re.search(r"Maximum resident set size.*: (\d+)", t).group(1)) / 1024
    return secs, cpu, rss
imp = json.load(open(f"{work}/import.json"))
for name in ("import", "spread"):
    s, c, r = timing(f"{work}/{name}.time")
    extra = f"  {imp['posts'] / s:,.0f} posts/s" if name == "import" else ""
    print(f"{name:<8} wall {s:7.1f} s  cpu {c:7.1f} s  peak RSS {r:7.0f} MB{extra}")
counts = {}
for line in open(f"{work}/posts.jsonl"):
    p = json.loads(line)
    kind = p["id"].split(":")[-1].split("-")[0]
    matched = bool(p["matches"])
    changed = any(m["changed"] for m in p["matches"])
    c = counts.setdefault(kind, [0, 0, 0])
    c[0] += 1
    c[1] += matched
    c[2] += changed
names = {"q": "exact quotes", "a": "quotes with a word changed", "c": "claims quoting nothing", "u": "chatter"}
for k in "qacu":
    if k in counts:
        n, m, ch = counts[k]
        print(f"{names[k]:<28} {n:>9}  matched {m / n:6.1%}  changed {ch / n:6.1%}")
print("classes:", json.load(open(f"{work}/spread.json"))["totals"])
PY
