/* sandbox_win.c - what restricts postguard-host on Windows, entered after the pack loads.
 *
 * Windows has no seccomp or Landlock. What a process can do to itself without an installer's
 * help (a restricted token or an AppContainer must be made by whoever starts the process, and
 * the browser starts the host):
 *   - a job object, which the process then cannot leave: one active process (so no child can
 *     be created: no exec), a cap on committed memory (a runaway check fails to allocate instead
 *     of taking the machine), kill-on-close and no error dialogs;
 *   - process mitigation policies (Windows 8 and later; each is best effort and counted):
 *     no child processes (Windows 10 1709), no extension-point DLLs (AppInit, hooks), no images
 *     from remote shares or low-integrity files, invalid handles raise. Dynamic-code prohibition
 *     is not asked for: PCRE2's JIT writes executable pages.
 * Not restricted: opening files (for reading or writing), sockets. docs/sandbox.md says so. */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

/* Far above the host's real peak (under 64 MiB with the largest frames and configurations the
 * protocol accepts), so only a fault reaches it. */
#define PG_SANDBOX_MEMORY_CAP ((SIZE_T)512 * 1024 * 1024)

static int job_enter(char *detail, size_t cap) {
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (!job) {
        snprintf(detail, cap, "CreateJobObject failed (error %lu)", (unsigned long)GetLastError());
        return 0;
    }
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION li;
    memset(&li, 0, sizeof li);
    li.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_ACTIVE_PROCESS |
                                          JOB_OBJECT_LIMIT_PROCESS_MEMORY |
                                          JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION |
                                          JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    li.BasicLimitInformation.ActiveProcessLimit = 1;
    li.ProcessMemoryLimit = PG_SANDBOX_MEMORY_CAP;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &li, sizeof li)) {
        snprintf(detail, cap, "SetInformationJobObject failed (error %lu)",
                 (unsigned long)GetLastError());
        CloseHandle(job);
        return 0;
    }
    if (!AssignProcessToJobObject(job, GetCurrentProcess())) {
        snprintf(detail, cap, "AssignProcessToJobObject failed (error %lu)",
                 (unsigned long)GetLastError());
        CloseHandle(job);
        return 0;
    }
    /* the handle stays open for the life of the process: closing it would kill us */
    return 1;
}

static int mitigations_enter(void) {
    int n = 0;
    PROCESS_MITIGATION_CHILD_PROCESS_POLICY child = {0};
    child.NoChildProcessCreation = 1;
    n += SetProcessMitigationPolicy(ProcessChildProcessPolicy, &child, sizeof child) != 0;
    PROCESS_MITIGATION_EXTENSION_POINT_DISABLE_POLICY ext = {0};
    ext.DisableExtensionPoints = 1;
    n += SetProcessMitigationPolicy(ProcessExtensionPointDisablePolicy, &ext, sizeof ext) != 0;
    PROCESS_MITIGATION_IMAGE_LOAD_POLICY img = {0};
    img.NoRemoteImages = 1;
    img.NoLowMandatoryLabelImages = 1;
    n += SetProcessMitigationPolicy(ProcessImageLoadPolicy, &img, sizeof img) != 0;
    PROCESS_MITIGATION_STRICT_HANDLE_CHECK_POLICY h = {0};
    h.RaiseExceptionOnInvalidHandleReference = 1;
    h.HandleExceptionsPermanentlyEnabled = 1;
    n += SetProcessMitigationPolicy(ProcessStrictHandleCheckPolicy, &h, sizeof h) != 0;
    return n;
}

pg_status pg_sandbox_enter(const char *const *read_paths, pg_sandbox_report *out) {
    (void)read_paths; /* Windows cannot narrow file reads from inside the process */
    memset(out, 0, sizeof *out);
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    out->job = job_enter(out->detail, sizeof out->detail);
    out->mitigations = mitigations_enter();
    return out->job ? PG_OK : PG_EINVAL;
}

/* The same report lines as on Linux: "sandbox-selftest: WHAT: refused errno=N (NAME)" or
 * "...: ALLOWED"; on Windows the number is GetLastError's. */
void pg_sandbox_selftest(const char *file) {
    FILE *f = fopen(file, "rb");
    fprintf(stderr, "sandbox-selftest: read %s: %s\n", file, f ? "ALLOWED" : "refused");
    if (f) fclose(f);

    wchar_t cmd[] = L"cmd.exe /c exit 0";
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "sandbox-selftest: exec: ALLOWED\n");
        WaitForSingleObject(pi.hProcess, 10000);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    } else {
        fprintf(stderr, "sandbox-selftest: exec: refused errno=%lu (GetLastError)\n",
                (unsigned long)GetLastError());
    }

    /* commit more than the cap at once: the job refuses it */
    void *big = VirtualAlloc(NULL, PG_SANDBOX_MEMORY_CAP + ((SIZE_T)64 << 20),
                             MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (big) {
        fprintf(stderr, "sandbox-selftest: memory over the cap: ALLOWED\n");
        VirtualFree(big, 0, MEM_RELEASE);
    } else {
        fprintf(stderr, "sandbox-selftest: memory over the cap: refused errno=%lu (GetLastError)\n",
                (unsigned long)GetLastError());
    }
}
#endif /* _WIN32 */
