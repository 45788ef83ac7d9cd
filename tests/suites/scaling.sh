#!/usr/bin/env bash
# tests/suites/scaling.sh - the engine's cost is linear in the text's length, proven by counting
# work, not time: each pg_check call's instructions under callgrind (--toggle-collect counts
# only inside pg_check; --dump-after gives one count per call). Doubling the text must not
# more than ~double the instructions (at most 2.2x), for realistic text (128, 256, 512 KiB) and
# for inputs built to make regular expressions backtrack (64, 128, 256 KiB).
set -u
. "$(dirname "$0")/../lib.sh"
pg_need_apt valgrind cmake build-essential || exit 1
cd "$PG_ROOT"
if [ ! -x "$PG_BUILD/pg-scale" ]; then
  cmake -S . -B "$PG_BUILD" >/dev/null && cmake --build "$PG_BUILD" --target pg-scale -j"$(nproc)" >/dev/null || exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
max=2.2
fail=0
printf '%-10s %8s %14s %9s %7s\n' kind bytes instructions instr/B ratio
run() { # run KIND SIZE...
  local kind=$1; shift
  if ! valgrind --tool=callgrind --toggle-collect=pg_check --dump-after=pg_check \
       --callgrind-out-file="$tmp/$kind" "$PG_BUILD/pg-scale" rules "$kind" "$@" \
       >"$tmp/$kind.out" 2>"$tmp/$kind.err"; then
    echo "FAIL: pg-scale $kind $* did not finish under callgrind"; tail -5 "$tmp/$kind.err"; fail=1; return
  fi
  local i=0 prev=0 bytes ir
  while read -r _ bytes _ _; do
    i=$((i + 1))
    ir=$(sed -n 's/^summary: //p' "$tmp/$kind.$i")
    if [ -z "$ir" ]; then echo "FAIL: no instruction count for $kind $bytes"; fail=1; return; fi
    if [ "$prev" -gt 0 ]; then
      ratio=$(awk -v a="$ir" -v b="$prev" 'BEGIN { printf "%.2f", a / b }')
      printf '%-10s %8s %14s %9.0f %7s\n' "$kind" "$bytes" "$ir" "$(awk -v a="$ir" -v b="$bytes" 'BEGIN{print a/b}')" "${ratio}x"
      if awk -v r="$ratio" -v m="$max" 'BEGIN { exit !(r > m) }'; then
        echo "FAIL: $kind: doubling the text to $bytes bytes multiplied the work by $ratio (more than $max)"; fail=1
      fi
    else
      printf '%-10s %8s %14s %9.0f %7s\n' "$kind" "$bytes" "$ir" "$(awk -v a="$ir" -v b="$bytes" 'BEGIN{print a/b}')" "-"
    fi
    prev=$ir
  done <"$tmp/$kind.out"
  [ "$i" -eq $# ] || { echo "FAIL: $kind: $i of $# checks ran"; fail=1; }
}
run mixed 131072 262144 524288
for kind in run-a run-digit run-bang emoji nospace caps; do
  run "$kind" 65536 131072 262144
done
if [ $fail -eq 0 ]; then echo "ok: the work per check grows linearly (each doubling <= ${max}x)"; fi
exit $fail
