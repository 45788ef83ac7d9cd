// site.mjs - the test pages as the Chromium suites use them: each site's editor and Post
// control (pages/*.html), a page opened and ready for the extension, text typed into its editor.
import { SITES } from './harness.mjs';

const WAIT = 20000; // a safety net for a hung run, not a time budget

export const EDITORS = {
  x: { editor: '[data-testid="tweetTextarea_0"]', post: '[data-testid="tweetButtonInline"]' },
  facebook: { editor: '[data-lexical-editor="true"]', post: '[role="button"][aria-label="Post"]' },
  linkedin: { editor: '.ql-editor', post: '.share-actions__primary-action' },
  textarea: { editor: 'textarea', post: '#post' },
};

// A new page on the site's URL, its editor ready and <postguard-ui> in it; page.errors collects
// the page's uncaught errors.
export async function openSite(ctx, site) {
  const page = await ctx.newPage();
  page.setDefaultTimeout(WAIT);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(SITES[site].url);
  await page.waitForFunction(() => window.__ready === true);
  await page.locator('postguard-ui').waitFor({ state: 'attached' });
  page.errors = errors;
  return page;
}

export async function type(page, site, text) {
  await page.click(EDITORS[site].editor);
  await page.keyboard.type(text);
}
