// content/card.js - what a finding's card and the gate say, as pure functions of the findings
// (no DOM), so they can be tested in node: the short "why", human section titles, the order.

(() => {
  const PG = (globalThis.__postguard ??= {});
  if (PG.card) return;

  const RANK = { low: 1, medium: 2, high: 3 };
  const BRIEF_MAX = 320;

  // A rule's explanation quotes the standard first and then says what in this post is the
  // problem. The card leads with the second part; the quotes go under "The standard says".
  // Sentences end outside quotation marks only: a quoted passage is part of its sentence.
  function sentences(text) {
    const out = [];
    let start = 0, inQuote = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === "“") inQuote = true;
      else if (c === "”") inQuote = false;
      else if (c === '"') inQuote = !inQuote;
      // a full stop, or a quotation closed just after one, then a space and a capital
      const ends = ".!?".includes(c) || (!inQuote && "”\"".includes(c) && ".!?".includes(text[i - 1]));
      if (!inQuote && ends && text[i + 1] === " " && /[A-Z§“"(]/.test(text[i + 2] || "")) {
        out.push(text.slice(start, i + 1).trim());
        start = i + 2;
      }
    }
    if (start < text.length) out.push(text.slice(start).trim());
    return out.filter(Boolean);
  }
  // The longest passage inside quotation marks: a sentence quoting the standard has a long one,
  // a sentence naming the post's words ("drug seeker") has short ones.
  function longestQuote(s) {
    let best = 0, open = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (open < 0 && (c === "“" || c === '"')) open = i;
      else if (open >= 0 && (c === "”" || c === '"')) { best = Math.max(best, i - open - 1); open = -1; }
    }
    return open >= 0 ? Math.max(best, s.length - open - 1) : best;
  }
  const quotesStandard = (s) => /^§/.test(s) || longestQuote(s) >= 60;

  function brief(explanation) {
    const text = String(explanation || "").replace(/\s+/g, " ").trim();
    if (!text) return "";
    const own = sentences(text).filter((s) => !quotesStandard(s));
    let out = "", n = 0;
    for (const s of own) {
      if (n === 2 || (out && out.length + 1 + s.length > BRIEF_MAX)) break;
      out = out ? `${out} ${s}` : s;
      n++;
    }
    if (out.length > BRIEF_MAX) out = out.slice(0, out.lastIndexOf(" ", BRIEF_MAX - 1)).replace(/[,;:]$/, "") + "…";
    return out;
  }

  // "CPSM Standard §3.1: Privacy and Confidentiality" for the standard's numbered sections; the
  // title alone for the others (the guidance, contextual information), never an internal id.
  function sectionLabel(f, t) {
    const id = String(f.section || ""), title = String(f.section_title || "");
    if (/^\d+(\.\d+)*$/.test(id)) return title ? t("cpsmSection", id, title) : `§${id}`;
    return title || "";
  }

  const categoryKey = (c) => `cat_${String(c || "").replace(/[^A-Za-z0-9]/g, "_")}`;
  const severityKey = (s) => ({ high: "sevHigh", medium: "sevMedium", low: "sevLow" })[s] || "sevLow";
  const severityWordKey = (s) => ({ high: "sevHighWord", medium: "sevMediumWord", low: "sevLowWord" })[s] || "sevLowWord";

  // Findings in reading order for the card's previous/next: most serious first, then by place.
  function ordered(items) {
    return [...items].sort((a, b) => (RANK[b.f.severity] || 0) - (RANK[a.f.severity] || 0) ||
      a.spans[0][0] - b.spans[0][0]);
  }

  function maxSeverity(items) {
    let best = null;
    for (const it of items) if (!best || (RANK[it.f.severity] || 0) > RANK[best]) best = it.f.severity;
    return best;
  }

  // What the gate lists: every medium and high finding, the high ones first, each with all its
  // underlined words (a privacy finding is the combination of several).
  function gateItems(items, text) {
    return ordered(items.filter((it) => RANK[it.f.severity] >= RANK.medium)).map((it) => ({
      severity: it.f.severity,
      quote: it.spans.map(([a, b]) => text.slice(a, b)).join(" … "),
      message: it.f.message || it.f.rule,
      section: it.f.section || "",
      section_title: it.f.section_title || "",
    }));
  }

  PG.card = { brief, sectionLabel, categoryKey, severityKey, severityWordKey, ordered, maxSeverity, gateItems, RANK };
})();
