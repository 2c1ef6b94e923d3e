/* vg_scale_rect: where the frame lands in the window for each scale mode. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "renderer.h"
#include "testlib.h"

struct rect {
    int x, y, w, h;
};

static struct rect scale(enum vg_scale_mode m, uint32_t fw, uint32_t fh, int ww, int wh)
{
    struct rect r;
    vg_scale_rect(m, fw, fh, ww, wh, &r.x, &r.y, &r.w, &r.h);
    return r;
}

#define CHECK_RECT(got, ex, ey, ew, eh)                                                            \
    CHECK_MSG((got).x == (ex) && (got).y == (ey) && (got).w == (ew) && (got).h == (eh),            \
              "got %d,%d %dx%d, want %d,%d %dx%d", (got).x, (got).y, (got).w, (got).h, (ex), (ey), \
              (ew), (eh))

static void fit_keeps_aspect_and_centres(void)
{
    /* Wider than the window: full width, letterboxed top and bottom. */
    CHECK_RECT(scale(VG_SCALE_FIT, 64, 32, 200, 150), 0, 25, 200, 100);
    /* Taller: full height, pillarboxed; 75.5 rounds to 75... */
    CHECK_RECT(scale(VG_SCALE_FIT, 32, 64, 200, 150), 62, 0, 75, 150);
    CHECK_RECT(scale(VG_SCALE_FIT, 1920, 1080, 1280, 720), 0, 0, 1280, 720);
    CHECK_RECT(scale(VG_SCALE_FIT, 1280, 720, 1920, 1080), 0, 0, 1920, 1080);
    /* 562.5 rounds to the nearest pixel. */
    CHECK_RECT(scale(VG_SCALE_FIT, 1920, 1080, 1000, 1000), 0, 218, 1000, 563);
    CHECK_RECT(scale(VG_SCALE_FIT, 1, 1, 300, 100), 100, 0, 100, 100);
}

static void fit_property_over_many_sizes(void)
{
    uint32_t seed = 12345;
    int bad = 0;
    for (int i = 0; i < 2000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t fw = 1 + (seed >> 8) % 4096;
        seed = seed * 1103515245u + 12345u;
        uint32_t fh = 1 + (seed >> 8) % 4096;
        seed = seed * 1103515245u + 12345u;
        int ww = 1 + (int)((seed >> 8) % 3000);
        seed = seed * 1103515245u + 12345u;
        int wh = 1 + (int)((seed >> 8) % 3000);
        struct rect r = scale(VG_SCALE_FIT, fw, fh, ww, wh);
        bool fits = r.x >= 0 && r.y >= 0 && r.x + r.w <= ww && r.y + r.h <= wh;
        bool touches = r.w == ww || r.h == wh;
        bool centred = abs(2 * r.x + r.w - ww) <= 1 && abs(2 * r.y + r.h - wh) <= 1;
        /* Aspect within the rounding of one pixel on the shorter side. */
        double a = (double)fw / fh;
        double lo = (double)r.w / (r.h + 1), hi = r.h > 1 ? (double)r.w / (r.h - 1) : 1e18;
        double lo2 = (double)(r.w - 1) / r.h, hi2 = (double)(r.w + 1) / r.h;
        bool aspect = (a >= lo && a <= hi) || (a >= lo2 && a <= hi2);
        if (!(fits && touches && centred && aspect) && bad++ < 5)
            fprintf(stderr, "FIT %ux%u in %dx%d -> %d,%d %dx%d\n", fw, fh, ww, wh, r.x, r.y, r.w,
                    r.h);
    }
    CHECK_MSG(bad == 0, "%d sizes broke the FIT rules", bad);
}

static void integer_picks_largest_whole_factor(void)
{
    CHECK_RECT(scale(VG_SCALE_INTEGER, 64, 32, 200, 150), 4, 27, 192, 96);
    CHECK_RECT(scale(VG_SCALE_INTEGER, 640, 480, 1920, 1080), 320, 60, 1280, 960);
    CHECK_RECT(scale(VG_SCALE_INTEGER, 1920, 1080, 1920, 1080), 0, 0, 1920, 1080);
    /* Too large for the window: fitted (the whole desktop stays visible), not cropped. */
    CHECK_RECT(scale(VG_SCALE_INTEGER, 1920, 1080, 1280, 720), 0, 0, 1280, 720);
    CHECK_RECT(scale(VG_SCALE_INTEGER, 3840, 2160, 1280, 1024), 0, 152, 1280, 720);
}

static void stretch_fills_the_window(void)
{
    CHECK_RECT(scale(VG_SCALE_STRETCH, 64, 32, 200, 150), 0, 0, 200, 150);
    CHECK_RECT(scale(VG_SCALE_STRETCH, 3840, 2160, 640, 480), 0, 0, 640, 480);
}

static void native_is_one_to_one_centred(void)
{
    CHECK_RECT(scale(VG_SCALE_NATIVE, 64, 32, 200, 150), 68, 59, 64, 32);
    CHECK_RECT(scale(VG_SCALE_NATIVE, 64, 32, 64, 32), 0, 0, 64, 32);
    CHECK_RECT(scale(VG_SCALE_NATIVE, 1920, 1080, 1280, 720), -320, -180, 1920, 1080);
    /* An odd overhang rounds towards the top-left. */
    CHECK_RECT(scale(VG_SCALE_NATIVE, 65, 33, 64, 32), -1, -1, 65, 33);
}

static void degenerate_sizes_are_safe(void)
{
    /* No frame: an empty rect in the middle. */
    CHECK_RECT(scale(VG_SCALE_FIT, 0, 0, 200, 100), 100, 50, 0, 0);
    CHECK_RECT(scale(VG_SCALE_INTEGER, 0, 10, 200, 100), 100, 50, 0, 0);
    /* No window. */
    struct rect r = scale(VG_SCALE_FIT, 64, 32, 0, 0);
    CHECK(r.w == 0 && r.h == 0);
    r = scale(VG_SCALE_INTEGER, 64, 32, -5, -5);
    CHECK(r.w == 0 && r.h == 0);
    /* Guest-sized nonsense: no overflow (UBSan watches), the FIT result still fits. */
    r = scale(VG_SCALE_FIT, UINT_MAX, UINT_MAX, 1920, 1080);
    CHECK_RECT(r, 420, 0, 1080, 1080);
    r = scale(VG_SCALE_FIT, UINT_MAX, 1, 1920, 1080);
    CHECK(r.w == 1920 && r.h >= 0 && r.h <= 1);
    r = scale(VG_SCALE_NATIVE, UINT_MAX, UINT_MAX, 1920, 1080);
    CHECK(r.w == INT_MAX && r.h == INT_MAX);
    r = scale(VG_SCALE_INTEGER, 1, 1, INT_MAX, INT_MAX);
    CHECK(r.w == INT_MAX && r.x == 0);
}

int main(void)
{
    RUN(fit_keeps_aspect_and_centres);
    RUN(fit_property_over_many_sizes);
    RUN(integer_picks_largest_whole_factor);
    RUN(stretch_fills_the_window);
    RUN(native_is_one_to_one_centred);
    RUN(degenerate_sizes_are_safe);
    return vg_test_finish();
}
