#!/usr/bin/env python3
"""Validates FollowTheMoney entities (one JSON object per line) with the
`followthemoney` package, strictly: every schema must exist and not be
abstract, every property must belong to it, every value must be valid for
the property's type (the type's own cleaning must keep it), required
properties must be present, and every entity reference must point at an
entity of the file, of the range the property allows.

Usage: ftm_validate.py FILE    prints a JSON summary; exit 1 on any error.
"""

import json
import sys

from followthemoney import model


def main(path):
    errors = []
    entities = {}
    refs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            data = json.loads(line)
            schema = model.get(data.get("schema"))
            if schema is None or schema.abstract:
                errors.append("line %d: schema %r" % (n, data.get("schema")))
                continue
            eid = data.get("id")
            if not eid or eid in entities:
                errors.append("line %d: id %r missing or repeated" % (n, eid))
            entities[eid] = schema
            props = data.get("properties", {})
            for name in schema.required:
                if not props.get(name):
                    errors.append("line %d: %s lacks required %s" % (n, schema.name, name))
            for name, values in props.items():
                prop = schema.get(name)
                if prop is None:
                    errors.append("line %d: %s has no property %r" % (n, schema.name, name))
                    continue
                for v in values:
                    if prop.type.name == "entity":
                        refs.append((n, prop, v))
                    elif prop.type.clean(v, proxy=None) is None:
                        errors.append("line %d: %s.%s: invalid %s %r" % (n, schema.name, name, prop.type.name, v))
            # The library's own parser must accept it too.
            model.get_proxy(data, cleaned=False)
    for n, prop, target in refs:
        schema = entities.get(target)
        if schema is None:
            errors.append("line %d: %s points at %r, not in the file" % (n, prop.name, target))
        elif not schema.is_a(prop.range):
            errors.append("line %d: %s points at a %s, not a %s" % (n, prop.name, schema.name, prop.range.name))
    counts = {}
    for s in entities.values():
        counts[s.name] = counts.get(s.name, 0) + 1
    print(json.dumps({"entities": len(entities), "by_schema": counts, "references": len(refs), "errors": errors[:50]}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
