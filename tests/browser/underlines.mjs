// underlines.mjs - reading PostGuard's underlines off a Playwright page (CSS.highlights, by severity),
// shared by the Chromium suites so each waits for and compares them the same way.
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
  await page.waitForFunction((accept) => {
    const got = {};
    for (const sev of ['high', 'medium', 'low']) {
      const h = CSS.highlights.get(`postguard-${sev}`);
      got[sev] = h ? [...new Set([...h].map((r) => r.toString()))].sort() : [];
    }
    return accept.some((a) => JSON.stringify(a) === JSON.stringify(got));
  }, answers, { timeout: WAIT }).catch(() => {});
  const got = await underlines(page);
  const match = answers.find((a) => JSON.stringify(a) === JSON.stringify(got));
  assert.deepEqual(got, match ?? answers[0], `${what}: underlined strings per severity`);
}
