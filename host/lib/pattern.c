/* pattern.c - PCRE2 patterns: compiled once (JIT at the first scan), run with match and depth limits.
 * A pattern that hits a limit stops and is reported, so no input can make a check hang. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Whether the pattern may match letters in either case: compiled caseless, or an inline
 * option group such as (?i) or (?x-i:...) switches it on somewhere. */
static int maybe_caseless(const char *src, int caseless) {
    if (caseless) return 1;
    for (const char *s = strstr(src, "(?"); s; s = strstr(s + 1, "(?"))
        for (const char *q = s + 2; (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                                    *q == '-' || *q == '^';
             q++)
            if (*q == 'i') return 1;
    return 0;
}

static void set_bit(uint8_t set[32], unsigned b) {
    set[b / 8] |= (uint8_t)(1u << (b % 8));
}

/* The set of bytes that can stand for code unit cu, which PCRE2 reports as required
 * (possibly caselessly: it does not say). 0 when no safe set is known: outside ASCII a
 * caseless character's other cases may begin with other bytes, and in UTF mode 'k' and 's'
 * also match the Kelvin sign and the long s. */
static int unit_set(uint32_t cu, int icase, uint8_t set[32]) {
    memset(set, 0, 32);
    if (cu > 0xFF) return 0;
    if (!icase) {
        set_bit(set, cu);
        return 1;
    }
    if (cu >= 0x80) return 0;
    uint32_t lo = cu >= 'A' && cu <= 'Z' ? cu + 32 : cu;
    if (lo == 'k' || lo == 's') return 0;
    set_bit(set, cu);
    if (lo >= 'a' && lo <= 'z') {
        set_bit(set, lo);
        set_bit(set, lo - 32);
    }
    return 1;
}

/* Ask PCRE2 what every match needs (it uses the same facts to skip start positions): its
 * first code unit or the set of possible first code units, its last required code unit and
 * its minimum length. Anything PCRE2 does not know leaves the filter open. */
static void derive_filter(pg_pattern *p, const char *src, int caseless) {
    uint32_t type = 0, cu = 0, minlen = 0;
    int icase = maybe_caseless(src, caseless);
    const uint8_t *bitmap = NULL;
    p->nneed = 0;
    if (pcre2_pattern_info(p->code, PCRE2_INFO_MINLENGTH, &minlen) == 0) p->minlen = minlen;
    if (pcre2_pattern_info(p->code, PCRE2_INFO_FIRSTCODETYPE, &type) == 0) {
        if (type == 1 && pcre2_pattern_info(p->code, PCRE2_INFO_FIRSTCODEUNIT, &cu) == 0) {
            if (unit_set(cu, icase, p->need[p->nneed])) p->nneed++;
        } else if (type == 0 &&
                   pcre2_pattern_info(p->code, PCRE2_INFO_FIRSTBITMAP, &bitmap) == 0 && bitmap) {
            memcpy(p->need[p->nneed++], bitmap, 32);
        }
    }
    if (pcre2_pattern_info(p->code, PCRE2_INFO_LASTCODETYPE, &type) == 0 && type == 1 &&
        pcre2_pattern_info(p->code, PCRE2_INFO_LASTCODEUNIT, &cu) == 0 &&
        unit_set(cu, icase, p->need[p->nneed]))
        p->nneed++;
}

void pg_bytes_present(const char *s, size_t len, uint8_t out[32]) {
    memset(out, 0, 32);
    for (size_t i = 0; i < len; i++) set_bit(out, (unsigned char)s[i]);
}

int pg_pattern_may_match(const pg_pattern *p, const uint8_t present[32], size_t len) {
    if (len < p->minlen) return 0;
    for (int i = 0; i < p->nneed; i++) {
        int any = 0;
        for (int b = 0; b < 32 && !any; b++) any = (p->need[i][b] & present[b]) != 0;
        if (!any) return 0;
    }
    return 1;
}

pg_status pg_pattern_compile(pg_pattern *p, const char *src, int caseless, int raw,
                             pg_error *err) {
    int code;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF;
    if (caseless) opts |= PCRE2_CASELESS;
    memset(p, 0, sizeof *p);
    p->fidx = -1;
    /* a pattern whose starts are known runs only there, so it is compiled anchored */
    int known = pg_start_keys(src, caseless, &p->keys, &p->nkeys);
    if (known < 0) return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
    if (known) {
        opts |= PCRE2_ANCHORED;
        p->anchored = 1;
    }
    p->code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    if (!p->code) {
        free(p->keys);
        p->keys = NULL;
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        return pg_fail(err, PG_ERULE, NULL, NULL, NULL, (long)off,
                       "the pattern does not compile: %s at byte %zu", (const char *)msg,
                       (size_t)off);
    }
    /* JIT waits for the pattern's first scan (pattern_jit): most of a pack's patterns never
     * run on a given post, and JIT-compiling all of them was a sixth of a host's start-up. */
    int n = pcre2_substring_number_from_name(p->code, (PCRE2_SPTR) "hit");
    p->hit_group = n > 0 ? n : 0;
    p->raw = raw;
    p->caseless = caseless;
    p->owned = 1;
    derive_filter(p, src, caseless);
    return PG_OK;
}

void pg_pattern_free(pg_pattern *p) {
    if (p->code && p->owned) {
        pcre2_code_free(p->code);
        free(p->keys);
    }
    p->code = NULL;
    p->keys = NULL;
}

#define NO_MEMORY (-100000) /* not a PCRE2 code: our hit vector could not grow */

/* One match attempt at start; fills the hit, or returns PCRE2's code. */
static int match_at(const pg_pattern *p, int jit, pg_scratch *sc, const char *subject,
                    size_t len, size_t start, pg_hitvec *out, size_t *end) {
    /* pcre2_jit_match skips the option checks pcre2_match makes on every call: with a
     * pattern tried at thousands of places in a long post, those checks were a tenth of it */
    int rc = jit ? pcre2_jit_match(p->code, (PCRE2_SPTR)subject, len, start, 0, sc->md,
                                      sc->pack->mctx)
                    : pcre2_match(p->code, (PCRE2_SPTR)subject, len, start, PCRE2_NO_UTF_CHECK,
                                  sc->md, sc->pack->mctx);
    if (rc < 0) return rc;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
    size_t s = ov[0], e = ov[1];
    if (p->hit_group && rc > p->hit_group && ov[2 * p->hit_group] != PCRE2_UNSET) {
        s = ov[2 * p->hit_group];
        e = ov[2 * p->hit_group + 1];
    }
    if (e > s) {
        if (p->raw) { /* hits live in folded coordinates */
            s = sc->fold.inv[s];
            e = sc->fold.inv[e];
        }
        if (e > s && pg_hitvec_push(out, (uint32_t)s, (uint32_t)e)) return NO_MEMORY;
    }
    size_t next = ov[1];
    if (ov[1] <= ov[0]) { /* empty match: step over one whole character */
        next = ov[0] + 1;
        while (next < len && ((unsigned char)subject[next] & 0xC0) == 0x80) next++;
    }
    *end = next > start ? next : start + 1;
    return rc;
}

/* JIT-compile the pattern on its first scan (once: PCRE2 keeps the machine code in the
 * compiled pattern, which every matcher sharing it sees), so a load compiles no machine code
 * for patterns that never run, and every match of a pattern still runs the same JIT code as
 * when all were compiled at load. JIT is an optimisation: where the platform lacks it the
 * interpreter runs the same pattern under the same limits. 1 when the JIT code is there. */
static int pattern_jit(const pg_pattern *p) {
    size_t size = 0;
    if (pcre2_pattern_info(p->code, PCRE2_INFO_JITSIZE, &size) == 0 && size) return 1;
    return pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0;
}

int pg_pattern_scan(const pg_pattern *p, pg_scratch *sc, pg_hitvec *out) {
    int jit = pattern_jit(p);
    const char *subject = p->raw ? sc->raw : sc->fold.text;
    size_t len = p->raw ? sc->srclen : sc->fold.len;
    size_t start = 0, end;
    if (p->anchored) {
        /* tried where a match can begin; after a match, from its end on, as PCRE2 would */
        const pg_u32vec *cand;
        if (pg_start_positions(sc, p, &cand)) return -1;
        size_t n = cand ? cand->n : len;
        for (size_t k = 0; k < n; k++) {
            size_t at = cand ? cand->v[k] : k;
            if (at < start) continue;
            if (!cand && ((unsigned char)subject[at] & 0xC0) == 0x80) continue;
            int rc = match_at(p, jit, sc, subject, len, at, out, &end);
            if (rc == PCRE2_ERROR_NOMATCH) continue;
            if (rc == NO_MEMORY) return -1;
            if (rc < 0) return 1; /* match, depth or heap limit: report, keep what we found */
            start = end;
        }
        return 0;
    }
    while (start <= len) {
        int rc = match_at(p, jit, sc, subject, len, start, out, &end);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc == NO_MEMORY) return -1;
        if (rc < 0) return 1; /* match, depth or heap limit: report, keep what we found */
        start = end;
    }
    return 0;
}
