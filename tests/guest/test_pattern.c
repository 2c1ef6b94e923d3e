/* The test pattern: exact colours in every format, its geometry, and partial updates that
 * reproduce a full render byte for byte. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "testlib.h"

static const uint32_t formats[] = {VG_FP_FORMAT_BGRA8, VG_FP_FORMAT_RGBA8, VG_FP_FORMAT_RGB10A2,
                                   VG_FP_FORMAT_RGBA16F};
#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

static uint32_t bpp_of(uint32_t format)
{
    return format == VG_FP_FORMAT_RGBA16F ? 8 : 4;
}

static float half_to_float(uint16_t h)
{
    int exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
    float v;
    if (exp == 0)
        v = ldexpf((float)mant, -24);
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexpf((float)(mant | 0x400), exp - 25);
    return (h & 0x8000) ? -v : v;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Back to 8 bits the way a renderer would: nearest value. */
static void decode(const uint8_t *p, uint32_t format, uint8_t rgba[4])
{
    switch (format) {
    case VG_FP_FORMAT_BGRA8:
        rgba[0] = p[2], rgba[1] = p[1], rgba[2] = p[0], rgba[3] = p[3];
        break;
    case VG_FP_FORMAT_RGBA8:
        memcpy(rgba, p, 4);
        break;
    case VG_FP_FORMAT_RGB10A2: {
        uint32_t v = le32(p);
        for (int i = 0; i < 3; i++)
            rgba[i] = (uint8_t)lround(((v >> (10 * i)) & 0x3FF) * 255.0 / 1023.0);
        rgba[3] = (uint8_t)lround((v >> 30) * 255.0 / 3.0);
        break;
    }
    case VG_FP_FORMAT_RGBA16F:
        for (int i = 0; i < 4; i++)
            rgba[i] = (uint8_t)lround(half_to_float(le16(p + 2 * i)) * 255.0);
        break;
    }
}

static uint8_t *render_full(uint32_t format, uint32_t w, uint32_t h, uint64_t frame)
{
    size_t stride = (size_t)w * bpp_of(format);
    uint8_t *buf = calloc(h, stride);
    vg_pattern_render(buf, stride, format, w, h, frame, NULL);
    return buf;
}

static void expect_rgb(uint32_t w, uint32_t h, uint64_t frame, uint32_t x, uint32_t y, uint8_t r,
                       uint8_t g, uint8_t b)
{
    uint8_t c[4];
    vg_pattern_rgba8(w, h, frame, x, y, c);
    CHECK_MSG(c[0] == r && c[1] == g && c[2] == b && c[3] == 255,
              "%ux%u frame %llu (%u,%u) is %u,%u,%u,%u, expected %u,%u,%u,255", w, h,
              (unsigned long long)frame, x, y, c[0], c[1], c[2], c[3], r, g, b);
}

static void test_half_float_conversion_is_exact(void)
{
    CHECK(vg_pattern_float_to_half(0.0f) == 0x0000);
    CHECK(vg_pattern_float_to_half(-0.0f) == 0x8000);
    CHECK(vg_pattern_float_to_half(1.0f) == 0x3C00);
    CHECK(vg_pattern_float_to_half(0.5f) == 0x3800);
    CHECK(vg_pattern_float_to_half(-2.0f) == 0xC000);
    CHECK(vg_pattern_float_to_half(1.0f / 3.0f) == 0x3555);
    CHECK(vg_pattern_float_to_half(1.0f / 255.0f) == 0x1C04);
    CHECK(vg_pattern_float_to_half(128.0f / 255.0f) == 0x3804);
    CHECK(vg_pattern_float_to_half(65504.0f) == 0x7BFF); /* largest half */
    CHECK(vg_pattern_float_to_half(65520.0f) == 0x7C00); /* rounds up to infinity */
    CHECK(vg_pattern_float_to_half(1e9f) == 0x7C00);
    CHECK(vg_pattern_float_to_half(-INFINITY) == 0xFC00);
    CHECK((vg_pattern_float_to_half(NAN) & 0x7FFF) > 0x7C00);
    CHECK(vg_pattern_float_to_half(ldexpf(1.0f, -14)) == 0x0400);        /* smallest normal */
    CHECK(vg_pattern_float_to_half(ldexpf(1.0f, -24)) == 0x0001);        /* smallest subnormal */
    CHECK(vg_pattern_float_to_half(ldexpf(1.0f, -25)) == 0x0000);        /* tie to even: 0 */
    CHECK(vg_pattern_float_to_half(ldexpf(3.0f, -26)) == 0x0001);        /* 0.75 ulp rounds up */
    CHECK(vg_pattern_float_to_half(1.0f + ldexpf(1.0f, -11)) == 0x3C00); /* tie to even */
    CHECK(vg_pattern_float_to_half(1.0f + ldexpf(3.0f, -11)) == 0x3C02); /* tie to even, up */

    /* Every 8-bit level survives the trip through binary16 and back. */
    for (int v = 0; v < 256; v++) {
        float back = half_to_float(vg_pattern_float_to_half((float)v / 255.0f));
        CHECK_MSG(lround(back * 255.0) == v, "level %d came back as %f", v, back * 255.0);
        CHECK_MSG(fabsf(back - (float)v / 255.0f) <= ldexpf(1.0f, -11), "level %d", v);
    }
}

static void test_colour_bars_are_exact_in_every_format(void)
{
    const uint32_t w = 320, h = 200;
    static const uint8_t bars[8][3] = {{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
                                       {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0}};
    for (int i = 0; i < 8; i++)
        expect_rgb(w, h, 0, (uint32_t)i * 40 + 20, 30, bars[i][0], bars[i][1], bars[i][2]);

    for (size_t f = 0; f < N_FORMATS; f++) {
        uint32_t fmt = formats[f], bpp = bpp_of(fmt);
        uint8_t *buf = render_full(fmt, w, h, 0);
        size_t mismatches = 0;
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                uint8_t want[4], got[4];
                vg_pattern_rgba8(w, h, 0, x, y, want);
                decode(buf + ((size_t)y * w + x) * bpp, fmt, got);
                if (memcmp(want, got, 4) != 0 && mismatches++ < 5)
                    fprintf(stderr, "format %u (%u,%u): %u,%u,%u,%u != %u,%u,%u,%u\n", fmt, x, y,
                            got[0], got[1], got[2], got[3], want[0], want[1], want[2], want[3]);
            }
        }
        CHECK_MSG(mismatches == 0, "%zu pixels of %u", mismatches, fmt);

        /* The pure colours in their exact encodings: the white bar and the red bar. */
        const uint8_t *white = buf + ((size_t)30 * w + 20) * bpp;
        const uint8_t *red = buf + ((size_t)30 * w + 5 * 40 + 20) * bpp;
        switch (fmt) {
        case VG_FP_FORMAT_BGRA8:
            CHECK(le32(white) == 0xFFFFFFFFu);
            CHECK(red[0] == 0 && red[1] == 0 && red[2] == 255 && red[3] == 255);
            break;
        case VG_FP_FORMAT_RGBA8:
            CHECK(le32(white) == 0xFFFFFFFFu);
            CHECK(red[0] == 255 && red[1] == 0 && red[2] == 0 && red[3] == 255);
            break;
        case VG_FP_FORMAT_RGB10A2:
            CHECK(le32(white) == 0xFFFFFFFFu);
            CHECK(le32(red) == 0xC00003FFu);
            break;
        case VG_FP_FORMAT_RGBA16F:
            for (int i = 0; i < 4; i++)
                CHECK(le16(white + 2 * i) == 0x3C00);
            CHECK(le16(red) == 0x3C00 && le16(red + 2) == 0 && le16(red + 4) == 0 &&
                  le16(red + 6) == 0x3C00);
            break;
        }
        free(buf);
    }
}

static void test_corners_ramp_and_grid_show_orientation(void)
{
    const uint32_t w = 320, h = 200; /* marker side 16, bars to row 50, ramp rows 50..74 */
    expect_rgb(w, h, 0, 0, 0, 255, 0, 0);
    expect_rgb(w, h, 0, 15, 15, 255, 0, 0);
    expect_rgb(w, h, 0, 16, 0, 255, 255, 255); /* past the marker: white bar */
    expect_rgb(w, h, 0, w - 1, 0, 0, 255, 0);
    expect_rgb(w, h, 0, w - 16, 15, 0, 255, 0);
    expect_rgb(w, h, 0, w - 17, 0, 0, 0, 0); /* black bar */
    expect_rgb(w, h, 0, 0, h - 1, 0, 0, 255);
    expect_rgb(w, h, 0, 15, h - 16, 0, 0, 255);
    expect_rgb(w, h, 0, w - 1, h - 1, 32, 32, 32); /* no bottom-right marker */
    expect_rgb(w, h, 0, 0, 50, 0, 0, 0);           /* ramp */
    expect_rgb(w, h, 0, 160, 60, 128, 128, 128);
    expect_rgb(w, h, 0, w - 1, 74, 255, 255, 255);
    expect_rgb(w, h, 0, 65, 75, 32, 32, 32);   /* background */
    expect_rgb(w, h, 0, 64, 75, 96, 96, 96);   /* grid column */
    expect_rgb(w, h, 0, 200, 128, 96, 96, 96); /* grid row */

    /* Large frames scale the markers: 1920x1080 has 67-pixel squares. */
    expect_rgb(1920, 1080, 0, 66, 66, 255, 0, 0);
    expect_rgb(1920, 1080, 0, 67, 66, 255, 255, 255);
    expect_rgb(1920, 1080, 0, 1920 - 67, 0, 0, 255, 0);
    expect_rgb(1920, 1080, 0, 0, 1080 - 67, 0, 0, 255);
}

static bool rect_inside(const struct vg_fp_rect *r, uint32_t w, uint32_t h)
{
    return r->w > 0 && r->h > 0 && r->x + r->w <= w && r->y + r->h <= h;
}

static void test_box_moves_and_stays_in_bounds(void)
{
    static const uint32_t sizes[][2] = {{320, 200}, {100, 70}, {1, 1},     {64, 64},
                                        {65, 1},    {1, 65},   {16384, 3}, {1920, 1080}};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint32_t w = sizes[s][0], h = sizes[s][1];
        bool can_move = w > 64 || h > 64;
        int not_moved = 0, out = 0;
        for (uint64_t f = 0; f < 3000; f++) {
            struct vg_fp_rect a = vg_pattern_box(w, h, f), b = vg_pattern_box(w, h, f + 1);
            out += !rect_inside(&a, w, h);
            not_moved += a.x == b.x && a.y == b.y;
            int32_t cx, cy;
            vg_pattern_cursor_pos(w, h, f, &cx, &cy);
            out += cx < 0 || cy < 0 || (uint32_t)cx >= w || (uint32_t)cy >= h;
        }
        CHECK_MSG(out == 0, "%ux%u: %d positions outside", w, h, out);
        if (can_move)
            CHECK_MSG(not_moved == 0, "%ux%u: box stood still %d times", w, h, not_moved);
        uint64_t huge[] = {UINT64_MAX, UINT64_MAX - 1, UINT64_C(1) << 63};
        for (size_t i = 0; i < 3; i++) {
            struct vg_fp_rect r = vg_pattern_box(w, h, huge[i]);
            CHECK(rect_inside(&r, w, h));
        }
        if ((uint64_t)w * h <= 1920 * 1080) {
            uint8_t *buf = render_full(VG_FP_FORMAT_RGBA16F, w, h, 7);
            free(buf);
        }
    }

    /* The documented motion: 7 and 5 pixels per frame from (64, 102) at 320x200. */
    struct vg_fp_rect r0 = vg_pattern_box(320, 200, 0), r1 = vg_pattern_box(320, 200, 1);
    CHECK(r0.x == 64 && r0.y == 102 && r0.w == 64 && r0.h == 64);
    CHECK(r1.x == 71 && r1.y == 107);
    struct vg_fp_rect bounced = vg_pattern_box(320, 200, 10); /* y: 102 + 50 = 152 -> 120 */
    CHECK(bounced.x == 134 && bounced.y == 120);
    struct vg_fp_rect tiny = vg_pattern_box(100, 70, 3);
    CHECK(tiny.w == 64 && tiny.h == 64 && tiny.x + 64 <= 100 && tiny.y + 64 <= 70);

    /* The box is drawn: orange inside, a white border. */
    expect_rgb(320, 200, 0, 64 + 32, 102 + 32, 255, 128, 0);
    expect_rgb(320, 200, 0, 64, 102, 255, 255, 255);
    expect_rgb(320, 200, 0, 64 + 63, 102 + 3, 255, 255, 255);
    expect_rgb(320, 200, 0, 64 + 59, 102 + 4, 255, 128, 0);
}

static void test_partial_render_of_damage_equals_full_render(void)
{
    static const uint32_t sizes[][2] = {{320, 200}, {100, 70}, {17, 9}, {1, 1}};
    for (size_t f = 0; f < N_FORMATS; f++) {
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            uint32_t fmt = formats[f], w = sizes[s][0], h = sizes[s][1];
            size_t bytes = (size_t)w * h * bpp_of(fmt);
            uint8_t *live = render_full(fmt, w, h, 0);
            int differ = 0;
            for (uint64_t n = 1; n < 60; n++) {
                struct vg_fp_rect old = vg_pattern_box(w, h, n - 1);
                struct vg_fp_rect now = vg_pattern_box(w, h, n);
                vg_pattern_render(live, (size_t)w * bpp_of(fmt), fmt, w, h, n, &old);
                vg_pattern_render(live, (size_t)w * bpp_of(fmt), fmt, w, h, n, &now);
                uint8_t *full = render_full(fmt, w, h, n);
                differ += memcmp(live, full, bytes) != 0;
                free(full);
            }
            CHECK_MSG(differ == 0, "format %u %ux%u: %d frames differ", fmt, w, h, differ);
            free(live);
        }
    }
}

static void test_render_writes_only_the_rect_and_clips(void)
{
    const uint32_t w = 40, h = 30, stride = 40 * 4 + 12;
    uint8_t *buf = malloc((size_t)stride * h);
    memset(buf, 0xAB, (size_t)stride * h);
    struct vg_fp_rect r = {30, 20, 100, 100}; /* reaches past the frame */
    vg_pattern_render(buf, stride, VG_FP_FORMAT_RGBA8, w, h, 0, &r);
    int wrong = 0;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < stride / 4; x++) {
            const uint8_t *p = buf + (size_t)y * stride + (size_t)x * 4;
            bool in = x >= 30 && x < w && y >= 20;
            if (in) {
                uint8_t want[4];
                vg_pattern_rgba8(w, h, 0, x, y, want);
                wrong += memcmp(p, want, 4) != 0;
            } else {
                wrong += le32(p) != 0xABABABABu;
            }
        }
    }
    CHECK_MSG(wrong == 0, "%d pixels wrong", wrong);
    struct vg_fp_rect outside = {40, 0, 5, 5};
    vg_pattern_render(buf, stride, VG_FP_FORMAT_RGBA8, w, h, 0, &outside);
    vg_pattern_render(buf, stride, VG_FP_FORMAT_INVALID, w, h, 0, NULL);
    CHECK(le32(buf) == 0xABABABABu);
    free(buf);
}

static void test_cursor_shape_is_an_outlined_arrow(void)
{
    uint8_t s[VG_PATTERN_CURSOR_SIZE * VG_PATTERN_CURSOR_SIZE * 4];
    memset(s, 0x55, sizeof(s));
    vg_pattern_cursor_shape(s);
#define PX(x, y) (s + ((size_t)(y)*32 + (x)) * 4)
    CHECK(le32(PX(0, 0)) == 0xFF000000u);  /* hotspot: black outline, opaque */
    CHECK(le32(PX(31, 0)) == 0x00000000u); /* transparent */
    CHECK(le32(PX(31, 31)) == 0x00000000u);
    CHECK(le32(PX(1, 3)) == 0xFFFF00FFu);   /* magenta: B=255 G=0 R=255 */
    CHECK(le32(PX(5, 15)) == 0xFFFFFF00u);  /* yellow: B=0 G=255 R=255 */
    CHECK(le32(PX(12, 27)) == 0xFFFFFF00u); /* the stem */
    CHECK(le32(PX(0, 20)) == 0xFF000000u);  /* left outline */
    int opaque = 0, other = 0;
    for (int i = 0; i < 32 * 32; i++) {
        uint32_t a = s[i * 4 + 3];
        opaque += a == 255;
        other += a != 255 && a != 0;
    }
    CHECK(opaque > 200 && opaque < 500 && other == 0);
#undef PX

    int32_t x, y;
    vg_pattern_cursor_pos(320, 200, 0, &x, &y);
    CHECK(x == 144 && y == 84);
    vg_pattern_cursor_pos(320, 200, 1, &x, &y);
    CHECK(x == 147 && y == 86);
    vg_pattern_cursor_pos(20, 20, 5, &x, &y);
    CHECK(x == 0 && y == 0);
}

int main(void)
{
    RUN(test_half_float_conversion_is_exact);
    RUN(test_colour_bars_are_exact_in_every_format);
    RUN(test_corners_ramp_and_grid_show_orientation);
    RUN(test_box_moves_and_stays_in_bounds);
    RUN(test_partial_render_of_damage_equals_full_render);
    RUN(test_render_writes_only_the_rect_and_clips);
    RUN(test_cursor_shape_is_an_outlined_arrow);
    return vg_test_finish();
}
