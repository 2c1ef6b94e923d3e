/* The real window, photographed from the X server (xwd -root), through a guest's life: the
 * client waits with a message, shows the guest when it comes, notices it die, and shows the
 * next guest (another format and size) without a restart. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "pattern.h"
#include "testlib.h"
#include "vg/time.h"

static char *client, *guest;
static const char *dir;
static char shm[600], log_path[600];

/* Counts light pixels: the waiting message's text. */
static int light_pixels(const struct image *img)
{
    int n = 0;
    for (int i = 0; i < img->w * img->h; i++) {
        const uint8_t *p = img->rgb + (size_t)i * 3;
        n += p[0] > 160 && p[1] > 160 && p[2] > 160;
    }
    return n;
}

static pid_t start_guest(const char *size, const char *format)
{
    char *argv[] = {guest,      "pattern",      "--shm", shm,  "--size",  (char *)size,
                    "--format", (char *)format, "--fps", "30", "--still", NULL};
    return spawn_logged(argv, log_path);
}

static void guest_comes_dies_and_comes_back(void)
{
    char *cv[] = {client,       "--shm",  shm,         "--size",  "320x200",
                  "--scale",    "native", "--filter",  "nearest", "--no-vsync",
                  "--stall-ms", "500",    "--seconds", "100",     NULL};
    pid_t c = spawn_logged(cv, log_path);
    struct image img;

    long at = wait_for_text(log_path, "waiting for guest", 0, 20000);
    CHECK_MSG(at > 0, "no waiting message");
    char *text0 = vg_test_slurp(log_path);
    CHECK(text0 && strstr(text0, "vgapt-setup --ivshmem") != NULL);
    free(text0);
    if (image_photograph(&img, dir)) {
        CHECK_MSG(light_pixels(&img) > 50, "the window shows no message");
        image_free(&img);
    }

    pid_t g = start_guest("320x200", "bgra8");
    at = wait_for_text(log_path, "showing 320x200 BGRA8", at, 20000);
    CHECK_MSG(at > 0, "the first guest was not shown");
    if (image_photograph(&img, dir)) {
        image_check_pattern(&img, 320, 200);
        image_free(&img);
    }

    uint64_t killed = vg_time_ns();
    kill(g, SIGKILL);
    vg_test_wait(g, 5000);
    at = wait_for_text(log_path, "waiting for guest", at, 10000);
    double noticed_ms = (double)(vg_time_ns() - killed) / 1e6;
    CHECK_MSG(at > 0, "a dead guest was not noticed");
    fprintf(stderr, "  dead guest noticed after %.0f ms\n", noticed_ms);
    if (image_photograph(&img, dir)) {
        const uint8_t red[3] = {255, 0, 0};
        int x, y;
        CHECK_MSG(!image_find(&img, red, &x, &y), "the dead guest's frame is still shown");
        CHECK(light_pixels(&img) > 50);
        image_free(&img);
    }

    g = start_guest("256x160", "rgba8");
    at = wait_for_text(log_path, "showing 256x160 RGBA8", at, 20000);
    CHECK_MSG(at > 0, "the restarted guest was not shown");
    if (image_photograph(&img, dir)) {
        image_check_pattern(&img, 256, 160);
        image_free(&img);
    }

    kill(g, SIGTERM); /* a clean stop says so */
    CHECK(vg_test_wait(g, 5000) == 0);
    at = wait_for_text(log_path, "waiting for guest", at, 10000);
    CHECK(at > 0);
    char *text = vg_test_slurp(log_path);
    CHECK_MSG(text && strstr(text + at, "stop"), "no 'stopped' reason");
    free(text);

    kill(c, SIGTERM);
    CHECK_MSG(vg_test_wait(c, 10000) == 0, "client did not exit cleanly");
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
    RUN(guest_comes_dies_and_comes_back);
    int r = vg_test_finish();
    if (r) {
        char *text = vg_test_slurp(log_path);
        fprintf(stderr, "--- log ---\n%s\n", text ? text : "");
        free(text);
    }
    return r;
}
