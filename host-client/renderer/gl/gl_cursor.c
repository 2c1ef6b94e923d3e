/* The guest's cursor, drawn over the frame as its own quad with straight-alpha blending, so
 * moving it never touches the frame texture. */
#include "gl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vg/log.h"

int vg_gl_set_cursor_shape(struct vg_renderer *r, const struct vg_cursor_shape *shape)
{
    uint32_t w = shape->width, h = shape->height;
    size_t stride = shape->pitch;
    const void *pixels = shape->pixels;
    int32_t hot_x = shape->hot_x, hot_y = shape->hot_y;
    if (shape->type != VG_CURSOR_COLOR || !vg_cursor_shape_bytes(shape) || !pixels) {
        vg_err("gl: cannot use a %ux%u cursor of type %d with %zu bytes per row (at most %u "
               "pixels a side)",
               w, h, (int)shape->type, stride, VG_CURSOR_MAX_DIM);
        return -EINVAL;
    }

    /* Pack the rows: stride need not be a multiple of the pixel size. */
    size_t row = (size_t)w * 4;
    uint8_t *packed = malloc(row * h);
    if (!packed)
        return -ENOMEM;
    for (uint32_t y = 0; y < h; y++)
        memcpy(packed + y * row, (const uint8_t *)pixels + y * stride, row);

    if (!r->cursor_tex) {
        glGenTextures(1, &r->cursor_tex);
        glBindTexture(GL_TEXTURE_2D, r->cursor_tex);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
    }
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glBindTexture(GL_TEXTURE_2D, r->cursor_tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, (GLsizei)w, (GLsizei)h, 0, GL_BGRA, GL_UNSIGNED_BYTE,
                 packed);
    glBindTexture(GL_TEXTURE_2D, 0);
    free(packed);

    r->cursor_shape = true;
    r->cursor_w = w;
    r->cursor_h = h;
    r->cursor_hot_x = hot_x;
    r->cursor_hot_y = hot_y;
    return 0;
}

void vg_gl_set_cursor_pos(struct vg_renderer *r, int32_t x, int32_t y, bool visible)
{
    r->cursor_x = x;
    r->cursor_y = y;
    r->cursor_visible = visible;
}

void vg_gl_cursor_draw(struct vg_renderer *r, const struct vg_render_params *p, int fx, int fy,
                       int fw, int fh)
{
    if (!r->cursor_shape || !r->cursor_visible || r->width == 0 || r->height == 0)
        return;

    /* Frame pixels to window pixels, the same mapping as the frame's quad. */
    double sx = (double)fw / r->width, sy = (double)fh / r->height;
    double x0 = fx + ((double)r->cursor_x - r->cursor_hot_x) * sx;
    double y0 = fy + ((double)r->cursor_y - r->cursor_hot_y) * sy;
    double x1 = x0 + r->cursor_w * sx, y1 = y0 + r->cursor_h * sy;

    struct vg_gl_vertex v[6];
    vg_gl_quad(v, (float)x0, (float)y0, (float)x1, (float)y1, 0, 0, 1, 1,
               (struct vg_gl_color){255, 255, 255, 255});

    GLint filter = p->filter == VG_FILTER_NEAREST ? GL_NEAREST : GL_LINEAR;
    glUseProgram(r->prog_image);
    glUniform2f(r->image_u_size, (float)p->win_w, (float)p->win_h);
    glUniform1i(r->image_u_opaque, GL_FALSE);
    glBindTexture(GL_TEXTURE_2D, r->cursor_tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    glEnable(GL_BLEND);
    /* Straight alpha; the window's own alpha stays opaque for compositors. */
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE);
    vg_gl_draw_vertices(r, v, 6);
    glDisable(GL_BLEND);
}

void vg_gl_cursor_finish(struct vg_renderer *r)
{
    if (r->cursor_tex)
        glDeleteTextures(1, &r->cursor_tex);
    r->cursor_tex = 0;
    r->cursor_shape = false;
}
