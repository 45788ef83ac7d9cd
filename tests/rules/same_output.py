#!/usr/bin/env python3
"""same_output.py - prove a change to the rule pack (or the engine) changed no output.

    tests/rules/same_output.py save DIR      run the CLI over every text, keep its JSON in DIR
    tests/rules/same_output.py compare DIR   run it again and compare with DIR byte for byte

The texts: every rule example in rules/*.json (match and nomatch), tests/eval/labelled.jsonl,
tests/corpus/train/*.jsonl and ../shared/corpus/*.jsonl (read where they are, never copied).
tests/corpus/test/ is a held-out split and is never read.

Each text goes to the real CLI (`postguard check --format json --rules rules -`) on its
standard input, one process per text, as pg-eval runs it. What is kept and compared is the
CLI's stdout and its exit status. The one field that differs from run to run, "elapsed"
(the time the check took), is written as 0 before comparing; every other byte must match.

DIR holds, per source, one line per text: its key (source file and line or rule id and
example number), the exit status and the output. No post text is written to DIR or printed:
a difference is reported by its key only.

Options: --cli PATH (default: the postguard binary found under build*/ at the top of the
repository, or $POSTGUARD_CLI), --rules PATH (default rules/), --jobs N (default 2).
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
if not os.path.isdir(SHARED_CORPUS):
    SHARED_CORPUS = "/work/shared/corpus"
ELAPSED = re.compile(rb'"elapsed":-?[0-9.eE+-]+')


def find_cli():
    if os.environ.get("POSTGUARD_CLI"):
        return os.environ["POSTGUARD_CLI"]
    found = sorted(glob.glob(os.path.join(ROOT, "build*", "postguard")),
                   key=lambda p: (not p.endswith("/build/postguard"), p))
    found = [p for p in found if os.access(p, os.X_OK)]
    if not found:
        sys.exit("same_output: no postguard under build*/ (build first, or give --cli)")
    return found[0]


def rule_texts(rules_dir):
    """(source, key, text) for every example of every rule file."""
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        rules = doc if isinstance(doc, list) else doc.get("rules")
        if not isinstance(rules, list):
            continue  # pack.json, parts.json
        src = "rules/" + os.path.basename(path)
        for r in rules:
            ex = r.get("examples") or {}
            for kind in ("match", "nomatch"):
                for i, t in enumerate(ex.get(kind) or []):
                    yield src, "%s:%s:%d" % (r.get("id"), kind, i), t


def jsonl_texts(path, label):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                yield label, "%s:%d" % (label, n), json.loads(line)["text"]


def all_texts(rules_dir):
    yield from rule_texts(rules_dir)
    yield from jsonl_texts(os.path.join(ROOT, "tests/eval/labelled.jsonl"), "tests/eval/labelled.jsonl")
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/corpus/train/*.jsonl"))):
        yield from jsonl_texts(p, "tests/corpus/train/" + os.path.basename(p))
    for p in sorted(glob.glob(os.path.join(SHARED_CORPUS, "*.jsonl"))):
        yield from jsonl_texts(p, "shared/corpus/" + os.path.basename(p))


def run(cli, rules_dir, text):
    p = subprocess.run([cli, "check", "--format", "json", "--rules", rules_dir, "-"],
                       input=text.encode("utf-8"), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return p.returncode, ELAPSED.sub(b'"elapsed":0', p.stdout).decode("utf-8", "replace")


def outputs(cli, rules_dir, jobs):
    items = list(all_texts(rules_dir))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda it: run(cli, rules_dir, it[2]), items))
    by_source = {}
    for (src, key, _), (rc, out) in zip(items, results):
        by_source.setdefault(src, []).append({"key": key, "rc": rc, "out": out})
    return by_source


def file_for(d, src):
    return os.path.join(d, src.replace("/", "__") + ".out.jsonl")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["save", "compare"])
    ap.add_argument("dir")
    ap.add_argument("--cli")
    ap.add_argument("--rules", default=os.path.join(ROOT, "rules"))
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    cli = a.cli or find_cli()
    got = outputs(cli, a.rules, a.jobs)
    total = sum(len(v) for v in got.values())
    if a.mode == "save":
        os.makedirs(a.dir, exist_ok=True)
        for src, rows in got.items():
            with open(file_for(a.dir, src), "w", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print("same_output: saved the output for %d texts from %d sources in %s (cli %s)"
              % (total, len(got), a.dir, cli))
        return 0
    same = differ = 0
    missing = []
    for src, rows in sorted(got.items()):
        path = file_for(a.dir, src)
        if not os.path.exists(path):
            missing.append(src)
            differ += len(rows)
            continue
        with open(path, encoding="utf-8") as f:
            before = {r["key"]: r for r in map(json.loads, f)}
        for row in rows:
            b = before.pop(row["key"], None)
            if b is not None and b["rc"] == row["rc"] and b["out"].encode() == row["out"].encode():
                same += 1
            else:
                differ += 1
                print("differs: %s" % row["key"])  # the key only, never the text
        for key in before:
            differ += 1
            print("gone: %s" % key)
    for src in missing:
        print("no saved output for %s" % src)
    print("same_output: %d of %d texts byte-identical, %d differ" % (same, same + differ, differ))
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
