#!/usr/bin/env python3
"""tests/windows/host.py - the real Windows programs under wine: postguard-host.exe over pipes,
and postguard.exe against the Linux command line.

  host.py BIN LINUX_CLI

BIN holds postguard-host.exe and postguard.exe (the mingw-w64 build); LINUX_CLI is the Linux
build's postguard. WINEPREFIX must be set (tests/suites/windows.sh makes a temporary one); the
programs and the pack are copied into it, and the files planted there (C:\\etc, C:\\rules,
%ProgramData%) are removed again at the end.

  - hello is answered in a frame, also when the request is a 26-byte frame (its length header
    starts with 0x1A, the byte a text-mode C runtime takes for the end of the file), and the
    frames after it are still read;
  - one example of each rules file gives its rule;
  - UTF-16 offsets stay right after "Café ☕ 😀 — " (an accent, a BMP symbol, a surrogate pair,
    a dash);
  - the pack is found beside the .exe, in a folder with non-ASCII letters and spaces; without
    one beside it, a pack planted in C:\\rules or C:\\usr\\local\\share\\postguard is not used;
  - a planted C:\\etc\\postguard\\config.json is ignored, even named in POSTGUARD_CONFIG, and
    %ProgramData%\\PostGuard\\config.json is applied;
  - the CLI keeps its offsets on CRLF input (a file, and stdin), the same as the Linux CLI's;
  - the CLI on every example of the pack, the rule cases and the labelled posts prints the same
    JSON as the Linux CLI (less the timing);
  - the host's stderr holds none of the texts it was sent.

Post texts are never printed: a failure names the rule, the file and the offsets. Prints one
"ok"/"FAIL" line per check and "N passed, N failed" last; exits 1 when any check failed."""
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PREFIX = "Café ☕ 😀 — "
passed = 0
failed = 0


def ok(what):
    global passed
    passed += 1
    print(f"ok   {what}", flush=True)


def fail(what):
    global failed
    failed += 1
    print(f"FAIL {what}", flush=True)


def check(cond, what, why=""):
    if cond:
        ok(what)
    else:
        fail(f"{what}{': ' + why if why else ''}")
    return cond


def u16len(s):
    return len(s.encode("utf-16-le")) // 2


def u16slice(s, a, b):
    return s.encode("utf-16-le")[2 * a:2 * b].decode("utf-16-le")


def frame(obj_or_bytes):
    b = obj_or_bytes if isinstance(obj_or_bytes, bytes) else json.dumps(obj_or_bytes).encode()
    return struct.pack("<I", len(b)) + b


def unframe(data):
    out, pos = [], 0
    while pos + 4 <= len(data):
        (n,) = struct.unpack("<I", data[pos:pos + 4])
        out.append(json.loads(data[pos + 4:pos + 4 + n]))
        pos += 4 + n
    return out, len(data) - pos


def wine_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("POSTGUARD_RULES", "POSTGUARD_CONFIG", "POSTGUARD_USER_CONFIG", "POSTGUARD_LOG")}
    env.update(extra)
    return env


sent_texts = []
host_stderr = []


def host(exe, requests, env=None):
    """Start exe under wine, send the frames, close stdin; the replies (parsed) and the status."""
    stream = b"".join(frame(r) for r in requests)
    for r in requests:
        if isinstance(r, dict) and "text" in r:
            sent_texts.append(r["text"])
    p = subprocess.run(["wine", exe], input=stream, capture_output=True, env=env or wine_env(),
                       timeout=300)
    host_stderr.append(p.stderr.decode("utf-8", "replace"))
    replies, rest = unframe(p.stdout)
    return replies, rest, p.returncode


def findings(reply, rule):
    return [f for f in reply.get("findings", []) if f["rule"] == rule]


def rules_files():
    """(file name, its rules) for every rules file of the pack, in name order."""
    for f in sorted(glob.glob(os.path.join(ROOT, "rules", "*.json"))):
        doc = json.load(open(f, encoding="utf-8"))
        if "rules" in doc:  # not pack.json or parts.json
            yield os.path.basename(f), doc["rules"]


def first_examples():
    """(rules file, rule id, its first match example) for every rules file."""
    out = []
    for name, rules in rules_files():
        r = next((r for r in rules if r.get("examples", {}).get("match")), None)
        if r:
            out.append((name, r["id"], r["examples"]["match"][0]))
    return out


def all_texts():
    """Every example of the pack (match and nomatch), the rule cases, the labelled posts."""
    texts = [t for _, rules in rules_files() for r in rules
             for kind in ("match", "nomatch") for t in r.get("examples", {}).get(kind, [])]
    texts += [c["text"] for c in json.load(open(os.path.join(ROOT, "tests/rules/cases.json"), encoding="utf-8"))]
    with open(os.path.join(ROOT, "tests/eval/labelled.jsonl"), encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f if line.strip()]
    return texts


def strip_timing(obj):
    obj = dict(obj)
    obj.pop("elapsed", None)
    return obj


def main():
    global failed
    bin_dir, linux_cli = sys.argv[1], os.path.abspath(sys.argv[2])
    drive_c = os.path.join(os.environ["WINEPREFIX"], "drive_c")
    planted = []

    def plant(rel, content=None, tree=None):
        path = os.path.join(drive_c, rel)
        top = os.path.join(drive_c, rel.split("/")[0])
        if not os.path.exists(top):
            planted.append(top)
        if tree:
            shutil.copytree(tree, path, ignore=shutil.ignore_patterns("tools", "README*"),
                            dirs_exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
        return path

    # the programs with the pack beside them, in a folder with accents and spaces
    home = os.path.join(drive_c, "users", "Zoë Lévesque", "PG Host")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    for exe in ("postguard-host.exe", "postguard.exe"):
        shutil.copy(os.path.join(bin_dir, exe), home)
    shutil.copytree(os.path.join(ROOT, "rules"), os.path.join(home, "rules"),
                    ignore=shutil.ignore_patterns("tools", "README*"))
    hexe = os.path.join(home, "postguard-host.exe")
    cexe = os.path.join(home, "postguard.exe")
    # no configuration files but the ones a check plants
    progdata_cfg = os.path.join(drive_c, "ProgramData", "PostGuard", "config.json")
    saved_cfg = None
    if os.path.exists(progdata_cfg):
        saved_cfg = open(progdata_cfg, "rb").read()
        os.remove(progdata_cfg)

    try:
        # --- hello, the 26-byte frame, one example per rules file, UTF-16 offsets ------------
        hello26 = b'{"type":"hello", "id":123}'
        assert len(hello26) == 26 and frame(hello26)[0] == 0x1A
        examples = first_examples()
        fixed = next(e for e in examples if e[1] == "privacy.identifiable-patient")
        reqs = [{"type": "hello", "id": 1}, hello26]
        reqs += [{"type": "check", "id": 100 + i, "text": t} for i, (_, _, t) in enumerate(examples)]
        reqs += [{"type": "check", "id": 200, "text": fixed[2]},
                 {"type": "check", "id": 201, "text": PREFIX + fixed[2]},
                 {"type": "hello", "id": "last"}]
        replies, rest, rc = host(hexe, reqs)
        by_id = {r.get("id"): r for r in replies}
        check(len(replies) == len(reqs) and rest == 0 and rc == 0,
              f"the host answers each of {len(reqs)} frames with one frame, then ends with status 0",
              f"{len(replies)} replies, {rest} bytes left over, status {rc}")
        where = "C:\\users\\Zoë Lévesque\\PG Host\\rules"
        check(f"from {where}," in host_stderr[-1],
              f"the host loads the pack beside the .exe, {where} (its log says where from)",
              host_stderr[-1].splitlines()[0][:200] if host_stderr[-1] else "no log")
        h = by_id.get(1, {})
        check(h.get("type") == "hello" and h.get("protocol") == 1 and h.get("pack", {}).get("rules", 0) > 0
              and h.get("config_problem") is None,
              f"hello: protocol 1, pack {h.get('pack', {}).get('id')} with {h.get('pack', {}).get('rules')} rules, "
              "no configuration problem", json.dumps(h)[:300])
        h26 = by_id.get(123, {})
        check(h26.get("type") == "hello" and by_id.get("last", {}).get("type") == "hello",
              "a 26-byte hello (header 0x1A 00 00 00) is answered, and the frames after it are read",
              f"id 123: {h26.get('type')}, last: {by_id.get('last', {}).get('type')}")
        for i, (fname, rule, _) in enumerate(examples):
            got = [f["rule"] for f in by_id.get(100 + i, {}).get("findings", [])]
            check(rule in got, f"{fname}: its first example gives {rule}", f"got {got}")
        a = findings(by_id.get(200, {}), fixed[1])
        b = findings(by_id.get(201, {}), fixed[1])
        shift = u16len(PREFIX)
        if check(a and b, f"{fixed[1]} with and without the prefix"):
            fa, fb = a[0], b[0]
            same = (fb["start"] == fa["start"] + shift and fb["end"] == fa["end"] + shift and
                    [[s + shift, e + shift] for s, e in fa["spans"]] == fb["spans"])
            texts_equal = all(u16slice(PREFIX + fixed[2], s2, e2) == u16slice(fixed[2], s1, e1)
                              for (s1, e1), (s2, e2) in zip(fa["spans"], fb["spans"]))
            check(same and texts_equal,
                  f"UTF-16 offsets after a {shift}-unit prefix (é, ☕, a surrogate pair, —): "
                  f"{fa['start']}-{fa['end']} becomes {fb['start']}-{fb['end']}, the same underlined text",
                  f"without: {fa['spans']}, with: {fb['spans']}")

        # --- the pack beside the .exe, and nowhere else ---------------------------------------
        nopack = os.path.join(drive_c, "PGnopack")
        planted.append(nopack)
        os.makedirs(nopack, exist_ok=True)
        shutil.copy(hexe, nopack)
        shutil.copy(cexe, nopack)
        plant("rules", tree=os.path.join(ROOT, "rules"))
        plant("usr/local/share/postguard/rules", tree=os.path.join(ROOT, "rules"))
        replies, _, _ = host(os.path.join(nopack, "postguard-host.exe"),
                             [{"type": "check", "id": 1, "text": fixed[2]}])
        r = replies[0] if replies else {}
        msg = r.get("message", "")
        check(r.get("code") == "no_rule_pack" and "C:\\PGnopack\\rules" in msg and "share" not in msg
              and "C:\\rules" not in msg,
              "no pack beside the .exe: no_rule_pack, naming only C:\\PGnopack\\rules "
              "(a planted C:\\rules and C:\\usr\\local\\share\\postguard\\rules are not used)",
              f"{r.get('code')}: {msg[:200]}")
        p = subprocess.run(["wine", os.path.join(nopack, "postguard.exe"), "rules"], capture_output=True,
                           env=wine_env(), timeout=120)
        check(p.returncode == 2 and b"C:\\PGnopack\\rules" in p.stderr,
              "the CLI without a pack beside it stops with status 2", f"status {p.returncode}")

        # --- configuration: never C:\etc, always %ProgramData% --------------------------------
        rule = fixed[1]
        plant("etc/postguard/config.json", json.dumps({"disable": [rule]}))
        replies, _, _ = host(hexe, [{"type": "hello", "id": 1}, {"type": "check", "id": 2, "text": fixed[2]}],
                             env=wine_env(POSTGUARD_CONFIG="C:\\etc\\postguard\\config.json"))
        got = [f["rule"] for f in (replies[1] if len(replies) > 1 else {}).get("findings", [])]
        check(rule in got and replies[0].get("config_problem") is None,
              f"a planted C:\\etc\\postguard\\config.json disabling {rule} is ignored, even named in POSTGUARD_CONFIG",
              f"got {got}")
        os.makedirs(os.path.dirname(progdata_cfg), exist_ok=True)
        with open(progdata_cfg, "w", encoding="utf-8") as f:
            json.dump({"disable": [rule], "severity": {examples[0][1]: "low"}}, f)
        reqs = [{"type": "hello", "id": 1}, {"type": "check", "id": 2, "text": fixed[2]},
                {"type": "check", "id": 3, "text": examples[0][2]}]
        replies, _, _ = host(hexe, reqs)
        by_id = {r.get("id"): r for r in replies}
        got = [f["rule"] for f in by_id.get(2, {}).get("findings", [])]
        sev = [f["severity"] for f in findings(by_id.get(3, {}), examples[0][1])]
        check(rule not in got and sev and set(sev) == {"low"} and by_id.get(1, {}).get("config_problem") is None,
              f"%ProgramData%\\PostGuard\\config.json is applied: {rule} disabled, {examples[0][1]} made low",
              f"got {got}, severity {sev}, problem {by_id.get(1, {}).get('config_problem')}")
        os.remove(progdata_cfg)

        # --- the CLI: CRLF keeps the offsets -------------------------------------------------
        work = tempfile.mkdtemp(dir=drive_c, prefix="pgcli")
        planted.append(work)
        crlf = ("Line one\r\n" + PREFIX + fixed[2] + "\r\nend\r\n").encode("utf-8")
        with open(os.path.join(work, "crlf.txt"), "wb") as f:
            f.write(crlf)
        lin = subprocess.run([linux_cli, "check", "--format", "json", "--rules", os.path.join(ROOT, "rules"),
                              "crlf.txt"], cwd=work, capture_output=True, env=linux_env(work))
        win = subprocess.run(["wine", cexe, "check", "--format", "json", "crlf.txt"], cwd=work,
                             capture_output=True, env=wine_env(), timeout=120)
        wins = subprocess.run(["wine", cexe, "check", "--format", "json", "-"], input=crlf,
                              capture_output=True, env=wine_env(), timeout=120)
        try:
            jl, jw, js = (strip_timing(json.loads(x.stdout)) for x in (lin, win, wins))
        except ValueError:
            jl = jw = js = {}
        fl = findings(jl, rule)
        text = crlf.decode("utf-8")
        expect = u16slice(fixed[2], *a[0]["spans"][0]) if a else None
        check(fl and jw == jl and js == jl and u16slice(text, *fl[0]["spans"][0]) == expect,
              "CRLF input to the CLI (a file, and stdin): the same offsets as the Linux CLI's, on the same "
              f"underlined text ({rule} at {fl[0]['start'] if fl else '?'})",
              f"linux {fl[:1] and fl[0]['spans']}, windows {findings(jw, rule)[:1] and findings(jw, rule)[0]['spans']}, "
              f"stdin {findings(js, rule)[:1] and findings(js, rule)[0]['spans']}")

        # --- the CLI on every example, the rule cases and the labelled posts ------------------
        texts = all_texts()
        names = []
        for i, t in enumerate(texts):
            names.append(f"t{i:04d}.txt")
            with open(os.path.join(work, names[-1]), "w", encoding="utf-8", newline="") as f:
                f.write(t)
        lin = subprocess.run([linux_cli, "check", "--format", "json", "--rules", os.path.join(ROOT, "rules")]
                             + names, cwd=work, capture_output=True, env=linux_env(work))
        win = subprocess.run(["wine", cexe, "check", "--format", "json"] + names, cwd=work,
                             capture_output=True, env=wine_env(), timeout=600)
        try:
            rl = [strip_timing(json.loads(x)) for x in lin.stdout.splitlines() if x.strip()]
            rw = [strip_timing(json.loads(x)) for x in win.stdout.splitlines() if x.strip()]
        except ValueError as e:
            rl, rw = [], []
            print(f"     unreadable JSON: {e}")
        nl = sum(len(r.get("findings", [])) for r in rl)
        nw = sum(len(r.get("findings", [])) for r in rw)
        differ = [l.get("file") for l, w in zip(rl, rw) if l != w]
        check(len(rl) == len(texts) and rl == rw and lin.returncode == win.returncode,
              f"the CLI on {len(texts)} texts (every example, the rule cases, the labelled posts): "
              f"{nw} findings in {sum(1 for r in rw if r.get('findings'))} texts, the same JSON as the Linux CLI's "
              f"({nl} findings; status {win.returncode} and {lin.returncode})",
              f"{len(rw)} and {len(rl)} results, {len(differ)} differ (first: {differ[:5]})")
        for l, w in list(zip(rl, rw))[:200]:
            if l != w:
                print(f"     {l.get('file')}: linux {[(f['rule'], f['start'], f['end']) for f in l.get('findings', [])]}"
                      f" windows {[(f['rule'], f['start'], f['end']) for f in w.get('findings', [])]}")
                break

        # --- privacy: the host's log holds no text --------------------------------------------
        log = "\n".join(host_stderr)
        leaked = sum(1 for t in sent_texts if len(t) >= 8 and t in log)
        check(leaked == 0, f"the host's stderr ({len(log)} bytes, {len(host_stderr)} runs) holds none of the "
              f"{len(sent_texts)} texts sent", f"{leaked} found")
    finally:
        for p in planted:
            shutil.rmtree(p, ignore_errors=True)
        if saved_cfg is not None:
            with open(progdata_cfg, "wb") as f:
                f.write(saved_cfg)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def linux_env(work):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTGUARD_")}
    # no configuration file of the machine's or the user's: both CLIs see the bare pack
    env["POSTGUARD_CONFIG"] = os.path.join(work, "no-such-clinic.json")
    env["POSTGUARD_USER_CONFIG"] = os.path.join(work, "no-such-user.json")
    return env


sys.exit(main())
