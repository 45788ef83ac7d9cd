#!/usr/bin/env bash
# tests/suites/extension-unit.sh - the extension's logic without a browser (node --test): the service
# worker against a fake browser API and native port, settings precedence, offsets across edits.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"
pg_need_node || { echo "FAIL: could not install node"; exit 1; }
# The extension's modules are .js files, ES modules because extension/package.json says so
# ("type": "module"). Node.js 18, Debian 12's, goes by that declaration alone; newer versions
# also guess from the syntax, unless told not to: tell them, so that a missing declaration fails
# here on every version, as it would on Debian's.
flags=()
node --no-experimental-detect-module -e '' 2>/dev/null && flags+=(--no-experimental-detect-module)
node "${flags[@]+"${flags[@]}"}" --test tests/extension/
