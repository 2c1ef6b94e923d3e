#include "testlib.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vg/time.h"

int vg_test_failures;
int vg_test_checks;

static char tmpdirs[8][256];
static int n_tmpdirs;

bool vg_test_selected(const char *name)
{
    const char *only = getenv("VG_TEST_ONLY");
    return !only || !*only || strstr(name, only);
}

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
    if (getenv("VG_TEST_KEEP")) { /* debugging: keep the logs and recordings */
        for (int i = 0; i < n_tmpdirs; i++)
            fprintf(stderr, "kept %s\n", tmpdirs[i]);
        return;
    }
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
    return vg_test_spawn_io(argv, NULL, NULL, false);
}

static bool redirect(const char *path, int target, bool append)
{
    if (!path)
        return true;
    int fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
    if (fd < 0 || dup2(fd, target) < 0)
        return false;
    close(fd);
    return true;
}

pid_t vg_test_spawn_io(char *const argv[], const char *out, const char *err, bool append)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* One file for both: open it once so the two streams share an offset. */
        bool same = out && err && strcmp(out, err) == 0;
        if (!redirect(out, 1, append) || (same ? dup2(1, 2) < 0 : !redirect(err, 2, append)))
            _exit(126);
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

pid_t vg_test_spawn_capture(const char *prog, const char *const *args, const char *dir)
{
    char *argv[64];
    size_t n = 0;
    argv[n++] = (char *)prog;
    for (; *args && n < sizeof(argv) / sizeof(argv[0]) - 1; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    char out[4200], err[4200];
    snprintf(out, sizeof(out), "%s/stdout", dir);
    snprintf(err, sizeof(err), "%s/stderr", dir);
    return vg_test_spawn_io(argv, out, err, false);
}

void vg_test_collect(const char *dir, char *out, size_t out_size, char *err, size_t err_size)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/stdout", dir);
    vg_test_read_text(path, out, out_size);
    snprintf(path, sizeof(path), "%s/stderr", dir);
    vg_test_read_text(path, err, err_size);
}

int vg_test_run_capture(const char *prog, const char *const *args, const char *dir,
                        int timeout_ms, char *out, size_t out_size, char *err, size_t err_size)
{
    pid_t pid = vg_test_spawn_capture(prog, args, dir);
    int status = pid > 0 ? vg_test_wait(pid, timeout_ms) : -1;
    vg_test_collect(dir, out, out_size, err, err_size);
    return status;
}

void vg_test_expect_usage_error(const char *prog, const char *const *args, const char *dir,
                                const char *needle)
{
    static char out[16384], err[16384];
    int status = vg_test_run_capture(prog, args, dir, 20000, out, sizeof(out), err, sizeof(err));
    CHECK_MSG(status == 2, "exit status %d for the case of '%s'", status, needle);
    CHECK_MSG(strstr(err, needle), "stderr does not name '%s': %s", needle, err);
}

char *vg_test_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0, r;
    char *buf = malloc(cap);
    while (buf && (r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += r;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = 0;
    if (len_out)
        *len_out = buf ? len : 0;
    return buf;
}

char *vg_test_slurp(const char *path)
{
    return vg_test_read_file(path, NULL);
}

void vg_test_trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    size_t k = 0;
    while (isspace((unsigned char)s[k]))
        k++;
    memmove(s, s + k, n - k + 1);
}

void vg_test_read_text(const char *path, char *buf, size_t size)
{
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = 0;
    fclose(f);
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
