// options.js - the options page: categories, gate mode, sites, muted rules; clinic policy locks.

import {
  api, readUser, writeUser, readEffective, normalHost, originsFor, DEFAULT_SITES, CATEGORIES,
} from "./lib/settings.js";
import { t, translatePage } from "./lib/i18n.js";

const $ = (sel) => document.querySelector(`[data-pg="${sel}"]`);

function item(text, buttonText, onClick, lockText) {
  const li = document.createElement("li");
  const span = document.createElement("span");
  span.textContent = text;
  li.appendChild(span);
  if (lockText) {
    const l = document.createElement("span");
    l.className = "lock";
    l.textContent = lockText;
    li.appendChild(l);
  } else if (buttonText) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = buttonText;
    b.addEventListener("click", onClick);
    li.appendChild(b);
  }
  return li;
}

async function render() {
  const eff = await readEffective();
  let cats = CATEGORIES;
  try {
    const st = await api.runtime.sendMessage({ type: "settings" });
    if (Array.isArray(st?.categories) && st.categories.length) cats = st.categories;
  } catch { /* the service worker is starting: the default list will do */ }

  const box = $("categories");
  box.replaceChildren();
  for (const c of cats) {
    const label = document.createElement("label");
    label.style.display = "inline-block";
    label.style.minWidth = "150px";
    const cb = document.createElement("input");
    cb.type = "checkbox";
    cb.value = c;
    cb.checked = !eff.categories || eff.categories.includes(c);
    cb.disabled = eff.locked.categories;
    cb.addEventListener("change", async () => {
      const on = [...box.querySelectorAll("input:checked")].map((x) => x.value);
      await writeUser({ categories: on.length === cats.length ? null : on });
    });
    // the category's name in the UI's language (the same key the card uses), else its id
    const name = t(`cat_${c.replace(/[^A-Za-z0-9]/g, "_")}`);
    label.append(cb, " ", name.startsWith("cat_") ? c : name);
    box.appendChild(label);
  }
  $("categories-lock").hidden = !eff.locked.categories;

  const gate = $("gate-mode");
  gate.value = eff.gateMode;
  gate.disabled = eff.locked.gateMode;
  gate.onchange = () => writeUser({ gateMode: gate.value });
  $("gate-lock").hidden = !eff.locked.gateMode;

  const sites = $("sites");
  sites.replaceChildren();
  for (const s of DEFAULT_SITES) sites.appendChild(item(s, null, null, t("optBuiltIn")));
  for (const s of eff.managedSites) sites.appendChild(item(s, null, null, t("optByClinic")));
  for (const s of eff.userSites.filter((x) => !eff.managedSites.includes(x))) {
    sites.appendChild(item(s, t("optRemove"), async () => {
      const user = await readUser();
      await writeUser({ sites: (user.sites || []).filter((x) => normalHost(x) !== s) });
      await api.permissions.remove({ origins: originsFor(s) }).catch(() => {});
    }));
  }

  const muted = $("muted");
  muted.replaceChildren();
  for (const r of eff.mutedRules) {
    muted.appendChild(item(r, t("optFlagAgain"), async () => {
      const user = await readUser();
      await writeUser({ mutedRules: (user.mutedRules || []).filter((x) => x !== r) });
    }));
  }
  $("muted-none").hidden = eff.mutedRules.length > 0;
  const disabled = $("disabled");
  disabled.replaceChildren();
  for (const r of eff.disabledRules) disabled.appendChild(item(r, null, null, t("optByClinic")));
  $("disabled-none").hidden = eff.disabledRules.length > 0;
}

$("site-add").addEventListener("click", async () => {
  const input = $("site-input"), note = $("site-note");
  const h = normalHost(input.value);
  if (!h) { note.textContent = t("optSiteBad"); return; }
  // Asked from the click itself: browsers grant permissions only in answer to a user gesture.
  const ok = await api.permissions.request({ origins: originsFor(h) });
  if (!ok) { note.textContent = t("optSiteDenied", h); return; }
  const user = await readUser();
  await writeUser({ sites: [...new Set([...(user.sites || []), h])] });
  input.value = "";
  note.textContent = t("optSiteAdded", h);
});

translatePage();
$("site-input").setAttribute("aria-label", t("optAddSiteLabel"));
api.storage.onChanged.addListener(() => render());
render();
