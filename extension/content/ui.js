// content/ui.js - everything PostGuard draws: <postguard-ui> (open shadow root) with the badge,
// the "why flagged" popover, the gate, textarea mirrors; underlines via the CSS Custom Highlight API.

(() => {
  const PG = (globalThis.__postguard ??= {});
  if (PG.ui) return;

  const SEVERITIES = ["high", "medium", "low"];
  const HIGHLIGHT_CSS = `
::highlight(postguard-high) { text-decoration: underline wavy #d93025; text-decoration-thickness: 2px;
  text-decoration-skip-ink: none; background-color: rgba(217, 48, 37, 0.10); }
::highlight(postguard-medium) { text-decoration: underline wavy #e37400; text-decoration-thickness: 2px;
  text-decoration-skip-ink: none; background-color: rgba(227, 116, 0, 0.08); }
::highlight(postguard-low) { text-decoration: underline dotted #1a73e8; text-decoration-thickness: 2px;
  text-decoration-skip-ink: none; }
`;
  const UI_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.mirror { position: fixed; overflow: hidden; pointer-events: none; color: transparent !important;
  background: transparent !important; border-color: transparent !important; margin: 0;
  white-space: pre-wrap; overflow-wrap: break-word; }
[data-pg="badge"] { position: fixed; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px;
  font: 600 12px/22px system-ui, sans-serif; text-align: center; color: #fff; background: #188038;
  box-shadow: 0 1px 3px rgba(0,0,0,.3); cursor: pointer; user-select: none; }
[data-pg="badge"][data-severity="high"] { background: #d93025; }
[data-pg="badge"][data-severity="medium"] { background: #e37400; }
[data-pg="badge"][data-severity="low"] { background: #1a73e8; }
[data-pg="badge"][hidden] { display: none; }
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
[data-pg="severity"][data-severity="high"] { background: #fce8e6; color: #a50e0e; }
[data-pg="severity"][data-severity="medium"] { background: #fef7e0; color: #8a4b00; }
[data-pg="severity"][data-severity="low"] { background: #e8f0fe; color: #174ea6; }
[data-pg="message"] { font-weight: 600; margin: 4px 0 8px; }
[data-pg="section"] { font-weight: 600; color: #3c4043; }
[data-pg="section-text"] { margin: 8px 0; padding: 4px 8px; border-left: 3px solid #dadce0;
  color: #3c4043; font-style: italic; white-space: pre-wrap; }
[data-pg="explanation"] { margin: 0 0 8px; }
.instead { margin: 0 0 10px; padding: 6px 8px; border-radius: 6px; background: #e6f4ea; }
.label { font-weight: 600; font-size: 11px; text-transform: uppercase; letter-spacing: .03em; color: #137333; }
.buttons { display: flex; gap: 8px; justify-content: flex-end; flex-wrap: wrap; }
button { font: 600 12px/1 system-ui, sans-serif; padding: 7px 12px; border-radius: 16px; cursor: pointer;
  border: 1px solid #dadce0; background: #fff; color: #1a73e8; }
button.primary { background: #1a73e8; color: #fff; border-color: #1a73e8; }
button.danger { color: #a50e0e; }
.backdrop { position: fixed; inset: 0; background: rgba(32,33,36,.45); display: flex;
  align-items: center; justify-content: center; }
[data-pg="gate"] { width: 440px; max-width: calc(100vw - 24px); max-height: 80vh; overflow: auto;
  background: #fff; color: #202124; border-radius: 10px; padding: 16px 18px;
  font: 14px/1.45 system-ui, sans-serif; box-shadow: 0 8px 28px rgba(0,0,0,.35); }
[data-pg="gate"] h2 { font-size: 16px; margin: 0 0 8px; }
[data-pg="gate"] ul { margin: 8px 0 14px; padding-left: 18px; }
[data-pg="gate-item"] { margin: 4px 0; }
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

  // --- badge --------------------------------------------------------------------------------

  function showBadge(count, severity, rect, onClick) {
    ensure();
    if (!badge || !badge.isConnected) {
      badge = el("div", { "data-pg": "badge", role: "button", title: "PostGuard" });
      badge.addEventListener("mousedown", (e) => e.preventDefault()); // keep the editor's focus
      badge.addEventListener("click", trusted((e) => { e.stopPropagation(); badge._onClick?.(); }));
      layer.appendChild(badge);
    }
    badge._onClick = onClick;
    badge.textContent = String(count);
    badge.setAttribute("data-severity", count ? severity : "none");
    badge.setAttribute("aria-label", count ? `PostGuard: ${count} finding${count === 1 ? "" : "s"}` : "PostGuard: nothing flagged");
    badge.hidden = false;
    // The box's top-right corner, half outside it, kept on screen.
    const w = badge.offsetWidth || 22;
    badge.style.left = `${Math.max(2, Math.min(innerWidth - w - 2, rect.right - w / 2 - 4))}px`;
    badge.style.top = `${Math.max(2, Math.min(innerHeight - 24, rect.top - 11))}px`;
  }

  function hideBadge() {
    if (badge) badge.hidden = true;
  }

  // --- popover ------------------------------------------------------------------------------

  function sectionLabel(f) {
    if (!f.section) return "";
    return `§${f.section}${f.section_title ? " " + f.section_title : ""}`;
  }

  function openPopover(f, anchor, opts) {
    ensure();
    closePopover();
    popover = el("div", { "data-pg": "popover", role: "dialog", "aria-label": "Why PostGuard flagged this" });
    popover._finding = f;
    popover._hover = !!opts.hover;
    popover.addEventListener("mousedown", (e) => e.preventDefault()); // the caret stays in the editor
    const head = el("div", { class: "head" });
    head.appendChild(el("span", { class: "chip", "data-pg": "category" }, f.category || ""));
    head.appendChild(el("span", { class: "chip", "data-pg": "severity", "data-severity": f.severity || "" }, f.severity || ""));
    // What was flagged and under which section stays in view; the standard's text, the
    // explanation and the advice scroll between it and the buttons (the section's text is long).
    const top = el("div", { class: "top" });
    top.appendChild(head);
    top.appendChild(el("div", { "data-pg": "message" }, f.message || ""));
    top.appendChild(el("div", { "data-pg": "section" }, sectionLabel(f)));
    popover.appendChild(top);
    const body = el("div", { class: "body" });
    body.appendChild(el("div", { "data-pg": "section-text" }, f.section_text || ""));
    body.appendChild(el("p", { "data-pg": "explanation" }, f.explanation || ""));
    const instead = el("div", { class: "instead" });
    instead.appendChild(el("div", { class: "label" }, "What to do instead"));
    instead.appendChild(el("div", { "data-pg": "suggestion" }, f.suggestion || ""));
    body.appendChild(instead);
    popover.appendChild(body);
    const buttons = el("div", { class: "buttons" });
    if (opts.canIgnore) {
      const b = el("button", { type: "button", "data-pg": "ignore" }, "Ignore here");
      b.addEventListener("click", trusted((e) => { e.stopPropagation(); opts.onIgnore(); }));
      buttons.appendChild(b);
    }
    if (opts.canMute) {
      const b = el("button", { type: "button", "data-pg": "mute-rule", class: "danger" }, "Stop flagging this rule");
      b.addEventListener("click", trusted((e) => { e.stopPropagation(); opts.onMute(); }));
      buttons.appendChild(b);
    }
    popover.appendChild(buttons);
    popover.addEventListener("keydown", trusted((e) => { if (e.key === "Escape") { e.stopPropagation(); closePopover(); } }));
    layer.appendChild(popover);
    placePopover(anchor, opts.box || null, opts.avoid || []);
    return popover;
  }

  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

  // Where the popover goes: below the underline, else above it, else beside the editor box, in
  // the viewport and never over the rects to avoid (the site's Post button), else on the side
  // with more room, shortened to fit there.
  function placePopover(anchor, box, avoid) {
    if (!popover || !anchor) return;
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

  function closePopover() {
    if (popover) popover.remove();
    popover = null;
  }

  // --- the gate before Post -----------------------------------------------------------------

  function openGate(items, opts) {
    ensure();
    closeGate();
    const backdrop = el("div", { class: "backdrop" });
    gate = el("div", { "data-pg": "gate", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "pg-gate-title" });
    gate.appendChild(el("h2", { id: "pg-gate-title" }, opts.block ? "Your clinic's policy stops this post" : "Post this anyway?"));
    gate.appendChild(el("p", { class: "note" }, opts.block
      ? "PostGuard found text that is likely to breach the CPSM Standard of Practice: Social Media. Edit it before posting."
      : "PostGuard found text that is likely to breach the CPSM Standard of Practice: Social Media."));
    const list = el("ul");
    for (const it of items) {
      const li = el("li", { "data-pg": "gate-item" });
      li.appendChild(el("span", { class: "quote" }, `“${it.quote}”`));
      li.appendChild(document.createTextNode(` — ${it.message}${it.section ? ` (§${it.section})` : ""}`));
      list.appendChild(li);
    }
    gate.appendChild(list);
    const buttons = el("div", { class: "buttons" });
    const edit = el("button", { type: "button", "data-pg": "gate-edit", class: "primary" }, "Edit");
    edit.addEventListener("click", trusted((e) => { e.stopPropagation(); closeGate(); opts.onEdit(); }));
    buttons.appendChild(edit);
    if (!opts.block) {
      const go = el("button", { type: "button", "data-pg": "gate-post", class: "danger" }, "Post anyway");
      go.addEventListener("click", trusted((e) => { e.stopPropagation(); closeGate(); opts.onPost(); }));
      buttons.appendChild(go);
    }
    gate.appendChild(buttons);
    gate.addEventListener("keydown", trusted((e) => {
      e.stopPropagation();
      if (e.key === "Escape") { closeGate(); opts.onEdit(); }
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
    openPopover, placePopover, closePopover, openGate, closeGate, isOurs,
    get popover() { return popover; },
    get gateOpen() { return !!gate; },
    get host() { return host; },
  };
})();
