#!/usr/bin/env python3
"""Folders, messages and attachments per PST: readpst (pst-utils), pffexport
(pff-tools) and leakcheck side by side, on every PST of the shared corpus.

    python3 bench/outlook_counts.py [PST_DIR] [--json OUT]

Installs pst-utils and pff-tools with apt-get when they are missing. Uses
target/release/leakcheck (built if missing; LEAKCHECK=path overrides).

How each tool is counted:
- readpst -j 0 -D -S (one process: its parallel jobs race and lose files;
  deleted items included; one file per message): folders are
  the folders it writes, messages its numbered files, attachments its
  "N-name" files less the "rtf-body.rtf" it writes for RTF bodies. readpst
  also writes an empty message (From: <MAILER-DAEMON>, no subject, no part)
  for a folder that holds subfolders: those are not counted.
- pffexport (default "items" mode: the allocated items under the root
  folder): folders are its folders other than item and Attachments folders,
  messages its item folders (Message, Contact, Appointment... followed by
  digits) outside Attachments, attachments the entries of Attachments folders.
- leakcheck: the PST container's detail in `show --json` (folders under the
  root folder, the root included; messages emitted and failed; attachments
  written as MIME parts, at every level of embedded messages).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITEM_DIR = re.compile(r"^(Message|Contact|Appointment|Task|Note|Meeting|Activity|DistributionList|Item|Document|Conflict|RSS)\d+$")


def ensure_tools():
    if shutil.which("readpst") and shutil.which("pffexport"):
        return
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "pst-utils", "pff-tools"], check=True,
                   stdout=subprocess.DEVNULL)


def leakcheck_binary():
    exe = os.environ.get("LEAKCHECK")
    if exe:
        return exe
    exe = ROOT / "target" / "release" / "leakcheck"
    if not exe.exists():
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "leakcheck"], cwd=ROOT, check=True)
    return str(exe)


def readpst_counts(pst, tmp):
    out = Path(tmp) / "readpst"
    out.mkdir()
    r = subprocess.run(["readpst", "-j", "0", "-D", "-S", "-o", str(out), str(pst)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    folders = messages = attachments = 0
    for here, dirs, files in os.walk(out):
        folders += len(dirs)
        for f in files:
            if re.fullmatch(r"\d+", f):
                messages += not is_placeholder(Path(here) / f)
            elif re.fullmatch(r"\d+-.*", f) and not f.endswith("-rtf-body.rtf"):
                attachments += 1
    return folders, messages, attachments


def is_placeholder(path):
    """readpst's stand-in for a folder: no sender, no subject, no part."""
    data = path.read_bytes()
    head, _, body = data.partition(b"\n\n")
    return (b"From: <MAILER-DAEMON>" in head and b"\nSubject: \n" in head + b"\n"
            and b"Content-Type:" not in body)


def pffexport_counts(pst, tmp):
    base = Path(tmp) / "pff"
    r = subprocess.run(["pffexport", "-q", "-t", str(base), str(pst)],
                       capture_output=True, text=True)
    out = Path(str(base) + ".export")
    if r.returncode != 0 or not out.exists():
        return None
    folders = messages = attachments = 0
    for path, dirs, _files in os.walk(out):
        parts = Path(path).relative_to(out).parts
        in_item = any(ITEM_DIR.match(p) or p == "Attachments" for p in parts)
        if Path(path).name == "Attachments":
            attachments += len(os.listdir(path))
        for d in dirs:
            if ITEM_DIR.match(d):
                if not in_item:
                    messages += 1
            elif d != "Attachments" and not in_item:
                folders += 1
    return folders, messages, attachments


def leakcheck_counts(exe, pst, tmp):
    case = Path(tmp) / "case"
    subprocess.run([exe, "init", str(case), "-q"], check=True, capture_output=True)
    subprocess.run([exe, "ingest", str(case), str(pst), "-q"], capture_output=True)
    ls = subprocess.run([exe, "ls", str(case), "--kind", "pst", "--json"],
                        capture_output=True, text=True)
    rows = [json.loads(line) for line in ls.stdout.splitlines() if line.strip()]
    if not rows:
        errors = subprocess.run([exe, "errors", str(case), "--json"], capture_output=True, text=True)
        reasons = [json.loads(line)["reason"] for line in errors.stdout.splitlines() if line.strip()]
        return None, "; ".join(reasons)
    show = subprocess.run([exe, "show", str(case), rows[0]["id"], "--json"],
                          capture_output=True, text=True, check=True)
    container = json.loads(show.stdout)["container"]
    d = container.get("detail") or {}
    counts = (d.get("folders", 0), d.get("messages_emitted", 0), d.get("attachments_emitted", 0))
    note = []
    if d.get("messages_failed"):
        note.append(f"{d['messages_failed']} failed")
    if container["expected"] != container["emitted"] + container["failed"]:
        note.append(f"store declares {container['expected']}")
    return counts, ", ".join(note)


def main():
    args = sys.argv[1:]
    out_json = None
    if "--json" in args:
        i = args.index("--json")
        out_json = args[i + 1]
        del args[i:i + 2]
    pst_dir = Path(args[0]) if args else ROOT.parent / "shared" / "corpus" / "email" / "pst"
    if not pst_dir.exists():
        print(f"skipped: {pst_dir} not found")
        return
    ensure_tools()
    exe = leakcheck_binary()
    rows = []
    for pst in sorted(pst_dir.rglob("*.pst")) + sorted(pst_dir.rglob("*.ost")):
        with tempfile.TemporaryDirectory() as tmp:
            rp = readpst_counts(pst, tmp)
            pf = pffexport_counts(pst, tmp)
            lc, note = leakcheck_counts(exe, pst, tmp)
        rows.append({"pst": str(pst.relative_to(pst_dir)), "readpst": rp, "pffexport": pf,
                     "leakcheck": lc, "note": note})

    def cell(c):
        return "error" if c is None else "/".join(str(x) for x in c)

    print("folders/messages/attachments per PST\n")
    print(f"| {'PST':<70} | readpst | pffexport | leakcheck | note |")
    print(f"|{'-' * 72}|---:|---:|---:|---|")
    missing = 0
    for r in rows:
        lc_msgs = r["leakcheck"][1] if r["leakcheck"] else 0
        best = max([c[1] for c in (r["readpst"], r["pffexport"]) if c] or [0])
        flag = ""
        if lc_msgs < best:
            missing += best - lc_msgs
            flag = f" **{best - lc_msgs} fewer messages**"
        print(f"| {r['pst']:<70} | {cell(r['readpst'])} | {cell(r['pffexport'])} | "
              f"{cell(r['leakcheck'])} | {r['note']}{flag} |")
    total = lambda k, i: sum(r[k][i] for r in rows if r[k])
    print(f"| {'total':<70} | {total('readpst', 0)}/{total('readpst', 1)}/{total('readpst', 2)} | "
          f"{total('pffexport', 0)}/{total('pffexport', 1)}/{total('pffexport', 2)} | "
          f"{total('leakcheck', 0)}/{total('leakcheck', 1)}/{total('leakcheck', 2)} | |")
    print(f"\nmessages found by readpst or pffexport but not by leakcheck: {missing}")
    if out_json:
        Path(out_json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
