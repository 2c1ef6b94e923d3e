/* Each cursor type as "draw blend over the screen, then XOR xor into it":
 *   COLOR, COLOR_PREMUL: blend is the image, nothing to XOR;
 *   MONOCHROME: AND 0 pixels are opaque black or white in blend; AND 1 pixels are clear in
 *     blend and XOR white where the XOR bit inverts the screen;
 *   MASKED_COLOR: alpha 0 pixels are opaque RGB in blend; the others are clear in blend and
 *     XOR their RGB. */
#include "gl_cursor_convert.h"

#include <string.h>

static void put(uint8_t *p, uint8_t r, uint8_t g, uint8_t b, uint8_t a)
{
    p[0] = r;
    p[1] = g;
    p[2] = b;
    p[3] = a;
}

static bool mono_bit(const uint8_t *row, uint32_t x)
{
    return (row[x / 8] >> (7 - x % 8)) & 1;
}

void vg_gl_cursor_convert(const struct vg_cursor_shape *s, uint8_t *blend, uint8_t *xor_px,
                          struct vg_gl_cursor_parts *parts)
{
    const uint32_t w = s->width, h = s->height;
    const size_t pitch = s->pitch;
    bool any_xor = false;

    memset(xor_px, 0, (size_t)w * h * 4);
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *bo = blend + (size_t)y * w * 4, *xo = xor_px + (size_t)y * w * 4;
        const uint8_t *src = s->pixels + (size_t)y * pitch;
        if (s->type == VG_CURSOR_MONOCHROME) {
            const uint8_t *and_row = src, *xor_row = s->pixels + ((size_t)h + y) * pitch;
            for (uint32_t x = 0; x < w; x++) {
                bool a = mono_bit(and_row, x), v = mono_bit(xor_row, x);
                uint8_t c = v ? 255 : 0;
                put(bo + x * 4, a ? 0 : c, a ? 0 : c, a ? 0 : c, a ? 0 : 255);
                if (a && v) {
                    put(xo + x * 4, 255, 255, 255, 0);
                    any_xor = true;
                }
            }
            continue;
        }
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t *p = src + (size_t)x * 4; /* B, G, R, A */
            if (s->type != VG_CURSOR_MASKED_COLOR) {
                put(bo + x * 4, p[2], p[1], p[0], p[3]);
            } else if (p[3] == 0) {
                put(bo + x * 4, p[2], p[1], p[0], 255);
            } else {
                put(bo + x * 4, 0, 0, 0, 0);
                put(xo + x * 4, p[2], p[1], p[0], 0);
                any_xor |= (p[0] | p[1] | p[2]) != 0;
            }
        }
    }
    parts->straight = s->type == VG_CURSOR_COLOR;
    parts->has_xor = any_xor;
}
