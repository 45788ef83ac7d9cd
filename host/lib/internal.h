/* internal.h - the engine's private types, shared by the files of host/lib.
 * A pack is compiled once (rules.c, lexicon.c, pattern.c, config.c) and then only read by checks
 * (fold.c, match.c, score.c); per-check state lives in pg_scratch, owned by the context. */
#ifndef PG_INTERNAL_H
#define PG_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "postguard.h"

/* PCRE2 limits: every pattern match is bounded so that no input can make a check hang.
 * MATCH is the number of backtracking steps of one pcre2_match call, DEPTH its nesting. */
#define PG_PCRE2_MATCH_LIMIT 200000u
#define PG_PCRE2_DEPTH_LIMIT 2000u
#define PG_PCRE2_HEAP_LIMIT_KIB 4096u
#define PG_MAX_TERM_WORDS 8 /* longest lexicon term, in words */
#define PG_MAX_NESTED_FILES 512

/* ---- files (file.c) ---- */

#include <stdio.h>
#define PG_ENOTREG (-1) /* pg_open_regular: the path is not a regular file */
/* Open path for reading if it is a regular file, without ever blocking: 0 and *out, or an
 * errno value (ENOENT, EACCES, EISDIR, ...) or PG_ENOTREG. The caller fcloses *out. */
int pg_open_regular(const char *path, FILE **out);
/* Read the regular file path whole into *buf (NUL-terminated, freed by the caller) and its
 * length into *len, refusing what pg_open_regular refuses; 0, or an errno (EFBIG past max
 * bytes), or PG_ENOTREG. */
int pg_read_regular(const char *path, size_t max, char **buf, size_t *len);
const char *pg_open_strerror(int e); /* strerror, and PG_ENOTREG's words */
/* The names in dir ending in suffix (not starting with '.'), at most max of them, sorted so
 * that what is read does not depend on the file system: 0, or -1 when out of memory or dir
 * cannot be read (a missing dir is 0 with no names). The caller frees with pg_names_free. */
int pg_list_dir(const char *dir, const char *suffix, size_t max, char ***out, size_t *n);
void pg_names_free(char **v, size_t n);
int pg_cmp_str(const void *a, const void *b); /* qsort order of char * by strcmp */
/* A JSON file parsed whole into *out (the caller frees it with cJSON_Delete). Refused with
 * status `bad` when it is not valid JSON (naming the line and byte) or holds more than
 * PG_JSON_MAX_VALUES values; PG_ENOTFOUND, PG_EIO, PG_ENOMEM as their names say. */
struct cJSON;
pg_status pg_json_load(const char *path, struct cJSON **out, pg_status bad, pg_error *err);

/* ---- arena: every string and table of a pack lives here and is freed at once ---- */

typedef struct pg_arena pg_arena;
pg_arena *pg_arena_new(void);
void pg_arena_free(pg_arena *a);
void *pg_arena_alloc(pg_arena *a, size_t n);
char *pg_arena_strdup(pg_arena *a, const char *s);

/* ---- errors ---- */

/* Fill err (may be NULL) and return status. file/rule/field may be NULL. */
pg_status pg_fail(pg_error *err, pg_status status, const char *file, const char *rule,
                  const char *field, long offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PG_PRINTF_ARCHETYPE, 7, 8)))
#endif
    ;
/* pg_fail with the place at fault before the words: "FILE: rule 'RULE': FIELD: what"
 * (without the rule or the field when NULL). What the pack loader reports with. */
pg_status pg_vfail_in(pg_error *err, pg_status status, const char *file, const char *rule,
                      const char *field, long offset, const char *fmt, va_list ap);
void pg_error_clear(pg_error *err);

#ifdef _WIN32
/* POSIX getline for the C runtime that has none (os.c); same contract. */
ssize_t pg_getline(char **line, size_t *cap, FILE *f);
#define getline pg_getline
#endif

/* ---- growable vectors of spans (offsets into the folded text) ---- */

typedef struct pg_hit {
    uint32_t s, e; /* [s, e) in the folded text */
} pg_hit;

/* Make *p (an array of `elem`-byte elements, *cap of them) hold at least `need`: 0, or -1 when
 * out of memory (*p and *cap unchanged). The first allocation holds `first` (util.c). */
int pg_grow(void **p, size_t *cap, size_t need, size_t elem, size_t first);

/* qsort order of spans: by start, then by end (util.c) */
int pg_hit_cmp(const void *a, const void *b);

typedef struct pg_hitvec {
    pg_hit *v;
    size_t n, cap;
} pg_hitvec;

int pg_hitvec_push(pg_hitvec *hv, uint32_t s, uint32_t e); /* 0 or -1 on ENOMEM */

/* ---- folding: the text that rules read (fold.c) ---- */

typedef struct pg_token {
    uint32_t s, e;       /* the word in the folded text */
    uint32_t lex, lexn;  /* its lexical form (leet-folded) in scratch->lexbuf */
    uint8_t has_star;    /* contains '*' (vowel obfuscation) */
} pg_token;

/* Fold src into out (lower case, accents removed, quotes straightened, zero-width dropped).
 * map[k] is the original byte offset that produced folded byte k; map[outlen] = srclen.
 * Returns 0 or -1 on ENOMEM. Buffers are (re)allocated by the caller's vectors. */
typedef struct pg_fold {
    char *text;       /* folded text, NUL-terminated */
    size_t len, cap;
    uint32_t *map;    /* folded byte -> original byte; len + 1 entries */
    size_t mapcap;
    uint32_t *inv;    /* original byte -> folded byte; srclen + 1 entries */
    size_t invcap;
    char *tmp;        /* normalise.c's pass output, before it becomes text and map */
    uint32_t *tmpmap;
    size_t tmpcap, tmpused; /* tmpused: bytes of tmp written since the last wipe */
} pg_fold;

int pg_fold_text(pg_fold *f, const char *src, size_t srclen);
/* Undo disguises that span characters in a folded post (normalise.c): separator symbols,
 * leetspeak, hashtags, spaced letters; text, map and inv stay consistent. 0 or -1 on ENOMEM. */
int pg_normalise(pg_fold *f, const char *src, size_t srclen);
void pg_fold_free(pg_fold *f);

/* Fold a lexicon term into its lexical key ("drug seekers"); also returns the number of
 * words. Writes at most cap-1 bytes; returns the key length, 0 for an empty term, or -1 when
 * it does not fit. */
int pg_fold_term(const char *term, char *out, size_t cap, int *nwords);

/* Tokenise a folded text into words and their lexical forms; find sentence starts and quote
 * marks. Fills the scratch vectors below. */
typedef struct pg_scratch pg_scratch;
int pg_tokenize(pg_scratch *sc);

/* The letter a leetspeak digit or mark stands for ('4' -> 'a', '$' -> 's'), or c itself. */
char pg_leet(char c);

/* UTF-8 decoding of one code point at s (validated input); returns its length. */
int pg_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* ---- lexicons (lexicon.c) ---- */

typedef struct pg_lexicon {
    const char *name;  /* "places-mb", or "rule-id#terms" for inline lists */
    const char *file;  /* where it came from, for messages */
    size_t nterms;
    int used;          /* referenced by some rule */
} pg_lexicon;

/* One hash table over every term of every lexicon: key -> the lexicons holding it. A slot is
 * 12 bytes: the key's bytes live once in pg_lexicons.blob (a word prefix of a term and the
 * vowel-hidden form of a key point at the term's own bytes), and the lexicon list is inline
 * when it has one entry (see lexicon.c). */
typedef struct pg_keyslot {
    uint32_t off; /* the key's first byte in the blob */
    uint32_t tag; /* the key hash's high 24 bits | the key's length (1..255); 0: empty slot */
    uint32_t lex; /* lexicon index, PG_LEX_NONE (a word prefix only) or PG_LEX_LIST | list */
} pg_keyslot;

#define PG_LEX_NONE 0xFFFFFFFFu
#define PG_LEX_LIST 0x80000000u /* the rest indexes pg_lexicons.lists: a count, then indexes */

typedef struct pg_keyset {
    pg_keyslot *slots;
    size_t cap, count;
    int in_slab; /* slots are part of pg_lexicons.slab, not an allocation of their own */
} pg_keyset;

typedef struct pg_lexicons {
    pg_lexicon *v;
    size_t n, cap;
    pg_keyset keys;   /* exact keys, and multi-word keys run together */
    pg_keyset masked; /* keys with vowels replaced by '*', for "dr*g" */
    int maxwords;
    char *blob;       /* the bytes of every key, not NUL-terminated (slots hold lengths) */
    size_t bloblen, blobcap;
    uint16_t *lists;  /* the lexicon lists of keys in more than one lexicon */
    size_t nlists, listcap;
    void *slab;       /* both tables' first slots and the blob, in huge pages (lexicon.c) */
    size_t slablen;
    int blob_in_slab; /* the blob is part of the slab, not an allocation of its own */
} pg_lexicons;

int pg_lexicon_find(const pg_lexicons *lx, const char *name); /* index or -1 */
/* Add a lexicon (name is copied into the arena); returns its index or -1 on ENOMEM. */
int pg_lexicon_add(pg_lexicons *lx, pg_arena *a, const char *name, const char *file);
/* Add a term to lexicon li; returns PG_OK, or PG_ERULE with a message for a bad term. */
pg_status pg_lexicon_add_term(pg_lexicons *lx, pg_arena *a, int li, const char *term,
                              pg_error *err);
/* Read NAME.txt (one term per line, '#' comments) into lexicon li. */
pg_status pg_lexicon_load_file(pg_lexicons *lx, pg_arena *a, int li, const char *path,
                               pg_error *err);
void pg_lexicons_free(pg_lexicons *lx);
/* Size the tables for about `bytes` more of lexicon files, so they are not grown (and
 * rehashed) while those load. Only a hint: terms beyond it still fit. 0 or -1 on ENOMEM. */
int pg_lexicons_reserve(pg_lexicons *lx, size_t bytes);
/* Scan the tokens once and append every hit to hits[lexicon index]. */
int pg_lexicon_scan(const pg_lexicons *lx, pg_scratch *sc);

/* ---- where patterns can start (pattern_start.c, start_seqs.c, start_table.c) ---- */

/* A match may begin with a byte of c0 followed by a byte of c1 (c1 holds every byte, and 0
 * for the end of the text, when one byte may be the whole match). prev: 0, or what the byte
 * before cannot be (1: an ASCII letter, 2: a word character); bol: only at the text's start. */
typedef struct pg_startkey {
    uint8_t c0[32], c1[32];
    uint8_t prev, bol;
} pg_startkey;

typedef struct pg_u32vec {
    uint32_t *v;
    size_t n, cap;
} pg_u32vec;

typedef struct pg_starttab pg_starttab;

/* Read a pattern's source into the keys every match starts with. Returns 1 with *keys
 * (freed by the caller) when it could, 0 when the pattern must run everywhere, -1 on ENOMEM. */
int pg_start_keys(const char *src, int caseless, pg_startkey **keys, int *nkeys);

/* ---- patterns (pattern.c) ---- */

typedef struct pg_pattern {
    pcre2_code *code;
    int hit_group; /* number of the (?<hit>...) group, or 0 */
    int raw;       /* run on the original text instead of the folded text */
    int caseless;
    const char *src; /* the source, to find matchers with the same pattern (rules.c sets it) */
    int owned;       /* 0: a copy of another matcher's pattern, which frees the code */
    int slot;        /* the per-check cache slot shared by every matcher with this pattern */
    /* A cheap necessary condition, from PCRE2's own analysis: a text can only match when it
     * has at least minlen bytes and, for each of the nneed sets, one of the set's bytes. */
    uint32_t minlen;
    int nneed;
    uint8_t need[2][32]; /* bit b of need[i][b / 8]: byte b */
    /* When its starts are known (pattern_start.c) the pattern is compiled anchored and tried only
     * at the positions the pack's start table finds: keys until the table is built, then fidx,
     * its index in that table (-1 before: tried at every character). */
    int anchored;
    pg_startkey *keys;
    int nkeys;
    int fidx;
} pg_pattern;

pg_status pg_pattern_compile(pg_pattern *p, const char *src, int caseless, int raw,
                             pg_error *err);
void pg_pattern_free(pg_pattern *p);
/* The set of bytes occurring in s[0, len) (bit b of out[b / 8]). */
void pg_bytes_present(const char *s, size_t len, uint8_t out[32]);
/* 0 when p cannot match a subject of len bytes with the bytes of present; 1 when it may. */
int pg_pattern_may_match(const pg_pattern *p, const uint8_t present[32], size_t len);
/* Append every match to out (folded coordinates). Returns 0, 1 when the match limit was hit
 * (the hits so far are kept), or -1 on ENOMEM. */
int pg_pattern_scan(const pg_pattern *p, pg_scratch *sc, pg_hitvec *out);

/* ---- rules ---- */

typedef enum pg_validator { PG_VAL_NONE = 0, PG_VAL_LUHN, PG_VAL_BC_PHN, PG_VAL_DIGITS9 } pg_validator;

typedef enum pg_window_kind { PG_WIN_WORDS = 0, PG_WIN_SENTENCE, PG_WIN_POST } pg_window_kind;

typedef struct pg_window {
    pg_window_kind kind;
    uint32_t before, after; /* words, for PG_WIN_WORDS */
} pg_window;

/* A matcher: one source of evidence. Matchers are numbered across the pack so a check can
 * cache each one's hits. */
typedef struct pg_matcher {
    int id;            /* index into pack->matchers, the cache slot */
    int nlex;          /* lexicon indexes, when a lexicon/terms matcher */
    int *lex;
    pg_pattern pat;    /* when a pattern matcher (pat.code != NULL) */
    int quoted;        /* "quoted": true */
    pg_validator validate;
    pg_window window;  /* for near/unless */
} pg_matcher;

typedef struct pg_factor {
    const char *kind;  /* "age", "place", ... */
    int nm;
    pg_matcher **m;
} pg_factor;

typedef struct pg_level {
    int min;
    pg_severity severity;
} pg_level;

typedef struct pg_rule {
    const char *id, *category, *section, *message, *explanation, *suggestion, *file;
    pg_severity severity;      /* as written */
    pg_severity override;      /* from clinic configuration, or PG_SEV_NONE */
    int enabled;
    double confidence;
    int nmatch;
    pg_matcher **match;
    int nnear, near_min;
    pg_matcher **near;
    pg_window near_window;
    int nunless;
    pg_matcher **unless;
    int nfactors;
    pg_factor *factors;
    pg_window factor_window;
    int nlevels;
    pg_level *levels;
    const struct pg_section *sec;
    int learned;   /* "learned": true: the finding comes from the learned scorer (model.c) */
    int model_cat; /* for a learned rule, its category's column in the model, or -1 */
} pg_rule;

typedef struct pg_section {
    const char *number, *title, *text;
} pg_section;

typedef struct pg_pack {
    pg_arena *arena;
    const char *id, *version, *name, *path;
    pg_section *sections;
    size_t nsections;
    pg_rule *rules;
    size_t nrules;
    pg_matcher **matchers; /* every matcher, by id */
    size_t nmatchers, matchercap;
    pg_lexicons lex;
    pcre2_match_context *mctx; /* the match limits, shared by every pattern */
    pg_starttab *start[2];     /* where the anchored patterns start: folded text [0], raw [1] */
    int nstart[2];             /* how many patterns each table serves */
    struct pg_model *model;    /* the learned scorer (model.c), or NULL */
    double weight[4];          /* by severity: what a finding adds to its section's score */
} pg_pack;

/* The severity weights when pack.json gives no "severity_weights" (or leaves one out). */
#define PG_WEIGHT_LOW 0.3
#define PG_WEIGHT_MEDIUM 0.6
#define PG_WEIGHT_HIGH 0.9

/* The pack alone; clinic configuration is applied on top by ctx.c (load_base). */
pg_status pg_pack_load(const char *path, unsigned flags, pg_pack **out, pg_error *err);
void pg_pack_free(pg_pack *p);
const pg_rule *pg_pack_rule(const pg_pack *p, const char *id);
const pg_section *pg_pack_section(const pg_pack *p, const char *number);

/* Clinic configuration (config.c): validate one file against the pack and apply it. A file
 * that does not exist is PG_ENOTFOUND (skipped by the caller); any fault is PG_ECONFIG and
 * nothing of that file is applied. */
pg_status pg_config_apply(pg_pack *p, const char *path, pg_error *err);
/* The same for a configuration held in memory (the protocol's configure overlay); `name`
 * stands for the file in messages. Invalid UTF-8 or JSON is PG_ECONFIG with err->offset. */
pg_status pg_config_apply_buf(pg_pack *p, const char *name, const char *buf, size_t len,
                              pg_error *err);
/* Only parse (UTF-8 and JSON syntax) a configuration held in memory; *out is freed by the
 * caller with cJSON_Delete. */
struct cJSON;
pg_status pg_config_parse_buf(const char *name, const char *buf, size_t len,
                              struct cJSON **out, pg_error *err);

/* ---- SHA-256 (sha256.c) and the clinic's policy (policy.c) ---- */

typedef struct pg_sha256 {
    uint32_t h[8];
    uint64_t len;          /* bytes hashed so far */
    unsigned char buf[64]; /* a block not yet full */
    size_t n;              /* bytes in buf */
    int hw;                /* 1: the processor's SHA extensions do the blocks */
} pg_sha256;
/* portable 1: never the SHA extensions (for the tests that compare the two). */
void pg_sha256_init(pg_sha256 *s, int portable);
void pg_sha256_update(pg_sha256 *s, const void *data, size_t len);
void pg_sha256_final(pg_sha256 *s, char hex[65]); /* lowercase hex, NUL-terminated */

/* The pack's digest, which a clinic pins with "pack": {"sha256": ...}: the SHA-256 of
 * sha256sum's listing ("<hex>  <relative path>\n") of the files the loader reads, sorted by
 * path bytewise. For a folder: its .json files, the .txt files in lexicons/ and the model
 * that pack.json names; for a one-file pack: that file (by its base name) and its model. docs/deployment.md shows the
 * same with sha256sum. */
pg_status pg_pack_digest(const char *path, char hex[65], pg_error *err);

/* What the clinic's file says about everyone else's (policy.c): read before the pack is
 * loaded, from the JSON alone, so that a pack that does not fit the file cannot hide the pin. */
typedef struct pg_policy {
    int clinic;             /* 1: the clinic's file exists (broken or not) */
    int locked;             /* 1: a user's file may only add (the default under a clinic file;
                             * "lock": false counts only in a file that fits the pack) */
    const char *path;       /* the clinic's file (borrowed), when clinic */
    char pin_id[128], pin_version[64], pin_sha256[65]; /* "" when not pinned */
} pg_policy;
/* Read the clinic's file at path (NULL: none) into *out. Only PG_ENOMEM fails; a broken file
 * leaves the policy locked with no pin (its fault is reported when it is applied). */
pg_status pg_policy_read(const char *path, pg_policy *out, pg_error *err);
/* PG_OK when the loaded pack p (from path) is the one the policy pins, else PG_ECONFIG with
 * err naming the clinic's file and the field (pack.id, pack.version, pack.sha256). */
pg_status pg_policy_check_pack(const pg_policy *pol, const pg_pack *p, pg_error *err);

/* Only check a file against the pack, as pg_config_apply would, applying nothing. */
pg_status pg_config_check_file(pg_pack *p, const char *path, pg_error *err);
/* Apply a user's file under a locked policy: lexicon terms and raised severities apply;
 * disabled rules and lowered severities are refused and reported in *refused (status
 * PG_ECONFIG, naming the user's file and the field), and the rest of the file applies. A
 * broken file is refused whole, as pg_config_apply. */
pg_status pg_config_apply_user(pg_pack *p, const char *path, const char *clinic,
                               pg_error *refused, pg_error *err);

/* ---- per-check scratch (owned by the context, reused across checks) ---- */

struct pg_scratch {
    const char *src; /* the text being checked: only during pg_check */
    size_t srclen;
    char *raw;       /* a padded copy of src for raw patterns (JIT reads past the end) */
    size_t rawcap;
    pg_fold fold;
    pg_token *tok;
    size_t ntok, tokcap;
    char *lexbuf;
    size_t lexlen, lexcap;
    uint32_t *sent; /* folded offsets where sentences start; sent[0] = 0 */
    size_t nsent, sentcap;
    uint32_t *quote; /* folded offsets of quotation marks */
    size_t nquote, quotecap;
    pg_hitvec *lexhits; /* per lexicon */
    size_t nlexhits;
    pg_hitvec *mhits; /* per matcher, valid when mdone[i] */
    uint8_t *mdone;
    size_t nm;
    pg_hitvec *phits; /* per pattern slot (a matcher id): the pattern's own hits */
    uint8_t *pdone;   /* 0: not run yet, 1: run, 2: run and stopped at a limit */
    uint8_t present[2][32]; /* bytes of the folded text [0] and of the raw text [1] */
    pg_u32vec *cand[2];     /* candidate starts per anchored pattern, folded [0] and raw [1] */
    int ncand[2];
    uint8_t candstate[2];   /* 0: not found yet, 1: found, 2: try every character */
    pcre2_match_data *md;
    size_t limit_hits;
    const char *limit_rules[PG_MAX_LIMIT_RULES];
    int truncated; /* a rule made more than PG_MAX_FINDINGS findings */
    const pg_pack *pack;
    uint32_t *mstamp; /* per model row: the check (mgen) that last counted it */
    uint32_t mgen;
    struct pg_mfeat *mf; /* the model's features found in this check */
    size_t nmf, mfcap;
};

int pg_scratch_prepare(pg_scratch *sc, const pg_pack *p);

/* Build the pack's start tables from its anchored patterns (after every rule is read); the
 * patterns' keys are freed. */
pg_status pg_start_build(pg_pack *p, pg_error *err);
void pg_starttab_free(pg_starttab *t);
/* The positions where anchored pattern p may match in this check: *out is NULL when every
 * character start must be tried. Returns 0, or -1 on ENOMEM. */
int pg_start_positions(pg_scratch *sc, const pg_pattern *p, const pg_u32vec **out);
void pg_scratch_free(pg_scratch *sc);

/* ---- matching and scoring ---- */

/* A finding before offsets are converted: folded coordinates. */
typedef struct pg_raw_finding {
    const pg_rule *rule;
    pg_severity severity;
    double prob; /* a learned finding's probability (its confidence), else 0 */
    size_t nspans;
    pg_hit spans[PG_MAX_SPANS]; /* primary first */
} pg_raw_finding;

typedef struct pg_rawvec {
    pg_raw_finding *v;
    size_t n, cap;
} pg_rawvec;

int pg_rawvec_push(pg_rawvec *out, const pg_raw_finding *f); /* 0 or -1 on ENOMEM */

/* Evaluate every enabled rule; append findings. Returns PG_OK or PG_ENOMEM. */
pg_status pg_match_rules(pg_scratch *sc, pg_rawvec *out);
/* Turn raw findings into a result: offsets, sorting, the cap, section scores. */
pg_status pg_score(pg_scratch *sc, pg_rawvec *raw, pg_result **out);

/* Find the sentence index containing folded offset off. */
size_t pg_sentence_of(const pg_scratch *sc, uint32_t off);

/* ---- the learned scorer (model.c) ---- */

#define PG_MODEL_MAX_CATS 16
#define PG_MODEL_NORM_WORDS 20.0 /* posts up to this many words are scored unscaled */

/* Feature kinds (see model.c for how each is spelled). */
#define PG_FK_WORD 1u
#define PG_FK_BIGRAM 2u
#define PG_FK_CHAR4 4u
#define PG_FK_LEX 8u
#define PG_FK_RULE 16u
#define PG_FK_GLOBAL 32u
#define PG_FK_ALL 63u

typedef struct pg_model {
    int ncat;
    const char *cats[PG_MODEL_MAX_CATS]; /* column -> category (static strings) */
    float bias[PG_MODEL_MAX_CATS], threshold[PG_MODEL_MAX_CATS];
    float veto[PG_MODEL_MAX_CATS];       /* 0: none (model.c) */
    unsigned kinds;                      /* the feature kinds the weights were trained on */
    size_t nrows;                        /* features with a weight */
    uint32_t *row_first;                 /* per row: its first (category, weight) pair */
    uint8_t *row_n;                      /* per row: how many pairs (nonzero weights) */
    uint8_t *pair_cat;
    float *pair_w;
    size_t npairs;
    uint64_t *slot_hash; /* open addressing: the feature string's hash (0: empty) */
    uint32_t *slot_row;
    size_t cap;
} pg_model;

typedef struct pg_mfeat {
    uint32_t row;
    pg_hit span; /* where the feature was first seen */
} pg_mfeat;

/* Called once per feature occurrence (not distinct); returns nonzero to stop. */
typedef int (*pg_feat_emit)(void *ud, const char *f, size_t n, pg_hit span);

uint64_t pg_model_hash(const char *s, size_t n);
unsigned pg_model_kind_bit(const char *name, size_t n);
/* Every feature of the checked post (after pg_match_rules filled raw), of the given kinds. */
int pg_model_walk(const pg_scratch *sc, const pg_rawvec *raw, unsigned kinds, pg_feat_emit emit,
                  void *ud);
/* The length scaling v of a post of ntok words. */
double pg_model_norm(size_t ntok);
pg_status pg_model_load(const char *path, pg_model **out, pg_error *err);
void pg_model_free(pg_model *m);
int pg_model_category(const pg_model *m, const char *category); /* column or -1 */
/* Size the scratch's per-row stamps for m (NULL frees them). 0 or -1 on ENOMEM. */
int pg_model_scratch(pg_scratch *sc, const pg_model *m);
/* Score the post and append the learned rules' findings. PG_OK or PG_ENOMEM. */
pg_status pg_model_apply(pg_scratch *sc, pg_rawvec *raw);

#endif /* PG_INTERNAL_H */
