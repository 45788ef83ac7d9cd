// policy.test.mjs - what Post does and which buttons a card offers (extension/content/policy.js),
// case by case: the gate, failing closed without a host, settings not yet read, clinic locks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

vm.runInThisContext(readFileSync(new URL('../../extension/content/policy.js', import.meta.url), 'utf8'));
const { onPost, actions, shown } = globalThis.__postguard.policy;

const READY = { settingsReady: true, gateMode: 'warn', hostMissing: 'post', noHost: false, checked: true, due: false, highs: 0 };
const at = (patch) => ({ ...READY, ...patch });

test('checked text: a high finding stops Post for the gate, none lets it go', () => {
  assert.equal(onPost(at({ highs: 1 }), false), 'gate');
  assert.equal(onPost(at({ highs: 0 }), false), 'pass');
  assert.equal(onPost(at({ highs: 2, gateMode: 'block' }), false), 'gate');
});

test('a check still out or text changed since: wait for it, then decide on the answer', () => {
  assert.equal(onPost(at({ due: true }), false), 'wait');
  assert.equal(onPost(at({ highs: 1 }), true), 'gate');
  assert.equal(onPost(at({ highs: 0 }), true), 'pass');
  // the host never answered (it hangs): the post goes out unless the clinic fails closed
  assert.equal(onPost(at({ due: true }), true), 'pass');
  assert.equal(onPost(at({ due: true, hostMissing: 'block' }), true), 'gate');
});

test('settings not read yet: wait for them whatever the editor says, so a clinic\'s "block" holds', () => {
  for (const ed of [{ noHost: true }, { highs: 0 }, { checked: false }]) {
    assert.equal(onPost(at({ ...ed, settingsReady: false }), false), 'wait', JSON.stringify(ed));
  }
  assert.equal(onPost(at({ noHost: true, hostMissing: 'block' }), true), 'gate');
  assert.equal(onPost(at({ noHost: true, hostMissing: 'post' }), true), 'pass');
});

test('no host: posts go out by default; failing closed asks the host once more, then gates', () => {
  assert.equal(onPost(at({ noHost: true }), false), 'pass');
  assert.equal(onPost(at({ noHost: true, due: true }), false), 'pass');
  assert.equal(onPost(at({ noHost: true, hostMissing: 'block' }), false), 'wait');
  assert.equal(onPost(at({ noHost: true, hostMissing: 'block' }), true), 'gate');
  // the host was installed meanwhile and found nothing high
  assert.equal(onPost(at({ hostMissing: 'block' }), true), 'pass');
});

test('never checked (the box was never read): only a fail-closed policy stops it', () => {
  assert.equal(onPost(at({ checked: false }), false), 'pass');
  assert.equal(onPost(at({ checked: false, hostMissing: 'block' }), false), 'gate');
});

test('gate mode "off" learnt while waiting lets the post go even with a high finding', () => {
  assert.equal(onPost(at({ gateMode: 'off', highs: 1 }), true), 'pass');
});

const SETTINGS = { gateMode: 'warn', locked: { gateMode: false }, severityOverrides: {}, categories: null, disabledRules: [], mutedRules: [] };
const high = { rule: 'privacy.identifiable', category: 'privacy', severity: 'high' };
const medium = { rule: 'respect.demeaning-label', category: 'respect', severity: 'medium' };

test('card buttons: everything for the user\'s own settings; less under a clinic\'s lock', () => {
  assert.deepEqual(actions(SETTINGS, high), { canIgnore: true, canMute: true });
  const warnLocked = { ...SETTINGS, locked: { gateMode: true } };
  assert.deepEqual(actions(warnLocked, high), { canIgnore: true, canMute: false });
  assert.deepEqual(actions(warnLocked, medium), { canIgnore: true, canMute: true });
  const blockLocked = { ...SETTINGS, gateMode: 'block', locked: { gateMode: true } };
  assert.deepEqual(actions(blockLocked, high), { canIgnore: false, canMute: false });
  assert.deepEqual(actions(blockLocked, medium), { canIgnore: true, canMute: false });
  const override = { ...SETTINGS, severityOverrides: { [medium.rule]: 'high' } };
  assert.equal(actions(override, medium).canMute, false, 'a rule whose severity the clinic set cannot be muted');
});

test('shown: categories, disabled and muted rules, ignored here; a muted rule\'s high finding stays under a locked block', () => {
  assert.equal(shown(SETTINGS, high, false), true);
  assert.equal(shown(SETTINGS, high, true), false, 'ignored here');
  assert.equal(shown({ ...SETTINGS, categories: ['respect'] }, high, false), false);
  assert.equal(shown({ ...SETTINGS, disabledRules: [high.rule] }, high, false), false);
  assert.equal(shown({ ...SETTINGS, mutedRules: [high.rule] }, high, false), false);
  const blockLocked = { ...SETTINGS, gateMode: 'block', locked: { gateMode: true }, mutedRules: [high.rule, medium.rule] };
  assert.equal(shown(blockLocked, high, false), true);
  assert.equal(shown(blockLocked, medium, false), false);
});
