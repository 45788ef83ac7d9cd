/* json.h - the one place a pg_result, a rule and the pack become JSON (docs/protocol.md). Its
 * own library, linked by the host and the CLI: one shape, and the CLI needs none of the host.
 *
 * A result (every check, the hot path) is written straight into a reusable buffer (jwrite.h);
 * the rest are cJSON trees: every function returning a cJSON * gives the caller a new tree to
 * free with cJSON_Delete, or NULL when out of memory. Strings are copied into the tree. */
#ifndef PG_JSON_H
#define PG_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "jwrite.h"
#include "postguard.h"

/* Write the protocol's `result` members after whatever w holds (the caller has written `{` or
 * `{"type":"result","id":..,`): findings (UTF-16 start/end and spans), sections, limit_rules,
 * limit_hits, max_severity, truncated, elapsed (milliseconds, rounded to the µs), then
 * `"file": file` when file is not NULL, and the closing `}`. Each finding's section_title is
 * looked up in ctx (which must be the context that made r).
 * The object counts from offset start of w; when it would be longer than max bytes, findings
 * are dropped from the end (keeping the most that fit) and `truncated` is true. *kept gets
 * the findings written, *truncated whether any were dropped (by the engine or here); either
 * may be NULL. Returns 0, or -1 when out of memory (w->oom) or over max even with none. */
int pg_json_write_result(pg_jw *w, size_t start, size_t max, const pg_ctx *ctx,
                         const pg_result *r, double elapsed_ms, const char *file,
                         size_t *kept, int *truncated);

/* The protocol's `explanation` fields (rule, category, section, section_title, section_text,
 * severity, enabled, message, explanation, suggestion). */
cJSON *pg_json_rule(const pg_rule_info *ri);

/* {"id", "version", "name", "rules"} for hello and configured. */
cJSON *pg_json_pack(const pg_ctx *ctx);

/* null when p is NULL, else {"file", "field", "message"} (empty fields left out). */
cJSON *pg_json_config_problem(const pg_error *p);

/* Print obj unformatted; when the text is longer than max bytes and obj has a "findings"
 * array, drop findings from the end (keeping the most findings that fit, found by bisection)
 * and set "truncated": true. Returns a malloc'd NUL-terminated string (caller frees) and its
 * length in *len, or NULL when out of memory or when even an empty findings list is over max. */
char *pg_json_print_capped(cJSON *obj, size_t max, size_t *len);

#endif /* PG_JSON_H */
