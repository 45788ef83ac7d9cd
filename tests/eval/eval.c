/* eval.c - measures the rule pack through the real command line: recall per category,
 * wrong-category flags, and the false-positive rate on fine posts, over a labelled JSONL set.
 *
 * usage: pg-eval --cli PATH [--rules PATH] [--optional] [--min-recall R] [--max-fp F]
 *                [--floor CATEGORY=R]... [--min-macro R] [--min-warned R] [--verbose]
 *                FILE.jsonl...
 *
 * Each post is checked by running `CLI check --format json [--rules PATH] -` once, with the
 * post written to the child's standard input through a pipe: post text is never written to
 * a file. The labels follow shared/corpus/README.md: "expect" lists the categories a correct
 * checker must flag at medium or high, "allow" the ones it may also flag. The table is always
 * printed, with the macro and micro recall and the share of risky posts that got at least one
 * warning (medium or high, any category); several files are scored as one set. The exit status
 * is 0 when every category with at least MIN_ITEMS items has recall >= min-recall (or its own
 * --floor), the macro recall and the warned share reach --min-macro and --min-warned, and the
 * false-positive rate is <= max-fp; 1 when not, 2 on an error, and 77 (ctest's skip code)
 * when --optional is given and a file does not exist. Without --verbose no post is named: the
 * held-out test split is scored, never read for what it missed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define MIN_ITEMS 5        /* categories with fewer items are reported but not judged */
#define MAX_CATS 32
#define MAX_OUTPUT (4u << 20) /* a CLI answer larger than this is an error */
#define EXIT_SKIP 77

typedef struct options {
    const char *cli;
    const char *rules;
    const char *file;
    int optional;
    int verbose;
    double min_recall;
    double max_fp;
    double min_macro, min_warned;
    int nfloors;
    char floor_cat[MAX_CATS][48];
    double floor[MAX_CATS];
} options;

typedef struct tally {
    char name[48];
    int items;   /* posts whose expect holds this category */
    int flagged; /* ... and that were flagged with it */
    int wrong;   /* posts with labels that were flagged with it outside expect and allow */
} tally;

typedef struct totals {
    tally cats[MAX_CATS];
    int ncats;
    int posts;
    int fine;     /* posts with an empty expect */
    int fine_fp;  /* ... flagged outside allow */
    int risky;    /* posts with a category in expect */
    int warned;   /* ... that got at least one warning */
} totals;

static tally *tally_of(totals *t, const char *name) {
    for (int i = 0; i < t->ncats; i++)
        if (strcmp(t->cats[i].name, name) == 0) return &t->cats[i];
    if (t->ncats == MAX_CATS) return NULL;
    tally *c = &t->cats[t->ncats++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    return c;
}

static int has_string(const cJSON *arr, const char *s) {
    const cJSON *x;
    cJSON_ArrayForEach(x, arr) if (cJSON_IsString(x) && strcmp(x->valuestring, s) == 0) return 1;
    return 0;
}

/* ---- running the CLI ---- */

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Run the CLI on text; on success *out is its standard output (NUL-terminated, caller frees)
 * and *status its exit status. Returns 0, or -1 with a message on stderr. */
static int run_cli(const options *o, const char *text, char **out, int *status) {
    int in[2], res[2];
    if (pipe(in) || pipe(res)) {
        perror("pg-eval: pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("pg-eval: fork");
        return -1;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(res[1], 1);
        close(in[0]);
        close(in[1]);
        close(res[0]);
        close(res[1]);
        /* measure the pack alone: no user or clinic configuration from this machine */
        setenv("POSTGUARD_USER_CONFIG", "/nonexistent/postguard-eval", 1);
        setenv("POSTGUARD_CONFIG", "/nonexistent/postguard-eval", 1);
        const char *argv[8];
        int a = 0;
        argv[a++] = o->cli;
        argv[a++] = "check";
        argv[a++] = "--format";
        argv[a++] = "json";
        if (o->rules) {
            argv[a++] = "--rules";
            argv[a++] = o->rules;
        }
        argv[a++] = "-";
        argv[a] = NULL;
        execv(o->cli, (char *const *)argv);
        fprintf(stderr, "pg-eval: cannot run %s: %s\n", o->cli, strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(res[1]);
    /* The CLI reads all of stdin before it writes, so writing first cannot deadlock. */
    int rc = write_all(in[1], text, strlen(text));
    close(in[1]);
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) break;
        if (len + 1 >= cap) {
            if (cap >= MAX_OUTPUT) break;
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        ssize_t r = read(res[0], buf + len, cap - 1 - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(res[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    if (!buf || rc) {
        free(buf);
        fprintf(stderr, "pg-eval: talking to the CLI failed\n");
        return -1;
    }
    buf[len] = '\0';
    *out = buf;
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    return 0;
}

/* The categories flagged at medium or high in the CLI's JSON answer, as a cJSON array the
 * caller deletes; NULL when the answer is not a result. */
static cJSON *flagged_categories(const char *answer) {
    cJSON *j = cJSON_Parse(answer);
    if (!j) return NULL;
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(j, "findings");
    if (!cJSON_IsArray(findings)) {
        cJSON_Delete(j);
        return NULL;
    }
    cJSON *cats = cJSON_CreateArray();
    const cJSON *f;
    cJSON_ArrayForEach(f, findings) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(f, "category");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(f, "severity");
        if (!cJSON_IsString(c) || !cJSON_IsString(s)) continue;
        if (strcmp(s->valuestring, "medium") && strcmp(s->valuestring, "high")) continue;
        if (!has_string(cats, c->valuestring))
            cJSON_AddItemToArray(cats, cJSON_CreateString(c->valuestring));
    }
    cJSON_Delete(j);
    return cats;
}

/* ---- one labelled post ---- */

static int score_post(const options *o, totals *t, const cJSON *post, long lineno) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(post, "id");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(post, "text");
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(post, "expect");
    const cJSON *allow = cJSON_GetObjectItemCaseSensitive(post, "allow");
    const char *pid = cJSON_IsString(id) ? id->valuestring : "?";
    if (!cJSON_IsString(text) || !cJSON_IsArray(expect)) {
        fprintf(stderr, "pg-eval: %s line %ld: needs \"text\" and an \"expect\" list\n", o->file, lineno);
        return -1;
    }
    char *answer = NULL;
    int status = 0;
    if (run_cli(o, text->valuestring, &answer, &status)) return -1;
    cJSON *flagged = status <= 1 ? flagged_categories(answer) : NULL;
    free(answer);
    if (!flagged) {
        fprintf(stderr, "pg-eval: %s: the CLI failed (exit %d) or answered something else\n", pid, status);
        return -1;
    }
    t->posts++;
    const cJSON *c;
    cJSON_ArrayForEach(c, expect) {
        if (!cJSON_IsString(c)) continue;
        tally *ty = tally_of(t, c->valuestring);
        if (!ty) continue;
        ty->items++;
        if (has_string(flagged, c->valuestring)) ty->flagged++;
        else if (o->verbose) printf("  missed  %-8s %s\n", pid, c->valuestring);
    }
    int fine = cJSON_GetArraySize(expect) == 0, outside = 0;
    if (!fine) {
        t->risky++;
        t->warned += cJSON_GetArraySize(flagged) > 0;
    }
    cJSON_ArrayForEach(c, flagged) {
        if (has_string(expect, c->valuestring) || has_string(allow, c->valuestring)) continue;
        outside = 1;
        if (o->verbose) printf("  %s %-8s %s\n", fine ? "false+ " : "wrong  ", pid, c->valuestring);
        if (!fine) {
            tally *ty = tally_of(t, c->valuestring);
            if (ty) ty->wrong++;
        }
    }
    if (fine) {
        t->fine++;
        t->fine_fp += outside;
    }
    cJSON_Delete(flagged);
    return 0;
}

/* ---- the report ---- */

/* DESIGN.md's categories, so the table always lists them in the same order. */
static void seed_categories(totals *t) {
    static const char *const names[] = {"privacy", "advice", "claims", "qualifications", "respect",
                                        "boundaries", "promotion", "patient-search",
                                        "closed-group", "distraction", "tone", NULL};
    for (int i = 0; names[i]; i++) tally_of(t, names[i]);
}

static double floor_of(const options *o, const char *cat) {
    for (int i = 0; i < o->nfloors; i++)
        if (strcmp(o->floor_cat[i], cat) == 0) return o->floor[i];
    return o->min_recall;
}

static int report(const options *o, const totals *t, const char *what) {
    int ok = 1;
    printf("\nevaluation of %s (%d posts)\n\n", what, t->posts);
    printf("| category | items | flagged | recall | floor | wrong-category flags | judged |\n");
    printf("|---|---:|---:|---:|---:|---:|---|\n");
    double macro = 0;
    int used = 0, items = 0, flagged = 0;
    for (int i = 0; i < t->ncats; i++) {
        const tally *c = &t->cats[i];
        double recall = c->items ? (double)c->flagged / c->items : 0.0;
        double fl = floor_of(o, c->name);
        const char *judged = "-";
        if (c->items) {
            macro += recall;
            used++;
            items += c->items;
            flagged += c->flagged;
        }
        if (c->items >= MIN_ITEMS) {
            judged = recall + 1e-9 >= fl ? "ok" : "FAIL";
            if (recall + 1e-9 < fl) ok = 0;
        }
        if (c->items) printf("| %s | %d | %d | %.2f | %.2f | %d | %s |\n", c->name, c->items, c->flagged, recall, fl, c->wrong, judged);
        else printf("| %s | 0 | 0 | - | - | %d | - |\n", c->name, c->wrong);
    }
    macro = used ? macro / used : 0;
    double micro = items ? (double)flagged / items : 0;
    double warned = t->risky ? (double)t->warned / t->risky : 0;
    int m_ok = macro + 1e-9 >= o->min_macro, w_ok = warned + 1e-9 >= o->min_warned;
    if (!m_ok || !w_ok) ok = 0;
    printf("\nrecall: macro %.2f (floor %.2f) %s, micro %.2f\n", macro, o->min_macro, m_ok ? "ok" : "FAIL", micro);
    printf("risky posts with at least one warning: %d of %d (%.1f%%, floor %.1f%%) %s\n", t->warned,
           t->risky, 100.0 * warned, 100.0 * o->min_warned, w_ok ? "ok" : "FAIL");
    double fp = t->fine ? (double)t->fine_fp / t->fine : 0.0;
    int fp_ok = fp <= o->max_fp + 1e-9;
    if (!fp_ok) ok = 0;
    printf("fine posts: %d, false positives: %d, false-positive rate: %.1f%% (limit %.1f%%) %s\n",
           t->fine, t->fine_fp, 100.0 * fp, 100.0 * o->max_fp, fp_ok ? "ok" : "FAIL");
    printf("result: %s (recall >= its floor in every category with >= %d items, FP rate <= %.1f%%)\n",
           ok ? "PASS" : "FAIL", MIN_ITEMS, 100.0 * o->max_fp);
    return ok;
}

static int usage(void) {
    fprintf(stderr, "usage: pg-eval --cli PATH [--rules PATH] [--optional] [--min-recall R] "
                    "[--max-fp F] [--floor CATEGORY=R]... [--min-macro R] [--min-warned R] "
                    "[--verbose] FILE.jsonl...\n");
    return 2;
}

/* Score one file into t; returns the number of posts that could not be evaluated, or -1
 * when the file cannot be read. */
static int score_file(options *o, totals *t, const char *file) {
    o->file = file;
    FILE *f = fopen(file, "r");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int errors = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n <= 1) continue;
        cJSON *post = cJSON_Parse(line);
        if (!post) {
            fprintf(stderr, "pg-eval: %s line %ld is not JSON\n", file, lineno);
            errors++;
            continue;
        }
        if (score_post(o, t, post, lineno)) errors++;
        cJSON_Delete(post);
    }
    free(line);
    fclose(f);
    return errors;
}

int main(int argc, char **argv) {
    options o;
    memset(&o, 0, sizeof o);
    o.min_recall = 0.90;
    o.max_fp = 0.05;
    const char *files[64];
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--cli") == 0 && i + 1 < argc) o.cli = argv[++i];
        else if (strcmp(a, "--rules") == 0 && i + 1 < argc) o.rules = argv[++i];
        else if (strcmp(a, "--min-recall") == 0 && i + 1 < argc) o.min_recall = atof(argv[++i]);
        else if (strcmp(a, "--max-fp") == 0 && i + 1 < argc) o.max_fp = atof(argv[++i]);
        else if (strcmp(a, "--min-macro") == 0 && i + 1 < argc) o.min_macro = atof(argv[++i]);
        else if (strcmp(a, "--min-warned") == 0 && i + 1 < argc) o.min_warned = atof(argv[++i]);
        else if (strcmp(a, "--floor") == 0 && i + 1 < argc && o.nfloors < MAX_CATS) {
            const char *v = argv[++i], *eq = strchr(v, '=');
            if (!eq || eq == v || (size_t)(eq - v) >= sizeof o.floor_cat[0]) return usage();
            memcpy(o.floor_cat[o.nfloors], v, (size_t)(eq - v));
            o.floor_cat[o.nfloors][eq - v] = '\0';
            o.floor[o.nfloors++] = atof(eq + 1);
        } else if (strcmp(a, "--optional") == 0) o.optional = 1;
        else if (strcmp(a, "--verbose") == 0) o.verbose = 1;
        else if (a[0] != '-' && nfiles < 64) files[nfiles++] = a;
        else return usage();
    }
    if (!o.cli || !nfiles) return usage();
    signal(SIGPIPE, SIG_IGN); /* a CLI that dies early must not kill the evaluation */
    for (int i = 0; i < nfiles; i++) {
        if (access(files[i], R_OK) == 0) continue;
        if (o.optional && errno == ENOENT) {
            printf("pg-eval: %s is not here; skipped\n", files[i]);
            return EXIT_SKIP;
        }
        fprintf(stderr, "pg-eval: cannot read %s: %s\n", files[i], strerror(errno));
        return 2;
    }
    totals *t = calloc(1, sizeof *t);
    if (!t) {
        fprintf(stderr, "pg-eval: out of memory\n");
        return 2;
    }
    seed_categories(t);
    int errors = 0;
    char what[1024] = "";
    for (int i = 0; i < nfiles; i++) {
        int e = score_file(&o, t, files[i]);
        if (e < 0) {
            fprintf(stderr, "pg-eval: cannot read %s: %s\n", files[i], strerror(errno));
            free(t);
            return 2;
        }
        errors += e;
        size_t wl = strlen(what);
        snprintf(what + wl, sizeof what - wl, "%s%s", wl ? ", " : "", files[i]);
    }
    int ok = report(&o, t, what);
    free(t);
    if (errors) {
        printf("pg-eval: %d posts could not be evaluated\n", errors);
        return 2;
    }
    return ok ? 0 : 1;
}
