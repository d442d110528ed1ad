#!/usr/bin/env bash
# Load on the workbench, over loopback, with wrk (Debian's package;
# installed when missing). One logged-in session is shared by all clients,
# as a team's browsers would each hold one.
#
# First every page type is visited once (the web page, search with facets,
# item, thread, timeline by day, week and month, people, keys, audit), each
# followed by the server's peak RSS so far (VmHWM); then C clients load each
# of search, item, thread, timeline and people for S seconds, and the peak
# RSS is read again.
#
# Usage: bench/serve_load.sh [--emails N | --case PATH] [--seconds S] [--clients C]
#                            [--dir PATH] [--bin PATH]
#   --emails N   generate N emails (default 50,000) and make a case of them
#   --case PATH  an existing case instead (a user "bench-load" is added to it)
#   --bin PATH   the leakcheck binary to measure (default: this tree's release build)
#
# Output: each endpoint's requests per second, latency percentiles and errors
# (non-2xx answers and socket errors) as wrk reports them, then summary
# tables. Each search request draws one of 40 queries (words, phrases,
# fields, a date range, boolean); item and thread requests one of up to
# 5,000 email ids; timeline requests a day, week or month view; people
# requests one of the first 20 pages of people and pairs. A generated case
# is built in a temp dir (or --dir) and removed after.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EMAILS=50000 SECONDS_RUN=30 CLIENTS=32 DIR="" CASE="" LC=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --emails) EMAILS=$2; shift 2 ;;
    --case) CASE=$2; shift 2 ;;
    --seconds) SECONDS_RUN=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --bin) LC=$2; shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
SERVER=""
if [[ -z $DIR ]]; then DIR=$(mktemp -d); trap 'kill $SERVER 2> /dev/null || true; rm -rf "$DIR"' EXIT
else mkdir -p "$DIR"; trap 'kill $SERVER 2> /dev/null || true' EXIT; fi

cd "$REPO"
if [[ -z $LC ]]; then
  cargo build -q --release -p leakcheck
  LC=${CARGO_TARGET_DIR:-$REPO/target}/release/leakcheck
fi

if [[ -z $CASE ]]; then
  echo "generating $EMAILS emails..." >&2
  python3 - "$DIR/dump.mbox" "$EMAILS" << 'PY'
import random, sys
path, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
fr = ("réunion budget campagne meeting élection sondage presse discours programme financement "
      "bureau équipe réseau candidat débat région ministre conseil public accord lettre").split()
en = ("meeting budget campaign election poll press speech programme funding office team network "
      "candidate debate region minister council public agreement letter rally donors").split()
people = [f"person{i}@campaign.example" for i in range(300)] + [f"contact{i}@press.example" for i in range(200)]
with open(path, "w", encoding="utf-8") as out:
    for i in range(n):
        words = fr if i % 2 else en
        body = " ".join(rnd.choice(words) for _ in range(rnd.randint(60, 250)))
        sender, to = rnd.sample(people, 2)
        day, month, year = rnd.randint(1, 28), rnd.randint(1, 12), rnd.choice([2016, 2017])
        subject = " ".join(rnd.choice(words) for _ in range(4))
        out.write(f"From {sender} Mon Jan  1 00:00:00 {year}\n")
        out.write(f"From: {sender}\nTo: {to}\nSubject: {subject}\n")
        out.write(f"Date: {day:02d} {['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'][month-1]} {year} 10:{i % 60:02d}:00 +0200\n")
        out.write(f"Message-ID: <m{i}@campaign.example>\n\n{body}\n\n")
PY
  CASE=$DIR/case
  rm -rf "$CASE"
  "$LC" init "$CASE" -q
  echo "ingesting, indexing and verifying..." >&2
  "$LC" ingest "$CASE" "$DIR/dump.mbox" -q || true
  "$LC" verify "$CASE" -q || true
  CASE_NOTE="$EMAILS generated emails"
else
  CASE_NOTE="$CASE"
fi
ITEMS=$("$LC" stats "$CASE" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"])')
# Added once; a later run finds it there with the same password.
echo "bench-password-1" | "$LC" user add "$CASE" bench-load --role admin --password-stdin -q 2> /dev/null || true
"$LC" ls "$CASE" --kind email --limit 5000 --json \
  | python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]' > "$DIR/ids.txt"

"$LC" serve "$CASE" --bind 127.0.0.1:0 --json > "$DIR/serve.out" 2> "$DIR/serve.err" &
SERVER=$!
for _ in $(seq 600); do [[ -s $DIR/serve.out ]] && break; sleep 0.2; done
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"].rstrip("/"))' "$DIR/serve.out")
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"user":"bench-load","password":"bench-password-1"}' "$URL/api/v1/login" \
  | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
[[ -n $COOKIE ]] || { echo "login failed" >&2; exit 1; }

# The server's peak resident memory so far, in MB (the serve process: the
# command line's own binary, not a child).
peak() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status"; }
visits=("| (started) | | $(peak) |")
ID=$(head -1 "$DIR/ids.txt")
for page in "/" "/api/v1/search?q=budget" "/api/v1/items/$ID" "/api/v1/items/$ID/thread" \
            "/api/v1/timeline?by=day" "/api/v1/timeline?by=week" "/api/v1/timeline?by=month" \
            "/api/v1/people" "/api/v1/keys" "/api/v1/audit"; do
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: $COOKIE" "$URL$page")
  code=${out% *}; secs=${out#* }
  [[ $code == 200 ]] || echo "$page answered $code" >&2
  visits+=("| \`${page/$ID/ID}\` | $(awk -v s="$secs" 'BEGIN {printf "%.0f", s * 1000}') | $(peak) |")
done

cat > "$DIR/load.lua" << 'LUA'
local mode = os.getenv("LOAD_MODE")
local ids, queries = {}, {
  "budget", "campagne", "meeting", "election", "\"budget campagne\"", "press AND debate",
  "minister NOT council", "from:person1@campaign.example", "date:2017-04", "sondage date:2016",
  "réunion", "reunions", "candidat*", "donors OR financement", "subject:rally", "kind:email budget",
  "verdict:unverifiable press", "domain:campaign.example letter", "to:contact5@press.example", "programm~",
  "network", "région", "discours presse", "speech", "office team", "\"public agreement\"", "poll",
  "letter -press", "council date:2017-01..2017-03", "funding", "équipe", "debate", "accord",
  "bureau", "rally", "ministre", "conseil", "lettre", "agreement", "public",
}
local periods = { "day", "week", "month" }
function init(args)
  for line in io.lines(os.getenv("LOAD_IDS")) do ids[#ids + 1] = line end
  math.randomseed(os.time() + math.random(1000))
end
local function enc(s) return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
function request()
  if mode == "search" then
    return wrk.format("GET", "/api/v1/search?q=" .. enc(queries[math.random(#queries)]))
  elseif mode == "thread" then
    return wrk.format("GET", "/api/v1/items/" .. ids[math.random(#ids)] .. "/thread")
  elseif mode == "timeline" then
    return wrk.format("GET", "/api/v1/timeline?by=" .. periods[math.random(#periods)])
  elseif mode == "people" then
    local page = (math.random(20) - 1) * 100
    return wrk.format("GET", "/api/v1/people?people_offset=" .. page .. "&pairs_offset=" .. page)
  end
  return wrk.format("GET", "/api/v1/items/" .. ids[math.random(#ids)])
end
LUA

summary=()
for mode in search item thread timeline people; do
  echo "== $mode: $CLIENTS clients, ${SECONDS_RUN}s, $ITEMS items in the case" >&2
  out=$(LOAD_MODE=$mode LOAD_IDS="$DIR/ids.txt" wrk -t2 -c"$CLIENTS" -d"${SECONDS_RUN}s" --latency \
        -H "Cookie: $COOKIE" -s "$DIR/load.lua" "$URL")
  echo "$out"
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<< "$out"); sockerr=$(grep -c "Socket errors" <<< "$out" || true)
  summary+=("| $mode | ${rps} | ${p50} | ${p99} | ${non2xx:-0} | $sockerr | $(peak) |")
done
echo
echo "case: $ITEMS items ($CASE_NOTE); $CLIENTS clients, ${SECONDS_RUN} s each, loopback, $(nproc) cores"
echo
echo "| page visited (in this order) | ms | serve peak RSS so far, MB |"
echo "|---|---|---|"
printf '%s\n' "${visits[@]}"
echo
echo "| endpoint | requests/s | p50 | p99 | non-2xx | socket error lines | peak RSS after, MB |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
