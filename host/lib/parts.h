/* parts.h - named parts of patterns: a pack's "parts" (name -> pattern text) and the
 * {{name}} references to them inside rule patterns, expanded when the pack is loaded.
 * Private to the loader (rules.c); a check never sees a part, only the expanded pattern.
 *
 * The syntax (rules/README.md, "Named parts"):
 *   - a part's name is 1 to PG_PARTS_MAX_NAME characters: lower-case ASCII letters, digits,
 *     '-', '_' and '.', starting with a letter;
 *   - "{{name}}" in a pattern or in a part stands for the part's text, expanded in place (the
 *     text is inserted as it is: wrap it in (?:...) where a quantifier or '|' needs a group);
 *   - every "{{" outside a backslash escape starts a reference; a literal brace is "\{";
 *   - parts may refer to other parts, but not in a cycle;
 *   - no pattern or part expands to more than PG_PARTS_MAX_EXPANSION bytes, nor all the
 *     parts together to more than PG_PARTS_MAX_TOTAL.
 *
 * Ownership: pg_parts_new returns a table the caller frees with pg_parts_free;
 * pg_parts_expand returns a string the caller frees (or NULL when there was nothing to
 * expand). Nothing here is global: the table is the loader's, for the time of one load. */
#ifndef PG_PARTS_H
#define PG_PARTS_H

#include "internal.h"

#define PG_PARTS_MAX_NAME 64           /* the longest part name, in bytes */
#define PG_PARTS_MAX 4096              /* parts in one pack */
#define PG_PARTS_MAX_EXPANSION 65536u  /* bytes of one pattern or part once expanded */
#define PG_PARTS_MAX_TOTAL 4194304u    /* bytes of all the parts once expanded */

struct cJSON;
typedef struct pg_parts pg_parts;

/* Read a "parts" object (obj; NULL for none) written in file: check every name and text and
 * expand every part now, so that an unknown part, a cycle or an over-long expansion is
 * reported where it is written (field "parts.NAME"), even in a part no rule uses. Returns
 * PG_OK and *out, or PG_ERULE (PG_ENOMEM) with err naming the file, field and part. */
pg_status pg_parts_new(const struct cJSON *obj, const char *file, pg_parts **out,
                       pg_error *err);

/* Expand the references in src, a pattern of rule `rule` (field `field`) in `file`; pp may
 * be NULL (a pack without parts). On PG_OK *out is NULL when src refers to no part (use src
 * as it is), or the expanded text, which the caller frees. On an error err names the file,
 * the rule, the field and the part, and err->offset is the reference's byte in src. */
pg_status pg_parts_expand(const pg_parts *pp, const char *src, const char *file,
                          const char *rule, const char *field, char **out, pg_error *err);

void pg_parts_free(pg_parts *pp);

#endif
