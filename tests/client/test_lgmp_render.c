/* The client under Xvfb with real GL (Mesa), fed by `vgapt-guest lgmp-pattern` (the Looking
 * Glass B7 host application's protocol, LGMP 6 / KVMFR 20): what it presents, read back from
 * the window, is the pattern for every KVMFR format and rotation, with partial damage, and a
 * region too small shows what arrived with a warning naming the size it needs. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"
#include "pattern.h"
#include "testlib.h"

#define W 320
#define H 200

static char *client, *guest;
static const char *dir;

/* Where data pixel (x, y) of a w x h frame lands on a display rotated clockwise by rot. */
static void rotate(int rot, int w, int h, int x, int y, int *dx, int *dy)
{
    switch (rot) {
    case 90:
        *dx = h - 1 - y;
        *dy = x;
        break;
    case 180:
        *dx = w - 1 - x;
        *dy = h - 1 - y;
        break;
    case 270:
        *dx = y;
        *dy = w - 1 - x;
        break;
    default:
        *dx = x;
        *dy = y;
    }
}

/* Pixels (frame rows below skip_rows, above rows) that differ from pattern frame `frame` by
 * more than tol, outside the cursor's 32 x 32 box (data coordinates), with the frame shown
 * rotated at (ox, oy) of the screenshot. */
static int mismatches(const struct shown *s, uint64_t frame, int rot, int ox, int oy, int tol,
                      int skip_rows, int rows)
{
    int32_t cx, cy;
    vg_pattern_cursor_pos(W, H, frame, &cx, &cy);
    int bad = 0;
    for (int y = skip_rows; y < rows; y++) {
        for (int x = 0; x < W; x++) {
            if (x >= cx - 1 && x < cx + 33 && y >= cy - 1 && y < cy + 33)
                continue;
            int dx, dy;
            rotate(rot, W, H, x, y, &dx, &dy);
            uint8_t want[4];
            vg_pattern_rgba8(W, H, frame, (uint32_t)x, (uint32_t)y, want);
            const uint8_t *got = image_px(&s->img, ox + dx, oy + dy);
            if (!rgb_near(got, want, tol) && bad++ < 5)
                fprintf(stderr, "  data (%d,%d) at (%d,%d): got %d,%d,%d want %d,%d,%d\n", x, y,
                        ox + dx, oy + dy, got[0], got[1], got[2], want[0], want[1], want[2]);
        }
    }
    return bad;
}

static void each_kvmfr_format_shows_the_pattern_exactly(void)
{
    const char *formats[] = {"bgra", "rgba", "rgba10", "rgba16f", "bgr32", "rgb24"};
    for (int i = 0; i < 6; i++) {
        char name[32];
        snprintf(name, sizeof(name), "lgmp-%s", formats[i]);
        struct shown s = {0};
        char *gargs[] = {"--size",   "320x200",          "--fps", "30", "--still",
                         "--format", (char *)formats[i], NULL};
        char *cargs[] = {"--size", "320x200", "--scale", "native", "--filter", "nearest", NULL};
        /* A still screen is captured once (serial 1), then re-posted to the new client. */
        if (!show_client(client, guest, "lgmp-pattern", dir, name, NULL, gargs, cargs, 1, &s))
            continue;
        CHECK(s.img.w == W && s.img.h == H);
        /* 8-bit formats are exact; 10-bit and half float round within one step. */
        int tol = (i == 2 || i == 3) ? 1 : 0;
        int bad = mismatches(&s, 0, 0, 0, 0, tol, 0, H);
        CHECK_MSG(bad == 0, "%s: %d pixels differ from the pattern", name, bad);
        /* The cursor came through the pointer queue: its hotspot is the pattern's. */
        int32_t cx, cy;
        vg_pattern_cursor_pos(W, H, 0, &cx, &cy);
        CHECK_MSG(s.cvis == 1 && s.cx == cx && s.cy == cy, "%s: cursor %d,%d,%d", name, s.cx, s.cy,
                  s.cvis);
        const uint8_t magenta[3] = {255, 0, 255};
        CHECK_MSG(rgb_near(image_px(&s.img, cx + 2, cy + 6), magenta, 1), "%s: cursor drawn", name);
        image_free(&s.img);
    }
}

static void each_rotation_turns_the_frame_clockwise(void)
{
    const int rots[] = {90, 180, 270};
    for (int i = 0; i < 3; i++) {
        char name[32], rot_s[8];
        snprintf(name, sizeof(name), "lgmp-rot%d", rots[i]);
        snprintf(rot_s, sizeof(rot_s), "%d", rots[i]);
        struct shown s = {0};
        char *gargs[] = {"--size", "320x200", "--fps", "30", "--still", "--rotation", rot_s, NULL};
        char *cargs[] = {"--size", "320x320", "--scale", "native", "--filter", "nearest", NULL};
        if (!show_client(client, guest, "lgmp-pattern", dir, name, NULL, gargs, cargs, 1, &s))
            continue;
        CHECK(s.img.w == 320 && s.img.h == 320);
        bool swap = rots[i] != 180;
        int dw = swap ? H : W, dh = swap ? W : H;
        int ox = (320 - dw) / 2, oy = (320 - dh) / 2;
        int bad = mismatches(&s, 0, rots[i], ox, oy, 0, 0, H);
        CHECK_MSG(bad == 0, "rotation %d: %d pixels differ from the rotated pattern", rots[i], bad);
        image_free(&s.img);
    }
}

static void partial_damage_updates_leave_no_trail(void)
{
    struct shown s = {0};
    char *gargs[] = {"--size", "320x200", "--fps", "20", "--damage", "partial", NULL};
    char *cargs[] = {"--size", "320x200", "--scale", "native", "--filter", "nearest", NULL};
    if (!show_client(client, guest, "lgmp-pattern", dir, "lgmp-partial", NULL, gargs, cargs, 30,
                     &s))
        return;
    CHECK_MSG(s.partial > 5, "only %llu partial uploads", s.partial);
    int bad = mismatches(&s, s.serial - 1, 0, 0, 0, 0, 0, H);
    CHECK_MSG(bad == 0, "%d pixels differ from frame %llu", bad, s.serial - 1);
    image_free(&s.img);
}

/* Monochrome and masked-colour cursors over the pattern: black, white, cyan, the screen
 * unchanged and the screen inverted, each where pattern.h puts it. */
static void monochrome_and_masked_cursors_invert_and_replace(void)
{
    const char *types[] = {"mono", "masked"};
    for (int k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof(name), "lgmp-cursor-%s", types[k]);
        struct shown s = {0};
        char *gargs[] = {"--size",  "320x200",  "--fps",          "30",
                         "--still", "--cursor", (char *)types[k], NULL};
        char *cargs[] = {"--size", "320x200", "--scale", "native", "--filter", "nearest", NULL};
        if (!show_client(client, guest, "lgmp-pattern", dir, name, NULL, gargs, cargs, 1, &s))
            continue;
        int32_t cx, cy;
        vg_pattern_cursor_pos(W, H, 0, &cx, &cy);
        int bad = 0, seen[4] = {0};
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                uint8_t screen[4], want[3];
                vg_pattern_rgba8(W, H, 0, (uint32_t)(cx + x), (uint32_t)(cy + y), screen);
                enum vg_pattern_cursor_part part = vg_pattern_cursor_part(x, y);
                seen[part]++;
                switch (part) {
                case VG_PATTERN_CURSOR_OUTSIDE:
                    memcpy(want, screen, 3);
                    break;
                case VG_PATTERN_CURSOR_OUTLINE:
                    memset(want, 0, 3);
                    break;
                case VG_PATTERN_CURSOR_UPPER:
                    want[0] = k == 0 ? 255 : 0; /* mono white, masked cyan */
                    want[1] = want[2] = 255;
                    break;
                default: /* inverted */
                    for (int c = 0; c < 3; c++)
                        want[c] = (uint8_t)(255 - screen[c]);
                    break;
                }
                const uint8_t *got = image_px(&s.img, cx + x, cy + y);
                if (!rgb_near(got, want, 1) && bad++ < 5)
                    fprintf(stderr, "  %s (%d,%d) part %d: got %d,%d,%d want %d,%d,%d\n", types[k],
                            x, y, part, got[0], got[1], got[2], want[0], want[1], want[2]);
            }
        }
        CHECK(seen[VG_PATTERN_CURSOR_LOWER] > 20 && seen[VG_PATTERN_CURSOR_UPPER] > 20);
        CHECK_MSG(bad == 0, "%s cursor: %d pixels wrong", types[k], bad);
        image_free(&s.img);
    }
}

static void a_region_too_small_shows_the_rows_that_fit_and_the_size_needed(void)
{
    /* A 4 MiB region: the cursor buffers take 3 MiB, two 640x480 slots do not fit. */
    char shm[600];
    snprintf(shm, sizeof(shm), "%s/small.shm", dir);
    int fd = open(shm, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && ftruncate(fd, 4 << 20) == 0);
    close(fd);
    struct shown s = {0};
    char *gargs[] = {"--size", "640x480", "--fps", "30", "--still", NULL};
    char *cargs[] = {"--size", "640x480", "--scale", "native", "--filter", "nearest", NULL};
    if (!show_client(client, guest, "lgmp-pattern", dir, "lgmp-small", shm, gargs, cargs, 1, &s))
        return;
    char *log = vg_test_slurp(s.log);
    CHECK_MSG(log && strstr(log, "region too small for 640x480 (needs 16 MiB)") &&
                  strstr(log, "vgapt-setup --ivshmem --resolution 640x480"),
              "the client names the size needed");
    free(log);
    /* The last rows of the window are black: they never arrived. */
    int lit = 0;
    for (int x = 0; x < 640; x++) {
        const uint8_t *p = image_px(&s.img, x, 470);
        lit += p[0] || p[1] || p[2];
    }
    CHECK_MSG(lit == 0, "%d pixels lit in a row that was not sent", lit);
    image_free(&s.img);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    client = argv[1];
    guest = argv[2];
    dir = vg_test_tmpdir();
    RUN(each_kvmfr_format_shows_the_pattern_exactly);
    RUN(each_rotation_turns_the_frame_clockwise);
    RUN(partial_damage_updates_leave_no_trail);
    RUN(monochrome_and_masked_cursors_invert_and_replace);
    RUN(a_region_too_small_shows_the_rows_that_fit_and_the_size_needed);
    return vg_test_finish();
}
