/* The SPICE backend with sockets handed to it (VG_INPUT_ADDR_FD, what --domain gets from
 * virDomainOpenGraphicsFD): the session starts on the first socket, every further channel asks
 * for one of its own, and the keyboard and mouse get connected; a socket that cannot be had
 * fails with the address's label in the message. The server is QEMU's, its guest stopped.
 * Usage: test-input-fd QEMU|- */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "input.h"
#include "testlib.h"
#include "vg/time.h"

static const char *qemu;
static const struct vg_input_ops *ops;

struct opener {
    char path[108];
    atomic_int calls;
    bool refuse;
};

static int open_socket(void *ctx)
{
    struct opener *o = ctx;
    atomic_fetch_add(&o->calls, 1);
    if (o->refuse)
        return -ECONNREFUSED;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", o->path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return -e;
    }
    return fd;
}

/* Polls until the state is reached or timeout_ms passes; returns the last status. */
static struct vg_input_status wait_state(struct vg_input *in, enum vg_input_state want,
                                         int timeout_ms)
{
    struct vg_input_status st;
    uint64_t end = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    do {
        ops->poll_status(in, &st);
        if (st.state == want)
            break;
        vg_sleep_ns(20 * VG_NS_PER_MS);
    } while (vg_time_ns() < end);
    return st;
}

static struct vg_input_addr fd_addr(struct opener *o)
{
    struct vg_input_addr a = {.kind = VG_INPUT_ADDR_FD, .open_fd = open_socket, .open_fd_ctx = o};
    snprintf(a.host, sizeof(a.host), "domain test-vm");
    return a;
}

static void a_socket_that_cannot_be_had_fails_naming_the_domain(void)
{
    struct opener o = {.refuse = true};
    struct vg_input_addr a = fd_addr(&o);
    struct vg_input *in = ops->create(&a);
    CHECK(in);
    if (!in)
        return;
    struct vg_input_status st = wait_state(in, VG_INPUT_FAILED, 10000);
    CHECK_MSG(st.state == VG_INPUT_FAILED && strstr(st.message, "domain test-vm"), "%d %s",
              st.state, st.message);
    CHECK(atomic_load(&o.calls) == 1);
    ops->destroy(in);
}

static void every_channel_gets_its_own_socket_and_input_connects(void)
{
    if (strcmp(qemu, "-") == 0) {
        fprintf(stderr, "  (no qemu-system-x86_64: skipped)\n");
        return;
    }
    const char *dir = vg_test_tmpdir();
    struct opener o = {0};
    char spice[300], qlog[600];
    snprintf(o.path, sizeof(o.path), "%s/s.sock", dir);
    snprintf(spice, sizeof(spice), "unix=on,addr=%s,disable-ticketing=on", o.path);
    snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
    /* -S: the CPU never starts; the SPICE server runs all the same. */
    char *qv[] = {(char *)qemu,
                  "-S",
                  "-machine",
                  "q35",
                  "-accel",
                  "tcg",
                  "-m",
                  "64",
                  "-nodefaults",
                  "-vga",
                  "std",
                  "-display",
                  "none",
                  "-spice",
                  spice,
                  "-device",
                  "virtio-tablet-pci",
                  "-monitor",
                  "none",
                  NULL};
    pid_t q = vg_test_spawn_io(qv, qlog, qlog, false);
    CHECK(q > 0);
    for (int i = 0; i < 200 && access(o.path, F_OK) != 0; i++)
        vg_sleep_ns(50 * VG_NS_PER_MS);
    struct vg_input_addr a = fd_addr(&o);
    struct vg_input *in = ops->create(&a);
    CHECK(in);
    if (in) {
        struct vg_input_status st = wait_state(in, VG_INPUT_READY, 20000);
        CHECK_MSG(st.state == VG_INPUT_READY, "state %d: %s", st.state, st.message);
        /* The main channel's socket, then at least the inputs channel's. */
        CHECK_MSG(atomic_load(&o.calls) >= 2, "%d sockets asked for", atomic_load(&o.calls));
        ops->key_press(in, 0x1e);
        ops->key_release(in, 0x1e);
        ops->destroy(in);
    }
    if (q > 0) {
        kill(q, SIGTERM);
        vg_test_wait(q, 10000);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s QEMU|-\n", argv[0]);
        return 2;
    }
    qemu = argv[1];
    for (size_t i = 0; vg_inputs[i]; i++)
        if (strcmp(vg_inputs[i]->name, "spice") == 0)
            ops = vg_inputs[i];
    if (!ops) {
        fprintf(stderr, "no SPICE backend built\n");
        return 1;
    }
    RUN(a_socket_that_cannot_be_had_fails_naming_the_domain);
    RUN(every_channel_gets_its_own_socket_and_input_connects);
    return vg_test_finish();
}
