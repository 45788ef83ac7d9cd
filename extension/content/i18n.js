// content/i18n.js - the page UI's words, from _locales/<lang>/messages.json through the browser's
// i18n API; {1}, {2} in a message are filled here, so a message reads the same in every browser.

(() => {
  const PG = (globalThis.__postguard ??= {});
  if (PG.t) return;
  const api = globalThis.browser ?? globalThis.chrome;
  PG.t = (key, ...subs) => {
    let m = "";
    try { m = api?.i18n?.getMessage(key) || ""; } catch { m = ""; } // the extension was reloaded
    if (!m) m = key; // a missing message shows its name, which a test catches, rather than nothing
    return m.replace(/\{([1-9])\}/g, (_, i) => String(subs[i - 1] ?? ""));
  };
})();
