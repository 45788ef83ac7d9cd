/* checked.h - the engine calls every C test suite makes, each asserting that it worked (Check
 * assertions, so a failure names the pack or the error message). */
#ifndef PG_TEST_CHECKED_H
#define PG_TEST_CHECKED_H

#include "postguard.h"

/* A new context with pack loaded; the caller frees it with pg_ctx_free. */
pg_ctx *pgt_load(const char *pack);
/* Check text; the caller frees the result with pg_result_free. */
pg_result *pgt_check(pg_ctx *ctx, const char *text);
/* The first finding of rule in r, or NULL. */
const pg_finding *pgt_find_rule(const pg_result *r, const char *rule);

#endif
