#!/usr/bin/env bash
# bench/run.sh - build the benchmark, the host and the echo host (Release flags as configured,
# RelWithDebInfo by default) and run the benchmark. Arguments go to postguard-bench:
#   bench/run.sh                      the full run: a table on stdout
#   bench/run.sh --json bench.json    the same numbers as JSON too
#   bench/run.sh --quick              a tiny run that proves it works
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PG_BUILD:-$root/build}
cmake -S "$root" -B "$build" >/dev/null
targets="postguard-bench postguard-echo-host"
[ -f "$root/host/nmh/main.c" ] && targets="$targets postguard-host"
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets >/dev/null
exec "$build/postguard-bench" "$@"
