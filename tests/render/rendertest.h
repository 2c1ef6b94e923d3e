/* What the GL renderer tests share: a renderer on a hidden window (glenv), frames painted in
 * any pixel format and uploaded whole or by damage rects, and the screen read back. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "glenv.h"
#include "renderer.h"
#include "testlib.h"

struct rgb {
    int r, g, b;
};

/* The colour of frame pixel (x, y) of a w x h picture, as floats (any format). */
typedef void paint_fn(enum vg_pixfmt f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                      float rgba[4]);

/* Writes one pixel of value rgba at p in format f. */
void put_pixel(enum vg_pixfmt f, uint8_t *p, const float rgba[4]);

/* A frame of f, w x h, all rows of data, unrotated, screen = frame, a new serial. */
struct vg_frame_info frame_info(enum vg_pixfmt f, uint32_t w, uint32_t h);

/* Uploads a picture: all of it (n == 0) or only the rects (data_height rows). With rects,
 * the rest of the destination is filled with garbage first: only the rects may reach the
 * screen. Checks the stride (at least width * bpp, a multiple of 4; width * 3 rounded up to
 * 4 for 3-byte pixels). Returns begin_upload's full_needed through *full (may be NULL). */
bool upload_info(struct vg_renderer *r, const struct vg_frame_info *info, paint_fn *paint,
                 const struct vg_rect *rects, uint32_t n, bool *full);
/* The same for frame_info(f, w, h). */
bool upload(struct vg_renderer *r, enum vg_pixfmt f, uint32_t w, uint32_t h, paint_fn *paint,
            const struct vg_rect *rects, uint32_t n, bool *full);

/* A window and a renderer on it. */
struct env {
    struct glenv gl;
    struct vg_renderer *r;
};

bool env_open(struct env *e, int w, int h, bool allow_pbo);
void env_close(struct env *e);

/* The window's pixels, top-down RGBA8; px NULL if out of memory. free(px). */
struct shot {
    int w, h;
    uint8_t *px;
};

/* Renders with p (its window size replaced by the env's) and reads the result back. */
struct shot render(struct vg_renderer *r, const struct glenv *e, const struct vg_render_params *p);
/* {-1, -1, -1} outside the shot. */
struct rgb at(const struct shot *s, int x, int y);
int alpha_at(const struct shot *s, int x, int y);
bool near(struct rgb a, struct rgb b, int tol);
/* Pixels in [x0, x1) x [y0, y1) that are (equal) or are not (!equal) exactly c. */
int count_pixels(const struct shot *s, int x0, int y0, int x1, int y1, struct rgb c, bool equal);
void write_ppm(const struct shot *s, const char *path);

#define CHECK_PIXEL(shot, x, y, want, tol, what)                                                   \
    do {                                                                                           \
        struct rgb got_ = at((shot), (x), (y));                                                    \
        CHECK_MSG(near(got_, (want), (tol)), "%s at %d,%d: got %d,%d,%d want %d,%d,%d", (what),    \
                  (x), (y), got_.r, got_.g, got_.b, (want).r, (want).g, (want).b);                 \
    } while (0)

/* 1:1 pixels, nearest sampling: frame pixels land exactly on window pixels. */
extern const struct vg_render_params native_nearest;
