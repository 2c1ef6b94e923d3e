/* The GL renderer's cursor in a real window (Xvfb + Mesa): every shape type over a known
 * background pixel by pixel, signed hotspots, rotation with the frame and the mapping from
 * the guest's screen pixels onto the frame. Straight-alpha colour shapes and scaling are in
 * test_gl.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rendertest.h"
#include "vg/log.h"

/* The background: each channel different, so unchanged, inverted and XORed all differ. */
static const struct rgb bg = {0x60, 0x40, 0x20};
static const struct rgb magenta = {255, 0, 255};

static void paint_bg(enum vg_pixfmt f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                     float rgba[4])
{
    rgba[0] = (float)bg.r / 255.0f;
    rgba[1] = (float)bg.g / 255.0f;
    rgba[2] = (float)bg.b / 255.0f;
    rgba[3] = 1;
}

/* A window of win_w x win_h showing a bg frame of fw x fh, rotated, with cursor positions
 * in a screen of sw x sh. */
static bool open_over_bg(struct env *e, int win_w, int win_h, uint32_t fw, uint32_t fh,
                         enum vg_rotation rot, uint32_t sw, uint32_t sh)
{
    if (!env_open(e, win_w, win_h, true))
        return false;
    struct vg_frame_info info = frame_info(VG_PIXFMT_BGRA8, fw, fh);
    info.rotation = rot;
    info.screen_width = sw;
    info.screen_height = sh;
    upload_info(e->r, &info, paint_bg, NULL, 0, NULL);
    return true;
}

static int set_shape(struct vg_renderer *r, enum vg_cursor_type type, uint32_t w, uint32_t h,
                     int32_t hx, int32_t hy, uint32_t pitch, const uint8_t *px)
{
    const struct vg_cursor_shape s = {.type = type,
                                      .width = w,
                                      .height = h,
                                      .hot_x = hx,
                                      .hot_y = hy,
                                      .pitch = pitch,
                                      .pixels = px};
    return vg_renderer_gl.set_cursor_shape(r, &s);
}

static void put_bgra(uint8_t *p, struct rgb c, uint8_t a)
{
    p[0] = (uint8_t)c.b;
    p[1] = (uint8_t)c.g;
    p[2] = (uint8_t)c.r;
    p[3] = a;
}

static struct rgb invert(struct rgb c)
{
    return (struct rgb){c.r ^ 255, c.g ^ 255, c.b ^ 255};
}

static struct rgb xor_rgb(struct rgb a, struct rgb b)
{
    return (struct rgb){a.r ^ b.r, a.g ^ b.g, a.b ^ b.b};
}

/* ---- monochrome ---- */

#define MONO_W 16
#define MONO_H 8
#define MONO_PITCH 3 /* wider than the 2 bytes a row needs */

/* Four column bands of 4 pixels, left to right: AND 0 XOR 0 (black), AND 0 XOR 1 (white),
 * AND 1 XOR 0 (screen), AND 1 XOR 1 (inverted). The first two share byte 0, so reading the
 * bits LSB first would swap black and white. */
static void make_mono(uint8_t px[2 * MONO_H * MONO_PITCH])
{
    memset(px, 0xee, 2 * MONO_H * MONO_PITCH); /* the padding byte holds junk */
    for (int y = 0; y < MONO_H; y++) {
        uint8_t *and_row = px + y * MONO_PITCH, *xor_row = px + (MONO_H + y) * MONO_PITCH;
        and_row[0] = 0x00, and_row[1] = 0xff;
        xor_row[0] = 0x0f, xor_row[1] = 0x0f;
    }
}

static struct rgb mono_expect(int x)
{
    switch (x / 4) {
    case 0:
        return (struct rgb){0, 0, 0};
    case 1:
        return (struct rgb){255, 255, 255};
    case 2:
        return bg;
    default:
        return invert(bg);
    }
}

static void monochrome_case(enum vg_scale_mode mode, enum vg_filter filter, int k)
{
    static const char *const band[4] = {"black", "white", "unchanged", "inverted"};
    struct env e;
    if (!open_over_bg(&e, 64 * k, 64 * k, 64, 64, VG_ROTATE_0, 64, 64))
        return;
    uint8_t px[2 * MONO_H * MONO_PITCH];
    make_mono(px);
    CHECK(set_shape(e.r, VG_CURSOR_MONOCHROME, MONO_W, MONO_H, 0, 0, MONO_PITCH, px) == 0);
    vg_renderer_gl.set_cursor_pos(e.r, 20, 10, true);
    struct vg_render_params p = {.scale = mode, .filter = filter};
    struct shot s = render(e.r, &e.gl, &p);
    for (int y = 0; y < MONO_H; y++) {
        for (int x = 0; x < MONO_W; x++) {
            /* The centre of the frame pixel's block: filtering may blend its edges. */
            int wx = (20 + x) * k + k / 2, wy = (10 + y) * k + k / 2;
            char what[64];
            snprintf(what, sizeof(what), "monochrome %s pixel %d,%d (%dx)", band[x / 4], x, y, k);
            CHECK_PIXEL(&s, wx, wy, mono_expect(x), 0, what);
            CHECK_MSG(alpha_at(&s, wx, wy) == 255, "%s: alpha %d", what, alpha_at(&s, wx, wy));
        }
    }
    CHECK_PIXEL(&s, 19 * k, 12 * k, bg, 0, "left of the monochrome cursor");
    CHECK_PIXEL(&s, (20 + MONO_W) * k + k / 2, 12 * k, bg, 0, "right of the monochrome cursor");
    CHECK_PIXEL(&s, 24 * k, (10 + MONO_H) * k + k / 2, bg, 0, "below the monochrome cursor");
    free(s.px);

    /* A colour shape after it: nothing of the inverting part may remain. */
    uint8_t clear[MONO_W * MONO_H * 4] = {0};
    CHECK(set_shape(e.r, VG_CURSOR_COLOR, MONO_W, MONO_H, 0, 0, MONO_W * 4, clear) == 0);
    s = render(e.r, &e.gl, &p);
    CHECK_PIXEL(&s, (20 + 13) * k + k / 2, 12 * k + k / 2, bg, 0,
                "a clear colour shape after an inverting one");
    free(s.px);
    env_close(&e);
}

static void monochrome_black_white_unchanged_inverted(void)
{
    monochrome_case(VG_SCALE_NATIVE, VG_FILTER_NEAREST, 1);
}

static void monochrome_inverts_exactly_when_scaled_and_filtered(void)
{
    monochrome_case(VG_SCALE_FIT, VG_FILTER_LINEAR, 3);
}

/* ---- masked colour ---- */

static void masked_color_replaces_or_xors(void)
{
    const struct rgb replace = {10, 200, 30}, mask = {0x0f, 0xf0, 0x55};
    struct env e;
    if (!open_over_bg(&e, 64, 64, 64, 64, VG_ROTATE_0, 64, 64))
        return;
    /* Columns 0-3 alpha 0 (replace), 4-7 alpha 255 and column 7 alpha 1 (both XOR). */
    uint8_t px[4][8 * 4];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 8; x++)
            put_bgra(&px[y][x * 4], x < 4 ? replace : mask, x < 4 ? 0 : x == 7 ? 1 : 255);
    CHECK(set_shape(e.r, VG_CURSOR_MASKED_COLOR, 8, 4, 0, 0, 8 * 4, &px[0][0]) == 0);
    vg_renderer_gl.set_cursor_pos(e.r, 30, 40, true);
    struct shot s = render(e.r, &e.gl, &native_nearest);
    for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 8; x++) {
            char what[64];
            snprintf(what, sizeof(what), "masked colour %s pixel %d,%d",
                     x < 4 ? "replacing" : "XOR", x, y);
            CHECK_PIXEL(&s, 30 + x, 40 + y, x < 4 ? replace : xor_rgb(bg, mask), 0, what);
            CHECK_MSG(alpha_at(&s, 30 + x, 40 + y) == 255, "%s: alpha %d", what,
                      alpha_at(&s, 30 + x, 40 + y));
        }
    }
    CHECK_PIXEL(&s, 38, 41, bg, 0, "right of the masked cursor");
    free(s.px);
    env_close(&e);
}

/* ---- premultiplied colour ---- */

static struct rgb premul_over(struct rgb src, int a, struct rgb dst)
{
    double k = 1.0 - a / 255.0;
    return (struct rgb){(int)(src.r + dst.r * k + 0.5), (int)(src.g + dst.g * k + 0.5),
                        (int)(src.b + dst.b * k + 0.5)};
}

static void premultiplied_color_adds_source(void)
{
    /* Opaque; half covered; alpha 0 with colour (adds light: straight alpha would show the
     * screen unchanged). */
    static const struct {
        struct rgb c;
        uint8_t a;
    } cases[3] = {{{200, 10, 10}, 255}, {{100, 50, 0}, 128}, {{40, 40, 40}, 0}};
    struct env e;
    if (!open_over_bg(&e, 64, 64, 64, 64, VG_ROTATE_0, 64, 64))
        return;
    uint8_t px[2][3 * 4];
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
            put_bgra(&px[y][x * 4], cases[x].c, cases[x].a);
    CHECK(set_shape(e.r, VG_CURSOR_COLOR_PREMUL, 3, 2, 0, 0, 3 * 4, &px[0][0]) == 0);
    vg_renderer_gl.set_cursor_pos(e.r, 5, 6, true);
    struct shot s = render(e.r, &e.gl, &native_nearest);
    for (int x = 0; x < 3; x++) {
        char what[64];
        snprintf(what, sizeof(what), "premultiplied alpha %d", cases[x].a);
        CHECK_PIXEL(&s, 5 + x, 7, premul_over(cases[x].c, cases[x].a, bg), 2, what);
        CHECK_MSG(alpha_at(&s, 5 + x, 7) == 255, "%s: alpha %d", what, alpha_at(&s, 5 + x, 7));
    }
    free(s.px);
    env_close(&e);
}

/* ---- placement ---- */

/* A 4x4 magenta square. */
static int square_cursor(struct vg_renderer *r, int32_t hx, int32_t hy)
{
    uint8_t px[4 * 4 * 4];
    for (int i = 0; i < 16; i++)
        put_bgra(&px[i * 4], magenta, 255);
    return set_shape(r, VG_CURSOR_COLOR, 4, 4, hx, hy, 4 * 4, px);
}

static void hotspot_may_be_negative_or_outside(void)
{
    struct env e;
    if (!open_over_bg(&e, 64, 64, 64, 64, VG_ROTATE_0, 64, 64))
        return;
    /* Hotspot 5 left of and 3 above the shape: the shape starts right of and below it. */
    CHECK(square_cursor(e.r, -5, -3) == 0);
    vg_renderer_gl.set_cursor_pos(e.r, 20, 10, true);
    struct shot s = render(e.r, &e.gl, &native_nearest);
    CHECK_PIXEL(&s, 25, 13, magenta, 0, "negative hotspot: shape's top-left");
    CHECK_PIXEL(&s, 28, 16, magenta, 0, "negative hotspot: shape's bottom-right");
    CHECK_PIXEL(&s, 24, 13, bg, 0, "negative hotspot: left of the shape");
    CHECK_PIXEL(&s, 25, 12, bg, 0, "negative hotspot: above the shape");
    CHECK_PIXEL(&s, 20, 10, bg, 0, "negative hotspot: at the position itself");
    free(s.px);

    /* Hotspot beyond the shape's bottom-right. */
    CHECK(square_cursor(e.r, 10, 9) == 0);
    s = render(e.r, &e.gl, &native_nearest);
    CHECK_PIXEL(&s, 10, 1, magenta, 0, "hotspot outside: shape's top-left");
    CHECK_PIXEL(&s, 13, 4, magenta, 0, "hotspot outside: shape's bottom-right");
    CHECK_PIXEL(&s, 14, 4, bg, 0, "hotspot outside: right of the shape");
    free(s.px);
    env_close(&e);
}

/* Rotated 90 (window = the rotated frame at k x), frame pixel (x, y) is the k x k block at
 * column k * (FH - 1 - y), row k * x; the window-space block centre. */
#define RFW 64
#define RFH 32
static void rot90_pixel(int k, int x, int y, int *wx, int *wy)
{
    *wx = k * (RFH - 1 - y) + k / 2;
    *wy = k * x + k / 2;
}

static void rotation_case(enum vg_scale_mode mode, int k)
{
    const struct rgb red = {255, 0, 0}, green = {0, 255, 0}, blue = {0, 0, 255};
    struct env e;
    if (!open_over_bg(&e, RFH * k, RFW * k, RFW, RFH, VG_ROTATE_90, RFW, RFH))
        return;
    /* 4x2: (0, 0) red, the rest of row 0 green, row 1 blue; hotspot at (1, 0). */
    uint8_t px[2][4 * 4];
    for (int x = 0; x < 4; x++) {
        put_bgra(&px[0][x * 4], x == 0 ? red : green, 255);
        put_bgra(&px[1][x * 4], blue, 255);
    }
    CHECK(set_shape(e.r, VG_CURSOR_COLOR, 4, 2, 1, 0, 4 * 4, &px[0][0]) == 0);
    vg_renderer_gl.set_cursor_pos(e.r, 21, 10, true);
    struct vg_render_params p = {.scale = mode, .filter = VG_FILTER_NEAREST};
    struct shot s = render(e.r, &e.gl, &p);
    int wx, wy;
    char what[80];
    /* Shape pixel (i, j) covers frame pixel (20 + i, 10 + j). */
    rot90_pixel(k, 20, 10, &wx, &wy);
    snprintf(what, sizeof(what), "rotated 90 (%dx): shape's red top-left", k);
    CHECK_PIXEL(&s, wx, wy, red, 0, what);
    rot90_pixel(k, 23, 10, &wx, &wy);
    snprintf(what, sizeof(what), "rotated 90 (%dx): shape's top-right", k);
    CHECK_PIXEL(&s, wx, wy, green, 0, what);
    rot90_pixel(k, 20, 11, &wx, &wy);
    snprintf(what, sizeof(what), "rotated 90 (%dx): shape's bottom-left", k);
    CHECK_PIXEL(&s, wx, wy, blue, 0, what);
    rot90_pixel(k, 19, 10, &wx, &wy);
    snprintf(what, sizeof(what), "rotated 90 (%dx): before the shape", k);
    CHECK_PIXEL(&s, wx, wy, bg, 0, what);
    rot90_pixel(k, 20, 12, &wx, &wy);
    snprintf(what, sizeof(what), "rotated 90 (%dx): below the shape", k);
    CHECK_PIXEL(&s, wx, wy, bg, 0, what);
    free(s.px);
    env_close(&e);
}

static void cursor_rotates_with_frame(void)
{
    rotation_case(VG_SCALE_NATIVE, 1);
    rotation_case(VG_SCALE_INTEGER, 3);
}

/* The guest downscales a 128x64 desktop into a 64x32 frame: screen (40, 20) is frame
 * (20, 10), and the 4x4 shape covers 2x2 frame pixels. */
static void screen_pixels_map_onto_frame(void)
{
    struct env e;
    if (!open_over_bg(&e, 64, 32, 64, 32, VG_ROTATE_0, 128, 64))
        return;
    CHECK(square_cursor(e.r, 0, 0) == 0);
    vg_renderer_gl.set_cursor_pos(e.r, 40, 20, true);
    struct shot s = render(e.r, &e.gl, &native_nearest);
    CHECK_PIXEL(&s, 20, 10, magenta, 0, "screen 40,20 on a half-size frame");
    CHECK_PIXEL(&s, 21, 11, magenta, 0, "half-size shape's last pixel");
    CHECK_PIXEL(&s, 22, 10, bg, 0, "right of the half-size shape");
    CHECK_PIXEL(&s, 20, 12, bg, 0, "below the half-size shape");
    CHECK_PIXEL(&s, 19, 10, bg, 0, "left of the half-size shape");
    free(s.px);

    /* The next frame's screen is its own size again (0 means that too): 1:1. */
    struct vg_frame_info info = frame_info(VG_PIXFMT_BGRA8, 64, 32);
    info.screen_width = info.screen_height = 0;
    upload_info(e.r, &info, paint_bg, NULL, 0, NULL);
    vg_renderer_gl.set_cursor_pos(e.r, 40, 20, true);
    s = render(e.r, &e.gl, &native_nearest);
    CHECK_PIXEL(&s, 40, 20, magenta, 0, "screen = frame: 1:1");
    CHECK_PIXEL(&s, 43, 23, magenta, 0, "screen = frame: full-size shape");
    CHECK_PIXEL(&s, 21, 11, bg, 0, "screen = frame: nothing at the halved position");
    free(s.px);
    env_close(&e);
}

/* A downscaled desktop and a rotated frame together. */
static void screen_mapping_and_rotation_combine(void)
{
    struct env e;
    if (!open_over_bg(&e, RFH, RFW, RFW, RFH, VG_ROTATE_90, 2 * RFW, 2 * RFH))
        return;
    CHECK(square_cursor(e.r, 0, 0) == 0);
    vg_renderer_gl.set_cursor_pos(e.r, 40, 20, true);
    struct shot s = render(e.r, &e.gl, &native_nearest);
    int wx, wy;
    rot90_pixel(1, 20, 10, &wx, &wy);
    CHECK_PIXEL(&s, wx, wy, magenta, 0, "screen 40,20 -> frame 20,10, rotated 90");
    rot90_pixel(1, 21, 11, &wx, &wy);
    CHECK_PIXEL(&s, wx, wy, magenta, 0, "half-size shape's last pixel, rotated 90");
    rot90_pixel(1, 22, 10, &wx, &wy);
    CHECK_PIXEL(&s, wx, wy, bg, 0, "past the half-size shape, rotated 90");
    free(s.px);
    env_close(&e);
}

/* ---- validation ---- */

static void shapes_validated(void)
{
    struct env e;
    if (!open_over_bg(&e, 64, 64, 64, 64, VG_ROTATE_0, 64, 64))
        return;
    const uint32_t max = VG_CURSOR_MAX_DIM;
    uint8_t *big = calloc((size_t)max * max * 4 + 64, 1);
    CHECK(big != NULL);
    if (big) {
        for (enum vg_cursor_type t = 0; t < VG_CURSOR_TYPE_COUNT; t++) {
            uint32_t pitch = t == VG_CURSOR_MONOCHROME ? max / 8 : max * 4;
            CHECK_MSG(set_shape(e.r, t, max, max, 0, 0, pitch, big) == 0,
                      "a %ux%u shape of type %d is refused", max, max, (int)t);
            CHECK(set_shape(e.r, t, max + 1, 1, 0, 0, pitch + 4, big) < 0);
            CHECK(set_shape(e.r, t, 8, 0, 0, 0, pitch, big) < 0);
        }
        /* Rows shorter than the width needs. */
        CHECK(set_shape(e.r, VG_CURSOR_MONOCHROME, 17, 4, 0, 0, 2, big) < 0);
        CHECK(set_shape(e.r, VG_CURSOR_MASKED_COLOR, 17, 4, 0, 0, 17 * 4 - 1, big) < 0);
        CHECK(set_shape(e.r, (enum vg_cursor_type)VG_CURSOR_TYPE_COUNT, 4, 4, 0, 0, 16, big) < 0);
        CHECK(set_shape(e.r, VG_CURSOR_COLOR, 4, 4, 0, 0, 16, NULL) < 0);
    }
    free(big);

    /* A refused shape leaves none drawn half-made: the last good one still works. */
    CHECK(square_cursor(e.r, 0, 0) == 0);
    CHECK(set_shape(e.r, VG_CURSOR_COLOR, 0, 4, 0, 0, 16, NULL) < 0);
    vg_renderer_gl.set_cursor_pos(e.r, 8, 8, true);
    struct shot s = render(e.r, &e.gl, &native_nearest);
    CHECK_PIXEL(&s, 9, 9, magenta, 0, "the last good shape after a refused one");
    free(s.px);
    env_close(&e);
}

int main(void)
{
    vg_log_init("test-render-gl-cursor", VG_LOG_WARN);
    RUN(monochrome_black_white_unchanged_inverted);
    RUN(monochrome_inverts_exactly_when_scaled_and_filtered);
    RUN(masked_color_replaces_or_xors);
    RUN(premultiplied_color_adds_source);
    RUN(hotspot_may_be_negative_or_outside);
    RUN(cursor_rotates_with_frame);
    RUN(screen_pixels_map_onto_frame);
    RUN(screen_mapping_and_rotation_combine);
    RUN(shapes_validated);
    return vg_test_finish();
}
