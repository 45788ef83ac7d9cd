#!/usr/bin/env bash
# train.sh - makes the learned scorer's weights, rules/model/weights.tsv, from the labelled posts
# in the repository. The same posts and rules always give the same file (tests check it).
# Usage: rules/tools/train.sh [--check] [--curve] [BUILD-DIR]
#   --check  write to a temporary file and compare it with the committed one (exit 1 if they differ)
#   --curve  also print the learning curve on the test split (tests/corpus/test), which is only scored
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
check=0; curve=(); build=""
for a in "$@"; do
  case $a in
    --check) check=1 ;;
    --curve) curve=(--curve) ;;
    -*) echo "train.sh: unknown option $a" >&2; exit 2 ;;
    *) build=$a ;;
  esac
done
build=${build:-$root/build}
if [ ! -x "$build/postguard-train" ]; then
  command -v cmake >/dev/null || { echo "train.sh: cmake is missing: run tests/run.sh once, or apt-get install cmake" >&2; exit 2; }
  cmake -S "$root" -B "$build" >/dev/null && cmake --build "$build" --target postguard-train -j"$(nproc)" >/dev/null
fi
# The training posts: every file of tests/corpus/train, and our first labelled set. The test
# split is never trained or calibrated on; with --curve it is scored.
train=("$root"/tests/corpus/train/*.jsonl "$root/tests/eval/labelled.jsonl")
tests=()
[ ${#curve[@]} -gt 0 ] && for f in "$root"/tests/corpus/test/*.jsonl; do tests+=(--test "$f"); done
out=$root/rules/model/weights.tsv
[ $check = 1 ] && out=$(mktemp)
"$build/postguard-train" --rules "$root/rules" --out "$out" "${tests[@]}" "${curve[@]}" "${train[@]}"
if [ $check = 1 ]; then
  if cmp -s "$out" "$root/rules/model/weights.tsv"; then echo "train.sh: the committed weights are reproduced"; rm -f "$out"
  else echo "train.sh: training again gives other weights than rules/model/weights.tsv (run rules/tools/train.sh and commit)" >&2
       diff "$root/rules/model/weights.tsv" "$out" | head -5 >&2; rm -f "$out"; exit 1; fi
fi
