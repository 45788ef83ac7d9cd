/* checked.c - the engine calls every C test suite makes, each asserting that it worked. */
#include "checked.h"

#include <check.h>
#include <string.h>

pg_ctx *pgt_load(const char *pack) {
    pg_ctx *ctx = NULL;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&ctx), PG_OK);
    pg_status st = pg_ctx_load(ctx, pack, &err);
    ck_assert_msg(st == PG_OK, "loading %s: %s (file %s, rule %s, field %s)", pack, err.message,
                  err.file, err.rule, err.field);
    return ctx;
}

pg_result *pgt_check(pg_ctx *ctx, const char *text) {
    pg_result *r = NULL;
    pg_error err;
    pg_status st = pg_check(ctx, text, strlen(text), &r, &err);
    ck_assert_msg(st == PG_OK, "pg_check failed: %s", err.message);
    return r;
}

const pg_finding *pgt_find_rule(const pg_result *r, const char *rule) {
    for (size_t i = 0; i < r->nfindings; i++)
        if (strcmp(r->findings[i].rule, rule) == 0) return &r->findings[i];
    return NULL;
}
