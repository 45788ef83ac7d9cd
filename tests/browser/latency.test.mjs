// latency.test.mjs - keystroke -> underline in Chromium with the extension and the real postguard-host, on the
// four editor pages: the time from the keystroke that finishes a flagged word (a space after it) to the first
// animation frame in which the underline of that word is in the page's highlights (what the next paint draws).
// Prints p50 / p95 per editor and over all edits. Nothing asserts on elapsed time (a shared machine's timing is
// not a test result); what is asserted is that every edit ends underlined, with the editor's text intact.
// Run: node --test latency.test.mjs   (PG_LATENCY_EDITS: edits per editor, default 52)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './harness.mjs';
import { HostClient } from './hostclient.mjs';
import { EDITORS, openSite } from './site.mjs';

const WAIT = 20000; // a safety net for a hung run, not a time budget
const EDITS = Math.max(1, Number(process.env.PG_LATENCY_EDITS) || 52);


// Each edit types `before` and then the word that makes the finding; the host must flag nothing in `before`
// and underline `word` once it is finished (checked against the host itself in before()).
const EDITS_TEXT = [
  { before: 'I am so sick of the drug ', word: 'seekers' },
  { before: 'Tonight again the same ', word: 'junkie' },
  { before: 'Our waiting room is full of frequent ', word: 'flyers' },
  { before: 'My colleague is a total ', word: 'incompetent' },
];

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
}
const fmt = (v) => `${v.toFixed(1)} ms`;
function summary(name, ms) {
  const s = [...ms].sort((a, b) => a - b);
  return `${name}: ${s.length} edits, p50 ${fmt(quantile(s, 0.5))}, p95 ${fmt(quantile(s, 0.95))}, ` +
    `min ${fmt(s[0])}, max ${fmt(s[s.length - 1])}`;
}

// In the page: note the time of the next space keydown, then watch every animation frame for a highlight range
// whose text contains `word`; resolves with the milliseconds between the two.
async function armProbe(page, word) {
  await page.evaluate((w) => {
    window.__pgProbe = new Promise((resolve) => {
      let t0 = null;
      const onKey = (e) => { if (e.key === ' ' && t0 === null) t0 = performance.now(); };
      window.addEventListener('keydown', onKey, true);
      const drawn = () => {
        for (const sev of ['high', 'medium', 'low']) {
          for (const r of CSS.highlights.get(`postguard-${sev}`) ?? []) if (r.toString().includes(w)) return true;
        }
        return false;
      };
      const frame = () => {
        if (t0 !== null && drawn()) {
          window.removeEventListener('keydown', onKey, true);
          resolve(performance.now() - t0);
        } else {
          requestAnimationFrame(frame);
        }
      };
      requestAnimationFrame(frame);
    });
  }, word);
}

async function clear(page, sel) {
  await page.click(sel);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.waitForFunction(() => window.__editorText().trim() === '' &&
    ['high', 'medium', 'low'].every((s) => !(CSS.highlights.get(`postguard-${s}`)?.size)), null, { timeout: WAIT });
}

describe('keystroke -> underline in Chromium with the real host', () => {
  let browser, host;
  const all = [];
  const lines = [];
  before(async () => {
    host = new HostClient();
    assert.equal((await host.hello()).type, 'hello', 'the host answers hello');
    for (const e of EDITS_TEXT) {
      const pre = await host.check(e.before);
      assert.equal(pre.findings.filter((f) => f.end > f.start).length, 0, `no finding before the last word: ${e.before}`);
      const text = e.before + e.word + ' ';
      const full = await host.check(text);
      assert.ok(full.findings.some((f) => text.slice(f.start, f.end).includes(e.word)),
        `the host underlines "${e.word}" in ${JSON.stringify(text)}`);
    }
    browser = await launch({ host: true });
  });
  after(async () => {
    if (browser) await browser.close();
    if (host) await host.close();
    if (all.length) {
      lines.push(summary('all editors', all));
      console.log(`\nkeystroke -> underline (space after the flagged word -> the frame that draws it):\n  ${lines.join('\n  ')}`);
    }
  });

  for (const site of Object.keys(EDITORS)) {
    test(`${site}: ${EDITS} edits, each underlined after its word boundary with the text intact`, async () => {
      const page = await openSite(browser.context, site);
      const ms = [];
      let first = null; // edit 0 is not counted: on the first page it waits for the browser to start the host
      for (let i = -1; i < EDITS; i++) {
        const e = EDITS_TEXT[(i + EDITS_TEXT.length) % EDITS_TEXT.length];
        await clear(page, EDITORS[site].editor);
        await page.keyboard.type(e.before + e.word);
        await armProbe(page, e.word);
        await page.keyboard.press('Space');
        const got = await Promise.race([
          page.evaluate(() => window.__pgProbe),
          new Promise((resolve) => setTimeout(() => resolve(null), WAIT)),
        ]);
        assert.notEqual(got, null, `${site} edit ${i}: "${e.word}" was never underlined`);
        assert.equal(await page.evaluate(() => window.__editorText()), `${e.before}${e.word} `, `${site} edit ${i}: text intact`);
        if (i < 0) first = got;
        else ms.push(got);
      }
      assert.deepEqual(page.errors, [], 'page errors');
      all.push(...ms);
      lines.push(`${summary(site, ms)} (not counted: the first edit, ${fmt(first)})`);
      await page.close();
    });
  }
});
