#!/usr/bin/env bash
# Key recovery benchmark: how long `leakcheck keys recover` takes to
# recompute a withheld RSA key from two signatures, at 1024 and 2048 bits,
# on one core.
#
# Usage: bench/keys.sh [ROUNDS]
#   For each size, a fresh RSA key (python3 cryptography) signs two messages
#   (dkimpy, an independent signer); they are ingested into a fresh case
#   without the key and `keys recover` runs pinned to one core
#   (`taskset -c 0`), ROUNDS times (default 1). The recovered TXT record
#   must equal the key's, or the script fails.
# Needs: target/release/leakcheck (built when missing), python3 with dkimpy
# and cryptography, taskset, /usr/bin/time.
# Output: a markdown table on stdout; JSON in bench/results/keys-latest.json.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${1:-1}
LC=$REPO/target/release/leakcheck
[[ -x $LC ]] || (cd "$REPO" && cargo build --release -p leakcheck)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "| key | signatures | wall s | CPU s (parent + GCD child) | recovered exactly |"
echo "|---|---|---|---|---|"
rows=()
for bits in 1024 2048; do
  dump=$WORK/dump-$bits
  mkdir -p "$dump"
  # Prints the key's TXT record; writes two signed messages into $dump.
  expected=$(python3 - "$bits" "$dump" <<'EOF'
import base64, sys
import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

bits, out = int(sys.argv[1]), sys.argv[2]
key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption())
for n in (1, 2):
    msg = (f"From: Anne <anne@bench.example>\r\nTo: bob@bench.example\r\n"
           f"Subject: Bench {n}\r\nDate: Mon, 10 Apr 2017 09:0{n}:00 +0200\r\n"
           f"Message-ID: <bench-{n}@bench.example>\r\n\r\nMessage {n}.\r\n").encode()
    sig = dkim.sign(msg, b"bench", b"bench.example", pem,
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    open(f"{out}/{n}.eml", "wb").write(sig + msg)
spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                     serialization.PublicFormat.SubjectPublicKeyInfo)
print("v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode())
EOF
)
  for round in $(seq "$ROUNDS"); do
    case=$WORK/case-$bits-$round
    "$LC" init "$case" -q
    "$LC" ingest "$case" "$dump" -q
    /usr/bin/time -f "%e %U %S" -o "$WORK/time" \
      taskset -c 0 "$LC" keys recover "$case" --json > "$WORK/out.json"
    read -r wall user sys < "$WORK/time"
    got=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline()).get("txt", ""))' "$WORK/out.json")
    exact=no
    [[ $got == "$expected" ]] && exact=yes
    cpu=$(python3 -c "print(round($user + $sys, 1))")
    echo "| RSA $bits | 2 | $wall | $cpu | $exact |"
    rows+=("{\"bits\": $bits, \"round\": $round, \"wall_s\": $wall, \"cpu_s\": $cpu, \"exact\": \"$exact\"}")
    [[ $exact == yes ]] || { echo "recovered key differs for $bits bits" >&2; exit 1; }
  done
done
mkdir -p "$REPO/bench/results"
(IFS=,; echo "{\"date\": \"$(date -u +%FT%TZ)\", \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\", \"runs\": [${rows[*]}]}") \
  > "$REPO/bench/results/keys-latest.json"
