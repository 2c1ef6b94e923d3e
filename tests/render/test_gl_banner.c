/* The GL renderer's banner in a real window (Xvfb + Mesa): a warning line along the top, light
 * text on a dark strip over the frame, wrapped to the window's width, the frame visible below
 * and the overlay moved under it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rendertest.h"
#include "vg/log.h"

static const struct rgb blue = {0, 0, 255};

static void paint_blue(enum vg_pixfmt f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                       float rgba[4])
{
    rgba[0] = rgba[1] = 0;
    rgba[2] = rgba[3] = 1;
}

static bool light(struct rgb c)
{
    return c.r > 200 && c.g > 160 && (c.r + c.g + c.b) > 450;
}

static bool dark(struct rgb c)
{
    return c.r >= 0 && c.r < 80 && c.g < 80 && c.b < 80;
}

static int count_light(const struct shot *s, int x0, int y0, int x1, int y1)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            n += light(at(s, x, y));
    return n;
}

/* The strip's height: rows from the top whose first pixel is not the frame's blue. */
static int strip_height(const struct shot *s)
{
    int h = 0;
    while (h < s->h && !near(at(s, 0, h), blue, 0))
        h++;
    return h;
}

static bool open_blue(struct env *e, int w, int h)
{
    if (!env_open(e, w, h, true))
        return false;
    upload(e->r, VG_PIXFMT_BGRA8, 64, 32, paint_blue, NULL, 0, NULL);
    return true;
}

static void banner_over_top_of_frame(void)
{
    struct env e;
    if (!open_blue(&e, 400, 200))
        return;
    struct vg_render_params p = {.scale = VG_SCALE_STRETCH};
    struct shot s = render(e.r, &e.gl, &p);
    CHECK_MSG(strip_height(&s) == 0, "no banner, yet a strip of %d rows", strip_height(&s));
    free(s.px);

    p.banner = "frames truncated: the shared memory is too small";
    s = render(e.r, &e.gl, &p);
    int h = strip_height(&s);
    CHECK_MSG(h >= 10 && h <= 40, "banner strip %d rows tall", h);
    int text = count_light(&s, 0, 0, s.w, h);
    CHECK_MSG(text > 150, "only %d light text pixels in the strip", text);
    CHECK_MSG(dark(at(&s, 1, 1)) && dark(at(&s, s.w - 2, h - 1)), "strip not dark: %d,%d,%d",
              at(&s, 1, 1).r, at(&s, 1, 1).g, at(&s, 1, 1).b);
    /* The whole strip row spans the window; text starts near the left. */
    int first_x = s.w;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < s.w; x++)
            if (light(at(&s, x, y)) && x < first_x)
                first_x = x;
    CHECK_MSG(first_x < 20, "banner text starts at x %d", first_x);
    CHECK_MSG(count_pixels(&s, 0, h, s.w, s.h, blue, false) == 0,
              "%d pixels of the frame below the banner changed",
              count_pixels(&s, 0, h, s.w, s.h, blue, false));
    CHECK(alpha_at(&s, 1, 1) == 255);
    free(s.px);

    /* Also with no frame yet. */
    vg_renderer_gl.reset(e.r);
    s = render(e.r, &e.gl, &p);
    CHECK_MSG(count_light(&s, 0, 0, s.w, h) == text, "banner without a frame: %d text pixels",
              count_light(&s, 0, 0, s.w, h));
    free(s.px);
    env_close(&e);
}

static void long_banner_wraps_to_window_width(void)
{
    struct env e;
    if (!open_blue(&e, 200, 150))
        return;
    struct vg_render_params p = {.scale = VG_SCALE_STRETCH, .banner = "short"};
    struct shot s = render(e.r, &e.gl, &p);
    int one_line = strip_height(&s);
    free(s.px);

    p.banner = "the guest's frames do not fit the shared memory region; raise its size to 64 MiB";
    s = render(e.r, &e.gl, &p);
    int h = strip_height(&s);
    CHECK_MSG(h > one_line + one_line / 2, "a long banner is %d rows tall (one line: %d)", h,
              one_line);
    /* Every line has text, none runs into the right edge. */
    int lines = 0;
    for (int y0 = 0; y0 + 4 < h; y0 += one_line - 2)
        lines += count_light(&s, 0, y0, s.w, y0 + 4 < h ? y0 + 4 : h) > 0;
    CHECK_MSG(lines >= 2, "text on %d lines", lines);
    int edge = count_light(&s, s.w - 4, 0, s.w, h);
    CHECK_MSG(edge == 0, "%d text pixels within 4 pixels of the right edge", edge);
    CHECK(count_pixels(&s, 0, h, s.w, s.h, blue, false) == 0);
    free(s.px);

    /* Very long: a few lines at most, the frame still shows under it. */
    char huge[2000];
    for (size_t i = 0; i < sizeof(huge) - 1; i++)
        huge[i] = i % 9 == 8 ? ' ' : (char)('a' + i % 26);
    huge[sizeof(huge) - 1] = '\0';
    p.banner = huge;
    s = render(e.r, &e.gl, &p);
    h = strip_height(&s);
    CHECK_MSG(h > one_line && h < s.h / 2, "a huge banner is %d of %d rows", h, s.h);
    CHECK(count_light(&s, s.w - 4, 0, s.w, h) == 0);
    CHECK_PIXEL(&s, s.w / 2, s.h - 2, blue, 0, "frame under a huge banner");
    free(s.px);
    env_close(&e);
}

static void overlay_moves_below_banner(void)
{
    struct env e;
    if (!open_blue(&e, 640, 400))
        return;
    struct vg_overlay_stats st = {.fps_received = 60, .fps_presented = 60};
    struct vg_render_params p = {.scale = VG_SCALE_STRETCH, .banner = "warning: frames truncated"};
    struct shot s = render(e.r, &e.gl, &p);
    int h = strip_height(&s);
    int alone = count_light(&s, 0, 0, s.w, h);
    free(s.px);

    p.overlay = &st;
    s = render(e.r, &e.gl, &p);
    int with_overlay = count_light(&s, 0, 0, s.w, h);
    CHECK_MSG(with_overlay == alone, "banner text pixels: %d alone, %d with the overlay", alone,
              with_overlay);
    /* The panel is there, just lower. */
    CHECK_MSG(count_pixels(&s, 0, h, 320, 200, blue, false) > 10000, "no overlay panel");
    free(s.px);
    env_close(&e);
}

int main(void)
{
    vg_log_init("test-render-gl-banner", VG_LOG_WARN);
    RUN(banner_over_top_of_frame);
    RUN(long_banner_wraps_to_window_width);
    RUN(overlay_moves_below_banner);
    return vg_test_finish();
}
