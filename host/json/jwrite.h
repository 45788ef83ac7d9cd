/* jwrite.h - a small JSON writer into one growable, reusable buffer: hot replies (the host's
 * results and errors, the CLI's results) are written here directly, not built as cJSON trees.
 *
 * It writes exactly what cJSON_PrintUnformatted writes for the same values (the same string
 * escapes, the same number forms), so a reply reads the same whichever path made it. */
#ifndef PG_JWRITE_H
#define PG_JWRITE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* The buffer is owned by the writer: pg_jw_free releases it. Any failed growth sets oom and
 * makes every later call a no-op, so a caller checks oom once at the end. */
typedef struct pg_jw {
    char *buf;
    size_t len, cap;
    int oom;
} pg_jw;

/* Start again with len = headroom bytes reserved at the front (e.g. a frame header); the
 * memory is kept for the next message. */
void pg_jw_reset(pg_jw *w, size_t headroom);
void pg_jw_free(pg_jw *w);

/* Append n raw bytes / a NUL-terminated raw string (no escaping). */
void pg_jw_raw(pg_jw *w, const char *s, size_t n);
void pg_jw_lit(pg_jw *w, const char *s);

/* Append s as a JSON string (quoted, escaped as cJSON does); NULL is written as "". */
void pg_jw_str(pg_jw *w, const char *s);

/* Append an unsigned integer. */
void pg_jw_uint(pg_jw *w, size_t v);

/* Append round(v * 1000) / 1000 as cJSON prints that double (e.g. 0.9, 0.041, 3). */
void pg_jw_milli(pg_jw *w, double v);

/* Append a cJSON value as cJSON_PrintUnformatted would (fast for integers and strings). */
void pg_jw_value(pg_jw *w, const cJSON *v);

#endif /* PG_JWRITE_H */
