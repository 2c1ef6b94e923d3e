/* The GL renderer in a real window (Xvfb + Mesa): what reaches the screen for each pixel
 * format and upload path, partial damage, the cursor, the message, the overlay and scaling.
 * VG_TEST_SCREENSHOT=file.ppm also writes a 1280x720 picture with everything drawn. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rendertest.h"
#include "vg/log.h"

#define FW 64
#define FH 32

/* The colour bars: what the frame holds (floats) and what must reach the screen. */
enum { BAR_RED, BAR_GREEN, BAR_BLUE, BAR_WHITE, BAR_BLACK, BAR_GREY, N_BARS };
static const float bar_value[N_BARS][3] = {
    {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {0, 0, 0}, {0.5f, 0.5f, 0.5f},
};
static const struct rgb bar_screen[N_BARS] = {
    {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}, {0, 0, 0}, {128, 128, 128},
};
static const char *const bar_name[N_BARS] = {"red", "green", "blue", "white", "black", "grey"};

static int bar_of(uint32_t x, uint32_t w)
{
    return (int)((uint64_t)x * N_BARS / w);
}

static uint32_t bar_centre(int bar, uint32_t w)
{
    uint32_t x0 = (uint32_t)(((uint64_t)bar * w + N_BARS - 1) / N_BARS);
    uint32_t x1 = (uint32_t)(((uint64_t)(bar + 1) * w + N_BARS - 1) / N_BARS);
    return (x0 + x1) / 2;
}

/* Colour bars with alpha 0, as guests leave X8 padding. The float format carries values
 * outside [0, 1] (white at 4.0, black at -0.5): the screen must show them clamped. */
static void paint_bars(enum vg_pixfmt f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                       float rgba[4])
{
    int bar = bar_of(x, w);
    for (int i = 0; i < 3; i++)
        rgba[i] = bar_value[bar][i];
    if (f == VG_PIXFMT_RGBA16F && bar == BAR_WHITE)
        rgba[0] = rgba[1] = rgba[2] = 4.0f;
    if (f == VG_PIXFMT_RGBA16F && bar == BAR_BLACK)
        rgba[0] = rgba[1] = rgba[2] = -0.5f;
    rgba[3] = 0;
}

static float solid[4];

static void paint_solid(enum vg_pixfmt f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                        float rgba[4])
{
    memcpy(rgba, solid, sizeof(solid));
}

/* ---- cases ---- */

static void check_bars(const struct shot *s, int ox, int oy, uint32_t w, const char *what)
{
    for (int bar = 0; bar < N_BARS; bar++) {
        int x = ox + (int)bar_centre(bar, w);
        for (int y = oy + 2; y < oy + FH; y += FH / 2 - 2) {
            char msg[96];
            snprintf(msg, sizeof(msg), "%s %s bar", what, bar_name[bar]);
            CHECK_PIXEL(s, x, y, bar_screen[bar], bar == BAR_GREY ? 2 : 0, msg);
            CHECK_MSG(alpha_at(s, x, y) == 255, "%s: alpha %d at %d,%d (frame is opaque)", msg,
                      alpha_at(s, x, y), x, y);
        }
    }
}

/* Every format at width w (all of them, or only the 3-byte ones). */
static void formats_show_true_colours(bool allow_pbo, uint32_t w, bool three_byte_only)
{
    struct env e;
    if (!env_open(&e, (int)w, FH, allow_pbo))
        return;
    for (enum vg_pixfmt f = 0; f < VG_PIXFMT_COUNT; f++) {
        if (three_byte_only && vg_pixfmt_bpp(f) != 3)
            continue;
        bool full = false;
        if (!upload(e.r, f, w, FH, paint_bars, NULL, 0, &full))
            continue;
        CHECK_MSG(full, "%s: a new texture must ask for a full copy", vg_pixfmt_name(f));
        struct shot s = render(e.r, &e.gl, &native_nearest);
        char what[64];
        snprintf(what, sizeof(what), "%s %u wide %s", vg_pixfmt_name(f), w,
                 allow_pbo ? "pbo" : "client");
        check_bars(&s, 0, 0, w, what);
        free(s.px);

        /* Same format and size again: the texture is kept, no full copy needed. */
        struct vg_frame_info info = frame_info(f, w, FH);
        void *dst;
        size_t stride;
        CHECK(vg_renderer_gl.begin_upload(e.r, &info, &dst, &stride, &full) == 0);
        CHECK_MSG(!full, "%s: an unchanged texture asked for a full copy", vg_pixfmt_name(f));
        vg_renderer_gl.abort_upload(e.r);
    }
    env_close(&e);
}

static void formats_through_pbo_ring(void)
{
    formats_show_true_colours(true, FW, false);
}

static void formats_through_client_memory(void)
{
    formats_show_true_colours(false, FW, false);
}

/* 63 * 3 = 189 bytes pad to a 192-byte stride, which is not a whole number of 3-byte pixels;
 * 62 * 3 = 186 pad to 188. */
static void three_byte_formats_at_odd_widths(void)
{
    for (uint32_t w = 62; w <= 63; w++) {
        formats_show_true_colours(true, w, true);
        formats_show_true_colours(false, w, true);
    }
}

/* Frame A everywhere; then frames that change only one rect each (more frames than the PBO
 * ring holds, one rect overhanging the frame's edge). */
static void only_damaged_rects_change(enum vg_pixfmt f, bool allow_pbo, uint32_t fw)
{
    static const struct vg_rect rects[] = {
        {2, 2, 8, 6}, {21, 4, 12, 10}, {40, 20, 6, 6}, {13, 22, 5, 9}, {56, 26, 100, 100},
    };
    static const float colours[][4] = {
        {1, 1, 0, 1}, {1, 0, 1, 1}, {0, 1, 1, 1}, {1, 1, 1, 1}, {1, 0, 0, 1},
    };
    const size_t n_rects = sizeof(rects) / sizeof(rects[0]);
    struct env e;
    if (!env_open(&e, (int)fw, FH, allow_pbo))
        return;
    bool full = false;
    upload(e.r, f, fw, FH, paint_bars, NULL, 0, &full);
    for (size_t i = 0; i < n_rects; i++) {
        memcpy(solid, colours[i], sizeof(solid));
        upload(e.r, f, fw, FH, paint_solid, &rects[i], 1, &full);
        CHECK_MSG(!full, "frame %zu asked for a full copy", i);
    }
    struct shot s = render(e.r, &e.gl, &native_nearest);
    int wrong = 0;
    for (int y = 0; y < FH; y++) {
        for (int x = 0; x < (int)fw; x++) {
            struct rgb want = bar_screen[bar_of((uint32_t)x, fw)];
            int tol = bar_of((uint32_t)x, fw) == BAR_GREY ? 2 : 0;
            for (size_t i = 0; i < n_rects; i++) {
                const struct vg_rect *q = &rects[i];
                if ((uint32_t)x >= q->x && (uint32_t)x < q->x + q->w && (uint32_t)y >= q->y &&
                    (uint32_t)y < q->y + q->h) {
                    want = (struct rgb){(int)colours[i][0] * 255, (int)colours[i][1] * 255,
                                        (int)colours[i][2] * 255};
                    tol = 0;
                }
            }
            if (!near(at(&s, x, y), want, tol) && wrong++ < 5) {
                struct rgb g = at(&s, x, y);
                fprintf(stderr, "%s %u wide %s: %d,%d is %d,%d,%d, want %d,%d,%d\n",
                        vg_pixfmt_name(f), fw, allow_pbo ? "pbo" : "client", x, y, g.r, g.g, g.b,
                        want.r, want.g, want.b);
            }
        }
    }
    CHECK_MSG(wrong == 0, "%d pixels wrong after partial uploads", wrong);
    free(s.px);
    env_close(&e);
}

static void damage_bgra_pbo(void)
{
    only_damaged_rects_change(VG_PIXFMT_BGRA8, true, FW);
}

static void damage_bgra_client(void)
{
    only_damaged_rects_change(VG_PIXFMT_BGRA8, false, FW);
}

static void damage_half_float_pbo(void)
{
    only_damaged_rects_change(VG_PIXFMT_RGBA16F, true, FW);
}

/* Rects at odd x: their start is not 4-byte aligned in the 3-byte source. */
static void damage_three_byte_formats(void)
{
    static const enum vg_pixfmt fmts[] = {VG_PIXFMT_BGR8, VG_PIXFMT_RGB8};
    for (size_t i = 0; i < 2; i++) {
        for (uint32_t w = 62; w <= 64; w++) {
            only_damaged_rects_change(fmts[i], true, w);
            only_damaged_rects_change(fmts[i], false, w);
        }
    }
}

static void abort_keeps_frame_and_reset_drops_it(void)
{
    struct env e;
    if (!env_open(&e, FW, FH, true))
        return;
    upload(e.r, VG_PIXFMT_BGRA8, FW, FH, paint_bars, NULL, 0, NULL);

    struct vg_frame_info info = frame_info(VG_PIXFMT_BGRA8, FW, FH);
    void *dst;
    size_t stride;
    bool full = true;
    CHECK(vg_renderer_gl.begin_upload(e.r, &info, &dst, &stride, &full) == 0);
    memset(dst, 0x77, stride * FH); /* a torn copy */
    vg_renderer_gl.abort_upload(e.r);
    CHECK(vg_renderer_gl.end_upload(e.r, NULL, 0) < 0); /* nothing open any more */
    struct shot s = render(e.r, &e.gl, &native_nearest);
    check_bars(&s, 0, 0, FW, "after abort");
    free(s.px);

    vg_renderer_gl.reset(e.r);
    s = render(e.r, &e.gl, &native_nearest);
    CHECK_PIXEL(&s, (int)bar_centre(BAR_WHITE, FW), 10, ((struct rgb){0, 0, 0}), 0,
                "after reset (nothing drawn)");
    free(s.px);
    CHECK(vg_renderer_gl.begin_upload(e.r, &info, &dst, &stride, &full) == 0);
    CHECK_MSG(full, "after reset the next upload must be full");
    vg_renderer_gl.abort_upload(e.r);

    /* Hostile sizes are refused, not drawn. */
    info = frame_info(VG_PIXFMT_BGRA8, 1u << 20, 16);
    CHECK(vg_renderer_gl.begin_upload(e.r, &info, &dst, &stride, &full) < 0);
    info = frame_info(VG_PIXFMT_BGRA8, 0, 16);
    CHECK(vg_renderer_gl.begin_upload(e.r, &info, &dst, &stride, &full) < 0);
    info = frame_info((enum vg_pixfmt)99, 16, 16);
    CHECK(vg_renderer_gl.begin_upload(e.r, &info, &dst, &stride, &full) < 0);
    env_close(&e);
}

/* A 16x16 magenta cursor, its top-left 4x4 transparent (green underneath the zero alpha
 * that must not show), its last row white at half alpha. */
static void make_cursor(uint8_t *px, size_t stride)
{
    for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
            uint8_t *p = px + y * stride + x * 4;
            if (x < 4 && y < 4) {
                p[0] = 0, p[1] = 255, p[2] = 0, p[3] = 0;
            } else if (y == 15) {
                p[0] = p[1] = p[2] = 255, p[3] = 128;
            } else {
                p[0] = 255, p[1] = 0, p[2] = 255, p[3] = 255;
            }
        }
    }
}

/* A straight-alpha BGRA8 shape, as vgfp gives it. */
static int color_cursor(struct vg_renderer *r, uint32_t w, uint32_t h, int32_t hx, int32_t hy,
                        const uint8_t *px, size_t stride)
{
    const struct vg_cursor_shape cs = {.type = VG_CURSOR_COLOR, .width = w, .height = h,
                                       .hot_x = hx, .hot_y = hy, .pitch = (uint32_t)stride,
                                       .pixels = px};
    return vg_renderer_gl.set_cursor_shape(r, &cs);
}

static void cursor_case(int win, enum vg_scale_mode mode, int factor)
{
    const struct rgb bg = {0x60, 0x40, 0x20};
    const struct rgb magenta = {255, 0, 255};
    struct env e;
    if (!env_open(&e, win, win, true))
        return;
    memcpy(solid, (float[4]){0x60 / 255.0f, 0x40 / 255.0f, 0x20 / 255.0f, 1}, sizeof(solid));
    upload(e.r, VG_PIXFMT_BGRA8, 64, 64, paint_solid, NULL, 0, NULL);

    /* Stride wider than the row and not a multiple of 4. */
    const size_t stride = 16 * 4 + 6;
    uint8_t shape[16 * (16 * 4 + 6)];
    make_cursor(shape, stride);
    CHECK(color_cursor(e.r, 16, 16, 2, 3, shape, stride) == 0);
    vg_renderer_gl.set_cursor_pos(e.r, 20, 30, true);

    struct vg_render_params p = {.scale = mode, .filter = VG_FILTER_NEAREST};
    struct shot s = render(e.r, &e.gl, &p);
    int fx, fy, fw, fh;
    vg_scale_rect(mode, 64, 64, win, win, &fx, &fy, &fw, &fh);
    CHECK(fw == 64 * factor);
    /* Top-left of the shape: position minus hotspot, in frame pixels, then scaled. */
    int cx = fx + (20 - 2) * factor, cy = fy + (30 - 3) * factor;
    CHECK_PIXEL(&s, cx + 8 * factor, cy + 8 * factor, magenta, 0, "opaque cursor pixel");
    CHECK_PIXEL(&s, cx, cy + 4 * factor, magenta, 0, "cursor's left edge");
    CHECK_PIXEL(&s, cx + 1 * factor, cy + 1 * factor, bg, 0, "transparent cursor corner");
    CHECK_PIXEL(&s, cx - 1, cy + 8 * factor, bg, 0, "left of the cursor");
    CHECK_PIXEL(&s, cx + 16 * factor, cy + 8 * factor, bg, 0, "right of the cursor");
    CHECK_PIXEL(&s, cx + 8 * factor, cy - 1, bg, 0, "above the cursor");
    /* Straight alpha: white over the frame at 128/255. */
    const struct rgb half = {(0x60 * 127 + 255 * 128) / 255, (0x40 * 127 + 255 * 128) / 255,
                             (0x20 * 127 + 255 * 128) / 255};
    CHECK_PIXEL(&s, cx + 8 * factor, cy + 15 * factor, half, 2, "half-transparent cursor row");
    CHECK_MSG(alpha_at(&s, cx + 8 * factor, cy + 15 * factor) == 255,
              "blending must keep the window opaque");
    free(s.px);

    vg_renderer_gl.set_cursor_pos(e.r, 20, 30, false);
    s = render(e.r, &e.gl, &p);
    CHECK_PIXEL(&s, cx + 8 * factor, cy + 8 * factor, bg, 0, "hidden cursor");
    free(s.px);

    /* A moved cursor follows; the shape stays. */
    vg_renderer_gl.set_cursor_pos(e.r, 50, 10, true);
    s = render(e.r, &e.gl, &p);
    CHECK_PIXEL(&s, fx + (50 - 2 + 8) * factor, fy + (10 - 3 + 8) * factor, magenta, 0,
                "moved cursor");
    CHECK_PIXEL(&s, cx + 8 * factor, cy + 8 * factor, bg, 0, "where the cursor was");
    free(s.px);

    /* Nonsense shapes are refused. */
    CHECK(color_cursor(e.r, 0, 16, 0, 0, shape, stride) < 0);
    CHECK(color_cursor(e.r, 16, 16, 0, 0, shape, 16) < 0);
    CHECK(color_cursor(e.r, VG_CURSOR_MAX_DIM + 1, 1, 0, 0, shape, 4096) < 0);
    env_close(&e);
}

static void cursor_over_native_frame(void)
{
    cursor_case(64, VG_SCALE_NATIVE, 1);
}

static void cursor_scales_with_frame(void)
{
    cursor_case(128, VG_SCALE_FIT, 2);
}

static void message_is_drawn_centred(void)
{
    const struct rgb blue = {0, 0, 255};
    const struct rgb white = {255, 255, 255};
    struct env e;
    if (!env_open(&e, 400, 200, true))
        return;

    /* Before any frame: text on black. */
    struct vg_render_params p = {.scale = VG_SCALE_STRETCH, .message = "waiting for guest"};
    struct shot s = render(e.r, &e.gl, &p);
    int text = count_pixels(&s, 0, 0, s.w, s.h, white, true);
    CHECK_MSG(text > 200, "only %d text pixels without a frame", text);
    free(s.px);

    memcpy(solid, (float[4]){0, 0, 1, 1}, sizeof(solid));
    upload(e.r, VG_PIXFMT_BGRA8, 64, 32, paint_solid, NULL, 0, NULL);
    s = render(e.r, &e.gl, &p);
    text = 0;
    int minx = s.w, maxx = -1, miny = s.h, maxy = -1;
    for (int y = 0; y < s.h; y++) {
        for (int x = 0; x < s.w; x++) {
            if (!near(at(&s, x, y), white, 0))
                continue;
            text++;
            minx = x < minx ? x : minx;
            maxx = x > maxx ? x : maxx;
            miny = y < miny ? y : miny;
            maxy = y > maxy ? y : maxy;
        }
    }
    CHECK_MSG(text > 200, "only %d text pixels over a frame", text);
    /* Large enough to read: "waiting for guest" is 17 glyphs; at 2x or more that is over
     * 170 pixels wide and 14 tall. */
    CHECK_MSG(maxx - minx >= 170 && maxy - miny >= 14, "text spans %dx%d", maxx - minx + 1,
              maxy - miny + 1);
    CHECK_MSG(abs((minx + maxx) - s.w) <= 12, "text not centred horizontally: %d..%d", minx, maxx);
    CHECK_MSG(abs((miny + maxy) - s.h) <= 24, "text not centred vertically: %d..%d", miny, maxy);
    /* The box behind the text is dark; the frame around it is untouched. */
    struct rgb box = at(&s, minx - 4, (miny + maxy) / 2);
    CHECK_MSG(box.r < 40 && box.g < 40 && box.b < 60, "box at %d,%d is %d,%d,%d", minx - 4,
              (miny + maxy) / 2, box.r, box.g, box.b);
    CHECK_PIXEL(&s, 2, 2, blue, 0, "frame outside the message");
    CHECK_PIXEL(&s, s.w - 3, s.h - 3, blue, 0, "frame outside the message");
    free(s.px);
    env_close(&e);
}

static void fill_stats(struct vg_overlay_stats *st, uint32_t n, bool latency_known)
{
    memset(st, 0, sizeof(*st));
    st->fps_received = 59.9;
    st->fps_presented = 59.8;
    st->n = n;
    for (uint32_t i = 0; i < n; i++) {
        st->ingest_ms[i] = 1.0f + (float)(i % 20) * 0.2f;
        st->latency_ms[i] = latency_known ? 8.0f + (float)(i % 37) * 0.3f : -1.0f;
    }
    st->extra = "audio 48000 Hz  buffer 10.0 ms";
}

static void overlay_draws_in_top_left(void)
{
    const struct rgb blue = {0, 0, 255};
    const struct rgb ingest = {90, 230, 90};
    const struct rgb latency = {255, 165, 40};
    struct env e;
    if (!env_open(&e, 640, 400, true))
        return;
    memcpy(solid, (float[4]){0, 0, 1, 1}, sizeof(solid));
    upload(e.r, VG_PIXFMT_BGRA8, 64, 32, paint_solid, NULL, 0, NULL);

    struct vg_overlay_stats st;
    fill_stats(&st, VG_OVERLAY_SAMPLES, true);
    struct vg_render_params p = {.scale = VG_SCALE_STRETCH, .overlay = &st};
    struct shot s = render(e.r, &e.gl, &p);
    int changed = count_pixels(&s, 0, 0, 320, 200, blue, false);
    CHECK_MSG(changed > 20000, "only %d pixels of the top-left changed", changed);
    CHECK(count_pixels(&s, 330, 210, s.w, s.h, blue, false) == 0);
    CHECK_PIXEL(&s, 2, 2, blue, 0, "margin around the panel");
    int green = count_pixels(&s, 0, 0, 320, 200, ingest, true);
    int orange = count_pixels(&s, 0, 0, 320, 200, latency, true);
    CHECK_MSG(green > 150, "ingest graph: %d pixels", green);
    CHECK_MSG(orange > 150, "latency graph: %d pixels", orange);
    free(s.px);

    /* Unknown latency: no latency line, only its legend (as with no samples at all). */
    fill_stats(&st, 0, true);
    s = render(e.r, &e.gl, &p);
    int legend_only = count_pixels(&s, 0, 0, 320, 200, latency, true);
    free(s.px);
    fill_stats(&st, VG_OVERLAY_SAMPLES, false);
    s = render(e.r, &e.gl, &p);
    int unknown = count_pixels(&s, 0, 0, 320, 200, latency, true);
    CHECK_MSG(legend_only > 0 && unknown == legend_only,
              "latency pixels: %d with unknown latency, %d for the legend alone", unknown,
              legend_only);
    CHECK(count_pixels(&s, 0, 0, 320, 200, ingest, true) > 150);
    free(s.px);

    /* A few samples, NaN and huge values: still a panel, nothing outside it. */
    fill_stats(&st, 3, true);
    st.ingest_ms[1] = NAN;
    st.latency_ms[2] = 1e30f;
    st.extra = NULL;
    s = render(e.r, &e.gl, &p);
    CHECK(count_pixels(&s, 0, 0, 320, 200, blue, false) > 10000);
    CHECK(count_pixels(&s, 330, 210, s.w, s.h, blue, false) == 0);
    free(s.px);
    env_close(&e);
}

static void scaling_puts_pixels_where_scale_rect_says(void)
{
    static const enum vg_scale_mode modes[] = {VG_SCALE_FIT, VG_SCALE_INTEGER, VG_SCALE_STRETCH,
                                               VG_SCALE_NATIVE};
    static const char *const names[] = {"fit", "integer", "stretch", "native"};
    struct env e;
    if (!env_open(&e, 200, 150, true))
        return;
    upload(e.r, VG_PIXFMT_BGRA8, FW, FH, paint_bars, NULL, 0, NULL);
    for (size_t m = 0; m < 4; m++) {
        struct vg_render_params p = {.scale = modes[m], .filter = VG_FILTER_NEAREST};
        struct shot s = render(e.r, &e.gl, &p);
        int rx, ry, rw, rh;
        vg_scale_rect(modes[m], FW, FH, s.w, s.h, &rx, &ry, &rw, &rh);
        for (int bar = 0; bar < N_BARS; bar++) {
            for (int fy = 3; fy < FH; fy += 13) {
                double fx = bar_centre(bar, FW) + 0.5, fyc = fy + 0.5;
                int x = rx + (int)(fx * rw / FW), y = ry + (int)(fyc * rh / FH);
                char what[64];
                snprintf(what, sizeof(what), "%s %s bar", names[m], bar_name[bar]);
                CHECK_PIXEL(&s, x, y, bar_screen[bar], bar == BAR_GREY ? 2 : 0, what);
            }
        }
        /* Letterbox/pillarbox: black outside the rect. */
        if (ry > 0)
            CHECK_PIXEL(&s, s.w / 2, ry - 1, ((struct rgb){0, 0, 0}), 0, names[m]);
        if (ry + rh < s.h)
            CHECK_PIXEL(&s, s.w / 2, ry + rh, ((struct rgb){0, 0, 0}), 0, names[m]);
        if (rx > 0)
            CHECK_PIXEL(&s, rx - 1, s.h / 2, ((struct rgb){0, 0, 0}), 0, names[m]);
        /* The rect's edges are the frame's edge pixels. */
        CHECK_PIXEL(&s, rx, ry + rh / 2, bar_screen[BAR_RED], 0, names[m]);
        CHECK_PIXEL(&s, rx + rw - 1, ry + rh / 2, bar_screen[BAR_GREY], 2, names[m]);
        free(s.px);
    }
    env_close(&e);
}

static void screenshot(void)
{
    const char *path = getenv("VG_TEST_SCREENSHOT");
    if (!path || !*path) {
        CHECK(true);
        return;
    }
    struct env e;
    if (!env_open(&e, 1280, 720, true))
        return;
    upload(e.r, VG_PIXFMT_BGRA8, 320, 180, paint_bars, NULL, 0, NULL);
    uint8_t shape[16 * 16 * 4];
    make_cursor(shape, 16 * 4);
    color_cursor(e.r, 16, 16, 2, 3, shape, 16 * 4);
    vg_renderer_gl.set_cursor_pos(e.r, 250, 120, true);
    struct vg_overlay_stats st;
    fill_stats(&st, VG_OVERLAY_SAMPLES, true);
    for (uint32_t i = 150; i < 170; i++)
        st.latency_ms[i] = -1.0f;
    struct vg_render_params p = {
        .scale = VG_SCALE_FIT,
        .filter = VG_FILTER_LINEAR,
        .message = "waiting for guest: no frames yet\n"
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\n"
                   "abcdefghijklmnopqrstuvwxyz !\"#$%&'()*+,-./\n"
                   ":;<=>?@[\\]^_`{|}~",
        .banner = "frames truncated: the shared memory region is too small for this mode",
        .overlay = &st,
    };
    struct shot s = render(e.r, &e.gl, &p);
    write_ppm(&s, path);
    CHECK(s.px != NULL);
    free(s.px);
    env_close(&e);
}

int main(void)
{
    vg_log_init("test-render-gl", VG_LOG_INFO);
    RUN(formats_through_pbo_ring);
    RUN(formats_through_client_memory);
    RUN(three_byte_formats_at_odd_widths);
    RUN(damage_bgra_pbo);
    RUN(damage_bgra_client);
    RUN(damage_half_float_pbo);
    RUN(damage_three_byte_formats);
    RUN(abort_keeps_frame_and_reset_drops_it);
    RUN(cursor_over_native_frame);
    RUN(cursor_scales_with_frame);
    RUN(message_is_drawn_centred);
    RUN(overlay_draws_in_top_left);
    RUN(scaling_puts_pixels_where_scale_rect_says);
    RUN(screenshot);
    return vg_test_finish();
}
