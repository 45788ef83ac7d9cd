// background.js - the service worker: one native port to postguard-host (docs/protocol.md),
// request ids, stale answers dropped, reconnect with backoff; settings and site registration.

import {
  api, readEffective, readUser, writeUser, configureOverlay, originsFor, hostUnder, DEFAULT_SITES,
} from "./lib/settings.js";
import { t } from "./lib/i18n.js";

const HOST_NAME = "ca.postguard.host";
// Chromium: "Specified native messaging host not found." / "Access to the specified native
// messaging host is forbidden."; Firefox: "No such native application ca.postguard.host".
const NO_HOST_RE = /not found|no such native application|forbidden|not allowed/i;
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 30000;
const NO_HOST_RETRY_MS = 3000; // a check asks again after this long; the popup asks at once
const RESEND_TRIES = 1;        // a check lost with a dying host is sent once more, not forever
const HELLO_TIMEOUT_MS = 5000; // a host that started but has not said hello by then is not checking

const conn = {
  port: null,
  status: "idle",       // idle | connecting | connected | no-host | disconnected
  hello: null,          // the host's hello answer
  configured: null,     // the host's last configured answer
  lastError: "",
  attempts: 0,          // failed connections in a row, for the backoff
  lastAttempt: 0,
  retryTimer: null,
  helloId: null,
  sentConfig: null,     // the overlay this host process has, as JSON
  configuring: false,   // between hello and the first configure
};

let nextId = 1;
const pending = new Map(); // host request id -> request {key, text, site, resolve, tries}
const latest = new Map();  // tab:frame:editor -> the id of the only request whose answer counts
const waiting = new Map(); // tab:frame:editor -> request queued until the host is connected

function post(msg) {
  try {
    conn.port.postMessage(msg);
    return true;
  } catch (e) {
    conn.lastError = String(e?.message || e);
    return false;
  }
}

// The toolbar icon says whether posts are being checked: "!" on it, and a title that says why,
// when the host is missing; nothing on it while it checks.
let shownAction = null;
function showAction() {
  const state = conn.status === "no-host" ? "no-host" : conn.status === "connected" ? "ok" : shownAction === "no-host" ? "no-host" : "ok";
  if (state === shownAction || !api.action) return;
  shownAction = state;
  const calls = state === "no-host"
    ? [api.action.setBadgeText({ text: "!" }), api.action.setBadgeBackgroundColor({ color: "#c5221f" }),
       api.action.setTitle({ title: t("actionNoHost") })]
    : [api.action.setBadgeText({ text: "" }), api.action.setTitle({ title: t("actionChecking") })];
  api.action.setBadgeTextColor?.({ color: "#ffffff" })?.catch?.(() => {});
  for (const c of calls) c?.catch?.(() => {});
}

function connect() {
  clearTimeout(conn.retryTimer);
  conn.retryTimer = null;
  if (conn.port) return;
  conn.status = "connecting";
  conn.lastAttempt = Date.now();
  conn.hello = null;
  let port;
  try {
    port = api.runtime.connectNative(HOST_NAME);
  } catch (e) {
    hostGone(String(e?.message || e), false);
    return;
  }
  conn.port = port;
  let greeted = false;
  port.onMessage.addListener((m) => {
    if (conn.port !== port) return;
    if (m && m.id === conn.helloId && m.type === "hello") greeted = true;
    onHostMessage(m);
  });
  port.onDisconnect.addListener((p) => {
    const err = api.runtime.lastError?.message || p?.error?.message || "the host exited";
    if (conn.port !== port) return;
    conn.port = null;
    hostGone(err, greeted);
  });
  conn.helloId = nextId++;
  post({ type: "hello", id: conn.helloId });
  // A host that hangs would leave the status "connecting" and every check unanswered: after
  // a while it counts as missing (the page says "not checking", a fail-closed gate holds).
  setTimeout(() => {
    if (conn.port !== port || greeted) return;
    conn.port = null;
    try { port.disconnect(); } catch { /* already gone */ }
    hostGone(`the host started but did not answer within ${HELLO_TIMEOUT_MS / 1000} s`, false, true);
  }, HELLO_TIMEOUT_MS);
}

// The port closed: the host is missing or does not answer (no-host: ask again only on demand)
// or it exited (disconnected: reconnect with backoff and resend what was lost).
function hostGone(err, greeted, silent = false) {
  conn.lastError = err;
  conn.hello = null;
  const missing = silent || (!greeted && NO_HOST_RE.test(err));
  conn.status = missing ? "no-host" : "disconnected";
  showAction();
  conn.attempts++;
  const lost = [...pending.values()].filter((r) => latest.get(r.key) === r.id);
  pending.clear();
  latest.clear();
  for (const r of lost) {
    if (missing || r.tries >= RESEND_TRIES) r.resolve({ status: missing ? "no-host" : "error", message: err });
    else if (!waiting.has(r.key)) { r.tries++; waiting.set(r.key, r); }
  }
  if (missing) {
    for (const r of waiting.values()) r.resolve({ status: "no-host", message: err });
    waiting.clear();
    return;
  }
  const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(conn.attempts - 1, 8));
  conn.retryTimer = setTimeout(connect, delay);
}

// Send the clinic's overlay when it differs from what this host process has (each new process
// starts with none). Policies load asynchronously at browser start, so this also runs a few
// times after connecting, besides on every change of managed storage.
async function sendConfigure(force) {
  if (conn.status !== "connected") return;
  const config = configureOverlay(await readEffective());
  const text = JSON.stringify(config);
  if (!force && text === conn.sentConfig) return;
  conn.sentConfig = text;
  post({ type: "configure", id: nextId++, config });
}

function onHostMessage(m) {
  if (!m || typeof m !== "object") return;
  if (m.id === conn.helloId) {
    if (m.type !== "hello") { conn.lastError = m.message || "unexpected answer to hello"; return; }
    conn.hello = m;
    conn.status = "connected";
    showAction();
    conn.attempts = 0;
    conn.lastError = "";
    conn.sentConfig = null;
    conn.configured = null;
    conn.configuring = true; // checks wait until the overlay is sent: the host answers in order
    sendConfigure(true).finally(() => { conn.configuring = false; flushWaiting(); });
    for (const ms of [1000, 5000, 15000]) setTimeout(() => sendConfigure(false), ms);
    return;
  }
  if (m.type === "configured") { conn.configured = m; return; }
  const req = pending.get(m.id);
  if (!req) return;
  pending.delete(m.id);
  if (latest.get(req.key) !== m.id) return; // a newer request for this editor was sent: stale
  latest.delete(req.key);
  if (m.type === "result") req.resolve(resultFor(m));
  else req.resolve({ status: "error", code: m.code, message: m.message });
}

// The answer for the content script: the findings, each with its section's text from hello.
function resultFor(m) {
  const sections = conn.hello?.sections || {};
  const findings = (Array.isArray(m.findings) ? m.findings : []).map((f) => ({
    ...f,
    section_text: f.section_text ?? sections[f.section]?.text ?? "",
    section_title: f.section_title ?? sections[f.section]?.title ?? "",
  }));
  return { status: "ok", findings, max_severity: m.max_severity, truncated: !!m.truncated, elapsed: m.elapsed };
}

function flushWaiting() {
  const reqs = [...waiting.values()];
  waiting.clear();
  for (const r of reqs) send(r);
}

function send(r) {
  r.id = nextId++;
  latest.set(r.key, r.id);
  pending.set(r.id, r);
  if (!post({ type: "check", id: r.id, text: r.text, site: r.site })) {
    pending.delete(r.id);
    r.resolve({ status: "error", message: conn.lastError });
  }
}

function check(msg, sender, resolve) {
  const key = `${sender.tab?.id ?? "x"}:${sender.frameId ?? 0}:${msg.editor}`;
  // Only the newest request per tab and editor counts: tell the older one it is stale now.
  const old = pending.get(latest.get(key));
  if (old) old.resolve({ status: "stale" });
  latest.delete(key);
  const queued = waiting.get(key);
  if (queued) queued.resolve({ status: "stale" });
  waiting.delete(key);
  const r = { key, text: String(msg.text ?? ""), site: String(msg.site ?? ""), resolve, tries: 0 };
  if (conn.status === "connected" && !conn.configuring) { send(r); return; }
  if (conn.status === "no-host" && Date.now() - conn.lastAttempt < NO_HOST_RETRY_MS) {
    resolve({ status: "no-host", message: conn.lastError });
    return;
  }
  waiting.set(key, r);
  if (!conn.port && !conn.retryTimer) connect();
  else if (conn.status === "disconnected" && conn.retryTimer && Date.now() - conn.lastAttempt > 2000) {
    // The host keeps failing and the backoff is long: someone is typing, so try now.
    connect();
  }
}

function statusReport(eff) {
  const h = conn.hello;
  return {
    status: conn.status,
    lastError: conn.lastError,
    hostVersion: h?.version ?? null,
    protocol: h?.protocol ?? null,
    pack: conn.configured?.pack ?? h?.pack ?? null,
    categories: h?.categories ?? null,
    configProblem: conn.configured ? conn.configured.config_problem : (h?.config_problem ?? null),
    settings: eff,
  };
}

// Wait (briefly) for a connection attempt to end, so the popup shows the outcome, not "connecting".
function settled(ms) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const tick = () => {
      if (conn.status !== "connecting" || Date.now() - t0 > ms) resolve();
      else setTimeout(tick, 25);
    };
    tick();
  });
}

async function onRequest(msg, sender) {
  switch (msg?.type) {
    case "settings":
      return { settings: await readEffective(), categories: conn.hello?.categories ?? null };
    case "status": {
      if (conn.status !== "connected" && !conn.port) connect();
      await settled(1500);
      return statusReport(await readEffective());
    }
    case "mute": {
      const eff = await readEffective();
      const rule = String(msg.rule || "");
      if (!rule || eff.locked.disabledRules && eff.disabledRules.includes(rule)) return { ok: false };
      // the clinic locked the gate to "block": muting a rule would let its high findings through
      if (eff.locked.gateMode && eff.gateMode === "block") return { ok: false, reason: "gate locked to block" };
      const user = await readUser();
      const muted = new Set(Array.isArray(user.mutedRules) ? user.mutedRules : []);
      muted.add(rule);
      await writeUser({ mutedRules: [...muted] });
      return { ok: true };
    }
    case "unmute": {
      // the "Undo" after "Stop flagging this kind of finding"
      const rule = String(msg.rule || "");
      const user = await readUser();
      const muted = (Array.isArray(user.mutedRules) ? user.mutedRules : []).filter((r) => r !== rule);
      await writeUser({ mutedRules: muted });
      return { ok: true };
    }
    default:
      return null;
  }
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== api.runtime.id) return false;
  if (msg?.type === "check") {
    check(msg, sender, sendResponse);
    return true;
  }
  onRequest(msg, sender).then(sendResponse, (e) => sendResponse({ error: String(e?.message || e) }));
  return true;
});

// Sites beyond the four defaults: content scripts registered at run time for the hosts the user
// (or the clinic's policy) granted.
async function syncSites() {
  if (!api.scripting?.registerContentScripts) return;
  const eff = await readEffective();
  const extra = [...new Set([...eff.managedSites, ...eff.userSites])]
    .filter((h) => !DEFAULT_SITES.some((d) => hostUnder(h, d)));
  const matches = [];
  for (const h of extra) {
    const origins = originsFor(h);
    try {
      if (await api.permissions.contains({ origins })) matches.push(...origins);
    } catch { /* a malformed host name: skip it */ }
  }
  const js = api.runtime.getManifest().content_scripts?.[0]?.js ?? [];
  try {
    const have = await api.scripting.getRegisteredContentScripts({ ids: ["pg-extra"] });
    if (have.length) await api.scripting.unregisterContentScripts({ ids: ["pg-extra"] });
    if (matches.length && js.length) {
      await api.scripting.registerContentScripts([{ id: "pg-extra", matches, js, runAt: "document_idle" }]);
    }
  } catch (e) {
    console.warn("PostGuard: could not register content scripts for extra sites:", e?.message || e);
  }
}

api.storage.onChanged.addListener((changes, area) => {
  if (area === "managed" || (area === "local" && changes.settings)) {
    syncSites();
    if (area === "managed") sendConfigure();
  }
});
api.permissions?.onAdded?.addListener(() => syncSites());
api.permissions?.onRemoved?.addListener(() => syncSites());
api.runtime.onInstalled.addListener(() => syncSites());
api.runtime.onStartup?.addListener(() => syncSites());

connect();
