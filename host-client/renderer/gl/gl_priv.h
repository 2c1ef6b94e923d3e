/* Private to the GL renderer backend: the renderer's state and the functions its files share.
 * Everything here runs on the thread that owns the GL context. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <epoxy/gl.h>

#include "frame.h"
#include "renderer.h"

#define VG_GL_PBO_RING 3

/* One vertex of every 2D draw: position in window pixels (top-left origin), texture
 * coordinates, and a colour (used by the mask program only). */
struct vg_gl_vertex {
    float x, y, u, v;
    uint8_t r, g, b, a;
};

struct vg_gl_color {
    uint8_t r, g, b, a;
};

struct vg_gl_pbo {
    GLuint buf;
    void *map;    /* persistent, coherent mapping of the whole buffer */
    GLsync fence; /* set after the texture upload that reads it; 0 when idle */
};

struct vg_renderer {
    bool use_pbo;
    GLint max_tex_size;

    GLuint vao, vbo;
    size_t vbo_bytes; /* current size of vbo's store */

    /* Samples an RGBA texture; u_opaque forces alpha to 1 (the frame); texture coordinates
     * beyond u_max_v sample row u_max_v (no bleeding into rows that hold no data). */
    GLuint prog_image;
    GLint image_u_size, image_u_tex, image_u_opaque, image_u_max_v;
    /* Vertex colour times the red channel of an R8 mask (font atlas, solid cell). */
    GLuint prog_mask;
    GLint mask_u_size, mask_u_tex;

    /* Frame texture and its layout. */
    GLuint frame_tex;
    bool frame_tex_made; /* frame_tex has storage for format/width/height */
    bool frame_valid;    /* frame_tex holds a whole frame */
    enum vg_pixfmt format;
    uint32_t width, height;
    size_t stride;               /* bytes per row of the upload buffer */
    uint32_t rows;               /* rows of frame_tex that hold the shown frame (data_height) */
    enum vg_rotation rotation;   /* of the shown frame */
    uint32_t screen_w, screen_h; /* cursor space, from the last begin_upload */
    uint32_t upload_rows;        /* data_height and rotation of the open upload */
    enum vg_rotation upload_rotation;

    /* Upload buffers: the PBO ring, or a staging buffer in client memory. */
    struct vg_gl_pbo pbo[VG_GL_PBO_RING];
    size_t pbo_size;
    unsigned pbo_next;
    unsigned pbo_cur;
    void *staging;
    size_t staging_size;
    bool upload_open; /* between begin_upload and end/abort_upload */
    bool upload_full; /* the open upload must cover the whole frame */

    /* Cursor: a blended part and, for inverting shapes, a part XORed into the screen. */
    GLuint cursor_tex, cursor_xor_tex;
    bool cursor_shape;
    bool cursor_straight; /* cursor_tex holds straight alpha, else premultiplied */
    bool cursor_has_xor;
    uint32_t cursor_w, cursor_h;
    int32_t cursor_hot_x, cursor_hot_y;
    int32_t cursor_x, cursor_y;
    bool cursor_visible;

    /* Text and shapes: the font atlas and a batch of vertices for the mask program. */
    GLuint font_tex;
    struct vg_gl_vertex *batch;
    size_t batch_len, batch_cap;
    bool batch_oom; /* a vertex did not fit; the batch draws what it holds */
};

/* gl_shaders.c */
bool vg_gl_shaders_init(struct vg_renderer *r);
void vg_gl_shaders_finish(struct vg_renderer *r);

/* Where the frame lies in the window: the displayed rectangle (the rotated frame scaled by
 * vg_scale_rect) and how frame pixels map into it. */
struct vg_gl_view {
    int x, y, w, h;       /* displayed rectangle in window pixels */
    enum vg_rotation rot; /* clockwise */
    uint32_t fw, fh;      /* the frame's size, unrotated */
};

/* gl_view.c */
/* The view of an fw x fh frame drawn rotated by rot, scaled by mode into the window. */
void vg_gl_view_init(struct vg_gl_view *v, enum vg_scale_mode mode, uint32_t fw, uint32_t fh,
                     enum vg_rotation rot, int win_w, int win_h);
/* Window position of the frame point (x, y), in unrotated frame pixels. */
void vg_gl_view_point(const struct vg_gl_view *v, double x, double y, float *wx, float *wy);
/* 6 vertices covering the frame-space rectangle (x0, y0)-(x1, y1), rotated with the frame;
 * texture coordinates (u0, v0) at the rectangle's top-left, (u1, v1) at its bottom-right. */
void vg_gl_view_quad(const struct vg_gl_view *v, struct vg_gl_vertex out[6], double x0, double y0,
                     double x1, double y1, float u0, float v0, float u1, float v1);

/* gl_renderer.c: draws n vertices (triangles) with the bound program and texture. */
void vg_gl_draw_vertices(struct vg_renderer *r, const struct vg_gl_vertex *v, size_t n);
/* Fills 6 vertices (two triangles) for an axis-aligned quad. */
void vg_gl_quad(struct vg_gl_vertex out[6], float x0, float y0, float x1, float y1, float u0,
                float v0, float u1, float v1, struct vg_gl_color c);

/* gl_upload.c */
bool vg_gl_upload_init(struct vg_renderer *r);
void vg_gl_upload_finish(struct vg_renderer *r);
int vg_gl_begin_upload(struct vg_renderer *r, const struct vg_frame_info *info, void **dst,
                       size_t *dst_stride, bool *full_needed);
int vg_gl_end_upload(struct vg_renderer *r, const struct vg_rect *rects, uint32_t n);
void vg_gl_abort_upload(struct vg_renderer *r);
void vg_gl_reset(struct vg_renderer *r);

/* gl_cursor.c */
int vg_gl_set_cursor_shape(struct vg_renderer *r, const struct vg_cursor_shape *shape);
void vg_gl_set_cursor_pos(struct vg_renderer *r, int32_t x, int32_t y, bool visible);
/* Draws the cursor over the frame, in the frame's space (scaled and rotated with it). */
void vg_gl_cursor_draw(struct vg_renderer *r, const struct vg_render_params *p,
                       const struct vg_gl_view *view);
void vg_gl_cursor_finish(struct vg_renderer *r);

/* gl_text.c: the font atlas and a batch of solid shapes and text drawn in one call. */
bool vg_gl_text_init(struct vg_renderer *r);
void vg_gl_text_finish(struct vg_renderer *r);
void vg_gl_batch_begin(struct vg_renderer *r);
void vg_gl_batch_rect(struct vg_renderer *r, float x, float y, float w, float h,
                      struct vg_gl_color c);
/* A segment as a quad `width` pixels thick (core profile has no wide lines). */
void vg_gl_batch_segment(struct vg_renderer *r, float x0, float y0, float x1, float y1, float width,
                         struct vg_gl_color c);
/* One line of text, top-left at (x, y), glyphs scaled by an integer factor. Characters
 * outside printable ASCII show as '?'. Returns the width drawn in pixels. */
int vg_gl_batch_text(struct vg_renderer *r, int x, int y, int scale, struct vg_gl_color c,
                     const char *s, size_t len);
void vg_gl_batch_flush(struct vg_renderer *r, const struct vg_render_params *p);
/* Size of text at a scale: the widest line and the number of lines ('\n' separated). */
void vg_gl_text_measure(const char *s, int scale, int *w, int *h);
int vg_gl_text_line_height(int scale);
/* Centred text on a dark box. */
void vg_gl_message_draw(struct vg_renderer *r, const struct vg_render_params *p);

/* gl_banner.c: p->banner along the top of the window; returns the strip's height (0: none). */
int vg_gl_banner_draw(struct vg_renderer *r, const struct vg_render_params *p);

/* gl_overlay.c: statistics panel in the top-left corner, `top` pixels down (below a banner). */
void vg_gl_overlay_draw(struct vg_renderer *r, const struct vg_render_params *p, int top);
