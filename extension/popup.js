// popup.js - the toolbar popup: host status (or how to install it), versions, on/off for this site.

import { api, readUser, writeUser, normalHost, hostUnder, originsFor, DEFAULT_SITES } from "./lib/settings.js";
import { t, translatePage } from "./lib/i18n.js";

const $ = (sel) => document.querySelector(`[data-pg="${sel}"]`);

function showStatus(st) {
  const el = $("status");
  el.dataset.status = st.status;
  el.textContent = "";
  const line = (text, tag = "div") => { const e = document.createElement(tag); e.textContent = text; el.appendChild(e); return e; };
  if (st.status === "connected") {
    line(t("popupConnected"));
  } else if (st.status === "no-host") {
    // Plain words first (who to ask); the developer's command and the browser's message after.
    line(t("popupNoHost"), "strong");
    line(t("popupNoHostWhat"));
    line(t("popupNoHostSelf")).className = "muted";
    if (st.lastError) line(`(${st.lastError})`).className = "muted";
  } else if (st.status === "disconnected") {
    line(t("popupStopped"));
    if (st.lastError) line(`(${st.lastError})`).className = "muted";
  } else {
    line(t("popupConnecting"));
  }
  $("host-version").textContent = st.hostVersion ? `postguard-host ${st.hostVersion}` : "–";
  const p = st.pack;
  $("pack-version").textContent = p ? `${p.id} ${p.version}${p.rules != null ? ` (${p.rules} rules)` : ""}` : "–";
  const prob = $("config-problem");
  if (st.configProblem) {
    const cp = st.configProblem;
    prob.textContent = t("popupConfigProblem", `${cp.file || "configuration"}${cp.field ? `, “${cp.field}”` : ""}: ${cp.message || ""}`);
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
  if (!h || !/^https?:/.test(tab?.url || "")) { note.textContent = t("popupNotPage"); return; }
  const eff = st.settings;
  const covered = eff.sites.find((s) => hostUnder(h, s));
  const clinic = eff.heldSites.some((s) => hostUnder(h, s));
  if (!covered) {
    toggle.checked = false;
    enable.hidden = false;
    note.textContent = t("popupNotCovered");
    enable.onclick = async () => {
      const ok = await api.permissions.request({ origins: originsFor(h) });
      if (!ok) return;
      const user = await readUser();
      await writeUser({ sites: [...new Set([...(user.sites || []), h])] });
      note.textContent = t("popupEnabled");
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
    lock.textContent = t("popupByClinic");
    note.replaceChildren(lock);
  }
  else if (!DEFAULT_SITES.includes(covered) && !(await api.permissions.contains({ origins: originsFor(covered) }))) {
    note.textContent = t("popupNeedsPermission");
  }
  toggle.onchange = async () => {
    const user = await readUser();
    const set = new Set((user.disabledSites || []).map(normalHost));
    if (toggle.checked) { set.delete(covered); set.delete(h); } else set.add(covered);
    await writeUser({ disabledSites: [...set] });
  };
}

async function main() {
  translatePage();
  const st = await api.runtime.sendMessage({ type: "status" });
  showStatus(st);
  await showSite(st);
  // The host may still be starting: look again a little later.
  if (st.status !== "connected") {
    setTimeout(async () => showStatus(await api.runtime.sendMessage({ type: "status" })), 1500);
  }
}

main();
