#!/usr/bin/env bash
# tests/valgrind.sh BUILD [CTEST-ARGS...] - runs every C test (as ctest knows them) under valgrind memcheck:
# any error or leak fails. Check runs in no-fork mode so valgrind sees the tests themselves.
set -u
build=${1:-build}
shift || true
export CK_FORK=no
exec ctest --test-dir "$build" --output-on-failure \
  --overwrite MemoryCheckCommand=/usr/bin/valgrind \
  --overwrite "MemoryCheckCommandOptions=--error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-origins=yes --quiet" \
  -T memcheck "$@"
