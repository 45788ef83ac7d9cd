#!/bin/sh
# quick.sh BENCH PACK JSON - postguard-bench --quick runs to the end (with the real host when it
# is built), prints every part of its table and writes JSON holding the same parts.
bench=$1 pack=$2 json=$3
rm -f "$json"
out=$("$bench" --quick --rules "$pack" --json "$json") || { echo "$out"; echo "FAIL: the bench exited $?"; exit 1; }
echo "$out"
fail=0
for want in "start-up in-process" "| 280 chars |" "| 2000 chars |" "| 10000 chars |" "| 63206 chars |" "| 64 KiB |"; do
  echo "$out" | grep -qF -- "$want" || { echo "FAIL: the table has no line with: $want"; fail=1; }
done
if [ -x "$(dirname "$bench")/postguard-host" ]; then
  for want in "exec to first \`hello\`" "peak resident memory" "round trip"; do
    echo "$out" | grep -qF -- "$want" || { echo "FAIL: the table has no host line with: $want"; fail=1; }
  done
fi
[ -s "$json" ] || { echo "FAIL: no JSON written"; exit 1; }
for key in '"startup_ms"' '"latency"' '"scaling"' '"host"' '"median_us"' '"p99_us"' '"ns_per_char"'; do
  grep -qF -- "$key" "$json" || { echo "FAIL: the JSON has no $key"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok: the quick bench printed its table and wrote its JSON"
exit $fail
