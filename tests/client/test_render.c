/* The client under Xvfb with real GL (Mesa): what it presents, read back from the window's
 * framebuffer, equals the synthetic guest's pattern — every format, partial damage, the cursor
 * overlay, scaling. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "image.h"
#include "pattern.h"
#include "testlib.h"

#define W 320
#define H 200

static char *client, *guest;
static const char *dir;

static bool in_cursor(const struct shown *s, int x, int y)
{
    return s->cvis && x >= s->cx && x < s->cx + 32 && y >= s->cy && y < s->cy + 32;
}

/* Counts pixels of the screenshot (native scale, window = frame) that differ from the pattern
 * frame by more than tol, outside the cursor. */
static int mismatches(const struct shown *s, uint64_t frame, int tol)
{
    int bad = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            if (in_cursor(s, x, y))
                continue;
            uint8_t want[4];
            vg_pattern_rgba8(W, H, frame, (uint32_t)x, (uint32_t)y, want);
            if (!rgb_near(image_px(&s->img, x, y), want, tol)) {
                if (bad++ < 5) {
                    const uint8_t *got = image_px(&s->img, x, y);
                    fprintf(stderr, "  (%d,%d) got %d,%d,%d want %d,%d,%d\n", x, y, got[0], got[1],
                            got[2], want[0], want[1], want[2]);
                }
            }
        }
    }
    return bad;
}

static void check_cursor(const struct shown *s, uint64_t frame)
{
    CHECK(s->cvis == 1);
    int32_t ex, ey;
    vg_pattern_cursor_pos(W, H, frame, &ex, &ey);
    const uint8_t magenta[3] = {255, 0, 255}, yellow[3] = {255, 255, 0}, black[3] = {0, 0, 0};
    CHECK_MSG(rgb_near(image_px(&s->img, s->cx + 2, s->cy + 6), magenta, 1), "cursor head");
    CHECK_MSG(rgb_near(image_px(&s->img, s->cx + 2, s->cy + 20), yellow, 1), "cursor head");
    CHECK_MSG(rgb_near(image_px(&s->img, s->cx, s->cy + 10), black, 1), "cursor outline");
    /* A transparent pixel of the shape shows the frame below. */
    uint8_t want[4];
    vg_pattern_rgba8(W, H, frame, (uint32_t)s->cx + 30, (uint32_t)s->cy + 1, want);
    CHECK(rgb_near(image_px(&s->img, s->cx + 30, s->cy + 1), want, 1));
}

static void each_format_shows_the_pattern_exactly(void)
{
    const char *formats[] = {"bgra8", "rgba8", "rgb10a2", "rgba16f"};
    for (int i = 0; i < 4; i++) {
        for (int pbo = 0; pbo < 2; pbo++) {
            char name[32];
            snprintf(name, sizeof(name), "%s-%s", formats[i], pbo ? "pbo" : "nopbo");
            struct shown s = {0};
            char *gargs[] = {"--size",   "320x200",          "--fps", "30", "--still",
                             "--format", (char *)formats[i], NULL};
            char *cargs[] = {"--size",
                             "320x200",
                             "--scale",
                             "native",
                             "--filter",
                             "nearest",
                             pbo ? "--pbo" : "--no-pbo",
                             NULL};
            if (!show_client(client, guest, "pattern", dir, name, NULL, gargs, cargs, 1, &s))
                continue;
            CHECK(s.img.w == W && s.img.h == H);
            /* 8-bit formats are exact; 10-bit and half float round within one step. */
            int tol = i < 2 ? 0 : 1;
            int bad = mismatches(&s, 0, tol);
            CHECK_MSG(bad == 0, "%s: %d pixels differ from the pattern", name, bad);
            check_cursor(&s, 0);
            image_free(&s.img);
        }
    }
}

static void partial_damage_updates_leave_no_trail(void)
{
    struct shown s = {0};
    char *gargs[] = {"--size", "320x200", "--fps", "20", "--damage", "partial", NULL};
    char *cargs[] = {"--size", "320x200", "--scale", "native", "--filter", "nearest", NULL};
    if (!show_client(client, guest, "pattern", dir, "partial", NULL, gargs, cargs, 30, &s))
        return;
    /* The client saw consecutive frames and uploaded only their damage... */
    CHECK_MSG(s.partial > 5, "only %llu partial uploads", s.partial);
    /* ...and the result is still exactly the frame: the box is where it is now, nowhere else. */
    int bad = mismatches(&s, s.serial - 1, 0);
    CHECK_MSG(bad == 0, "%d pixels differ from frame %llu", bad, s.serial - 1);
    image_free(&s.img);
}

static void fit_scaling_doubles_the_frame(void)
{
    struct shown s = {0};
    char *gargs[] = {"--size", "320x200", "--fps", "30", "--still", NULL};
    char *cargs[] = {"--size", "640x400", "--scale", "fit", "--filter", "nearest", NULL};
    if (!show_client(client, guest, "pattern", dir, "fit", NULL, gargs, cargs, 1, &s))
        return;
    CHECK(s.img.w == 640 && s.img.h == 400);
    int bad = 0;
    for (int y = 2; y < H - 2; y += 7) {
        for (int x = 2; x < W - 2; x += 7) {
            uint8_t want[4];
            vg_pattern_rgba8(W, H, 0, (uint32_t)x, (uint32_t)y, want);
            if (!in_cursor(&s, x, y) && !rgb_near(image_px(&s.img, 2 * x + 1, 2 * y + 1), want, 0))
                bad++;
        }
    }
    CHECK_MSG(bad == 0, "%d scaled samples differ", bad);
    image_free(&s.img);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    client = argv[1];
    guest = argv[2];
    dir = vg_test_tmpdir();
    RUN(each_format_shows_the_pattern_exactly);
    RUN(partial_damage_updates_leave_no_trail);
    RUN(fit_scaling_doubles_the_frame);
    return vg_test_finish();
}
