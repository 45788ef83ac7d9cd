/* utf16.c - UTF-8 validation and byte -> UTF-16 offset conversion.
 * PCRE2 and the engine work in UTF-8 bytes; the browser indexes UTF-16 code units. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid (overlong forms,
 * surrogates, code points past U+10FFFF and truncated sequences are all invalid). */
static size_t seq_len(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) return (avail >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c < 0xF0) {
        if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;  /* overlong */
        if (c == 0xED && s[1] >= 0xA0) return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;  /* overlong */
        if (c == 0xF4 && s[1] >= 0x90) return 0; /* past U+10FFFF */
        return 4;
    }
    return 0;
}

int pg_utf8_validate(const char *str, size_t len, size_t *units, size_t *bad_offset) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, u = 0;
    while (i < len) {
        if (s[i] < 0x80) { /* fast path for ASCII runs */
            i++;
            u++;
            continue;
        }
        size_t n = seq_len(s + i, len - i);
        if (n == 0) {
            if (bad_offset) *bad_offset = i;
            return -1;
        }
        u += n == 4 ? 2 : 1;
        i += n;
    }
    if (units) *units = u;
    return 0;
}

size_t pg_utf8_scrub(char *str) {
    unsigned char *s = (unsigned char *)str;
    size_t len = strlen(str), fixed = 0;
    for (size_t i = 0; i < len;) {
        size_t n = s[i] < 0x80 ? 1 : seq_len(s + i, len - i);
        if (n == 0) { /* a stray or cut byte: a message cut at a buffer's end ends in one */
            s[i++] = '?';
            fixed++;
        } else {
            i += n;
        }
    }
    return fixed;
}

int pg_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80 || len < 2) {
        *cp = c;
        return 1;
    }
    if (c < 0xE0) {
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0 || len < 4) {
        if (len < 3) { *cp = c; return 1; }
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
          ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
}

typedef struct {
    size_t byte;
    size_t idx;
} off_ref;

static int cmp_ref(const void *a, const void *b) {
    const off_ref *x = a, *y = b;
    return (x->byte > y->byte) - (x->byte < y->byte);
}

/* Sort the requested offsets and walk the text once: O(len + n log n), whatever n is. */
void pg_utf16_offsets(const char *str, size_t len, const size_t *bytes, size_t *units, size_t n) {
    if (n == 0) return;
    off_ref stackbuf[64];
    off_ref *refs = n <= 64 ? stackbuf : malloc(n * sizeof *refs);
    if (!refs) { /* no memory: fall back to one walk per offset (correct, slower) */
        for (size_t k = 0; k < n; k++) pg_utf16_offsets(str, len, &bytes[k], &units[k], 1);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        refs[k].byte = bytes[k] > len ? len : bytes[k];
        refs[k].idx = k;
    }
    qsort(refs, n, sizeof *refs, cmp_ref);
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, u = 0, k = 0;
    while (k < n) {
        while (k < n && refs[k].byte <= i) units[refs[k++].idx] = u;
        if (i >= len) break;
        unsigned char c = s[i];
        size_t step = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        u += step == 4 ? 2 : 1;
        i += step;
    }
    while (k < n) units[refs[k++].idx] = u;
    if (refs != stackbuf) free(refs);
}
