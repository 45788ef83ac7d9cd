/* texts.c - test inputs that try to make the engine slow: realistic text at any size, long
 * runs of one character, emoji, text without spaces, and per-pattern backtracking bait. */
#include "texts.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen.h"

const char *const pg_text_kinds[] = {"mixed", "run-a", "run-digit", "run-bang", "run-space",
                                     "emoji", "nospace", "caps", NULL};

/* Bytes in the UTF-8 sequence that starts with lead byte c. */
static size_t seqlen(unsigned char c) {
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
}

/* Repeat unit into out until about bytes, cutting only at a whole unit. */
static size_t repeat(const char *unit, char *out, size_t bytes) {
    size_t u = strlen(unit), len = 0;
    while (len + u <= bytes) {
        memcpy(out + len, unit, u);
        len += u;
    }
    if (len == 0) { /* a unit longer than the text: its head, cut at a character */
        len = bytes;
        while (len > 0 && ((unsigned char)unit[len] & 0xC0) == 0x80) len--;
        memcpy(out, unit, len);
    }
    out[len] = '\0';
    return len;
}

size_t pg_make_text(const char *kind, char *out, size_t bytes) {
    pg_gen g;
    pg_gen_init(&g, 42, 30);
    if (strcmp(kind, "mixed") == 0) return pg_gen_post_bytes(&g, out, bytes);
    if (strcmp(kind, "run-a") == 0) return repeat("a", out, bytes);
    if (strcmp(kind, "run-digit") == 0) return repeat("9", out, bytes);
    if (strcmp(kind, "run-bang") == 0) return repeat("!", out, bytes);
    if (strcmp(kind, "run-space") == 0) return repeat(" ", out, bytes);
    if (strcmp(kind, "emoji") == 0) /* plain, skin tone, ZWJ sequence, flag, keycap */
        return repeat("😀👍🏽👩‍⚕️🇨🇦1️⃣💊🏥", out, bytes);
    if (strcmp(kind, "nospace") == 0 || strcmp(kind, "caps") == 0) {
        /* generate a third more, drop the spaces (or raise the case), cut at a character */
        char *tmp = malloc(bytes + bytes / 3 + 1);
        if (!tmp) return 0;
        size_t len = pg_gen_post_bytes(&g, tmp, bytes + bytes / 3), o = 0;
        for (size_t i = 0; i < len;) {
            size_t k = seqlen((unsigned char)tmp[i]);
            char c = tmp[i];
            if (kind[0] == 'n' && (c == ' ' || c == '\n')) {
                i++;
                continue;
            }
            if (o + k > bytes) break;
            memcpy(out + o, tmp + i, k);
            if (kind[0] == 'c' && c >= 'a' && c <= 'z') out[o] = (char)(c - 'a' + 'A');
            o += k;
            i += k;
        }
        out[o] = '\0';
        free(tmp);
        return o;
    }
    return 0;
}

/* The pattern's literal skeleton: what a text that almost matches looks like. */
static void skeleton(const char *p, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; p[i] && o + 2 < cap; i++) {
        char c = p[i];
        if (c == '\\' && p[i + 1]) {
            char e = p[++i];
            char s = e == 'd' ? '7' : e == 's' ? ' ' : e == 'w' ? 'x' : e == 'b' || e == 'B' ? 0
                   : (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ? 0 : e;
            if (s) out[o++] = s;
        } else if (c == '[') { /* a class: its first member */
            size_t j = i + 1;
            if (p[j] == '^') j++;
            if (p[j] == '\\' && p[j + 1]) j++;
            if (p[j] && p[j] != ']' && (unsigned char)p[j] < 0x80)
                out[o++] = p[j] == 'd' && p[j - 1] == '\\' ? '7' : p[j];
            while (p[j] && p[j] != ']') j += p[j] == '\\' && p[j + 1] ? 2 : 1;
            i = p[j] ? j : j - 1;
        } else if (c == '(' && p[i + 1] == '?') { /* (?: (?i) (?<name> (?= ...: skip the head */
            i++;
            if (p[i + 1] == '<' && p[i + 2] != '=' && p[i + 2] != '!')
                while (p[i + 1] && p[i + 1] != '>') i++;
            while (p[i + 1] && strchr(":<>=!imsx-", p[i + 1])) i++;
        } else if (c == '{') {
            while (p[i + 1] && p[i] != '}') i++;
        } else if ((unsigned char)c >= 0x80) { /* a whole character */
            size_t k = seqlen((unsigned char)c);
            if (o + k + 2 >= cap) break;
            memcpy(out + o, p + i, k);
            o += k;
            i += k - 1;
        } else if (!strchr("()|?*+^$.", c)) {
            out[o++] = c;
        }
    }
    out[o] = '\0';
}

size_t pg_make_bait(const char *pattern, char *out, size_t bytes) {
    char sk[512], unit[4096];
    skeleton(pattern, sk, sizeof sk);
    if (!sk[0]) snprintf(sk, sizeof sk, "a");
    size_t u = 0, n = strlen(sk);
    /* every character stretched (feeds each + and *), then the skeleton twice without a
     * separator, then the skeleton without its last character (the near miss) */
    for (size_t i = 0; i < n && u + 40 < sizeof unit / 2;) {
        size_t k = seqlen((unsigned char)sk[i]);
        if (k == 1) { /* stretch ASCII; copy other characters once */
            memset(unit + u, sk[i], 24);
            u += 24;
        } else {
            memcpy(unit + u, sk + i, k);
            u += k;
        }
        i += k;
    }
    if (u + 3 * n + 4 < sizeof unit) {
        unit[u++] = ' ';
        memcpy(unit + u, sk, n), u += n;
        memcpy(unit + u, sk, n), u += n;
        unit[u++] = ' ';
        size_t cut = n - 1;
        while (cut > 0 && ((unsigned char)sk[cut] & 0xC0) == 0x80) cut--;
        memcpy(unit + u, sk, cut), u += cut;
        unit[u++] = ' ';
    }
    unit[u] = '\0';
    return repeat(unit, out, bytes);
}

/* ---- the pack's patterns ---- */

typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

static void collect(const cJSON *j, strvec *sv) {
    for (const cJSON *c = j ? j->child : NULL; c; c = c->next) {
        if (c->string && strcmp(c->string, "pattern") == 0 && cJSON_IsString(c)) {
            if (sv->n + 2 > sv->cap) {
                size_t cap = sv->cap ? sv->cap * 2 : 64;
                char **nv = realloc(sv->v, cap * sizeof *nv);
                if (!nv) return;
                sv->v = nv;
                sv->cap = cap;
            }
            sv->v[sv->n++] = strdup(c->valuestring);
            sv->v[sv->n] = NULL;
        }
        collect(c, sv);
    }
}

static void collect_file(const char *path, strvec *sv) {
    FILE *f = fopen(path, "rb");
    if (!f) return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        cJSON *j = cJSON_ParseWithLength(buf, (size_t)n);
        collect(j, sv);
        cJSON_Delete(j);
    }
    free(buf);
    fclose(f);
}

char **pg_pack_patterns(const char *pack, size_t *n) {
    strvec sv = {0};
    struct stat sb;
    if (stat(pack, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(pack);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", pack, e->d_name);
                collect_file(path, &sv);
            }
        }
        if (d) closedir(d);
    } else {
        collect_file(pack, &sv);
    }
    *n = sv.n;
    return sv.v;
}

void pg_free_patterns(char **v) {
    for (size_t i = 0; v && v[i]; i++) free(v[i]);
    free(v);
}
