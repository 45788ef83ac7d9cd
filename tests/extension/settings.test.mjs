// settings.test.mjs - extension/lib/settings.js: managed (clinic) values win and lock; user values
// otherwise; host names normalised; the configure overlay for the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effective, configureOverlay, normalHost, hostUnder, siteOf, DEFAULT_SITES } from '../../extension/lib/settings.js';

test('defaults with no settings at all', () => {
  const e = effective({}, {});
  assert.equal(e.gateMode, 'warn');
  assert.equal(e.categories, null, 'all categories');
  assert.deepEqual(e.sites, DEFAULT_SITES);
  assert.deepEqual(Object.values(e.locked).filter(Boolean), []);
  assert.deepEqual(configureOverlay(e), {}, 'no overlay: "{}" clears a previous one');
});

test('the clinic overrides the user and locks what it sets', () => {
  const e = effective(
    { gateMode: 'off', categories: ['tone'], mutedRules: ['tone.shouting'], sites: ['mastodon.social'] },
    { gateMode: 'block', disabledRules: ['promotion.discount-code'], sites: ['https://Example.org/path'] });
  assert.equal(e.gateMode, 'block');
  assert.equal(e.locked.gateMode, true);
  assert.deepEqual(e.categories, ['tone'], 'not set by the clinic: the user\'s');
  assert.equal(e.locked.categories, false);
  assert.deepEqual(e.mutedRules, ['tone.shouting']);
  assert.deepEqual(e.disabledRules, ['promotion.discount-code']);
  assert.deepEqual(e.sites, [...DEFAULT_SITES, 'example.org', 'mastodon.social']);
  assert.deepEqual(e.managedSites, ['example.org']);
});

test('invalid managed values are ignored, not half-applied', () => {
  const e = effective({ gateMode: 'warn' }, {
    gateMode: 'sometimes', categories: 'privacy', severityOverrides: { a: 'high', b: 'extreme' },
    clinicLexicons: { facilities: ['St. Elsewhere'], places: 'Gimli' },
  });
  assert.equal(e.gateMode, 'warn');
  assert.equal(e.locked.gateMode, false);
  assert.equal(e.categories, null);
  assert.deepEqual(e.severityOverrides, { a: 'high' });
  assert.deepEqual(e.clinicLexicons, { facilities: ['St. Elsewhere'] });
});

test('a site the clinic lists cannot be switched off by the user', () => {
  const e = effective({ disabledSites: ['example.org', 'other.org'] }, { sites: ['example.org'] });
  assert.deepEqual(e.disabledSites, ['other.org']);
});

test('under any clinic policy the built-in sites cannot be switched off; without one they can', () => {
  const user = { disabledSites: ['x.com', 'www.facebook.com', 'other.org'] };
  for (const managed of [{ gateMode: 'block' }, { clinicLexicons: { towns: ['Gimli'] } }, { sites: ['example.org'] }]) {
    const e = effective(user, managed);
    assert.deepEqual(e.disabledSites, ['other.org'], `policy ${JSON.stringify(managed)}`);
    assert.ok(e.heldSites.includes('x.com') && e.heldSites.includes('linkedin.com'), 'the popup shows them as set by the clinic');
  }
  const own = effective(user, {});
  assert.deepEqual(own.disabledSites, ['x.com', 'facebook.com', 'other.org'], 'a physician without a clinic keeps full control');
  assert.deepEqual(own.heldSites, []);
});

test('configure overlay: clinicLexicons -> lexicons, disabledRules -> disable, severityOverrides -> severity', () => {
  const e = effective({}, {
    clinicLexicons: { facilities: ['St. Elsewhere General'] }, disabledRules: ['tone.shouting'],
    severityOverrides: { 'promotion.discount-code': 'high' }, gateMode: 'block',
  });
  assert.deepEqual(configureOverlay(e), {
    lexicons: { facilities: ['St. Elsewhere General'] }, disable: ['tone.shouting'],
    severity: { 'promotion.discount-code': 'high' },
  });
});

test('host names', () => {
  assert.equal(normalHost(' HTTPS://www.Example.org:8080/a?b '), 'example.org');
  assert.equal(normalHost('*.example.org'), 'example.org');
  assert.equal(normalHost('localhost'), '', 'a dotless name is no site');
  assert.equal(normalHost('<img src=x>'), '');
  assert.ok(hostUnder('mobile.x.com', 'x.com'));
  assert.ok(!hostUnder('notx.com', 'x.com'));
  assert.equal(siteOf('www.linkedin.com', DEFAULT_SITES), 'linkedin.com');
  assert.equal(siteOf('example.org', DEFAULT_SITES), null);
});
