#!/bin/sh
# build-places.sh - rebuilds rules/lexicons/places.txt (and provinces.txt) from the npm package `canada`
# (every Canadian city, town and village by province, MIT) plus places-extra.txt.
#
# Run by hand from the repository root when the data set changes; the output is committed,
# so neither CI nor the engine needs npm or the network. Needs: npm, python3, and the
# Debian package wamerican (/usr/share/dict/words), used to drop place names that are also
# common lower-case English words ("Justice", "Eden", "Silver") and would otherwise turn
# ordinary words into a place quasi-identifier.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../lexicons/places.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent canada@0.1.0 >/dev/null && tar xzf canada-0.1.0.tgz)
[ -r /usr/share/dict/words ] || { echo "install wamerican first" >&2; exit 1; }
python3 "$here/build-places.py" "$tmp/package/data/cities.json" "$tmp/package/data/provinces.json" \
    "$tmp/package/data/territories.json" /usr/share/dict/words "$here/places-extra.txt" "$here/../lexicons/provinces.txt" >"$out"
echo "wrote $(grep -vc '^#' "$out") terms to $out" >&2
