#!/usr/bin/env bash
# tests/suites/extension-lint.sh - the WebExtension loads in Firefox too: `web-ext lint` (npm web-ext, from
# tests/browser's lock file) must report no errors; the manifest keeps the fixed ids and names real files.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$PG_ROOT"

pg_npm_ci tests/browser || { echo "FAIL: npm ci in tests/browser"; exit 1; }
webext=tests/browser/node_modules/.bin/web-ext
[ -x "$webext" ] || { echo "FAIL: $webext is missing (web-ext must be in tests/browser/package.json)"; exit 1; }

fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$webext" lint --source-dir extension --self-hosted --output json >"$out" 2>/dev/null
rc=$?
if ! node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const m of r.errors) console.log(`  error   ${m.code} ${m.file || ""}: ${m.message}`);
  for (const m of r.warnings) console.log(`  warning ${m.code} ${m.file || ""}: ${m.message}`);
  console.log(`web-ext lint: ${r.summary.errors} errors, ${r.summary.warnings} warnings, ${r.summary.notices} notices`);
  process.exit(r.summary.errors === 0 ? 0 : 1);
' "$out"; then
  echo "FAIL: web-ext lint reports errors (exit $rc)"; fail=1
fi

# The ids every part agrees on (contracts.md), and every file the manifest names exists.
if ! node -e '
  const fs = require("fs"), path = require("path");
  const dir = "extension", m = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const problems = [];
  const key = Buffer.from(m.key || "", "base64");
  const hash = require("crypto").createHash("sha256").update(key).digest("hex").slice(0, 32);
  const id = [...hash].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
  if (id !== "gkfbpcjpnomknlhmihjkfgokmbldcppa") problems.push(`the key gives extension id ${id}`);
  if (m.browser_specific_settings?.gecko?.id !== "postguard@postguard.ca") problems.push("gecko id");
  if (m.manifest_version !== 3) problems.push("manifest_version");
  const files = [m.background?.service_worker, ...(m.background?.scripts || []), m.action?.default_popup,
    m.options_ui?.page, m.storage?.managed_schema, ...Object.values(m.icons || {}),
    ...(m.content_scripts || []).flatMap((c) => c.js || [])];
  for (const f of files) if (!f || !fs.existsSync(path.join(dir, f))) problems.push(`missing file ${f}`);
  const schema = JSON.parse(fs.readFileSync(path.join(dir, m.storage.managed_schema), "utf8"));
  for (const k of ["gateMode", "categories", "disabledRules", "severityOverrides", "sites", "clinicLexicons"]) {
    if (!schema.properties?.[k]) problems.push(`managed schema lacks ${k}`);
  }
  for (const p of problems) console.log("  " + p);
  console.log(`manifest: id ${id}, ${files.length} files named, managed schema with ${Object.keys(schema.properties).length} settings`);
  process.exit(problems.length ? 1 : 0);
'; then
  echo "FAIL: manifest checks"; fail=1
fi

if [ $fail -eq 0 ]; then echo "extension-lint: 2 passed, 0 failed"; else echo "extension-lint: failed"; fi
exit $fail
