#!/usr/bin/env bash
# tests/suites/fuzz.sh - runs every libFuzzer target (tests/fuzz/) for a bounded time under
# AddressSanitizer + UBSan, starting from the committed seed corpora. Installs clang and the
# libFuzzer runtime when missing; builds with clang in build-fuzz.
#   PG_FUZZ_SECONDS=N   seconds per target (default 30)
# A crash fails the suite and leaves the input in build-fuzz/artifacts/: commit it to
# tests/fuzz/corpus/<target>/ with the fix, so the corpus replay test keeps it fixed.
set -u
. "$(dirname "$0")/../lib.sh"
pg_need_apt clang libclang-rt-14-dev cmake pkg-config libcjson-dev libpcre2-dev check \
  libseccomp-dev || exit 1
cd "$PG_ROOT"
seconds=${PG_FUZZ_SECONDS:-30}
dir=build-fuzz
cmake -S . -B "$dir" -DCMAKE_C_COMPILER=clang -DPG_FUZZ=ON >"$dir.configure.log" 2>&1 \
  || { cat "$dir.configure.log"; exit 1; }
targets=$(cd tests/fuzz/corpus && ls)
for t in $targets; do
  cmake --build "$dir" --target "fuzz_$t" -j"$(nproc)" >"$dir.build.log" 2>&1 \
    || { tail -40 "$dir.build.log"; echo "FAIL: fuzz_$t does not build"; exit 1; }
done
mkdir -p "$dir/artifacts"
fail=0
for t in $targets; do
  work="$dir/corpus-$t"   # what the fuzzer finds; the committed seeds stay read-only
  mkdir -p "$work"
  echo "fuzz_$t: ${seconds}s from $(ls "tests/fuzz/corpus/$t" | wc -l) seeds"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     "$dir/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -max_len=65536 \
     -artifact_prefix="$dir/artifacts/$t-" -print_final_stats=1 "$work" "tests/fuzz/corpus/$t" \
     >"$dir/fuzz_$t.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$dir/fuzz_$t.log" | tail -2
  else
    echo "FAIL: fuzz_$t found a problem:"; grep -A30 -E 'ERROR|runtime error|deadly signal|timeout' "$dir/fuzz_$t.log" | head -60
    ls "$dir/artifacts" | sed 's/^/  artifact: /'
    fail=1
  fi
done
[ $fail -eq 0 ] && echo "ok: every fuzz target ran ${seconds}s under ASan+UBSan without a finding"
exit $fail
