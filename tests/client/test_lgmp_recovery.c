/* The real client under Xvfb through a Looking Glass B7 guest's life, with real processes:
 * `vgapt-guest lgmp-pattern` frozen (heartbeat stopped: noticed within 1.1 s) and thawed, killed
 * and replaced by another (a new session), killed with the region zeroed (a VM reboot), and the
 * client itself stopped past the host's 1 s timeout (SIGSTOP): it is expelled, subscribes
 * again and shows the moving pattern exactly. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "pattern.h"
#include "testlib.h"
#include "vg/time.h"

static char *client, *guest;
static const char *dir;
static char shm[600], log_path[600];

/* Photographs the screen and compares samples of the w x h pattern's frame 0 found on it. */
static void check_pattern_on_screen(uint32_t w, uint32_t h)
{
    struct image img;
    if (!image_photograph(&img, dir))
        return;
    image_check_pattern(&img, w, h);
    image_free(&img);
}

static pid_t start_guest(const char *size, const char *format, bool still)
{
    char *argv[] = {guest,
                    "lgmp-pattern",
                    "--shm",
                    shm,
                    "--size",
                    (char *)size,
                    "--fps",
                    "30",
                    "--format",
                    (char *)format,
                    still ? "--still" : NULL,
                    NULL};
    return spawn_logged(argv, log_path);
}

static void freeze_restart_and_reboot_are_followed(void)
{
    char *cv[] = {client,       "--shm",     shm,        "--size",  "320x200",
                  "--scale",    "native",    "--filter", "nearest", "--no-vsync",
                  "--no-audio", "--seconds", "100",      NULL};
    pid_t c = spawn_logged(cv, log_path);
    pid_t g = start_guest("320x200", "bgra", true);
    long at = wait_for_text(log_path, "showing 320x200 BGRA8", 0, 20000);
    CHECK_MSG(at > 0, "the first guest was not shown");
    check_pattern_on_screen(320, 200);

    /* The host application freezes (the VM is paused): its heartbeat stops. */
    uint64_t frozen = vg_time_ns();
    kill(g, SIGSTOP);
    long stopped = wait_for_text(log_path, "Looking Glass host application stopped", at, 5000);
    double ms = vg_ns_to_ms(vg_time_ns() - frozen);
    CHECK_MSG(stopped > 0 && ms <= 1100, "a frozen host noticed after %.0f ms", ms);
    fprintf(stderr, "  frozen host noticed after %.0f ms\n", ms);
    kill(g, SIGCONT);
    at = wait_for_text(log_path, "guest ready (lgmp)", stopped > 0 ? stopped : at, 10000);
    CHECK_MSG(at > 0, "the thawed host was not picked up again");

    /* Another host application replaces it: a new session, another format. */
    kill(g, SIGKILL);
    vg_test_wait(g, 5000);
    g = start_guest("256x160", "rgba", true);
    at = wait_for_text(log_path, "showing 256x160 RGBA8", at, 20000);
    CHECK_MSG(at > 0, "the restarted host was not shown");
    check_pattern_on_screen(256, 160);

    /* The VM reboots: the region reads zero, then a host application starts again. */
    kill(g, SIGKILL);
    vg_test_wait(g, 5000);
    int fd = open(shm, O_WRONLY);
    off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : 0;
    char *zeros = calloc(1, (size_t)size);
    CHECK(fd >= 0 && zeros && pwrite(fd, zeros, (size_t)size, 0) == (ssize_t)size);
    free(zeros);
    if (fd >= 0)
        close(fd);
    at = wait_for_text(log_path, "is blank", at, 10000);
    CHECK_MSG(at > 0, "a zeroed region was not noticed");
    g = start_guest("320x200", "bgr32", true);
    at = wait_for_text(log_path, "showing 320x200 BGR8", at, 20000);
    CHECK_MSG(at > 0, "the host after the reboot was not shown");
    check_pattern_on_screen(320, 200);

    kill(g, SIGTERM);
    CHECK(vg_test_wait(g, 5000) == 0);
    kill(c, SIGTERM);
    CHECK_MSG(vg_test_wait(c, 10000) == 0, "client did not exit cleanly");
}

static void a_client_stopped_past_the_host_timeout_comes_back(void)
{
    char serial[16], shot_ppm[700];
    snprintf(serial, sizeof(serial), "%d", 75);
    snprintf(shot_ppm, sizeof(shot_ppm), "%s/stall.ppm", dir);
    snprintf(log_path, sizeof(log_path), "%s/stall.log", dir);
    unlink(shm);
    pid_t g = start_guest("320x200", "bgra", false);
    char *cv[] = {client,       "--shm",
                  shm,          "--size",
                  "320x200",    "--scale",
                  "native",     "--filter",
                  "nearest",    "--no-vsync",
                  "--no-audio", "--seconds",
                  "60",         "--screenshot",
                  shot_ppm,     "--screenshot-serial",
                  serial,       NULL};
    pid_t c = spawn_logged(cv, log_path);
    long at = wait_for_text(log_path, "guest ready (lgmp)", 0, 20000);
    CHECK(at > 0);
    vg_sleep_ns(300 * VG_NS_PER_MS);
    kill(c, SIGSTOP);
    vg_sleep_ns(1500 * VG_NS_PER_MS);
    kill(c, SIGCONT);
    CHECK_MSG(wait_for_text(log_path, "expelled this client", at, 5000) > 0,
              "the host did not expel the stopped client (or it did not notice)");
    int st = vg_test_wait(c, 30000);
    CHECK_MSG(st == 0, "client exit %d", st);
    kill(g, SIGTERM);
    vg_test_wait(g, 5000);

    /* Frames flow again to serial 75 (2.5 s at 30 fps), and the last is shown exactly. */
    struct image img;
    unsigned long long s = 0, partial = 0;
    int cx = 0, cy = 0, vis = 0;
    if (!image_read_ppm(&img, shot_ppm)) {
        CHECK_MSG(false, "no screenshot after the stall");
        return;
    }
    CHECK(sscanf(img.comment, "# vgapt serial=%llu partial=%llu cursor=%d,%d,%d", &s, &partial, &cx,
                 &cy, &vis) == 5);
    CHECK(s >= 75);
    int bad = 0;
    int32_t px, py;
    vg_pattern_cursor_pos(320, 200, s - 1, &px, &py);
    for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 320; x++) {
            if (x >= px - 1 && x < px + 33 && y >= py - 1 && y < py + 33)
                continue;
            uint8_t want[4];
            vg_pattern_rgba8(320, 200, s - 1, (uint32_t)x, (uint32_t)y, want);
            bad += !rgb_near(image_px(&img, x, y), want, 0);
        }
    }
    CHECK_MSG(bad == 0, "%d pixels differ from frame %llu after the stall", bad, s - 1);
    image_free(&img);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    client = argv[1];
    guest = argv[2];
    dir = vg_test_tmpdir();
    snprintf(shm, sizeof(shm), "%s/looking-glass", dir);
    snprintf(log_path, sizeof(log_path), "%s/run.log", dir);
    RUN(freeze_restart_and_reboot_are_followed);
    RUN(a_client_stopped_past_the_host_timeout_comes_back);
    int r = vg_test_finish();
    if (r) {
        const char *logs[] = {"run.log", "stall.log"};
        for (int i = 0; i < 2; i++) {
            char path[700];
            snprintf(path, sizeof(path), "%s/%s", dir, logs[i]);
            char *text = vg_test_slurp(path);
            fprintf(stderr, "--- %s ---\n%s\n", logs[i], text ? text : "");
            free(text);
        }
    }
    return r;
}
