#!/usr/bin/env bash
# tests/suites/windows.sh - Windows, proven on Linux: PCRE2 and cJSON are cross-built with
# mingw-w64 from Debian's own source packages (packaging/windows/build-deps.sh), the real
# postguard-host.exe and postguard.exe are linked by the CMake cross-build under -Werror, and
# under wine in a temporary WINEPREFIX: the host's platform code (framing, binary stdin/stdout,
# the program's path, the configuration places, the job-object sandbox) through
# tests/windows/probe.c, and the real programs through tests/windows/host.py (protocol over
# pipes, one example per rules file, UTF-16 offsets, the pack beside the .exe, the configuration
# places, CRLF, the CLI's JSON against the Linux CLI's). The MSI is built with wixl from
# packaging/windows/postguard.wxs with the real programs in it, its tables are checked with
# msiinfo/msiextract, it installs under wine's msiexec with the HKLM keys, and the installed
# host answers hello.
#
# Where no Debian source package can be fetched (build-deps.sh exits 3: no deb source reachable),
# the real programs cannot be linked: the suite says so and falls back to what needs no PCRE2
# library, the compile check against the headers and the probe, which then stands in the MSI in
# the host's place. PG_WIN_DEPS=PREFIX takes an already built prefix instead of building one.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"

passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
# has "WHAT" FILE REGEX: FILE must have a line matching the extended REGEX
has() { if grep -Eq -- "$3" "$2"; then ok "$1"; else fail "$1 (no line matching $3 in:)"; sed 's/^/     /' "$2"; fi; }
# line "WHAT" FILE TEXT: FILE must have a line that is exactly TEXT
line() { if grep -Fxq -- "$3" "$2"; then ok "$1"; else fail "$1 (no line '$3' in:)"; sed 's/^/     /' "$2"; fi; }
hasnt() { if grep -Eq -- "$3" "$2"; then fail "$1 (a line matches $3:)"; sed 's/^/     /' "$2"; else ok "$1"; fi; }

suite_t0=$(date +%s.%N)
secs_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

pg_log "windows: tools"
# a fresh minimal Debian 12 has none of them: the cross compiler, wine, msitools, dpkg-dev for
# dpkg-source, cmake, and what the Linux CLI (the comparison) builds with
pg_need_apt gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine wine64 msitools wixl python3 \
  dpkg-dev cmake make pkg-config gcc libc6-dev libpcre2-dev libcjson-dev libseccomp-dev check ||
  { echo "FAIL: cannot install the tools"; exit 1; }

CC=x86_64-w64-mingw32-gcc
WINDRES=x86_64-w64-mingw32-windres
work=$(mktemp -d)
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
unset DISPLAY WAYLAND_DISPLAY # headless: the programs are console programs
cleanup() { wineserver -k >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
drive_c="$WINEPREFIX/drive_c"

# The flags of the CMake build for WIN32 (CMakeLists.txt): C11, the project's warnings as errors,
# the C99 printf, static PCRE2.
CFLAGS=(-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
        -Wno-unused-parameter -Wno-format-truncation -D_POSIX_C_SOURCE=200809L
        -D__USE_MINGW_ANSI_STDIO=1 -DPCRE2_STATIC -D_WIN32_WINNT=0x0A00
        -Ihost/include -Ihost/lib -Ihost/nmh -I"$work/inc") # for the probe

pg_log "windows: PCRE2 and cJSON for mingw-w64, from Debian's source packages"
real=0
deps="$work/deps"
t=$(date +%s.%N)
if [ -n "${PG_WIN_DEPS:-}" ] && [ -f "$PG_WIN_DEPS/lib/libpcre2-8.a" ] && [ -f "$PG_WIN_DEPS/lib/libcjson.a" ]; then
  deps=$PG_WIN_DEPS real=1
  ok "the prefix given in PG_WIN_DEPS has libpcre2-8.a and libcjson.a ($(tr '\n' ' ' <"$deps/VERSIONS" 2>/dev/null))"
else
  packaging/windows/build-deps.sh "$deps" >"$work/deps.log" 2>&1
  st=$?
  grep -E '^build-deps: (NOTE|  [0-9a-f]{64} |pcre2 .* fetched|PCRE2 built|done|PREFIX)' "$work/deps.log" | sed 's/^/     /'
  case $st in
    0) real=1; ok "build-deps.sh: PCRE2 and cJSON cross-built from Debian's sources in $(secs_since "$t") s" ;;
    3) echo "note: no Debian source package of PCRE2 or cJSON could be fetched (build-deps.sh exit 3):"
       sed 's/^/     /' "$work/deps.log" | tail -5
       echo "note: falling back to the probe: the real postguard-host.exe and postguard.exe are NOT tested" ;;
    *) fail "build-deps.sh exited $st:"; tail -20 "$work/deps.log" | sed 's/^/     /'
       echo "note: falling back to the probe: the real postguard-host.exe and postguard.exe are NOT tested" ;;
  esac
fi
# the probe (and, without the libraries, the compile check) uses the headers of Linux's PCRE2 and
# cJSON: the same for every target (PCRE2_STATIC drops dllimport)
mkdir -p "$work/inc/cjson"
cp /usr/include/pcre2.h "$work/inc/" && cp /usr/include/cjson/cJSON.h "$work/inc/cjson/"

bw="$work/build-win"
if [ "$real" = 1 ]; then
  pg_log "windows: the CMake cross-build links postguard-host.exe and postguard.exe (-Werror, static)"
  t=$(date +%s.%N)
  if cmake -S . -B "$bw" -DCMAKE_TOOLCHAIN_FILE=packaging/windows/mingw-w64.cmake -DPG_WIN_DEPS="$deps" \
       -DCMAKE_BUILD_TYPE=Release -DPG_TESTS=OFF >"$work/cmake.log" 2>&1 &&
     cmake --build "$bw" -j2 >>"$work/cmake.log" 2>&1 &&
     [ -f "$bw/postguard-host.exe" ] && [ -f "$bw/postguard.exe" ]; then
    ok "postguard-host.exe ($(stat -c %s "$bw/postguard-host.exe") bytes) and postguard.exe ($(stat -c %s "$bw/postguard.exe") bytes) link, in $(secs_since "$t") s"
  else
    fail "the Windows cross-build does not link:"; grep -E 'error|Error|undefined' -A3 "$work/cmake.log" | head -40 | sed 's/^/     /'
    real=0; echo "note: falling back to the probe"
  fi
fi
if [ "$real" = 1 ]; then
  # one .exe each: no DLL but Windows' own (no libpcre2, libcjson, libwinpthread or libgcc)
  for exe in postguard-host.exe postguard.exe; do
    x86_64-w64-mingw32-objdump -p "$bw/$exe" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr A-Z a-z | sort -u >"$work/dlls.txt"
    hasnt "$exe imports only Windows' DLLs ($(tr '\n' ' ' <"$work/dlls.txt"))" "$work/dlls.txt" 'pcre|cjson|pthread|libgcc|stdc'
  done
else
  pg_log "windows: the CMake cross-build compiles every host and CLI source with -Werror"
  # Without the libraries, a prefix of the headers with .pc files still lets the real CMake build
  # compile the engine, JSON and host libraries and both programs' main.c with the project's flags.
  deps="$work/deps-headers" bw="$work/build-win-headers"
  mkdir -p "$deps/lib/pkgconfig" "$deps/include/cjson"
  cp /usr/include/pcre2.h "$deps/include/" && cp /usr/include/cjson/cJSON.h "$deps/include/cjson/"
  for m in libpcre2-8:pcre2-8 libcjson:cjson; do
    printf 'prefix=%s\nName: %s\nDescription: headers only\nVersion: 0\nCflags: -I${prefix}/include\nLibs: -l%s\n' \
      "$deps" "${m%%:*}" "${m#*:}" >"$deps/lib/pkgconfig/${m%%:*}.pc"
  done
  if cmake -S . -B "$bw" -DCMAKE_TOOLCHAIN_FILE=packaging/windows/mingw-w64.cmake -DPG_WIN_DEPS="$deps" \
       -DPG_TESTS=OFF >"$work/cmake.log" 2>&1 &&
     cmake --build "$bw" -j2 --target pgengine pgjson pgnmh >>"$work/cmake.log" 2>&1 &&
     make -C "$bw/host" nmh/main.c.obj cli/main.c.obj >>"$work/cmake.log" 2>&1; then
    n=$(find "$bw" -name '*.c.obj' | wc -l)
    [ "$n" -gt 20 ] && ok "$n sources compile for x86_64-w64-mingw32 (CMake, -Werror)" || fail "only $n objects"
  else
    fail "the Windows cross-build does not compile:"; grep -E 'error|Error' -A3 "$work/cmake.log" | head -40 | sed 's/^/     /'
  fi
  echo "note: postguard-host.exe is not linked: no PCRE2 for mingw-w64 (build-deps.sh could not make one)"
fi

pg_log "windows: the probe (the host's framing, paths, configuration and sandbox code)"
(cd packaging/windows && "$WINDRES" postguard.rc -O coff -o "$work/manifest.o") &&
"$CC" "${CFLAGS[@]}" -static -o "$work/probe.exe" tests/windows/probe.c host/nmh/frame.c \
  host/lib/os.c host/lib/locate.c host/lib/util.c host/lib/utf16.c host/lib/file.c \
  host/nmh/sandbox_win.c "$work/manifest.o" -lshell32 -lole32 -luuid 2>"$work/cc.log"
if [ -f "$work/probe.exe" ]; then ok "probe.exe links (static, with the UTF-8 manifest)"
else fail "probe.exe does not link"; sed 's/^/     /' "$work/cc.log"; echo "$passed passed, $failed failed"; exit 1; fi
wine wineboot --init >/dev/null 2>&1
wine "$work/probe.exe" paths >/dev/null 2>&1 || true

pg_log "windows: frames over pipes, stdin and stdout in binary mode"
python3 tests/windows/frames.py write "$work/frames.in"
wine "$work/probe.exe" echo <"$work/frames.in" >"$work/frames.out" 2>"$work/echo.err"
if python3 tests/windows/frames.py check "$work/frames.out" >"$work/frames.log"; then
  ok "$(cat "$work/frames.log")"
else fail "framing under wine: $(cat "$work/frames.log")"; sed 's/^/     /' "$work/echo.err"; fi
printf 'Line one\r\n67M in bed 4 \xc3\xa9\xf0\x9f\x98\x80\r\nend\x1a after\r\n' >"$work/crlf.txt"
wine "$work/probe.exe" cat <"$work/crlf.txt" >"$work/crlf.out" 2>/dev/null
if cmp -s "$work/crlf.txt" "$work/crlf.out"; then ok "CRLF, 0x1A and UTF-8 on stdin reach the program byte for byte"
else fail "stdin is changed on the way in ($(wc -c <"$work/crlf.out") of $(wc -c <"$work/crlf.txt") bytes)"; fi

pg_log "windows: the rule pack beside the .exe (the folder cut at a backslash)"
# (not in Program Files\PostGuard, where the MSI installs below)
for dir in "Program Files/PostGuard Probe" "users/Zoë Lévesque/PostGuard"; do
  mkdir -p "$drive_c/$dir/rules" && cp "$work/probe.exe" "$drive_c/$dir/postguard-host.exe"
  cp rules/pack.json "$drive_c/$dir/rules/"
  win="C:\\$(echo "$dir" | tr / '\\')"
  wine "$drive_c/$dir/postguard-host.exe" paths >"$work/paths.out" 2>/dev/null
  line "the program's path is $win\\postguard-host.exe (GetModuleFileNameW, UTF-8)" "$work/paths.out" "exe=$win\\postguard-host.exe"
  line "finds the rules at $win\\rules" "$work/paths.out" "rules=$win\\rules"
done

pg_log "windows: configuration from %ProgramData% and %APPDATA%, never C:\\etc"
mkdir -p "$drive_c/etc/postguard" && echo '{"disable":["x"]}' >"$drive_c/etc/postguard/config.json"
POSTGUARD_CONFIG='C:\etc\postguard\config.json' wine "$work/probe.exe" paths >"$work/cfg.out" 2>/dev/null
has "the clinic file is %ProgramData%\\PostGuard\\config.json" "$work/cfg.out" '^clinic-config=C:\\ProgramData\\PostGuard\\config\.json$'
has "the user file is %APPDATA%\\PostGuard\\config.json" "$work/cfg.out" '^user-config=C:\\users\\[^\\]+\\AppData\\Roaming\\PostGuard\\config\.json$'
hasnt "a user-made C:\\etc\\postguard\\config.json is not read, even named in POSTGUARD_CONFIG" "$work/cfg.out" '^(user-config|clinic-config|reads)=.*[Cc]:\\etc'
mkdir -p "$drive_c/ProgramData/PostGuard" && echo '{}' >"$drive_c/ProgramData/PostGuard/config.json"
wine "$work/probe.exe" paths >"$work/cfg2.out" 2>/dev/null
has "the clinic file in %ProgramData% is read" "$work/cfg2.out" '^reads=C:\\ProgramData\\PostGuard\\config\.json$'
has "the clock is monotonic (QueryPerformanceCounter)" "$work/cfg2.out" '^clock=monotonic$'

pg_log "windows: the sandbox (job object, mitigation policies)"
wine "$work/probe.exe" sandbox 'C:\windows\win.ini' >"$work/sb.out" 2>"$work/sb.err"
cat "$work/sb.err" >>"$work/sb.out"
has "the process is in a job object" "$work/sb.out" '^in_job=1$'
has "the job's limits are accepted (one process, 512 MiB)" "$work/sb.out" '^job=1$'
has "mitigation policies are asked for" "$work/sb.out" '^mitigations=[1-9]'
# wine 8 accepts the limits but neither reports them back nor enforces them; a real Windows
# refuses both (docs/sandbox.md). Shown, not asserted.
grep -E '^(active_process_limit|memory_cap|sandbox-selftest: (exec|memory))' "$work/sb.out" |
  sed 's/^/     under wine: /'

if [ "$real" = 1 ]; then
  pg_log "windows: the real postguard-host.exe and postguard.exe under wine (tests/windows/host.py)"
  # the Linux CLI, for the comparison of the two CLIs' findings
  if [ ! -f "$PG_BUILD/CMakeCache.txt" ]; then
    cmake -S . -B "$PG_BUILD" -DCMAKE_BUILD_TYPE=Release >"$work/linux.log" 2>&1
  fi
  if cmake --build "$PG_BUILD" -j2 --target postguard >>"$work/linux.log" 2>&1; then
    t=$(date +%s.%N)
    python3 tests/windows/host.py "$bw" "$PG_BUILD/postguard" >"$work/host.log" 2>&1
    st=$?
    grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$work/host.log"
    p=$(grep -c '^ok ' "$work/host.log") f=$(grep -c '^FAIL ' "$work/host.log")
    passed=$((passed + p)) failed=$((failed + f))
    [ "$st" -eq 0 ] || [ "$f" -gt 0 ] || fail "tests/windows/host.py exited $st"
    echo "     host.py: $p passed, $f failed in $(secs_since "$t") s"
  else
    fail "the Linux CLI does not build:"; tail -20 "$work/linux.log" | sed 's/^/     /'
  fi
fi

pg_log "windows: the MSI (wixl, WiX 3 source)"
mkdir -p "$work/bin"
if [ "$real" = 1 ]; then
  cp "$bw/postguard-host.exe" "$bw/postguard.exe" "$work/bin/"
else # the probe stands in both programs' place
  cp "$work/probe.exe" "$work/bin/postguard-host.exe"; cp "$work/probe.exe" "$work/bin/postguard.exe"
fi
if packaging/windows/build-msi.sh "$work/bin" "$work/postguard.msi" >"$work/wixl.log" 2>&1; then
  ok "wixl builds the MSI from packaging/windows/postguard.wxs"
else fail "wixl: $(tail -5 "$work/wixl.log")"; fi
msiextract -l "$work/postguard.msi" >"$work/files.txt" 2>/dev/null
for f in postguard-host.exe postguard.exe ca.postguard.host.chromium.json ca.postguard.host.firefox.json \
         rules/pack.json rules/model/weights.tsv; do
  has "the MSI holds PostGuard/$f" "$work/files.txt" "^PostGuard/$f$"
done
want=$(find rules -type f ! -path 'rules/tools/*' ! -name 'README*' | wc -l)
got=$(grep -c '^PostGuard/rules/' "$work/files.txt")
[ "$want" -eq "$got" ] && ok "every one of the pack's $want files is in the MSI" || fail "the MSI has $got of the pack's $want files"
hasnt "no rules/tools/ and no README in the MSI" "$work/files.txt" '/tools/|README'
mkdir -p "$work/extract"
(cd "$work/extract" && msiextract "$work/postguard.msi" >/dev/null 2>&1)
for exe in postguard-host.exe postguard.exe; do
  if cmp -s "$work/bin/$exe" "$work/extract/PostGuard/$exe"; then
    ok "the MSI's $exe is the $([ "$real" = 1 ] && echo "real program, byte for byte" || echo "probe (no real program)")"
  else fail "the MSI's $exe differs from the one built"; fi
done
msiinfo export "$work/postguard.msi" Registry >"$work/reg.txt" 2>/dev/null
for k in 'Google\\Chrome' 'Chromium' 'Microsoft\\Edge' 'Mozilla'; do
  has "HKLM key for $k" "$work/reg.txt" "^[^	]+	2	SOFTWARE\\\\$k\\\\NativeMessagingHosts\\\\ca\\.postguard\\.host		\\[INSTALLFOLDER\\]ca\\.postguard\\.host\\.(chromium|firefox)\\.json	"
done
hasnt "no HKCU key (root 1)" "$work/reg.txt" '^[^	]+	1	'

pg_log "windows: msiexec installs it under wine"
if wine msiexec /i "$(wine winepath -w "$work/postguard.msi" 2>/dev/null)" /qn >/dev/null 2>&1; then
  ok "msiexec /i /qn"; else fail "msiexec /i /qn"; fi
for k in 'Google\Chrome' 'Chromium' 'Microsoft\Edge' 'Mozilla'; do
  wine reg query "HKLM\\SOFTWARE\\$k\\NativeMessagingHosts\\ca.postguard.host" /ve >"$work/q.txt" 2>/dev/null
  m=chromium; [ "$k" = Mozilla ] && m=firefox
  has "wine reg query HKLM\\SOFTWARE\\$k\\...\\ca.postguard.host" "$work/q.txt" "REG_SZ +C:\\\\Program Files\\\\PostGuard\\\\ca\\.postguard\\.host\\.$m\\.json"
done
inst="$drive_c/Program Files/PostGuard"
grep -q '"path": "postguard-host.exe"' "$inst/ca.postguard.host.chromium.json" 2>/dev/null &&
  [ -f "$inst/postguard-host.exe" ] && ok "the installed manifest names postguard-host.exe beside it" ||
  fail "the installed manifest or host is missing"
if [ "$real" = 1 ]; then
  python3 - "$inst/postguard-host.exe" >"$work/inst.out" 2>&1 <<'PY'
import json, struct, subprocess, sys
req = json.dumps({"type": "hello", "id": "installed"}).encode()
p = subprocess.run(["wine", sys.argv[1]], input=struct.pack("<I", len(req)) + req, capture_output=True, timeout=120)
(n,) = struct.unpack("<I", p.stdout[:4])
r = json.loads(p.stdout[4:4 + n])
print(f"reply={r.get('type')} id={r.get('id')} rules={r.get('pack', {}).get('rules')} status={p.returncode}")
print("\n".join(l for l in p.stderr.decode("utf-8", "replace").splitlines() if " from " in l))
PY
  has "the installed postguard-host.exe answers hello with the pack" "$work/inst.out" '^reply=hello id=installed rules=[1-9][0-9]* status=0$'
  has "the installed host loads the installed rules" "$work/inst.out" 'from C:\\Program Files\\PostGuard\\rules, '
  wine "$inst/postguard.exe" rules >"$work/inst-rules.out" 2>&1
  n=$(grep -c '^[a-z-]*\.[a-z.-]* ' "$work/inst-rules.out")
  [ "$n" -gt 0 ] && ok "the installed postguard.exe lists the installed pack's $n rules" ||
    { fail "the installed postguard.exe rules:"; head -5 "$work/inst-rules.out" | sed 's/^/     /'; }
else
  wine "$inst/postguard-host.exe" paths >"$work/inst.out" 2>/dev/null
  line "the installed program finds the installed rules" "$work/inst.out" 'rules=C:\Program Files\PostGuard\rules'
fi

if [ "$real" = 1 ]; then
  echo "real programs: postguard-host.exe $(stat -c %s "$bw/postguard-host.exe") bytes, postguard.exe $(stat -c %s "$bw/postguard.exe") bytes, MSI $(stat -c %s "$work/postguard.msi") bytes"
else
  echo "PROBE PATH: the real programs were not built (see the notes above); the MSI carries the probe"
fi
echo "windows suite: $(secs_since "$suite_t0") s"
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
