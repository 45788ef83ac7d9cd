// offsets.test.mjs - the content script's pure text arithmetic (extension/content/offsets.js):
// findings across edits, the word being typed, what a partial check sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

// The content script is a classic script that files itself under globalThis.__postguard.
vm.runInThisContext(readFileSync(new URL('../../extension/content/offsets.js', import.meta.url), 'utf8'));
const { spansOf, translate, typingWord, partialRequest } = globalThis.__postguard.offsets;

const item = (start, end, spans) => ({ f: { start, end, spans }, spans: spansOf({ start, end, spans }) });
const texts = (items, text) => items.map((it) => it.spans.map(([a, b]) => text.slice(a, b)));

test('spansOf: the primary span first, then the other spans, without repeating it', () => {
  assert.deepEqual(spansOf({ start: 9, end: 14, spans: [[9, 14], [0, 3], [18, 23]] }), [[9, 14], [0, 3], [18, 23]]);
  assert.deepEqual(spansOf({ start: 2, end: 4 }), [[2, 4]]);
  assert.deepEqual(spansOf({ start: 2, end: 4, spans: [[5, 5], 'x', [6, 8]] }), [[2, 4], [6, 8]]);
});

test('translate: an edit before a span shifts it, after it leaves it, through it drops it', () => {
  const from = '67M from Gimli in bed 4';
  const items = [item(0, 3), item(9, 14)];
  const insertedBefore = 'Wow, 67M from Gimli in bed 4';
  assert.deepEqual(texts(translate(items, from, insertedBefore), insertedBefore), [['67M'], ['Gimli']]);
  const appended = from + ' last night';
  assert.deepEqual(texts(translate(items, from, appended), appended), [['67M'], ['Gimli']]);
  const changed = '67M from Gimpy in bed 4';
  assert.deepEqual(texts(translate(items, from, changed), changed), [['67M']]);
  assert.equal(translate(items, from, from), items, 'no edit: the same items');
});

test('translate: typing onto the end or the start of a flagged word drops it (the word changed)', () => {
  const from = 'from Gimli now';
  const items = [item(5, 10)];
  assert.deepEqual(translate(items, from, 'from Gimlis now'), []);
  assert.deepEqual(translate(items, from, 'from xGimli now'), []);
  const spaced = 'from Gimli, now';
  assert.deepEqual(texts(translate(items, from, spaced), spaced), [['Gimli']], 'punctuation after it keeps it');
});

test('translate: UTF-16 units, emoji before a span (two units each)', () => {
  const from = 'ok Gimli';
  const to = 'ok 😀🩺 Gimli';
  const out = translate([item(3, 8)], from, to);
  assert.deepEqual(texts(out, to), [['Gimli']]);
  assert.deepEqual(out[0].spans[0], [3 + 5, 8 + 5]);
});

test('translate: a secondary span the edit touched goes, the finding stays', () => {
  const from = '67M from Gimli in bed 4';
  const to = '67M from Gimli in room 4';
  const out = translate([item(9, 14, [[0, 3], [18, 23]])], from, to);
  assert.deepEqual(texts(out, to), [['Gimli', '67M']]);
});

test('typingWord: the word the caret is in or right after', () => {
  assert.deepEqual(typingWord('from Giml', 10), { start: 5, end: 10 });
  assert.deepEqual(typingWord('from Gimli here', 7), { start: 5, end: 10 });
  assert.equal(typingWord('from Gimli ', 11), null, 'after a space: no word being typed');
  assert.equal(typingWord('from Gimli.', 11), null);
  assert.equal(typingWord('abc', null), null, 'no caret in this editor');
  assert.deepEqual(typingWord('café naïve', 10), { start: 5, end: 10 }, 'accents are word characters');
});

test('partialRequest: up to the word being typed at the end; whole text with the word held back inside', () => {
  assert.deepEqual(partialRequest('67M from Giml', 13), { send: '67M from ', exclude: null, partial: true });
  assert.deepEqual(partialRequest('67M from ', 9), { send: '67M from ', exclude: null, partial: false });
  const mid = partialRequest('67M from Gi and more', 11);
  assert.equal(mid.send, '67M from Gi and more');
  assert.deepEqual(mid.exclude, { start: 9, end: 11 });
  assert.equal(mid.partial, true);
});
