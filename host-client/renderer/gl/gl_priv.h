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

    /* Samples an RGBA texture; u_opaque forces alpha to 1 (the frame). */
    GLuint prog_image;
    GLint image_u_size, image_u_tex, image_u_opaque;
    /* Vertex colour times the red channel of an R8 mask (font atlas, solid cell). */
    GLuint prog_mask;
    GLint mask_u_size, mask_u_tex;

    /* Frame texture and its layout. */
    GLuint frame_tex;
    bool frame_tex_made; /* frame_tex has storage for format/width/height */
    bool frame_valid;    /* frame_tex holds a whole frame */
    enum vg_pixfmt format;
    uint32_t width, height;
    size_t stride; /* bytes per row of the upload buffer */

    /* Upload buffers: the PBO ring, or a staging buffer in client memory. */
    struct vg_gl_pbo pbo[VG_GL_PBO_RING];
    size_t pbo_size;
    unsigned pbo_next;
    unsigned pbo_cur;
    void *staging;
    size_t staging_size;
    bool upload_open; /* between begin_upload and end/abort_upload */
    bool upload_full; /* the open upload must cover the whole frame */

    /* Cursor. */
    GLuint cursor_tex;
    bool cursor_shape;
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
/* Draws the cursor over a frame shown at (fx, fy, fw, fh) in window pixels. */
void vg_gl_cursor_draw(struct vg_renderer *r, const struct vg_render_params *p, int fx, int fy,
                       int fw, int fh);
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

/* gl_overlay.c: statistics panel in the top-left corner. */
void vg_gl_overlay_draw(struct vg_renderer *r, const struct vg_render_params *p);
