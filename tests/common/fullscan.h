/* fullscan.h - what the prefilter is tested against: a pattern compiled for a plain PCRE2
 * search and scanned over the whole text, hits in folded coordinates as the engine keeps them. */
#ifndef PG_TEST_FULLSCAN_H
#define PG_TEST_FULLSCAN_H

#include "internal.h"

/* src compiled for a search (not anchored), as the engine compiles it otherwise; NULL when
 * it does not compile. The caller frees it with pcre2_code_free. */
pcre2_code *pg_full_compile(const char *src, int caseless);

/* Every match of re over sc's folded text (raw: its original text), stepping as
 * pg_pattern_scan does, into out (emptied first). Returns 0, 1 when a PCRE2 limit stopped
 * it, or -1 on ENOMEM. */
int pg_full_scan(pcre2_code *re, int raw, const pg_scratch *sc, pcre2_match_context *mctx,
                 pg_hitvec *out);

#endif
