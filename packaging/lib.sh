# packaging/lib.sh - shell helpers for packaging/install.sh: a step's heading, running as root,
# installing the Debian packages that are missing. Sourced, not run.
#
# The installer is no part of the tests, so it does not source tests/lib.sh; tests/lib.sh
# sources this file instead, so these are written once and the suites install their tools the
# same way.

pg_log() { printf '\n== %s\n' "$*"; }

# pg_sudo CMD...: run as root (directly when we are root, else through sudo).
pg_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# pg_apt_missing PKG...: print, one a line, the Debian packages among PKG not installed yet.
pg_apt_missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# pg_need_apt PKG...: apt-get install the Debian packages that are not installed yet (the
# package lists are updated once per shell, and only when something is missing).
pg_apt_updated=
pg_need_apt() {
  local missing=()
  mapfile -t missing < <(pg_apt_missing "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  if [ -z "$pg_apt_updated" ]; then pg_sudo apt-get update -qq || return 1; pg_apt_updated=1; fi
  pg_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
