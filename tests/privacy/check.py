#!/usr/bin/env python3
# tests/privacy/check.py HOST PACK WORKDIR - runs the real postguard-host at its most verbose
# (POSTGUARD_LOG=debug) under strace over a set of posts, and fails when any of the posts' text
# (any 8-character substring) is found in its stderr or in its replies, when a reply holds a
# string that is not the rule pack's own, when stdout holds anything but frames, or when the
# host opened a file for writing, wrote to a descriptor other than stdout/stderr, or touched
# the network.
import json, os, re, struct, subprocess, sys

host, pack, work = sys.argv[1:4]

# Posts with details that must never leave the host: names, numbers, places, words of their own.
POSTS = [
    "67M from Zyxwick in bed 4 at Quorndale General last night with a rare sarcoma, Mr. Bartholomew Quigglesworth",
    "DM me your symptoms, Hildegard Vanterpool, and I'll sort out your prescription tonight 💊",
    "Her PHN is 9734 281 656 and her OHIP 4532 015 114; the front desk lost the Ferncastle referral again",
    "Sick of the drug seekers and frequent flyers from Plumbrook Estates in my waiting room 🙄",
    "Ma patiente de 34 ans à Saint-Élphège-des-Bruyères hier soir, une histoire incroyable 😮",
    "Flu shots are in at the Wexborough pharmacy, free for everyone over six months 💉",
    "Use my code QUILLTOAD25 for 25% off the Moonwhistle supplement, it cures fatigue in two weeks",
    "I AM SO DONE WITH THE GRIMSBECK HOSPITAL!!!! SIX HOURS FOR A CT READ!!!!",
    "Looked up my patient Cornelius Ashgrove-Pemberton on Instagram last night, wow",
    "Just between us in this closed group: guess who came into the Thistlewood ER today 🤫",
    "患者さん Zebulon Okonkwo-Farrow 病院 bed 12, emoji ZWJ 👩‍⚕️👨🏽‍⚕️ and flags 🇨🇦",
]

def frame(obj):
    b = json.dumps(obj, ensure_ascii=False).encode()
    return struct.pack("=I", len(b)) + b

requests = [frame({"type": "hello", "id": 1})]
for i, p in enumerate(POSTS):
    requests.append(frame({"type": "check", "id": 100 + i, "text": p, "site": "x"}))
requests.append(frame({"type": "explain", "id": 2, "rule": "privacy.identifiable-patient"}))
requests.append(frame({"type": "configure", "id": 3, "config": {"lexicons": {"places": ["Zyxwick"]}}}))
for i, p in enumerate(POSTS):
    requests.append(frame({"type": "check", "id": 200 + i, "text": p}))

env = dict(os.environ, POSTGUARD_LOG="debug", POSTGUARD_CONFIG="/nonexistent/pg-system.json",
           POSTGUARD_USER_CONFIG="/nonexistent/pg-user.json")
env.pop("POSTGUARD_RULES", None)
trace = os.path.join(work, "strace.log")
r = subprocess.run(["strace", "-f", "-qq", "-e", "signal=none", "-s", "0",
                    "-e", "trace=%file,%network,write,writev,pwrite64,pwritev,sendfile",
                    "-o", trace, host, "--rules", pack],
                   input=b"".join(requests), capture_output=True, env=env, timeout=600)
failures = []
def fail(msg):
    failures.append(msg)

if r.returncode != 0:
    fail("the host exited %d" % r.returncode)
stderr = r.stderr.decode("utf-8", "replace")

# stdout: frames and nothing else
replies, pos, out = [], 0, r.stdout
while pos + 4 <= len(out):
    (n,) = struct.unpack("=I", out[pos:pos + 4])
    if pos + 4 + n > len(out):
        break
    replies.append(json.loads(out[pos + 4:pos + 4 + n].decode()))
    pos += 4 + n
if pos != len(out):
    fail("stdout holds %d bytes that are not frames" % (len(out) - pos))
if len(replies) != len(requests):
    fail("%d replies to %d requests" % (len(replies), len(requests)))
for rep in replies:
    if rep.get("type") == "error":
        fail("an error reply: %s" % rep.get("code"))

# the pack's own strings: the only text a reply may carry
allowed = set()
def strings(j, into):
    if isinstance(j, str):
        into.add(j)
    elif isinstance(j, dict):
        for k, v in j.items():
            into.add(k)
            strings(v, into)
    elif isinstance(j, list):
        for v in j:
            strings(v, into)
packtext = []
for root, _, files in os.walk(pack):
    for f in files:
        path = os.path.join(root, f)
        text = open(path, encoding="utf-8").read()
        packtext.append(text)
        if f.endswith(".json"):
            strings(json.loads(text), allowed)
        else:
            allowed.update(l.strip() for l in text.splitlines())
packlow = "\n".join(packtext).lower()
replystrings = set()
for rep in replies:
    strings(rep, replystrings)
protocol_words = {"hello", "result", "explanation", "configured", "x", "none", "low", "medium",
                  "high", "privacy.identifiable-patient", "0.1.0", os.path.abspath(pack), pack}
foreign = sorted(s for s in replystrings if s not in allowed and s not in protocol_words
                 and not re.fullmatch(r"[a-z_]+", s))
for s in foreign:
    fail("a reply holds a string that is not the pack's: %r" % s[:80])

# no 8-character piece of any post in stderr or the replies (pieces that are also words of the
# pack itself, like " patient", can legitimately be in a reply's explanation: the reply check
# skips those, stderr gets none)
replytext = json.dumps(replies, ensure_ascii=False).lower()
stderrlow = stderr.lower()
pieces = 0
for p in POSTS:
    low = p.lower()
    for i in range(len(low) - 7):
        w = low[i:i + 8]
        if not w.strip():
            continue
        pieces += 1
        if w in stderrlow:
            fail("stderr holds %r from a post" % w)
        if w not in packlow and w in replytext:
            fail("a reply holds %r from a post" % w)

# strace: no writing, no network
bad = []
opens = writes = 0
for line in open(trace, encoding="utf-8", errors="replace"):
    m = re.match(r"\d+\s+(\w+)\((.*)", line)
    if not m:
        continue
    call, args = m.groups()
    if call in ("open", "openat", "creat"):
        opens += 1
        if call == "creat" or re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND", args):
            bad.append(line.strip())
    elif call in ("write", "writev", "pwrite64", "pwritev", "sendfile"):
        writes += 1
        fd = re.match(r"(\d+)", args)
        if not fd or fd.group(1) not in ("1", "2"):
            bad.append(line.strip())
    elif call in ("socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
                  "sendto", "sendmsg", "recvfrom", "recvmsg", "unlink", "unlinkat", "rename",
                  "renameat", "renameat2", "mkdir", "mkdirat", "truncate", "link", "linkat",
                  "symlink", "symlinkat", "chmod", "fchmodat", "execve"):
        if call == "execve" and host in args and "= 0" in line:
            continue  # strace starting the host itself
        bad.append(line.strip())
for b in bad[:20]:
    fail("the host did this: %s" % b)

print("privacy: %d posts checked twice (%d 8-character pieces), %d replies, %d bytes of debug log, "
      "%d file opens (all read-only), %d writes (all to stdout/stderr), no network"
      % (len(POSTS), pieces, len(replies), len(stderr), opens, writes))
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
