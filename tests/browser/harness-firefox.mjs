// harness-firefox.mjs - launches Debian's Firefox ESR (headless, WebDriver BiDi through puppeteer-core) with the
// PostGuard extension installed as a temporary add-on and the real postguard-host registered for a throwaway
// HOME (~/.mozilla/native-messaging-hosts/), answering the sites' URLs with the local editor pages.
import puppeteer from 'puppeteer-core';
import { mkdtemp, mkdir, writeFile, readFile, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build as buildPages } from './build-pages.mjs';
import { HOST, EXTENSION, SITES, rulesOverride } from './harness.mjs';

export const FIREFOX = process.env.PG_FIREFOX || '/usr/bin/firefox-esr';
// browser_specific_settings.gecko.id in extension/manifest.json: the id the host manifest must allow.
export const GECKO_ID = 'postguard@postguard.ca';
// Firefox gives each add-on a random moz-extension:// UUID per profile unless the profile already names one:
// this one is fixed so the tests can open popup.html.
export const EXT_UUID = '5b0b4a2e-7d3c-4f1e-9a56-2c8f0e1d9a11';

// Firefox reads user-level host manifests from $HOME/.mozilla/native-messaging-hosts/<name>.json.
async function registerHost(home) {
  const dir = path.join(home, '.mozilla', 'native-messaging-hosts');
  await mkdir(dir, { recursive: true });
  let hostPath = HOST;
  const rules = rulesOverride();
  if (rules) {
    hostPath = path.join(home, 'postguard-host-wrapper.sh');
    await writeFile(hostPath, `#!/bin/sh\nPOSTGUARD_RULES='${rules}' exec '${HOST}' "$@"\n`);
    await chmod(hostPath, 0o755);
  }
  await writeFile(path.join(dir, 'ca.postguard.host.json'), JSON.stringify({
    name: 'ca.postguard.host',
    description: 'PostGuard host (Firefox browser tests)',
    path: hostPath,
    type: 'stdio',
    allowed_extensions: [GECKO_ID],
  }, null, 2));
}

// Serves the local pages at the sites' URLs and refuses everything else, on one page.
export async function serveSites(page, blocked) {
  const dist = await buildPages();
  await page.setRequestInterception(true);
  page.on('request', async (req) => {
    let url;
    try { url = new URL(req.url()); } catch { return req.abort(); }
    if (url.protocol === 'moz-extension:' || url.protocol === 'data:' || url.protocol === 'about:') return req.continue();
    const site = Object.values(SITES).find((s) => new URL(s.url).host === url.host);
    if (site && url.pathname.startsWith('/__pg/')) {
      return req.respond({ status: 200, contentType: 'text/javascript', body: await readFile(path.join(dist, path.basename(url.pathname))) });
    }
    if (site && url.pathname === new URL(site.url).pathname) {
      return req.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: await readFile(path.join(dist, `${site.page}.html`)) });
    }
    blocked.push(url.href);
    return req.abort();
  });
}

// launchFirefox({ host, locale }) -> { browser, home, blocked, newPage(), close() }. locale: the UI
// language (e.g. 'fr'), from Debian's language pack (firefox-esr-l10n-<lang>), which the extension's
// i18n follows.
export async function launchFirefox({ host = true, locale } = {}) {
  const home = await mkdtemp(path.join(tmpdir(), 'pg-firefox-'));
  const env = { ...process.env, HOME: home,
    POSTGUARD_USER_CONFIG: path.join(home, 'no-user-config.json'),
    POSTGUARD_CONFIG: path.join(home, 'no-clinic-config.json') };
  if (host) await registerHost(home);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: !process.env.PG_HEADED,
    env,
    userDataDir: path.join(home, 'profile'),
    defaultViewport: { width: 1000, height: 700 },
    extraPrefsFirefox: {
      // Granted at install in a real install; a temporary add-on gets the same without a prompt.
      'extensions.originControls.grantByDefault': true,
      'browser.shell.checkDefaultBrowser': false,
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: EXT_UUID }),
      // the language pack lives in the application's own extensions folder (scope 4)
      ...(locale ? { 'intl.locale.requested': locale, 'extensions.enabledScopes': 5, 'extensions.autoDisableScopes': 0 } : {}),
    },
  });
  const extId = await browser.installExtension(EXTENSION);
  const blocked = [];
  return {
    browser, home, blocked, extId, popupUrl: `moz-extension://${EXT_UUID}/popup.html`,
    async newPage() { const p = await browser.newPage(); await serveSites(p, blocked); return p; },
    async close() {
      await browser.close().catch(() => {});
      await rm(home, { recursive: true, force: true }).catch(() => {});
    },
  };
}
