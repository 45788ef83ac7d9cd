#!/bin/bash
# packaging/macos/install.sh - system-wide install of the PostGuard host on macOS: builds with
# CMake, installs the host, CLI and rules under /usr/local, and writes the host manifests in the
# /Library folders Chrome, Chromium, Edge and Firefox read. Needs root (sudo).
#
# Usage: sudo packaging/macos/install.sh [--prefix DIR] [--uninstall]
# Build dependencies (Homebrew): brew install cmake pkg-config cjson pcre2
# Version 0.1.0; host ca.postguard.host; extension id gkfbpcjpnomknlhmihjkfgokmbldcppa.
set -u

VERSION=0.1.0
HOST_NAME=ca.postguard.host
EXTENSION_ID=gkfbpcjpnomknlhmihjkfgokmbldcppa
FIREFOX_ID=postguard@postguard.ca
CHROMIUM_DIRS=(
  "/Library/Google/Chrome/NativeMessagingHosts"
  "/Library/Application Support/Chromium/NativeMessagingHosts"
  "/Library/Microsoft/Edge/NativeMessagingHosts"
)
FIREFOX_DIRS=("/Library/Application Support/Mozilla/NativeMessagingHosts")

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
prefix=/usr/local; uninstall=
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a folder}; shift ;;
    --uninstall) uninstall=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
  shift
done
host_path=$prefix/libexec/postguard/postguard-host

die() { echo "postguard install: FAILED: $*" >&2; exit 2; }
[ "$(uname -s)" = Darwin ] || die "this script is for macOS; on Linux use packaging/install.sh"
[ "$(id -u)" -eq 0 ] || die "run it with sudo: it writes to $prefix and /Library"

if [ -n "$uninstall" ]; then
  for d in "${CHROMIUM_DIRS[@]}" "${FIREFOX_DIRS[@]}"; do
    [ -f "$d/$HOST_NAME.json" ] && rm -f "$d/$HOST_NAME.json" && echo "removed $d/$HOST_NAME.json"
  done
  rm -f "$prefix/bin/postguard" "$host_path"
  rmdir "$prefix/libexec/postguard" 2>/dev/null
  rm -rf "$prefix/share/postguard"
  echo "PostGuard $VERSION is uninstalled."
  exit 0
fi

for tool in cmake pkg-config cc; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing: xcode-select --install; brew install cmake pkg-config cjson pcre2"
done
build=$root/build-macos
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
      -DPG_TESTS=OFF -DPG_INSTALL_BROWSER_MANIFESTS=OFF >/dev/null || die "CMake could not configure the build"
cmake --build "$build" -j4 || die "the build failed"
cmake --install "$build" >/dev/null || die "cmake --install failed"
[ -x "$host_path" ] || die "no host at $host_path after the install"

render() { # render TEMPLATE: a manifest with the installed host's path
  sed -e "s|@PG_HOST_NAME@|$HOST_NAME|g" -e "s|@PG_HOST_PATH@|$host_path|g" \
      -e "s|@PG_EXTENSION_ID@|$EXTENSION_ID|g" -e "s|@PG_FIREFOX_ID@|$FIREFOX_ID|g" \
      "$root/packaging/manifests/$1.json.in"
}
for d in "${CHROMIUM_DIRS[@]}"; do
  mkdir -p "$d" && render chromium >"$d/$HOST_NAME.json" && chmod 644 "$d/$HOST_NAME.json" ||
    die "cannot write $d/$HOST_NAME.json"
  echo "wrote $d/$HOST_NAME.json"
done
for d in "${FIREFOX_DIRS[@]}"; do
  mkdir -p "$d" && render firefox >"$d/$HOST_NAME.json" && chmod 644 "$d/$HOST_NAME.json" ||
    die "cannot write $d/$HOST_NAME.json"
  echo "wrote $d/$HOST_NAME.json"
done
echo "PostGuard $VERSION: host $host_path registered for Chrome, Chromium, Edge and Firefox."
echo "Force-install the extension with packaging/policy/postguard.mobileconfig (docs/deployment.md)."
