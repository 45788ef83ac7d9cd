/* main.c - `postguard`, the command line: lint posts in files or stdin against the rule pack,
 * explain a rule, list the rules. A thin front end on the engine; JSON comes from host/json/json.c. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#include "json.h"
#include "postguard.h"

/* Exit statuses, as a linter's: 0 clean, 1 something reached medium, 2 the run itself failed. */
enum { EXIT_CLEAN = 0, EXIT_FLAGGED = 1, EXIT_ERROR = 2 };

static const char usage_text[] =
    "usage: postguard check [--format text|json] [--rules PATH] [--config FILE] [FILE... | -]\n"
    "       postguard explain [--rules PATH] [--config FILE] RULE\n"
    "       postguard rules [--rules PATH] [--config FILE]\n"
    "       postguard --help | --version\n"
    "\n"
    "Checks social-media posts against the CPSM Standard of Practice: Social Media.\n"
    "\n"
    "  check      check each FILE (or stdin when none is given, or for -) and print the\n"
    "             findings; text: file:line:col severity category message [rule];\n"
    "             json: one result object per file, one per line\n"
    "  explain    print a rule's explanation and the standard's text for its section\n"
    "  rules      list the rules: id, category, section, severity, enabled\n"
    "\n"
    "  --format text|json   output format of check (default text)\n"
    "  --rules PATH         rule pack folder or file (default: $POSTGUARD_RULES, rules/ beside\n"
    "                       the program, or the installed pack)\n"
    "  --config FILE        a clinic configuration file, applied after the default ones\n"
    "                       (~/.config/postguard/config.json, /etc/postguard/config.json;\n"
    "                       on Windows %APPDATA%\\PostGuard, %ProgramData%\\PostGuard);\n"
    "                       may be given more than once\n"
    "\n"
    "Exit status: 0 when nothing reaches medium severity, 1 when something does,\n"
    "2 on an error (bad usage, unreadable file, invalid UTF-8, no rule pack).\n";

typedef struct options {
    const char *command;
    int json;
    const char *rules;
    const char **configs;
    size_t nconfigs;
    const char **operands;
    size_t noperands;
} options;

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "postguard: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nrun `postguard --help` for usage\n");
    return EXIT_ERROR;
}

/* Parse argv into o (arrays point into argv). Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, options *o) {
    o->configs = calloc((size_t)argc, sizeof *o->configs);
    o->operands = calloc((size_t)argc, sizeof *o->operands);
    if (!o->configs || !o->operands) {
        fprintf(stderr, "postguard: out of memory\n");
        return EXIT_ERROR;
    }
    int only_operands = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (!only_operands && strcmp(a, "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (only_operands || a[0] != '-' || strcmp(a, "-") == 0) {
            if (!o->command) o->command = a;
            else o->operands[o->noperands++] = a;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        }
        if (strcmp(a, "--version") == 0) {
            printf("postguard %s (protocol %d)\n", PG_VERSION, PG_PROTOCOL_VERSION);
            return EXIT_CLEAN;
        }
        /* options with a value: --opt VALUE or --opt=VALUE */
        const char *names[] = {"--format", "--rules", "--config"};
        size_t which = 3;
        for (size_t k = 0; k < 3; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(a, names[k], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                which = k;
                if (a[n] == '=') val = a + n + 1;
                else if (i + 1 < argc) val = argv[++i];
                else return usage_error("%s needs a value", names[k]);
                break;
            }
        }
        if (which == 3) return usage_error("unknown option %s", a);
        if (which == 0) {
            if (strcmp(val, "json") == 0) o->json = 1;
            else if (strcmp(val, "text") == 0) o->json = 0;
            else return usage_error("--format must be text or json, not '%s'", val);
        } else if (which == 1) {
            o->rules = val;
        } else {
            o->configs[o->nconfigs++] = val;
        }
    }
    if (!o->command) return usage_error("%s", "no command given (check, explain or rules)");
    return -1;
}

/* Create a context, register the configuration files and load the pack. Prints what went
 * wrong and returns NULL on an error; a broken configuration is only a warning. */
static pg_ctx *open_ctx(const options *o, const char *argv0) {
    pg_ctx *ctx = NULL;
    pg_error err;
    char path[4096];
    if (pg_ctx_new(&ctx) != PG_OK) {
        fprintf(stderr, "postguard: out of memory\n");
        return NULL;
    }
    if (pg_ctx_add_default_configs(ctx) != PG_OK) goto nomem;
    for (size_t i = 0; i < o->nconfigs; i++) {
        /* a file named on the command line must exist: a typo should not pass silently */
        if (access(o->configs[i], R_OK) != 0) {
            fprintf(stderr, "postguard: cannot read the configuration %s: %s\n", o->configs[i],
                    strerror(errno));
            pg_ctx_free(ctx);
            return NULL;
        }
        if (pg_ctx_add_config(ctx, o->configs[i]) != PG_OK) goto nomem;
    }
    const char *rules = o->rules;
    if (!rules) {
        char exe[4096];
        pg_exe_path(exe, sizeof exe, argv0);
        if (pg_find_rules(exe, path, sizeof path, &err) != PG_OK) {
            fprintf(stderr, "postguard: %s\n", err.message);
            pg_ctx_free(ctx);
            return NULL;
        }
        rules = path;
    }
    if (pg_ctx_load(ctx, rules, &err) != PG_OK) {
        fprintf(stderr, "postguard: cannot load the rule pack: %s\n", err.message);
        pg_ctx_free(ctx);
        return NULL;
    }
    const pg_error *cp = pg_ctx_config_problem(ctx);
    if (cp) /* the engine's message names the file and field; name the file if it does not */
        fprintf(stderr,
                "postguard: warning: a configuration file was ignored: %s%s%s (checking goes on "
                "with the rest)\n",
                cp->file[0] && !strstr(cp->message, cp->file) ? cp->file : "",
                cp->file[0] && !strstr(cp->message, cp->file) ? ": " : "", cp->message);
    return ctx;
nomem:
    fprintf(stderr, "postguard: out of memory\n");
    pg_ctx_free(ctx);
    return NULL;
}

/* ---- check -------------------------------------------------------------------------- */

/* Read all of a file (or stdin for "-") into a malloc'd buffer, refusing more than the text
 * cap. Returns 0, or -1 after printing why. */
static int read_input(const char *name, char **out, size_t *outlen) {
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (!f) {
        fprintf(stderr, "postguard: cannot read %s: %s\n", name, strerror(errno));
        return -1;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        if (len == cap) {
            if (cap > PG_MAX_TEXT_BYTES) break;
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    if (!buf) {
        fprintf(stderr, "postguard: out of memory reading %s\n", name);
        rc = -1;
    } else if (ferror(f)) {
        fprintf(stderr, "postguard: cannot read %s: %s\n", name, strerror(errno));
        rc = -1;
    } else if (len > PG_MAX_TEXT_BYTES) {
        fprintf(stderr, "postguard: %s is over %u bytes; split it into posts of at most 1 MiB\n",
                name, (unsigned)PG_MAX_TEXT_BYTES);
        rc = -1;
    }
    if (f != stdin) fclose(f);
    if (rc) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = len;
    return 0;
}


/* Print one finding per line: file:line:col severity category message [rule]. Findings are
 * sorted by start, so one forward walk finds every line and column (columns count characters). */
static void print_text(const char *name, const char *text, size_t len, const pg_result *r) {
    size_t pos = 0, line = 1, col = 1;
    for (size_t i = 0; i < r->nfindings; i++) {
        const pg_finding *f = &r->findings[i];
        size_t target = f->span.byte_start <= len ? f->span.byte_start : len;
        if (target < pos) pos = 0, line = 1, col = 1; /* not sorted by bytes: walk again */
        for (; pos < target; pos++) {
            unsigned char c = (unsigned char)text[pos];
            if (c == '\n') line++, col = 1;
            else if ((c & 0xC0) != 0x80) col++; /* count lead bytes only: one per character */
        }
        printf("%s:%zu:%zu %s %s %s [%s]\n", name, line, col, pg_severity_name(f->severity),
               f->category, f->message, f->rule);
    }
}

static int cmd_check(pg_ctx *ctx, const options *o) {
    static const char *const stdin_only[] = {"-"};
    const char *const *files = o->noperands ? o->operands : stdin_only;
    size_t nfiles = o->noperands ? o->noperands : 1;
    int status = EXIT_CLEAN, errors = 0;
    for (size_t i = 0; i < nfiles; i++) {
        const char *name = files[i];
        char *text = NULL;
        size_t len = 0;
        if (read_input(name, &text, &len)) {
            errors++;
            continue;
        }
        pg_result *r = NULL;
        pg_error err;
        double t0 = pg_clock_ms();
        pg_status st = pg_check(ctx, text, len, &r, &err);
        double elapsed = pg_clock_ms() - t0;
        if (st != PG_OK) {
            if (st == PG_EUTF8)
                fprintf(stderr, "postguard: %s is not valid UTF-8 (byte %ld); convert it first, "
                        "e.g. iconv -f latin1 -t utf-8\n", name, err.offset);
            else
                fprintf(stderr, "postguard: cannot check %s: %s\n", name, err.message);
            free(text);
            errors++;
            continue;
        }
        if (o->json) {
            pg_jw w = {0};
            pg_jw_reset(&w, 0);
            pg_jw_raw(&w, "{", 1);
            if (pg_json_write_result(&w, 0, SIZE_MAX, ctx, r, elapsed, nfiles > 1 ? name : NULL,
                                     NULL, NULL) == 0) {
                pg_jw_raw(&w, "\n", 1);
                if (!w.oom) fwrite(w.buf, 1, w.len, stdout);
            }
            if (w.oom) fprintf(stderr, "postguard: out of memory printing %s\n", name), errors++;
            pg_jw_free(&w);
        } else {
            print_text(name, text, len, r);
        }
        for (size_t k = 0; k < r->limit_hits && k < sizeof r->limit_rules / sizeof *r->limit_rules; k++)
            fprintf(stderr, "postguard: warning: %s: rule %s stopped at the pattern match limit "
                    "and may have missed something\n", name, r->limit_rules[k]);
        if (r->max_severity >= PG_SEV_MEDIUM) status = EXIT_FLAGGED;
        pg_result_free(r);
        free(text);
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "postguard: cannot write the output: %s\n", strerror(errno));
        return EXIT_ERROR;
    }
    return errors ? EXIT_ERROR : status;
}

/* ---- explain and rules ----------------------------------------------------------------- */

static int cmd_explain(pg_ctx *ctx, const options *o) {
    if (o->noperands != 1)
        return usage_error("%s", "explain takes one rule id (see `postguard rules`)");
    pg_rule_info ri;
    if (pg_ctx_rule(ctx, o->operands[0], &ri) != PG_OK) {
        fprintf(stderr, "postguard: no rule has the id '%s'; `postguard rules` lists them\n",
                o->operands[0]);
        return EXIT_ERROR;
    }
    printf("%s\n", ri.id);
    printf("  category:  %s\n", ri.category);
    printf("  section:   %s %s\n", ri.section, ri.section_title ? ri.section_title : "");
    printf("  severity:  %s%s\n", pg_severity_name(ri.severity),
           ri.enabled ? "" : " (disabled by the clinic's configuration)");
    printf("\n%s\n\nWhy: %s\n\nInstead: %s\n", ri.message, ri.explanation, ri.suggestion);
    if (ri.section_text && ri.section_text[0])
        printf("\nThe standard, %s %s:\n  %s\n", ri.section, ri.section_title ? ri.section_title : "",
               ri.section_text);
    return EXIT_CLEAN;
}

static int cmd_rules(pg_ctx *ctx, const options *o) {
    if (o->noperands) return usage_error("rules takes no arguments (got '%s')", o->operands[0]);
    size_t n = pg_ctx_rule_count(ctx);
    int w = 4;
    for (size_t i = 0; i < n; i++) {
        pg_rule_info ri;
        if (pg_ctx_rule_at(ctx, i, &ri) == PG_OK && (int)strlen(ri.id) > w) w = (int)strlen(ri.id);
    }
    printf("%-*s  %-14s  %-8s  %-8s  %s\n", w, "rule", "category", "section", "severity", "enabled");
    for (size_t i = 0; i < n; i++) {
        pg_rule_info ri;
        if (pg_ctx_rule_at(ctx, i, &ri) != PG_OK) continue;
        printf("%-*s  %-14s  %-8s  %-8s  %s\n", w, ri.id, ri.category, ri.section,
               pg_severity_name(ri.severity), ri.enabled ? "yes" : "no");
    }
    return EXIT_CLEAN;
}

int main(int argc, char **argv) {
#ifdef _WIN32
    /* Binary stdin and stdout: in text mode the C runtime turns CRLF into LF (every offset
     * after it would move, unlike the browser's text) and stops at a 0x1A byte. */
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
#endif
    options o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc < 0) {
        int (*cmd)(pg_ctx *, const options *) = NULL;
        if (strcmp(o.command, "check") == 0) cmd = cmd_check;
        else if (strcmp(o.command, "explain") == 0) cmd = cmd_explain;
        else if (strcmp(o.command, "rules") == 0) cmd = cmd_rules;
        if (!cmd) {
            rc = usage_error("unknown command '%s' (check, explain or rules)", o.command);
        } else {
            pg_ctx *ctx = open_ctx(&o, argv[0]);
            rc = ctx ? cmd(ctx, &o) : EXIT_ERROR;
            pg_ctx_free(ctx);
        }
    }
    free(o.configs);
    free(o.operands);
    return rc;
}
