#!/usr/bin/env bash
# tests/suites/privacy.sh - the host at its most verbose (POSTGUARD_LOG=debug), traced by
# strace over posts full of names, numbers and places: no piece of any post in its log or its
# replies, replies carry only the rule pack's own strings, no file opened for writing, nothing
# written but stdout/stderr, no network. The checks are in tests/privacy/check.py.
set -u
. "$(dirname "$0")/../lib.sh"
pg_need_apt strace python3 cmake build-essential || exit 1
cd "$PG_ROOT"
if [ ! -x "$PG_BUILD/postguard-host" ]; then
  cmake -S . -B "$PG_BUILD" >/dev/null && cmake --build "$PG_BUILD" --target postguard-host -j"$(nproc)" >/dev/null || exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 tests/privacy/check.py "$PG_BUILD/postguard-host" "$PG_ROOT/rules" "$work"
