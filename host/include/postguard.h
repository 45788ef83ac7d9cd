/* postguard.h - the PostGuard engine: load a rule pack, check a post, read the findings.
 * The one public header; the native-messaging host, the CLI, the benchmark and the tests sit on it.
 *
 * Ownership, stated once:
 *  - Every object returned through an `out` pointer is owned by the caller and freed with
 *    the matching *_free function (pg_ctx_free, pg_result_free). *_free(NULL) is a no-op.
 *  - Strings inside a pg_result (rule ids, messages, explanations, section titles) are
 *    borrowed from the context's rule pack: they live until pg_ctx_free or the next
 *    successful pg_ctx_load, whichever comes first. Free results before reloading.
 *  - The library keeps no global state and never reads stdin, writes stdout, or logs.
 *    A pg_ctx may be used by one thread at a time; separate contexts are independent.
 *  - Post text passed to pg_check is read only during the call and never stored,
 *    copied into the result, or written anywhere.
 */
#ifndef POSTGUARD_H
#define POSTGUARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PG_VERSION "0.1.0"

/* The printf archetype for format attributes: MinGW's GCC reads plain `printf` as msvcrt's
 * (no %zu); with __USE_MINGW_ANSI_STDIO the C99 one is linked, so check against gnu_printf.
 * Clang knows no gnu_printf, hence the two spellings. */
#if defined(__MINGW32__)
#define PG_PRINTF_ARCHETYPE gnu_printf
#else
#define PG_PRINTF_ARCHETYPE printf
#endif
#define PG_PROTOCOL_VERSION 1

/* Limits (see also docs/protocol.md). Texts longer than PG_MAX_TEXT_BYTES are refused by
 * pg_check with PG_ETOOBIG; a result holds at most PG_MAX_FINDINGS findings (the rest are
 * dropped and result->truncated is set). */
#define PG_MAX_TEXT_BYTES (1024u * 1024u)
#define PG_MAX_FINDINGS 256
#define PG_MAX_LIMIT_RULES 8 /* rule ids a result names when patterns hit PCRE2's limits */
#define PG_MAX_SPANS 16 /* underlined spans kept per finding */

/* One status enum for every fallible call. pg_status_name gives a stable wire code. */
typedef enum pg_status {
    PG_OK = 0,
    PG_ENOMEM,    /* out of memory */
    PG_EIO,       /* a file could not be read */
    PG_ENOTFOUND, /* no rule pack at the path, or no such rule */
    PG_ERULE,     /* the rule pack is invalid: err names the file, rule and field */
    PG_ECONFIG,   /* a configuration file is invalid: err names the file and field */
    PG_EUTF8,     /* the text is not valid UTF-8: err->offset is the byte at fault */
    PG_ETOOBIG,   /* the text is longer than PG_MAX_TEXT_BYTES */
    PG_EINVAL,    /* a bad argument (e.g. checking before any pack is loaded) */
    PG_ELIMIT     /* a pattern hit the PCRE2 match limit (reported per rule in results) */
} pg_status;

typedef enum pg_severity {
    PG_SEV_NONE = 0,
    PG_SEV_LOW = 1,
    PG_SEV_MEDIUM = 2,
    PG_SEV_HIGH = 3
} pg_severity;

/* Filled by a failing call; never holds post text. Fields that do not apply are empty
 * strings or -1. */
typedef struct pg_error {
    pg_status status;
    char file[512];    /* rule, lexicon or config file at fault */
    char rule[96];     /* rule id at fault */
    char field[96];    /* JSON field at fault, e.g. "match.pattern" */
    long offset;       /* byte offset (in the file, pattern or text) at fault, or -1 */
    char message[512]; /* a sentence saying what is wrong and, where possible, what to do */
} pg_error;

typedef struct pg_ctx pg_ctx;

/* A half-open range [start, end) in UTF-16 code units (what JavaScript indexes), with the
 * same range in bytes of the UTF-8 input. */
typedef struct pg_span {
    size_t start, end;
    size_t byte_start, byte_end;
} pg_span;

typedef struct pg_finding {
    const char *rule;        /* rule id, e.g. "privacy.identifiable-patient" */
    const char *category;    /* one of DESIGN.md's categories */
    const char *section;     /* section of the standard, e.g. "3.1" */
    pg_severity severity;    /* after clinic overrides */
    double confidence;       /* 0..1, from the rule */
    pg_span span;            /* the primary evidence (what the popover anchors to) */
    size_t nspans;           /* spans to underline, merged where they overlap or touch; spans[0] holds span */
    pg_span spans[PG_MAX_SPANS];
    const char *message;     /* one line */
    const char *explanation; /* why, quoting the section */
    const char *suggestion;  /* what to do instead */
} pg_finding;

/* The score of one section of the standard that fired. */
typedef struct pg_section_score {
    const char *section; /* "3.1" */
    const char *title;   /* "Privacy and Confidentiality" */
    double score;        /* 0..1, rises with the number and severity of findings */
    pg_severity level;   /* the highest severity among its findings */
    size_t findings;     /* how many findings cite it */
} pg_section_score;

typedef struct pg_result {
    size_t nfindings;
    pg_finding *findings; /* sorted by span.start, then severity (high first) */
    size_t nsections;
    pg_section_score *sections; /* sorted by level, then score (highest first) */
    int truncated;              /* 1 when findings beyond PG_MAX_FINDINGS were dropped */
    size_t limit_hits;          /* rules whose pattern hit the PCRE2 match/depth limit */
    const char *limit_rules[PG_MAX_LIMIT_RULES]; /* the first of those rule ids */
    pg_severity max_severity;
} pg_result;

/* Information about the loaded pack (borrowed, valid as the strings above). */
typedef struct pg_pack_info {
    const char *id;
    const char *version;
    const char *name;
    const char *path; /* where it was loaded from */
    size_t nrules;
    size_t nlexicons;
} pg_pack_info;

/* A rule, for `postguard rules`, `explain` and the protocol's hello/explain. */
typedef struct pg_rule_info {
    const char *id;
    const char *category;
    const char *section;
    const char *section_title;
    const char *section_text; /* the standard's words for the section */
    pg_severity severity;     /* after clinic overrides */
    int enabled;              /* 0 when a clinic configuration disables it */
    const char *message;
    const char *explanation;
    const char *suggestion;
} pg_rule_info;

/* ---- context ------------------------------------------------------------------------ */

/* Create an empty context. Returns PG_ENOMEM on failure. */
pg_status pg_ctx_new(pg_ctx **out);
void pg_ctx_free(pg_ctx *ctx);

/* Where the default rule pack is: `$POSTGUARD_RULES`, then `rules/` beside the executable
 * (exe_path, may be NULL) or one level up (a build tree), then `<prefix>/share/postguard/rules`.
 * Writes the path into buf and returns PG_OK, or PG_ENOTFOUND with a message in err naming
 * every place it looked. */
pg_status pg_find_rules(const char *exe_path, char *buf, size_t bufsize, pg_error *err);

/* Load a rule pack: a directory (pack.json, *.json rule files, lexicons/NAME.txt) or a single
 * JSON file holding the pack, its rules and inline lexicons. Then apply the configuration
 * files given with pg_ctx_add_config, if any. On failure the context keeps the pack it had.
 * A pack the clinic's file does not pin is PG_ECONFIG (see pg_ctx_add_default_configs).
 * Compiles every pattern once (PCRE2, with JIT where available). */
pg_status pg_ctx_load(pg_ctx *ctx, const char *path, pg_error *err);

/* Options for the next pg_ctx_load. PG_LOAD_NO_MODEL loads the rules without the learned
 * scorer's weights (its learned rules stay silent): for the trainer, which makes them. */
#define PG_LOAD_NO_MODEL 1u
void pg_ctx_set_load_flags(pg_ctx *ctx, unsigned flags);

/* Register a clinic configuration file (JSON: extra lexicon terms, disabled rules, severity
 * changes) to apply at the next pg_ctx_load, in the order added (later files win). A file
 * that does not exist is skipped silently; a file that is broken is skipped, and its fault
 * is kept and reported by pg_ctx_config_problem, while the base pack keeps working. A file
 * registered here is applied as it is, under no clinic's lock (the caller chose it, as the
 * command line's --config); its "lock" and "pack" are checked but act only in the clinic's
 * file of pg_ctx_add_default_configs. */
pg_status pg_ctx_add_config(pg_ctx *ctx, const char *path);

/* Register the standard configuration files, lowest precedence first:
 *   1. the user's file: $POSTGUARD_USER_CONFIG, else $XDG_CONFIG_HOME/postguard/config.json,
 *      else ~/.config/postguard/config.json;
 *   2. the clinic's system file: /etc/postguard/config.json, or $POSTGUARD_CONFIG where that
 *      file does not exist (tests, trying a file out).
 * On Windows: 1. $POSTGUARD_USER_CONFIG, else %APPDATA%\PostGuard\config.json; 2. always
 * %ProgramData%\PostGuard\config.json (an administrators-only folder; never C:\etc, which any
 * user can create, and no environment override). See pg_default_config_paths.
 * The system file wins: a rule it disables stays disabled and its severities override the
 * user's. Lexicon terms from both are added. Where the clinic's file exists it is locked
 * unless it says "lock": false: the user's file may then only add terms and raise
 * severities, and what it asked for beyond that is refused and reported by
 * pg_ctx_config_problem (the rest of it applies). The clinic's "pack": {"id", "version",
 * "sha256"} pins the pack: pg_ctx_load refuses any other with PG_ECONFIG, err naming the
 * clinic's file and the field (host/lib/policy.c). */
pg_status pg_ctx_add_default_configs(pg_ctx *ctx);

/* The two files pg_ctx_add_default_configs registers, as UTF-8 paths: writes the user's file
 * into user and the clinic's into sys (each cap bytes; "" when there is none). */
void pg_default_config_paths(char *user, char *sys, size_t cap);

/* The running program's own path (UTF-8) into buf, or argv0 when the system cannot say;
 * returns its length. For pg_find_rules: /proc/self/exe on Linux, GetModuleFileNameW on
 * Windows. */
size_t pg_exe_path(char *buf, size_t cap, const char *argv0);

/* A monotonic clock in milliseconds, for timings in logs (never for deciding anything). */
double pg_clock_ms(void);

/* The first configuration problem found by the last pg_ctx_load, or NULL when none.
 * Borrowed from ctx. */
const pg_error *pg_ctx_config_problem(const pg_ctx *ctx);

/* Set the in-memory configuration overlay (the protocol's `configure`): JSON of the same
 * format as a configuration file, applied after the files, so it has the highest precedence.
 * len 0 or an empty object `{}` removes the overlay. When a pack is loaded, it is reloaded
 * with the overlay at once (results from before must be freed first). A broken overlay
 * (invalid UTF-8 or JSON, an unknown lexicon or rule, a bad severity) fails with PG_ECONFIG,
 * err naming file "configure", the field and the fault, and changes nothing: the previous
 * overlay and pack stay. The overlay is copied; it is kept across later pg_ctx_load calls. */
pg_status pg_ctx_set_overlay(pg_ctx *ctx, const char *json, size_t len, pg_error *err);

/* ---- checking ------------------------------------------------------------------------ */

/* Check len bytes of UTF-8 text (need not be NUL-terminated; NUL bytes are allowed and
 * treated as spaces). On PG_OK *out is a result the caller frees with pg_result_free.
 * Fails with PG_EUTF8 (err->offset = first bad byte), PG_ETOOBIG or PG_EINVAL. */
pg_status pg_check(pg_ctx *ctx, const char *text, size_t len, pg_result **out, pg_error *err);
void pg_result_free(pg_result *result);

/* The learned scorer reads a post as a set of features: short strings such as "w:bed" (a
 * word), "b:bed 0" (two words), "c:<bed" (a character 4-gram), "l:places" (a lexicon hit),
 * "r:privacy.identifiable-patient" (a rule's finding) and "g:mention" (host/lib/model.c says
 * how each is spelled). pg_features checks the text as pg_check does, without the learned
 * rules, and calls fn once per distinct feature, in the order first seen; the string (not
 * NUL-terminated) is valid only during the call, and fn returns nonzero to stop early.
 * *nwords (may be NULL) gets the number of words, which scales a long post's score. For the
 * trainer (rules/tools/train.sh) and tests; it keeps nothing of the text. */
typedef int (*pg_feature_fn)(void *ud, const char *feature, size_t len);
pg_status pg_features(pg_ctx *ctx, const char *text, size_t len, pg_feature_fn fn, void *ud,
                      size_t *nwords, pg_error *err);

/* ---- the pack --------------------------------------------------------------------------- */

pg_status pg_ctx_pack_info(const pg_ctx *ctx, pg_pack_info *out);
size_t pg_ctx_rule_count(const pg_ctx *ctx);
/* i in [0, pg_ctx_rule_count). Returns PG_EINVAL past the end. */
pg_status pg_ctx_rule_at(const pg_ctx *ctx, size_t i, pg_rule_info *out);
/* Look a rule up by id; PG_ENOTFOUND when there is none. */
pg_status pg_ctx_rule(const pg_ctx *ctx, const char *id, pg_rule_info *out);

/* A section of the standard the pack quotes, for the protocol's hello. */
typedef struct pg_section_info {
    const char *section; /* "3.1" */
    const char *title;   /* "Privacy and Confidentiality" */
    const char *text;    /* the standard's words */
} pg_section_info;

size_t pg_ctx_section_count(const pg_ctx *ctx);
/* i in [0, pg_ctx_section_count), in the pack's order. Returns PG_EINVAL past the end. */
pg_status pg_ctx_section_at(const pg_ctx *ctx, size_t i, pg_section_info *out);

/* The categories every pack must use, in DESIGN.md's order; NULL-terminated, static. */
const char *const *pg_categories(void);

/* ---- small helpers ----------------------------------------------------------------------- */

const char *pg_severity_name(pg_severity s); /* "none", "low", "medium", "high" */
/* Parse "low"/"medium"/"high" (case-sensitive); returns PG_SEV_NONE when unknown. */
pg_severity pg_severity_parse(const char *s);
const char *pg_status_name(pg_status s); /* stable wire code, e.g. "rule_invalid" */

/* The most values (numbers, strings, arrays, objects...) in any one JSON text the engine or
 * the host parses: a frame, a rule file, a clinic configuration. The pack's largest file has
 * about a thousand; a clinic's lexicons of names fit many times over. */
#define PG_JSON_MAX_VALUES 100000u
/* Count the values of the JSON text s[0..len) without parsing it (an upper bound, exact for
 * valid JSON up to empty containers), stopping once the count passes max. */
size_t pg_json_count_values(const char *s, size_t len, size_t max);

/* Validate UTF-8 and count UTF-16 code units; returns 0 and sets *units, or -1 and sets
 * *bad_offset to the first invalid byte. Exposed for the host and the tests. */
int pg_utf8_validate(const char *s, size_t len, size_t *units, size_t *bad_offset);
/* Make the NUL-terminated s valid UTF-8 in place: each byte that does not belong to a valid
 * sequence (one cut by a fixed-size buffer, or from a file name) becomes '?'. Returns how many
 * bytes it replaced. Every pg_error's strings are scrubbed already. */
size_t pg_utf8_scrub(char *s);

/* Convert n sorted-or-not byte offsets (each on a character boundary, <= len) of s into
 * UTF-16 code unit offsets, in place order preserved. One pass over s. */
void pg_utf16_offsets(const char *s, size_t len, const size_t *bytes, size_t *units, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* POSTGUARD_H */
