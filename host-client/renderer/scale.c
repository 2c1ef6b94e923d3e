/* Where the frame goes in the window: shared by every renderer backend and the tests. */
#include "renderer.h"

#include <limits.h>
#include <stdint.h>

/* Frame sizes come from the guest: compute in 64 bits, then clamp into int. */
static int clamp_int(int64_t v)
{
    if (v > INT_MAX)
        return INT_MAX;
    if (v < INT_MIN)
        return INT_MIN;
    return (int)v;
}

/* Offset that centres `size` in `space`, rounded towards -infinity so that a frame larger
 * than the window overhangs by the same amount on both sides (±1). */
static int64_t centre(int64_t space, int64_t size)
{
    int64_t d = space - size;
    return d >= 0 ? d / 2 : -((-d + 1) / 2);
}

void vg_scale_rect(enum vg_scale_mode mode, uint32_t frame_w, uint32_t frame_h, int win_w,
                   int win_h, int *x, int *y, int *w, int *h)
{
    int64_t fw = frame_w, fh = frame_h;
    int64_t ww = win_w > 0 ? win_w : 0, wh = win_h > 0 ? win_h : 0;
    int64_t rw, rh;

    if (fw == 0 || fh == 0) {
        *x = clamp_int(ww / 2);
        *y = clamp_int(wh / 2);
        *w = *h = 0;
        return;
    }

    switch (mode) {
    case VG_SCALE_STRETCH:
        rw = ww;
        rh = wh;
        break;
    case VG_SCALE_NATIVE:
        rw = fw;
        rh = fh;
        break;
    case VG_SCALE_INTEGER: {
        int64_t k = ww / fw < wh / fh ? ww / fw : wh / fh;
        if (k >= 1) {
            rw = fw * k;
            rh = fh * k;
            break;
        }
        /* Integer scaling is for enlarging: a frame larger than the window is fitted, so the
         * whole desktop stays visible (native is the mode that crops). */
    }
        /* fall through */
    case VG_SCALE_FIT:
    default:
        /* Compare aspects without division: fw/fh >= ww/wh. */
        if (fw * wh >= ww * fh) {
            rw = ww;
            rh = (ww * fh + fw / 2) / fw;
        } else {
            rh = wh;
            rw = (wh * fw + fh / 2) / fh;
        }
        break;
    }

    *x = clamp_int(centre(ww, rw));
    *y = clamp_int(centre(wh, rh));
    *w = clamp_int(rw);
    *h = clamp_int(rh);
}
