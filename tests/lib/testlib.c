#include "testlib.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vg/time.h"

int vg_test_failures;
int vg_test_checks;

static char tmpdirs[8][256];
static int n_tmpdirs;

int vg_test_finish(void)
{
    if (vg_test_checks == 0) {
        fprintf(stderr, "no checks ran\n");
        return 1;
    }
    fprintf(stderr, "%d checks, %d failed\n", vg_test_checks, vg_test_failures);
    return vg_test_failures ? 1 : 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void rm_tmpdirs(void)
{
    for (int i = 0; i < n_tmpdirs; i++)
        nftw(tmpdirs[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *vg_test_tmpdir(void)
{
    if (n_tmpdirs == (int)(sizeof(tmpdirs) / sizeof(tmpdirs[0])))
        abort();
    const char *base = getenv("TMPDIR");
    char *dir = tmpdirs[n_tmpdirs];
    snprintf(dir, sizeof(tmpdirs[0]), "%s/vgapt-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    if (n_tmpdirs++ == 0)
        atexit(rm_tmpdirs);
    return dir;
}

pid_t vg_test_spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

int vg_test_wait(pid_t pid, int timeout_ms)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0)
            return -1;
        if (vg_time_ns() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        vg_sleep_ns(5 * VG_NS_PER_MS);
    }
}
