// popup.js - the toolbar popup: host status (or how to install it), versions, on/off for this site.

import { api, readUser, writeUser, normalHost, hostUnder, originsFor, DEFAULT_SITES } from "./lib/settings.js";

const $ = (sel) => document.querySelector(`[data-pg="${sel}"]`);

function showStatus(st) {
  const el = $("status");
  el.dataset.status = st.status;
  el.textContent = "";
  const line = (text, tag = "div") => { const e = document.createElement(tag); e.textContent = text; el.appendChild(e); return e; };
  if (st.status === "connected") {
    line("Connected: checking happens on this computer.");
  } else if (st.status === "no-host") {
    line("PostGuard host not found.");
    const how = line("", "div");
    how.append("To install it, run ");
    const c = document.createElement("code");
    c.textContent = "packaging/install.sh";
    how.append(c, " from the PostGuard source folder (or install the postguard .deb package), then reopen this window.");
    if (st.lastError) line(`(${st.lastError})`).className = "muted";
  } else if (st.status === "disconnected") {
    line("The PostGuard host stopped; reconnecting…");
    if (st.lastError) line(`(${st.lastError})`).className = "muted";
  } else {
    line("Connecting to the PostGuard host…");
  }
  $("host-version").textContent = st.hostVersion ? `postguard-host ${st.hostVersion}` : "–";
  const p = st.pack;
  $("pack-version").textContent = p ? `${p.id} ${p.version}${p.rules != null ? ` (${p.rules} rules)` : ""}` : "–";
  const prob = $("config-problem");
  if (st.configProblem) {
    const cp = st.configProblem;
    prob.textContent = `Clinic configuration problem: ${cp.file || "configuration"}${cp.field ? `, field “${cp.field}”` : ""}: ${cp.message || ""} (the base rules keep working)`;
    prob.hidden = false;
  } else prob.hidden = true;
}

async function showSite(st) {
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  let host = "";
  try { host = tab?.url ? new URL(tab.url).hostname : ""; } catch { host = ""; }
  const toggle = $("site-toggle"), enable = $("site-enable"), note = $("site-note");
  const h = normalHost(host);
  $("site-name").textContent = h || "(not a web page)";
  if (!h || !/^https?:/.test(tab?.url || "")) { note.textContent = "PostGuard works on web pages only."; return; }
  const eff = st.settings;
  const covered = eff.sites.find((s) => hostUnder(h, s));
  const clinic = eff.managedSites.some((s) => hostUnder(h, s));
  if (!covered) {
    toggle.checked = false;
    enable.hidden = false;
    note.textContent = "Not covered. Enable it to check posts on this site.";
    enable.onclick = async () => {
      const ok = await api.permissions.request({ origins: originsFor(h) });
      if (!ok) return;
      const user = await readUser();
      await writeUser({ sites: [...new Set([...(user.sites || []), h])] });
      note.textContent = "Enabled: reload the page to start checking.";
      enable.hidden = true;
      toggle.checked = true;
    };
    return;
  }
  const off = eff.disabledSites.some((d) => hostUnder(h, d));
  toggle.checked = !off;
  toggle.disabled = clinic;
  if (clinic) {
    const lock = document.createElement("span");
    lock.className = "lock";
    lock.textContent = "Set by your clinic";
    note.replaceChildren(lock);
  }
  else if (!DEFAULT_SITES.includes(covered) && !(await api.permissions.contains({ origins: originsFor(covered) }))) {
    note.textContent = "Needs permission for this site.";
  }
  toggle.onchange = async () => {
    const user = await readUser();
    const set = new Set((user.disabledSites || []).map(normalHost));
    if (toggle.checked) { set.delete(covered); set.delete(h); } else set.add(covered);
    await writeUser({ disabledSites: [...set] });
  };
}

async function main() {
  const st = await api.runtime.sendMessage({ type: "status" });
  showStatus(st);
  await showSite(st);
  // The host may still be starting: look again a little later.
  if (st.status !== "connected") {
    setTimeout(async () => showStatus(await api.runtime.sendMessage({ type: "status" })), 1500);
  }
}

main();
