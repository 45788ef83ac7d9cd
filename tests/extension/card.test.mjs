// card.test.mjs - what a finding's card and the gate say (extension/content/card.js): the short
// "why" first, human section titles, the order of previous/next, every span in the gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

vm.runInThisContext(readFileSync(new URL('../../extension/content/card.js', import.meta.url), 'utf8'));
const { brief, sectionLabel, categoryKey, ordered, gateItems } = globalThis.__postguard.card;
const messages = JSON.parse(readFileSync(new URL('../../extension/_locales/en/messages.json', import.meta.url), 'utf8'));
const t = (k, ...a) => messages[k].message.replace(/\{(\d)\}/g, (_, i) => a[i - 1]);

test('brief: the post-specific sentences, not the quotation of the standard that comes first', () => {
  const why = '§3.1 Privacy and Confidentiality: "Registrants should avoid posting patient information if possible unless de-identified and for educational purposes. Fully informed consent may be required." ' +
    'The contextual information adds: "An unnamed patient may still be identified through a range of information, such as a description." ' +
    'This post refers to a patient together with details that narrow down who they are (underlined). The more of them, the easier it is. A third sentence.';
  assert.equal(brief(why), 'This post refers to a patient together with details that narrow down who they are (underlined). The more of them, the easier it is.');
});

test('brief: short quotations of the post\'s own words stay; nothing but quotation gives nothing', () => {
  const why = '§2.3: registrants "must avoid engaging in conduct on social media that diminishes their professional standing or the reputation of the profession." Labels like "drug seeker", "frequent flyer" or "GOMER" reduce people to a stereotype.';
  assert.equal(brief(why), 'Labels like "drug seeker", "frequent flyer" or "GOMER" reduce people to a stereotype.');
  assert.equal(brief('CMPA tip 7: "Comments, reactions, support, and contrary views should always be delivered respectfully and professionally. Be mindful."'), '');
  assert.equal(brief(''), '');
});

test('brief: at most 320 characters, cut at a word', () => {
  const long = `This post ${'says a great many things '.repeat(30)}end.`;
  const b = brief(long);
  assert.ok(b.length <= 321 && b.endsWith('…'), `${b.length}: ${b.slice(-20)}`);
  assert.ok(!/\s…$/.test(b));
});

test('sectionLabel: the standard\'s numbered sections with their title; guidance by its title, never its id', () => {
  assert.equal(sectionLabel({ section: '3.1', section_title: 'Privacy and Confidentiality' }, t), 'CPSM Standard §3.1: Privacy and Confidentiality');
  assert.equal(sectionLabel({ section: 'cmpa-tip-7', section_title: 'CMPA tip 7: Participate in dialogues respectfully' }, t), 'CMPA tip 7: Participate in dialogues respectfully');
  assert.equal(sectionLabel({ section: 'ctx-promotion', section_title: '' }, t), '');
});

test('every category id has a human name in both languages', () => {
  const fr = JSON.parse(readFileSync(new URL('../../extension/_locales/fr/messages.json', import.meta.url), 'utf8'));
  for (const c of ['privacy', 'advice', 'claims', 'qualifications', 'respect', 'boundaries', 'promotion',
    'patient-search', 'closed-group', 'distraction', 'tone']) {
    assert.ok(messages[categoryKey(c)]?.message, `en name for ${c}`);
    assert.ok(fr[categoryKey(c)]?.message, `fr name for ${c}`);
  }
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(messages).sort(), 'the French file has every English message');
});

test('ordered: high first, then by place; gateItems: medium and high only, every span quoted', () => {
  const it = (severity, spans, rule) => ({ f: { severity, rule, message: rule, section: '3.1', section_title: 'P' }, spans });
  const text = '67M from Gimli in bed 4, drug seekers, lol';
  const items = [it('low', [[38, 41]], 'low'), it('medium', [[25, 37]], 'med'), it('high', [[0, 3], [9, 14], [18, 23]], 'high')];
  assert.deepEqual(ordered(items).map((x) => x.f.rule), ['high', 'med', 'low']);
  const g = gateItems(items, text);
  assert.deepEqual(g.map((x) => [x.severity, x.quote]), [['high', '67M … Gimli … bed 4'], ['medium', 'drug seekers']]);
});
