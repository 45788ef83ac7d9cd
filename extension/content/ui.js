// content/ui.js - everything PostGuard draws: <postguard-ui> (open shadow root) with the badge,
// the "why flagged" popover, the gate, textarea mirrors; underlines via the CSS Custom Highlight API.

(() => {
  const PG = (globalThis.__postguard ??= {});
  if (PG.ui) return;

  const SEVERITIES = ["high", "medium", "low"];
  const HIGHLIGHT_CSS = `
::highlight(postguard-high) { text-decoration: underline wavy #d93025; text-decoration-thickness: 2px;
  text-decoration-skip-ink: none; background-color: rgba(217, 48, 37, 0.10); }
::highlight(postguard-medium) { text-decoration: underline dashed #c25e00; text-decoration-thickness: 2px;
  text-decoration-skip-ink: none; background-color: rgba(227, 116, 0, 0.08); }
::highlight(postguard-low) { text-decoration: underline dotted #1a73e8; text-decoration-thickness: 2px;
  text-decoration-skip-ink: none; }
@media (forced-colors: active) {
  ::highlight(postguard-high), ::highlight(postguard-medium), ::highlight(postguard-low) {
    text-decoration-color: Highlight; background-color: transparent; }
}
`;
  const UI_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.mirror { position: fixed; overflow: hidden; pointer-events: none; color: transparent !important;
  background: transparent !important; border-color: transparent !important; margin: 0;
  white-space: pre-wrap; overflow-wrap: break-word; }
[data-pg="badge"] { position: fixed; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px;
  display: inline-flex; gap: 3px; align-items: center; justify-content: center;
  font: 600 12px/22px system-ui, sans-serif; color: #fff; background: #137333; border: 0;
  box-shadow: 0 1px 3px rgba(0,0,0,.3); cursor: pointer; user-select: none; }
[data-pg="badge"]:focus-visible { outline: 3px solid #174ea6; outline-offset: 2px; }
[data-pg="badge"][data-severity="high"] { background: #c5221f; }
[data-pg="badge"][data-severity="medium"] { background: #b05300; }
[data-pg="badge"][data-severity="low"] { background: #1967d2; }
[data-pg="badge"][data-severity="no-host"] { background: #3c4043; }
[data-pg="badge"][hidden] { display: none; }
.glyph { font-size: 11px; }
.sr-only { position: fixed; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (forced-colors: active) {
  [data-pg="badge"], button, .chip { forced-color-adjust: none; background: ButtonFace; color: ButtonText;
    border: 2px solid ButtonText; }
  [data-pg="popover"], [data-pg="gate"], [data-pg="toast"] { border: 2px solid CanvasText; }
}
[data-pg="popover"] { position: fixed; display: flex; flex-direction: column; width: 360px;
  max-width: calc(100vw - 16px); max-height: min(60vh, 420px); overflow: hidden; padding: 12px 14px 10px;
  border-radius: 8px; background: #fff; color: #202124;
  font: 13px/1.45 system-ui, sans-serif; box-shadow: 0 4px 18px rgba(0,0,0,.28); border: 1px solid #dadce0; }
.top { flex: none; }
.body { flex: 1 1 auto; min-height: 48px; overflow: auto; overscroll-behavior: contain;
  margin: 0 -6px; padding: 0 6px; border-top: 1px solid #f1f3f4; border-bottom: 1px solid #f1f3f4; }
[data-pg="popover"] .buttons { flex: none; padding-top: 10px; }
.head { display: flex; gap: 6px; align-items: center; margin-bottom: 6px; }
.chip { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em;
  padding: 1px 7px; border-radius: 9px; background: #f1f3f4; color: #3c4043; }
[data-pg="severity"][data-severity="high"], .gsev[data-severity="high"] { background: #fce8e6; color: #a50e0e; }
[data-pg="severity"][data-severity="medium"], .gsev[data-severity="medium"] { background: #fef7e0; color: #7a4100; }
[data-pg="severity"][data-severity="low"] { background: #e8f0fe; color: #174ea6; }
.head .grow { flex: 1; }
.icon { padding: 2px 7px; border-radius: 12px; border: 1px solid transparent; background: none; color: #3c4043;
  font: 600 14px/1 system-ui, sans-serif; }
.icon:hover, .icon:focus-visible { background: #f1f3f4; }
[data-pg="position"] { font-size: 12px; color: #5f6368; white-space: nowrap; }
[data-pg="message"] { font-weight: 600; font-size: 14px; margin: 2px 0 6px; }
[data-pg="brief"] { margin: 0 0 8px; }
.instead { margin: 0 0 8px; padding: 6px 8px; border-radius: 6px; background: #e6f4ea; }
.label { font-weight: 600; font-size: 11px; text-transform: uppercase; letter-spacing: .03em; color: #137333; }
details { margin: 0 0 6px; }
summary { cursor: pointer; color: #3c4043; font-weight: 600; }
[data-pg="section-text"] { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #dadce0;
  color: #3c4043; font-style: italic; white-space: pre-wrap; }
[data-pg="explanation"] { margin: 0 0 6px; color: #3c4043; }
.menu { position: relative; }
[data-pg="menu"] { position: absolute; right: 0; bottom: calc(100% + 4px); background: #fff; border: 1px solid #dadce0;
  border-radius: 8px; box-shadow: 0 2px 10px rgba(0,0,0,.2); padding: 4px; white-space: nowrap; }
[data-pg="menu"][hidden] { display: none; }
[data-pg="menu"] button { border: 0; border-radius: 6px; width: 100%; text-align: left; }
[data-pg="toast"] { position: fixed; display: flex; gap: 10px; align-items: center; padding: 8px 10px 8px 14px;
  border-radius: 8px; background: #202124; color: #fff; font: 13px/1.4 system-ui, sans-serif;
  box-shadow: 0 2px 10px rgba(0,0,0,.3); }
[data-pg="toast"] button { background: none; border-color: #8ab4f8; color: #8ab4f8; }
.buttons { display: flex; gap: 8px; justify-content: flex-end; flex-wrap: wrap; }
button { font: 600 12px/1 system-ui, sans-serif; padding: 7px 12px; border-radius: 16px; cursor: pointer;
  border: 1px solid #dadce0; background: #fff; color: #1a73e8; }
button.primary { background: #1a73e8; color: #fff; border-color: #1a73e8; }
button.danger { color: #a50e0e; }
button:focus-visible { outline: 3px solid #174ea6; outline-offset: 1px; }
.backdrop { position: fixed; inset: 0; background: rgba(32,33,36,.45); display: flex;
  align-items: center; justify-content: center; }
[data-pg="gate"] { width: 440px; max-width: calc(100vw - 24px); max-height: 80vh; overflow: auto;
  background: #fff; color: #202124; border-radius: 10px; padding: 16px 18px;
  font: 14px/1.45 system-ui, sans-serif; box-shadow: 0 8px 28px rgba(0,0,0,.35); }
[data-pg="gate"] h2 { font-size: 16px; margin: 0 0 8px; }
[data-pg="gate"] ul { margin: 8px 0 14px; padding-left: 18px; }
[data-pg="gate-item"] { margin: 6px 0; }
.gsev { font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 9px; margin-right: 4px; background: #e8f0fe; color: #174ea6; }
.quote { font-weight: 600; color: #a50e0e; }
.note { color: #5f6368; font-size: 12px; margin: 0 0 12px; }
`;

  let host = null, shadow = null, layer = null, badge = null, popover = null, gate = null;
  let docSheet = null, uiSheets = null;

  function sheet(css) {
    const s = new CSSStyleSheet();
    s.replaceSync(css);
    return s;
  }

  // The ::highlight styles live in one constructed sheet adopted by the document (and by our
  // shadow root, for the textarea mirrors); the page's own sheets and the editor are untouched.
  function injectHighlightStyles() {
    try {
      docSheet = sheet(HIGHLIGHT_CSS);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, docSheet];
    } catch {
      docSheet = null; // (e.g. a browser without constructable sheets): a <style> under our host
      const style = document.createElement("style");
      style.textContent = HIGHLIGHT_CSS;
      host.appendChild(style);
    }
  }

  function ensure() {
    if (host && host.isConnected) return shadow;
    host = document.createElement("postguard-ui");
    host.setAttribute("style", "all: initial !important; position: fixed !important; top: 0 !important;" +
      " left: 0 !important; width: 0 !important; height: 0 !important; overflow: visible !important;" +
      " z-index: 2147483647 !important; display: block !important;");
    host.setAttribute("data-pg-state", "idle");
    shadow = host.attachShadow({ mode: "open" });
    try {
      uiSheets = [sheet(UI_CSS), sheet(HIGHLIGHT_CSS)];
      shadow.adoptedStyleSheets = uiSheets;
    } catch {
      const style = document.createElement("style");
      style.textContent = UI_CSS + HIGHLIGHT_CSS;
      shadow.appendChild(style);
    }
    layer = document.createElement("div");
    shadow.appendChild(layer);
    document.documentElement.appendChild(host);
    if (!docSheet) injectHighlightStyles();
    badge = popover = gate = null;
    return shadow;
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text; // never innerHTML: post text is never HTML
    return e;
  }

  function setState(state) {
    ensure();
    if (host.getAttribute("data-pg-state") !== state) host.setAttribute("data-pg-state", state);
  }

  // --- underlines ---------------------------------------------------------------------------

  const highlights = {};
  function paint(rangesBySeverity) {
    if (typeof CSS === "undefined" || !CSS.highlights || typeof Highlight === "undefined") return;
    SEVERITIES.forEach((sev, i) => {
      const name = `postguard-${sev}`;
      let h = highlights[sev];
      if (!h || CSS.highlights.get(name) !== h) {
        h = highlights[sev] = new Highlight();
        h.priority = SEVERITIES.length - i;
        CSS.highlights.set(name, h);
      }
      h.clear();
      for (const r of rangesBySeverity[sev] || []) h.add(r);
    });
  }

  // --- textarea mirrors: a copy of the textarea's text and box, so ranges can exist -----------

  const MIRRORED = ["fontFamily", "fontSize", "fontWeight", "fontStyle", "fontVariant", "fontStretch",
    "letterSpacing", "wordSpacing", "textTransform", "textIndent", "lineHeight", "tabSize",
    "direction", "textAlign", "paddingTop", "paddingRight", "paddingBottom", "paddingLeft",
    "whiteSpace", "overflowWrap", "wordBreak", "fontKerning", "fontFeatureSettings"];

  function createMirror() {
    ensure();
    const m = el("div", { class: "mirror", "aria-hidden": "true" });
    const t = document.createTextNode("");
    m.appendChild(t);
    layer.prepend(m);
    return { box: m, text: t };
  }

  function placeMirror(mirror, ta) {
    if (!mirror.box.isConnected) layer.prepend(mirror.box);
    const cs = getComputedStyle(ta);
    const r = ta.getBoundingClientRect();
    const s = mirror.box.style;
    for (const p of MIRRORED) s[p] = cs[p];
    if (cs.whiteSpace === "normal" || cs.whiteSpace === "") s.whiteSpace = "pre-wrap";
    s.left = `${r.left + ta.clientLeft}px`;
    s.top = `${r.top + ta.clientTop}px`;
    s.width = `${ta.clientWidth}px`;
    s.height = `${ta.clientHeight}px`;
    s.display = r.width && r.height && cs.visibility !== "hidden" ? "block" : "none";
    mirror.box.scrollTop = ta.scrollTop;
    mirror.box.scrollLeft = ta.scrollLeft;
  }

  // Only the user's own input acts: the page can reach this UI (its shadow root is open, so the
  // tests and assistive technology can read it) and can dispatch clicks and keys on it, which
  // must not press "Post anyway", "Ignore here" or "Stop flagging this rule" for the user.
  const trusted = (fn) => (e) => { if (e.isTrusted) fn(e); };

  const t = (...a) => PG.t(...a);
  const GLYPH = { high: "!!", medium: "!", low: "i", "no-host": "!" };

  // Keeps Tab and Shift+Tab among a dialog's own buttons: the UI sits at the end of the page, so
  // without this the next Tab would leave for the browser's toolbar, not for the editor.
  function trapTab(box, e) {
    if (e.key !== "Tab") return;
    const items = [...box.querySelectorAll("button, summary")].filter((b) => !b.disabled && b.getClientRects().length);
    if (!items.length) return;
    const at = items.indexOf(shadow.activeElement);
    const next = e.shiftKey ? (at <= 0 ? items.length - 1 : at - 1) : (at < 0 || at === items.length - 1 ? 0 : at + 1);
    e.preventDefault();
    items[next].focus();
  }

  // --- badge --------------------------------------------------------------------------------

  // b: {count, severity ("high"|"medium"|"low"|null|"no-host"), label, onClick}. A real button:
  // Tab reaches it and Enter opens it; a mouse press keeps the caret in the editor.
  function showBadge(rect, b) {
    ensure();
    if (!badge || !badge.isConnected) {
      badge = el("button", { type: "button", "data-pg": "badge", "aria-haspopup": "dialog" });
      badge.appendChild(el("span", { "data-pg": "count" }));
      badge.appendChild(el("span", { class: "glyph", "aria-hidden": "true" }));
      badge.addEventListener("mousedown", (e) => e.preventDefault()); // keep the editor's focus
      badge.addEventListener("click", trusted((e) => { e.stopPropagation(); badge._onClick?.(e.detail === 0); }));
      layer.appendChild(badge);
    }
    badge._onClick = b.onClick;
    const sev = b.severity || "none";
    badge.firstChild.textContent = b.severity === "no-host" ? "" : String(b.count);
    badge.lastChild.textContent = GLYPH[sev] || "";
    badge.setAttribute("data-severity", sev);
    badge.setAttribute("aria-label", b.label);
    badge.title = b.label;
    badge.hidden = false;
    // The box's top-right corner, half outside it, kept on screen.
    const w = badge.offsetWidth || 22;
    badge.style.left = `${Math.max(2, Math.min(innerWidth - w - 2, rect.right - w / 2 - 4))}px`;
    badge.style.top = `${Math.max(2, Math.min(innerHeight - 24, rect.top - 11))}px`;
  }

  function hideBadge() {
    if (badge) badge.hidden = true;
  }

  // What a screen reader says when the findings change (a polite live region; never post text).
  let live = null;
  function announce(text) {
    ensure();
    if (!live || !live.isConnected) {
      live = el("div", { "data-pg": "live", role: "status", "aria-live": "polite", class: "sr-only" });
      layer.appendChild(live);
    }
    if (live.textContent !== text) live.textContent = text;
  }

  // --- the finding's card -------------------------------------------------------------------

  function severityChip(sev, attrs) {
    const c = el("span", { class: "chip", ...attrs, "data-severity": sev || "" });
    c.appendChild(el("span", { class: "glyph", "aria-hidden": "true" }, `${GLYPH[sev] || ""} `));
    c.appendChild(document.createTextNode(t(PG.card.severityKey(sev))));
    return c;
  }

  function iconButton(pg, label, glyph, fn) {
    const b = el("button", { type: "button", class: "icon", "data-pg": pg, "aria-label": label, title: label }, glyph);
    b.addEventListener("click", trusted((e) => { e.stopPropagation(); fn(); }));
    return b;
  }

  // f: the finding, or null for the "not checking" card. opts: hover, box, avoid (rects to keep
  // clear of: the Post button, the other flagged words), index/total with onPrev/onNext,
  // canIgnore/onIgnore, canMute/onMute, onClose(how), focus (move the keyboard focus in).
  function openPopover(f, anchor, opts) {
    ensure();
    closePopover();
    popover = el("div", { "data-pg": "popover", role: "dialog", tabindex: "-1",
      "aria-labelledby": "pg-card-title", "aria-describedby": "pg-card-brief" });
    popover._finding = f;
    popover._hover = !!opts.hover;
    popover._onClose = opts.onClose;
    popover.addEventListener("mousedown", (e) => {
      // the caret stays in the editor, except where a click must take the focus (the details)
      if (!e.composedPath().some((n) => n.tagName === "SUMMARY")) e.preventDefault();
    });
    const top = el("div", { class: "top" });
    const head = el("div", { class: "head" });
    if (f) {
      head.appendChild(el("span", { class: "chip", "data-pg": "category" }, t(PG.card.categoryKey(f.category))));
      head.appendChild(severityChip(f.severity, { "data-pg": "severity" }));
    } else head.appendChild(el("span", { class: "chip", "data-pg": "category" }, "PostGuard"));
    head.appendChild(el("span", { class: "grow" }));
    if (opts.total > 1) {
      head.appendChild(iconButton("prev", t("prev"), "‹", opts.onPrev));
      head.appendChild(el("span", { "data-pg": "position" }, t("position", opts.index + 1, opts.total)));
      head.appendChild(iconButton("next", t("next"), "›", opts.onNext));
    }
    head.appendChild(iconButton("close", t("close"), "×", () => closePopover("close")));
    top.appendChild(head);
    top.appendChild(el("div", { "data-pg": "message", id: "pg-card-title" }, f ? f.message || "" : t("noHostTitle")));
    popover.appendChild(top);

    const body = el("div", { class: "body" });
    const brief = f ? PG.card.brief(f.explanation) : t("noHostBody");
    body.appendChild(el("p", { "data-pg": "brief", id: "pg-card-brief" }, brief));
    const instead = el("div", { class: "instead" });
    instead.appendChild(el("div", { class: "label" }, t("whatToDo")));
    instead.appendChild(el("div", { "data-pg": "suggestion" }, f ? f.suggestion || "" : t("noHostWhat")));
    body.appendChild(instead);
    if (f) {
      // The standard's own words, and the rule's full reasoning with its quotations, on request.
      const details = el("details", { "data-pg": "standard" });
      const label = PG.card.sectionLabel(f, t);
      details.appendChild(el("summary", { "data-pg": "section" }, label ? `${t("standardSays")} · ${label}` : t("standardSays")));
      details.appendChild(el("div", { "data-pg": "section-text" }, f.section_text || ""));
      details.appendChild(el("p", { "data-pg": "explanation" }, f.explanation || ""));
      details.addEventListener("toggle", () => placePopover(popover?._anchor));
      body.appendChild(details);
    }
    popover.appendChild(body);

    const buttons = el("div", { class: "buttons" });
    if (f && opts.canIgnore) {
      const b = el("button", { type: "button", "data-pg": "ignore" }, t("ignoreHere"));
      b.addEventListener("click", trusted((e) => { e.stopPropagation(); opts.onIgnore(); }));
      buttons.appendChild(b);
    }
    if (f && opts.canMute) {
      // Turning a rule off is rarer and wider than ignoring one finding: it sits behind "More".
      const wrap = el("span", { class: "menu" });
      const more = el("button", { type: "button", "data-pg": "more", "aria-haspopup": "menu", "aria-expanded": "false" }, `${t("more")} ▾`);
      const menu = el("div", { "data-pg": "menu", role: "menu", hidden: "" });
      const mute = el("button", { type: "button", role: "menuitem", "data-pg": "mute-rule", class: "danger" }, t("muteRule"));
      mute.addEventListener("click", trusted((e) => { e.stopPropagation(); opts.onMute(); }));
      more.addEventListener("click", trusted((e) => {
        e.stopPropagation();
        const open = menu.hidden;
        menu.hidden = !open;
        more.setAttribute("aria-expanded", String(open));
        if (open && e.detail === 0) mute.focus(); // opened from the keyboard
      }));
      menu.appendChild(mute);
      wrap.append(more, menu);
      buttons.appendChild(wrap);
    }
    if (buttons.childNodes.length) popover.appendChild(buttons);
    popover.addEventListener("keydown", trusted((e) => {
      if (e.key === "Escape") { e.stopPropagation(); closePopover("escape"); return; }
      if (e.key === "ArrowRight" && opts.onNext && opts.total > 1) { e.preventDefault(); opts.onNext(); return; }
      if (e.key === "ArrowLeft" && opts.onPrev && opts.total > 1) { e.preventDefault(); opts.onPrev(); return; }
      if (popover?._trap) trapTab(popover, e);
    }));
    layer.appendChild(popover);
    placePopover(anchor, opts.box || null, opts.avoid || []);
    if (opts.focus) {
      popover._trap = true;
      popover.focus({ preventScroll: true });
    }
    return popover;
  }

  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

  // Where the popover goes: below the underline, else above it, else beside the editor box, in
  // the viewport and never over the rects to avoid (the site's Post button, the other flagged
  // words), else on the side with more room, shortened to fit there.
  function placePopover(anchor, box, avoid) {
    if (!popover || !anchor) return;
    popover._anchor = anchor;
    if (box !== undefined) { popover._box = box; popover._avoid = avoid || []; }
    box = popover._box;
    avoid = popover._avoid || [];
    const vw = innerWidth, vh = innerHeight, m = 8;
    popover.style.maxHeight = ""; // back to the stylesheet's cap before measuring again
    const tryAt = (left, top, width) => {
      popover.style.width = `${width}px`;
      const h = popover.offsetHeight;
      const r = { left, top, right: left + width, bottom: top + h };
      const fits = left >= m && top >= m && r.right <= vw - m && r.bottom <= vh - m && !avoid.some((a) => overlaps(r, a));
      return fits ? r : null;
    };
    const full = Math.min(360, vw - 2 * m);
    const clampX = (x, w) => Math.max(m, Math.min(x, vw - w - m));
    const spots = [
      () => tryAt(clampX(anchor.left, full), anchor.bottom + 6, full),
      () => { popover.style.width = `${full}px`; return tryAt(clampX(anchor.left, full), anchor.top - 6 - popover.offsetHeight, full); },
    ];
    // Below the underline but shifted left of a Post button it would cover.
    for (const a of avoid) {
      if (a.left - full - 8 >= m) spots.push(() => tryAt(a.left - full - 8, anchor.bottom + 6, full));
    }
    if (box) {
      const right = Math.min(full, vw - box.right - 6 - m), left = Math.min(full, box.left - 6 - m);
      if (right >= 240) spots.push(() => tryAt(box.right + 6, Math.max(m, anchor.top - 20), right));
      if (left >= 240) spots.push(() => tryAt(box.left - 6 - left, Math.max(m, anchor.top - 20), left));
    }
    let spot = null;
    for (const f of spots) if ((spot = f())) break;
    if (!spot) {
      // Nothing fits whole: take the side of the underline with more room, shorten the popover
      // to that room (its body scrolls) so it leaves the words it explains visible, and keep
      // it on screen.
      popover.style.width = `${full}px`;
      const below = vh - m - (anchor.bottom + 6), above = anchor.top - 6 - m;
      const room = Math.max(below, above);
      if (popover.offsetHeight > room && room >= 160) popover.style.maxHeight = `${room}px`;
      const h = popover.offsetHeight;
      const top = above > below ? anchor.top - 6 - h : anchor.bottom + 6;
      spot = { left: clampX(anchor.left, full), top: Math.max(m, Math.min(top, vh - h - m)) };
    }
    popover.style.left = `${spot.left}px`;
    popover.style.top = `${spot.top}px`;
  }

  function closePopover(how) {
    if (!popover) return;
    const p = popover;
    popover = null;
    p.remove();
    if (how) p._onClose?.(how);
  }

  // --- undo ---------------------------------------------------------------------------------

  let toast = null, toastTimer = null;
  const TOAST_MS = 8000;
  function showToast(text, onUndo) {
    ensure();
    hideToast();
    toast = el("div", { "data-pg": "toast", role: "status" });
    toast.appendChild(el("span", {}, text));
    const undo = el("button", { type: "button", "data-pg": "undo" }, t("undo"));
    undo.addEventListener("mousedown", (e) => e.preventDefault());
    undo.addEventListener("click", trusted((e) => { e.stopPropagation(); hideToast(); onUndo(); }));
    toast.appendChild(undo);
    layer.appendChild(toast);
    toast.style.left = `${Math.max(8, (innerWidth - toast.offsetWidth) / 2)}px`;
    toast.style.top = `${Math.max(8, innerHeight - toast.offsetHeight - 24)}px`;
    toastTimer = setTimeout(hideToast, TOAST_MS);
  }

  function hideToast() {
    clearTimeout(toastTimer);
    toast?.remove();
    toast = null;
  }

  // --- the gate before Post -----------------------------------------------------------------

  // items: PG.card.gateItems(...); opts: block, noHost, onEdit, onPost.
  function openGate(items, opts) {
    ensure();
    closeGate();
    const backdrop = el("div", { class: "backdrop" });
    gate = el("div", { "data-pg": "gate", role: "alertdialog", "aria-modal": "true",
      "aria-labelledby": "pg-gate-title", "aria-describedby": "pg-gate-note" });
    const title = opts.noHost ? t("gateNoHostTitle") : opts.block ? t("gateTitleBlock") : t("gateTitle");
    const note = opts.noHost ? t("gateNoHostNote") : opts.block ? t("gateNoteBlock") : t("gateNote");
    gate.appendChild(el("h2", { id: "pg-gate-title" }, title));
    gate.appendChild(el("p", { class: "note", id: "pg-gate-note" }, note));
    if (items.length) {
      const list = el("ul");
      for (const it of items) {
        const li = el("li", { "data-pg": "gate-item", "data-severity": it.severity });
        const sev = el("span", { class: "gsev", "data-severity": it.severity });
        sev.appendChild(el("span", { "aria-hidden": "true" }, `${GLYPH[it.severity] || ""} `));
        sev.appendChild(document.createTextNode(t(PG.card.severityKey(it.severity))));
        li.appendChild(sev);
        li.appendChild(el("span", { class: "quote" }, `“${it.quote}”`));
        const label = PG.card.sectionLabel(it, t);
        li.appendChild(document.createTextNode(` — ${it.message}${label ? ` (${label})` : ""}`));
        list.appendChild(li);
      }
      gate.appendChild(list);
    }
    const buttons = el("div", { class: "buttons" });
    const edit = el("button", { type: "button", "data-pg": "gate-edit", class: "primary" }, t("edit"));
    edit.addEventListener("click", trusted((e) => { e.stopPropagation(); closeGate(); opts.onEdit(); }));
    buttons.appendChild(edit);
    if (!opts.block) {
      const go = el("button", { type: "button", "data-pg": "gate-post", class: "danger" }, t("postAnyway"));
      go.addEventListener("click", trusted((e) => { e.stopPropagation(); closeGate(); opts.onPost(); }));
      buttons.appendChild(go);
    }
    gate.appendChild(buttons);
    gate.addEventListener("keydown", trusted((e) => {
      e.stopPropagation();
      if (e.key === "Escape") { closeGate(); opts.onEdit(); return; }
      trapTab(gate, e);
    }));
    backdrop.appendChild(gate);
    layer.appendChild(backdrop);
    edit.focus({ preventScroll: true });
    return gate;
  }

  function closeGate() {
    if (gate) gate.parentElement?.remove();
    gate = null;
  }

  // Did this event happen inside PostGuard's own UI?
  function isOurs(e) {
    return !!host && e.composedPath().includes(host);
  }

  PG.ui = {
    ensure, setState, paint, createMirror, placeMirror, showBadge, hideBadge,
    openPopover, placePopover, closePopover, openGate, closeGate, isOurs, announce, showToast,
    get popover() { return popover; },
    get badge() { return badge; },
    get gateOpen() { return !!gate; },
    get host() { return host; },
  };
})();
