#include "mouse.h"

#include <math.h>

void vg_mouse_init(struct vg_mouse *m, bool capture_on_start)
{
    *m = (struct vg_mouse){.enabled = true, .focused = true, .capture_on_ready = capture_on_start};
}

static void set_capture(struct vg_mouse *m, bool on, struct vg_mouse_actions *a)
{
    if (m->captured == on)
        return;
    m->captured = on;
    m->asked = false;
    a->capture_changed = true;
    /* A capture wants relative motion; after it the absolute mode comes back where the server
     * offered it. */
    if (on && m->mode == VG_INPUT_MOUSE_CLIENT) {
        a->request_mode = true;
        a->request = VG_INPUT_MOUSE_SERVER;
        m->asked = true;
    } else if (!on && m->ready && m->client_mode_seen && m->mode == VG_INPUT_MOUSE_SERVER) {
        a->request_mode = true;
        a->request = VG_INPUT_MOUSE_CLIENT;
        m->asked = true;
    }
}

struct vg_mouse_actions vg_mouse_step(struct vg_mouse *m, enum vg_mouse_event ev)
{
    struct vg_mouse_actions a = {0};
    switch (ev) {
    case VG_MOUSE_READY:
        m->ready = true;
        if (m->capture_on_ready && m->enabled)
            set_capture(m, true, &a);
        m->capture_on_ready = false;
        break;
    case VG_MOUSE_LOST:
        m->ready = false;
        set_capture(m, false, &a);
        a.release_all = true;
        break;
    case VG_MOUSE_MODE_CLIENT:
        m->mode = VG_INPUT_MOUSE_CLIENT;
        m->client_mode_seen = true;
        /* The server went back to absolute positions during a capture: ask once more, not in
         * a loop with a server that insists. */
        if (m->captured && m->ready && !m->asked) {
            a.request_mode = true;
            a.request = VG_INPUT_MOUSE_SERVER;
            m->asked = true;
        }
        break;
    case VG_MOUSE_MODE_SERVER:
        /* Outside a capture the server chose it (its tablet went away): it is not fought. */
        m->mode = VG_INPUT_MOUSE_SERVER;
        break;
    case VG_MOUSE_FOCUS_GAINED:
        m->focused = true;
        break;
    case VG_MOUSE_FOCUS_LOST:
        m->focused = false;
        set_capture(m, false, &a);
        a.release_all = true;
        break;
    case VG_MOUSE_ESCAPE:
        if (m->ready && m->enabled)
            set_capture(m, !m->captured, &a);
        break;
    case VG_MOUSE_CLICK:
        /* Without absolute positions the pointer must be captured to mean anything. */
        if (m->ready && m->enabled && !m->captured && m->mode == VG_INPUT_MOUSE_SERVER) {
            set_capture(m, true, &a);
            a.swallow = true;
        }
        break;
    case VG_MOUSE_TOGGLE_INPUT:
        m->enabled = !m->enabled;
        if (!m->enabled) {
            set_capture(m, false, &a);
            a.release_all = true;
        }
        break;
    }
    return a;
}

enum vg_mouse_route vg_mouse_route(const struct vg_mouse *m)
{
    if (!m->ready || !m->enabled)
        return VG_MOUSE_ROUTE_NONE;
    if (m->captured)
        return VG_MOUSE_ROUTE_RELATIVE;
    return m->mode == VG_INPUT_MOUSE_CLIENT ? VG_MOUSE_ROUTE_ABSOLUTE : VG_MOUSE_ROUTE_NONE;
}

bool vg_mouse_keys_to_guest(const struct vg_mouse *m)
{
    return m->ready && m->enabled;
}

bool vg_mouse_hide_host_cursor(const struct vg_mouse *m, bool guest_cursor_visible)
{
    return guest_cursor_visible && vg_mouse_route(m) == VG_MOUSE_ROUTE_ABSOLUTE;
}

static double clamp01(double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

/* A fraction of the frame to a pixel: 0 is the first, 1 the last. */
static int32_t to_pixel(double frac, uint32_t size)
{
    return (int32_t)lround(frac * (double)(size - 1));
}

bool vg_mouse_map(const struct vg_mouse_view *v, double x, double y, int32_t *gx, int32_t *gy)
{
    if (!v->width || !v->height)
        return false;
    bool quarter = v->rotation == VG_ROTATE_90 || v->rotation == VG_ROTATE_270;
    int rx, ry, rw, rh;
    vg_scale_rect(v->scale, quarter ? v->height : v->width, quarter ? v->width : v->height,
                  v->win_w, v->win_h, &rx, &ry, &rw, &rh);
    if (rw <= 0 || rh <= 0)
        return false;
    /* The point as a fraction of the displayed rectangle, from its first pixel to its last,
     * so that both edges of the guest's desktop can be reached whatever the scale; then back
     * through the rotation to a fraction of the frame (the inverse of the renderer's map). */
    double p = rw > 1 ? clamp01((x - rx) / (rw - 1)) : 0.0;
    double q = rh > 1 ? clamp01((y - ry) / (rh - 1)) : 0.0, s, t;
    switch (v->rotation) {
    case VG_ROTATE_90:
        s = q;
        t = 1.0 - p;
        break;
    case VG_ROTATE_180:
        s = 1.0 - p;
        t = 1.0 - q;
        break;
    case VG_ROTATE_270:
        s = 1.0 - q;
        t = p;
        break;
    case VG_ROTATE_0:
    default:
        s = p;
        t = q;
        break;
    }
    uint32_t sw = v->screen_width ? v->screen_width : v->width;
    uint32_t sh = v->screen_height ? v->screen_height : v->height;
    *gx = to_pixel(s, sw);
    *gy = to_pixel(t, sh);
    return true;
}
