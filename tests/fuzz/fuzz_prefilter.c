/* fuzz_prefilter.c - libFuzzer target for where patterns start (host/lib/pattern_start.c, start_table.c): the
 * input is a pattern, a newline and a text; the pattern run only at its candidate starts must
 * find exactly what a plain PCRE2 search over the whole text finds. */
#include <stdlib.h>
#include <string.h>

#include "fullscan.h"
#include "fuzz.h"

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
    /* the reference: the same source compiled for a search, over every position */
    pcre2_code *re = pg_full_compile(src, caseless);
    must(re != NULL);
    pg_hitvec want = {0};
    int limited = pg_full_scan(re, raw, &sc, pk.mctx, &want);
    must(limited >= 0);
    if (!rc && !limited)
        must(got.n == want.n &&
             (!got.n || memcmp(got.v, want.v, got.n * sizeof *got.v) == 0));
    pcre2_code_free(re);
    free(want.v);
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
