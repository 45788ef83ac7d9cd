#!/usr/bin/env bash
# tests/suites/browser.sh - end-to-end: Debian's Chromium (headless) with the extension and the real postguard-host,
# on local pages built on the real editors (Draft.js, Lexical, Quill, textarea) served at the sites' URLs.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"

pg_need_apt chromium fonts-noto-color-emoji || { echo "FAIL: could not install chromium"; exit 2; }
pg_npm_ci tests/browser || { echo "FAIL: npm ci in tests/browser"; exit 2; }

mkdir -p "$PG_BUILD"
if [ ! -f "$PG_BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$PG_BUILD" >"$PG_BUILD.configure.log" 2>&1 || { cat "$PG_BUILD.configure.log"; exit 1; }
fi
cmake --build "$PG_BUILD" -j"$(nproc)" >/dev/null || { echo "FAIL: building postguard-host"; exit 1; }

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
(cd tests/browser && node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" e2e.test.mjs latency.test.mjs)
status=$?
pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap")
fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap")
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap")
# A test cancelled because its suite's set-up failed did not pass: count it with the failures.
echo "browser: ${pass:-0} passed, $(( ${fail:-0} + ${cancelled:-0} )) failed"
if [ "$status" -ne 0 ] || [ "${pass:-0}" -eq 0 ]; then exit 1; fi
