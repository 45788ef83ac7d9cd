#!/usr/bin/env bash
# tests/suites/windows.sh - Windows, proven on Linux: the host and CLI sources cross-compile with
# mingw-w64 under -Werror; the host's platform code (framing, binary stdin/stdout, the program's
# path, the configuration places, the job-object sandbox) runs under wine in a temporary
# WINEPREFIX; the MSI is built with wixl from packaging/windows/postguard.wxs, its tables are
# checked with msiinfo/msiextract, and it installs under wine's msiexec with the HKLM keys.
#
# What this cannot do on Debian 12: link postguard-host.exe and postguard.exe, because Debian
# ships PCRE2 for Linux only (no mingw-w64 build, no C sources in any binary package: see
# docs/deployment.md). So the wine tests drive tests/windows/probe.c, which links the host's own
# modules that need no PCRE2, and the MSI carries the probe in the host's place.
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

pg_log "windows: tools"
pg_need_apt gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine wine64 msitools wixl python3 \
  libpcre2-dev libcjson-dev || { echo "FAIL: cannot install the tools"; exit 1; }

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

pg_log "windows: the CMake cross-build compiles every host and CLI source with -Werror"
# PCRE2's and cJSON's headers are the same for every target (PCRE2_STATIC drops dllimport); only
# their libraries are missing for mingw-w64. A prefix of those headers with .pc files lets the
# real CMake build (packaging/windows/mingw-w64.cmake) compile the engine and host libraries and
# both programs' main.c, with the project's own flags; linking the .exe files needs the
# libraries themselves. The probe below uses the same headers.
deps="$work/deps"
mkdir -p "$deps/lib/pkgconfig" "$deps/include/cjson" "$work/inc/cjson"
cp /usr/include/pcre2.h "$deps/include/" && cp /usr/include/cjson/cJSON.h "$deps/include/cjson/"
cp /usr/include/pcre2.h "$work/inc/" && cp /usr/include/cjson/cJSON.h "$work/inc/cjson/"
for m in libpcre2-8:pcre2-8 libcjson:cjson; do
  printf 'prefix=%s\nName: %s\nDescription: headers only\nVersion: 0\nCflags: -I${prefix}/include\nLibs: -l%s\n' \
    "$deps" "${m%%:*}" "${m#*:}" >"$deps/lib/pkgconfig/${m%%:*}.pc"
done
bw="$work/build-win"
if cmake -S . -B "$bw" -DCMAKE_TOOLCHAIN_FILE=packaging/windows/mingw-w64.cmake -DPG_WIN_DEPS="$deps" \
     -DPG_TESTS=OFF >"$work/cmake.log" 2>&1 &&
   cmake --build "$bw" -j2 --target pgengine pgnmh >>"$work/cmake.log" 2>&1 &&
   make -C "$bw/host" nmh/main.c.obj cli/main.c.obj >>"$work/cmake.log" 2>&1; then
  n=$(find "$bw" -name '*.c.obj' | wc -l)
  [ "$n" -gt 20 ] && ok "$n sources compile for x86_64-w64-mingw32 (CMake, -Werror)" || fail "only $n objects"
else
  fail "the Windows cross-build does not compile:"; grep -E 'error|Error' -A3 "$work/cmake.log" | head -40 | sed 's/^/     /'
fi
if [ -e "$("$CC" -print-file-name=libpcre2-8.a)" ]; then
  echo "note: a mingw-w64 PCRE2 is present; link with cmake -DCMAKE_TOOLCHAIN_FILE=packaging/windows/mingw-w64.cmake"
else
  echo "note: postguard-host.exe is not linked: no PCRE2 for mingw-w64 on this machine (docs/deployment.md)"
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
for dir in "Program Files/PostGuard" "users/Zoë Lévesque/PostGuard"; do
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

pg_log "windows: the MSI (wixl, WiX 3 source)"
mkdir -p "$work/bin"
cp "$work/probe.exe" "$work/bin/postguard-host.exe"; cp "$work/probe.exe" "$work/bin/postguard.exe"
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
wine "$inst/postguard-host.exe" paths >"$work/inst.out" 2>/dev/null
line "the installed program finds the installed rules" "$work/inst.out" 'rules=C:\Program Files\PostGuard\rules'

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
