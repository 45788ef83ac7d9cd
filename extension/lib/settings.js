// lib/settings.js - the extension's settings: the user's (storage.local) under the clinic's
// (storage.managed, which always wins and is shown as locked). Shared by the service worker, popup and options.

export const api = globalThis.browser ?? globalThis.chrome;

export const DEFAULT_SITES = ["x.com", "twitter.com", "facebook.com", "linkedin.com"];
export const GATE_MODES = ["off", "warn", "block"];
// Without the host nothing is checked: "post" lets posts through (the page says it is not
// checking), "block" stops them until the host is back (a clinic that must fail closed).
export const HOST_MISSING = ["post", "block"];
export const SEVERITIES = ["low", "medium", "high"];
// The categories of DESIGN.md; the host's hello lists the pack's own, which win when known.
export const CATEGORIES = ["privacy", "advice", "claims", "qualifications", "respect", "boundaries",
  "promotion", "patient-search", "closed-group", "distraction", "tone"];

const USER_KEY = "settings";

// User settings, all optional: gateMode, categories (null = all), mutedRules, sites (extra host
// names the user enabled), disabledSites (host names switched off from the popup).
export async function readUser() {
  const got = await api.storage.local.get(USER_KEY);
  const u = got?.[USER_KEY];
  return u && typeof u === "object" ? u : {};
}

export async function writeUser(patch) {
  const user = await readUser();
  const next = { ...user, ...patch };
  await api.storage.local.set({ [USER_KEY]: next });
  return next;
}

// Managed storage throws (Chrome without policy, Firefox without policies.json) or is absent
// (some browsers): both mean "no clinic policy".
export async function readManaged() {
  try {
    if (!api.storage.managed) return {};
    const m = await api.storage.managed.get(null);
    return m && typeof m === "object" ? m : {};
  } catch {
    return {};
  }
}

const strings = (v) => Array.isArray(v) ? v.filter((x) => typeof x === "string") : null;

function stringMap(v, ok) {
  if (!v || typeof v !== "object" || Array.isArray(v)) return null;
  const out = {};
  for (const [k, val] of Object.entries(v)) if (ok(val)) out[k] = val;
  return out;
}

// A host name as the user or the clinic wrote it, reduced to "example.org" (no scheme, port, path).
export function normalHost(s) {
  if (typeof s !== "string") return "";
  let h = s.trim().toLowerCase();
  h = h.replace(/^[a-z][a-z0-9+.-]*:\/\//, "").replace(/[/?#].*$/, "").replace(/:\d+$/, "");
  h = h.replace(/^\*\./, "").replace(/^www\./, "").replace(/\.$/, "");
  return /^[a-z0-9.-]+$/.test(h) && h.includes(".") ? h : "";
}

// Does host name h fall under site s (s itself or a subdomain)?
export function hostUnder(h, s) {
  return h === s || h.endsWith("." + s);
}

// The settings in force: the clinic's value where it set one (locked), else the user's, else the default.
export function effective(user, managed) {
  const m = {
    gateMode: GATE_MODES.includes(managed.gateMode) ? managed.gateMode : undefined,
    hostMissing: HOST_MISSING.includes(managed.hostMissing) ? managed.hostMissing : undefined,
    categories: strings(managed.categories) ?? undefined,
    disabledRules: strings(managed.disabledRules) ?? undefined,
    severityOverrides: stringMap(managed.severityOverrides, (x) => SEVERITIES.includes(x)) ?? undefined,
    sites: strings(managed.sites)?.map(normalHost).filter(Boolean) ?? undefined,
    clinicLexicons: stringMap(managed.clinicLexicons, (x) => Array.isArray(x) && x.every((t) => typeof t === "string")) ?? undefined,
  };
  const locked = {
    gateMode: m.gateMode !== undefined,
    hostMissing: m.hostMissing !== undefined,
    categories: m.categories !== undefined,
    disabledRules: m.disabledRules !== undefined,
    severityOverrides: m.severityOverrides !== undefined,
    sites: m.sites !== undefined,
    clinicLexicons: m.clinicLexicons !== undefined,
  };
  const userSites = (strings(user.sites) ?? []).map(normalHost).filter(Boolean);
  const managedSites = m.sites ?? [];
  const sites = [...new Set([...DEFAULT_SITES, ...managedSites, ...userSites])];
  // A site the clinic lists cannot be switched off by the user; nor, once the clinic sets any
  // policy at all, can the four built-in sites (switching X off would undo a locked gate).
  const anyPolicy = Object.values(m).some((v) => v !== undefined);
  const heldSites = anyPolicy ? [...new Set([...DEFAULT_SITES, ...managedSites])] : managedSites;
  const disabledSites = (strings(user.disabledSites) ?? []).map(normalHost)
    .filter((h) => h && !heldSites.some((s) => hostUnder(h, s)));
  return {
    gateMode: m.gateMode ?? (GATE_MODES.includes(user.gateMode) ? user.gateMode : "warn"),
    hostMissing: m.hostMissing ?? (HOST_MISSING.includes(user.hostMissing) ? user.hostMissing : "post"),
    categories: m.categories ?? strings(user.categories) ?? null,
    mutedRules: strings(user.mutedRules) ?? [],
    disabledRules: m.disabledRules ?? [],
    severityOverrides: m.severityOverrides ?? {},
    clinicLexicons: m.clinicLexicons ?? {},
    sites,
    managedSites,
    heldSites,
    userSites,
    disabledSites,
    locked,
  };
}

export async function readEffective() {
  const [user, managed] = await Promise.all([readUser(), readManaged()]);
  return effective(user, managed);
}

// The host's configure overlay (docs/protocol.md) made from the clinic's settings.
export function configureOverlay(eff) {
  const config = {};
  if (Object.keys(eff.clinicLexicons).length) config.lexicons = eff.clinicLexicons;
  if (eff.disabledRules.length) config.disable = eff.disabledRules;
  if (Object.keys(eff.severityOverrides).length) config.severity = eff.severityOverrides;
  return config;
}

// The site this host name belongs to, for the check's "site" field and the popup.
export function siteOf(hostname, sites) {
  const h = (hostname || "").toLowerCase();
  for (const s of sites) if (hostUnder(h, s)) return s;
  return null;
}

// Match patterns (for permissions and content-script registration) covering a host name.
export function originsFor(host) {
  return [`https://${host}/*`, `https://*.${host}/*`];
}
