/* Renderer: turns frames and cursor updates into pixels in the current GL context.
 * Backend renderer/gl (OpenGL 3.3 core through libepoxy). Context: the thread that owns the
 * GL context (the main thread). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct vg_renderer;

enum vg_scale_mode {
    VG_SCALE_FIT = 0, /* largest size keeping aspect, centred (default) */
    VG_SCALE_INTEGER, /* largest integer multiple that fits (at least 1x) */
    VG_SCALE_STRETCH, /* fill the window */
    VG_SCALE_NATIVE,  /* 1:1 pixels, centred */
};

enum vg_filter {
    VG_FILTER_LINEAR = 0,
    VG_FILTER_NEAREST,
};

struct vg_renderer_options {
    bool allow_pbo;     /* use a persistent-mapped PBO when GL_ARB_buffer_storage exists */
};

#define VG_OVERLAY_SAMPLES 240 /* graph history */

/* Statistics shown by the overlay; filled by the client. */
struct vg_overlay_stats {
    double fps_received, fps_presented;
    /* Ring of the last samples, oldest first, in milliseconds; n valid entries. A negative
     * latency means "unknown" (guest clock). */
    float ingest_ms[VG_OVERLAY_SAMPLES];
    float latency_ms[VG_OVERLAY_SAMPLES];
    uint32_t n;
    const char *extra; /* [optional] one more line of text (e.g. audio figures) */
    const char *extra2; /* [optional] and another (e.g. the keyboard and mouse's state) */
};

struct vg_render_params {
    int win_w, win_h;            /* drawable size in pixels */
    enum vg_scale_mode scale;
    enum vg_filter filter;
    const char *message;         /* [optional] centred text, e.g. "waiting for guest: ..." */
    const char *banner;          /* [optional] a warning line along the top, over the frame */
    const struct vg_overlay_stats *overlay; /* [optional] draw the overlay */
};

struct vg_renderer_ops {
    const char *name;

    /* Needs a current GL 3.3 core (or later) context. NULL on error (logged). */
    struct vg_renderer *(*create)(const struct vg_renderer_options *opts);
    void (*destroy)(struct vg_renderer *r);

    /* Prepares a destination for the frame's pixels (the persistent-mapped PBO or a staging
     * buffer) laid out as the frame (format, width, data_height rows) with *dst_stride bytes
     * per row; (re)creates the texture on a format or size change. Rows from data_height to
     * height show black. The frame is drawn rotated by info->rotation, its cursor mapped
     * from screen_width x screen_height. Only rows/rects given to end_upload need to be
     * written. Returns 0 or negative errno. *full_needed is set when
     * the renderer holds no valid previous frame (new texture): the caller copies all. */
    int (*begin_upload)(struct vg_renderer *r, const struct vg_frame_info *info, void **dst,
                        size_t *dst_stride, bool *full_needed);
    /* Uploads rects (all when n == 0) now in dst into the texture. */
    int (*end_upload)(struct vg_renderer *r, const struct vg_rect *rects, uint32_t n);
    /* The copy into dst failed (torn): forget it; the texture keeps the previous frame. */
    void (*abort_upload)(struct vg_renderer *r);
    /* Drops the frame texture (guest restarted): nothing drawn until the next upload. */
    void (*reset)(struct vg_renderer *r);

    /* A new cursor shape of any type (borrowed, copied). 0 or negative errno (logged). */
    int (*set_cursor_shape)(struct vg_renderer *r, const struct vg_cursor_shape *shape);
    /* Hotspot position in the guest's screen pixels (the screen size of the last frame given
     * to begin_upload maps them onto the frame). */
    void (*set_cursor_pos)(struct vg_renderer *r, int32_t x, int32_t y, bool visible);

    /* Draws frame, cursor, message and overlay into the default framebuffer. */
    void (*render)(struct vg_renderer *r, const struct vg_render_params *p);

    /* Reads the default framebuffer's back buffer (call after render, before swap) as
     * top-down RGBA8 rows of w*4 bytes into out (w*h*4 bytes). 0 or negative errno. */
    int (*read_pixels)(struct vg_renderer *r, int w, int h, void *out);
};

extern const struct vg_renderer_ops vg_renderer_gl;
/* The renderers built in, best first; NULL-terminated (renderer/renderers.c). */
extern const struct vg_renderer_ops *const vg_renderers[];

/* The frame's on-screen rectangle for a window of win_w x win_h (shared by backends, tests):
 * x, y from the top-left. */
void vg_scale_rect(enum vg_scale_mode mode, uint32_t frame_w, uint32_t frame_h, int win_w,
                   int win_h, int *x, int *y, int *w, int *h);
