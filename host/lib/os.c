/* os.c - the few things that differ between Linux and Windows, in one place: where the running
 * program is (to find the rule pack beside it), a monotonic clock for timings, and where the
 * user's and the clinic's configuration files live.
 *
 * Why the Windows places are what they are: the clinic's file must be writable by
 * administrators only, or a user could override the clinic's settings. A POSIX path such as
 * /etc/postguard/config.json resolves on Windows to C:\etc\..., a folder any user may create, so
 * Windows reads %ProgramData%\PostGuard\config.json instead, with the folder taken from the
 * known-folder registry (SHGetKnownFolderPath), not from the environment a user controls; and
 * $POSTGUARD_CONFIG is not honoured there. On Linux and macOS it is honoured only where
 * /etc/postguard/config.json does not exist, for the same reason. The user's file is %APPDATA%\PostGuard\config.json.
 * Paths are UTF-8 everywhere (the Windows programs carry a UTF-8 activeCodePage manifest, so
 * fopen and stat take UTF-8 on a user folder with accents). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* first: <windows.h> defines `near` and `far`, names internal.h uses */
#include "internal.h"

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <knownfolders.h>
#include <shlobj.h>
#else
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#endif


#ifdef _WIN32
/* A known folder (FOLDERID_*) as UTF-8 into buf; 0, or -1 when Windows has none. */
static int known_folder(REFKNOWNFOLDERID id, char *buf, size_t cap) {
    PWSTR w = NULL;
    int rc = -1;
    if (SHGetKnownFolderPath(id, 0, NULL, &w) == S_OK && w) {
        int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)cap, NULL, NULL);
        rc = n > 0 ? 0 : -1;
    }
    CoTaskMemFree(w);
    if (rc) buf[0] = '\0';
    return rc;
}
#endif

size_t pg_exe_path(char *buf, size_t cap, const char *argv0) {
    if (!cap) return 0;
    buf[0] = '\0';
#ifdef _WIN32
    /* The wide call: an ANSI GetModuleFileNameA mangles a folder name outside the code page. */
    wchar_t w[4096];
    DWORD n = GetModuleFileNameW(NULL, w, sizeof w / sizeof *w);
    if (n > 0 && n < sizeof w / sizeof *w) {
        int m = WideCharToMultiByte(CP_UTF8, 0, w, (int)n + 1, buf, (int)cap, NULL, NULL);
        if (m > 0) return strlen(buf);
    }
#else
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n > 0) {
        buf[n] = '\0';
        return (size_t)n;
    }
#endif
    snprintf(buf, cap, "%s", argv0 ? argv0 : "");
    return strlen(buf);
}

double pg_clock_ms(void) {
#ifdef _WIN32
    /* clock_gettime would pull in winpthread; the performance counter is Windows' own. */
    static LARGE_INTEGER freq; /* constant for the life of the system; a benign race */
    LARGE_INTEGER t;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1e3 / (double)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
#endif
}

void pg_default_config_paths(char *user, char *sys, size_t cap) {
    const char *u = getenv("POSTGUARD_USER_CONFIG");
    user[0] = sys[0] = '\0';
#ifdef _WIN32
    char dir[4096];
    if (u && *u) snprintf(user, cap, "%s", u);
    else if (known_folder(&FOLDERID_RoamingAppData, dir, sizeof dir) == 0)
        snprintf(user, cap, "%s\\PostGuard\\config.json", dir);
    if (known_folder(&FOLDERID_ProgramData, dir, sizeof dir) == 0)
        snprintf(sys, cap, "%s\\PostGuard\\config.json", dir);
#else
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    const char *s = getenv("POSTGUARD_CONFIG");
    if (u && *u) snprintf(user, cap, "%s", u);
    else if (xdg && *xdg) snprintf(user, cap, "%s/postguard/config.json", xdg);
    else if (home && *home) snprintf(user, cap, "%s/.config/postguard/config.json", home);
    /* $POSTGUARD_CONFIG is for tests and for trying a file out on a machine without a clinic
     * file: where /etc/postguard/config.json exists, it is the clinic's, and the environment a
     * user controls cannot swap it for another (and so escape its lock, policy.c). */
    struct stat sb;
    int have_etc = stat("/etc/postguard/config.json", &sb) == 0;
    snprintf(sys, cap, "%s", s && *s && !have_etc ? s : "/etc/postguard/config.json");
#endif
}

#ifdef _WIN32
ssize_t pg_getline(char **line, size_t *cap, FILE *f) {
    size_t n = 0;
    int ch;
    while ((ch = getc(f)) != EOF) {
        if (n + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            char *nl = realloc(*line, nc);
            if (!nl) return -1;
            *line = nl;
            *cap = nc;
        }
        (*line)[n++] = (char)ch;
        if (ch == '\n') break;
    }
    if (n == 0) return -1;
    (*line)[n] = '\0';
    return (ssize_t)n;
}
#endif
