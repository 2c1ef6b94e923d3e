#include "pattern.h"

#include <stdbool.h>
#include <string.h>

#define CURSOR_N ((int)VG_PATTERN_CURSOR_SIZE)

/* Everything about a frame that does not depend on the pixel, computed once per render. */
struct geometry {
    uint32_t w, h;
    uint32_t bars_end, ramp_end;
    uint32_t marker;
    struct vg_fp_rect box;
};

static const uint8_t bar_colours[8][3] = {
    {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
    {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0},
};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

uint32_t vg_pattern_bounce(uint64_t t, uint32_t range)
{
    if (range == 0)
        return 0;
    uint64_t period = 2 * (uint64_t)range;
    uint64_t p = t % period;
    return (uint32_t)(p <= range ? p : period - p);
}

/* (a * b + c) mod m without overflow for any frame number. */
static uint64_t phase(uint64_t frame, uint32_t speed, uint32_t offset, uint32_t range)
{
    if (range == 0)
        return 0;
    uint64_t period = 2 * (uint64_t)range;
    return ((frame % period) * speed + offset) % period;
}

struct vg_fp_rect vg_pattern_box(uint32_t w, uint32_t h, uint64_t frame)
{
    uint32_t bw = min_u32(VG_PATTERN_BOX_SIZE, w), bh = min_u32(VG_PATTERN_BOX_SIZE, h);
    uint32_t rx = w - bw, ry = h - bh;
    struct vg_fp_rect r = {
        .x = vg_pattern_bounce(phase(frame, VG_PATTERN_BOX_SPEED_X, rx / 4, rx), rx),
        .y = vg_pattern_bounce(phase(frame, VG_PATTERN_BOX_SPEED_Y, ry * 3 / 4, ry), ry),
        .w = bw,
        .h = bh,
    };
    return r;
}

void vg_pattern_cursor_pos(uint32_t w, uint32_t h, uint64_t frame, int32_t *x, int32_t *y)
{
    uint32_t rx = w > VG_PATTERN_CURSOR_SIZE ? w - VG_PATTERN_CURSOR_SIZE : 0;
    uint32_t ry = h > VG_PATTERN_CURSOR_SIZE ? h - VG_PATTERN_CURSOR_SIZE : 0;
    *x = (int32_t)vg_pattern_bounce(phase(frame, VG_PATTERN_CURSOR_SPEED_X, rx / 2, rx), rx);
    *y = (int32_t)vg_pattern_bounce(phase(frame, VG_PATTERN_CURSOR_SPEED_Y, ry / 2, ry), ry);
}

static void geometry_init(struct geometry *g, uint32_t w, uint32_t h, uint64_t frame)
{
    g->w = w;
    g->h = h;
    g->bars_end = h / 4;
    g->ramp_end = h / 4 + h / 8;
    uint32_t m = min_u32(w, h) / 16;
    if (m < 16)
        m = 16;
    g->marker = min_u32(m, min_u32(w / 2, h / 2));
    g->box = vg_pattern_box(w, h, frame);
}

static void set_rgb(uint8_t rgba[4], uint8_t r, uint8_t g, uint8_t b)
{
    rgba[0] = r;
    rgba[1] = g;
    rgba[2] = b;
    rgba[3] = 255;
}

static void pixel(const struct geometry *g, uint32_t x, uint32_t y, uint8_t rgba[4])
{
    const struct vg_fp_rect *b = &g->box;
    if (x - b->x < b->w && y - b->y < b->h) {
        uint32_t dx = x - b->x, dy = y - b->y;
        if (dx < VG_PATTERN_BOX_BORDER || dy < VG_PATTERN_BOX_BORDER ||
            b->w - dx <= VG_PATTERN_BOX_BORDER || b->h - dy <= VG_PATTERN_BOX_BORDER)
            set_rgb(rgba, 255, 255, 255);
        else
            set_rgb(rgba, 255, 128, 0);
        return;
    }
    uint32_t m = g->marker;
    if (y < m && x < m) {
        set_rgb(rgba, 255, 0, 0);
        return;
    }
    if (y < m && x >= g->w - m) {
        set_rgb(rgba, 0, 255, 0);
        return;
    }
    if (y >= g->h - m && x < m) {
        set_rgb(rgba, 0, 0, 255);
        return;
    }
    if (y < g->bars_end) {
        const uint8_t *c = bar_colours[(uint64_t)x * 8 / g->w];
        set_rgb(rgba, c[0], c[1], c[2]);
        return;
    }
    if (y < g->ramp_end) {
        uint8_t v = (uint8_t)((uint64_t)x * 256 / g->w);
        set_rgb(rgba, v, v, v);
        return;
    }
    if (x % 64 == 0 || y % 64 == 0)
        set_rgb(rgba, 96, 96, 96);
    else
        set_rgb(rgba, 32, 32, 32);
}

void vg_pattern_rgba8(uint32_t w, uint32_t h, uint64_t frame, uint32_t x, uint32_t y,
                      uint8_t rgba[4])
{
    struct geometry g;
    geometry_init(&g, w, h, frame);
    pixel(&g, x, y, rgba);
}

uint16_t vg_pattern_float_to_half(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof(bits));
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000u);
    uint32_t exp = (bits >> 23) & 0xFFu;
    uint32_t mant = bits & 0x7FFFFFu;

    if (exp == 0xFF) /* infinity, or NaN kept quiet with its top payload bits */
        return (uint16_t)(sign | 0x7C00u | (mant ? 0x200u | (mant >> 13) : 0));

    int32_t e = (int32_t)exp - 127 + 15;
    if (e >= 31)
        return (uint16_t)(sign | 0x7C00u);
    if (e <= 0) {
        /* Half subnormal: value = m24 * 2^(e - 14 - 24 + 24) in units of 2^-24. */
        if (exp == 0)
            return sign; /* float zero or subnormal: far below the half range */
        uint32_t m24 = mant | 0x800000u;
        uint32_t shift = (uint32_t)(14 - e);
        if (shift > 24)
            return sign;
        uint32_t k = m24 >> shift;
        uint32_t rem = m24 & ((1u << shift) - 1);
        uint32_t halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (k & 1)))
            k++; /* may carry into the smallest normal, which encodes correctly */
        return (uint16_t)(sign | k);
    }
    uint32_t hbits = ((uint32_t)e << 10) | (mant >> 13);
    uint32_t rem = mant & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (hbits & 1)))
        hbits++; /* a carry into the exponent is the right result, up to infinity */
    return (uint16_t)(sign | hbits);
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void encode(uint8_t *p, uint32_t format, const uint8_t c[4])
{
    switch (format) {
    case VG_FP_FORMAT_BGRA8:
        p[0] = c[2];
        p[1] = c[1];
        p[2] = c[0];
        p[3] = c[3];
        break;
    case VG_FP_FORMAT_RGBA8:
        memcpy(p, c, 4);
        break;
    case VG_FP_FORMAT_RGB10A2: {
        uint32_t r = ((uint32_t)c[0] * 1023 + 127) / 255;
        uint32_t g = ((uint32_t)c[1] * 1023 + 127) / 255;
        uint32_t b = ((uint32_t)c[2] * 1023 + 127) / 255;
        uint32_t a = ((uint32_t)c[3] * 3 + 127) / 255;
        uint32_t v = r | g << 10 | b << 20 | a << 30;
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
        p[3] = (uint8_t)(v >> 24);
        break;
    }
    case VG_FP_FORMAT_RGBA16F:
        for (int i = 0; i < 4; i++)
            put_le16(p + 2 * i, vg_pattern_float_to_half((float)c[i] / 255.0f));
        break;
    case VG_PATTERN_FORMAT_BGR24:
        p[0] = c[2];
        p[1] = c[1];
        p[2] = c[0];
        break;
    case VG_PATTERN_FORMAT_RGB24:
        memcpy(p, c, 3);
        break;
    default:
        break;
    }
}

static uint32_t bytes_per_pixel(uint32_t format)
{
    switch (format) {
    case VG_FP_FORMAT_BGRA8:
    case VG_FP_FORMAT_RGBA8:
    case VG_FP_FORMAT_RGB10A2:
        return 4;
    case VG_FP_FORMAT_RGBA16F:
        return 8;
    case VG_PATTERN_FORMAT_BGR24:
    case VG_PATTERN_FORMAT_RGB24:
        return 3;
    default:
        return 0;
    }
}

void vg_pattern_render(uint8_t *dst, size_t stride, uint32_t format, uint32_t w, uint32_t h,
                       uint64_t frame, const struct vg_fp_rect *rect)
{
    uint32_t bpp = bytes_per_pixel(format);
    if (!bpp || w == 0 || h == 0)
        return;
    struct vg_fp_rect r = rect ? *rect : (struct vg_fp_rect){0, 0, w, h};
    if (r.x >= w || r.y >= h)
        return;
    uint32_t x1 = r.x + min_u32(r.w, w - r.x), y1 = r.y + min_u32(r.h, h - r.y);

    struct geometry g;
    geometry_init(&g, w, h, frame);
    for (uint32_t y = r.y; y < y1; y++) {
        uint8_t *p = dst + (size_t)y * stride + (size_t)r.x * bpp;
        for (uint32_t x = r.x; x < x1; x++, p += bpp) {
            uint8_t c[4];
            pixel(&g, x, y, c);
            encode(p, format, c);
        }
    }
}

static bool cursor_inside(int x, int y)
{
    if (x < 0 || y < 0 || x >= CURSOR_N || y >= CURSOR_N)
        return false;
    bool head = x <= y && 7 * x + 17 * y < 408;
    bool stem = y >= 16 && y <= 30 && x >= (y - 16) / 2 + 6 && x <= (y - 16) / 2 + 10;
    return head || stem;
}

enum vg_pattern_cursor_part vg_pattern_cursor_part(int x, int y)
{
    if (!cursor_inside(x, y))
        return VG_PATTERN_CURSOR_OUTSIDE;
    if (!cursor_inside(x - 1, y) || !cursor_inside(x + 1, y) || !cursor_inside(x, y - 1) ||
        !cursor_inside(x, y + 1))
        return VG_PATTERN_CURSOR_OUTLINE;
    return y < 12 ? VG_PATTERN_CURSOR_UPPER : VG_PATTERN_CURSOR_LOWER;
}

void vg_pattern_cursor_shape(uint8_t out[VG_PATTERN_CURSOR_SIZE * VG_PATTERN_CURSOR_SIZE * 4])
{
    for (int y = 0; y < CURSOR_N; y++) {
        for (int x = 0; x < CURSOR_N; x++) {
            uint8_t *p = out + ((size_t)y * CURSOR_N + (size_t)x) * 4;
            uint8_t rgba[4] = {0, 0, 0, 0};
            switch (vg_pattern_cursor_part(x, y)) {
            case VG_PATTERN_CURSOR_OUTLINE:
                set_rgb(rgba, 0, 0, 0);
                break;
            case VG_PATTERN_CURSOR_UPPER:
                set_rgb(rgba, 255, 0, 255);
                break;
            case VG_PATTERN_CURSOR_LOWER:
                set_rgb(rgba, 255, 255, 0);
                break;
            case VG_PATTERN_CURSOR_OUTSIDE:
                break;
            }
            encode(p, VG_FP_FORMAT_BGRA8, rgba);
        }
    }
}

void vg_pattern_cursor_mono(uint8_t out[VG_PATTERN_CURSOR_MONO_BYTES])
{
    memset(out, 0, VG_PATTERN_CURSOR_MONO_BYTES);
    uint8_t *and_rows = out, *xor_rows = out + VG_PATTERN_CURSOR_MONO_PITCH * CURSOR_N;
    for (int y = 0; y < CURSOR_N; y++) {
        for (int x = 0; x < CURSOR_N; x++) {
            enum vg_pattern_cursor_part part = vg_pattern_cursor_part(x, y);
            bool and_bit = part == VG_PATTERN_CURSOR_OUTSIDE || part == VG_PATTERN_CURSOR_LOWER;
            bool xor_bit = part == VG_PATTERN_CURSOR_UPPER || part == VG_PATTERN_CURSOR_LOWER;
            size_t byte = (size_t)y * VG_PATTERN_CURSOR_MONO_PITCH + (size_t)x / 8;
            uint8_t bit = (uint8_t)(0x80u >> (x % 8));
            if (and_bit)
                and_rows[byte] |= bit;
            if (xor_bit)
                xor_rows[byte] |= bit;
        }
    }
}

void vg_pattern_cursor_masked(uint8_t out[VG_PATTERN_CURSOR_SIZE * VG_PATTERN_CURSOR_SIZE * 4])
{
    for (int y = 0; y < CURSOR_N; y++) {
        for (int x = 0; x < CURSOR_N; x++) {
            uint8_t *p = out + ((size_t)y * CURSOR_N + (size_t)x) * 4;
            static const uint8_t bgrm[4][4] = {
                [VG_PATTERN_CURSOR_OUTSIDE] = {0, 0, 0, 0xFF},
                [VG_PATTERN_CURSOR_OUTLINE] = {0, 0, 0, 0},
                [VG_PATTERN_CURSOR_UPPER] = {255, 255, 0, 0},
                [VG_PATTERN_CURSOR_LOWER] = {255, 255, 255, 0xFF},
            };
            memcpy(p, bgrm[vg_pattern_cursor_part(x, y)], 4);
        }
    }
}
