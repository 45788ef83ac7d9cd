// build-pages.mjs - bundles the four test pages (real Draft.js, Lexical, Quill, textarea) with esbuild into dist/.
// Run once per test run; dist/ is gitignored. Exports build() for the harness, and runs it when called directly.
import { build as esbuild } from 'esbuild';
import { readFile, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const pages = { x: 'x.jsx', facebook: 'facebook.js', linkedin: 'linkedin.js', textarea: 'textarea.js' };

export async function build(out = path.join(here, 'dist')) {
  await mkdir(out, { recursive: true });
  await esbuild({
    entryPoints: Object.fromEntries(Object.entries(pages).map(([k, f]) => [k, path.join(here, 'pages', f)])),
    bundle: true, outdir: out, format: 'iife', target: 'chrome120', minify: true, logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
  const quillCss = await readFile(path.join(here, 'node_modules/quill/dist/quill.core.css'), 'utf8');
  for (const name of Object.keys(pages)) {
    let html = await readFile(path.join(here, 'pages', `${name}.html`), 'utf8');
    html = html.replace('/*QUILL_CSS*/', () => quillCss);
    await writeFile(path.join(out, `${name}.html`), html);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log('pages built in', await build());
}
