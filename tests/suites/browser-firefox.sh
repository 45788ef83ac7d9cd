#!/usr/bin/env bash
# tests/suites/browser-firefox.sh - the core end-to-end cases in Debian's Firefox ESR (headless, WebDriver BiDi via
# puppeteer-core): the real extension as a temporary add-on, the real postguard-host under a throwaway HOME.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"

pg_need_apt firefox-esr fonts-noto-color-emoji || { echo "FAIL: could not install firefox-esr"; exit 2; }
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
  --test-reporter=tap --test-reporter-destination="$tap" firefox.test.mjs)
status=$?
pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap")
fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap")
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap")
skipped=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$tap")
grep -o '# SKIP .*' "$tap" | sed 's/^/firefox: /'
echo "browser-firefox: ${pass:-0} passed, $(( ${fail:-0} + ${cancelled:-0} )) failed, ${skipped:-0} skipped"
if [ "$status" -ne 0 ] || [ "${pass:-0}" -eq 0 ]; then exit 1; fi
