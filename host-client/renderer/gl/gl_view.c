/* The frame's placement in the window: rotation first (the displayed size of a 90 or 270
 * degree frame is its height by its width), then vg_scale_rect on the displayed size. The
 * frame and the cursor both go through vg_gl_view_point, so the cursor turns with the frame. */
#include "gl_priv.h"

void vg_gl_view_init(struct vg_gl_view *v, enum vg_scale_mode mode, uint32_t fw, uint32_t fh,
                     enum vg_rotation rot, int win_w, int win_h)
{
    bool quarter = rot == VG_ROTATE_90 || rot == VG_ROTATE_270;
    v->rot = rot;
    v->fw = fw;
    v->fh = fh;
    vg_scale_rect(mode, quarter ? fh : fw, quarter ? fw : fh, win_w, win_h, &v->x, &v->y, &v->w,
                  &v->h);
}

void vg_gl_view_point(const struct vg_gl_view *v, double x, double y, float *wx, float *wy)
{
    /* (s, t): the point as a fraction of the frame; (p, q): of the displayed rectangle. */
    double s = v->fw ? x / v->fw : 0.0, t = v->fh ? y / v->fh : 0.0, p, q;
    switch (v->rot) {
    case VG_ROTATE_90: /* the frame's top edge lands on the right */
        p = 1.0 - t;
        q = s;
        break;
    case VG_ROTATE_180:
        p = 1.0 - s;
        q = 1.0 - t;
        break;
    case VG_ROTATE_270: /* the frame's top edge lands on the left */
        p = t;
        q = 1.0 - s;
        break;
    case VG_ROTATE_0:
    default:
        p = s;
        q = t;
        break;
    }
    *wx = (float)(v->x + p * v->w);
    *wy = (float)(v->y + q * v->h);
}

void vg_gl_view_quad(const struct vg_gl_view *v, struct vg_gl_vertex out[6], double x0, double y0,
                     double x1, double y1, float u0, float v0, float u1, float v1)
{
    const double fx[4] = {x0, x1, x0, x1}, fy[4] = {y0, y0, y1, y1};
    const float tu[4] = {u0, u1, u0, u1}, tv[4] = {v0, v0, v1, v1};
    /* Corners top-left, top-right, bottom-left, bottom-right of the frame-space rectangle;
     * the map is affine, so the two triangles still cover the mapped rectangle exactly. */
    static const int order[6] = {0, 2, 1, 1, 2, 3};
    for (int i = 0; i < 6; i++) {
        int c = order[i];
        struct vg_gl_vertex *o = &out[i];
        vg_gl_view_point(v, fx[c], fy[c], &o->x, &o->y);
        o->u = tu[c];
        o->v = tv[c];
        o->r = o->g = o->b = o->a = 255;
    }
}
