/* Mapping shared memory: every failure a user can hit gets a message saying what to do. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "vg/shm.h"

static char path[512];
static char err[1024];

static const char *dir(void)
{
    static const char *d;
    if (!d)
        d = vg_test_tmpdir();
    return d;
}

static void make_file(const char *name, size_t size)
{
    snprintf(path, sizeof(path), "%s/%s", dir(), name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, (off_t)size) == 0);
    close(fd);
}

static void missing_file_names_shmem_and_setup(void)
{
    struct vg_shm shm;
    snprintf(path, sizeof(path), "%s/looking-glass", dir());
    int r = vg_shm_map(&shm, path, VG_SHM_WRITE, 4096, 0, err, sizeof(err));
    CHECK(r == -ENOENT);
    CHECK_MSG(strstr(err, "<shmem name='looking-glass'>") != NULL, "%s", err);
    CHECK_MSG(strstr(err, "vgapt-setup --ivshmem") != NULL, "%s", err);
    CHECK_MSG(strstr(err, "not running") != NULL, "%s", err);
    CHECK(shm.base == NULL);
}

static void empty_file_says_vm_not_started(void)
{
    struct vg_shm shm;
    make_file("empty", 0);
    CHECK(vg_shm_map(&shm, path, 0, 0, 0, err, sizeof(err)) == -ENODATA);
    CHECK_MSG(strstr(err, "empty") != NULL, "%s", err);
}

static void small_file_gives_both_sizes(void)
{
    struct vg_shm shm;
    make_file("small", 8192);
    CHECK(vg_shm_map(&shm, path, 0, 1 << 20, 0, err, sizeof(err)) == -EMSGSIZE);
    CHECK_MSG(strstr(err, "8192") && strstr(err, "1048576") && strstr(err, "<size>"), "%s", err);
}

static void directory_and_other_kinds_are_refused(void)
{
    struct vg_shm shm;
    CHECK(vg_shm_map(&shm, dir(), 0, 0, 0, err, sizeof(err)) < 0);
    CHECK_MSG(strstr(err, "directory") != NULL, "%s", err);
    /* A character device that is not kvmfr: the size ioctl fails. */
    CHECK(vg_shm_map(&shm, "/dev/null", 0, 0, 0, err, sizeof(err)) == -ENOTTY);
    CHECK_MSG(strstr(err, "not a kvmfr device") != NULL, "%s", err);
    snprintf(path, sizeof(path), "%s/fifo", dir());
    CHECK(mkfifo(path, 0600) == 0);
    int r = vg_shm_map(&shm, path, VG_SHM_WRITE, 0, 0, err, sizeof(err));
    CHECK(r == -EINVAL);
    CHECK_MSG(strstr(err, "neither a regular file nor a kvmfr") != NULL, "%s", err);
}

static void maps_read_write_and_shares_data(void)
{
    struct vg_shm a, b;
    make_file("region", 65536);
    CHECK(vg_shm_map(&a, path, VG_SHM_WRITE, 4096, 0, err, sizeof(err)) == 0);
    CHECK(vg_shm_map(&b, path, 0, 4096, 0, err, sizeof(err)) == 0);
    CHECK(a.size == 65536 && b.size == 65536);
    CHECK(a.kind == VG_SHM_FILE && a.writable && !b.writable);
    ((volatile char *)a.base)[65535] = 42;
    CHECK(((volatile char *)b.base)[65535] == 42);
    size_t cur = 0;
    CHECK(vg_shm_current_size(&a, &cur) == 0 && cur == 65536);
    vg_shm_unmap(&a);
    vg_shm_unmap(&b);
    CHECK(a.base == NULL);
    vg_shm_unmap(&a); /* twice is harmless */
}

/* A file truncated under its mapping: the read past the new end would raise SIGBUS and kill
 * the process; it reads zeros instead, the mapping says it is lost, and a new mapping works. */
static void a_file_truncated_under_the_mapping_reads_zeros_not_sigbus(void)
{
    struct vg_shm a, b;
    make_file("shrinks", 1 << 20);
    CHECK(vg_shm_map(&a, path, VG_SHM_WRITE, 4096, 0, err, sizeof(err)) == 0);
    CHECK(vg_shm_map(&b, path, 0, 4096, 0, err, sizeof(err)) == 0);
    memset(a.base, 0x5A, a.size);
    CHECK(!vg_shm_lost(&a) && !vg_shm_lost(&b));
    CHECK(truncate(path, 8192) == 0);
    /* Within the new size the data is still there; past it, zeros and a flag. */
    CHECK(((volatile uint8_t *)b.base)[100] == 0x5A);
    CHECK(!vg_shm_lost(&b));
    CHECK(((volatile uint8_t *)b.base)[(1 << 20) - 1] == 0);
    CHECK(vg_shm_lost(&b));
    CHECK_MSG(!vg_shm_lost(&a), "only the mapping that faulted is lost");
    /* A write past the end is caught the same way. */
    ((volatile uint8_t *)a.base)[512 * 1024] = 1;
    CHECK(vg_shm_lost(&a));
    vg_shm_unmap(&a);
    vg_shm_unmap(&b);
    CHECK(vg_shm_map(&a, path, 0, 4096, 0, err, sizeof(err)) == 0);
    CHECK(a.size == 8192 && !vg_shm_lost(&a));
    vg_shm_unmap(&a);
}

/* A file re-created (new inode) or resized reads as replaced; the same file as it was does not. */
static void a_re_created_or_resized_file_reads_as_replaced(void)
{
    struct vg_shm a;
    make_file("replaced", 65536);
    CHECK(vg_shm_map(&a, path, 0, 4096, 0, err, sizeof(err)) == 0);
    CHECK(!vg_shm_replaced(&a));
    CHECK(truncate(path, 131072) == 0);
    CHECK(vg_shm_replaced(&a));
    CHECK(truncate(path, 65536) == 0);
    CHECK(!vg_shm_replaced(&a));
    CHECK(unlink(path) == 0);
    CHECK(vg_shm_replaced(&a));
    make_file("replaced", 65536); /* a new inode of the same size */
    CHECK(vg_shm_replaced(&a));
    vg_shm_unmap(&a);
}

/* A SIGBUS that is not about our mappings still ends the process, through the handler that
 * was there before ours. */
static void a_foreign_sigbus_still_kills(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct vg_shm a;
        make_file("other", 65536);
        if (vg_shm_map(&a, path, 0, 4096, 0, err, sizeof(err)) != 0)
            _exit(3);
        raise(SIGBUS);
        _exit(0);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    /* Under a sanitizer its own handler (the one before ours) reports the fault and aborts. */
    CHECK_MSG(WIFSIGNALED(st) && (WTERMSIG(st) == SIGBUS || WTERMSIG(st) == SIGABRT),
              "status %#x", st);
}

static void create_makes_and_grows_file(void)
{
    struct vg_shm shm;
    snprintf(path, sizeof(path), "%s/new", dir());
    CHECK(vg_shm_map(&shm, path, VG_SHM_WRITE | VG_SHM_CREATE, 4096, 1 << 20, err,
                     sizeof(err)) == 0);
    CHECK(shm.size == 1 << 20);
    vg_shm_unmap(&shm);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 1 << 20);
}

/* Opens path read-write as another user (root only) and returns the child's verdict on the
 * message: 0 when every needle is in it and the forbidden text is not. */
static int denied_message_as_nobody(const char *const *needles, const char *forbidden)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        struct vg_shm shm;
        int r = vg_shm_map(&shm, path, VG_SHM_WRITE, 0, 0, err, sizeof(err));
        if (r != -EACCES)
            _exit(1);
        for (int i = 0; needles[i]; i++) {
            if (!strstr(err, needles[i])) {
                fprintf(stderr, "message lacks '%s': %s\n", needles[i], err);
                _exit(2);
            }
        }
        if (forbidden && strstr(err, forbidden)) {
            fprintf(stderr, "message has '%s': %s\n", forbidden, err);
            _exit(4);
        }
        _exit(0);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void permission_denied_names_owner_mode_and_rule(void)
{
    make_file("locked", 4096);
    CHECK(chmod(dir(), 0755) == 0); /* the other user must reach the file */
    CHECK(chmod(path, 0600) == 0);
    if (geteuid() != 0) {
        /* Not root: cannot create the situation for another user; check our own denial. */
        CHECK(chmod(path, 0000) == 0);
        const char *const needles[] = {"mode 0", "tmpfiles.d", "0660", NULL};
        CHECK(denied_message_as_nobody(needles, NULL) == 0);
        return;
    }
    /* Owned by root, opened by nobody: the owner is root (not the caller), and joining the
     * group would not help a 0600 file. */
    const char *const owner[] = {"owned by root:", "you are nobody", "mode 0600", "tmpfiles.d",
                                 "'f ", NULL};
    CHECK(denied_message_as_nobody(owner, "add yourself to group") == 0);
    /* A group-writable file: joining its group does help. */
    CHECK(chmod(path, 0664) == 0);
    const char *const group[] = {"mode 0664", "add yourself to group root", NULL};
    CHECK(denied_message_as_nobody(group, NULL) == 0);
}

int main(void)
{
    RUN(missing_file_names_shmem_and_setup);
    RUN(empty_file_says_vm_not_started);
    RUN(small_file_gives_both_sizes);
    RUN(directory_and_other_kinds_are_refused);
    RUN(maps_read_write_and_shares_data);
    RUN(create_makes_and_grows_file);
    RUN(permission_denied_names_owner_mode_and_rule);
    RUN(a_file_truncated_under_the_mapping_reads_zeros_not_sigbus);
    RUN(a_foreign_sigbus_still_kills);
    RUN(a_re_created_or_resized_file_reads_as_replaced);
    return vg_test_finish();
}
