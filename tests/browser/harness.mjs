// harness.mjs - launches Debian's Chromium with the PostGuard extension and the real postguard-host registered
// for a fresh profile, and answers the sites' URLs with the local editor pages (nothing leaves the machine).
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, writeFile, readFile, rm, chmod, access } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build as buildPages } from './build-pages.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = process.env.PG_ROOT || path.resolve(here, '../..');
export const BUILD = path.resolve(ROOT, process.env.PG_BUILD || 'build');
export const HOST = path.join(BUILD, 'postguard-host');
export const EXTENSION = process.env.PG_EXTENSION || path.join(ROOT, 'extension');
export const EXTENSION_ID = 'gkfbpcjpnomknlhmihjkfgokmbldcppa';
export const CHROMIUM = process.env.PG_CHROMIUM || '/usr/bin/chromium';

// The rule pack the host should use: the real one in rules/ when the build tree has it (the library finds
// rules/ one level up from a build-tree binary), else the engine's unit-test pack through POSTGUARD_RULES.
export function rulesOverride() {
  if (process.env.POSTGUARD_RULES) return process.env.POSTGUARD_RULES;
  const hasPack = (() => {
    try { return readdirSync(path.join(ROOT, 'rules')).includes('pack.json'); } catch { return false; }
  })();
  return hasPack ? null : path.join(ROOT, 'tests/unit/pack.json');
}

// The sites the extension covers, answered with the local pages.
export const SITES = {
  x: { url: 'https://x.com/compose/post', page: 'x' },
  facebook: { url: 'https://www.facebook.com/', page: 'facebook' },
  linkedin: { url: 'https://www.linkedin.com/feed/', page: 'linkedin' },
  textarea: { url: 'https://twitter.com/compose/plain', page: 'textarea' },
};

let distDir = null;
async function pagesDir() {
  if (!distDir) distDir = await buildPages();
  return distDir;
}

// Writes <profile>/NativeMessagingHosts/ca.postguard.host.json (Chromium reads it from the user-data-dir).
async function registerHost(profile, kind) {
  const dir = path.join(profile, 'NativeMessagingHosts');
  await mkdir(dir, { recursive: true });
  let hostPath = HOST;
  const rules = rulesOverride();
  if (kind === 'hung') {
    // A host that starts and reads every frame but never answers one (a hung host): its
    // stdout, the pipe to the browser, stays open on fd 3 and is never written; it ends when
    // the browser closes its stdin.
    hostPath = path.join(profile, 'postguard-host-hung.sh');
    await writeFile(hostPath, '#!/bin/sh\nexec 3>&1 cat >/dev/null\n');
    await chmod(hostPath, 0o755);
  } else if (rules) {
    // A manifest cannot carry environment variables: a two-line wrapper sets the pack and execs the real host.
    hostPath = path.join(profile, 'postguard-host-wrapper.sh');
    await writeFile(hostPath, `#!/bin/sh\nPOSTGUARD_RULES='${rules}' exec '${HOST}' "$@"\n`);
    await chmod(hostPath, 0o755);
  }
  await writeFile(path.join(dir, 'ca.postguard.host.json'), JSON.stringify({
    name: 'ca.postguard.host',
    description: 'PostGuard host (browser tests)',
    path: hostPath,
    type: 'stdio',
    allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
  }, null, 2));
}

// Machine-wide Chromium policies apply to every profile, ours too (e.g. gateMode "block" for this extension, or
// NativeMessagingUserLevelHosts false, which hides the host we register). The tests need the defaults.
export function machinePolicies() {
  const dir = '/etc/chromium/policies/managed';
  let files = [];
  try { files = readdirSync(dir).filter((f) => f.endsWith('.json')); } catch { return []; }
  return files.filter((f) => {
    try {
      const text = readFileSync(path.join(dir, f), 'utf8');
      return text.includes(EXTENSION_ID) || text.includes('NativeMessaging') || text.includes('ExtensionSettings');
    } catch { return false; }
  }).map((f) => path.join(dir, f));
}

// launch({ host: true|false, machinePolicies: false|true }) -> { context, profile, close() }
// machinePolicies: true is for the packaging suite's policy test, which writes one on purpose.
// host: true (the real host), false (none registered) or 'hung' (one that never answers).
// locale: the browser's UI language (for the extension's _locales), e.g. 'fr-CA'.
export async function launch({ host = true, machinePolicies: allowPolicies = false, locale } = {}) {
  const policies = machinePolicies();
  if (policies.length && !allowPolicies) {
    throw new Error(`machine-wide Chromium policies would change what is tested: ${policies.join(', ')} ` +
      '(another test writes them while it runs? remove them, or run the suites one after another)');
  }
  const dist = await pagesDir();
  const profile = await mkdtemp(path.join(tmpdir(), 'pg-browser-'));
  // Keep the user's and the machine's clinic configuration out of the tests.
  process.env.POSTGUARD_USER_CONFIG = path.join(profile, 'no-user-config.json');
  process.env.POSTGUARD_CONFIG = path.join(profile, 'no-clinic-config.json');
  if (host) await registerHost(profile, host);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: process.env.PG_HEADED ? false : true,
    viewport: { width: 1000, height: 700 },
    ...(locale ? { locale } : {}),
    ignoreDefaultArgs: ['--disable-extensions', '--disable-component-extensions-with-background-pages'],
    args: [
      `--disable-extensions-except=${EXTENSION}`,
      `--load-extension=${EXTENSION}`,
      '--disable-features=DisableLoadExtensionCommandLineSwitch',
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync',
      // The UI language, which chrome.i18n follows (the locale option sets only the page's);
      // Chromium has no fr-CA UI, and --lang=fr-CA falls back to English, so the language alone.
      ...(locale ? [`--lang=${locale.split('-')[0]}`] : []),
    ],
  });
  const blocked = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    // The extension's own pages (popup.html and what it loads) are not network: let them through.
    if (url.protocol === 'chrome-extension:') return route.continue();
    const site = Object.values(SITES).find((s) => new URL(s.url).host === url.host);
    if (site && url.pathname.startsWith('/__pg/')) {
      const file = path.basename(url.pathname);
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: await readFile(path.join(dist, file)) });
    }
    if (site && url.pathname === new URL(site.url).pathname) {
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: await readFile(path.join(dist, `${site.page}.html`)) });
    }
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return {
    context, profile, blocked,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
  };
}

// The pids of postguard-host processes started by this profile's Chromium (pgrep, then the parent chain).
export function hostPids(profile) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd;
    try { cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmd.split('\0').slice(0, 2).some((a) => a.endsWith('/postguard-host'))) continue;
    let pid = entry;
    for (let depth = 0; depth < 6 && pid !== '1' && pid !== '0'; depth++) {
      let stat;
      try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { break; }
      pid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      let parent = '';
      try { parent = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { break; }
      if (parent.includes(`--user-data-dir=${profile}`)) { pids.push(Number(entry)); break; }
    }
  }
  return pids;
}
