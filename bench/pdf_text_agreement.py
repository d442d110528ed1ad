#!/usr/bin/env python3
"""Token agreement of our PDF text with pdftotext's.

For each PDF under the given folders, runs `pdftotext -enc UTF-8 FILE -` and
our `doc_text` example, splits both on white space, and prints
|tokens in both (multiset)| / |pdftotext tokens| per file and overall.

Usage: bench/pdf_text_agreement.py [--bin PATH] FOLDER...
(default bin: target/debug/examples/doc_text, built with
`cargo build -p leakcheck-extract --example doc_text`).
"""
import collections
import pathlib
import subprocess
import sys


def tokens(text):
    return collections.Counter(text.split())


def run(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, timeout=60)
        return out.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return ""


def main(argv):
    binary = "target/debug/examples/doc_text"
    if len(argv) > 1 and argv[0] == "--bin":
        binary, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__)
        return 2
    files = sorted(p for d in argv for p in pathlib.Path(d).rglob("*") if p.suffix.lower() == ".pdf")
    both = total = 0
    for f in files:
        ref = tokens(run(["pdftotext", "-enc", "UTF-8", str(f), "-"]))
        ours = tokens(run([binary, str(f)]))
        common = sum((ref & ours).values())
        n = sum(ref.values())
        both += common
        total += n
        pct = 100.0 * common / n if n else 100.0
        print(f"{pct:6.1f} %  {common:6d}/{n:<6d} ours {sum(ours.values()):6d}  {f.name}")
    pct = 100.0 * both / total if total else 100.0
    print(f"overall {pct:.1f} % ({both}/{total} pdftotext tokens) over {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
