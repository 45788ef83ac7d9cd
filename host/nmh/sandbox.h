/* sandbox.h - the host restricts itself once its rule pack is loaded: on Linux a seccomp filter
 * (no sockets, no exec, no opening files for writing) and, where the kernel has it, Landlock
 * (files may be read only inside the rule pack and the configuration files' folders). */
#ifndef PG_NMH_SANDBOX_H
#define PG_NMH_SANDBOX_H

#include "postguard.h"

/* What the sandbox achieved, for the host's log. */
typedef struct pg_sandbox_report {
    int seccomp;       /* 1 when the seccomp filter is in force */
    int landlock_abi;  /* the Landlock ABI in force, 0 when none */
    int no_core;       /* 1 when core dumps are off (RLIMIT_CORE 0, not dumpable) */
    int signals_scoped; /* 1 when Landlock (ABI 6) keeps signals inside the host's domain */
    int job;           /* Windows: 1 when the job object (no child process, memory cap) holds */
    int mitigations;   /* Windows: how many process mitigation policies were accepted */
    char detail[256];  /* what is missing and why, or "" */
} pg_sandbox_report;

/* Enter the sandbox. read_paths (NULL-terminated; entries may be NULL-free but need not
 * exist) are the files and folders the host may still read: `configure` reloads the rule pack
 * and the configuration files from disk. After this call the process can read and write the
 * descriptors it has (stdin, stdout, stderr), allocate memory (including PCRE2's executable JIT
 * pages), read the clock, open files for reading only (only beneath read_paths when Landlock is
 * in force), and exit; creating sockets, exec, fork and opening files for writing fail with
 * EPERM. Irreversible. Returns PG_OK when seccomp is in force (Landlock is best effort and
 * reported in out), or PG_EINVAL with out->detail saying why not (not Linux, no libseccomp).
 * On Windows (sandbox_win.c) the host puts itself in a job object that allows no child process
 * and caps its memory, and asks for the process mitigation policies that do not break PCRE2's
 * JIT; files, sockets and writes are not restricted there (docs/sandbox.md). PG_OK when the job
 * holds. */
pg_status pg_sandbox_enter(const char *const *read_paths, pg_sandbox_report *out);

/* The configuration files the engine reads (pg_ctx_add_default_configs' rules), for
 * read_paths: writes up to two paths into user and sys (each cap bytes; "" when none). */
void pg_sandbox_config_paths(char *user, char *sys, size_t cap);

/* For the sandbox test (`postguard-host --sandbox-selftest FILE`): from inside the sandbox try
 * to read FILE, to create a file for writing, to open a TCP and a Unix socket and to exec, and
 * write one line per attempt to stderr: "sandbox-selftest: WHAT: refused errno=N (NAME)" or
 * "sandbox-selftest: WHAT: ALLOWED". Then the host carries on as usual. */
void pg_sandbox_selftest(const char *file);

#endif /* PG_NMH_SANDBOX_H */
