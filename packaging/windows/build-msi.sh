#!/usr/bin/env bash
# packaging/windows/build-msi.sh BIN OUT.msi - build the PostGuard MSI with wixl (msitools)
# from packaging/windows/postguard.wxs. BIN holds postguard-host.exe and postguard.exe. The
# rule pack's files are listed by wixl-heat, so a new rule or lexicon needs no edit here;
# rules/tools/ (the trainer's scripts) and README files are not shipped.
set -euo pipefail
bin=$1 out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
frag=$(mktemp --suffix=.wxs)
trap 'rm -f "$frag"' EXIT
(cd "$root" && find rules -type f ! -path 'rules/tools/*' ! -name 'README*' | LC_ALL=C sort |
  wixl-heat -p rules/ --directory-ref RULESFOLDER --component-group Rules \
            --var var.RulesDir --win64) >"$frag"
# wixl resolves each Source relative to the current folder (an absolute one fails), so it runs
# from the source tree with every folder relative to it.
bin=$(realpath --relative-to="$root" "$bin")
out=$(realpath -m "$out")
(cd "$root" && wixl -a x64 -D Win64=yes -D BinDir="$bin" -D ManifestDir=packaging/windows \
   -D RulesDir=rules -o "$out" packaging/windows/postguard.wxs "$frag")
