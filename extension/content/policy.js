// content/policy.js - what the page may do with a finding and with Post, decided from the
// settings and the editor's state alone; pure, so every case is a node test (tests/extension).

(() => {
  const PG = (globalThis.__postguard ??= {});
  if (PG.policy) return;

  // The clinic locked the gate to "block": nothing on the page may undo that.
  const lockedBlock = (settings) => !!(settings.locked.gateMode && settings.gateMode === "block");

  // Which of a finding's buttons the card offers.
  function actions(settings, f) {
    const block = lockedBlock(settings);
    return {
      canIgnore: !(block && f.severity === "high"),
      // a rule flags at several severities: muting it on a medium finding would silence its
      // high ones too, so under a locked "block" no rule can be muted from the page at all; under
      // any gate the clinic set, a high finding's rule cannot be turned off from the page
      canMute: !block && !(settings.locked.gateMode && f.severity === "high") &&
        !Object.hasOwn(settings.severityOverrides, f.rule),
    };
  }

  // Is a finding shown? Under a clinic's locked "block", a rule the user muted still shows its
  // high findings (and they still gate the post): a mute from before the lock must not undo it.
  function shown(settings, f, ignored) {
    const cats = settings.categories;
    return (!cats || cats.includes(f.category)) && !settings.disabledRules.includes(f.rule) &&
      (!settings.mutedRules.includes(f.rule) || (lockedBlock(settings) && f.severity === "high")) && !ignored;
  }

  // The post about to go out has no answer from the host for its text: none installed, a host
  // that hangs, or a check still out.
  const unchecked = (s) => s.noHost || !s.checked || s.due;

  // What pressing Post does. s: {settingsReady, gateMode, hostMissing, noHost, checked, due
  // (a check is pending or the text changed since the last answer), highs (shown high findings)}.
  // final: after waiting for the settings and the last check. Returns "pass" (let it go),
  // "gate" (stop it and ask once more) or, before waiting only, "wait" (stop it, get the
  // settings and the answer, then decide again with final set).
  function onPost(s, final) {
    const failClosed = s.settingsReady && s.hostMissing === "block";
    if (!final) {
      // until the settings are read the clinic's choice is unknown: wait for them
      if (!s.settingsReady || s.due) return s.settingsReady && s.noHost && !failClosed ? "pass" : "wait";
      // without a host, failing closed: ask once more, the host may have been installed since
      if (s.noHost && failClosed) return "wait";
    } else if (s.gateMode === "off") return "pass";
    return (unchecked(s) ? failClosed : s.highs > 0) ? "gate" : "pass";
  }

  PG.policy = { lockedBlock, actions, shown, unchecked, onPost };
})();
