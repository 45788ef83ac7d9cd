/* probe.c - the host's platform code, alone, for tests/suites/windows.sh under wine.
 *
 * It needs no PCRE2 or cJSON for mingw-w64, so it runs even where packaging/windows/build-deps.sh
 * cannot fetch their sources and the real postguard-host.exe does not link (docs/deployment.md);
 * and it tests what the real programs' tests (tests/windows/host.py) cannot reach from outside:
 * a 1 MiB frame, the paths as the program sees them. It links the host's own modules that need
 * neither library - framing (nmh/frame.c), the executable's path, the clock and the configuration places
 * (lib/os.c), finding the pack (lib/locate.c), the Windows sandbox (nmh/sandbox_win.c) - with
 * the same stdin/stdout set-up as postguard-host.exe, and answers:
 *   probe echo          read frames as the host does and send each body back as a frame; a
 *                       body the host may not send (over 1 MiB) gets the frame "refused"
 *   probe cat           copy stdin to stdout byte for byte, read as the CLI reads a post
 *   probe paths         print exe=, rules= (or rules-error=), user-config=, clinic-config=,
 *                       and reads=PATH for each configuration file that exists and opens
 *   probe sandbox FILE  enter the sandbox, print job= and mitigations=, run the self-test */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <io.h>
#endif

#include "frame.h"
#include "internal.h"
#include "sandbox.h"
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h> /* after internal.h: it defines `near` */
#endif

static int echo(void) {
    for (;;) {
        char *body = NULL;
        size_t len = 0;
        uint32_t declared = 0;
        pg_frame_status fs = pg_frame_read(stdin, PG_FRAME_MAX_IN, &body, &len, &declared);
        if (fs == PG_FRAME_EOF) return 0;
        if (fs != PG_FRAME_OK) {
            fprintf(stderr, "probe: %s (declared %u)\n", pg_frame_status_name(fs), declared);
            if (fs == PG_FRAME_TRUNCATED || fs == PG_FRAME_IO) return 1;
            continue;
        }
        char *f = malloc(len + 4);
        if (!f) return 1;
        uint32_t n = (uint32_t)len;
        memcpy(f, &n, 4);
        memcpy(f + 4, body, len);
        int rc = pg_frame_send(1, f, len + 4);
        if (rc != 0 && errno == EMSGSIZE) {
            static const char refused[] = "\x07\0\0\0refused";
            rc = pg_frame_send(1, refused, sizeof refused - 1);
        }
        free(f);
        free(body);
        if (rc) return 1;
    }
}

static int cat(void) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
    return ferror(stdin) ? 1 : 0;
}

static int paths(const char *argv0) {
    char exe[4096], rules[4096], user[4096], sys[4096];
    pg_error err;
    memset(&err, 0, sizeof err);
    pg_exe_path(exe, sizeof exe, argv0);
    printf("exe=%s\n", exe);
    if (pg_find_rules(exe, rules, sizeof rules, &err) == PG_OK) printf("rules=%s\n", rules);
    else printf("rules-error=%s\n", err.message);
    pg_default_config_paths(user, sys, sizeof user);
    printf("user-config=%s\nclinic-config=%s\n", user, sys);
    const char *both[2] = {user, sys};
    for (int i = 0; i < 2; i++) {
        FILE *f = NULL;
        if (both[i][0] && pg_open_regular(both[i], &f) == 0) {
            printf("reads=%s\n", both[i]);
            fclose(f);
        }
    }
    double t0 = pg_clock_ms(), t1 = pg_clock_ms();
    printf("clock=%s\n", t1 >= t0 && t0 > 0 ? "monotonic" : "broken");
    return 0;
}

static int sandbox(const char *file) {
    pg_sandbox_report r;
    pg_status st = pg_sandbox_enter(NULL, &r);
    printf("job=%d\nmitigations=%d\nstatus=%s\ndetail=%s\n", r.job, r.mitigations,
           pg_status_name(st), r.detail);
#ifdef _WIN32
    /* read the limits back from the job this process is now in (NULL: the caller's job) */
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION li;
    BOOL in_job = FALSE;
    IsProcessInJob(GetCurrentProcess(), NULL, &in_job);
    printf("in_job=%d\n", in_job ? 1 : 0);
    if (QueryInformationJobObject(NULL, JobObjectExtendedLimitInformation, &li, sizeof li, NULL))
        printf("active_process_limit=%lu\nmemory_cap=%llu\n",
               (unsigned long)li.BasicLimitInformation.ActiveProcessLimit,
               (unsigned long long)li.ProcessMemoryLimit);
#endif
    fflush(stdout);
    pg_sandbox_selftest(file);
    return 0;
}

int main(int argc, char **argv) {
#ifdef _WIN32
    _setmode(_fileno(stdin), _O_BINARY); /* as postguard-host.exe and postguard.exe do */
    _setmode(_fileno(stdout), _O_BINARY);
#endif
    if (argc >= 2 && strcmp(argv[1], "echo") == 0) return echo();
    if (argc >= 2 && strcmp(argv[1], "cat") == 0) return cat();
    if (argc >= 2 && strcmp(argv[1], "paths") == 0) return paths(argv[0]);
    if (argc >= 3 && strcmp(argv[1], "sandbox") == 0) return sandbox(argv[2]);
    fprintf(stderr, "usage: probe echo|cat|paths|sandbox FILE\n");
    return 2;
}
