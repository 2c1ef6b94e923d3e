/* The pointer's way to the guest: the pure state machine that picks absolute positions, relative
 * motion (capture) or nothing, and the map from window pixels to guest display pixels. No I/O:
 * the client applies the actions (SDL relative mode, requests to the server). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"
#include "input.h"
#include "renderer.h"

enum vg_mouse_route {
    VG_MOUSE_ROUTE_NONE = 0, /* motion stays with the host */
    VG_MOUSE_ROUTE_ABSOLUTE, /* positions in guest display pixels (the server's client mode) */
    VG_MOUSE_ROUTE_RELATIVE, /* captured: relative motion */
};

struct vg_mouse {
    bool ready;            /* the input backend takes input */
    bool enabled;          /* input on (escape+I toggles it) */
    bool focused;          /* the window has the keyboard focus */
    bool captured;         /* the pointer is captured (relative motion) */
    bool client_mode_seen; /* the server offered client mode: return to it after a capture */
    bool capture_on_ready; /* --capture-on-start, until the backend is ready */
    bool asked;            /* a mode request since the last capture change */
    enum vg_input_mouse_mode mode; /* the server's */
};

enum vg_mouse_event {
    VG_MOUSE_READY,       /* the backend became ready */
    VG_MOUSE_LOST,        /* the backend failed or closed */
    VG_MOUSE_MODE_CLIENT, /* the server now takes absolute positions */
    VG_MOUSE_MODE_SERVER, /* the server now takes relative motion */
    VG_MOUSE_FOCUS_GAINED,
    VG_MOUSE_FOCUS_LOST,
    VG_MOUSE_ESCAPE,       /* the escape key was pressed and released alone */
    VG_MOUSE_CLICK,        /* a button went down in the window */
    VG_MOUSE_TOGGLE_INPUT, /* escape+I */
};

struct vg_mouse_actions {
    bool capture_changed; /* apply m->captured: relative mode, grab, host cursor */
    bool request_mode;    /* ask the server for `request` */
    enum vg_input_mouse_mode request;
    bool swallow;     /* CLICK: the click started the capture and goes no further */
    bool release_all; /* release every key and button held in the guest */
};

void vg_mouse_init(struct vg_mouse *m, bool capture_on_start);
/* Moves the machine by one event; returns what the client must do. */
struct vg_mouse_actions vg_mouse_step(struct vg_mouse *m, enum vg_mouse_event ev);
/* Where motion goes now. */
enum vg_mouse_route vg_mouse_route(const struct vg_mouse *m);
/* Whether keys go to the guest now. */
bool vg_mouse_keys_to_guest(const struct vg_mouse *m);
/* Whether the host's cursor is hidden over the window: absolute positions go to the guest and
 * the guest draws a cursor of its own (guest_cursor_visible: the renderer shows one), so one
 * cursor is seen, where the guest's pointer is. Captured (relative mode hides it anyway),
 * input off, the server's mode, or no guest cursor: the host's is shown. */
bool vg_mouse_hide_host_cursor(const struct vg_mouse *m, bool guest_cursor_visible);

/* The frame on screen, as the renderer places it. */
struct vg_mouse_view {
    enum vg_scale_mode scale;
    uint32_t width, height; /* the frame, unrotated */
    enum vg_rotation rotation;
    uint32_t screen_width, screen_height; /* the guest display (0: the frame's size) */
    int win_w, win_h;                     /* the drawable, in pixels */
};

/* The guest display pixel under the window pixel (x, y) (drawable pixels, from the top left),
 * through vg_scale_rect and the rotation as the renderer draws them. The frame's first and last
 * window pixels give the desktop's first and last, whatever the scale; points outside the frame
 * give its nearest edge. false when there is no frame. */
bool vg_mouse_map(const struct vg_mouse_view *v, double x, double y, int32_t *gx, int32_t *gy);
