/* The link (host-client/transport/link.c): a region the user may only read is still mapped for
 * our frame protocol, which needs no writes, but Looking Glass's needs read-write, and the
 * client says so and names the tmpfiles.d rule that fixes it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "link.h"
#include "testlib.h"
#include "vg/fp_wire.h"
#include "vg/lgmp_wire.h"
#include "vg/time.h"

static char path[600];

static void write_region(uint64_t magic, size_t magic_len)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, 4 << 20) == 0);
    CHECK(pwrite(fd, &magic, magic_len, 0) == (ssize_t)magic_len);
    close(fd);
    CHECK(chmod(path, 0444) == 0);
}

/* Polls a link on path as a user who may not write it (nobody when we are root); returns the
 * child's verdict: 0 when the waiting reason holds needle. */
static int poll_read_only(const char *needle)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        struct vg_link *l = vg_link_create(path, 500 * VG_NS_PER_MS);
        struct vg_link_status st;
        const struct vg_transport_ops *ops = NULL;
        vg_link_poll(l, vg_time_ns(), &st, &ops);
        int r = 0;
        if (!strstr(st.reason, needle)) {
            fprintf(stderr, "reason lacks '%s': %s\n", needle, st.reason);
            r = 1;
        }
        vg_link_destroy(l);
        _exit(r);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void a_read_only_region_names_the_tmpfiles_rule_for_looking_glass(void)
{
    write_region(VG_LGMP_MAGIC, 4);
    CHECK(poll_read_only("needs read-write access") == 0);
    CHECK(poll_read_only("tmpfiles.d") == 0);
    CHECK(poll_read_only("Looking Glass") == 0);
}

static void a_read_only_region_is_enough_for_our_protocol(void)
{
    /* The magic alone: the vgfp backend is chosen and judges the header itself (version 0
     * here), instead of the mapping being refused. */
    write_region(VG_FP_MAGIC, 8);
    CHECK(poll_read_only("unsupported protocol version 0") == 0);
}

int main(void)
{
    const char *dir = vg_test_tmpdir();
    CHECK(chmod(dir, 0755) == 0); /* the other user must reach the file */
    snprintf(path, sizeof(path), "%s/looking-glass", dir);
    RUN(a_read_only_region_names_the_tmpfiles_rule_for_looking_glass);
    RUN(a_read_only_region_is_enough_for_our_protocol);
    return vg_test_finish();
}
