#!/usr/bin/env python3
"""Re-checks a leakcheck evidence report with independent tools.

For every item of the report it prints what leakcheck found beside what
the other tool finds:
  sha256     Python's hashlib over the original (sha256sum -c SHA256SUMS
             does the same)
  dkim       dkimpy, given the case's archived key (keys/) in place of DNS
  metadata   exiftool: each metadata value leakcheck read is looked for
             among every value exiftool reads for that field
  pdf saves  pdfresurrect: how many times the PDF was saved

Usage: python3 recheck.py [--json]   (run in the report's folder)
Needs: python3 with dkimpy and PyNaCl (pip install dkimpy pynacl); exiftool and pdfresurrect
when present (apt-get install libimage-exiftool-perl pdfresurrect).
Exit status: 0 when every hash and every DKIM result agrees, 1 when one
differs, 2 when something needed is missing.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def read(rel):
    with open(os.path.join(HERE, rel), "rb") as f:
        return f.read()


def dkim_result(dkim, raw, index, key_txt):
    """dkimpy's result for signature `index`: pass, body-modified or fail."""

    def dns(name, timeout=5):
        return key_txt

    d = dkim.DKIM(raw)
    try:
        return "pass" if d.verify(idx=index, dnsfunc=dns) else "fail"
    except dkim.NaClNotFoundError:
        print("dkimpy needs PyNaCl for Ed25519 keys: pip install pynacl", file=sys.stderr)
        sys.exit(2)
    except dkim.DKIMException as e:
        return "body-modified" if "body hash mismatch" in str(e) else "fail"


def digits(s):
    """A date or text reduced for comparison: a date (ISO 8601, EXIF's
    `2017:04:13 09:00:00`, PDF's `D:20170413090000+02'00'`) to its first 14
    digits (YYYYMMDDhhmmss), text to lower case without spaces."""
    t = s.strip()
    if t.startswith("D:"):
        t = t[2:]
    if re.match(r"^\d{4}([-:]?)\d{2}\1\d{2}", t):
        return re.sub(r"\D", "", t)[:14]
    return re.sub(r"\s+", "", s).lower()


def exif_values(path, tags):
    out = subprocess.run(
        ["exiftool", "-j", "-a", "-G1", "-n"] + ["-" + t for t in tags] + [path],
        capture_output=True,
        text=True,
    )
    try:
        rows = json.loads(out.stdout or "[]")
    except json.JSONDecodeError:
        return []
    values = []
    for row in rows:
        for k, v in row.items():
            if k != "SourceFile":
                values.append(str(v))
    return values


def main():
    as_json = "--json" in sys.argv[1:]
    try:
        import dkim
    except ImportError:
        print("dkimpy is not installed: pip install dkimpy pynacl", file=sys.stderr)
        return 2
    expected = json.loads(read("expected.json"))
    exiftool = shutil.which("exiftool")
    pdfresurrect = shutil.which("pdfresurrect")
    results = []
    differ = 0

    def report(item, check, leakcheck, other, agree, tool):
        nonlocal differ
        if agree is False:
            differ += 1
        results.append(
            {
                "item": item,
                "check": check,
                "leakcheck": leakcheck,
                "obtained": other,
                "agree": agree,
                "tool": tool,
            }
        )

    for item in expected["items"]:
        iid = item["id"]
        if not item.get("original"):
            report(iid, "sha256", iid, None, None, "no original in the report")
            continue
        path = os.path.join(HERE, item["original"])
        raw = read(item["original"])
        got = hashlib.sha256(raw).hexdigest()
        report(iid, "sha256", iid, got, got == iid, "hashlib")
        for sig in item.get("dkim", []):
            what = "dkim d=%s s=%s #%d" % (sig["domain"], sig["selector"], sig["index"] + 1)
            if not sig.get("key_file"):
                report(iid, what, sig["leakcheck"], None, None, "no key in the case")
                continue
            key = read(sig["key_file"]).strip()
            got = dkim_result(dkim, raw, sig["index"], key)
            report(iid, what, sig["expect"], got, got == sig["expect"], "dkimpy " + sig["key_file"])
        for m in item.get("metadata", []):
            what = "metadata %s (%s)" % (m["field"], m["store"])
            if not exiftool:
                report(iid, what, m["value"], None, None, "exiftool not installed")
                continue
            values = exif_values(path, m["exiftool"])
            found = any(digits(v) == digits(m["value"]) for v in values)
            report(iid, what, m["value"], values, True if found else None,
                   "exiftool" if found else "exiftool, not among its values")
        if item.get("pdf_saves"):
            if not pdfresurrect:
                report(iid, "pdf saves", item["pdf_saves"], None, None, "pdfresurrect not installed")
            else:
                out = subprocess.run([pdfresurrect, "-q", path], capture_output=True, text=True)
                m = re.search(r":\s*(\d+)\s*$", out.stdout.strip())
                got = int(m.group(1)) if m else None
                report(iid, "pdf saves", item["pdf_saves"], got, got == item["pdf_saves"], "pdfresurrect")

    if as_json:
        print(json.dumps({"results": results, "differ": differ}, indent=1))
    else:
        for r in results:
            mark = {True: "agree", False: "DIFFER", None: "-"}[r["agree"]]
            print(
                "%-7s %s  %-40s leakcheck: %s | %s: %s"
                % (mark, r["item"][:12], r["check"][:40], r["leakcheck"], r["tool"], r["obtained"])
            )
        agree = sum(1 for r in results if r["agree"])
        print("\n%d agree, %d differ, %d not re-checked" % (agree, differ, len(results) - agree - differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
