/* main.c - `postguard-host`, the native-messaging host: load the rule pack, then read frames
 * from stdin and answer each on stdout until the browser closes the pipe. Only the loop lives here.
 *
 * stdout carries frames only; the log goes to stderr (POSTGUARD_LOG=quiet|info|debug, default
 * info) and holds sizes, ids, counts and timings, never the text of a post. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#include "frame.h"
#include "postguard.h"
#include "protocol.h"
#include "sandbox.h"

enum log_level { LOG_QUIET = 0, LOG_INFO = 1, LOG_DEBUG = 2 };
static enum log_level log_level = LOG_INFO; /* set once at start-up, from the environment */

static void logf_(enum log_level lvl, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PG_PRINTF_ARCHETYPE, 2, 3)))
#endif
    ;

/* The line is built whole and written with one call: stderr is unbuffered, so three stdio
 * calls would cost three system calls per message (the log is written for every request). */
static void logf_(enum log_level lvl, const char *fmt, ...) {
    if (lvl > log_level) return;
    static const char prefix[] = "postguard-host: ";
    char line[1024];
    memcpy(line, prefix, sizeof prefix - 1);
    size_t room = sizeof line - (sizeof prefix - 1) - 1; /* keep one byte for the newline */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + sizeof prefix - 1, room + 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = sizeof prefix - 1 + ((size_t)n < room ? (size_t)n : room);
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}


/* Send one reply frame (header and body together); returns 0, or -1 when stdout is gone (the
 * browser closed the pipe). stdout's stdio buffer is never used: frames go out with write(2). */
static int send_frame(const char *frame, size_t len) {
    if (pg_frame_send(STDOUT_FILENO, frame, len) == 0) return 0;
    logf_(LOG_INFO, "cannot write a reply (%zu bytes): %s; stopping", len, strerror(errno));
    return -1;
}

/* Answer a framing fault (the body never reached the protocol) with an error, id null. */
static int send_frame_error(const char *code, const char *message) {
    size_t len = 0;
    char *r = pg_proto_error_reply(code, message, &len);
    if (!r) {
        r = strdup(pg_proto_oom_reply());
        len = r ? strlen(r) : 0;
    }
    char *f = r ? malloc(len + 4) : NULL;
    int rc = -1;
    if (f) {
        uint32_t n = (uint32_t)len;
        memcpy(f, &n, 4);
        memcpy(f + 4, r, len);
        rc = send_frame(f, len + 4);
    } else {
        logf_(LOG_QUIET, "out of memory answering a framing fault; stopping");
    }
    free(f);
    free(r);
    return rc;
}

/* Load the pack: $POSTGUARD_RULES, --rules PATH, or the pack beside or above the binary. On a
 * failure err says why; the host then keeps answering with no_rule_pack. */
static pg_status load(pg_ctx *ctx, const char *rules, const char *argv0, pg_error *err) {
    char path[4096];
    if (pg_ctx_add_default_configs(ctx) != PG_OK)
        return snprintf(err->message, sizeof err->message, "out of memory"), PG_ENOMEM;
    if (!rules) {
        char exe[4096];
        pg_exe_path(exe, sizeof exe, argv0);
        pg_status st = pg_find_rules(exe, path, sizeof path, err);
        if (st != PG_OK) return st;
        rules = path;
    }
    return pg_ctx_load(ctx, rules, err);
}

int main(int argc, char **argv) {
#ifdef _WIN32
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
#else
    signal(SIGPIPE, SIG_IGN); /* a closed pipe is a write error, not a silent death */
#endif
    const char *lvl = getenv("POSTGUARD_LOG");
    if (lvl && strcmp(lvl, "quiet") == 0) log_level = LOG_QUIET;
    else if (lvl && strcmp(lvl, "debug") == 0) log_level = LOG_DEBUG;

    /* The browser passes the caller's origin and, on Windows, --parent-window=N: arguments
     * this host does not know are ignored. --rules PATH is for tests and development. */
    const char *rules = NULL, *selftest = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) rules = argv[++i];
        /* hidden, for tests/sandbox: try forbidden things from inside the sandbox */
        else if (strcmp(argv[i], "--sandbox-selftest") == 0 && i + 1 < argc) selftest = argv[++i];
        else if (strncmp(argv[i], "--rules=", 8) == 0) rules = argv[i] + 8;
        else logf_(LOG_DEBUG, "ignoring argument %d (%zu bytes)", i, strlen(argv[i]));
    }

    double t0 = pg_clock_ms();
    pg_ctx *ctx = NULL;
    if (pg_ctx_new(&ctx) != PG_OK) {
        logf_(LOG_QUIET, "out of memory at start-up");
        return 1;
    }
    pg_error err;
    memset(&err, 0, sizeof err);
    pg_status st = load(ctx, rules, argv[0], &err);
    pg_proto *proto = NULL;
    if (pg_proto_new(ctx, st == PG_OK ? NULL : &err, &proto) != PG_OK) {
        logf_(LOG_QUIET, "out of memory at start-up");
        pg_ctx_free(ctx);
        return 1;
    }
    if (st != PG_OK) {
        logf_(LOG_QUIET, "no rule pack: %s (every request will be answered with no_rule_pack)",
              err.message);
    } else {
        pg_pack_info pi;
        pg_ctx_pack_info(ctx, &pi);
        logf_(LOG_INFO, "version %s, protocol %d, pack %s %s (%zu rules) from %s, loaded in %.1f ms",
              PG_VERSION, PG_PROTOCOL_VERSION, pi.id, pi.version, pi.nrules, pi.path,
              pg_clock_ms() - t0);
        const pg_error *cp = pg_ctx_config_problem(ctx);
        if (cp) logf_(LOG_QUIET, "configuration ignored: %s", cp->message);
    }

    /* The pack is loaded and no frame has been read: from here on the host needs only its
     * pipes, memory, the clock, and read access to the pack and the configuration files
     * (`configure` reloads them). See sandbox.h. */
    {
        pg_pack_info pi = {0};
        char user[4096], sys[4096];
        pg_sandbox_config_paths(user, sys, sizeof user);
        const char *paths[4] = {NULL, NULL, NULL, NULL};
        size_t np = 0;
        if (st == PG_OK && pg_ctx_pack_info(ctx, &pi) == PG_OK && pi.path) paths[np++] = pi.path;
        if (user[0]) paths[np++] = user;
        if (sys[0]) paths[np++] = sys;
        pg_sandbox_report sb;
        if (pg_sandbox_enter(paths, &sb) == PG_OK)
#ifdef _WIN32
            logf_(LOG_INFO, "sandbox: job object on (no child process, memory cap), "
                  "%d mitigation policies", sb.mitigations);
#else
            logf_(LOG_INFO, "sandbox: seccomp on, core dumps %s, Landlock %s%s%s%s",
                  sb.no_core ? "off" : "ON", sb.landlock_abi ? "on" : "off",
                  sb.signals_scoped ? " (signals scoped)" : "", sb.detail[0] ? ": " : "",
                  sb.detail);
#endif
        else
            logf_(LOG_QUIET, "sandbox: not entered: %s", sb.detail);
        if (selftest) pg_sandbox_selftest(selftest);
    }

    int rc = 0;
    for (;;) {
        char *body = NULL;
        size_t len = 0;
        uint32_t declared = 0;
        pg_frame_status fs = pg_frame_read(stdin, PG_FRAME_MAX_IN, &body, &len, &declared);
        if (fs == PG_FRAME_EOF) {
            logf_(LOG_INFO, "end of input; exiting");
            break;
        }
        if (fs == PG_FRAME_TRUNCATED) {
            logf_(LOG_QUIET, "input ended inside a frame (length %u); exiting", (unsigned)declared);
            break;
        }
        if (fs == PG_FRAME_IO) {
            logf_(LOG_QUIET, "cannot read stdin: %s; exiting", strerror(errno));
            rc = 1;
            break;
        }
        if (fs == PG_FRAME_TOO_LARGE) {
            char msg[160];
            snprintf(msg, sizeof msg, "the frame is %u bytes; the limit is %u bytes",
                     (unsigned)declared, (unsigned)PG_FRAME_MAX_IN);
            logf_(LOG_INFO, "frame of %u bytes over the cap: dropped", (unsigned)declared);
            if (send_frame_error("frame_too_large", msg)) break;
            continue;
        }
        if (fs == PG_FRAME_EMPTY) {
            logf_(LOG_INFO, "empty frame");
            if (send_frame_error("frame_empty", "the message is empty (length 0)")) break;
            continue;
        }
        if (fs == PG_FRAME_NOMEM) {
            logf_(LOG_QUIET, "no memory for a frame of %u bytes", (unsigned)declared);
            if (send_frame_error("internal", "out of memory reading the message")) break;
            continue;
        }
        logf_(LOG_DEBUG, "frame of %zu bytes", len);
        pg_proto_log lg;
        size_t outlen = 0;
        double t1 = pg_clock_ms();
        const char *frame = pg_proto_handle_frame(proto, body, len, &outlen, &lg);
        double took = pg_clock_ms() - t1;
        free(body);
        int wr = send_frame(frame, outlen);
        if (strcmp(lg.type, "check") == 0 && !lg.code)
            logf_(LOG_INFO, "check id=%s site=%s in=%zuB text=%zuB findings=%zu%s engine=%.3fms "
                  "total=%.3fms out=%zuB", lg.id, lg.site[0] ? lg.site : "-", lg.in_len,
                  lg.text_len, lg.findings, lg.truncated ? " (truncated)" : "", lg.elapsed_ms,
                  took, lg.out_len);
        else
            logf_(LOG_INFO, "%s id=%s in=%zuB %s%s out=%zuB %.3fms", lg.type, lg.id, lg.in_len,
                  lg.code ? "error=" : lg.refused ? "refused" : "ok", lg.code ? lg.code : "",
                  lg.out_len, took);
        if (wr) break;
    }
    pg_proto_free(proto);
    pg_ctx_free(ctx);
    return rc;
}
