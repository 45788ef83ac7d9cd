/* jwrite.c - appending JSON to a reusable buffer, byte for byte as cJSON_PrintUnformatted would.
 * Only what the host's replies and the CLI's results need: raw text, strings, integers, 3 decimals. */
#include "jwrite.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Make room for n more bytes; 0, or -1 (oom set) when memory ran out. */
static int reserve(pg_jw *w, size_t n) {
    if (w->oom) return -1;
    if (n <= w->cap - w->len) return 0;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap - w->len < n) {
        if (cap > SIZE_MAX / 2) {
            w->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *b = realloc(w->buf, cap);
    if (!b) {
        w->oom = 1;
        return -1;
    }
    w->buf = b;
    w->cap = cap;
    return 0;
}

void pg_jw_reset(pg_jw *w, size_t headroom) {
    w->len = 0;
    w->oom = 0;
    if (reserve(w, headroom) == 0) w->len = headroom;
}

void pg_jw_free(pg_jw *w) {
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
    w->oom = 0;
}

void pg_jw_raw(pg_jw *w, const char *s, size_t n) {
    if (reserve(w, n) != 0) return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

void pg_jw_lit(pg_jw *w, const char *s) {
    pg_jw_raw(w, s, strlen(s));
}

/* The escape of a byte cJSON escapes (a quote, a backslash, or a control character). */
static char *escape(char *o, unsigned char c) {
    *o++ = '\\';
    switch (c) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '\b': *o++ = 'b'; break;
    case '\f': *o++ = 'f'; break;
    case '\n': *o++ = 'n'; break;
    case '\r': *o++ = 'r'; break;
    case '\t': *o++ = 't'; break;
    default: {
        static const char hex[] = "0123456789abcdef";
        *o++ = 'u';
        *o++ = '0';
        *o++ = '0';
        *o++ = hex[c >> 4];
        *o++ = hex[c & 15];
    }
    }
    return o;
}

void pg_jw_str(pg_jw *w, const char *s) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    /* the worst case is every byte as \u00XX: reserve once, then write without checks */
    if (n > (SIZE_MAX - 2) / 6 || reserve(w, 6 * n + 2) != 0) {
        w->oom = 1;
        return;
    }
    char *o = w->buf + w->len;
    *o++ = '"';
    /* eight bytes at a time while none needs an escape (most of a reply is the pack's prose);
     * the tests are exact: "a byte under 0x20" and "a byte equal to b" for any byte value */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    while (i < n) {
        for (; i + 8 <= n; i += 8) {
            uint64_t x, q, b;
            memcpy(&x, p + i, 8);
            q = x ^ (ones * '"');
            b = x ^ (ones * '\\');
            if ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs) break;
            memcpy(o, &x, 8);
            o += 8;
        }
        /* byte by byte up to and including the next byte that needs an escape */
        for (; i < n; i++) {
            unsigned char c = p[i];
            if (c > 31 && c != '"' && c != '\\') {
                *o++ = (char)c;
                continue;
            }
            o = escape(o, c);
            i++;
            break;
        }
    }
    *o++ = '"';
    w->len = (size_t)(o - w->buf);
}

void pg_jw_uint(pg_jw *w, size_t v) {
    char d[24];
    size_t k = sizeof d;
    do {
        d[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    pg_jw_raw(w, d + k, sizeof d - k);
}

/* A number the fast paths do not cover, printed by cJSON itself so the form is its own. */
static void slow_number(pg_jw *w, double d) {
    cJSON *n = cJSON_CreateNumber(d);
    char *s = n ? cJSON_PrintUnformatted(n) : NULL;
    if (s) pg_jw_lit(w, s);
    else w->oom = 1;
    free(s);
    cJSON_Delete(n);
}

void pg_jw_milli(pg_jw *w, double v) {
    double d = round(v * 1000.0) / 1000.0;
    /* below 10^9 (and not NaN or -0), d is k/1000 for an integer k; cJSON prints it with
     * %1.15g, which for at most 12 digits is the shortest exact form: digits, then up to three
     * decimals without trailing zeros */
    if (!(fabs(d) < 1e9) || (d == 0 && signbit(d))) {
        slow_number(w, d);
        return;
    }
    long long k = llround(d * 1000.0);
    if (k < 0) {
        pg_jw_raw(w, "-", 1);
        k = -k;
    }
    pg_jw_uint(w, (size_t)(k / 1000));
    int frac = (int)(k % 1000);
    if (frac == 0) return;
    char f[4] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10), (char)('0' + frac % 10)};
    size_t n = 4;
    while (f[n - 1] == '0') n--;
    pg_jw_raw(w, f, n);
}

void pg_jw_value(pg_jw *w, const cJSON *v) {
    if (cJSON_IsString(v)) {
        pg_jw_str(w, v->valuestring);
        return;
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        /* every integer up to 2^53-1 (the largest id the protocol accepts) as its digits:
         * cJSON's own %1.15g reads back within its tolerance and would print 2^53-1 as
         * 9.00719925474099e+15, another number; -0 keeps its sign, so it takes the slow path */
        if (d == floor(d) && fabs(d) <= 9007199254740991.0 && !(d == 0 && signbit(d))) {
            if (d < 0) pg_jw_raw(w, "-", 1);
            pg_jw_uint(w, (size_t)fabs(d));
            return;
        }
        slow_number(w, d);
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    if (s) pg_jw_lit(w, s);
    else w->oom = 1;
    free(s);
}
