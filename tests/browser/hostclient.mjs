// hostclient.mjs - talks to the real postguard-host over docs/protocol.md framing, outside the browser,
// so the tests know what the extension must show (the host's own answer) without hard-coding a pack.
import { spawn } from 'node:child_process';
import { HOST, rulesOverride } from './harness.mjs';

export class HostClient {
  constructor() {
    const env = { ...process.env };
    const rules = rulesOverride();
    if (rules) env.POSTGUARD_RULES = rules;
    this.proc = spawn(HOST, ['chrome-extension://tests/'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    this.buf = Buffer.alloc(0);
    this.waiting = new Map();
    this.nextId = 1;
    this.proc.stdout.on('data', (d) => this.onData(d));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => {
      for (const [, w] of this.waiting) w.reject(new Error(`postguard-host exited (${code})`));
      this.waiting.clear();
      resolve(code);
    }));
  }
  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4) {
      const n = this.buf.readUInt32LE(0);
      if (this.buf.length < 4 + n) break;
      const msg = JSON.parse(this.buf.subarray(4, 4 + n).toString('utf8'));
      this.buf = this.buf.subarray(4 + n);
      const w = this.waiting.get(msg.id);
      if (w) { this.waiting.delete(msg.id); w.resolve(msg); }
    }
  }
  request(msg) {
    const id = this.nextId++;
    const body = Buffer.from(JSON.stringify({ ...msg, id }), 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length, 0);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.proc.stdin.write(Buffer.concat([head, body]));
    });
  }
  hello() { return this.request({ type: 'hello' }); }
  check(text) { return this.request({ type: 'check', text }); }
  explain(rule) { return this.request({ type: 'explain', rule }); }
  async close() { this.proc.stdin.end(); await this.exited; }
}

// What the extension must underline for a host result: for each severity, the strings text.slice(a, b)
// of every span of every finding of that severity (sorted, without repeats). Spans of one severity that
// overlap (a factor inside the primary match, "sarcoma" inside "rare sarcoma") may be drawn as given or
// merged into one range: both are right, so this returns the acceptable answers, as given first.
export function expectedUnderlines(text, result) {
  const spans = { high: [], medium: [], low: [] };
  for (const f of result.findings) {
    for (const s of f.spans && f.spans.length ? f.spans : [[f.start, f.end]]) spans[f.severity].push(s);
  }
  const strings = (bySev) => Object.fromEntries(Object.entries(bySev).map(([k, v]) =>
    [k, [...new Set(v.map(([a, b]) => text.slice(a, b)))].sort()]));
  const merged = Object.fromEntries(Object.entries(spans).map(([k, v]) => {
    const out = [];
    for (const [a, b] of [...v].sort((x, y) => x[0] - y[0] || y[1] - x[1])) {
      const last = out[out.length - 1];
      if (last && a < last[1]) last[1] = Math.max(last[1], b); else out.push([a, b]);
    }
    return [k, out];
  }));
  const answers = [strings(spans), strings(merged)];
  return JSON.stringify(answers[0]) === JSON.stringify(answers[1]) ? [answers[0]] : answers;
}
