#!/usr/bin/env bash
# tests/suites/packaging.sh - the packages and installers, for real: builds the .deb with CPack,
# checks its contents, installs it with dpkg, talks to the installed host, runs the browser test
# on what the package installed, removes and purges it and checks nothing is left; checks every
# template; runs packaging/install.sh --user in a temporary HOME and --uninstall.
# Needs root (or sudo) for dpkg. Leaves the machine as it found it, even when a check fails.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"

HOST_NAME=ca.postguard.host
EXT_ID=gkfbpcjpnomknlhmihjkfgokmbldcppa
FIREFOX_ID=postguard@postguard.ca
HOST=/usr/libexec/postguard/postguard-host
CHROMIUM_DIRS=(/etc/opt/chrome/native-messaging-hosts /etc/chromium/native-messaging-hosts
               /etc/opt/edge/native-messaging-hosts /etc/opt/brave.com/brave/native-messaging-hosts)
FIREFOX_DIRS=(/usr/lib/mozilla/native-messaging-hosts)
POLICY_FILE=/etc/chromium/policies/managed/postguard-test.json

passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
expect() { # expect "WHAT" CMD...: the command must succeed
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

pg_log "packaging: tools"
tools=(build-essential cmake pkg-config libcjson-dev libpcre2-dev libseccomp-dev dpkg-dev file jq
       libxml2-utils python3)
# Chromium for the end-to-end test, now: installed later, after the list of the paths that exist
# before the .deb, its /etc/chromium would be taken for something the .deb left behind.
[ -f tests/browser/harness.mjs ] && tools+=(chromium)
pg_need_apt "${tools[@]}" || { echo "FAIL: cannot install the tools"; exit 1; }
# What cpack -G DEB runs besides CMake, with CPACK_DEBIAN_PACKAGE_SHLIBDEPS on: `file` to find the
# binaries (without it: "CPackDeb: file utility is not available"; a minimal Debian 12 has none)
# and dpkg-shlibdeps for Depends. Each must come from a package this suite installs.
for e in file:file dpkg-shlibdeps:dpkg-dev; do
  prog=${e%%:*} pkg=${e#*:}
  case " ${tools[*]} " in *" $pkg "*) listed=1 ;; *) listed= ;; esac
  [ -n "$listed" ] && command -v "$prog" >/dev/null 2>&1 &&
    ok "cpack -G DEB runs $prog: installed by this suite (package $pkg)" ||
    fail "cpack -G DEB runs $prog: the suite installs package $pkg (listed: ${listed:-no}; on PATH: $(command -v "$prog" || echo no))"
done

work=$(mktemp -d /tmp/pg-packaging.XXXXXX)
installed_pkg=; policy_dirs_made=(); etc_made=
cleanup() {
  [ -n "$etc_made" ] && pg_sudo rm -rf /etc/postguard
  pg_sudo rm -f "$POLICY_FILE"
  for d in "${policy_dirs_made[@]+"${policy_dirs_made[@]}"}"; do pg_sudo rmdir "$d" 2>/dev/null; done
  [ -n "$installed_pkg" ] && pg_sudo dpkg --purge postguard >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

version=$(sed -n 's/^project(postguard VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$version" ] || { echo "FAIL: no project version in CMakeLists.txt"; exit 1; }

# ---- templates ------------------------------------------------------------------------------------
pg_log "packaging: templates (id, host name, version; JSON, XML, .reg syntax)"
key_id=$(jq -r .key extension/manifest.json | base64 -d | sha256sum | cut -c1-32 | tr '0-9a-f' 'a-p')
[ "$key_id" = "$EXT_ID" ] && ok "the key in extension/manifest.json gives the id $EXT_ID" ||
  fail "the key in extension/manifest.json gives $key_id, not $EXT_ID"
for f in packaging/windows/postguard.wxs packaging/policy/postguard.mobileconfig packaging/policy/updates.xml; do
  expect "$f is well-formed XML (xmllint)" xmllint --noout "$f"
done
for f in packaging/windows/*.json packaging/policy/*.json; do
  expect "$f is valid JSON (jq)" sh -c 'jq -e . "$1" >/dev/null' _ "$f"
done
for f in packaging/install.sh packaging/lib.sh packaging/nmsend.sh packaging/macos/install.sh tests/suites/packaging.sh; do
  expect "$f parses (bash -n)" bash -n "$f"
done
# the installer is no part of the tests: its helpers are packaging/lib.sh, not tests/lib.sh
sourced=$(grep -E '^[[:space:]]*(\.|source)[[:space:]]' packaging/install.sh)
[ -n "$sourced" ] && ! printf '%s\n' "$sourced" | grep -qv '"$here/' &&
  ok "packaging/install.sh sources only files of packaging/ ($(printf '%s' "$sourced" | paste -sd' '))" ||
  fail "packaging/install.sh sources something outside packaging/: $sourced"
if python3 tests/packaging/check_templates.py "$PG_ROOT" "$EXT_ID" "$version" >"$work/templates.log"; then
  ok "templates name the same host, ids and version $version ($(grep -c '^ok' "$work/templates.log") checks)"
else
  grep -v '^ok' "$work/templates.log"; fail "templates (see the FAIL lines above)"
fi

if [ ! -f host/nmh/main.c ]; then
  echo "note: this tree has no native-messaging host yet (host/nmh/main.c): package and install tests need it"
  echo "packaging: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]; exit
fi

# ---- the .deb -----------------------------------------------------------------------------------------
pg_log "packaging: build the .deb (cpack -G DEB)"
bdir=$PG_ROOT/build-deb
if cmake -S . -B "$bdir" -DCMAKE_INSTALL_PREFIX=/usr -DPG_TESTS=OFF >"$work/configure.log" 2>&1 &&
   cmake --build "$bdir" -j"$(nproc)" >"$work/build.log" 2>&1 &&
   rm -f "$bdir"/postguard_*.deb && (cd "$bdir" && cpack -G DEB) >"$work/cpack.log" 2>&1; then
  ok "cpack -G DEB"
else
  tail -n 30 "$work"/*.log; fail "building the .deb"; echo "packaging: $passed passed, $failed failed"; exit 1
fi
# a tree configured for another prefix would build a .deb whose host looks for its rules there
cmake -S . -B "$work/prefix-local" -DCMAKE_INSTALL_PREFIX=/usr/local -DPG_TESTS=OFF >/dev/null 2>&1
(cd "$work/prefix-local" && cpack -G DEB) >"$work/cpack-local.log" 2>&1; st=$?
[ $st -ne 0 ] && grep -q "must install under /usr" "$work/cpack-local.log" &&
  ok "cpack -G DEB refuses a tree configured for /usr/local, saying to configure for /usr" ||
  { tail -5 "$work/cpack-local.log"; fail "cpack -G DEB with prefix /usr/local (exit $st)"; }
deb=$(ls "$bdir"/postguard_"$version"_*.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] && ok "made $(basename "$deb")" || { fail "no postguard_${version}_*.deb"; exit 1; }

pg_log "packaging: the .deb's contents (dpkg-deb -c, -I)"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' | grep -v '^$' >"$work/contents"
has() { grep -qx "$1" "$work/contents"; }
for p in "$HOST" /usr/bin/postguard /usr/share/postguard/rules/pack.json; do
  has "$p" && ok "contains $p" || fail "contains $p"
done
rules_in_deb=$(grep -c '^/usr/share/postguard/rules/.*\.json$' "$work/contents")
rules_in_tree=$(find rules -name '*.json' -not -path '*/tools/*' | wc -l)
[ "$rules_in_deb" -ge "$rules_in_tree" ] && [ "$rules_in_deb" -gt 0 ] &&
  ok "contains the whole rule pack ($rules_in_deb JSON files)" ||
  fail "contains the rule pack ($rules_in_deb JSON files, the tree has $rules_in_tree)"
for d in "${CHROMIUM_DIRS[@]}" "${FIREFOX_DIRS[@]}"; do
  has "$d/$HOST_NAME.json" && ok "contains $d/$HOST_NAME.json" || fail "contains $d/$HOST_NAME.json"
done
dpkg-deb -c "$deb" | awk -v h="./${HOST#/}" '$6 == h && $1 ~ /^-rwxr-xr-x/ { found = 1 } END { exit !found }' &&
  ok "the host is installed executable (0755)" || fail "the host is installed executable (0755)"
[ "$(dpkg-deb -f "$deb" Package)" = postguard ] && [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] &&
  ok "control: Package postguard, Version $version" || fail "control: Package postguard, Version $version"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcjson1 libpcre2-8-0; do
  case ", $depends" in *", $lib "*|*", $lib,"*|*", $lib") ok "Depends (from shlibs) names $lib" ;;
    *) fail "Depends names $lib (Depends: $depends)" ;; esac
done
dpkg-deb -I "$deb" | grep -q ' conffiles' && fail "no conffiles (a removed package must leave nothing)" ||
  ok "no conffiles (removing the package removes the manifests)"

# ---- install it -----------------------------------------------------------------------------------------
pg_log "packaging: install the .deb with dpkg"
if dpkg-query -W -f='${Status}' postguard 2>/dev/null | grep -q 'installed'; then
  fail "a postguard package is already installed on this machine: remove it (dpkg -P postguard) and run again"
  echo "packaging: $passed passed, $failed failed"; exit 1
fi
# Which of the package's paths exist before it is installed (folders such as /etc or /usr/bin).
while read -r p; do [ -e "$p" ] && echo "$p"; done <"$work/contents" >"$work/preexisting"
if pg_sudo dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
  installed_pkg=1; ok "dpkg -i $(basename "$deb")"
else
  installed_pkg=1; cat "$work/dpkg.log"; fail "dpkg -i"; echo "packaging: $passed passed, $failed failed"; exit 1
fi

check_manifest() { # check_manifest FILE chromium|firefox
  local f=$1 fam=$2 path
  jq -e . "$f" >/dev/null 2>&1 || { fail "$f is valid JSON"; return; }
  jq -e --arg n "$HOST_NAME" '.name == $n and .type == "stdio"' "$f" >/dev/null &&
    ok "$f names $HOST_NAME (stdio)" || fail "$f names $HOST_NAME (stdio)"
  path=$(jq -r .path "$f")
  [ "$path" = "$HOST" ] && [ -f "$path" ] && [ -x "$path" ] &&
    ok "$f: the host $path exists and is executable" || fail "$f: the host '$path' exists and is executable"
  if [ "$fam" = chromium ]; then
    jq -e --arg o "chrome-extension://$EXT_ID/" '.allowed_origins == [$o] and (has("allowed_extensions") | not)' \
      "$f" >/dev/null && ok "$f allows exactly chrome-extension://$EXT_ID/" || fail "$f allows exactly the extension id"
  else
    jq -e --arg o "$FIREFOX_ID" '.allowed_extensions == [$o] and (has("allowed_origins") | not)' \
      "$f" >/dev/null && ok "$f allows exactly $FIREFOX_ID" || fail "$f allows exactly $FIREFOX_ID"
  fi
}
for d in "${CHROMIUM_DIRS[@]}"; do check_manifest "$d/$HOST_NAME.json" chromium; done
for d in "${FIREFOX_DIRS[@]}"; do check_manifest "$d/$HOST_NAME.json" firefox; done

pg_log "packaging: a post through the installed host (native-messaging framing)"
export POSTGUARD_USER_CONFIG=$work/no-user-config.json POSTGUARD_CONFIG=$work/no-clinic-config.json
sample='67M from Gimli in bed 4 at Johnson Memorial last night with a rare sarcoma. DM me your symptoms!'
check_req=$(jq -cn --arg t "$sample" '{type: "check", id: 2, text: $t, site: "x"}')
if replies=$(packaging/nmsend.sh "$HOST" '{"type":"hello","id":1}' "$check_req"); then
  ok "the installed host answers two frames and exits 0 at end of input"
else
  fail "the installed host answers over native messaging"; replies=
fi
hello=$(sed -n 1p <<<"$replies"); result=$(sed -n 2p <<<"$replies")
jq -e '.type == "hello" and .id == 1 and (.pack.rules > 0) and .config_problem == null' <<<"$hello" >/dev/null &&
  ok "hello: the rule pack under /usr/share/postguard loads ($(jq -r '.pack.rules' <<<"$hello") rules), no config problem" ||
  fail "hello from the installed host: $hello"
jq -e '.type == "result" and .id == 2 and (.findings | length > 0) and (.max_severity | IN("medium", "high"))' <<<"$result" >/dev/null &&
  ok "check: the sample post is flagged $(jq -r .max_severity <<<"$result") ($(jq '.findings | length' <<<"$result") findings)" ||
  fail "check on the sample post: $result"

pg_log "packaging: clinic configuration through the installed host"
# A one-rule pack on the facilities lexicon, so the check does not hang on the real pack's rules:
# what is tested is that the installed host applies a clinic file, and reports a broken one.
export POSTGUARD_RULES=$PG_ROOT/tests/packaging/clinic-pack.json
hospital="Aldermoor Sisters General"
post="Saw a patient at $hospital today, 82F with a rare condition."
req=$(jq -cn --arg t "$post" '{type: "check", id: 3, text: $t}')
span_has_hospital() { # the findings cover the hospital's name
  jq -e --arg t "$post" --arg h "$hospital" \
    '[.findings[] | (.spans // [[.start, .end]])[] | $t[.[0]:.[1]]] | any(. == $h)' >/dev/null
}
base=$(packaging/nmsend.sh "$HOST" "$req")
if [ -n "$base" ] && ! span_has_hospital <<<"$base"; then
  ok "without a clinic file, '$hospital' is not a known facility"
else
  fail "without a clinic file, '$hospital' is not flagged: $base"
fi
# pinned as docs/deployment.md says (a clinic file without a pin reports the POSTGUARD_RULES pack)
pin=$(cd "$(dirname "$POSTGUARD_RULES")" && sha256sum "$(basename "$POSTGUARD_RULES")" | sha256sum | cut -d' ' -f1)
printf '{"lexicons": {"facilities": ["%s"]}, "pack": {"sha256": "%s"}}\n' "$hospital" "$pin" >"$work/clinic.json"
withcfg=$(POSTGUARD_CONFIG=$work/clinic.json packaging/nmsend.sh "$HOST" '{"type":"hello","id":1}' "$req")
jq -e '.config_problem == null' <<<"$(sed -n 1p <<<"$withcfg")" >/dev/null &&
  ok "a good clinic file reports no problem" || fail "a good clinic file: $(sed -n 1p <<<"$withcfg")"
sed -n 2p <<<"$withcfg" | span_has_hospital &&
  ok "with the clinic file (facilities: '$hospital'), its mention next to a patient is flagged" ||
  fail "with the clinic file, '$hospital' next to a patient is flagged: $(sed -n 2p <<<"$withcfg")"
echo '{"lexicons": {"facilities": ["x"],}' >"$work/broken.json"
broken=$(POSTGUARD_CONFIG=$work/broken.json packaging/nmsend.sh "$HOST" '{"type":"hello","id":1}' \
         '{"type":"check","id":4,"text":"Saw a patient at Johnson Memorial today."}')
jq -e --arg f "$work/broken.json" '.config_problem.file == $f and (.pack.rules > 0)' <<<"$(sed -n 1p <<<"$broken")" >/dev/null &&
  ok "a broken clinic file is reported in hello with its path, and the pack still loads" ||
  fail "a broken clinic file is reported: $(sed -n 1p <<<"$broken")"
jq -e '.findings | length > 0' <<<"$(sed -n 2p <<<"$broken")" >/dev/null &&
  ok "with a broken clinic file the pack still flags a post" || fail "pack with a broken clinic file: $(sed -n 2p <<<"$broken")"
# The default paths and their precedence: the user's file, then /etc/postguard/config.json (wins).
if [ -e /etc/postguard ]; then
  echo "note: /etc/postguard exists on this machine: the default-path check is left out to keep it untouched"
else
  etc_made=1; pg_sudo mkdir -p /etc/postguard
  printf '{"lexicons": {"facilities": ["%s"]}, "severity": {"privacy.facility-near-patient": "high"}}\n' \
    "$hospital" | pg_sudo tee /etc/postguard/config.json >/dev/null
  mkdir -p "$work/xdg/postguard"
  echo '{"severity": {"privacy.facility-near-patient": "low"}}' >"$work/xdg/postguard/config.json"
  both=$(env -u POSTGUARD_CONFIG -u POSTGUARD_USER_CONFIG XDG_CONFIG_HOME=$work/xdg \
         packaging/nmsend.sh "$HOST" "$req")
  pg_sudo rm -rf /etc/postguard; etc_made=
  jq -e --arg t "$post" --arg h "$hospital" \
    '[.findings[] | select(.rule == "privacy.facility-near-patient") | .severity] == ["high"]' \
    <<<"$both" >/dev/null &&
    ok "/etc/postguard/config.json is read by default and wins over the user's file (severity high, not low)" ||
    fail "default clinic file and precedence: $both"
fi
unset POSTGUARD_RULES
/usr/bin/postguard --version >/dev/null 2>&1 && ok "the installed CLI runs (postguard --version)" ||
  fail "the installed CLI runs"
echo "$sample" | /usr/bin/postguard check - >/dev/null 2>&1; st=$?
[ $st -eq 1 ] && ok "the installed CLI flags the sample (exit 1)" || fail "the installed CLI flags the sample (exit $st)"

# ---- Chromium end to end on what the package installed ------------------------------------------------------
if [ ! -f tests/browser/harness.mjs ]; then
  echo "note: no browser harness in this tree (tests/browser/harness.mjs): the Chromium policy test needs it"
else
  pg_log "packaging: Chromium with the system manifest and a managed policy (gate block, clinic lexicon)"
  d=$(dirname "$POLICY_FILE") # the folders the test will create, deepest first
  while [ ! -d "$d" ]; do policy_dirs_made+=("$d"); d=$(dirname "$d"); done
  if pg_need_apt chromium >"$work/npm.log" 2>&1 && pg_npm_ci tests/browser >>"$work/npm.log" 2>&1; then
    if (cd tests/browser && PG_POLICY_FILE=$POLICY_FILE PG_SYSTEM_HOST=$HOST \
          node --test --test-concurrency=1 policy.test.mjs) >"$work/policy.log" 2>&1; then
      ok "Chromium end to end: $(grep -c '^ok' "$work/policy.log") tests (tests/browser/policy.test.mjs)"
    else
      cat "$work/policy.log"; fail "Chromium end to end (tests/browser/policy.test.mjs)"
    fi
  else
    cat "$work/npm.log"; fail "installing chromium, or npm ci in tests/browser"
  fi
  pg_sudo rm -f "$POLICY_FILE"
  [ -e "$POLICY_FILE" ] && fail "the test policy file was removed" || ok "the test policy file was removed"
  for d in "${policy_dirs_made[@]+"${policy_dirs_made[@]}"}"; do pg_sudo rmdir "$d" 2>/dev/null; done
fi

# ---- remove and purge ---------------------------------------------------------------------------------------------
pg_log "packaging: dpkg -r, then purge; nothing left behind"
pg_sudo dpkg -r postguard >"$work/remove.log" 2>&1 && ok "dpkg -r postguard" || { cat "$work/remove.log"; fail "dpkg -r"; }
pg_sudo dpkg --purge postguard >"$work/purge.log" 2>&1 && ok "dpkg --purge postguard" || { cat "$work/purge.log"; fail "dpkg --purge"; }
installed_pkg=
left=$(while read -r p; do [ -e "$p" ] && ! grep -qx "$p" "$work/preexisting" && echo "$p"; done <"$work/contents")
[ -z "$left" ] && ok "every file and folder the package added is gone ($(wc -l <"$work/contents") paths checked)" ||
  fail "left behind: $(echo $left)"
dpkg-query -W -f='${Status}' postguard 2>/dev/null | grep -q 'installed' && fail "dpkg still knows postguard" ||
  ok "dpkg no longer lists postguard"
ls /var/lib/dpkg/info/postguard.* >/dev/null 2>&1 && fail "dpkg's files for postguard are gone" ||
  ok "dpkg's files for postguard are gone"
[ -e /etc/postguard ] && ! grep -qx /etc/postguard "$work/preexisting" && fail "/etc/postguard left behind" ||
  ok "no /etc/postguard left behind"

# ---- install.sh --user -----------------------------------------------------------------------------------------------
pg_log "packaging: install.sh --user into a temporary HOME"
home=$work/home
mkdir -p "$home/.config/BraveSoftware/Brave-Browser" "$home/.config/microsoft-edge"
(cd "$home" && find . | sort) >"$work/home.before"
ibuild=$PG_ROOT/build-install-test
# run under umask 002 (a shared-group workstation's): what it makes must still be 0755 / 0644
if (umask 002; HOME=$home packaging/install.sh --user --build-dir "$ibuild") >"$work/install.log" 2>&1; then
  ok "install.sh --user (exit 0)"
else
  cat "$work/install.log"; fail "install.sh --user"
fi
loose=$(cd "$home" && find .local .config -newer "$work/home.before" \( -type d -o -type f \) -perm /022 | head -n 3)
[ -z "$loose" ] && [ -n "$(cd "$home" && find .local -type d | head -n 1)" ] &&
  ok "under umask 002 every folder and file it made is writable by its owner only" ||
  fail "folders or files writable by group or others under umask 002: $loose"
ww=$work/world-writable; mkdir -p "$ww" && chmod 0777 "$ww"
packaging/install.sh --system --prefix "$ww/usr" >"$work/ww.log" 2>&1; st=$?
[ $st -eq 1 ] && grep -q "writable by other users" "$work/ww.log" && [ ! -e "$ww/usr" ] &&
  ok "--system refuses a --prefix another user could write to (exit 1, nothing made)" ||
  { cat "$work/ww.log"; fail "--system with a world-writable --prefix (exit $st)"; }
uhost=$home/.local/libexec/postguard/postguard-host
[ -x "$uhost" ] && ok "the host is installed at ~/.local/libexec/postguard/postguard-host" || fail "host under ~/.local"
expected=(edge:.config/microsoft-edge/NativeMessagingHosts brave:.config/BraveSoftware/Brave-Browser/NativeMessagingHosts)
command -v chromium >/dev/null 2>&1 && expected+=(chromium:.config/chromium/NativeMessagingHosts)
# the browser suite installs firefox-esr: where it is present, install.sh rightly registers it
ff_present=; { command -v firefox || command -v firefox-esr; } >/dev/null 2>&1 && ff_present=1
for e in "${expected[@]}"; do
  f=$home/${e#*:}/$HOST_NAME.json
  jq -e --arg p "$uhost" --arg o "chrome-extension://$EXT_ID/" \
    '.name == "ca.postguard.host" and .path == $p and .allowed_origins == [$o]' "$f" >/dev/null 2>&1 &&
    ok "install.sh registered the host for ${e%%:*} (~/${e#*:})" || fail "install.sh manifest for ${e%%:*} at $f"
done
if [ -n "$ff_present" ]; then
  [ -f "$home/.mozilla/native-messaging-hosts/$HOST_NAME.json" ] && [ ! -e "$home/.config/google-chrome" ] &&
    ok "Firefox (present) registered, no manifest for Chrome (not there)" || fail "manifests only for the browsers present"
else
  [ ! -e "$home/.mozilla" ] && [ ! -e "$home/.config/google-chrome" ] &&
    ok "no manifests for browsers that are not there (Firefox, Chrome)" || fail "manifests only for the browsers present"
fi
grep -Eq "warnings, highest: (medium|high)" "$work/install.log" &&
  ok "install.sh sent the sample post through the installed host and printed the warnings" ||
  fail "install.sh printed the sample post's warnings"
grep -q "Load unpacked" "$work/install.log" && ok "install.sh says how to load the extension" ||
  fail "install.sh says how to load the extension"
cp "$home/.local/share/postguard/installed.txt" "$work/record.1"
if HOME=$home packaging/install.sh --user --build-dir "$ibuild" >"$work/install2.log" 2>&1 &&
   cmp -s "$work/record.1" "$home/.local/share/postguard/installed.txt"; then
  ok "install.sh run twice: exit 0 and the same install record (idempotent)"
else
  tail -n 20 "$work/install2.log"; fail "install.sh run twice"
fi
HOME=$home packaging/install.sh --user --browser firefox --build-dir "$ibuild" >"$work/install3.log" 2>&1 &&
  jq -e --arg i "$FIREFOX_ID" '.allowed_extensions == [$i]' "$home/.mozilla/native-messaging-hosts/$HOST_NAME.json" >/dev/null &&
  ok "--browser firefox registers Firefox (~/.mozilla/native-messaging-hosts)" || fail "--browser firefox"
if HOME=$home packaging/install.sh --user --uninstall >"$work/uninstall.log" 2>&1; then
  ok "install.sh --uninstall (exit 0)"
else
  cat "$work/uninstall.log"; fail "install.sh --uninstall"
fi
(cd "$home" && find . | sort) >"$work/home.after"
if cmp -s "$work/home.before" "$work/home.after"; then
  ok "--uninstall removed exactly what was installed (the HOME tree is as before, browser folders kept)"
else
  diff "$work/home.before" "$work/home.after"; fail "--uninstall left the HOME tree as before"
fi
HOME=$home packaging/install.sh --uninstall >/dev/null 2>&1 && ok "--uninstall again: nothing to do, exit 0" ||
  fail "--uninstall twice"
HOME=$home packaging/install.sh --browser netscape >"$work/bad.log" 2>&1; st=$?
[ $st -eq 1 ] && grep -q "unknown browser 'netscape'" "$work/bad.log" &&
  ok "an unknown --browser is refused with a clear message (exit 1)" || fail "unknown --browser (exit $st)"
# No browser at all: every program on PATH but the browsers (and flatpak), and an empty HOME.
# install.sh still builds and installs the host, checks it with the sample post, registers it for
# Chrome, Chromium, Edge and Firefox, and ends by saying that no browser was found: exit 0.
nob=$work/no-browser-bin nohome=$work/empty-home
nobuild=$work/build-no-browser # its own: CMake keeps the path of the compiler it found on PATH
mkdir -p "$nob" "$nohome"
IFS=: read -ra path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
  for p in "$d"/*; do
    n=${p##*/}
    case $n in google-chrome*|chromium*|microsoft-edge*|brave*|firefox*|flatpak) continue ;; esac
    [ -f "$p" ] && [ -x "$p" ] && [ ! -e "$nob/$n" ] && ln -s "$p" "$nob/$n"
  done
done
no_post() { grep -v -e '^post: ' -e '^        "'; } # install.sh's output less the sample post's text
last_step() { grep '^== ' | tail -n 1; }
opt_browser=$(ls -d /opt/google/chrome/chrome /opt/microsoft/msedge/msedge /opt/brave.com/brave/brave 2>/dev/null | head -n 1)
if [ -n "$opt_browser" ]; then
  echo "note: $opt_browser is on this machine: install.sh finds it by its path, so the no-browser case is left out"
else
  out=$(HOME=$nohome PATH=$nob packaging/install.sh --build-dir "$nobuild" 2>&1); st=$?
  [ $st -eq 0 ] && ok "no browser found: install.sh still installs (exit 0)" ||
    { no_post <<<"$out"; fail "no browser found: install.sh exits 0 (exit $st)"; }
  nhost=$nohome/.local/libexec/postguard/postguard-host
  [ -x "$nhost" ] && ok "no browser found: the host is installed at ~/.local/libexec/postguard/postguard-host" ||
    fail "no browser found: the host under ~/.local"
  grep -Eq "warnings, highest: (medium|high)" <<<"$out" &&
    ok "no browser found: the sample post went through the installed host and its warnings were printed" ||
    fail "no browser found: the sample post's warnings are printed"
  for e in chrome:.config/google-chrome/NativeMessagingHosts chromium:.config/chromium/NativeMessagingHosts \
           edge:.config/microsoft-edge/NativeMessagingHosts; do
    jq -e --arg p "$nhost" --arg o "chrome-extension://$EXT_ID/" \
      '.name == "ca.postguard.host" and .path == $p and .allowed_origins == [$o]' \
      "$nohome/${e#*:}/$HOST_NAME.json" >/dev/null 2>&1 &&
      ok "no browser found: the host is registered for ${e%%:*} (~/${e#*:})" ||
      fail "no browser found: a manifest for ${e%%:*} at ~/${e#*:}"
  done
  jq -e --arg p "$nhost" --arg i "$FIREFOX_ID" '.path == $p and .allowed_extensions == [$i]' \
    "$nohome/.mozilla/native-messaging-hosts/$HOST_NAME.json" >/dev/null 2>&1 &&
    ok "no browser found: the host is registered for firefox (~/.mozilla/native-messaging-hosts)" ||
    fail "no browser found: a manifest for firefox at ~/.mozilla/native-messaging-hosts"
  [ ! -e "$nohome/.config/BraveSoftware" ] && ok "no browser found: nothing for Brave (only with --browser brave)" ||
    fail "no browser found: nothing written for Brave"
  [ "$(last_step <<<"$out")" = "== no browser found" ] && grep -q "apt-get install chromium" <<<"$out" &&
    grep -q -- "--browser brave" <<<"$out" &&
    ok "no browser found: install.sh ends by saying so and what to do (apt-get install chromium, --browser brave)" ||
    { no_post <<<"$out"; fail "no browser found: the last step says so and what to do"; }
  cp "$nohome/.local/share/postguard/installed.txt" "$work/record.none" 2>/dev/null
  # Again, with a Flatpak Chromium only (a stand-in `flatpak` that knows that one app): the folders
  # the first run made (~/.mozilla, ~/.config/chromium, ...) are no sign of a browser.
  printf '#!/bin/sh\n[ "$1" = info ] && [ "$2" = org.chromium.Chromium ]\n' >"$nob/flatpak"
  chmod +x "$nob/flatpak"
  out=$(HOME=$nohome PATH=$nob packaging/install.sh --build-dir "$nobuild" 2>&1); st=$?
  [ $st -eq 0 ] && [ "$(last_step <<<"$out")" = "== no browser found" ] &&
    cmp -s "$work/record.none" "$nohome/.local/share/postguard/installed.txt" &&
    ok "no browser found, run again: exit 0, the same install record, and still 'no browser found'" ||
    { no_post <<<"$out"; fail "no browser found, run again (exit $st)"; }
  grep -q "Flatpak org.chromium.Chromium" <<<"$out" && grep -q "no supported way" <<<"$out" &&
    ok "a Flatpak browser: install.sh says what to do instead" || { no_post <<<"$out"; fail "Flatpak advice (exit $st)"; }
  HOME=$nohome PATH=$nob packaging/install.sh --uninstall >/dev/null 2>&1 && [ -z "$(ls -A "$nohome")" ] &&
    ok "no browser found: --uninstall leaves the HOME empty, as it was" ||
    fail "no browser found: --uninstall left $(cd "$nohome" && find . -mindepth 1 | head -n 5 | tr '\n' ' ')"
fi
rm -rf "$ibuild"

echo "packaging: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
