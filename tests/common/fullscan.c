/* fullscan.c - the plain PCRE2 search the prefilter tests and fuzzer compare against: the
 * same stepping as the engine's own scan, but over every position of the text. */
#include "fullscan.h"

pcre2_code *pg_full_compile(const char *src, int caseless) {
    int ec;
    PCRE2_SIZE off;
    return pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                         PCRE2_UTF | (caseless ? PCRE2_CASELESS : 0), &ec, &off, NULL);
}

int pg_full_scan(pcre2_code *re, int raw, const pg_scratch *sc, pcre2_match_context *mctx,
                 pg_hitvec *out) {
    const char *subject = raw ? sc->raw : sc->fold.text;
    size_t len = raw ? sc->srclen : sc->fold.len, start = 0;
    int n = pcre2_substring_number_from_name(re, (PCRE2_SPTR) "hit");
    int hit = n > 0 ? n : 0, rc = 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) return -1;
    out->n = 0;
    while (start <= len) {
        int r = pcre2_match(re, (PCRE2_SPTR)subject, len, start, PCRE2_NO_UTF_CHECK, md, mctx);
        if (r == PCRE2_ERROR_NOMATCH) break;
        if (r < 0) {
            rc = 1;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (hit && r > hit && ov[2 * hit] != PCRE2_UNSET) {
            s = ov[2 * hit];
            e = ov[2 * hit + 1];
        }
        if (e > s && raw) {
            s = sc->fold.inv[s];
            e = sc->fold.inv[e];
        }
        if (e > s && pg_hitvec_push(out, (uint32_t)s, (uint32_t)e)) {
            rc = -1;
            break;
        }
        size_t next = ov[1];
        if (ov[1] <= ov[0]) { /* empty match: step over one whole character */
            next = ov[0] + 1;
            while (next < len && ((unsigned char)subject[next] & 0xC0) == 0x80) next++;
        }
        start = next > start ? next : start + 1;
    }
    pcre2_match_data_free(md);
    return rc;
}
