#!/usr/bin/env bash
# tests/suites/browser-firefox.sh - the core end-to-end cases in Debian's Firefox ESR (headless, WebDriver BiDi via
# puppeteer-core): the real extension as a temporary add-on, the real postguard-host under a throwaway HOME.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"

pg_need_apt firefox-esr firefox-esr-l10n-fr fonts-noto-color-emoji || { echo "FAIL: could not install firefox-esr"; exit 2; }
pg_npm_ci tests/browser || { echo "FAIL: npm ci in tests/browser"; exit 2; }

pg_node_suite browser-firefox firefox.test.mjs
