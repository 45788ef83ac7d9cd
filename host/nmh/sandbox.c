/* sandbox.c - seccomp (an allowlist of system calls) and Landlock (read-only access beneath the
 * rule pack and the configuration folders) for postguard-host, entered after the pack loads.
 *
 * Why these calls: the loop reads stdin and writes stdout/stderr; checks allocate (brk, mmap,
 * munmap, mremap, madvise) and PCRE2's JIT maps executable pages (mmap, mprotect); `configure`
 * reloads the pack and config files (openat for reading, fstat/newfstatat, getdents64, lseek,
 * close); timings read the clock; abort() and the sanitizers' reports need signals to self.
 * Everything else fails with EPERM, so a mistake shows as an error, not a killed host. */
#define _GNU_SOURCE /* O_PATH, syscall() */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__linux__) && defined(PG_HAVE_SECCOMP)
#include <linux/landlock.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#define PG_SANDBOX_LINUX 1
#endif

#if defined(__SANITIZE_ADDRESS__)
#define PG_SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PG_SANDBOX_ASAN 1
#endif
#endif

void pg_sandbox_config_paths(char *user, char *sys, size_t cap) {
    pg_default_config_paths(user, sys, cap);
}

#ifdef PG_SANDBOX_LINUX

/* ---- Landlock ---- */

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

/* Every file-system access ABI v1 knows; v2 adds REFER, v3 TRUNCATE. */
static uint64_t fs_access(int abi) {
    uint64_t a = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
                 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
                 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
                 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
                 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
                 LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2) a |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) a |= LANDLOCK_ACCESS_FS_TRUNCATE;
    return a;
}

/* Allow reading beneath path (a folder) or of path (a file). A path that does not exist is
 * skipped: opening it fails with ENOENT before Landlock is asked, as without a sandbox. */
static int allow_read(int ruleset, const char *path) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
    struct stat sb;
    struct landlock_path_beneath_attr pb = {0};
    pb.parent_fd = fd;
    pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) pb.allowed_access |= LANDLOCK_ACCESS_FS_READ_DIR;
    int rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    close(fd);
    return rc;
}

/* The folder holding path (a config file that may not exist yet lives there). */
static void parent_of(const char *path, char *out, size_t cap) {
    snprintf(out, cap, "%s", path);
    char *slash = strrchr(out, '/');
    if (slash && slash != out) *slash = '\0';
    else snprintf(out, cap, ".");
}

static int landlock_enter(const char *const *read_paths, pg_sandbox_report *out) {
    int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        snprintf(out->detail, sizeof out->detail, "no Landlock in this kernel (%s)",
                 strerror(errno));
        return 0;
    }
    /* ABI 6 scopes signals: no signal to a process outside the host's own domain, whatever
     * seccomp allows. Debian 12's headers predate it, so the attribute is spelled here as the
     * kernel's uapi lays it out (handled_access_fs, handled_access_net, scoped). */
    struct {
        uint64_t handled_access_fs, handled_access_net, scoped;
    } attr = {0, 0, 0};
    size_t attr_size = sizeof(uint64_t); /* v1-v3: the file-system rights only */
    int scoped = abi >= 6;
    if (scoped) {
        attr.scoped = 1u << 1 | 1u << 0; /* LANDLOCK_SCOPE_SIGNAL | ..._ABSTRACT_UNIX_SOCKET */
        attr_size = sizeof attr;
    }
    if (abi > 3) abi = 3; /* the file-system rights this host knows; sockets are seccomp's */
    attr.handled_access_fs = fs_access(abi);
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (rs < 0) {
        snprintf(out->detail, sizeof out->detail, "Landlock refused a ruleset: %s", strerror(errno));
        return 0;
    }
    int ok = 1;
    for (size_t i = 0; read_paths && read_paths[i]; i++) {
        char dir[4096];
        struct stat sb;
        const char *p = read_paths[i];
        /* a configuration file may appear later: allow its folder (read only) */
        if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            parent_of(p, dir, sizeof dir);
            if (allow_read(rs, dir) != 0) ok = 0;
        } else if (allow_read(rs, p) != 0) {
            ok = 0;
        }
    }
#ifdef PG_SANDBOX_ASAN
    /* LeakSanitizer lists /proc/PID/task and reads /proc/PID/maps at exit (sanitizer builds) */
    if (allow_read(rs, "/proc") != 0) ok = 0;
#endif
    if (ok && syscall(SYS_landlock_restrict_self, rs, 0) == 0) {
        out->landlock_abi = abi;
        out->signals_scoped = scoped;
    } else {
        snprintf(out->detail, sizeof out->detail, "Landlock not applied: %s", strerror(errno));
    }
    close(rs);
    return 0;
}

/* ---- seccomp ---- */

static int allow(scmp_filter_ctx f, int nr) {
    return seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
}

static int seccomp_enter(pg_sandbox_report *out) {
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!f) {
        snprintf(out->detail, sizeof out->detail, "seccomp_init failed");
        return -1;
    }
    static const int calls[] = {
        /* the loop: frames in and out, logs */
        SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(close),
        SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(lseek),
        SCMP_SYS(pread64), SCMP_SYS(getdents64), SCMP_SYS(fcntl), SCMP_SYS(poll),
        SCMP_SYS(ppoll),
        /* memory, and PCRE2's JIT (executable pages) */
        SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect),
        SCMP_SYS(madvise),
        /* clock, randomness (malloc's tcache), exit */
        SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(clock_nanosleep),
        SCMP_SYS(nanosleep), SCMP_SYS(getrandom), SCMP_SYS(exit), SCMP_SYS(exit_group),
        SCMP_SYS(futex),
        /* signals to itself: abort(), and a SIGPIPE that SIG_IGN turns into EPIPE */
        SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction),
        SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(sigaltstack),
#ifdef PG_SANDBOX_ASAN
        /* AddressSanitizer's reports and LeakSanitizer's exit-time scan (sanitizer builds
         * only): a helper thread that ptrace-stops the host to read its memory */
        SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(prctl),
        SCMP_SYS(sched_yield), SCMP_SYS(getppid), SCMP_SYS(readlink), SCMP_SYS(set_robust_list),
        SCMP_SYS(sched_getaffinity), SCMP_SYS(getrlimit), SCMP_SYS(prlimit64),
        SCMP_SYS(process_vm_readv), SCMP_SYS(kill), SCMP_SYS(rseq), SCMP_SYS(set_tid_address),
        SCMP_SYS(getdents), SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(access),
#endif
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof calls / sizeof *calls && rc == 0; i++)
        rc = allow(f, calls[i]) == 0 || calls[i] < 0 ? 0 : -1;
    /* signals to itself only (abort() raises with tgkill): not to the user's other processes */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
    /* open only for reading: no O_WRONLY, O_RDWR, O_CREAT, O_TRUNC or O_APPEND */
    const scmp_datum_t wr = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND; /* O_TMPFILE needs a write mode */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, wr, 0));
#ifdef PG_SANDBOX_ASAN
    /* the sanitizers' runtime opens /proc files with the legacy open(2) on x86-64 */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
                              SCMP_A1(SCMP_CMP_MASKED_EQ, wr, 0));
#endif
    /* stdio asks whether stdout is a terminal (TCGETS); no other ioctl */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                              SCMP_A1(SCMP_CMP_EQ, TCGETS, 0));
    if (rc == 0) rc = seccomp_load(f);
    seccomp_release(f);
    if (rc != 0) {
        snprintf(out->detail, sizeof out->detail, "the seccomp filter was not loaded (%d)", rc);
        return -1;
    }
    out->seccomp = 1;
    return 0;
}

pg_status pg_sandbox_enter(const char *const *read_paths, pg_sandbox_report *out) {
    memset(out, 0, sizeof *out);
    /* No core dumps: a crash would write the heap, which holds the post, to disk. A process
     * that is not dumpable cannot be ptrace-attached or read through /proc/PID/mem by the
     * user's other programs either. */
    struct rlimit none = {0, 0};
    int core = setrlimit(RLIMIT_CORE, &none) == 0;
    int nodump = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
    out->no_core = core && nodump;
    /* no new privileges: required for both, and keeps a setuid helper from undoing them */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(out->detail, sizeof out->detail, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return PG_EINVAL;
    }
    char landlock_detail[256] = "";
    landlock_enter(read_paths, out); /* first: its own system calls are not on the list */
    snprintf(landlock_detail, sizeof landlock_detail, "%s", out->detail);
    if (seccomp_enter(out) != 0) return PG_EINVAL;
    snprintf(out->detail, sizeof out->detail, "%s", landlock_detail);
    return PG_OK;
}

static void attempt(const char *what, int rc) {
    if (rc >= 0) {
        fprintf(stderr, "sandbox-selftest: %s: ALLOWED\n", what);
        if (rc > 2) close(rc);
    } else {
        int e = errno;
        fprintf(stderr, "sandbox-selftest: %s: refused errno=%d (%s)\n", what, e, strerror(e));
    }
}

void pg_sandbox_selftest(const char *file) {
    char what[4200];
    snprintf(what, sizeof what, "open-read %s", file);
    attempt(what, open(file, O_RDONLY));
    attempt("open-write /tmp/postguard-sandbox-selftest", open("/tmp/postguard-sandbox-selftest",
                                                                O_WRONLY | O_CREAT | O_TRUNC, 0600));
    attempt("signal another process", (int)syscall(SYS_tgkill, (int)getppid(), (int)getppid(), 0));
    attempt("socket-inet", socket(AF_INET, SOCK_STREAM, 0));
    attempt("socket-unix", socket(AF_UNIX, SOCK_STREAM, 0));
    char *const argv[] = {"/bin/true", NULL};
    attempt("exec /bin/true", execv("/bin/true", argv));
}

#elif !defined(_WIN32) /* not Linux, or no libseccomp; Windows: sandbox_win.c */

pg_status pg_sandbox_enter(const char *const *read_paths, pg_sandbox_report *out) {
    (void)read_paths;
    memset(out, 0, sizeof *out);
    snprintf(out->detail, sizeof out->detail, "no sandbox on this platform");
    return PG_EINVAL;
}

void pg_sandbox_selftest(const char *file) {
    (void)file;
    fprintf(stderr, "sandbox-selftest: no sandbox on this platform\n");
}

#endif
