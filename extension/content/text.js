// content/text.js - editor adapters: find the compose box at run time (Draft.js, Lexical, Quill,
// textarea, contenteditable), read its plain text and map UTF-16 text offsets to DOM Ranges. Read only.

(() => {
  const PG = (globalThis.__postguard ??= {});
  if (PG.text) return;

  // Elements whose start and end break the text as a line does (the engine sees "\n").
  const BLOCK = new Set(["ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DIV", "DL", "DT",
    "FIELDSET", "FIGCAPTION", "FIGURE", "FOOTER", "FORM", "H1", "H2", "H3", "H4", "H5", "H6",
    "HEADER", "HR", "LI", "MAIN", "NAV", "OL", "P", "PRE", "SECTION", "TABLE", "TBODY", "THEAD",
    "TFOOT", "TR", "TD", "TH", "UL"]);
  // Elements whose content is not post text.
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "IMG", "SVG", "VIDEO", "AUDIO",
    "CANVAS", "IFRAME", "OBJECT", "INPUT", "TEXTAREA", "SELECT", "BUTTON"]);

  // A text model: `text` and the text nodes it came from ({node, start, end} in text order).
  // Characters between segments ("\n" for blocks and <br>) belong to no node.
  class TextMap {
    constructor(text, segs) {
      this.text = text;
      this.segs = segs;
    }

    // The DOM point for offset `off`; `atEnd` prefers the end of the previous node (a range's end).
    point(off, atEnd) {
      const segs = this.segs;
      let lo = 0, hi = segs.length - 1, found = -1;
      while (lo <= hi) { // the last segment whose start <= off (or < off for an end point)
        const mid = (lo + hi) >> 1;
        if (atEnd ? segs[mid].start < off : segs[mid].start <= off) { found = mid; lo = mid + 1; } else hi = mid - 1;
      }
      if (found >= 0) {
        const s = segs[found];
        if (off <= s.end && (atEnd || off < s.end)) return { node: s.node, offset: off - s.start };
        if (atEnd) return { node: s.node, offset: s.end - s.start }; // off in a virtual "\n"
      }
      const next = segs[found + 1];
      return next ? { node: next.node, offset: 0 } : null;
    }

    range(start, end) {
      if (!(end > start)) return null;
      const a = this.point(start, false), b = this.point(end, true);
      if (!a || !b) return null;
      const r = new Range();
      try {
        r.setStart(a.node, a.offset);
        r.setEnd(b.node, b.offset);
      } catch {
        return null;
      }
      return r.collapsed ? null : r;
    }

    // The text offset of a DOM point (a selection's focus), or null when it is outside.
    offsetOf(node, offset) {
      if (!node) return null;
      if (node.nodeType === Node.TEXT_NODE) {
        const s = this.segs.find((x) => x.node === node);
        if (s) return s.start + Math.min(offset, s.end - s.start);
      }
      // An element point: the first text node at or after it.
      const probe = new Range();
      try { probe.setStart(node, offset); } catch { return null; }
      for (const s of this.segs) {
        if (probe.comparePoint(s.node, 0) >= 0) return s.start;
      }
      return this.text.length;
    }
  }

  // The text of a contenteditable tree, built as the engine should see it: text nodes verbatim,
  // a "\n" at block boundaries and for <br>, never two "\n" for one boundary.
  function readTree(root, skipSelector) {
    let text = "";
    const segs = [];
    let pendingBreak = false;
    const breakNow = () => {
      if (pendingBreak && text && !text.endsWith("\n")) text += "\n";
      pendingBreak = false;
    };
    const walk = (el) => {
      for (let n = el.firstChild; n; n = n.nextSibling) {
        if (n.nodeType === Node.TEXT_NODE) {
          const v = n.data;
          if (!v) continue;
          breakNow();
          segs.push({ node: n, start: text.length, end: text.length + v.length });
          text += v;
        } else if (n.nodeType === Node.ELEMENT_NODE) {
          const tag = n.tagName.toUpperCase();
          if (SKIP.has(tag) || n.hidden) continue;
          if (skipSelector && n.matches(skipSelector)) continue;
          if (tag === "BR") {
            breakNow();
            text += "\n";
            continue;
          }
          const block = BLOCK.has(tag);
          if (block) pendingBreak = true;
          walk(n);
          if (block) pendingBreak = true;
        }
      }
    };
    walk(root);
    return new TextMap(text, segs);
  }

  const topEditable = (el) => {
    let root = el;
    while (root.parentElement && root.parentElement.isContentEditable) root = root.parentElement;
    return root;
  };

  // One adapter per editor family. Each says where the text lives and what inside is not text.
  const ADAPTERS = {
    // X: Draft.js, the blocks under [data-contents="true"].
    draft: {
      textRoot: (root) => root.querySelector(":scope > [data-contents]") || root,
      skip: null,
    },
    // Facebook: Lexical, paragraphs of text spans (decorators' buttons are skipped with all buttons).
    lexical: {
      textRoot: (root) => root,
      skip: null,
    },
    // LinkedIn: Quill; its cursor blot holds a U+FEFF and .ql-ui holds list markers.
    quill: {
      textRoot: (root) => root,
      skip: ".ql-cursor, .ql-ui",
    },
    contenteditable: {
      textRoot: (root) => root,
      skip: "[contenteditable='false'][aria-hidden='true']",
    },
  };

  // The editor behind an event target (or null): found by editor markers and editability, not
  // by the sites' generated class names.
  function findEditor(target) {
    let el = target instanceof Element ? target : target?.parentElement;
    if (!el) return null;
    if (el.tagName === "TEXTAREA") {
      return el.disabled || el.readOnly ? null : { kind: "textarea", root: el };
    }
    if (!el.isContentEditable) return null;
    const lexical = el.closest("[data-lexical-editor='true']");
    if (lexical && lexical.isContentEditable) return { kind: "lexical", root: lexical };
    const root = topEditable(el);
    if (root.matches(".public-DraftEditor-content") || root.querySelector(":scope > [data-contents='true']")) {
      return { kind: "draft", root };
    }
    if (root.classList.contains("ql-editor") || root.parentElement?.classList.contains("ql-container")) {
      return { kind: "quill", root };
    }
    if (root === document.body || root === document.documentElement) return null; // designMode pages
    return { kind: "contenteditable", root };
  }

  function readEditor(kind, root, mirrorText) {
    if (kind === "textarea") {
      const text = root.value;
      if (mirrorText.data !== text) mirrorText.data = text;
      return new TextMap(text, text ? [{ node: mirrorText, start: 0, end: text.length }] : []);
    }
    const a = ADAPTERS[kind] || ADAPTERS.contenteditable;
    return readTree(a.textRoot(root), a.skip);
  }

  // The caret's text offset in this editor, or null when the selection is elsewhere.
  function caretOffset(kind, root, map) {
    if (kind === "textarea") {
      return document.activeElement === root && root.selectionStart === root.selectionEnd ? root.selectionEnd : null;
    }
    const sel = root.getRootNode().getSelection?.() ?? document.getSelection();
    if (!sel || sel.rangeCount === 0 || !sel.isCollapsed || !root.contains(sel.focusNode)) return null;
    return map.offsetOf(sel.focusNode, sel.focusOffset);
  }

  PG.text = { TextMap, readTree, findEditor, readEditor, caretOffset };
})();
