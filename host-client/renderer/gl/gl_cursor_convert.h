/* Cursor shapes of every type turned into what the GL renderer draws: two RGBA8 images of the
 * shape's visible size. No GL here: plain bytes that gl_cursor.c uploads. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"

/* How the two images combine with the screen. */
struct vg_gl_cursor_parts {
    bool straight; /* blend holds straight alpha (VG_CURSOR_COLOR), else premultiplied */
    bool has_xor;  /* some xor pixel is not zero */
};

/* Converts a shape that vg_cursor_shape_bytes() accepts and whose pixels are non-NULL (both
 * borrowed). blend and xor_px are the caller's, width * height * 4 bytes each, written as rows
 * of R, G, B, A bytes top-down. The screen becomes (screen over blend) XOR xor_px.rgb, where
 * "over" is straight or premultiplied alpha as *parts says; xor_px's alpha is 0. */
void vg_gl_cursor_convert(const struct vg_cursor_shape *s, uint8_t *blend, uint8_t *xor_px,
                          struct vg_gl_cursor_parts *parts);
