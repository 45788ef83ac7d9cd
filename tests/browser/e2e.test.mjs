// e2e.test.mjs - PostGuard end to end in Chromium: the extension on the real editors (Draft.js, Lexical, Quill,
// textarea) at the sites' own URLs, talking to the real postguard-host. Run: node --test e2e.test.mjs
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launch, hostPids, EXTENSION_ID } from './harness.mjs';
import { HostClient, expectedUnderlines } from './hostclient.mjs';
import { underlines, waitUnderlines } from './underlines.mjs';
import { EDITORS, openSite, type } from './site.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(here, 'screenshots');
const WAIT = 20000; // a safety net for a hung run, not a time budget: nothing asserts on elapsed time


// Posts with flagged phrases after emoji (two UTF-16 units each) and accents, so that an offset counted
// in code points or bytes lands on the wrong characters.
const MEDIUM_TEXT = 'Café ☕😀 naïve question: why am I so sick of the drug seekers in my waiting room today?';
const HIGH_TEXT = 'Résumé 🩺👍 of my night: 67M from Gimli in bed 4 last night with a rare sarcoma, what a case.';
const XSS_TEXT = 'Ça 😀 <img src=x onerror=window.__xss=1> 67M from Gimli in bed 4 last night. <b>bold</b>';
const MORE_TEXT = ' Also sick of the drug seekers.';

let host; // a separate postguard-host process: the ground truth for what the extension must show
let hello;
const results = new Map();
async function truth(text) {
  if (!results.has(text)) results.set(text, await host.check(text));
  return results.get(text);
}

// --- reading the extension's UI (DOM contract in contracts.md) ---------------------------------------------

const ui = (page, what) => page.locator('postguard-ui').locator(`[data-pg="${what}"]`);

async function state(page) {
  return page.evaluate(() => document.querySelector('postguard-ui')?.getAttribute('data-pg-state') ?? null);
}

async function waitState(page, states, what) {
  await page.waitForFunction((s) => s.includes(document.querySelector('postguard-ui')?.getAttribute('data-pg-state')),
    states, { timeout: WAIT }).catch(() => {});
  const got = await state(page);
  assert.ok(states.includes(got), `${what}: <postguard-ui data-pg-state> is ${JSON.stringify(got)}, want one of ${states}`);
}

// The editor's own text (its model, not the DOM) must equal what was typed, and its DOM must hold nothing of ours.
async function assertText(page, site, expected, when) {
  const got = await page.evaluate(() => window.__editorText());
  assert.equal(got, expected, `editor text after ${when}`);
  const foreign = await page.$eval(EDITORS[site].editor, (el) =>
    el.querySelectorAll('postguard-ui, [data-pg], [class*="postguard"], [id*="postguard"]').length);
  assert.equal(foreign, 0, `extension elements inside the editor after ${when}`);
  assert.equal(await page.evaluate(() => window.__xss), undefined, `page script ran from post text after ${when}`);
}

// Clicks the middle of the first underline range whose text is `s`.
async function clickUnderline(page, s) {
  const at = await page.evaluate((want) => {
    for (const sev of ['high', 'medium', 'low']) {
      const h = CSS.highlights.get(`postguard-${sev}`);
      for (const r of h ?? []) {
        if (r.toString() !== want) continue;
        const b = r.getClientRects()[0] ?? r.getBoundingClientRect();
        return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      }
    }
    return null;
  }, s);
  assert.ok(at, `an underline range reading ${JSON.stringify(s)}`);
  await page.mouse.click(at.x, at.y);
}

// The user dismisses the popover as with any popover: Escape, or else a click outside it and the editor.
async function closePopover(page) {
  await page.keyboard.press('Escape');
  if (await ui(page, 'popover').isVisible()) await page.mouse.click(5, 5);
  await ui(page, 'popover').waitFor({ state: 'hidden' }).catch(() => {});
  assert.equal(await ui(page, 'popover').isVisible(), false, 'the popover closes on Escape or a click outside');
}

// What the extension's UI holds right now, for failure messages (names and states only, no post text).
async function uiDump(page) {
  return page.evaluate(() => {
    const host = document.querySelector('postguard-ui');
    if (!host) return 'no <postguard-ui>';
    const els = [...(host.shadowRoot?.querySelectorAll('[data-pg]') ?? [])]
      .map((e) => e.getAttribute('data-pg') + (e.checkVisibility() ? '' : '(hidden)'));
    return `state=${host.getAttribute('data-pg-state')} ui=[${els.join(' ')}]`;
  });
}

// Clicks "Post anyway" in the open gate.
async function postAnyway(page) {
  await ui(page, 'gate-post').waitFor({ state: 'visible' }).catch(() => {});
  assert.equal(await ui(page, 'gate-post').count(), 1, `one "Post anyway" button: ${await uiDump(page)}`);
  await ui(page, 'gate-post').click();
}

const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const posted = (page) => page.evaluate(() => window.__posted);
const attempts = (page) => page.evaluate(() => window.__attempts);

// --- the suite ----------------------------------------------------------------------------------------------

describe('PostGuard in Chromium with the real host', () => {
  let browser;
  before(async () => {
    host = new HostClient();
    hello = await host.hello();
    assert.equal(hello.type, 'hello', 'the host answers hello');
    for (const [text, sev] of [[MEDIUM_TEXT, ['medium', 'high']], [HIGH_TEXT, ['high']], [XSS_TEXT, ['high']]]) {
      const r = await truth(text);
      assert.ok(r.findings.some((f) => sev.includes(f.severity)),
        `the rule pack ${hello.pack?.id} flags ${sev.join('/')} in the test post ${JSON.stringify(text)}`);
    }
    await mkdir(SHOTS, { recursive: true });
    browser = await launch({ host: true });
  });
  after(async () => {
    const blocked = browser ? browser.blocked.filter((u) => !u.endsWith('/favicon.ico')) : [];
    if (browser) await browser.close();
    if (host) await host.close();
    assert.deepEqual(blocked, [], 'requests to anything but the four test pages (all were aborted)');
  });

  for (const site of Object.keys(EDITORS)) {
    describe(`${site} editor`, () => {
      test('underlines exactly the flagged characters after emoji and accents; badge counts them', async () => {
        const page = await openSite(browser.context, site);
        const r = await truth(MEDIUM_TEXT);
        await type(page, site, MEDIUM_TEXT);
        await waitUnderlines(page, expectedUnderlines(MEDIUM_TEXT, r), site);
        await waitState(page, ['ready'], site);
        await assertText(page, site, MEDIUM_TEXT, 'typing');
        await assert.doesNotReject(ui(page, 'badge').waitFor({ state: 'visible' }), 'badge visible');
        assert.equal(norm(await ui(page, 'count').textContent()), String(r.findings.length), 'badge count');
        assert.equal(await ui(page, 'badge').getAttribute('data-severity'), r.max_severity, 'badge severity');
        assert.deepEqual(page.errors, [], 'page errors');
        await page.close();
      });

      test('a post over two lines: underlines stay exact across the line break', async () => {
        const page = await openSite(browser.context, site);
        const [first, second] = ['Night shift again 🌙😴 é à ü', 'Le café ☕ and the drug seekers in my waiting room, 67M from Gimli in bed 4.'];
        const text = `${first}\n${second}`;
        const r = await truth(text);
        await type(page, site, first);
        await page.keyboard.press('Enter');
        await page.keyboard.type(second);
        await waitUnderlines(page, expectedUnderlines(text, r), site);
        await assertText(page, site, text, 'typing two lines');
        await page.close();
      });

      test('clicking an underline opens the popover with the section and its text', async () => {
        const page = await openSite(browser.context, site);
        const text = HIGH_TEXT;
        const r = await truth(text);
        await type(page, site, text);
        await waitUnderlines(page, expectedUnderlines(text, r), site);
        const f = r.findings.find((x) => x.severity === 'high');
        const word = text.slice(f.start, f.end);
        await clickUnderline(page, word);
        const pop = ui(page, 'popover');
        await pop.waitFor({ state: 'visible' });
        const ex = await host.explain(f.rule);
        assert.equal(ex.type, 'explanation', `host explains ${f.rule}`);
        const txt = async (k) => norm(await ui(page, k).textContent());
        assert.equal(await txt('message'), norm(f.message), 'popover message');
        assert.ok((await txt('category')).toLowerCase().includes(f.category.replace(/-/g, ' ').toLowerCase().split(' ')[0]),
          `popover category shows ${f.category}: ${await txt('category')}`);
        assert.ok((await txt('severity')).toLowerCase().includes(f.severity), `popover severity: ${await txt('severity')}`);
        const sec = await txt('section');
        assert.ok(sec.includes(f.section) && sec.includes(f.section_title), `popover section: ${sec}`);
        assert.equal(await txt('section-text'), norm(ex.section_text), 'popover section text = the standard\'s text');
        assert.equal(await txt('explanation'), norm(f.explanation), 'popover explanation');
        assert.equal(await txt('suggestion'), norm(f.suggestion), 'popover suggestion (what to do instead)');
        const popHtml = async () => page.evaluate(() => [...document.querySelector('postguard-ui').shadowRoot
          .querySelectorAll('[data-pg="popover"]')].map((e) => e.outerHTML.replace(/ style="[^"]*"/g, '')).join('\n'));
        assert.equal(await ui(page, 'ignore').count(), 1, `an "ignore here" button in ${await popHtml()}`);
        assert.equal(await ui(page, 'mute-rule').count(), 1, `a "stop flagging this rule" item in ${await popHtml()}`);
        // The card's order: a one-line title, the short why, what to do, then the standard on request.
        const order = await page.evaluate(() => [...document.querySelector('postguard-ui').shadowRoot
          .querySelector('[data-pg="popover"]').querySelectorAll('[data-pg]')].map((e) => e.getAttribute('data-pg')));
        const at = (k) => order.indexOf(k);
        assert.ok(at('message') < at('brief') && at('brief') < at('suggestion') && at('suggestion') < at('section') &&
          at('section') < at('section-text'), `card order: ${order.join(' ')}`);
        assert.ok((await txt('brief')).length > 0 && (await txt('brief')).length <= 321, `a short why: ${await txt('brief')}`);
        assert.ok(!(await txt('brief')).includes(norm(ex.section_text).slice(0, 60)), 'the short why does not repeat the standard');
        assert.equal(await ui(page, 'section-text').isVisible(), false, 'the standard\'s text is folded until asked for');
        assert.equal(await ui(page, 'mute-rule').isVisible(), false, '"Stop flagging" is behind "More", not one click away');
        assert.ok(!/§(ctx|cmpa|cma)-/.test(await ui(page, 'popover').innerText()), 'no internal section ids on the card');
        await page.screenshot({ path: path.join(SHOTS, `${site}-popover.png`) });
        await assertText(page, site, text, 'opening the popover');
        assert.deepEqual(page.errors, [], 'page errors');
        await page.close();
      });

      test('Post with a high finding: the gate, "Edit" loses nothing, "Post anyway" posts exactly once', async () => {
        const page = await openSite(browser.context, site);
        const text = HIGH_TEXT;
        const r = await truth(text);
        const highs = r.findings.filter((f) => f.severity === 'high').length;
        await type(page, site, text);
        await waitUnderlines(page, expectedUnderlines(text, r), site);
        await page.click(EDITORS[site].post);
        await ui(page, 'gate').waitFor({ state: 'visible' });
        const mediums = r.findings.filter((f) => f.severity === 'medium').length;
        assert.equal(await ui(page, 'gate-item').count(), highs + mediums, 'one gate item per high and medium finding');
        const first = ui(page, 'gate-item').first();
        assert.equal(await first.getAttribute('data-severity'), 'high', 'the high findings come first');
        assert.match(norm(await first.textContent()), /high/i, 'the severity is written, not only coloured');
        const hf = r.findings.find((f) => f.severity === 'high');
        for (const [a, b] of hf.spans?.length ? hf.spans : [[hf.start, hf.end]]) {
          assert.ok((await first.textContent()).includes(text.slice(a, b)), `the gate quotes every underlined span: ${text.slice(a, b)}`);
        }
        assert.deepEqual(await posted(page), [], 'nothing posted while the gate is open');
        assert.equal(await attempts(page), 0, 'the gated press did not reach the site');
        await assertText(page, site, text, 'the gate opening');
        await ui(page, 'gate-edit').click();
        await ui(page, 'gate').waitFor({ state: 'hidden' });
        assert.deepEqual(await posted(page), [], 'nothing posted after "Edit"');
        await assertText(page, site, text, '"Edit"');
        const focused = await page.$eval(EDITORS[site].editor, (el) => el === document.activeElement || el.contains(document.activeElement));
        assert.ok(focused, '"Edit" puts the focus back in the editor');

        await page.click(EDITORS[site].post);
        await ui(page, 'gate').waitFor({ state: 'visible' });
        await postAnyway(page);
        await page.waitForFunction(() => window.__posted.length > 0).catch(() => {});
        assert.deepEqual(await posted(page), [text], '"Post anyway" posts the text as typed');
        await ui(page, 'gate').waitFor({ state: 'hidden' });
        // The page empties its box after posting; once the extension has settled on that, still one post.
        await page.waitForFunction(() => window.__editorText() === '');
        await waitState(page, ['ready', 'idle'], site);
        await waitUnderlines(page, { high: [], medium: [], low: [] }, `${site} after posting`);
        assert.deepEqual(await posted(page), [text], 'posted exactly once');
        assert.equal(await attempts(page), 1, 'the site\'s post action ran exactly once (the gated presses never reached it)');
        assert.deepEqual(page.errors, [], 'page errors');
        await page.close();
      });

      test('post text is never put into the page as HTML', async () => {
        const page = await openSite(browser.context, site);
        const text = XSS_TEXT;
        const r = await truth(text);
        await type(page, site, text);
        await waitUnderlines(page, expectedUnderlines(text, r), site);
        await assertText(page, site, text, 'typing markup');
        const f = r.findings.find((x) => x.severity === 'high');
        await clickUnderline(page, text.slice(f.start, f.end));
        await ui(page, 'popover').waitFor({ state: 'visible' });
        await assertText(page, site, text, 'opening the popover');
        await closePopover(page);
        await assertText(page, site, text, 'closing the popover');
        await page.click(EDITORS[site].post);
        await ui(page, 'gate').waitFor({ state: 'visible' });
        await assertText(page, site, text, 'the gate opening');
        const injected = await page.evaluate(() => {
          const roots = [document, document.querySelector('postguard-ui')?.shadowRoot].filter(Boolean);
          return roots.reduce((n, r) => n + r.querySelectorAll('img[src="x"], img[onerror], b').length, 0);
        });
        assert.equal(injected, 0, 'elements made from the post text (img, b) anywhere in the page or the UI');
        await postAnyway(page);
        await page.waitForFunction(() => window.__posted.length > 0).catch(() => {});
        assert.deepEqual(await posted(page), [text], 'posted as typed');
        assert.equal(await page.evaluate(() => window.__xss), undefined, 'onerror never ran');
        assert.deepEqual(page.errors, [], 'page errors');
        await page.close();
      });
    });
  }

  test('x: Ctrl+Enter (the site\'s shortcut) with a high finding opens the gate too', async () => {
    const page = await openSite(browser.context, 'x');
    const r = await truth(HIGH_TEXT);
    await type(page, 'x', HIGH_TEXT);
    await waitUnderlines(page, expectedUnderlines(HIGH_TEXT, r), 'x');
    await page.keyboard.press('Control+Enter');
    await ui(page, 'gate').waitFor({ state: 'visible' });
    assert.deepEqual(await posted(page), [], 'the shortcut did not post past the gate');
    await postAnyway(page);
    await page.waitForFunction(() => window.__posted.length > 0).catch(() => {});
    await page.waitForFunction(() => window.__editorText() === '').catch(() => {});
    await waitState(page, ['ready', 'idle'], 'x');
    assert.deepEqual(await posted(page), [HIGH_TEXT], 'posted exactly once');
    assert.equal(await attempts(page), 1, 'the site\'s post action ran exactly once');
    await page.close();
  });

  // A hostile page reaches the UI through its open shadow root and dispatches clicks and keys:
  // none of them may act (issue 17.2); the user's own click still does.
  test('a page script cannot open the popover, post past the gate or close it', async () => {
    const page = await openSite(browser.context, 'x');
    const r = await truth(HIGH_TEXT);
    await type(page, 'x', HIGH_TEXT);
    await waitUnderlines(page, expectedUnderlines(HIGH_TEXT, r), 'x');
    const forge = (what, how) => page.evaluate(([w, h]) => {
      const el = document.querySelector('postguard-ui')?.shadowRoot?.querySelector(`[data-pg="${w}"]`);
      if (!el) return false;
      if (h === 'click') el.click();
      else if (h === 'event') el.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
      else el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
      return true;
    }, [what, how]);
    assert.ok(await forge('badge', 'click'), 'the page can see the badge');
    await page.waitForTimeout(300); // give a forged click time to act, were it to
    assert.equal(await ui(page, 'popover').isVisible(), false, 'a forged click on the badge opens nothing');
    await page.keyboard.press('Control+Enter'); // the site's own shortcut to post
    await ui(page, 'gate').waitFor({ state: 'visible' });
    for (const how of ['click', 'event']) assert.ok(await forge('gate-post', how), 'the page can see "Post anyway"');
    assert.ok(await forge('gate', 'key'), 'the page can see the gate');
    await page.waitForTimeout(300);
    assert.deepEqual(await posted(page), [], 'forged clicks on "Post anyway" post nothing');
    assert.equal(await ui(page, 'gate').isVisible(), true, 'a forged Escape leaves the gate open');
    await postAnyway(page);
    await page.waitForFunction(() => window.__posted.length > 0).catch(() => {});
    assert.deepEqual(await posted(page), [HIGH_TEXT], 'the user\'s own click posts, once');
    await page.close();
  });

  test('x: hovering an underline opens the popover too', async () => {
    const page = await openSite(browser.context, 'x');
    const r = await truth(MEDIUM_TEXT);
    await type(page, 'x', MEDIUM_TEXT);
    await waitUnderlines(page, expectedUnderlines(MEDIUM_TEXT, r), 'x');
    const f = r.findings[0];
    const at = await page.evaluate((want) => {
      for (const sev of ['high', 'medium', 'low']) {
        for (const range of CSS.highlights.get(`postguard-${sev}`) ?? []) {
          if (range.toString() !== want) continue;
          const b = range.getClientRects()[0];
          return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        }
      }
      return null;
    }, MEDIUM_TEXT.slice(f.start, f.end));
    assert.ok(at, 'the underline is on screen');
    await page.mouse.move(at.x - 3, at.y);
    await page.mouse.move(at.x, at.y, { steps: 3 });
    await ui(page, 'popover').waitFor({ state: 'visible' });
    assert.equal(norm(await ui(page, 'message').textContent()), norm(f.message), 'hover popover message');
    await assertText(page, 'x', MEDIUM_TEXT, 'hovering');
    await page.close();
  });

  test('popup: connected, with the host and rule pack versions', async () => {
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    const status = page.locator('[data-pg="status"]');
    await page.waitForFunction(() => /checking posts/i.test(document.querySelector('[data-pg="status"]')?.textContent ?? ''),
      null, { timeout: WAIT }).catch(() => {});
    assert.match(await status.textContent(), /checking posts/i, 'popup status');
    const body = await page.locator('body').innerText();
    assert.ok(body.includes(hello.version), `popup shows host version ${hello.version}`);
    assert.ok(body.includes(hello.pack.version), `popup shows rule pack version ${hello.pack.version}`);
    await page.close();
  });

  test('killing the host mid-session recovers: new findings appear after more typing', async () => {
    const page = await openSite(browser.context, 'x');
    await type(page, 'x', HIGH_TEXT);
    await waitUnderlines(page, expectedUnderlines(HIGH_TEXT, await truth(HIGH_TEXT)), 'x before the kill');
    const pids = hostPids(browser.profile);
    assert.ok(pids.length >= 1, `a postguard-host process under this profile (found ${pids})`);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const text = HIGH_TEXT + MORE_TEXT;
    const r = await truth(text);
    assert.ok(r.findings.length > (await truth(HIGH_TEXT)).findings.length, 'the added words are flagged by the pack');
    await page.keyboard.type(MORE_TEXT);
    await waitUnderlines(page, expectedUnderlines(text, r), 'x after the host was killed');
    await waitState(page, ['ready'], 'x after the host was killed');
    await assertText(page, 'x', text, 'the host being killed');
    const now = hostPids(browser.profile);
    assert.ok(now.length >= 1 && now.every((p) => !pids.includes(p)), `a new host process (before ${pids}, now ${now})`);
    assert.deepEqual(page.errors, [], 'page errors');
    await page.close();
  });

  test('screenshot: a flagged post with its popover open', async () => {
    const page = await openSite(browser.context, 'x');
    await page.setViewportSize({ width: 1000, height: 700 }); // a laptop's window: the popover fits below the post
    const text = 'Long shift 🌙 67M from Gimli in bed 4 last night.';
    const r = await truth(text);
    await type(page, 'x', text);
    await waitUnderlines(page, expectedUnderlines(text, r), 'x');
    const f = r.findings.find((x) => x.severity === 'high') ?? r.findings[0];
    assert.ok(f, 'the screenshot post is flagged');
    await clickUnderline(page, text.slice(f.start, f.end));
    await ui(page, 'popover').waitFor({ state: 'visible' });
    // The popover is capped (its body scrolls), stays in the window, leaves the flagged words
    // visible, and keeps what was flagged and the buttons in view.
    const pop = await ui(page, 'popover').boundingBox();
    assert.ok(pop.height <= 421, `the popover is at most 420 px tall, not ${pop.height}`);
    assert.ok(pop.y >= 0 && pop.y + pop.height <= 700, `the popover is inside the window: ${JSON.stringify(pop)}`);
    const word = await page.evaluate((want) => {
      const h = CSS.highlights.get('postguard-high');
      for (const r of h ?? []) if (r.toString() === want) return r.getBoundingClientRect().toJSON();
      return null;
    }, text.slice(f.start, f.end));
    assert.ok(word && (word.bottom <= pop.y || word.top >= pop.y + pop.height ||
      word.right <= pop.x || word.left >= pop.x + pop.width), `the popover ${JSON.stringify(pop)} covers the word ${JSON.stringify(word)}`);
    for (const k of ['category', 'severity', 'message', 'brief', 'suggestion', 'section', 'close', 'ignore', 'more']) {
      const b = await ui(page, k).boundingBox();
      assert.ok(b && b.y >= pop.y && b.y + b.height <= pop.y + pop.height + 0.5, `${k} is in view in the popover: ${JSON.stringify(b)}`);
    }
    // The compose column and the popover, for the README.
    const main = await page.locator('main').boundingBox();
    const bottom = Math.max(pop.y + pop.height, 250) + 16;
    await page.screenshot({ path: path.join(SHOTS, 'screenshot-warning.png'),
      clip: { x: main.x, y: 0, width: main.width, height: Math.min(bottom, 700) } });
    await page.close();
  });

  test('"Ignore here" removes that finding\'s underlines and count, and nothing else changes', async () => {
    const page = await openSite(browser.context, 'x');
    const text = HIGH_TEXT + MORE_TEXT;
    const r = await truth(text);
    await type(page, 'x', text);
    await waitUnderlines(page, expectedUnderlines(text, r), 'x');
    const f = r.findings.find((x) => x.severity === 'medium');
    assert.ok(f, 'the post has a medium finding');
    await clickUnderline(page, text.slice(f.start, f.end));
    await ui(page, 'ignore').click();
    const rest = { ...r, findings: r.findings.filter((x) => x !== f) };
    await waitUnderlines(page, expectedUnderlines(text, rest), 'x after "Ignore here"');
    await page.waitForFunction((n) => document.querySelector('postguard-ui')?.shadowRoot
      ?.querySelector('[data-pg="count"]')?.textContent.trim() === String(n), rest.findings.length).catch(() => {});
    assert.equal(norm(await ui(page, 'count').textContent()), String(rest.findings.length), 'badge count after "Ignore here"');
    await assertText(page, 'x', text, '"Ignore here"');
    await page.close();
  });

  // The user's gate setting (chrome.storage.local "settings", as the options page writes it).
  async function setSettings(patch) {
    const sw = browser.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`))
      ?? await browser.context.waitForEvent('serviceworker');
    await sw.evaluate(async (p) => {
      const { settings = {} } = await chrome.storage.local.get('settings');
      await chrome.storage.local.set({ settings: { ...settings, ...p } });
    }, patch);
  }

  test('gate mode "block": the gate has no "Post anyway" and nothing is posted', async () => {
    await setSettings({ gateMode: 'block' });
    try {
      const page = await openSite(browser.context, 'facebook');
      await type(page, 'facebook', HIGH_TEXT);
      await waitUnderlines(page, expectedUnderlines(HIGH_TEXT, await truth(HIGH_TEXT)), 'facebook');
      await page.click(EDITORS.facebook.post);
      await ui(page, 'gate').waitFor({ state: 'visible' });
      assert.equal(await ui(page, 'gate-post').count(), 0, 'no "Post anyway" in block mode');
      await ui(page, 'gate-edit').click();
      await ui(page, 'gate').waitFor({ state: 'hidden' });
      assert.deepEqual(await posted(page), [], 'nothing posted');
      assert.equal(await attempts(page), 0, 'the site\'s post action never ran');
      await assertText(page, 'facebook', HIGH_TEXT, '"Edit" in block mode');
      await page.close();
    } finally {
      await setSettings({ gateMode: 'warn' });
    }
  });

  test('gate mode "off": Post goes straight through, once', async () => {
    await setSettings({ gateMode: 'off' });
    try {
      const page = await openSite(browser.context, 'linkedin');
      await type(page, 'linkedin', HIGH_TEXT);
      await waitUnderlines(page, expectedUnderlines(HIGH_TEXT, await truth(HIGH_TEXT)), 'linkedin');
      await page.click(EDITORS.linkedin.post);
      await page.waitForFunction(() => window.__posted.length > 0).catch(() => {});
      assert.deepEqual(await posted(page), [HIGH_TEXT], 'posted once');
      assert.equal(await ui(page, 'gate').count(), 0, 'no gate');
      assert.equal(await attempts(page), 1, 'the site\'s post action ran once');
      await page.close();
    } finally {
      await setSettings({ gateMode: 'warn' });
    }
  });
});

describe('PostGuard in Chromium without the host installed', () => {
  let browser;
  before(async () => { browser = await launch({ host: false }); });
  after(async () => { if (browser) await browser.close(); });

  test('popup reports the missing host and how to install it', async () => {
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    await page.waitForFunction(() => /not checking/i.test(document.querySelector('[data-pg="status"]')?.textContent ?? ''),
      null, { timeout: WAIT }).catch(() => {});
    const status = await page.locator('[data-pg="status"]').textContent().catch(() => null);
    assert.match(status ?? '', /not checking/i, 'popup status');
    assert.match(status, /install/i, 'the status says how to install the host');
    await page.close();
  });

  test('the page keeps working: state no-host, text intact, Post goes through once', async () => {
    const page = await openSite(browser.context, 'x');
    await type(page, 'x', HIGH_TEXT);
    await waitState(page, ['no-host'], 'x without a host');
    await assertText(page, 'x', HIGH_TEXT, 'typing without a host');
    assert.deepEqual(await underlines(page), { high: [], medium: [], low: [] }, 'no underlines without a host');
    await page.click(EDITORS.x.post);
    await page.waitForFunction(() => window.__posted.length > 0).catch(() => {});
    assert.deepEqual(await posted(page), [HIGH_TEXT], 'posted once, no gate');
    assert.deepEqual(page.errors, [], 'page errors');
    await page.close();
  });
});
