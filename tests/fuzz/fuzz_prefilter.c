/* fuzz_prefilter.c - libFuzzer target for where patterns start (host/lib/prefilter.c): the
 * input is a pattern, a newline and a text; the pattern run only at its candidate starts must
 * find exactly what a plain PCRE2 search over the whole text finds. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "internal.h"

static void must(int ok) {
    if (!ok) abort(); /* a difference is a finding */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || nl == data) return 0;
    int caseless = data[0] & 1, raw = (data[0] >> 1) & 1;
    size_t plen = (size_t)(nl - data) - 1, tlen = size - plen - 2;
    char *src = malloc(plen + 1);
    memcpy(src, data + 1, plen);
    src[plen] = '\0';
    const char *text = (const char *)nl + 1;
    size_t bad;
    if (pg_utf8_validate(text, tlen, NULL, &bad) || pg_utf8_validate(src, plen, NULL, &bad) ||
        strlen(src) != plen) {
        free(src);
        return 0;
    }
    /* a one-pattern pack */
    pg_pack pk;
    memset(&pk, 0, sizeof pk);
    pg_matcher m, *ms[1] = {&m};
    memset(&m, 0, sizeof m);
    pg_error err;
    if (pg_pattern_compile(&m.pat, src, caseless, raw, &err) != PG_OK) {
        free(src);
        return 0;
    }
    m.pat.src = src;
    m.pat.slot = 0;
    pk.matchers = ms;
    pk.nmatchers = 1;
    pk.mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(pk.mctx, PG_PCRE2_MATCH_LIMIT);
    pcre2_set_depth_limit(pk.mctx, PG_PCRE2_DEPTH_LIMIT);
    pcre2_set_heap_limit(pk.mctx, PG_PCRE2_HEAP_LIMIT_KIB);
    must(pg_start_build(&pk, &err) == PG_OK);
    pg_scratch sc;
    memset(&sc, 0, sizeof sc);
    must(pg_scratch_prepare(&sc, &pk) == 0);
    sc.src = text;
    sc.srclen = tlen;
    sc.raw = calloc(tlen + 17, 1);
    memcpy(sc.raw, text, tlen);
    must(pg_fold_text(&sc.fold, text, tlen) == 0);
    pg_hitvec got = {0};
    int rc = pg_pattern_scan(&m.pat, &sc, &got);
    must(rc >= 0);
    /* the reference: the same source compiled for a search */
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | (caseless ? PCRE2_CASELESS : 0), &ec, &off, NULL);
    must(re != NULL);
    int hit = pcre2_substring_number_from_name(re, (PCRE2_SPTR) "hit");
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    const char *subject = raw ? sc.raw : sc.fold.text;
    size_t len = raw ? tlen : sc.fold.len, start = 0, k = 0;
    int limited = 0;
    while (start <= len) {
        int r = pcre2_match(re, (PCRE2_SPTR)subject, len, start, PCRE2_NO_UTF_CHECK, md, pk.mctx);
        if (r == PCRE2_ERROR_NOMATCH) break;
        if (r < 0) {
            limited = 1;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (hit > 0 && r > hit && ov[2 * hit] != PCRE2_UNSET) {
            s = ov[2 * hit];
            e = ov[2 * hit + 1];
        }
        if (e > s && raw) {
            s = sc.fold.inv[s];
            e = sc.fold.inv[e];
        }
        if (e > s && !rc) {
            must(k < got.n && got.v[k].s == s && got.v[k].e == e);
            k++;
        }
        size_t next = ov[1];
        if (ov[1] <= ov[0]) {
            next = ov[0] + 1;
            while (next < len && ((unsigned char)subject[next] & 0xC0) == 0x80) next++;
        }
        start = next > start ? next : start + 1;
    }
    if (!rc && !limited) must(k == got.n);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    free(got.v);
    free(sc.raw);
    sc.raw = NULL;
    pg_scratch_free(&sc);
    pg_starttab_free(pk.start[0]);
    pg_starttab_free(pk.start[1]);
    pcre2_match_context_free(pk.mctx);
    pg_pattern_free(&m.pat);
    free(src);
    return 0;
}
