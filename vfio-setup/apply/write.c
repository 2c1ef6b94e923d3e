#include "apply/apply.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fsroot.h"
#include "vg/log.h"

static bool mkdirs(const char *full, size_t keep, struct vg_sbuf *created)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", full);
    for (char *p = buf + keep + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) == 0) {
            if (created)
                vg_sbuf_printf(created, "%s\n", buf + keep);
        } else if (errno != EEXIST) {
            vg_err("cannot create directory %s: %s", buf, strerror(errno));
            return false;
        }
        *p = '/';
    }
    return true;
}

static bool fsync_dir(const char *file)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", file);
    int fd = open(dirname(buf), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return false;
    fsync(fd);
    close(fd);
    return true;
}

bool vg_write_atomic(const char *root, const char *path, const char *data, size_t len,
                     unsigned mode, struct vg_sbuf *created)
{
    char full[4096], tmp[4200];
    if (!vg_root_path(root, path, full, sizeof(full))) {
        vg_err("path too long: %s", path);
        return false;
    }
    size_t rootlen = strlen(full) - strlen(path);
    if (!mkdirs(full, rootlen, created))
        return false;
    char *slash = strrchr(full, '/');
    snprintf(tmp, sizeof(tmp), "%.*s/.%s.vgapt-XXXXXX", (int)(slash - full), full, slash + 1);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        vg_err("cannot create a temporary file beside %s: %s", full, strerror(errno));
        return false;
    }
    struct stat st;
    bool ok = true;
    if (stat(full, &st) == 0) {
        ok = fchmod(fd, st.st_mode & 07777) == 0;
        if (fchown(fd, st.st_uid, st.st_gid) != 0 && geteuid() == 0)
            ok = false;
    } else {
        ok = fchmod(fd, mode) == 0;
    }
    for (size_t done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            ok = false;
        else
            done += (size_t)n;
    }
    if (ok && fsync(fd) != 0)
        ok = false;
    int saved = errno;
    if (close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, full) != 0)
        ok = false;
    if (!ok) {
        vg_err("cannot write %s: %s", full, strerror(errno ? errno : saved));
        unlink(tmp);
        return false;
    }
    fsync_dir(full);
    return true;
}

bool vg_run_argv(char *const *argv)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        vg_err("cannot start %s: %s", argv[0], strerror(errno));
        return false;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "vgapt-setup: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            vg_err("waiting for %s: %s", argv[0], strerror(errno));
            return false;
        }
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return true;
    if (WIFEXITED(st))
        vg_err("%s failed (exit status %d)", argv[0], WEXITSTATUS(st));
    else
        vg_err("%s killed by signal %d", argv[0], WTERMSIG(st));
    return false;
}
