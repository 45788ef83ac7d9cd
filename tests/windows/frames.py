#!/usr/bin/env python3
"""tests/windows/frames.py - frames for the Windows framing test, and the check of what came back.

  frames.py write FILE   the request stream: a 26-byte frame (its header starts with 0x1A, the
                         byte a text-mode C runtime reads as end of file) whose body holds 0x1A,
                         CR LF and a lone LF; a frame of exactly 1 MiB (the largest reply the
                         browser takes); one of 1 MiB + 1; and a last small frame
  frames.py check FILE   FILE holds the replies: every body back byte for byte, the 1 MiB + 1 one
                         answered "refused", the stream in step to the last frame
Exits 0 when the check passes, 1 with the reason otherwise."""
import struct
import sys

MIB = 1024 * 1024


def bodies():
    sub = b'{"t":"\x1a\r\n\n\x1a ok"}'
    sub = sub + b" " * (26 - len(sub))
    assert len(sub) == 26
    big = b"A" * (MIB - 2) + b"\r\n"
    return [sub, big, big + b"B", b'{"last":true}']


def main():
    mode, path = sys.argv[1], sys.argv[2]
    want = bodies()
    if mode == "write":
        with open(path, "wb") as f:
            for b in want:
                f.write(struct.pack("<I", len(b)) + b)
        return 0
    data = open(path, "rb").read()
    expect = [want[0], want[1], b"refused", want[3]]
    pos = 0
    for i, e in enumerate(expect):
        if pos + 4 > len(data):
            print(f"reply {i}: missing (stream ended at byte {pos})")
            return 1
        (n,) = struct.unpack("<I", data[pos:pos + 4])
        body = data[pos + 4:pos + 4 + n]
        pos += 4 + n
        if body != e:
            print(f"reply {i}: {n} bytes, differs from the {len(e)} expected")
            return 1
    if pos != len(data):
        print(f"{len(data) - pos} bytes after the last reply")
        return 1
    print("4 replies intact (26-byte frame with 0x1A and CR LF, 1 MiB, 1 MiB + 1 refused, last)")
    return 0


sys.exit(main())
