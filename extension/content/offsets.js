// content/offsets.js - pure text arithmetic for the content script: findings' spans across edits,
// and the word still being typed. No DOM here (unit-tested in node: tests/extension/).

(() => {
  const PG = (globalThis.__postguard ??= {});
  if (PG.offsets) return;

  const WORD = /[\p{L}\p{N}\p{M}_'’]/u;

  // A finding's ranges to underline, primary first: [[start, end], ...] (docs/protocol.md).
  function spansOf(f) {
    const primary = [f.start, f.end];
    const rest = Array.isArray(f.spans) ? f.spans.filter((sp) => Array.isArray(sp) && sp[1] > sp[0] &&
      !(sp[0] === f.start && sp[1] === f.end)) : [];
    return [primary, ...rest.map((sp) => [sp[0], sp[1]])];
  }

  // Move spans found in text `from` onto text `to`: spans before the edit stay, spans after it
  // shift, spans the edit touched (or whose word it extended) are dropped; a finding whose
  // primary span goes is dropped. items: [{f, spans}].
  function translate(items, from, to) {
    if (from === to) return items;
    const max = Math.min(from.length, to.length);
    let p = 0;
    while (p < max && from.charCodeAt(p) === to.charCodeAt(p)) p++;
    let s = 0;
    while (s < max - p && from.charCodeAt(from.length - 1 - s) === to.charCodeAt(to.length - 1 - s)) s++;
    const delta = to.length - from.length;
    const tail = from.length - s;
    const move = ([a, b]) => {
      if (b <= p) {
        if (b === p && WORD.test(from[b - 1] || "") && WORD.test(to[p] || "")) return null;
        return [a, b];
      }
      if (a >= tail) {
        if (a === tail && WORD.test(from[a] || "") && WORD.test(to[a + delta - 1] || "")) return null;
        return [a + delta, b + delta];
      }
      return null;
    };
    const out = [];
    for (const it of items) {
      const primary = move(it.spans[0]);
      if (!primary) continue;
      out.push({ f: it.f, spans: [primary, ...it.spans.slice(1).map(move).filter(Boolean)] });
    }
    return out;
  }

  // The word the caret is in or just after (still being typed), as {start, end}, or null.
  function typingWord(text, caret) {
    if (caret == null || caret === 0 || !WORD.test(text[caret - 1])) return null;
    let a = caret, b = caret;
    while (a > 0 && WORD.test(text[a - 1])) a--;
    while (b < text.length && WORD.test(text[b])) b++;
    return { start: a, end: b };
  }

  // What to send while a word is being typed: the text up to that word when nothing but space
  // follows it, else the whole text with that word's findings held back.
  function partialRequest(text, caret) {
    const w = typingWord(text, caret);
    if (!w) return { send: text, exclude: null, partial: false };
    if (!text.slice(w.end).trim()) return { send: text.slice(0, w.start), exclude: null, partial: true };
    return { send: text, exclude: w, partial: true };
  }

  PG.offsets = { spansOf, translate, typingWord, partialRequest, WORD };
})();
