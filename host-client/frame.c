#include "frame.h"

uint32_t vg_pixfmt_bpp(enum vg_pixfmt f)
{
    switch (f) {
    case VG_PIXFMT_RGBA16F:
        return 8;
    case VG_PIXFMT_BGR8:
    case VG_PIXFMT_RGB8:
        return 3;
    default:
        return 4;
    }
}

const char *vg_pixfmt_name(enum vg_pixfmt f)
{
    static const char *const names[VG_PIXFMT_COUNT] = {
        [VG_PIXFMT_BGRA8] = "BGRA8",     [VG_PIXFMT_RGBA8] = "RGBA8",
        [VG_PIXFMT_RGB10A2] = "RGB10A2", [VG_PIXFMT_RGBA16F] = "RGBA16F",
        [VG_PIXFMT_BGR8] = "BGR8",       [VG_PIXFMT_RGB8] = "RGB8",
    };
    return (unsigned)f < VG_PIXFMT_COUNT ? names[f] : "?";
}

uint64_t vg_cursor_shape_bytes(const struct vg_cursor_shape *s)
{
    if ((unsigned)s->type >= VG_CURSOR_TYPE_COUNT || s->width == 0 || s->height == 0 ||
        s->width > VG_CURSOR_MAX_DIM || s->height > VG_CURSOR_MAX_DIM)
        return 0;
    uint64_t min_pitch = s->type == VG_CURSOR_MONOCHROME ? ((uint64_t)s->width + 7) / 8
                                                         : (uint64_t)s->width * 4;
    if (s->pitch < min_pitch)
        return 0;
    uint64_t rows = s->type == VG_CURSOR_MONOCHROME ? 2 * (uint64_t)s->height : s->height;
    return rows * s->pitch;
}
