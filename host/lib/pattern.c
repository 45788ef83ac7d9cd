/* pattern.c - PCRE2 patterns: compiled once with JIT, run with match and depth limits.
 * A pattern that hits a limit stops and is reported, so no input can make a check hang. */
#include <string.h>

#include "internal.h"

pg_status pg_pattern_compile(pg_pattern *p, const char *src, int caseless, int raw,
                             pg_error *err) {
    int code;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF;
    if (caseless) opts |= PCRE2_CASELESS;
    memset(p, 0, sizeof *p);
    p->code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    if (!p->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        return pg_fail(err, PG_ERULE, NULL, NULL, NULL, (long)off,
                       "the pattern does not compile: %s at byte %zu", (const char *)msg,
                       (size_t)off);
    }
    /* JIT is an optimisation: where the platform lacks it the interpreter runs the same
     * pattern under the same limits. */
    (void)pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
    int n = pcre2_substring_number_from_name(p->code, (PCRE2_SPTR) "hit");
    p->hit_group = n > 0 ? n : 0;
    p->raw = raw;
    return PG_OK;
}

void pg_pattern_free(pg_pattern *p) {
    if (p->code) pcre2_code_free(p->code);
    p->code = NULL;
}

int pg_pattern_scan(const pg_pattern *p, pg_scratch *sc, pg_hitvec *out) {
    const char *subject = p->raw ? sc->raw : sc->fold.text;
    size_t len = p->raw ? sc->srclen : sc->fold.len;
    size_t start = 0;
    while (start <= len) {
        int rc = pcre2_match(p->code, (PCRE2_SPTR)subject, len, start, PCRE2_NO_UTF_CHECK,
                             sc->md, sc->pack->mctx);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) return 1; /* match, depth or heap limit: report, keep what we found */
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
            if (e > s && pg_hitvec_push(out, (uint32_t)s, (uint32_t)e)) return -1;
        }
        size_t next = ov[1];
        if (ov[1] <= ov[0]) { /* empty match: step over one whole character */
            next = ov[0] + 1;
            while (next < len && ((unsigned char)subject[next] & 0xC0) == 0x80) next++;
        }
        if (next <= start) next = start + 1;
        start = next;
    }
    return 0;
}
