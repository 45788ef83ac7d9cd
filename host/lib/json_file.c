/* json_file.c - a rule or configuration file read as JSON: whole, bounded in bytes and in
 * values before cJSON sees it, and a syntax error named by its line and byte. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

/* A rule or configuration file, read whole with pg_read_regular; the caller frees *buf. */
#define JSON_FILE_MAX ((size_t)64 << 20) /* a rule file is never this big */
static pg_status read_file(const char *path, char **buf, size_t *len, pg_error *err) {
    int e = pg_read_regular(path, JSON_FILE_MAX, buf, len);
    if (e == EFBIG) return pg_fail(err, PG_ERULE, path, NULL, NULL, -1, "%s is larger than 64 MiB", path);
    if (e == ENOMEM) return pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory reading %s", path);
    if (e)
        return pg_fail(err, e == ENOENT ? PG_ENOTFOUND : PG_EIO, path, NULL, NULL, -1,
                       "cannot read %s: %s", path, pg_open_strerror(e));
    return PG_OK;
}

/* Parse a JSON file; on a syntax error, name the line and byte. */
pg_status pg_json_load(const char *path, cJSON **out, pg_status bad, pg_error *err) {
    char *buf = NULL;
    size_t len = 0;
    pg_status st = read_file(path, &buf, &len, err);
    if (st != PG_OK) return st;
    if (pg_json_count_values(buf, len, PG_JSON_MAX_VALUES) > PG_JSON_MAX_VALUES) {
        free(buf);
        return pg_fail(err, bad, path, NULL, NULL, -1,
                       "%s holds more than %u JSON values: too big to be a rule or configuration file",
                       path, PG_JSON_MAX_VALUES);
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!j) {
        size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
        long line = 1;
        for (size_t i = 0; i < off; i++) line += buf[i] == '\n';
        free(buf);
        return pg_fail(err, bad, path, NULL, NULL, (long)off,
                       "%s: invalid JSON at line %ld (byte %zu)", path, line, off);
    }
    free(buf);
    *out = j;
    return PG_OK;
}
