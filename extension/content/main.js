// content/main.js - the controller: tracks compose boxes, debounces checks through the service
// worker, draws findings, opens the "why flagged" popover and the gate before Post.

(() => {
  const PG = (globalThis.__postguard ??= {});
  if (PG.started) return;
  PG.started = true;

  const api = globalThis.browser ?? globalThis.chrome;
  const { findEditor, readEditor, caretOffset } = PG.text;
  const { spansOf, translate, partialRequest, WORD } = PG.offsets;
  const ui = PG.ui;
  const card = PG.card;
  const policy = PG.policy;
  const t = PG.t;

  // A keystroke that ends a word (a space, punctuation, Enter) is checked at once: the engine
  // answers in microseconds, so any wait here is what the user sees. A keystroke inside a word
  // waits for a short pause instead, never checking on every letter.
  const IDLE_MS = 120;        // a pause mid-word: check up to the last word boundary
  const IDLE_FULL_MS = 1000;  // after this much quiet the word being typed is judged too
  const HOVER_OPEN_MS = 350;
  const HOVER_CLOSE_MS = 400;
  const FLUSH_TIMEOUT_MS = 3000; // Post pressed during a check: wait this long for the answer at most
  const SETTINGS_WAIT_MS = 5000; // Post pressed before the settings came: wait this long for them at most
  const MAX_TEXT = 500000;
  const NEAR_LEVELS = 15;     // a Post button belongs to an editor when they share an ancestor this close
  const RANK = card.RANK;
  // Opens the findings from the keyboard (LanguageTool and Grammarly use similar chords); the
  // physical key, so that Alt+Shift on a Mac (which types "∏") and AZERTY layouts work too.
  const SHORTCUT = (e) => e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === "KeyP";
  const POST_LABEL = /^(post|post all|reply|tweet|tweet all|publier|répondre|repondre|comment|commenter|publish|send)$/i;
  const POST_TESTID = /^(tweetButton|tweetButtonInline)$/;

  // Until the service worker answers (reading managed storage can take a second at browser
  // start), the defaults apply: this script only runs on covered sites.
  let settings = {
    gateMode: "warn", hostMissing: "post", categories: null, mutedRules: [], disabledRules: [], severityOverrides: {},
    sites: ["x.com", "twitter.com", "facebook.com", "linkedin.com"], disabledSites: [], provisional: true,
    locked: { gateMode: false, hostMissing: false, categories: false, disabledRules: false, severityOverrides: false, sites: false },
  };
  let siteActive = true;
  let siteName = "";
  let dead = false; // the extension was reloaded or removed: this script stays quiet from now on
  const editors = new Map(); // editor root element -> Editor
  let nextEditorId = 1;
  let active = null;
  let replaying = false; // "Post anyway" is re-dispatching the original action: let it through once

  // ---- editors --------------------------------------------------------------------------------

  class Editor {
    constructor(kind, root) {
      this.id = nextEditorId++;
      this.kind = kind;
      this.root = root;
      this.mirror = kind === "textarea" ? ui.createMirror() : null;
      this.text = "";
      this.findings = [];   // [{f, spans: [[start, end], ...]}] in this.text's offsets; spans[0] is primary
      this.shown = [];      // [{it, ranges: [Range]}] drawn now
      this.ignored = new Set();
      this.dismissed = new Set(); // findings whose card the user closed: a click into them only edits
      this.seq = 0;
      this.timer = null;
      this.fullTimer = null;
      this.inflight = 0;
      this.inflightDone = null;
      this.checked = false;
      this.noHost = false;
      if (kind === "textarea") {
        root.addEventListener("input", () => sync(this));
        root.addEventListener("scroll", () => layout(this), { passive: true });
      } else {
        this.observer = new MutationObserver(() => sync(this));
        this.observer.observe(root, { subtree: true, childList: true, characterData: true });
      }
      this.resize = new ResizeObserver(() => scheduleLayout());
      this.resize.observe(root);
    }

    read() {
      return readEditor(this.kind, this.root, this.mirror?.text);
    }

    drop() {
      this.observer?.disconnect();
      this.resize.disconnect();
      this.mirror?.box.remove();
      clearTimeout(this.timer);
      clearTimeout(this.fullTimer);
      this.shown = [];
      editors.delete(this.root);
      if (active === this) active = null;
    }
  }

  function editorFor(target) {
    const found = findEditor(target);
    if (!found) return null;
    let ed = editors.get(found.root);
    if (!ed) {
      ed = new Editor(found.kind, found.root);
      editors.set(found.root, ed);
    }
    return ed;
  }

  // ---- checking -------------------------------------------------------------------------------

  // The editor's text may have changed: follow it with the drawn findings and schedule a check.
  function sync(ed) {
    if (dead || !siteActive) return;
    if (!ed.root.isConnected) { ed.drop(); paintAll(); updateBadge(); return; }
    const map = ed.read();
    if (map.text !== ed.text) {
      const before = ed.text;
      ed.findings = translate(ed.findings, ed.text, map.text);
      ed.text = map.text;
      if (ui.popover && ui.popover._editor === ed) ui.closePopover();
      scheduleCheck(ed, map, before);
    }
    render(ed, map);
  }

  // A word was just finished: the edit inserted text ending in something that is not part of a
  // word, or the caret sits just after such a character. (A rich editor may move its selection
  // only after the mutation we are told of, hence the edit itself is read first.)
  function atWordBoundary(ed, map, before) {
    const now = map.text;
    if (before != null && now.length > before.length) {
      let p = 0;
      while (p < before.length && before[p] === now[p]) p++;
      const end = p + now.length - before.length; // the inserted text is now[p, end)
      if (now.slice(end) === before.slice(p) && !WORD.test(now[end - 1])) return true;
    }
    const caret = caretOffset(ed.kind, ed.root, map);
    return caret != null && caret > 0 && !WORD.test(now[caret - 1]);
  }

  function scheduleCheck(ed, map, before) {
    clearTimeout(ed.timer);
    clearTimeout(ed.fullTimer);
    ed.fullTimer = null;
    // 0 ms still waits for the rest of this task, so the mutations of one keystroke make one check
    const delay = map && atWordBoundary(ed, map, before) ? 0 : IDLE_MS;
    ed.timer = setTimeout(() => { ed.timer = null; runCheck(ed, true); }, delay);
    updateState();
  }

  // Send the text (or, while a word is being typed, all but that word) and draw the answer.
  async function runCheck(ed, partial) {
    if (dead || !siteActive) return;
    clearTimeout(ed.fullTimer);
    ed.fullTimer = null;
    const map = ed.read();
    const text = map.text;
    let send = text, exclude = null;
    if (partial) {
      const req = partialRequest(text, caretOffset(ed.kind, ed.root, map));
      ({ send, exclude } = req);
      if (req.partial) {
        ed.fullTimer = setTimeout(() => { ed.fullTimer = null; runCheck(ed, false); }, IDLE_FULL_MS - IDLE_MS);
      }
    }
    const seq = ++ed.seq;
    if (!send.trim() || send.length > MAX_TEXT) {
      // Nothing to judge yet (only the word being typed) or nothing at all: no request.
      ed.inflight = 0;
      if (send === text) ed.findings = [];
      ed.checked = true;
      render(ed);
      updateState();
      ed.inflightDone?.();
      return;
    }
    ed.inflight = seq;
    updateState();
    let resp;
    try {
      resp = await api.runtime.sendMessage({ type: "check", editor: ed.id, text: send, site: siteName });
    } catch (e) {
      if (/context invalidated/i.test(String(e?.message))) { shutDown(); return; }
      resp = { status: "error", message: String(e?.message || e) };
    }
    if (seq !== ed.seq) return; // a newer check was sent for this editor: this answer is stale
    ed.inflight = 0;
    if (!resp || resp.status === "stale") { updateState(); ed.inflightDone?.(); return; }
    if (resp.status === "no-host") {
      ed.noHost = true;
      ed.findings = [];
    } else if (resp.status === "ok") {
      ed.noHost = false;
      let items = resp.findings.filter((f) => f.end > f.start).map((f) => ({ f, spans: spansOf(f) }));
      if (exclude) items = items.filter((it) => !it.spans.some(([a, b]) => a < exclude.end && b > exclude.start));
      ed.findings = translate(items, send, ed.text);
    }
    ed.checked = true;
    render(ed);
    updateState();
    ed.inflightDone?.();
  }

  // Check now, whole text, and resolve when the answer is drawn (for the gate).
  function flush(ed) {
    clearTimeout(ed.timer);
    ed.timer = null;
    clearTimeout(ed.fullTimer);
    ed.fullTimer = null;
    sync(ed);
    clearTimeout(ed.timer);
    ed.timer = null;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, FLUSH_TIMEOUT_MS);
      ed.inflightDone = () => { clearTimeout(t); ed.inflightDone = null; resolve(); };
      runCheck(ed, false);
    });
  }

  // ---- drawing --------------------------------------------------------------------------------

  function ignoreKey(ed, it) {
    return `${it.f.rule}\u0000${ed.text.slice(it.spans[0][0], it.spans[0][1])}`;
  }

  function visible(ed) {
    if (!settings) return [];
    return ed.findings.filter((it) => policy.shown(settings, it.f, ed.ignored.has(ignoreKey(ed, it))));
  }

  function render(ed, map) {
    if (!siteActive) { ed.shown = []; paintAll(); return; }
    map = map || ed.read();
    if (ed.mirror) ui.placeMirror(ed.mirror, ed.root);
    ed.shown = visible(ed)
      .map((it) => ({ it, ranges: it.spans.map(([a, b]) => map.range(a, b)).filter(Boolean) }))
      .filter((x) => x.ranges.length);
    paintAll();
    if (ed === active) updateBadge();
  }

  function paintAll() {
    const by = { high: [], medium: [], low: [] };
    for (const ed of editors.values()) {
      for (const s of ed.shown) (by[s.it.f.severity] || by.low).push(...s.ranges);
    }
    ui.paint(by);
  }

  const maxSeverity = (ed) => card.maxSeverity(ed.shown.map((s) => s.it));

  // The findings in the order the card steps through them (most serious first, then by place).
  const orderedShown = (ed) => {
    const order = card.ordered(ed.shown.map((s) => s.it));
    return order.map((it) => ed.shown.find((s) => s.it === it));
  };

  function updateBadge() {
    const ed = active;
    if (!siteActive || !ed || !ed.checked || !ed.root.isConnected) { ui.hideBadge(); return; }
    const rect = ed.root.getBoundingClientRect();
    if (!rect.width && !rect.height) { ui.hideBadge(); return; }
    if (ed.noHost) {
      // Not checking is said on the page, where the physician is looking, not only in the popup.
      ui.showBadge(rect, { severity: "no-host", label: t("badgeNoHost"), onClick: (kb) => openNoHost(ed, kb) });
      announceFor(ed);
      return;
    }
    const n = ed.shown.length, sev = maxSeverity(ed);
    ui.showBadge(rect, {
      count: n, severity: sev,
      label: n ? t("badgeFindings", n, t(card.severityWordKey(sev)), t("shortcutHint")) : t("badgeNone"),
      onClick: (kb) => openFirst(ed, kb),
    });
    announceFor(ed);
  }

  // Tell a screen reader when what is flagged changes (the count and the worst severity only).
  function announceFor(ed) {
    const n = ed.shown.length, sev = maxSeverity(ed);
    const say = ed.noHost ? t("liveNoHost") : n ? t("liveFindings", n, t(card.severityWordKey(sev))) : t("liveNone");
    const key = ed.noHost ? "no-host" : `${n}:${sev}`;
    if (ed.announced === key) return;
    // nothing to say about a box that was never flagged
    if (ed.announced === undefined && key === "0:null") { ed.announced = key; return; }
    ed.announced = key;
    ui.announce(say);
  }

  function openFirst(ed, keyboard) {
    const first = orderedShown(ed)[0];
    if (first) openFor(ed, first, first.ranges[0].getBoundingClientRect(), false, { focus: keyboard });
  }

  function openNoHost(ed, keyboard) {
    const saved = keyboard ? saveSelection(ed) : null;
    ui.openPopover(null, ed.root.getBoundingClientRect(), {
      box: ed.root.getBoundingClientRect(), avoid: postButtonsNear(ed).map((b) => b.getBoundingClientRect()),
      focus: keyboard, onClose: () => { if (keyboard) restoreSelection(ed, saved); },
    });
  }

  function updateState() {
    const ed = active;
    let state = "idle";
    if (ed) {
      if (ed.timer || ed.fullTimer || ed.inflight) state = "checking";
      else if (ed.noHost) state = "no-host";
      else if (ed.checked) state = "ready";
    }
    ui.setState(state);
  }

  let layoutQueued = false;
  function scheduleLayout() {
    if (layoutQueued) return;
    layoutQueued = true;
    requestAnimationFrame(() => {
      layoutQueued = false;
      for (const ed of editors.values()) layout(ed);
      updateBadge();
      const pop = ui.popover;
      pop?._relayout?.();
    });
  }

  function layout(ed) {
    if (ed.mirror && ed.root.isConnected) ui.placeMirror(ed.mirror, ed.root);
  }

  // ---- "why flagged" --------------------------------------------------------------------------

  function caretAt(x, y) {
    if (document.caretPositionFromPoint) {
      const p = document.caretPositionFromPoint(x, y);
      return p ? { node: p.offsetNode, offset: p.offset } : null;
    }
    if (document.caretRangeFromPoint) {
      const r = document.caretRangeFromPoint(x, y);
      return r ? { node: r.startContainer, offset: r.startOffset } : null;
    }
    return null;
  }

  // The drawn finding under a point: the range's boxes contain it; the caret position there
  // (caretPositionFromPoint) decides between overlapping findings; then the higher severity.
  function hitTest(x, y) {
    let best = null, bestScore = -1;
    let caret;
    for (const ed of editors.values()) {
      for (const s of ed.shown) {
        for (const r of s.ranges) {
          const rect = [...r.getClientRects()].find((b) => x >= b.left - 1 && x <= b.right + 1 &&
            y >= b.top - 1 && y <= b.bottom + 1);
          if (!rect) continue;
          if (caret === undefined) caret = caretAt(x, y);
          let inCaret = false;
          try { inCaret = !!caret && r.isPointInRange(caret.node, caret.offset); } catch { /* other tree */ }
          const score = (inCaret ? 10 : 0) + RANK[s.it.f.severity];
          if (score > bestScore) { best = { ed, s, range: r, rect }; bestScore = score; }
        }
      }
    }
    return best;
  }

  const locked = (f) => policy.actions(settings, f);

  // The rects the card must leave visible: the site's Post buttons and the other flagged words.
  function keepClear(ed, s) {
    const out = postButtonsNear(ed).map((b) => b.getBoundingClientRect());
    for (const o of ed.shown) {
      if (o === s) continue;
      for (const r of o.ranges) for (const b of r.getClientRects()) if (b.bottom > 0 && b.top < innerHeight) out.push(b);
    }
    return out;
  }

  // opts.focus: opened from the keyboard, so the focus goes into the card and comes back to
  // the editor (with its selection) when the card closes.
  function openFor(ed, s, anchorRect, hover, opts = {}) {
    const f = s.it.f;
    const key = ignoreKey(ed, s.it);
    const list = orderedShown(ed);
    const index = Math.max(0, list.indexOf(s));
    const saved = opts.saved ?? (opts.focus ? saveSelection(ed) : null);
    const step = (d) => {
      const next = list[(index + d + list.length) % list.length];
      if (!next) return;
      const r = next.ranges[0];
      r.startContainer.parentElement?.scrollIntoView?.({ block: "nearest" });
      openFor(ed, next, r.getClientRects()[0] || r.getBoundingClientRect(), false, { focus: opts.focus, saved });
    };
    const back = () => { if (opts.focus) restoreSelection(ed, saved); };
    const pop = ui.openPopover(f, anchorRect, {
      hover,
      focus: opts.focus,
      box: ed.root.getBoundingClientRect(),
      avoid: keepClear(ed, s),
      index, total: list.length,
      onPrev: () => step(-1),
      onNext: () => step(1),
      onClose: (how) => { if (how === "close" || how === "escape") ed.dismissed.add(key); back(); },
      ...locked(f),
      onIgnore: () => {
        ed.ignored.add(key);
        ui.closePopover();
        back();
        render(ed);
        updateState();
        ui.showToast(t("ignoredToast"), () => { ed.ignored.delete(key); render(ed); updateState(); });
      },
      onMute: () => {
        ui.closePopover();
        back();
        settings.mutedRules = [...settings.mutedRules, f.rule];
        renderAll();
        api.runtime.sendMessage({ type: "mute", rule: f.rule }).catch(() => {});
        ui.showToast(t("mutedToast", f.message || f.rule), () => {
          settings.mutedRules = settings.mutedRules.filter((r) => r !== f.rule);
          renderAll();
          api.runtime.sendMessage({ type: "unmute", rule: f.rule }).catch(() => {});
        });
      },
    });
    pop._editor = ed;
    pop._finding = s;
    const range = s.ranges[0];
    pop._relayout = () => ui.placePopover(range.getClientRects()[0] || anchorRect, ed.root.getBoundingClientRect(),
      keepClear(ed, s));
  }

  // A flagged word whose card the user closed: a click or a rest on it is an edit, not a question.
  const dismissed = (hit) => hit.ed.dismissed.has(ignoreKey(hit.ed, hit.s.it));

  let hoverTimer = null, closeTimer = null, hoverAt = null, moveQueued = false;

  function onPointerMove(e) {
    if (!siteActive || dead) return;
    hoverAt = { x: e.clientX, y: e.clientY, ours: ui.isOurs(e) };
    if (moveQueued) return;
    moveQueued = true;
    requestAnimationFrame(() => {
      moveQueued = false;
      const at = hoverAt;
      const pop = ui.popover;
      if (at.ours) { clearTimeout(closeTimer); closeTimer = null; return; }
      const hit = editors.size ? hitTest(at.x, at.y) : null;
      if (hit && pop && pop._finding === hit.s) { clearTimeout(closeTimer); closeTimer = null; return; }
      clearTimeout(hoverTimer);
      hoverTimer = null;
      if (hit) {
        hoverTimer = setTimeout(() => {
          const again = hitTest(at.x, at.y);
          if (again && again.s === hit.s && !ui.gateOpen && !dismissed(hit)) {
            openFor(hit.ed, hit.s, hit.rect, true);
          }
        }, HOVER_OPEN_MS);
      } else if (pop && pop._hover && !closeTimer) {
        closeTimer = setTimeout(() => { closeTimer = null; if (ui.popover?._hover) ui.closePopover(); }, HOVER_CLOSE_MS);
      }
    });
  }

  function onDocClick(e) {
    if (!siteActive || dead || ui.isOurs(e)) return;
    const hit = editors.size ? hitTest(e.clientX, e.clientY) : null;
    clearTimeout(hoverTimer);
    if (hit && !dismissed(hit)) openFor(hit.ed, hit.s, hit.rect, false);
    else if (!hit || ui.popover?._finding !== hit.s) ui.closePopover();
  }

  // ---- the gate before Post -------------------------------------------------------------------

  function label(el) {
    return (el.getAttribute("aria-label") || el.textContent || el.value || "").replace(/\s+/g, " ").trim();
  }

  function isPostButton(btn) {
    if (btn.getAttribute("aria-disabled") === "true" || btn.disabled) return false;
    if (POST_TESTID.test(btn.getAttribute("data-testid") || "")) return true;
    return POST_LABEL.test(label(btn));
  }

  // The tracked editor this button posts: the closest one by common ancestor.
  function editorNear(btn) {
    let el = btn, level = 0;
    while (el && el !== document.body && el !== document.documentElement && level <= NEAR_LEVELS) {
      for (const ed of editors.values()) if (ed.root.isConnected && el.contains(ed.root)) return ed;
      el = el.parentElement;
      level++;
    }
    return null;
  }

  // The site's Post buttons around an editor (the popover keeps clear of them).
  function postButtonsNear(ed) {
    let el = ed.root.parentElement, level = 0;
    while (el && el !== document.body && el !== document.documentElement && level <= NEAR_LEVELS) {
      const found = [...el.querySelectorAll("button, [role='button'], input[type='submit']")].filter((b) =>
        !ed.root.contains(b) && (POST_TESTID.test(b.getAttribute("data-testid") || "") || POST_LABEL.test(label(b))));
      if (found.length) return found;
      el = el.parentElement;
      level++;
    }
    return [];
  }

  function highs(ed) {
    return ed.shown.filter((s) => s.it.f.severity === "high");
  }

  function stop(e) {
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  function saveSelection(ed) {
    if (ed.kind === "textarea") return { start: ed.root.selectionStart, end: ed.root.selectionEnd };
    const sel = document.getSelection();
    return sel && sel.rangeCount && ed.root.contains(sel.anchorNode) ? sel.getRangeAt(0).cloneRange() : null;
  }

  function restoreSelection(ed, saved) {
    ed.root.focus({ preventScroll: true });
    if (!saved) return;
    if (ed.kind === "textarea") { ed.root.setSelectionRange(saved.start, saved.end); return; }
    const sel = document.getSelection();
    sel.removeAllRanges();
    sel.addRange(saved);
  }

  // The gate lists every medium and high finding (it opens for a high one), or says that the
  // post cannot be checked when the clinic chose to fail closed.
  function openGate(ed, replay) {
    const saved = saveSelection(ed);
    ui.closePopover();
    const cannot = policy.unchecked(postState(ed));
    ui.openGate(cannot ? [] : card.gateItems(ed.shown.map((s) => s.it), ed.text), {
      block: cannot || settings.gateMode === "block",
      noHost: cannot,
      onEdit: () => restoreSelection(ed, saved),
      onPost: () => { restoreSelection(ed, saved); replay(); },
    });
  }

  // What policy.onPost needs to know about this editor now.
  const postState = (ed) => ({
    settingsReady, gateMode: settings.gateMode, hostMissing: settings.hostMissing, noHost: ed.noHost,
    checked: ed.checked, due: !!(ed.timer || ed.fullTimer || ed.inflight || ed.text !== ed.read().text),
    highs: highs(ed).length,
  });

  // Intercept the action, then let it through, show the gate, or first bring the settings and
  // the last check's answer (re-dispatching the action once if it may go).
  function gate(e, ed, replay) {
    const now = policy.onPost(postState(ed), false);
    if (now === "pass") return;
    stop(e);
    if (now === "gate") { openGate(ed, replay); return; }
    Promise.all([whenSettings(), flush(ed)]).then(() => {
      if (policy.onPost(postState(ed), true) === "gate") openGate(ed, replay);
      else replay();
    });
  }

  // Alt+Shift+P in a tracked editor (or on our badge): the findings' card, with the focus in it.
  function onShortcut(e) {
    if (dead || !siteActive || !e.isTrusted || !SHORTCUT(e) || ui.gateOpen) return;
    const found = findEditor(e.composedPath()[0]);
    const ed = (found && editors.get(found.root)) || (ui.isOurs(e) ? active : null);
    if (!ed) return;
    e.preventDefault();
    e.stopPropagation();
    if (ui.popover) { ui.closePopover(); return; }
    if (ed.noHost) openNoHost(ed, true);
    else if (ed.shown.length) openFirst(ed, true);
    else ui.announce(t("liveNone"));
  }

  function once(fn) {
    replaying = true;
    try { fn(); } finally { replaying = false; }
  }

  function onGateClick(e) {
    if (replaying || dead || !siteActive || !settings || settings.gateMode === "off" || ui.isOurs(e)) return;
    const btn = e.target instanceof Element ? e.target.closest("button, [role='button'], input[type='submit']") : null;
    if (!btn || !isPostButton(btn)) return;
    const ed = editorNear(btn);
    if (!ed) return;
    gate(e, ed, () => once(() => btn.click()));
  }

  function onGateKey(e) {
    if (replaying || dead || !siteActive || !settings || settings.gateMode === "off") return;
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || e.isComposing || ui.isOurs(e)) return;
    const found = findEditor(e.target);
    const ed = found && editors.get(found.root);
    if (!ed) return;
    const target = e.target;
    const init = {
      key: e.key, code: e.code, keyCode: 13, which: 13, location: e.location, ctrlKey: e.ctrlKey,
      metaKey: e.metaKey, shiftKey: e.shiftKey, altKey: e.altKey, repeat: false,
      bubbles: true, cancelable: true, composed: true,
    };
    gate(e, ed, () => once(() => target.dispatchEvent(new KeyboardEvent("keydown", init))));
  }

  // ---- settings and life cycle ----------------------------------------------------------------

  function siteFor(hostname, sites) {
    const h = hostname.toLowerCase();
    const s = sites.find((x) => h === x || h.endsWith("." + x));
    if (!s) return null;
    if (s === "x.com" || s === "twitter.com") return "x";
    if (s === "facebook.com") return "facebook";
    if (s === "linkedin.com") return "linkedin";
    return s;
  }

  // The first settings can take seconds after the browser starts (Chromium's managed storage).
  let settingsRetry = null, settingsReady = false, settingsWaiters = [];
  function whenSettings() {
    if (settingsReady) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, SETTINGS_WAIT_MS);
      settingsWaiters.push(() => { clearTimeout(t); resolve(); });
    });
  }
  async function loadSettings(attempt = 0) {
    clearTimeout(settingsRetry);
    let resp;
    try {
      resp = await api.runtime.sendMessage({ type: "settings" });
    } catch (e) {
      if (/context invalidated/i.test(String(e?.message))) { shutDown(); return; }
      resp = null; // the service worker is still starting: ask again
    }
    if (!resp?.settings) {
      settingsRetry = setTimeout(() => loadSettings(attempt + 1), attempt < 50 ? 100 : 2000);
      return;
    }
    const was = siteActive;
    settings = resp.settings;
    settingsReady = true;
    for (const w of settingsWaiters.splice(0)) w();
    const host = location.hostname;
    const site = siteFor(host, settings.sites);
    const off = settings.disabledSites.some((d) => host === d || host.endsWith("." + d));
    siteName = site || host;
    siteActive = !!site && !off;
    if (siteActive && !was) {
      const ed = document.activeElement && editorFor(document.activeElement);
      if (ed) active = ed;
      for (const e of editors.values()) sync(e);
      updateState();
    }
    if (!siteActive) {
      ui.closePopover();
      ui.closeGate();
      ui.hideBadge();
      for (const ed of editors.values()) ed.shown = [];
      paintAll();
      ui.setState("idle");
      return;
    }
    renderAll();
  }

  function renderAll() {
    for (const ed of editors.values()) render(ed);
    updateBadge();
    updateState();
  }

  function onFocusIn(e) {
    if (dead || !siteActive) return;
    const ed = editorFor(e.composedPath()[0]);
    if (!ed) return;
    if (active !== ed) { active = ed; updateBadge(); updateState(); }
    sync(ed);
  }

  function onInput(e) {
    if (dead || !siteActive) return;
    const ed = editorFor(e.composedPath()[0]);
    if (ed) { active = ed; sync(ed); }
  }

  // Editors that left the page, textareas changed by script (no input event), mirrors kept in place.
  function sweep() {
    if (dead || !siteActive) return;
    let dropped = false;
    for (const ed of [...editors.values()]) {
      if (!ed.root.isConnected) { ed.drop(); dropped = true; continue; }
      if (ed.kind === "textarea" && ed.root.value !== ed.text) sync(ed);
      else layout(ed);
    }
    if (dropped) paintAll();
    updateBadge();
    updateState();
  }

  function shutDown() {
    dead = true;
    ui.closePopover();
    ui.closeGate();
    for (const ed of [...editors.values()]) ed.drop();
    ui.paint({});
    ui.host?.remove();
  }

  window.addEventListener("click", onGateClick, true);
  window.addEventListener("keydown", onGateKey, true);
  document.addEventListener("click", onDocClick, true);
  document.addEventListener("mousemove", onPointerMove, { capture: true, passive: true });
  document.addEventListener("focusin", onFocusIn, true);
  document.addEventListener("input", onInput, true);
  window.addEventListener("scroll", scheduleLayout, { capture: true, passive: true });
  window.addEventListener("resize", scheduleLayout, { passive: true });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && ui.popover && e.isTrusted) ui.closePopover("escape"); }, true);
  document.addEventListener("keydown", onShortcut, true);
  setInterval(sweep, 1000);
  api.storage.onChanged.addListener(() => { if (!dead) loadSettings(); });
  document.addEventListener("beforeinput", onInput, true); // editors that cancel input (Draft.js) still announce themselves

  siteName = siteFor(location.hostname, settings.sites) || location.hostname;
  ui.ensure();
  loadSettings();
})();
