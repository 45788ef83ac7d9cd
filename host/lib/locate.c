/* locate.c - finding the rule pack: $POSTGUARD_RULES, beside or above the running program,
 * or the installed data folder. Apart from the context so the Windows tests can run it alone
 * (it needs no PCRE2 or cJSON).
 *
 * On Windows the pack is only ever beside the program (the MSI and install.ps1 put rules\ next
 * to postguard-host.exe): no folder above it and no compiled-in data folder. PG_DATADIR is a
 * POSIX path such as /usr/local/share/postguard, which Windows reads as C:\usr\local\..., a
 * folder any user may create, like C:\etc (see os.c); and a folder above the program, such as
 * C:\rules for C:\PostGuard\postguard-host.exe, may be anyone's too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#ifndef PG_DATADIR
#define PG_DATADIR "/usr/local/share/postguard"
#endif

static int is_pack(const char *path) {
    struct stat sb;
    if (stat(path, &sb) != 0) return 0;
    if (!S_ISDIR(sb.st_mode)) return S_ISREG(sb.st_mode);
    char p[4096];
    snprintf(p, sizeof p, "%s/pack.json", path);
    return stat(p, &sb) == 0;
}

pg_status pg_find_rules(const char *exe_path, char *buf, size_t bufsize, pg_error *err) {
    const char *env = getenv("POSTGUARD_RULES");
    if (env && *env) {
        if (is_pack(env)) {
            snprintf(buf, bufsize, "%s", env);
            return PG_OK;
        }
        return pg_fail(err, PG_ENOTFOUND, env, NULL, NULL, -1,
                       "POSTGUARD_RULES is set to %s, but there is no rule pack there "
                       "(a folder with pack.json, or a pack file)", env);
    }
    char dir[4096] = "";
    if (exe_path && *exe_path) {
        snprintf(dir, sizeof dir, "%s", exe_path);
        /* the folder ends at the last separator: '/' anywhere, and '\\' on Windows too, where
         * GetModuleFileNameW gives C:\\Program Files\\PostGuard\\postguard-host.exe */
        char *slash = strrchr(dir, '/');
#ifdef _WIN32
        char *back = strrchr(dir, '\\');
        if (back && (!slash || back > slash)) slash = back;
#endif
        if (slash) *slash = '\0';
        else snprintf(dir, sizeof dir, ".");
    }
#ifdef _WIN32
    /* Windows takes '/' too, but paths in logs and errors read as the user's own */
    const char *rel[] = {"\\rules"};
#else
    const char *rel[] = {"/rules", "/../rules", "/../share/postguard/rules",
                         "/../../share/postguard/rules"};
#endif
    char tried[1600] = "";
    char cand[4096];
    for (size_t i = 0; dir[0] && i < sizeof rel / sizeof *rel; i++) {
        snprintf(cand, sizeof cand, "%s%s", dir, rel[i]);
        if (is_pack(cand)) {
            snprintf(buf, bufsize, "%s", cand);
            return PG_OK;
        }
        size_t tl = strlen(tried);
        snprintf(tried + tl, sizeof tried - tl, "%s%s", tl ? ", " : "", cand);
    }
#ifndef _WIN32
    snprintf(cand, sizeof cand, "%s/rules", PG_DATADIR);
    if (is_pack(cand)) {
        snprintf(buf, bufsize, "%s", cand);
        return PG_OK;
    }
    size_t tl = strlen(tried);
    snprintf(tried + tl, sizeof tried - tl, "%s%s", tl ? ", " : "", cand);
#endif
    return pg_fail(err, PG_ENOTFOUND, NULL, NULL, NULL, -1,
                   "no rule pack found (looked in %s); reinstall PostGuard, or give the "
                   "pack with --rules PATH or POSTGUARD_RULES=PATH", tried);
}

