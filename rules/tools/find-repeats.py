#!/usr/bin/env python3
"""find-repeats.py - list pattern text that the rule files spell more than once.

    rules/tools/find-repeats.py [RULES-DIR]           list the repeats (the pack in rules/ by default)
    rules/tools/find-repeats.py --check [RULES-DIR]   the same, and exit 1 if there is any (ctest runs this)

A repeat is a whole "pattern" string (as written in the file, before any {{part}} is
expanded) that appears in more than one matcher of the rule files: in two rules, or twice in
one. Each should be a named part in parts.json, written once and referred to as {{name}}
(rules/README.md, "Named parts"); a pattern that is nothing but references to parts
("{{privacy.age}}") is that fix, not a repeat. Short patterns such as "[!?]{3,}" count too (unless
--min N): a short pattern copied is still a copy.

It also lists the parts of parts.json that no pattern or part refers to.

For each repeat it prints how many times it is spelled, its length, the rules and fields
that spell it and its first characters. The summary line gives the number of repeated
patterns and the bytes of rules/*.json.
"""
import argparse
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = re.compile(r"\{\{([^{}]*)\}\}")
ONLY_REFS = re.compile(r"(?:\{\{[^{}]*\}\})+")


def patterns(node, path):
    """(field path, pattern) for every matcher pattern under node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                yield path + ".pattern" if path else "pattern", v
            else:
                yield from patterns(v, "%s.%s" % (path, k) if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from patterns(v, "%s[%d]" % (path, i))


def load(rules_dir):
    """The rule files' patterns, the parts and the total bytes of rules/*.json."""
    where = {}
    parts = {}
    total = 0
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.json"))):
        with open(path, "rb") as f:
            raw = f.read()
        total += len(raw)
        doc = json.loads(raw)
        name = os.path.basename(path)
        if isinstance(doc, dict) and isinstance(doc.get("parts"), dict):
            parts.update(doc["parts"])
        rules = doc if isinstance(doc, list) else doc.get("rules") if isinstance(doc, dict) else None
        for r in rules or []:
            for field, pat in patterns(r, ""):
                where.setdefault(pat, []).append("%s %s %s" % (name, r.get("id"), field))
    return where, parts, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rules", nargs="?", default=os.path.dirname(HERE))
    ap.add_argument("--check", action="store_true", help="exit 1 if any pattern is repeated")
    ap.add_argument("--min", type=int, default=0, help="ignore patterns shorter than this")
    ap.add_argument("--width", type=int, default=70, help="characters of each pattern shown")
    a = ap.parse_args()
    where, parts, total = load(a.rules)
    repeats = sorted(((p, w) for p, w in where.items()
                      if len(w) > 1 and len(p) >= a.min and not ONLY_REFS.fullmatch(p)),
                     key=lambda pw: (-len(pw[0]) * len(pw[1]), pw[0]))
    for pat, w in repeats:
        shown = pat if len(pat) <= a.width else pat[:a.width] + "..."
        print("%dx %d chars: %s" % (len(w), len(pat), shown))
        for place in w:
            print("    " + place)
    used = set()
    for text in list(where) + list(parts.values()):
        if isinstance(text, str):
            used.update(REF.findall(text))
    unused = sorted(set(parts) - used)
    for name in unused:
        print("unused part: %s" % name)
    spelled = sum(len(w) for w in where.values())
    print("%d repeated patterns (%d spellings of them) among %d patterns; %d parts, %d unused; "
          "rules/*.json: %d bytes" % (len(repeats), sum(len(w) for _, w in repeats), spelled,
                                      len(parts), len(unused), total))
    return 1 if a.check and (repeats or unused) else 0


if __name__ == "__main__":
    sys.exit(main())
