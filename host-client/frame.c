#include "frame.h"

uint32_t vg_pixfmt_bpp(enum vg_pixfmt f)
{
    return f == VG_PIXFMT_RGBA16F ? 8 : 4;
}

const char *vg_pixfmt_name(enum vg_pixfmt f)
{
    static const char *const names[VG_PIXFMT_COUNT] = {
        [VG_PIXFMT_BGRA8] = "BGRA8",
        [VG_PIXFMT_RGBA8] = "RGBA8",
        [VG_PIXFMT_RGB10A2] = "RGB10A2",
        [VG_PIXFMT_RGBA16F] = "RGBA16F",
    };
    return (unsigned)f < VG_PIXFMT_COUNT ? names[f] : "?";
}
