#!/usr/bin/env bash
# tests/suites/browser.sh - end-to-end: Debian's Chromium (headless) with the extension and the real postguard-host,
# on local pages built on the real editors (Draft.js, Lexical, Quill, textarea) served at the sites' URLs.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"

pg_need_apt chromium fonts-noto-color-emoji || { echo "FAIL: could not install chromium"; exit 2; }
pg_npm_ci tests/browser || { echo "FAIL: npm ci in tests/browser"; exit 2; }

pg_node_suite browser e2e.test.mjs access.test.mjs latency.test.mjs
