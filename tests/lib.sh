# tests/lib.sh - shared helpers for tests/run.sh and the suites in tests/suites/.
# Sourced, not run. Installs only what is missing, so a developer machine is not touched twice.

PG_ROOT=${PG_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PG_BUILD=${PG_BUILD:-$PG_ROOT/build}
export PG_ROOT PG_BUILD

# pg_log, pg_sudo, pg_apt_missing, pg_need_apt: the installer's own helpers, shared
. "$PG_ROOT/packaging/lib.sh"

# pg_need_node: node and npm, from Debian when the machine has none.
pg_need_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
  pg_need_apt nodejs npm
}

# pg_npm_ci DIR: npm ci from DIR's committed lock file, unless node_modules is already current.
pg_npm_ci() {
  local dir=$1
  pg_need_node || return 1
  if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

# pg_node_suite NAME TESTFILE...: build the host, run the tests/browser test files one at a time
# with node's runner (spec to stdout, TAP counted), print "NAME: P passed, F failed[, S skipped]"
# with each skip's reason, and return non-zero if any failed or none passed. A test cancelled
# because its suite's set-up failed did not pass: it counts with the failures.
pg_node_suite() {
  local name=$1; shift
  mkdir -p "$PG_BUILD"
  if [ ! -f "$PG_BUILD/CMakeCache.txt" ]; then
    cmake -S . -B "$PG_BUILD" >"$PG_BUILD.configure.log" 2>&1 || { cat "$PG_BUILD.configure.log"; return 1; }
  fi
  cmake --build "$PG_BUILD" -j"$(nproc)" >/dev/null || { echo "FAIL: building postguard-host"; return 1; }
  local tap status pass fail cancelled skipped
  tap=$(mktemp)
  (cd tests/browser && node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$@")
  status=$?
  pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap")
  fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap")
  cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap")
  skipped=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$tap")
  grep -o '# SKIP .*' "$tap" | grep -v 'test name does not match' | sed "s/^/$name: /"
  rm -f "$tap"
  echo "$name: ${pass:-0} passed, $(( ${fail:-0} + ${cancelled:-0} )) failed$([ "${skipped:-0}" -gt 0 ] && echo ", $skipped skipped")"
  [ "$status" -eq 0 ] && [ "${pass:-0}" -gt 0 ]
}
