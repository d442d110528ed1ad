#!/usr/bin/env python3
"""Reference oracle: what CPython's `email` package makes of a set of messages.

Usage:
    cpython_email.py [--jsonl OUT] PATH...   one JSON line per message (stdout by default)
    cpython_email.py --bench PATH...         parse-speed baseline, one JSON object

PATHs are files or folders (walked recursively, names sorted per folder).
A file is an mbox when its first line is a `From ` envelope followed by a
header line; it is split byte-exactly (see split_mbox). Any other file is one
message. Stdlib only, so it runs anywhere Python 3.11 does.
"""

import argparse
import email
import email.policy
import hashlib
import io
import json
import os
import re
import resource
import sys
import time
from email.header import decode_header, make_header

# Corpus bookkeeping files that sit beside the messages but are not emails.
SKIP = re.compile(r"^(cmds|README\.txt|MANIFEST.*|SHA256SUMS)$")
# RFC 5322 field name: printable ASCII except ':', no spaces.
HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
# `From  : x` (obsolete header syntax, RFC 2822 example 13) is a header, not an envelope.
NOT_ENVELOPE = re.compile(rb"^From\s*:")
FOLD = re.compile(r"\r?\n(?=[ \t])")


def iter_files(paths):
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs.sort()  # os.walk descends in list order: sorting makes the walk deterministic
            for name in sorted(files):
                if not SKIP.match(name):
                    yield os.path.join(root, name)


def is_envelope(line):
    return line.startswith(b"From ") and not NOT_ENVELOPE.match(line)


def is_mbox(data):
    lines = data.split(b"\n", 2)
    return len(lines) > 1 and is_envelope(lines[0]) and bool(HEADER_LINE.match(lines[1]))


def split_mbox(data):
    """Message bytes of an mbox: after each envelope line up to the next one.

    An envelope is a `From ` line at the start of the file or after an empty
    line. The empty line before an envelope (or a final one) is the mbox
    separator, so one line terminator is dropped when a message ends with one.
    Nothing is unescaped (`>From ` stays): the bytes are exactly the file's.
    """
    messages, current, prev_empty = [], None, True
    for line in io.BytesIO(data):  # splits on b"\n" only, unlike bytes.splitlines()
        if prev_empty and is_envelope(line):
            current = []
            messages.append(current)
        elif current is not None:
            current.append(line)
        prev_empty = line in (b"\n", b"\r\n")
    for lines in messages:
        if lines and lines[-1] in (b"\n", b"\r\n"):
            lines.pop()  # the separator: an empty line is nothing but its terminator
    return [b"".join(lines) for lines in messages]


def iter_messages(paths):
    """Yields (path, index, bytes) for every message under paths."""
    for path in iter_files(paths):
        with open(path, "rb") as f:
            data = f.read()
        for i, msg in enumerate(split_mbox(data) if is_mbox(data) else [data]):
            yield path, i, msg


def clean(s):
    """Header strings from bytes carry surrogate escapes; JSON readers (serde) reject lone surrogates."""
    if s is None:
        return None
    s = str(s)
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


def raw_header(msg, name):
    # raw_items() gives the stored value: compat32 would wrap 8-bit values in a Header object.
    for key, value in msg.raw_items():
        if key.lower() == name:
            return clean(value)
    return None


def decoded_subject(msg):
    # Decode from the stored value, not str(msg["Subject"]): compat32 turns every
    # 8-bit byte into U+FFFD there, which would lose raw UTF-8 subjects.
    raw = raw_header(msg, "subject")
    if raw is None:
        return None
    raw = FOLD.sub("", raw)  # RFC 5322 unfolding: drop the line break, keep the blank
    try:
        return clean(make_header(decode_header(raw)))
    except Exception:
        return raw


def is_attachment(part):
    return part.get_filename() is not None or part.get_content_disposition() == "attachment"


def describe(path, index, data):
    rec = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "source": path,
        "index": index,
        "size": len(data),
        "ok": True,
        "error": None,
        "subject": None,
        "message_id": None,
        "from": None,
        "parts": 0,
        "attachments": 0,
        "defects": 0,
    }
    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        rec["defects"] = len(msg.defects)
        rec["subject"] = decoded_subject(msg)
        rec["message_id"] = raw_header(msg, "message-id")
        rec["from"] = raw_header(msg, "from")
        parts = list(msg.walk())
        rec["parts"] = len(parts)
        rec["attachments"] = sum(1 for p in parts if is_attachment(p))
    except Exception as e:
        rec["ok"] = False
        rec["error"] = clean(f"{type(e).__name__}: {e}")
    return rec


def write_jsonl(paths, out):
    total = failed = 0
    for path, index, data in iter_messages(paths):
        rec = describe(path, index, data)
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        total += 1
        failed += not rec["ok"]
    print(f"{total} messages, {failed} not ok", file=sys.stderr)


def parse_all(messages, policy):
    """Work timed by --bench: parse, walk every part, decode every leaf payload."""
    for data in messages:
        try:
            msg = email.message_from_bytes(data, policy=policy)
            for part in msg.walk():
                if not part.is_multipart():
                    part.get_payload(decode=True)
        except Exception:
            pass  # the oracle run reports failures; the bench only times


def best_of(n, fn):
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench(paths):
    messages = [data for _, _, data in iter_messages(paths)]  # reading is not timed
    n, size = len(messages), sum(map(len, messages))
    compat = best_of(3, lambda: parse_all(messages, email.policy.compat32))
    default = best_of(3, lambda: parse_all(messages, email.policy.default))
    print(json.dumps({
        "messages": n,
        "bytes": size,
        "compat32_seconds": round(compat, 4),
        "default_seconds": round(default, 4),
        "compat32_msgs_per_s": round(n / compat, 1),
        "default_msgs_per_s": round(n / default, 1),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # KB on Linux
    }))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", help="files or folders")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--jsonl", metavar="OUT", help="write one JSON line per message to OUT")
    mode.add_argument("--bench", action="store_true", help="time compat32 and default parsing")
    args = ap.parse_args()
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        ap.error(f"not found: {', '.join(missing)}")
    if args.bench:
        bench(args.paths)
    elif args.jsonl:
        with open(args.jsonl, "w", encoding="utf-8") as out:
            write_jsonl(args.paths, out)
    else:
        write_jsonl(args.paths, sys.stdout)


if __name__ == "__main__":
    main()
