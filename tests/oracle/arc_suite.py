#!/usr/bin/env python3
"""Prints the ValiMail ARC validation suite as JSON lines, one per test:
{"scenario", "name", "description", "message", "cv", "keys": {name: txt}}.

The suite is YAML (several documents, one per scenario, each with its own
txt-records); Rust reads JSON, so this converts it. Key values are folded in
the YAML with spaces inside the base64; those spaces are removed.
Usage: arc_suite.py PATH/arc-draft-validation-tests.yml
"""
import json
import sys

import yaml

for scenario, doc in enumerate(yaml.safe_load_all(open(sys.argv[1], encoding="utf-8"))):
    keys = {name.lower().rstrip("."): "".join(str(value).split())
            for name, value in (doc.get("txt-records") or {}).items()}
    for name, test in doc["tests"].items():
        print(json.dumps({
            "scenario": scenario,
            "name": name,
            "description": test.get("description", ""),
            "message": test.get("message") or "",
            "cv": str(test.get("cv") or ""),
            "keys": keys,
        }))
