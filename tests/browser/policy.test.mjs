// policy.test.mjs - a clinic's install, end to end: Chromium finds the host only through the system-wide
// manifest the Debian package installed (/etc/chromium/native-messaging-hosts), and a managed policy in
// /etc/chromium/policies/managed sets the gate to "block" and adds a made-up hospital to the clinic's
// facilities. Run by tests/suites/packaging.sh while the package is installed (needs root to write the policy).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile, rm, readFile, realpath } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, hostPids, SITES, EXTENSION_ID } from './harness.mjs';

const POLICY_FILE = process.env.PG_POLICY_FILE || '/etc/chromium/policies/managed/postguard-test.json';
const SYSTEM_HOST = process.env.PG_SYSTEM_HOST || '/usr/libexec/postguard/postguard-host';
const SYSTEM_MANIFEST = '/etc/chromium/native-messaging-hosts/ca.postguard.host.json';
const WAIT = 20000; // a safety net for a hung run, not a time budget
const HOSPITAL = 'Aldermoor Sisters General'; // made up: in no lexicon of the pack
const TEXT = `Saw a 67M patient at ${HOSPITAL} last night, bed 4, with a rare sarcoma.`;
const SITE = 'textarea';
const EDITOR = 'textarea';
const POST = '#post';

// One session with the installed host, as the browser frames it: returns the replies in order.
function systemHost(requests) {
  const frames = requests.map((r) => {
    const body = Buffer.from(JSON.stringify(r), 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length, 0);
    return Buffer.concat([head, body]);
  });
  const env = { ...process.env, POSTGUARD_CONFIG: '/nonexistent', POSTGUARD_USER_CONFIG: '/nonexistent' };
  delete env.POSTGUARD_RULES;
  const run = spawnSync(SYSTEM_HOST, [`chrome-extension://${EXTENSION_ID}/`], { input: Buffer.concat(frames), env });
  assert.equal(run.status, 0, `${SYSTEM_HOST} exits 0 at end of input`);
  const out = [];
  for (let buf = run.stdout; buf.length >= 4;) {
    const n = buf.readUInt32LE(0);
    out.push(JSON.parse(buf.subarray(4, 4 + n).toString('utf8')));
    buf = buf.subarray(4 + n);
  }
  return out;
}
const spansText = (result) => result.findings.flatMap((f) =>
  (f.spans?.length ? f.spans : [[f.start, f.end]]).map(([a, b]) => TEXT.slice(a, b)));

let browser;
let page;

before(async () => {
  // Only what the package installed: the system manifest, naming the installed host.
  const manifest = JSON.parse(await readFile(SYSTEM_MANIFEST, 'utf8'));
  assert.equal(manifest.path, SYSTEM_HOST, `${SYSTEM_MANIFEST} names the installed host`);
  assert.deepEqual(manifest.allowed_origins, [`chrome-extension://${EXTENSION_ID}/`]);
  await mkdir(path.dirname(POLICY_FILE), { recursive: true });
  await writeFile(POLICY_FILE, JSON.stringify({
    NativeMessagingUserLevelHosts: false, // a per-user or per-profile manifest would not count
    '3rdparty': { extensions: { [EXTENSION_ID]: {
      gateMode: 'block',
      clinicLexicons: { facilities: [HOSPITAL] },
    } } },
  }, null, 2));
  browser = await launch({ host: false, machinePolicies: true }); // registers nothing in the profile
});

after(async () => {
  await browser?.close();
  await rm(POLICY_FILE, { force: true });
});

test('the installed host alone does not know the hospital; the clinic lexicon makes it flagged', () => {
  const [plain] = systemHost([{ type: 'check', id: 1, text: TEXT }]);
  assert.equal(plain.type, 'result');
  assert.ok(!spansText(plain).includes(HOSPITAL), `without the clinic lexicon "${HOSPITAL}" is not flagged`);
  const [, withLexicon] = systemHost([
    { type: 'configure', id: 1, config: { lexicons: { facilities: [HOSPITAL] } } },
    { type: 'check', id: 2, text: TEXT },
  ]);
  assert.ok(spansText(withLexicon).includes(HOSPITAL),
    `with facilities: ["${HOSPITAL}"] the host flags it next to a patient: ${JSON.stringify(withLexicon.findings)}`);
});

test('the managed policy reaches the extension (storage.managed)', async () => {
  const ctx = browser.context;
  const worker = ctx.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`))
    ?? await ctx.waitForEvent('serviceworker', { timeout: WAIT });
  let managed = {};
  for (let i = 0; i < 50; i++) { // policy loading is asynchronous at start-up
    managed = await worker.evaluate(() => chrome.storage.managed.get(null));
    if (managed.gateMode) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(managed.gateMode, 'block');
  assert.deepEqual(managed.clinicLexicons, { facilities: [HOSPITAL] });
});

test('through the system manifest: the hospital is underlined and the gate has no "Post anyway"', async () => {
  page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT);
  await page.goto(SITES[SITE].url);
  await page.waitForFunction(() => window.__ready === true);
  await page.locator('postguard-ui').waitFor({ state: 'attached' });
  await page.click(EDITOR);
  await page.keyboard.type(TEXT);

  await page.waitForFunction(() => document.querySelector('postguard-ui')?.getAttribute('data-pg-state') === 'ready');
  const underlined = async () => page.evaluate(() => ['high', 'medium', 'low'].flatMap((s) =>
    [...(CSS.highlights.get(`postguard-${s}`) ?? [])].map((r) => r.toString())));
  await page.waitForFunction((h) => ['high', 'medium', 'low'].some((s) =>
    [...(CSS.highlights.get(`postguard-${s}`) ?? [])].some((r) => r.toString() === h)), HOSPITAL).catch(() => {});
  assert.ok((await underlined()).includes(HOSPITAL), `"${HOSPITAL}" is underlined; got ${JSON.stringify(await underlined())}`);

  // The host the browser started is the installed one, found through the system manifest.
  const pids = hostPids(browser.profile);
  assert.ok(pids.length > 0, 'Chromium started a postguard-host');
  for (const pid of pids) {
    assert.equal(await realpath(`/proc/${pid}/exe`), await realpath(SYSTEM_HOST), 'the host is the installed one');
    assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0], SYSTEM_HOST);
  }

  const ui = (what) => page.locator('postguard-ui').locator(`[data-pg="${what}"]`);
  await page.click(POST);
  await ui('gate').waitFor({ state: 'visible' });
  assert.ok(await ui('gate-item').count() >= 1, 'the gate lists the high findings');
  assert.equal(await ui('gate-post').count(), 0, 'gate mode "block": no "Post anyway"');
  assert.equal(await ui('gate-edit').count(), 1, 'the gate offers "Edit"');
});

// Under the clinic's locked "block", no finding offers "Stop flagging this rule", not even a
// medium one: a rule flags at several severities, and muting it would let its high findings
// through the gate (issue 17.1).
test('locked "block": no rule can be muted, not even from a medium finding', async () => {
  const ui = (what) => page.locator('postguard-ui').locator(`[data-pg="${what}"]`);
  await ui('gate-edit').click();
  await ui('gate').waitFor({ state: 'hidden' });
  await page.click(EDITOR);
  await page.keyboard.press('End');
  await page.keyboard.type(' DM me your symptoms.');
  const MEDIUM = 'DM me'; // advice.invitation, medium
  await page.waitForFunction((m) => [...(CSS.highlights.get('postguard-medium') ?? [])]
    .some((r) => r.toString() === m), MEDIUM);
  const at = await page.evaluate((m) => {
    const r = [...CSS.highlights.get('postguard-medium')].find((x) => x.toString() === m);
    const b = r.getClientRects()[0];
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }, MEDIUM);
  await page.mouse.click(at.x, at.y);
  await ui('popover').waitFor({ state: 'visible' });
  assert.match(await ui('severity').textContent(), /medium/i, 'the popover is the medium finding\'s');
  assert.equal(await ui('mute-rule').count(), 0, 'no "Stop flagging this rule" under a locked "block"');
  assert.equal(await ui('ignore').count(), 1, '"Ignore here" is still offered for a medium finding');
});

// Under a clinic's policy the user cannot switch PostGuard off on a built-in site: a physician who
// had X switched off still gets X checked (issue 17.1(b); the popup shows the switch as the clinic's).
test('under the policy a built-in site the user switched off is still checked', async () => {
  const ctx = browser.context;
  const worker = ctx.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`))
    ?? await ctx.waitForEvent('serviceworker', { timeout: WAIT });
  await worker.evaluate(async () => {
    const { settings = {} } = await chrome.storage.local.get('settings');
    await chrome.storage.local.set({ settings: { ...settings, disabledSites: ['x.com'] } });
  });
  const x = await ctx.newPage();
  x.setDefaultTimeout(WAIT);
  await x.goto(SITES.x.url);
  await x.waitForFunction(() => window.__ready === true);
  await x.locator('postguard-ui').waitFor({ state: 'attached' });
  await x.click('[data-testid="tweetTextarea_0"]');
  await x.keyboard.type(TEXT);
  await x.waitForFunction((h) => ['high', 'medium', 'low'].some((s) =>
    [...(CSS.highlights.get(`postguard-${s}`) ?? [])].some((r) => r.toString() === h)), HOSPITAL).catch(() => {});
  const underlined = await x.evaluate(() => ['high', 'medium', 'low'].flatMap((s) =>
    [...(CSS.highlights.get(`postguard-${s}`) ?? [])].map((r) => r.toString())));
  assert.ok(underlined.includes(HOSPITAL), `x.com is still checked: ${JSON.stringify(underlined)}`);
  await x.close();
});
