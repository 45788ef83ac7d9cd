// lib/i18n.js - the words of the service worker, popup and options pages, from _locales through
// the browser's i18n API; {1}, {2} are filled here (content/i18n.js does the same for the page).

import { api } from "./settings.js";

export function t(key, ...subs) {
  const m = api.i18n?.getMessage(key) || key;
  return m.replace(/\{([1-9])\}/g, (_, i) => String(subs[i - 1] ?? ""));
}

// Elements with data-i18n="key" get that message as their text (the pages' static words).
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.documentElement.lang = api.i18n?.getUILanguage?.().split("-")[0] || "en";
}
