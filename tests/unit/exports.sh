#!/bin/sh
# exports.sh LIB - fails when the engine library defines a global symbol without the pg_ prefix,
# so the public surface stays what postguard.h says it is.
lib=$1
bad=$(nm -g --defined-only "$lib" | awk 'NF==3 {print $3}' | grep -v '^pg_' | sort -u)
if [ -n "$bad" ]; then
  echo "symbols without the pg_ prefix in $lib:"; echo "$bad"; exit 1
fi
n=$(nm -g --defined-only "$lib" | awk 'NF==3' | wc -l)
[ "$n" -gt 10 ] || { echo "only $n symbols found in $lib: is it the right file?"; exit 1; }
echo "$n exported symbols, all pg_"
