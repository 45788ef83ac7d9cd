#!/usr/bin/env bash
# tests/suites/extension-unit.sh - the extension's logic without a browser (node --test): the service
# worker against a fake browser API and native port, settings precedence, offsets across edits.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"
pg_need_node || { echo "FAIL: could not install node"; exit 1; }
node --test tests/extension/
