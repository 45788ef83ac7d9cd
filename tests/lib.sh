# tests/lib.sh - shared helpers for tests/run.sh and the suites in tests/suites/.
# Sourced, not run. Installs only what is missing, so a developer machine is not touched twice.

PG_ROOT=${PG_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PG_BUILD=${PG_BUILD:-$PG_ROOT/build}
export PG_ROOT PG_BUILD

pg_log() { printf '\n== %s\n' "$*"; }

# pg_sudo CMD...: run as root (directly when we are root, else through sudo).
pg_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# pg_need_apt PKG...: apt-get install the Debian packages that are not installed yet.
pg_apt_updated=
pg_need_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  if [ -z "$pg_apt_updated" ]; then pg_sudo apt-get update -qq || return 1; pg_apt_updated=1; fi
  pg_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# pg_need_node: node and npm, from Debian when the machine has none.
pg_need_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
  pg_need_apt nodejs npm
}

# pg_npm_ci DIR: npm ci from DIR's committed lock file, unless node_modules is already current.
pg_npm_ci() {
  local dir=$1
  pg_need_node || return 1
  if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}
