// background.test.mjs - the service worker (extension/background.js) against a fake browser API and a
// fake native port: hello then configure, stale answers dropped per editor, no host, reconnect after exit.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

const tick = () => new Promise((r) => setTimeout(r, 0));
async function until(cond, what) {
  for (let i = 0; i < 500; i++) { if (cond()) return; await new Promise((r) => setTimeout(r, 10)); }
  assert.fail(`timed out waiting for ${what}`);
}

// A native port: records what the worker sends; the test answers and closes it.
class FakePort {
  constructor() {
    this.sent = [];
    this.onMessage = { addListener: (f) => { this.msg = f; } };
    this.onDisconnect = { addListener: (f) => { this.disc = f; } };
  }
  disconnect() { this.closed = true; }
  postMessage(m) {
    if (this.closed) throw new Error('Attempting to use a disconnected port object');
    this.sent.push(structuredClone(m));
  }
  reply(m) { this.msg(structuredClone(m)); }
  close(message) {
    this.closed = true;
    fake.runtime.lastError = message ? { message } : undefined;
    this.disc(this);
    fake.runtime.lastError = undefined;
  }
  last(type) { return [...this.sent].reverse().find((m) => m.type === type); }
}

let ports, onMessage, onStorage, managed, user, hostMissing, action;
const fake = {
  // the toolbar icon: what the worker last put on it
  action: {
    setBadgeText: async ({ text }) => { action.text = text; },
    setBadgeBackgroundColor: async ({ color }) => { action.color = color; },
    setBadgeTextColor: async () => {},
    setTitle: async ({ title }) => { action.title = title; },
  },
  i18n: { getMessage: (key) => `[${key}]` },
  runtime: {
    id: 'pg-test',
    connectNative(name) {
      assert.equal(name, 'ca.postguard.host');
      const p = new FakePort();
      ports.push(p);
      if (hostMissing) queueMicrotask(() => p.close('Specified native messaging host not found.'));
      return p;
    },
    onMessage: { addListener: (f) => { onMessage = f; } },
    onInstalled: { addListener() {} },
    onStartup: { addListener() {} },
    getManifest: () => ({ content_scripts: [{ js: ['content/main.js'] }] }),
  },
  storage: {
    local: { get: async () => ({ settings: user }), set: async (o) => { user = o.settings; } },
    managed: { get: async () => managed },
    onChanged: { addListener: (f) => { onStorage = f; } },
  },
  permissions: { contains: async () => true, onAdded: { addListener() {} }, onRemoved: { addListener() {} } },
};
globalThis.chrome = fake;

let generation = 0;
async function startWorker() {
  ports = [];
  onMessage = null;
  onStorage = null;
  await import(`../../extension/background.js?${++generation}`); // a fresh worker each time
  assert.ok(onMessage, 'the worker listens for messages');
}

// A message from a content script (tab 7) or the popup; resolves with the worker's answer.
function send(msg, sender = { id: 'pg-test', tab: { id: 7 }, frameId: 0 }) {
  return new Promise((resolve) => { onMessage(msg, sender, resolve); });
}

async function greet(port) {
  const hello = port.sent.find((m) => m.type === 'hello');
  assert.ok(hello, 'hello is the first thing sent');
  port.reply({ type: 'hello', id: hello.id, protocol: 1, version: '9.9.9',
    pack: { id: 'p', version: '1.2.3', rules: 3 }, categories: ['privacy'],
    sections: { '3.1': { title: 'Privacy and Confidentiality', text: 'Registrants should avoid posting patient information.' } },
    config_problem: null });
  await until(() => port.last('configure'), 'configure after hello');
}

const finding = (start, end) => ({ rule: 'privacy.identifiable-patient', category: 'privacy', section: '3.1',
  severity: 'high', start, end, spans: [[start, end]], message: 'm', explanation: 'e', suggestion: 's' });

beforeEach(() => { managed = {}; user = {}; hostMissing = false; action = {}; });

test('hello on connect, then configure with the clinic\'s managed settings', async () => {
  managed = { clinicLexicons: { facilities: ['St. Elsewhere General'] }, disabledRules: ['tone.shouting'],
    severityOverrides: { 'promotion.discount-code': 'high' }, gateMode: 'block' };
  await startWorker();
  assert.equal(ports.length, 1, 'one port');
  assert.equal(ports[0].sent[0].type, 'hello');
  await greet(ports[0]);
  assert.deepEqual(ports[0].last('configure').config, {
    lexicons: { facilities: ['St. Elsewhere General'] }, disable: ['tone.shouting'],
    severity: { 'promotion.discount-code': 'high' } });
  const st = await send({ type: 'status' }, { id: 'pg-test' });
  assert.equal(st.status, 'connected');
  assert.equal(st.hostVersion, '9.9.9');
  assert.equal(st.pack.version, '1.2.3');
  assert.equal(ports.length, 1, 'still one port');
});

test('per editor only the newest request counts; other editors are independent', async () => {
  await startWorker();
  await greet(ports[0]);
  const port = ports[0];
  const first = send({ type: 'check', editor: 1, text: 'Gimli one', site: 'x' });
  await until(() => port.sent.filter((m) => m.type === 'check').length === 1, 'first check');
  const second = send({ type: 'check', editor: 1, text: 'Gimli two!', site: 'x' });
  const other = send({ type: 'check', editor: 2, text: 'other box', site: 'x' });
  assert.deepEqual(await first, { status: 'stale' }, 'the older request is answered stale at once');
  await until(() => port.sent.filter((m) => m.type === 'check').length === 3, 'three checks sent');
  const [c1, c2, c3] = port.sent.filter((m) => m.type === 'check');
  assert.ok(c1.id !== c2.id && c2.id !== c3.id && c1.id !== c3.id, 'unique request ids');
  assert.equal(c2.text, 'Gimli two!');
  assert.equal(c2.site, 'x');
  // The host answers the stale request too: that answer must reach nobody.
  port.reply({ type: 'result', id: c1.id, findings: [finding(0, 5)], max_severity: 'high' });
  port.reply({ type: 'result', id: c3.id, findings: [], max_severity: 'none' });
  port.reply({ type: 'result', id: c2.id, findings: [finding(0, 5)], max_severity: 'high' });
  const r2 = await second;
  assert.equal(r2.status, 'ok');
  assert.equal(r2.findings.length, 1);
  assert.equal(r2.findings[0].section_text, 'Registrants should avoid posting patient information.',
    'the section text from hello is attached');
  assert.deepEqual((await other).findings, []);
});

test('no host installed: checks answer no-host, the popup reports it', async () => {
  hostMissing = true;
  await startWorker();
  const r = await send({ type: 'check', editor: 1, text: 'Gimli', site: 'x' });
  assert.equal(r.status, 'no-host');
  const st = await send({ type: 'status' }, { id: 'pg-test' });
  assert.equal(st.status, 'no-host');
  assert.match(st.lastError, /not found/);
});

test('the host exits: reconnect with backoff, resend the newest check, answer it', async () => {
  await startWorker();
  await greet(ports[0]);
  const pending = send({ type: 'check', editor: 1, text: 'Gimli', site: 'x' });
  await until(() => ports[0].last('check'), 'check sent');
  ports[0].close('Native host has exited.');
  await until(() => ports.length === 2, 'a new port after the backoff');
  await greet(ports[1]);
  await until(() => ports[1].last('check'), 'the lost check sent again');
  const again = ports[1].last('check');
  assert.equal(again.text, 'Gimli');
  ports[1].reply({ type: 'result', id: again.id, findings: [finding(0, 5)], max_severity: 'high' });
  const r = await pending;
  assert.equal(r.status, 'ok');
  assert.equal(r.findings[0].end, 5);
});

test('messages from other extensions are ignored', async () => {
  await startWorker();
  const answered = onMessage({ type: 'status' }, { id: 'someone-else' }, () => assert.fail('answered'));
  assert.equal(answered, false);
  await tick();
});

test('"Stop flagging this rule" is saved in the user\'s muted rules, and "Undo" takes it out again', async () => {
  await startWorker();
  assert.deepEqual(await send({ type: 'mute', rule: 'tone.shouting' }), { ok: true });
  assert.deepEqual(await send({ type: 'mute', rule: 'respect.abuse' }), { ok: true });
  assert.deepEqual(user.mutedRules, ['tone.shouting', 'respect.abuse']);
  assert.deepEqual(await send({ type: 'unmute', rule: 'tone.shouting' }), { ok: true });
  assert.deepEqual(user.mutedRules, ['respect.abuse'], 'only the undone rule is unmuted');
});

test('the toolbar icon says "!" while the host is missing, and nothing once it answers', async () => {
  hostMissing = true;
  await startWorker();
  await until(() => action.text === '!', 'the "!" on the icon');
  assert.equal(action.title, '[actionNoHost]', 'the icon\'s title says posts are not being checked');
  hostMissing = false;
  const st = send({ type: 'status' }); // the popup opening asks for the host again
  await until(() => ports.length === 2, 'a new connection');
  await greet(ports[1]);
  await st;
  await until(() => action.text === '', 'the "!" taken off');
  assert.equal(action.title, '[actionChecking]');
});

test('a check sent while the overlay is being read waits for it: hello, configure, check', async () => {
  await startWorker();
  const port = ports[0];
  const hello = port.sent[0];
  port.reply({ type: 'hello', id: hello.id, protocol: 1, version: '1', pack: { id: 'p', version: '1' }, sections: {} });
  const pending = send({ type: 'check', editor: 3, text: 'x', site: 'x' }); // before configure went out
  await until(() => port.last('check'), 'the check');
  assert.deepEqual(port.sent.map((m) => m.type), ['hello', 'configure', 'check']);
  port.reply({ type: 'result', id: port.last('check').id, findings: [], max_severity: 'none' });
  assert.equal((await pending).status, 'ok');
});

test('a clinic policy that changes (or arrives late) is sent again as configure', async () => {
  await startWorker();
  await greet(ports[0]);
  assert.deepEqual(ports[0].last('configure').config, {}, 'no policy yet: an empty overlay');
  managed = { disabledRules: ['tone.shouting'] };
  onStorage({ disabledRules: { newValue: ['tone.shouting'] } }, 'managed');
  await until(() => ports[0].sent.filter((m) => m.type === 'configure').length === 2, 'a second configure');
  assert.deepEqual(ports[0].last('configure').config, { disable: ['tone.shouting'] });
});

test('a host that starts but never says hello counts as missing after a while: checks answer no-host, the icon says "!"', async () => {
  await startWorker();
  const check = send({ type: 'check', editor: 1, text: 'hello', site: 'x' });
  await until(() => ports.length === 1, 'a connection');
  const got = await Promise.race([check, new Promise((r) => setTimeout(() => r('no answer'), 15000))]);
  assert.equal(got.status, 'no-host', 'the check is answered no-host, not left waiting');
  assert.ok(ports[0].closed, 'the silent port is closed');
  assert.equal(action.text, '!', 'the toolbar icon says so');
  const st = await send({ type: 'status' });
  assert.match(st.lastError, /did not answer/, st.lastError);
});
