#!/usr/bin/env python3
"""Writes N posts (a CSV `posts import` reads) that spread a generated dump:
quotes of its emails (some with a figure changed), posts that claim the leak
and quote nothing, and unrelated chatter, by a few thousand accounts over two
days. Each post's id says what it is (q-, a-, c-, u-), so that the benchmark
can count what was found.

usage: spread_posts.py DUMP_DIR OUT.csv N [SEED]
"""
import csv
import email
import email.policy
import os
import random
import re
import sys


def bodies(dump, limit=4000):
    """Runs of 20 words or more of the plain-text bodies of the dump's single-file emails."""
    out = []
    for root, _, files in os.walk(dump):
        for f in sorted(files):
            if not f.endswith(".eml"):
                continue
            try:
                with open(os.path.join(root, f), "rb") as fh:
                    msg = email.message_from_binary_file(fh, policy=email.policy.default)
                part = msg.get_body(preferencelist=("plain",))
                text = part.get_content() if part else ""
            except Exception:  # a hostile dump: skip what Python cannot read
                continue
            # Only the message's own words, one run of lines at a time (a
            # quote spans no `>` parent lines); an Outlook-style parent
            # ("-----Message d'origine-----") is another email's too.
            own = re.split(r"-----(?:Message d'origine|Original Message)-----", text)[0]
            block = []
            for line in own.splitlines() + [">"]:
                if line.startswith(">"):
                    if len(block) >= 20:
                        out.append(block)
                    block = []
                else:
                    block.extend(line.split())
            if len(out) >= limit:
                return out
    return out


def main():
    dump, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 2017)
    texts = bodies(dump)
    if not texts:
        sys.exit(f"{dump}: no .eml with a plain-text run of 20 words or more")
    vocab = sorted({w for t in texts for w in t if w.isalpha()})
    accounts = [f"user{i}" for i in range(5000)]
    start = 1494007200  # 2017-05-05 18:00 UTC
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "time", "author", "text", "url", "media_path"])
        for i in range(n):
            t = start + rng.randrange(48 * 3600)
            who = accounts[min(int(rng.paretovariate(1.2)) - 1, len(accounts) - 1)]
            r = rng.random()
            if r < 0.30:
                words = rng.choice(texts)
                k = rng.randrange(12, min(31, len(words) + 1))
                at = rng.randrange(0, max(1, len(words) - k))
                quote = words[at:at + k]
                kind = "q"
                if r < 0.05:
                    # One word in the middle changed: a figure, a name.
                    j = len(quote) // 2
                    quote[j] = str(rng.randrange(10, 100000)) if not quote[j].isdigit() else quote[j] + "0"
                    kind = "a"
                text = "From the leak: \"" + " ".join(quote) + "\" #MacronLeaks"
            elif r < 0.40:
                kind = "c"
                text = "#MacronLeaks " + " ".join(rng.choice(vocab) for _ in range(rng.randrange(10, 25)))
            else:
                kind = "u"
                text = " ".join(rng.choice(vocab) for _ in range(rng.randrange(5, 30)))
            w.writerow([f"{kind}-{i}", t, who, text, "", ""])


if __name__ == "__main__":
    main()
