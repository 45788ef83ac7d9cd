/* protocol.c - protocol version 1: validate a request, dispatch hello/check/explain/configure,
 * and build the reply; every fault becomes an `error` with a code from docs/protocol.md.
 *
 * The order of the checks is the order of the error codes a client can meet: the bytes
 * (frame_empty, bad_utf8, a NUL byte), the JSON (bad_json, not_object), the envelope (id, type:
 * bad_field, unknown_type), then the message's own fields. No reply is over PG_FRAME_MAX_OUT. */
#include "protocol.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame.h"
#include "json.h"

struct pg_proto {
    pg_ctx *ctx;                /* borrowed */
    int no_pack;                /* the pack could not be loaded: answer no_rule_pack */
    char load_message[512];     /* why, and what to do */
    pg_error overlay_problem;   /* the last refused configure, status PG_OK when none */
};

const char *pg_proto_oom_reply(void) {
    return "{\"type\":\"error\",\"id\":null,\"code\":\"internal\",\"message\":\"out of memory\"}";
}

pg_status pg_proto_new(pg_ctx *ctx, const pg_error *load_error, pg_proto **out) {
    pg_proto *p = calloc(1, sizeof *p);
    if (!p) return PG_ENOMEM;
    p->ctx = ctx;
    p->overlay_problem.status = PG_OK;
    if (load_error) {
        p->no_pack = 1;
        snprintf(p->load_message, sizeof p->load_message, "%s", load_error->message);
    }
    *out = p;
    return PG_OK;
}

void pg_proto_free(pg_proto *p) {
    free(p);
}

/* ---- building replies ---- */

/* Print reply (taking it) within the reply cap; NULL when out of memory or still too big. */
static char *finish(cJSON *reply, size_t *outlen) {
    if (!reply) return NULL;
    char *s = pg_json_print_capped(reply, PG_FRAME_MAX_OUT, outlen);
    cJSON_Delete(reply);
    return s;
}

/* A new reply object {"type": type, "id": id (copied; null when id is NULL)}. */
static cJSON *envelope(const char *type, const cJSON *id) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON *idc = id ? cJSON_Duplicate(id, 0) : cJSON_CreateNull();
    if (!cJSON_AddStringToObject(o, "type", type) || !idc) {
        cJSON_Delete(idc);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddItemToObject(o, "id", idc);
    return o;
}

static char *error_reply(const cJSON *id, const char *code, size_t *outlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static char *error_reply(const cJSON *id, const char *code, size_t *outlen, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = envelope("error", id);
    if (o && (!cJSON_AddStringToObject(o, "code", code) ||
              !cJSON_AddStringToObject(o, "message", msg))) {
        cJSON_Delete(o);
        o = NULL;
    }
    return finish(o, outlen);
}

char *pg_proto_error_reply(const char *code, const char *message, size_t *outlen) {
    return error_reply(NULL, code, outlen, "%s", message);
}

/* Move every member of from (freed) to the end of to. Returns 0, or -1 (from is freed). */
static int move_members(cJSON *to, cJSON *from) {
    if (!from) return -1;
    while (from->child) {
        cJSON *c = cJSON_DetachItemViaPointer(from, from->child);
        char *key = c->string;
        c->string = NULL;
        cJSON_AddItemToObject(to, key, c); /* copies the key */
        free(key);
        if (!c->string) { /* the copy failed: c was not added */
            cJSON_Delete(c);
            cJSON_Delete(from);
            return -1;
        }
    }
    cJSON_Delete(from);
    return 0;
}

/* ---- reading the request ---- */

/* Copy at most n printable ASCII characters of s into out (for logs and messages that quote
 * what the client sent): anything else becomes '?'. */
static void sanitise(char *out, size_t cap, const char *s, size_t n) {
    size_t k = 0;
    for (; s[k] && k < n && k + 1 < cap; k++)
        out[k] = (s[k] >= 0x20 && s[k] < 0x7f) ? s[k] : '?';
    out[k] = '\0';
}

static void log_id(pg_proto_log *log, const cJSON *id) {
    if (cJSON_IsNumber(id)) {
        snprintf(log->id, sizeof log->id, "%.15g", id->valuedouble);
    } else if (cJSON_IsString(id)) {
        char s[28];
        sanitise(s, sizeof s, id->valuestring, 24);
        snprintf(log->id, sizeof log->id, "\"%s\"", s);
    }
}

/* Count the \u0000 escapes inside JSON strings of s; when out is not NULL (a copy of s),
 * turn each into \u0020 there. The engine treats NUL as a space, and a NUL inside a C string
 * would cut the text short: a space keeps every offset and the text's length. */
static size_t nul_escapes(const char *s, size_t len, char *out) {
    size_t count = 0;
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!in_str) {
            in_str = c == '"';
        } else if (c == '\\') {
            if (i + 5 < len && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0) {
                count++;
                if (out) memcpy(out + i + 2, "0020", 4);
                i += 5;
            } else {
                i++; /* skip the escaped character, which may be a quote */
            }
        } else if (c == '"') {
            in_str = 0;
        }
    }
    return count;
}

static const char *json_kind(const cJSON *j) {
    if (cJSON_IsArray(j)) return "an array";
    if (cJSON_IsString(j)) return "a string";
    if (cJSON_IsNumber(j)) return "a number";
    if (cJSON_IsBool(j)) return "a boolean";
    if (cJSON_IsNull(j)) return "null";
    if (cJSON_IsObject(j)) return "an object";
    return "an unknown value";
}

/* A required string member, or NULL after building the bad_field reply in *reply. */
static const char *want_string(const cJSON *req, const char *key, const cJSON *id,
                               char **reply, size_t *outlen, pg_proto_log *log) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    if (cJSON_IsString(v)) return v->valuestring;
    log->code = "bad_field";
    *reply = v ? error_reply(id, "bad_field", outlen, "%s must be a string, not %s", key,
                             json_kind(v))
               : error_reply(id, "bad_field", outlen, "%s is missing (a string)", key);
    return NULL;
}

/* ---- the messages ---- */

static char *do_hello(pg_proto *p, const cJSON *id, size_t *outlen) {
    cJSON *o = envelope("hello", id);
    if (!o) return NULL;
    cJSON *cats = NULL, *secs = NULL, *lim = NULL;
    int bad = !cJSON_AddNumberToObject(o, "protocol", PG_PROTOCOL_VERSION) ||
              !cJSON_AddStringToObject(o, "version", PG_VERSION);
    if (!bad) {
        cJSON *pack = pg_json_pack(p->ctx);
        if (pack) cJSON_AddItemToObject(o, "pack", pack);
        bad = !pack || !(cats = cJSON_AddArrayToObject(o, "categories"));
    }
    for (const char *const *c = pg_categories(); !bad && *c; c++) {
        cJSON *s = cJSON_CreateString(*c);
        if (!s) bad = 1;
        else cJSON_AddItemToArray(cats, s);
    }
    if (!bad) bad = !(secs = cJSON_AddObjectToObject(o, "sections"));
    for (size_t i = 0; !bad && i < pg_ctx_section_count(p->ctx); i++) {
        pg_section_info si;
        if (pg_ctx_section_at(p->ctx, i, &si) != PG_OK) continue;
        cJSON *s = cJSON_AddObjectToObject(secs, si.section);
        bad = !s || !cJSON_AddStringToObject(s, "title", si.title ? si.title : "") ||
              !cJSON_AddStringToObject(s, "text", si.text ? si.text : "");
    }
    if (!bad)
        bad = !(lim = cJSON_AddObjectToObject(o, "limits")) ||
              !cJSON_AddNumberToObject(lim, "max_frame", PG_FRAME_MAX_IN) ||
              !cJSON_AddNumberToObject(lim, "max_text", PG_MAX_TEXT_BYTES) ||
              !cJSON_AddNumberToObject(lim, "max_reply", PG_FRAME_MAX_OUT);
    if (!bad) {
        const pg_error *cp = pg_ctx_config_problem(p->ctx);
        if (!cp && p->overlay_problem.status != PG_OK) cp = &p->overlay_problem;
        cJSON *j = pg_json_config_problem(cp);
        if (j) cJSON_AddItemToObject(o, "config_problem", j);
        bad = !j;
    }
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return finish(o, outlen);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *do_check(pg_proto *p, const cJSON *req, const cJSON *id, size_t *outlen,
                      pg_proto_log *log) {
    char *reply = NULL;
    const char *text = want_string(req, "text", id, &reply, outlen, log);
    if (!text) return reply;
    const cJSON *site = cJSON_GetObjectItemCaseSensitive(req, "site");
    if (site && !cJSON_IsString(site)) {
        log->code = "bad_field";
        return error_reply(id, "bad_field", outlen, "site must be a string, not %s",
                           json_kind(site));
    }
    if (site) {
        /* only a plain host name is logged: a count per site, never more */
        size_t n = strspn(site->valuestring,
                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
        if (n == strlen(site->valuestring) && n < sizeof log->site)
            snprintf(log->site, sizeof log->site, "%s", site->valuestring);
    }
    size_t len = strlen(text); /* exact: \u0000 escapes were made spaces before parsing */
    log->text_len = len;
    if (len > PG_MAX_TEXT_BYTES) {
        log->code = "text_too_large";
        return error_reply(id, "text_too_large", outlen,
                           "text is %zu bytes; at most %u bytes are checked", len,
                           (unsigned)PG_MAX_TEXT_BYTES);
    }
    pg_result *r = NULL;
    pg_error err;
    double t0 = now_ms();
    pg_status st = pg_check(p->ctx, text, len, &r, &err);
    log->elapsed_ms = now_ms() - t0;
    if (st != PG_OK) {
        const char *code = st == PG_EUTF8 ? "bad_utf8" : st == PG_ETOOBIG ? "text_too_large" : "internal";
        log->code = code;
        return error_reply(id, code, outlen, "%s", err.message);
    }
    cJSON *o = envelope("result", id);
    if (o && move_members(o, pg_json_result(p->ctx, r, log->elapsed_ms)) != 0) {
        cJSON_Delete(o);
        o = NULL;
    }
    pg_result_free(r);
    if (!o) return NULL;
    reply = pg_json_print_capped(o, PG_FRAME_MAX_OUT, outlen);
    log->findings = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "findings"));
    log->truncated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "truncated"));
    cJSON_Delete(o);
    return reply;
}

static char *do_explain(pg_proto *p, const cJSON *req, const cJSON *id, size_t *outlen,
                        pg_proto_log *log) {
    char *reply = NULL;
    const char *rule = want_string(req, "rule", id, &reply, outlen, log);
    if (!rule) return reply;
    pg_rule_info ri;
    if (pg_ctx_rule(p->ctx, rule, &ri) != PG_OK) {
        char shown[100];
        sanitise(shown, sizeof shown, rule, 96);
        log->code = "no_such_rule";
        return error_reply(id, "no_such_rule", outlen, "no rule has the id '%s'", shown);
    }
    cJSON *o = envelope("explanation", id);
    if (o && move_members(o, pg_json_rule(&ri)) != 0) {
        cJSON_Delete(o);
        o = NULL;
    }
    return finish(o, outlen);
}

static char *do_configure(pg_proto *p, const cJSON *req, const cJSON *id, size_t *outlen,
                          pg_proto_log *log) {
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(req, "config");
    if (!cJSON_IsObject(cfg)) {
        log->code = "bad_field";
        return cfg ? error_reply(id, "bad_field", outlen, "config must be an object, not %s",
                                 json_kind(cfg))
                   : error_reply(id, "bad_field", outlen, "config is missing (an object)");
    }
    char *json = cJSON_PrintUnformatted(cfg);
    if (!json) return NULL;
    pg_error err;
    pg_status st = pg_ctx_set_overlay(p->ctx, json, strlen(json), &err);
    free(json);
    if (st == PG_ECONFIG) {
        p->overlay_problem = err; /* refused whole: the previous overlay stays */
        log->refused = 1;
    } else if (st != PG_OK) {
        log->code = "internal";
        return error_reply(id, "internal", outlen, "the configuration could not be applied: %s",
                           err.message);
    } else {
        p->overlay_problem.status = PG_OK;
    }
    cJSON *o = envelope("configured", id);
    if (!o) return NULL;
    cJSON *pack = pg_json_pack(p->ctx);
    const pg_error *cp = st == PG_ECONFIG ? &p->overlay_problem : pg_ctx_config_problem(p->ctx);
    cJSON *prob = pg_json_config_problem(cp);
    if (pack) cJSON_AddItemToObject(o, "pack", pack);
    if (prob) cJSON_AddItemToObject(o, "config_problem", prob);
    if (!pack || !prob) {
        if (!pack) cJSON_Delete(prob);
        cJSON_Delete(o);
        return NULL;
    }
    return finish(o, outlen);
}

/* ---- dispatch ---- */

static char *dispatch(pg_proto *p, const char *in, size_t len, size_t *outlen,
                      pg_proto_log *log) {
    if (len == 0) {
        log->code = "frame_empty";
        return error_reply(NULL, "frame_empty", outlen, "the message is empty (length 0)");
    }
    size_t bad_at = 0;
    if (pg_utf8_validate(in, len, NULL, &bad_at)) {
        log->code = "bad_utf8";
        return error_reply(NULL, "bad_utf8", outlen,
                           "the message is not valid UTF-8 at byte %zu", bad_at);
    }
    const char *nul = memchr(in, '\0', len);
    if (nul) {
        log->code = "bad_json";
        return error_reply(NULL, "bad_json", outlen,
                           "invalid JSON: a NUL byte at byte %zu (write it as \\u0000 inside "
                           "a string)", (size_t)(nul - in));
    }
    char *copy = NULL;
    if (nul_escapes(in, len, NULL)) {
        if (!(copy = malloc(len))) return NULL;
        memcpy(copy, in, len);
        nul_escapes(in, len, copy);
        in = copy;
    }
    const char *end = NULL;
    cJSON *req = cJSON_ParseWithLengthOpts(in, len, &end, 0);
    size_t at = end && end >= in && end <= in + len ? (size_t)(end - in) : 0;
    char *reply = NULL;
    if (!req) {
        log->code = "bad_json";
        reply = error_reply(NULL, "bad_json", outlen, "invalid JSON at byte %zu", at);
        goto done;
    }
    while (at < len && (in[at] == ' ' || in[at] == '\t' || in[at] == '\r' || in[at] == '\n')) at++;
    if (at < len) {
        log->code = "bad_json";
        reply = error_reply(NULL, "bad_json", outlen,
                            "invalid JSON: more data after the object at byte %zu", at);
        goto done;
    }
    if (!cJSON_IsObject(req)) {
        log->code = "not_object";
        reply = error_reply(NULL, "not_object", outlen,
                            "the message must be a JSON object, not %s", json_kind(req));
        goto done;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    if (!id) {
        log->code = "bad_field";
        reply = error_reply(NULL, "bad_field", outlen, "id is missing (a number or a string)");
        goto done;
    }
    if (!(cJSON_IsNumber(id) || cJSON_IsString(id))) {
        log->code = "bad_field";
        reply = error_reply(NULL, "bad_field", outlen, "id must be a number or a string, not %s",
                            json_kind(id));
        goto done;
    }
    if (cJSON_IsString(id) && strlen(id->valuestring) > PG_PROTO_MAX_ID) {
        log->code = "bad_field";
        reply = error_reply(NULL, "bad_field", outlen, "id is longer than %d bytes",
                            PG_PROTO_MAX_ID);
        goto done;
    }
    log_id(log, id);
    const char *type = want_string(req, "type", id, &reply, outlen, log);
    if (!type) goto done;
    static const char *const known[] = {"hello", "check", "explain", "configure"};
    size_t k = 0;
    while (k < 4 && strcmp(type, known[k]) != 0) k++;
    snprintf(log->type, sizeof log->type, "%s", k < 4 ? known[k] : "(other)");
    if (k == 4) {
        char shown[44];
        sanitise(shown, sizeof shown, type, 40);
        log->code = "unknown_type";
        reply = error_reply(id, "unknown_type", outlen,
                            "unknown type '%s' (this host speaks protocol %d: hello, check, "
                            "explain, configure)", shown, PG_PROTOCOL_VERSION);
        goto done;
    }
    if (p->no_pack) {
        log->code = "no_rule_pack";
        reply = error_reply(id, "no_rule_pack", outlen, "%s", p->load_message);
        goto done;
    }
    switch (k) {
    case 0: reply = do_hello(p, id, outlen); break;
    case 1: reply = do_check(p, req, id, outlen, log); break;
    case 2: reply = do_explain(p, req, id, outlen, log); break;
    default: reply = do_configure(p, req, id, outlen, log); break;
    }
    if (!reply) { /* out of memory, or a reply that cannot fit: say so */
        log->code = "internal";
        reply = error_reply(id, "internal", outlen, "out of memory while answering");
    }
done:
    cJSON_Delete(req);
    free(copy);
    return reply;
}

char *pg_proto_handle(pg_proto *p, const char *in, size_t len, size_t *outlen,
                      pg_proto_log *log) {
    pg_proto_log scratch;
    if (!log) log = &scratch;
    memset(log, 0, sizeof *log);
    snprintf(log->type, sizeof log->type, "?");
    snprintf(log->id, sizeof log->id, "null");
    log->in_len = len;
    *outlen = 0;
    char *reply = dispatch(p, in, len, outlen, log);
    if (!reply) log->code = "internal";
    log->out_len = reply ? *outlen : strlen(pg_proto_oom_reply());
    return reply;
}
