// underlines.mjs - reading PostGuard's underlines off a page (CSS.highlights, by severity), shared by
// the Chromium (Playwright) and Firefox (Puppeteer) suites: only page.evaluate, which both have.
import assert from 'node:assert/strict';

const WAIT = 20000; // a safety net for a hung run, not a time budget

// The underlined strings per severity, each set sorted and without repeats.
export async function underlines(page) {
  return page.evaluate(() => {
    const out = {};
    for (const sev of ['high', 'medium', 'low']) {
      const h = CSS.highlights.get(`postguard-${sev}`);
      out[sev] = h ? [...new Set([...h].map((r) => r.toString()))].sort() : [];
    }
    return out;
  });
}

// `answers`: the acceptable underline sets (expectedUnderlines); the page must settle on one of them.
export async function waitUnderlines(page, answers, what) {
  if (!Array.isArray(answers)) answers = [answers];
  const same = (got) => answers.find((a) => JSON.stringify(a) === JSON.stringify(got));
  let got = await underlines(page);
  for (const until = Date.now() + WAIT; !same(got) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 25));
    got = await underlines(page);
  }
  assert.deepEqual(got, same(got) ?? answers[0], `${what}: underlined strings per severity`);
}
