/* The SPICE backend inside the real client: a server that cannot be reached leaves the frames
 * on and says so; a real one (QEMU's, its guest stopped) that comes up later is connected to,
 * and left cleanly.
 * Under the sanitizers this is where the spice-glib thread and its teardown are checked. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "pattern.h"
#include "testlib.h"

#define W 320
#define H 200

static char *client, *guest, *qemu;

static void an_unreachable_server_leaves_the_frames_on_and_says_so(void)
{
    const char *dir = vg_test_tmpdir();
    char uri[700];
    snprintf(uri, sizeof(uri), "unix:%s/nothing.sock", dir);
    char *gargs[] = {"--size", "320x200", "--fps", "10", NULL};
    char *cargs[] = {"--size",  "320x200", "--scale", "native", "--filter",
                     "nearest", "--spice", uri,       NULL};
    struct shown s = {0};
    if (!show_client(client, guest, "pattern", dir, "unreachable", NULL, gargs, cargs, 15, &s))
        return;
    char *log = vg_test_slurp(s.log);
    CHECK_MSG(log && strstr(log, "cannot connect") && strstr(log, "nothing.sock") &&
                  strstr(log, "-spice unix=on,addr=") &&
                  strstr(log, "keyboard and mouse stay with the host"),
              "no clear error in the log:\n%s", log ? log : "");
    free(log);
    /* The frame is there all the same. */
    int bad = 0;
    for (int y = 0; y < H; y += 7) {
        for (int x = 0; x < W; x += 7) {
            if (s.cvis && x >= s.cx && x < s.cx + 32 && y >= s.cy && y < s.cy + 32)
                continue;
            uint8_t want[4];
            vg_pattern_rgba8(W, H, s.serial - 1, (uint32_t)x, (uint32_t)y, want);
            bad += !rgb_near(image_px(&s.img, x, y), want, 0);
        }
    }
    CHECK_MSG(bad == 0, "%d sampled pixels differ from the guest's frame", bad);
    image_free(&s.img);
}

/* The client starts before the VM, as it may at login: it keeps trying, connects once the
 * server is there, and leaves cleanly. */
static void a_server_that_comes_later_is_connected_to_and_left_cleanly(void)
{
    if (strcmp(qemu, "-") == 0) {
        fprintf(stderr, "  (no qemu-system-x86_64: skipped)\n");
        return;
    }
    const char *dir = vg_test_tmpdir();
    char sock[600], spice[700], uri[700], qlog[600], clog[600], shm[600];
    snprintf(sock, sizeof(sock), "%s/spice.sock", dir);
    snprintf(spice, sizeof(spice), "unix=on,addr=%s,disable-ticketing=on", sock);
    snprintf(uri, sizeof(uri), "unix:%s", sock);
    snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
    snprintf(clog, sizeof(clog), "%s/client.log", dir);
    snprintf(shm, sizeof(shm), "%s/none", dir);
    char *cv[] = {client,       "--shm",      shm,         "--spice", uri,
                  "--no-audio", "--no-vsync", "--seconds", "6",       NULL};
    pid_t c = spawn_logged(cv, clog);
    CHECK_MSG(wait_for_text(clog, "trying again every", 0, 20000) > 0,
              "the client did not report the missing server");
    /* -S: the CPU never starts; the SPICE server runs all the same. */
    char *qv[] = {qemu,
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
                  "virtio-keyboard-pci",
                  "-device",
                  "virtio-tablet-pci",
                  "-monitor",
                  "none",
                  NULL};
    pid_t q = spawn_logged(qv, qlog);
    CHECK_MSG(q > 0, "qemu did not start");
    CHECK_MSG(wait_for_text(clog, "keyboard and mouse connected", 0, 20000) > 0,
              "the client did not connect once the server was there");
    int st = vg_test_wait(c, 30000);
    CHECK_MSG(st == 0, "client exit %d", st);
    char *log = vg_test_slurp(clog);
    const char *first = log ? strstr(log, "cannot connect") : NULL;
    CHECK_MSG(first && !strstr(first + 1, "cannot connect"),
              "the failure is not logged exactly once:\n%s", log ? log : "");
    free(log);
    kill(q, SIGTERM);
    vg_test_wait(q, 10000);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    client = argv[1];
    guest = argv[2];
    qemu = argv[3];
    RUN(an_unreachable_server_leaves_the_frames_on_and_says_so);
    RUN(a_server_that_comes_later_is_connected_to_and_left_cleanly);
    return vg_test_finish();
}
