#!/usr/bin/env bash
# packaging/nmsend.sh - talks to a native-messaging host exactly as a browser does: each request
# as a frame (4-byte length in this machine's byte order + UTF-8 JSON) on the host's stdin.
#
# Usage: packaging/nmsend.sh HOST REQUEST-JSON...
# Starts HOST with the caller-origin argument Chrome passes, sends the requests, closes its
# stdin, and prints each reply frame's JSON on its own line. Exit status: 0 when the host exited
# 0 and every reply was a whole frame; 2 otherwise (with the reason on stderr).
set -u
[ $# -ge 2 ] || { echo "usage: $0 HOST REQUEST-JSON..." >&2; exit 1; }
host=$1; shift
[ -x "$host" ] || { echo "nmsend: $host is not an executable" >&2; exit 2; }

little_endian() { [ "$(printf '\001\000\000\000' | od -An -tu4 | tr -d ' ')" = 1 ]; }
frame() { # frame JSON: one frame on stdout
  local n b0 b1 b2 b3
  n=$(printf '%s' "$1" | wc -c)
  b0=$((n & 255)); b1=$((n >> 8 & 255)); b2=$((n >> 16 & 255)); b3=$((n >> 24 & 255))
  if little_endian; then
    printf "\\x$(printf %02x $b0)\\x$(printf %02x $b1)\\x$(printf %02x $b2)\\x$(printf %02x $b3)"
  else
    printf "\\x$(printf %02x $b3)\\x$(printf %02x $b2)\\x$(printf %02x $b1)\\x$(printf %02x $b0)"
  fi
  printf '%s' "$1"
}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for req in "$@"; do frame "$req"; done |
  "$host" "chrome-extension://gkfbpcjpnomknlhmihjkfgokmbldcppa/" >"$tmp/replies" 2>"$tmp/stderr"
status=$?
if [ $status -ne 0 ]; then
  echo "nmsend: the host exited with status $status; its log:" >&2
  cat "$tmp/stderr" >&2
  exit 2
fi
size=$(wc -c <"$tmp/replies"); off=0
while [ "$off" -lt "$size" ]; do
  [ $((size - off)) -ge 4 ] || { echo "nmsend: the replies end inside a frame header" >&2; exit 2; }
  len=$(od -An -tu4 -j "$off" -N 4 "$tmp/replies" | tr -d ' ')
  [ $((size - off - 4)) -ge "$len" ] || { echo "nmsend: the replies end inside a frame" >&2; exit 2; }
  tail -c +$((off + 5)) "$tmp/replies" | head -c "$len"
  echo
  off=$((off + 4 + len))
done
