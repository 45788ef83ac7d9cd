/* protocol.c - protocol version 1: validate a request, dispatch hello/check/explain/configure,
 * and build the reply; every fault becomes an `error` with a code from docs/protocol.md.
 *
 * The order of the checks is the order of the error codes a client can meet: the bytes
 * (frame_empty, bad_utf8, a NUL byte), the JSON (bad_json, not_object), the envelope (id, type:
 * bad_field, unknown_type), then the message's own fields. No reply is over PG_FRAME_MAX_OUT. */
#include <math.h>
#include "protocol.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame.h"
#include "json.h"
#include "jwrite.h"

/* Replies are written into out after PG_FRAME_HEADER bytes kept for the frame's length, so the
 * host sends header and body with one write; the buffer is reused from message to message. */
#define PG_FRAME_HEADER 4

struct pg_proto {
    pg_ctx *ctx;                /* borrowed */
    int no_pack;                /* the pack could not be loaded: answer no_rule_pack */
    char load_message[512];     /* why, and what to do */
    pg_error overlay_problem;   /* the last refused configure, status PG_OK when none */
    pg_jw out;                  /* the reply being built (header room + body) */
    char oom_frame[128];        /* header + pg_proto_oom_reply(), for when out cannot grow */
    size_t oom_len;
};

const char *pg_proto_oom_reply(void) {
    return "{\"type\":\"error\",\"id\":null,\"code\":\"internal\",\"message\":\"out of memory\"}";
}

pg_status pg_proto_new(pg_ctx *ctx, const pg_error *load_error, pg_proto **out) {
    pg_proto *p = calloc(1, sizeof *p);
    if (!p) return PG_ENOMEM;
    p->ctx = ctx;
    p->overlay_problem.status = PG_OK;
    size_t n = strlen(pg_proto_oom_reply());
    uint32_t n32 = (uint32_t)n;
    memcpy(p->oom_frame, &n32, PG_FRAME_HEADER);
    memcpy(p->oom_frame + PG_FRAME_HEADER, pg_proto_oom_reply(), n);
    p->oom_len = PG_FRAME_HEADER + n;
    if (load_error) {
        p->no_pack = 1;
        snprintf(p->load_message, sizeof p->load_message, "%s", load_error->message);
    }
    *out = p;
    return PG_OK;
}

void pg_proto_free(pg_proto *p) {
    if (!p) return;
    pg_jw_free(&p->out);
    free(p);
}

/* ---- building replies ---- */

/* Every reply below is written into p->out after the header room and returns 0, or -1 when
 * out of memory (or a reply that cannot fit the cap): dispatch then answers `internal`. */

/* Print a cJSON reply (taking it) within the reply cap into p->out: the rare messages
 * (hello, explain, configure) are still built as trees. */
static int finish(pg_proto *p, cJSON *reply) {
    if (!reply) return -1;
    size_t n = 0;
    char *s = pg_json_print_capped(reply, PG_FRAME_MAX_OUT, &n);
    cJSON_Delete(reply);
    if (!s) return -1;
    pg_jw_raw(&p->out, s, n);
    free(s);
    return p->out.oom ? -1 : 0;
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

/* `{"type":"<type>","id":<id>,` into w: the same bytes envelope() prints. */
static void write_envelope(pg_jw *w, const char *type, const cJSON *id) {
    pg_jw_lit(w, "{\"type\":");
    pg_jw_str(w, type);
    pg_jw_lit(w, ",\"id\":");
    if (id) pg_jw_value(w, id);
    else pg_jw_lit(w, "null");
    pg_jw_raw(w, ",", 1);
}

/* An error reply {"type":"error","id","code","message"} into w (which it resets). The message
 * is short (under 1 KiB), so an error always fits the cap. */
static int write_error(pg_jw *w, const cJSON *id, const char *code, const char *msg) {
    pg_jw_reset(w, PG_FRAME_HEADER);
    write_envelope(w, "error", id);
    pg_jw_lit(w, "\"code\":");
    pg_jw_str(w, code);
    pg_jw_lit(w, ",\"message\":");
    pg_jw_str(w, msg);
    pg_jw_raw(w, "}", 1);
    return w->oom ? -1 : 0;
}

static int error_reply(pg_proto *p, const cJSON *id, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PG_PRINTF_ARCHETYPE, 4, 5)))
#endif
    ;

static int error_reply(pg_proto *p, const cJSON *id, const char *code, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pg_utf8_scrub(msg); /* a cut at sizeof msg may split a character */
    return write_error(&p->out, id, code, msg);
}

char *pg_proto_error_reply(const char *code, const char *message, size_t *outlen) {
    pg_jw w = {0};
    if (write_error(&w, NULL, code, message) != 0) {
        pg_jw_free(&w);
        return NULL;
    }
    size_t n = w.len - PG_FRAME_HEADER;
    memmove(w.buf, w.buf + PG_FRAME_HEADER, n);
    w.buf[n] = '\0'; /* the header room is spare: there is space for the NUL */
    *outlen = n;
    return w.buf;
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
    /* nearly every request has none: jump from backslash to backslash (memchr) to see whether
     * "\u0000" occurs at all before walking the strings byte by byte */
    const char *b = s, *end = s + len;
    while ((b = memchr(b, '\\', (size_t)(end - b))) && !(end - b >= 6 && memcmp(b, "\\u0000", 6) == 0))
        b++;
    if (!b) return 0;
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

/* A required string member, or NULL after writing the bad_field reply (*rc its status). */
static const char *want_string(pg_proto *p, const cJSON *req, const char *key, const cJSON *id,
                               int *rc, pg_proto_log *log) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    if (cJSON_IsString(v)) return v->valuestring;
    log->code = "bad_field";
    *rc = v ? error_reply(p, id, "bad_field", "%s must be a string, not %s", key, json_kind(v))
            : error_reply(p, id, "bad_field", "%s is missing (a string)", key);
    return NULL;
}

/* ---- the messages ---- */

static int do_hello(pg_proto *p, const cJSON *id) {
    cJSON *o = envelope("hello", id);
    if (!o) return -1;
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
        return -1;
    }
    return finish(p, o);
}


static int do_check(pg_proto *p, const cJSON *req, const cJSON *id, pg_proto_log *log) {
    int rc = -1;
    const char *text = want_string(p, req, "text", id, &rc, log);
    if (!text) return rc;
    const cJSON *site = cJSON_GetObjectItemCaseSensitive(req, "site");
    if (site && !cJSON_IsString(site)) {
        log->code = "bad_field";
        return error_reply(p, id, "bad_field", "site must be a string, not %s", json_kind(site));
    }
    if (site) {
        /* only a plain host name is logged: a count per site, never more */
        size_t n = strspn(site->valuestring,
                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
        if (site->valuestring[n] == '\0' && n < sizeof log->site)
            memcpy(log->site, site->valuestring, n + 1);
    }
    size_t len = strlen(text); /* exact: \u0000 escapes were made spaces before parsing */
    log->text_len = len;
    if (len > PG_MAX_TEXT_BYTES) {
        log->code = "text_too_large";
        return error_reply(p, id, "text_too_large", "text is %zu bytes; at most %u bytes are checked",
                           len, (unsigned)PG_MAX_TEXT_BYTES);
    }
    pg_result *r = NULL;
    pg_error err;
    double t0 = pg_clock_ms();
    pg_status st = pg_check(p->ctx, text, len, &r, &err);
    log->elapsed_ms = pg_clock_ms() - t0;
    if (st != PG_OK) {
        const char *code = st == PG_EUTF8 ? "bad_utf8" : st == PG_ETOOBIG ? "text_too_large" : "internal";
        log->code = code;
        return error_reply(p, id, code, "%s", err.message);
    }
    /* written straight from the result into the reply buffer: no tree, no second copy */
    write_envelope(&p->out, "result", id);
    rc = pg_json_write_result(&p->out, PG_FRAME_HEADER, PG_FRAME_MAX_OUT, p->ctx, r,
                              log->elapsed_ms, NULL, &log->findings, &log->truncated);
    pg_result_free(r);
    return rc;
}

static int do_explain(pg_proto *p, const cJSON *req, const cJSON *id, pg_proto_log *log) {
    int rc = -1;
    const char *rule = want_string(p, req, "rule", id, &rc, log);
    if (!rule) return rc;
    pg_rule_info ri;
    if (pg_ctx_rule(p->ctx, rule, &ri) != PG_OK) {
        char shown[100];
        sanitise(shown, sizeof shown, rule, 96);
        log->code = "no_such_rule";
        return error_reply(p, id, "no_such_rule", "no rule has the id '%s'", shown);
    }
    cJSON *o = envelope("explanation", id);
    if (o && move_members(o, pg_json_rule(&ri)) != 0) {
        cJSON_Delete(o);
        o = NULL;
    }
    return finish(p, o);
}

static int do_configure(pg_proto *p, const cJSON *req, const cJSON *id, pg_proto_log *log) {
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(req, "config");
    if (!cJSON_IsObject(cfg)) {
        log->code = "bad_field";
        return cfg ? error_reply(p, id, "bad_field", "config must be an object, not %s",
                                 json_kind(cfg))
                   : error_reply(p, id, "bad_field", "config is missing (an object)");
    }
    char *json = cJSON_PrintUnformatted(cfg);
    if (!json) return -1;
    pg_error err;
    pg_status st = pg_ctx_set_overlay(p->ctx, json, strlen(json), &err);
    free(json);
    if (st == PG_ECONFIG) {
        p->overlay_problem = err; /* refused whole: the previous overlay stays */
        log->refused = 1;
    } else if (st != PG_OK) {
        log->code = "internal";
        return error_reply(p, id, "internal", "the configuration could not be applied: %s",
                           err.message);
    } else {
        p->overlay_problem.status = PG_OK;
    }
    cJSON *o = envelope("configured", id);
    if (!o) return -1;
    cJSON *pack = pg_json_pack(p->ctx);
    const pg_error *cp = st == PG_ECONFIG ? &p->overlay_problem : pg_ctx_config_problem(p->ctx);
    cJSON *prob = pg_json_config_problem(cp);
    if (pack) cJSON_AddItemToObject(o, "pack", pack);
    if (prob) cJSON_AddItemToObject(o, "config_problem", prob);
    if (!pack || !prob) {
        if (!pack) cJSON_Delete(prob);
        cJSON_Delete(o);
        return -1;
    }
    return finish(p, o);
}

/* ---- dispatch ---- */

static int dispatch(pg_proto *p, const char *in, size_t len, pg_proto_log *log) {
    pg_jw_reset(&p->out, PG_FRAME_HEADER);
    if (len == 0) {
        log->code = "frame_empty";
        return error_reply(p, NULL, "frame_empty", "the message is empty (length 0)");
    }
    size_t bad_at = 0;
    if (pg_utf8_validate(in, len, NULL, &bad_at)) {
        log->code = "bad_utf8";
        return error_reply(p, NULL, "bad_utf8",
                           "the message is not valid UTF-8 at byte %zu", bad_at);
    }
    const char *nul = memchr(in, '\0', len);
    if (nul) {
        log->code = "bad_json";
        return error_reply(p, NULL, "bad_json",
                           "invalid JSON: a NUL byte at byte %zu (write it as \\u0000 inside "
                           "a string)", (size_t)(nul - in));
    }
    /* before cJSON allocates a node per value: 8 MiB of "[0,0,..." would be 4 million */
    if (pg_json_count_values(in, len, PG_JSON_MAX_VALUES) > PG_JSON_MAX_VALUES) {
        log->code = "too_many_values";
        return error_reply(p, NULL, "too_many_values",
                           "the message holds more than %u JSON values; none of PostGuard's "
                           "messages needs that many", PG_JSON_MAX_VALUES);
    }
    char *copy = NULL;
    if (nul_escapes(in, len, NULL)) {
        if (!(copy = malloc(len))) return -1;
        memcpy(copy, in, len);
        nul_escapes(in, len, copy);
        in = copy;
    }
    const char *end = NULL;
    cJSON *req = cJSON_ParseWithLengthOpts(in, len, &end, 0);
    size_t at = end && end >= in && end <= in + len ? (size_t)(end - in) : 0;
    int rc = -1;
    if (!req) {
        log->code = "bad_json";
        rc = error_reply(p, NULL, "bad_json", "invalid JSON at byte %zu", at);
        goto done;
    }
    while (at < len && (in[at] == ' ' || in[at] == '\t' || in[at] == '\r' || in[at] == '\n')) at++;
    if (at < len) {
        log->code = "bad_json";
        rc = error_reply(p, NULL, "bad_json",
                            "invalid JSON: more data after the object at byte %zu", at);
        goto done;
    }
    if (!cJSON_IsObject(req)) {
        log->code = "not_object";
        rc = error_reply(p, NULL, "not_object",
                            "the message must be a JSON object, not %s", json_kind(req));
        goto done;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    if (!id) {
        log->code = "bad_field";
        rc = error_reply(p, NULL, "bad_field", "id is missing (a number or a string)");
        goto done;
    }
    if (!(cJSON_IsNumber(id) || cJSON_IsString(id))) {
        log->code = "bad_field";
        rc = error_reply(p, NULL, "bad_field", "id must be a number or a string, not %s",
                            json_kind(id));
        goto done;
    }
    /* cJSON reads numbers as doubles: past 2^53 an integer id would come back as another
     * number, and the extension would never match the reply to its request */
    if (cJSON_IsNumber(id) && !(fabs(id->valuedouble) <= 9007199254740991.0)) {
        log->code = "bad_field";
        rc = error_reply(p, NULL, "bad_field",
                         "id must be a string or a number from -(2^53-1) to 2^53-1; a bigger "
                         "number would come back changed");
        goto done;
    }
    if (cJSON_IsString(id) && strlen(id->valuestring) > PG_PROTO_MAX_ID) {
        log->code = "bad_field";
        rc = error_reply(p, NULL, "bad_field", "id is longer than %d bytes",
                            PG_PROTO_MAX_ID);
        goto done;
    }
    log_id(log, id);
    const char *type = want_string(p, req, "type", id, &rc, log);
    if (!type) goto done;
    static const char *const known[] = {"hello", "check", "explain", "configure"};
    size_t k = 0;
    while (k < 4 && strcmp(type, known[k]) != 0) k++;
    snprintf(log->type, sizeof log->type, "%s", k < 4 ? known[k] : "(other)");
    if (k == 4) {
        char shown[44];
        sanitise(shown, sizeof shown, type, 40);
        log->code = "unknown_type";
        rc = error_reply(p, id, "unknown_type",
                            "unknown type '%s' (this host speaks protocol %d: hello, check, "
                            "explain, configure)", shown, PG_PROTOCOL_VERSION);
        goto done;
    }
    if (p->no_pack) {
        log->code = "no_rule_pack";
        rc = error_reply(p, id, "no_rule_pack", "%s", p->load_message);
        goto done;
    }
    switch (k) {
    case 0: rc = do_hello(p, id); break;
    case 1: rc = do_check(p, req, id, log); break;
    case 2: rc = do_explain(p, req, id, log); break;
    default: rc = do_configure(p, req, id, log); break;
    }
    if (rc != 0) { /* out of memory, or a reply that cannot fit: say so */
        log->code = "internal";
        rc = error_reply(p, id, "internal", "out of memory while answering");
    }
done:
    cJSON_Delete(req);
    free(copy);
    return rc;
}

const char *pg_proto_handle_frame(pg_proto *p, const char *in, size_t len, size_t *framelen,
                                  pg_proto_log *log) {
    pg_proto_log scratch;
    if (!log) log = &scratch;
    memset(log, 0, sizeof *log);
    log->type[0] = '?';
    memcpy(log->id, "null", 5);
    log->in_len = len;
    if (dispatch(p, in, len, log) != 0 || p->out.oom) {
        log->code = "internal";
        log->out_len = p->oom_len - PG_FRAME_HEADER;
        *framelen = p->oom_len;
        return p->oom_frame;
    }
    size_t n = p->out.len - PG_FRAME_HEADER;
    uint32_t n32 = (uint32_t)n; /* at most PG_FRAME_MAX_OUT: every reply path caps it */
    memcpy(p->out.buf, &n32, PG_FRAME_HEADER);
    log->out_len = n;
    *framelen = p->out.len;
    return p->out.buf;
}

char *pg_proto_handle(pg_proto *p, const char *in, size_t len, size_t *outlen,
                      pg_proto_log *log) {
    size_t flen = 0;
    const char *f = pg_proto_handle_frame(p, in, len, &flen, log);
    *outlen = 0;
    if (f == p->oom_frame) return NULL;
    char *out = malloc(flen - PG_FRAME_HEADER + 1);
    if (!out) return NULL;
    memcpy(out, f + PG_FRAME_HEADER, flen - PG_FRAME_HEADER);
    out[flen - PG_FRAME_HEADER] = '\0';
    *outlen = flen - PG_FRAME_HEADER;
    return out;
}
