#!/usr/bin/env bash
# packaging/windows/build-deps.sh PREFIX - PCRE2 and cJSON for the Windows programs, built from
# Debian's own source packages with mingw-w64 into PREFIX (static libraries, headers and
# lib/pkgconfig), the prefix that packaging/windows/mingw-w64.cmake takes as -DPG_WIN_DEPS.
#
#   1. A temporary APT configuration (its own sources list, state and cache folders, nothing of
#      the machine's APT changed) lists a deb-src twin of every deb source the machine has
#      configured, and apt-get source --download-only fetches pcre2 and cjson; apt checks each
#      file against the signed Sources index, dpkg-source -x against the .dsc, and the SHA-256
#      of every file fetched is printed. Where the newest version's files are missing on the
#      mirror, the older versions the index lists are tried, newest first, and the one taken is
#      said.
#   2. PCRE2: its own CMake, 8-bit only, no JIT, static, no pcre2grep and no tests. cJSON: cJSON.c
#      compiled alone into libcjson.a. Both with the mingw-w64 toolchain of this folder.
#
# Needs apt-get, dpkg-source (dpkg-dev), cmake, make and gcc-mingw-w64-x86-64; runs as root or
# as a user (apt-get source needs no root). PG_DEPS_WORK=DIR keeps the sources there (default: a
# temporary folder, removed at the end). PG_DEPS_SOURCES=FILE takes that one-line-style list of
# deb-src sources instead of the machine's twins (a test of the exit status 3 points it nowhere).
# Exit status: 0 built; 2 usage or a missing tool; 3 no source package reachable (nothing was
# built: tests/suites/windows.sh then falls back to its probe); 1 any other failure.
set -uo pipefail
usage() { echo "usage: $0 PREFIX" >&2; exit 2; }
[ $# -eq 1 ] || usage
prefix=$(realpath -m "$1")
here=$(cd "$(dirname "$0")" && pwd)
MINGW=x86_64-w64-mingw32
for t in apt-get apt-cache apt-config dpkg-source dpkg cmake make sha256sum "$MINGW-gcc" "$MINGW-ar"; do
  command -v "$t" >/dev/null 2>&1 || { echo "build-deps: $t is missing" >&2; exit 2; }
done
log() { printf 'build-deps: %s\n' "$*"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if [ -n "${PG_DEPS_WORK:-}" ]; then work=$(realpath -m "$PG_DEPS_WORK"); mkdir -p "$work"
else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
t0=$(now)

# --- 1. the temporary APT configuration -----------------------------------------------------
apt="$work/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/preferences.d"
: >"$apt/sources.list"
# the machine's own source files, where apt-config says they are (apt reads only *.list and
# *.sources in the parts folder)
eval "$(apt-config shell ETC Dir::Etc/d LIST Dir::Etc::sourcelist/f PARTS Dir::Etc::sourceparts/d)"
LIST=${LIST:-/etc/apt/sources.list} PARTS=${PARTS:-/etc/apt/sources.list.d/}
n=0
if [ -n "${PG_DEPS_SOURCES:-}" ]; then LIST=$PG_DEPS_SOURCES PARTS=/nonexistent/; fi
for f in "$LIST" "$PARTS"*.list; do
  [ -f "$f" ] || continue
  # one-line style: "deb [options] URI suite components" -> "deb-src ..." (deb-src lines kept)
  sed -n 's/^[[:space:]]*deb\(-src\)\?[[:space:]]\+/deb-src /p' "$f" >>"$apt/sources.list"
done
for f in "$PARTS"*.sources; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  # deb822 style: every stanza whose Types has deb, with Types: deb-src (other fields as they are)
  awk 'function flush() { if (keep && on) printf "%s\n", s; s = ""; keep = 0; on = 1 }
       BEGIN { on = 1 }
       /^[[:space:]]*$/ { flush(); next }
       /^#/ { next }
       tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") keep = 1
                                 s = s "Types: deb-src\n"; next }
       tolower($1) == "enabled:" && tolower($2) == "no" { on = 0 }
       { s = s $0 "\n" }
       END { flush() }' "$f" >"$apt/sources.list.d/$n.sources"
done
if ! grep -qs . "$apt/sources.list" "$apt/sources.list.d/"*.sources; then
  echo "build-deps: the machine has no deb source configured: no Debian source package can be fetched" >&2
  exit 3
fi
cat >"$apt/apt.conf" <<EOF
Dir::State "$apt";
Dir::State::Lists "$apt/lists";
Dir::State::status "/var/lib/dpkg/status";
Dir::Cache "$apt/cache";
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "$apt/sources.list.d";
Dir::Etc::Preferences "$apt/preferences";
Dir::Etc::PreferencesParts "$apt/preferences.d";
APT::Sandbox::User "$(id -un)";
EOF
export APT_CONFIG="$apt/apt.conf"
log "fetching the deb-src indexes (temporary APT configuration in $apt)"
# a source without a deb-src twin (a third-party repository) fails here and is ignored
apt-get update -qq >"$work/apt-update.log" 2>&1
grep -E '^(E|W):' "$work/apt-update.log" | head -5 | sed 's/^/build-deps:   apt-get update: /'

src="$work/src"
mkdir -p "$src"
# fetch PKG: apt-get source of PKG's newest version; where its files are not on the mirror,
# each older version the index lists, newest first. Prints the version taken to fd 3.
fetch() {
  local pkg=$1 v newest sorted=() i
  # the versions the index lists, newest first in Debian's version order
  for v in $(apt-cache showsrc "$pkg" 2>/dev/null | sed -n "/^Package: $pkg\$/,/^\$/s/^Version: //p" | sort -u); do
    for ((i = ${#sorted[@]}; i > 0; i--)); do
      dpkg --compare-versions "$v" gt "${sorted[i - 1]}" || break
      sorted[i]=${sorted[i - 1]}
    done
    sorted[i]=$v
  done
  if [ ${#sorted[@]} -eq 0 ]; then echo "build-deps: no source package $pkg in the deb-src indexes" >&2; return 3; fi
  newest=${sorted[0]}
  for v in "${sorted[@]}"; do
    if (cd "$src" && apt-get source -qq --download-only "$pkg=$v" >"$work/fetch-$pkg.log" 2>&1); then
      [ "$v" = "$newest" ] ||
        log "NOTE: $pkg $newest is listed but its files are missing on the mirror; took $pkg $v, the newest whose files are there"
      echo "$v" >&3
      return 0
    fi
    log "$pkg $v: not fetched: $(grep -E '^E:' "$work/fetch-$pkg.log" | head -1)"
  done
  echo "build-deps: no version of $pkg could be fetched" >&2
  return 3
}
exec 3>"$work/versions"
fetch pcre2 || exit 3
fetch cjson || exit 3
exec 3>&-
pcre2_v=$(sed -n 1p "$work/versions") cjson_v=$(sed -n 2p "$work/versions")
log "fetched, SHA-256:"
(cd "$src" && sha256sum -- *) | sed 's/^/build-deps:   /'
for pkg in pcre2 cjson; do
  v=$(sed -n "$([ $pkg = pcre2 ] && echo 1 || echo 2)p" "$work/versions")
  dsc="$src/${pkg}_${v#*:}.dsc"
  # dpkg-source checks every file against the .dsc's checksums (and says when it cannot check
  # the .dsc's signature: apt already checked the files against the signed index)
  (cd "$src" && dpkg-source -x "$dsc" "$pkg" >"$work/unpack-$pkg.log" 2>&1) ||
    { echo "build-deps: dpkg-source -x $dsc failed:" >&2; cat "$work/unpack-$pkg.log" >&2; exit 1; }
done
t1=$(now)
log "pcre2 $pcre2_v and cjson $cjson_v fetched and unpacked in $(secs "$t0" "$t1") s"

# --- 2. the cross builds ---------------------------------------------------------------------
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include/cjson"
log "PCRE2: CMake, 8-bit, no JIT, static, for $MINGW"
if ! { cmake -S "$src/pcre2" -B "$work/pcre2-build" -DCMAKE_TOOLCHAIN_FILE="$here/mingw-w64.cmake" \
         -DPG_WIN_DEPS="$prefix" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
         -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DPCRE2_BUILD_PCRE2_8=ON \
         -DPCRE2_BUILD_PCRE2_16=OFF -DPCRE2_BUILD_PCRE2_32=OFF -DPCRE2_SUPPORT_JIT=OFF \
         -DPCRE2_SUPPORT_UNICODE=ON -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF \
         -DPCRE2_SUPPORT_LIBBZ2=OFF -DPCRE2_SUPPORT_LIBZ=OFF -DPCRE2_SUPPORT_LIBEDIT=OFF \
         -DPCRE2_SUPPORT_LIBREADLINE=OFF -DPCRE2_SHOW_REPORT=OFF &&
       cmake --build "$work/pcre2-build" -j"${PG_JOBS:-2}" &&
       cmake --install "$work/pcre2-build"; } >"$work/pcre2-build.log" 2>&1; then
  echo "build-deps: the PCRE2 build failed:" >&2; tail -30 "$work/pcre2-build.log" >&2; exit 1
fi
t2=$(now)
log "PCRE2 built in $(secs "$t1" "$t2") s"

log "cJSON: cJSON.c alone, for $MINGW"
cj="$work/cjson-build"
mkdir -p "$cj"
if ! { "$MINGW-gcc" -std=c89 -O2 -c "$src/cjson/cJSON.c" -o "$cj/cJSON.o" &&
       "$MINGW-ar" rcs "$prefix/lib/libcjson.a" "$cj/cJSON.o"; } >"$work/cjson-build.log" 2>&1; then
  echo "build-deps: the cJSON build failed:" >&2; cat "$work/cjson-build.log" >&2; exit 1
fi
cp "$src/cjson/cJSON.h" "$prefix/include/cjson/"
printf '%s\n' "prefix=$prefix" 'libdir=${prefix}/lib' 'includedir=${prefix}/include' '' \
  'Name: libcjson' 'Description: cJSON (Debian source, built for mingw-w64 by build-deps.sh)' \
  "Version: ${cjson_v%%-*}" 'Libs: -L${libdir} -lcjson' 'Cflags: -I${includedir}' \
  >"$prefix/lib/pkgconfig/libcjson.pc"
for f in lib/libpcre2-8.a lib/libcjson.a include/pcre2.h include/cjson/cJSON.h \
         lib/pkgconfig/libpcre2-8.pc lib/pkgconfig/libcjson.pc; do
  [ -f "$prefix/$f" ] || { echo "build-deps: $prefix/$f was not made" >&2; exit 1; }
done
printf 'pcre2 %s\ncjson %s\n' "$pcre2_v" "$cjson_v" >"$prefix/VERSIONS"
t3=$(now)
log "done in $(secs "$t0" "$t3") s: fetch $(secs "$t0" "$t1") s, PCRE2 $(secs "$t1" "$t2") s, cJSON $(secs "$t2" "$t3") s"
log "PREFIX $prefix: pcre2 $pcre2_v, cjson $cjson_v"
