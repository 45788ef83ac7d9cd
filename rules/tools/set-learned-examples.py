#!/usr/bin/env python3
"""set-learned-examples.py - writes the examples of the learned rules (rules/learned.json).

The learned rules' examples are sentences written here, by hand, for this purpose (never posts
of the training or test corpora); each must make its learned rule fire (match) or not (nomatch)
with the committed weights, which tests/rules (rule_examples) checks like any rule's examples.
Run it after training with the candidate sentences below: it keeps the candidates that behave
as they should and says which do not, so a retrained model that loses one is noticed.
Usage: rules/tools/set-learned-examples.py BUILD/postguard
"""
import json, subprocess, sys, os

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "..")
CANDIDATES = os.path.join(HERE, "learned-examples.json")

def learned_rules_fired(cli, text):
    r = subprocess.run([cli, "check", "--format", "json", "--rules", RULES, "-"],
                       input=text.encode(), capture_output=True)
    return {f["rule"] for f in json.loads(r.stdout)["findings"]}

def main():
    cli = sys.argv[1]
    cands = json.load(open(CANDIDATES))
    path = os.path.join(RULES, "learned.json")
    pack = json.load(open(path))
    for rule in pack["rules"]:
        cat = rule["category"]
        c = cands.get(cat, {"match": [], "nomatch": []})
        match = [t for t in c["match"] if rule["id"] in learned_rules_fired(cli, t)]
        nomatch = [t for t in c["nomatch"] if rule["id"] not in learned_rules_fired(cli, t)]
        for t in c["match"]:
            if t not in match: print(f"{rule['id']}: no longer fires on: {t}")
        for t in c["nomatch"]:
            if t not in nomatch: print(f"{rule['id']}: now fires on a fine sentence: {t}")
        if not match:
            sys.exit(f"{rule['id']}: no candidate sentence makes it fire; add some to {CANDIDATES}")
        rule["examples"] = {"match": match, "nomatch": nomatch}
    with open(path, "w") as f:
        json.dump(pack, f, indent=2, ensure_ascii=False)
        f.write("\n")

main()
