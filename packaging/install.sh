#!/usr/bin/env bash
# packaging/install.sh - installs PostGuard from this source tree without a package: the build
# dependencies, the build, the host, CLI and rules, and the host manifests for the browsers found.
#
# Usage: packaging/install.sh [--user|--system] [--browser NAME]... [--prefix DIR]
#                             [--build-dir DIR] [--uninstall] [--help]
#   --user         (default) for the current user: the programs under ~/.local, the manifests
#                  in the browsers' per-user folders
#   --system       for every user: the programs under /usr/local, the manifests in /etc and
#                  /usr/lib/mozilla (needs root or sudo)
#   --browser NAME chrome, chromium, edge, brave or firefox; repeat for more. Without it, every
#                  browser found on this machine (none found: Chrome, Chromium, Edge and Firefox,
#                  so that the one installed later finds the host); with it, those browsers even
#                  if not found.
#   --prefix DIR   install the programs under DIR instead
#   --build-dir D  where to build (default: build-install in the source tree)
#   --uninstall    remove exactly what an earlier run with the same mode and prefix installed
#
# Every run is idempotent. Everything it writes is listed in <prefix>/share/postguard/installed.txt,
# which --uninstall reads. Exit status: 0 done (also when no browser was found: it says so at the
# end, and what to do), 1 usage, 2 a step failed.
set -u

PG_HOST_NAME=ca.postguard.host
PG_EXTENSION_ID=gkfbpcjpnomknlhmihjkfgokmbldcppa
PG_FIREFOX_ID=postguard@postguard.ca
BROWSERS=(chrome chromium edge brave firefox)
SAMPLE_POST="67M from Gimli in bed 4 at Johnson Memorial last night with a rare sarcoma. DM me your symptoms if you have the same lump!"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_ROOT=$(cd "$here/.." && pwd)
. "$here/lib.sh"

say() { printf '%s\n' "$*"; }
die() { # die STATUS MESSAGE...
  local status=$1; shift
  printf '\npostguard install: FAILED: %s\n' "$*" >&2
  exit "$status"
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

# ---- arguments ------------------------------------------------------------------------------

mode=user; prefix=; build_dir=; uninstall=; chosen=()
while [ $# -gt 0 ]; do
  case $1 in
    --user) mode=user ;;
    --system) mode=system ;;
    --uninstall) uninstall=1 ;;
    --browser|--prefix|--build-dir)
      [ $# -ge 2 ] && [ -n "$2" ] || { usage >&2; die 1 "$1 needs a value"; }
      case $1 in
        --browser)
          case $2 in
            chrome|google-chrome) chosen+=(chrome) ;;
            chromium) chosen+=(chromium) ;;
            edge|microsoft-edge) chosen+=(edge) ;;
            brave) chosen+=(brave) ;;
            firefox) chosen+=(firefox) ;;
            *) die 1 "unknown browser '$2': use chrome, chromium, edge, brave or firefox" ;;
          esac ;;
        --prefix) prefix=$2 ;;
        --build-dir) build_dir=$2 ;;
      esac
      shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die 1 "unknown option '$1'" ;;
  esac
  shift
done

[ "$(uname -s)" = Linux ] || die 1 "this script is for Linux; see packaging/windows and packaging/macos"
if [ "$mode" = user ]; then
  [ -n "${HOME:-}" ] || die 1 "HOME is not set"
  prefix=${prefix:-$HOME/.local}
else
  prefix=${prefix:-/usr/local}
fi
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
prefix=${prefix%/}
build_dir=${build_dir:-$PG_ROOT/build-install}
# Every folder and file this script makes is 0755 or 0644 whatever the caller's umask: under
# /etc a umask of 002 would leave manifest folders group-writable.
umask 022
if [ "$mode" = system ]; then
  # Programs run by every user's browser must not sit where another user can replace them:
  # refuse a prefix any of whose existing folders is owned by someone else or writable by
  # group or others (the sticky /tmp included).
  d=$prefix
  while :; do
    if [ -e "$d" ]; then
      read -r owner perms < <(stat -L -c '%u %a' "$d")
      if [ "$owner" != 0 ] || [ $((8#$perms & 8#022)) -ne 0 ]; then
        die 1 "--system: $d is $( [ "$owner" != 0 ] && echo "owned by uid $owner" || echo "writable by other users (mode $perms)"); programs installed for every user must be writable by root only: choose another --prefix (the default is /usr/local)"
      fi
    fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
fi
record=$prefix/share/postguard/installed.txt
host_path=$prefix/libexec/postguard/postguard-host

# run_priv CMD...: writes to the install locations: as root for --system, as the user otherwise.
run_priv() {
  if [ "$mode" = system ] && [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die 2 "--system needs root: run it as root or install sudo"
    sudo "$@"
  else
    "$@"
  fi
}

# ---- browsers -----------------------------------------------------------------------------

manifest_dir() { # manifest_dir BROWSER: where this mode puts its host manifest
  if [ "$mode" = system ]; then
    case $1 in
      chrome) echo /etc/opt/chrome/native-messaging-hosts ;;
      chromium) echo /etc/chromium/native-messaging-hosts ;;
      edge) echo /etc/opt/edge/native-messaging-hosts ;;
      brave) echo /etc/opt/brave.com/brave/native-messaging-hosts ;;
      firefox) echo /usr/lib/mozilla/native-messaging-hosts ;;
    esac
  else
    case $1 in
      chrome) echo "$HOME/.config/google-chrome/NativeMessagingHosts" ;;
      chromium) echo "$HOME/.config/chromium/NativeMessagingHosts" ;;
      edge) echo "$HOME/.config/microsoft-edge/NativeMessagingHosts" ;;
      brave) echo "$HOME/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts" ;;
      firefox) echo "$HOME/.mozilla/native-messaging-hosts" ;;
    esac
  fi
}

browser_label() {
  case $1 in
    chrome) echo "Google Chrome" ;; chromium) echo Chromium ;; edge) echo "Microsoft Edge" ;;
    brave) echo Brave ;; firefox) echo Firefox ;;
  esac
}

# made_here DIR: DIR is a folder an earlier run of this script created (its install record says
# so), such as ~/.mozilla made only to hold a manifest: no sign that the browser is there.
made_here() { [ -f "$record" ] && grep -qxF "dir $1" "$record"; }

# native_present BROWSER: a browser installed from a package (not a Snap), or its profile folder.
native_present() {
  local exe p cfg
  case $1 in
    chrome) exe="google-chrome google-chrome-stable /opt/google/chrome/chrome"; cfg=.config/google-chrome ;;
    chromium) exe="chromium chromium-browser"; cfg=.config/chromium ;;
    edge) exe="microsoft-edge microsoft-edge-stable /opt/microsoft/msedge/msedge"; cfg=.config/microsoft-edge ;;
    brave) exe="brave-browser brave /opt/brave.com/brave/brave"; cfg=.config/BraveSoftware/Brave-Browser ;;
    firefox) exe="firefox firefox-esr"; cfg=.mozilla ;;
  esac
  for p in $exe; do
    p=$(command -v "$p" 2>/dev/null) || continue
    case $(readlink -f "$p") in /snap/*|*/snapd/*) continue ;; esac
    return 0
  done
  [ "$mode" = user ] && [ -d "$HOME/$cfg" ] && ! made_here "$HOME/$cfg" && return 0
  return 1
}

# Flatpak and Snap browsers run in a sandbox that cannot start a program outside it.
sandboxed_browsers() {
  local found=() id
  if command -v flatpak >/dev/null 2>&1; then
    for id in com.google.Chrome org.chromium.Chromium com.microsoft.Edge com.brave.Browser \
              org.mozilla.firefox io.github.ungoogled_software.ungoogled_chromium; do
      flatpak info "$id" >/dev/null 2>&1 && found+=("Flatpak $id")
    done
  fi
  for id in chromium firefox brave; do
    [ -e "/snap/bin/$id" ] && found+=("Snap $id")
  done
  printf '%s\n' "${found[@]+"${found[@]}"}"
}

sandbox_advice() {
  local list
  list=$(sandboxed_browsers)
  [ -n "$list" ] || return 0
  pg_log "sandboxed browsers (Flatpak, Snap)"
  say "Found: $(echo "$list" | paste -sd, | sed 's/,/, /g')"
  cat <<'EOF'
These browsers run in a sandbox that cannot start a program installed outside it, so the
manifests written above do not reach them:
- Firefox as a Snap or Flatpak: recent versions reach native hosts through the desktop's
  WebExtensions portal (xdg-desktop-portal 1.17 or later) using the ~/.mozilla manifest
  written above; if PostGuard's popup still says "host not found", use Debian's Firefox ESR
  (apt-get install firefox-esr).
- Chromium, Chrome, Edge or Brave as a Snap or Flatpak: there is no supported way for them to
  start a native host. Install the browser's Debian package (apt-get install chromium, or the
  vendor's .deb) and use that one for clinical social-media posting.
See docs/deployment.md, "Flatpak and Snap".
EOF
}

# ---- the install record ---------------------------------------------------------------------

new_entries=()
note_dir_chain() { # note_dir_chain DIR: note the missing folders that creating DIR will make
  local d=$1 missing=()
  while [ ! -d "$d" ]; do missing=("$d" "${missing[@]+"${missing[@]}"}"); d=$(dirname "$d"); done
  local m
  for m in "${missing[@]+"${missing[@]}"}"; do new_entries+=("dir $m"); done
}

write_record() {
  local tmp
  tmp=$(mktemp) || die 2 "cannot make a temporary file"
  {
    [ -f "$record" ] && grep -v '^#' "$record"
    printf '%s\n' "${new_entries[@]+"${new_entries[@]}"}" "file $record"
  } | awk '!seen[$0]++' >"$tmp.body"
  { echo "# written by packaging/install.sh ($mode); read by --uninstall"; cat "$tmp.body"; } >"$tmp"
  run_priv mkdir -p "$(dirname "$record")" && run_priv install -m 644 "$tmp" "$record"
  local status=$?
  rm -f "$tmp" "$tmp.body"
  [ $status -eq 0 ] || die 2 "cannot write the install record $record"
}

# ---- uninstall ------------------------------------------------------------------------------

do_uninstall() {
  pg_log "uninstalling ($mode, prefix $prefix)"
  if [ ! -f "$record" ]; then
    say "Nothing to remove: no record of an install at $record."
    say "(A package install is removed with: apt-get remove postguard)"
    return 0
  fi
  local kind path removed=0 dirs=()
  while read -r kind path; do
    case $kind in
      file)
        if [ -e "$path" ] || [ -L "$path" ]; then
          run_priv rm -f "$path" || die 2 "cannot remove $path"
          removed=$((removed + 1)); say "removed $path"
        fi ;;
      dir) dirs+=("$path") ;;
    esac
  done < <(grep -v '^#' "$record")
  # Deepest folders first; only those this script created, and only when empty.
  local d
  while read -r d; do
    [ -n "$d" ] && [ -d "$d" ] && run_priv rmdir "$d" 2>/dev/null && say "removed $d/"
  done < <(printf '%s\n' "${dirs[@]+"${dirs[@]}"}" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
  say "Removed $removed files. PostGuard is uninstalled from $prefix."
  say "Clinic settings in /etc/postguard and ~/.config/postguard are yours and were left alone."
}

if [ -n "$uninstall" ]; then
  do_uninstall
  exit 0
fi

# ---- which browsers -------------------------------------------------------------------------

targets=(); no_browser=
if [ ${#chosen[@]} -gt 0 ]; then
  targets=($(printf '%s\n' "${chosen[@]}" | awk '!seen[$0]++'))
else
  for b in "${BROWSERS[@]}"; do native_present "$b" && targets+=("$b"); done
fi
if [ ${#targets[@]} -eq 0 ]; then
  # Nothing to register for: still install and check the host, and register it where the
  # browsers clinics use look, so that the one installed next finds it. Said again at the end.
  no_browser=1
  targets=(chrome chromium edge firefox)
fi
say "PostGuard install: $mode, programs under $prefix, browsers: ${targets[*]}${no_browser:+ (none found on this machine)}"

# ---- dependencies and build -------------------------------------------------------------------

pg_log "build dependencies"
deps=(build-essential cmake pkg-config libcjson-dev libpcre2-dev libseccomp-dev jq)
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  say "This is not a Debian-like system: install these (or your system's equivalents) yourself:"
  say "  ${deps[*]}"
  for tool in cmake cc pkg-config jq; do
    command -v "$tool" >/dev/null 2>&1 || die 2 "'$tool' is missing"
  done
else
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    missing=$(pg_apt_missing "${deps[@]}")
    [ -z "$missing" ] || die 2 "these packages are missing and there is no sudo to install them:
  $(echo $missing)
Run this script as root once, or: su -c 'apt-get install $(echo $missing)'"
  fi
  pg_need_apt "${deps[@]}" || die 2 "apt-get could not install the build dependencies (${deps[*]}).
Check the network and /etc/apt/sources.list, then run this again."
  say "all present"
fi

pg_log "build ($build_dir)"
mkdir -p "$build_dir" || die 2 "cannot create the build folder $build_dir"
if ! cmake -S "$PG_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_INSTALL_PREFIX="$prefix" -DPG_TESTS=OFF -DPG_SANITIZE=OFF -DPG_FUZZ=OFF \
      -DPG_INSTALL_BROWSER_MANIFESTS=OFF >"$build_dir/install-configure.log" 2>&1; then
  tail -n 30 "$build_dir/install-configure.log" >&2
  die 2 "CMake could not configure the build (full log: $build_dir/install-configure.log)"
fi
if ! cmake --build "$build_dir" -j"$(nproc 2>/dev/null || echo 2)" >"$build_dir/install-build.log" 2>&1; then
  tail -n 40 "$build_dir/install-build.log" >&2
  die 2 "the build failed (full log: $build_dir/install-build.log)"
fi
[ -x "$build_dir/postguard-host" ] || die 2 "the build made no postguard-host (is host/nmh/main.c in this tree?)"
say "built $build_dir/postguard-host and $build_dir/postguard"

# ---- install the programs and the rules --------------------------------------------------------

pg_log "install the host, the command line and the rule pack under $prefix"
stage=$(mktemp -d) || die 2 "cannot make a temporary folder"
trap 'rm -rf "$stage"' EXIT
if ! DESTDIR="$stage" cmake --install "$build_dir" >"$stage.log" 2>&1; then
  cat "$stage.log" >&2; rm -f "$stage.log"
  die 2 "cmake --install failed"
fi
rm -f "$stage.log"
while IFS= read -r f; do
  f=${f#"$stage"}
  note_dir_chain "$(dirname "$f")"
  new_entries+=("file $f")
done < <(find "$stage" \( -type f -o -type l \) | sort)
while IFS= read -r d; do note_dir_chain "${d#"$stage"}"; done < <(find "$stage" -mindepth 1 -type d -empty)
outside=$(find "$stage" -mindepth 1 \( -type f -o -type l \) -not -path "$stage$prefix/*" | head -n 1)
[ -z "$outside" ] || die 2 "the build installs ${outside#"$stage"} outside $prefix: not supported here"
# A rule file the previous install put there and this tree no longer has would still be loaded.
if [ -f "$record" ]; then
  while read -r kind f; do
    [ "$kind" = file ] && [ -e "$f" ] && [ ! -e "$stage$f" ] && run_priv rm -f "$f" && say "removed stale $f"
  done < <(grep "^file $prefix/share/postguard/rules/" "$record")
fi
# Copy the staged tree (cmake set its modes: 0755 programs, 0644 data) as root for --system; the
# build folder itself stays the user's.
run_priv mkdir -p "$prefix" && run_priv cp -R --preserve=mode "$stage$prefix/." "$prefix/" ||
  die 2 "cannot copy the programs into $prefix (permissions?)"
[ -x "$host_path" ] || die 2 "the host is not at $host_path after the install"
[ -f "$prefix/share/postguard/rules/pack.json" ] ||
  die 2 "no rule pack at $prefix/share/postguard/rules (is rules/pack.json in this tree?)"
say "host:  $host_path"
say "CLI:   $prefix/bin/postguard"
say "rules: $prefix/share/postguard/rules"

# ---- host manifests ---------------------------------------------------------------------------

pg_log "register the host with the browsers"
render_manifest() { # render_manifest BROWSER: the manifest text for this browser family
  local tpl=chromium
  [ "$1" = firefox ] && tpl=firefox
  sed -e "s|@PG_HOST_NAME@|$PG_HOST_NAME|g" -e "s|@PG_HOST_PATH@|$host_path|g" \
      -e "s|@PG_EXTENSION_ID@|$PG_EXTENSION_ID|g" -e "s|@PG_FIREFOX_ID@|$PG_FIREFOX_ID|g" \
      "$here/manifests/$tpl.json.in"
}
for b in "${targets[@]}"; do
  dir=$(manifest_dir "$b")
  note_dir_chain "$dir"
  out=$dir/$PG_HOST_NAME.json
  render_manifest "$b" >"$stage/$b.json" || die 2 "cannot render the manifest for $b"
  jq -e --arg p "$host_path" '.path == $p' "$stage/$b.json" >/dev/null ||
    die 2 "the manifest for $b is not valid JSON (prefix with a quote or backslash?)"
  run_priv mkdir -p "$dir" && run_priv install -m 644 "$stage/$b.json" "$out" ||
    die 2 "cannot write $out"
  new_entries+=("file $out")
  note=""
  if [ -n "$no_browser" ]; then
    note="  (not found on this machine; ready for when it is installed)"
  elif ! native_present "$b"; then
    note="  (not found on this machine; registered because you named it)"
  fi
  say "$(browser_label "$b"): $out$note"
done
write_record
say "install record: $record"
sandbox_advice

# ---- a sample post through the installed host ---------------------------------------------------

pg_log "a sample post through the installed host (native-messaging framing)"
check_req=$(jq -cn --arg t "$SAMPLE_POST" '{type: "check", id: 2, text: $t, site: "x"}')
replies=$("$here/nmsend.sh" "$host_path" '{"type":"hello","id":1}' "$check_req") ||
  die 2 "the installed host did not answer over native messaging (see above)"
hello=; result=
while IFS= read -r body; do
  case $(printf '%s' "$body" | jq -r .type 2>/dev/null) in
    hello) hello=$body ;;
    result) result=$body ;;
    error) die 2 "the host answered with an error: $body" ;;
    *) die 2 "the host sent something that is not a protocol frame" ;;
  esac
done <<<"$replies"
[ -n "$hello" ] || die 2 "the installed host did not answer hello"
[ -n "$result" ] || die 2 "the installed host did not answer the check"
printf '%s' "$hello" | jq -r '"host \(.version), rule pack \(.pack.id) \(.pack.version) (\(.pack.rules) rules)"'
problem=$(printf '%s' "$hello" | jq -r 'if .config_problem then "\(.config_problem.file): \(.config_problem.message)" else empty end')
[ -z "$problem" ] || say "clinic configuration problem (the base pack still works): $problem"
say "post: $SAMPLE_POST"
count=$(printf '%s' "$result" | jq '.findings | length')
[ "$count" -gt 0 ] || die 2 "the installed host found nothing in a post it must flag (is the rule pack complete?)"
printf '%s' "$result" | jq -r --arg t "$SAMPLE_POST" '.findings[] |
  "  \(.severity | ascii_upcase)  \(.category)  §\(.section): \(.message)  [\(.rule)]\n        \"\($t[.start:.end])\""'
say "$count warnings, highest: $(printf '%s' "$result" | jq -r .max_severity)"

# ---- what next --------------------------------------------------------------------------------

pg_log "load the extension"
cat <<EOF
The host is installed and answers. Now load the extension (its id is fixed:
$PG_EXTENSION_ID, which the manifests above allow):
- Chrome, Chromium, Edge, Brave: open chrome://extensions (edge://extensions,
  brave://extensions), turn on "Developer mode", click "Load unpacked" and choose
    $PG_ROOT/extension
- Firefox: open about:debugging#/runtime/this-firefox, click "Load Temporary Add-on…" and
  choose $PG_ROOT/extension/manifest.json
Then open PostGuard's popup: it should say "connected". To remove everything:
  packaging/install.sh --$mode${prefix:+ --prefix $prefix} --uninstall
A clinic installs PostGuard by policy instead: see docs/deployment.md.
EOF

if [ -n "$no_browser" ]; then
  pg_log "no browser found"
  root=; [ "$(id -u)" -eq 0 ] || root="sudo "
  cat <<EOF
No supported browser was found on this machine (Chrome, Chromium, Edge, Brave or Firefox
installed from a package, or its profile folder). The host is installed and answers, and it is
registered for Chrome, Chromium, Edge and Firefox (the folders above), so the browser you install
next finds it. Install one, for example:
  ${root}apt-get install chromium        (or firefox-esr, or the vendor's .deb of Chrome or Edge)
then load the extension as said above. For Brave, run this again with --browser brave.
EOF
fi
exit 0
