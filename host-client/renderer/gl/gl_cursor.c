/* The guest's cursor, drawn over the frame as its own quad so moving it never touches the
 * frame texture. A shape becomes a blended part and, for inverting shapes, a part XORed into
 * the screen with a logic op (exact bitwise XOR; a blend func could only invert). Both are
 * drawn in the frame's space: screen pixels map onto frame pixels, then rotate and scale with
 * the frame. */
#include "gl_priv.h"

#include <errno.h>
#include <stdlib.h>

#include "gl_cursor_convert.h"
#include "vg/log.h"

static const char *const type_name[VG_CURSOR_TYPE_COUNT] = {
    [VG_CURSOR_COLOR] = "colour",
    [VG_CURSOR_COLOR_PREMUL] = "premultiplied colour",
    [VG_CURSOR_MONOCHROME] = "monochrome",
    [VG_CURSOR_MASKED_COLOR] = "masked colour",
};

/* Uploads w x h RGBA8 pixels into *tex, creating it on first use. */
static bool upload_image(GLuint *tex, uint32_t w, uint32_t h, const uint8_t *px)
{
    if (!*tex) {
        glGenTextures(1, tex);
        glBindTexture(GL_TEXTURE_2D, *tex);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
    }
    glBindTexture(GL_TEXTURE_2D, *tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, (GLsizei)w, (GLsizei)h, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 px);
    glBindTexture(GL_TEXTURE_2D, 0);
    return *tex != 0;
}

int vg_gl_set_cursor_shape(struct vg_renderer *r, const struct vg_cursor_shape *shape)
{
    if (!shape)
        return -EINVAL;
    if (!shape->pixels || !vg_cursor_shape_bytes(shape)) {
        bool mono = shape->type == VG_CURSOR_MONOCHROME;
        vg_err("gl: cannot use a %ux%u %s cursor with %u bytes per row%s (at most %u pixels a "
               "side, rows of at least %s bytes)",
               shape->width, shape->height,
               (unsigned)shape->type < VG_CURSOR_TYPE_COUNT ? type_name[shape->type] : "?",
               shape->pitch, shape->pixels ? "" : " and no pixels", VG_CURSOR_MAX_DIM,
               mono ? "(width + 7) / 8" : "width * 4");
        return -EINVAL;
    }

    const uint32_t w = shape->width, h = shape->height;
    const size_t bytes = (size_t)w * h * 4; /* at most 1 MiB: VG_CURSOR_MAX_DIM */
    uint8_t *buf = malloc(2 * bytes);
    if (!buf) {
        vg_err("gl: out of memory for a %ux%u cursor", w, h);
        return -ENOMEM;
    }
    struct vg_gl_cursor_parts parts;
    vg_gl_cursor_convert(shape, buf, buf + bytes, &parts);

    while (glGetError() != GL_NO_ERROR)
        ;
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    bool ok = upload_image(&r->cursor_tex, w, h, buf);
    if (ok && parts.has_xor)
        ok = upload_image(&r->cursor_xor_tex, w, h, buf + bytes);
    free(buf);
    GLenum err = glGetError();
    if (!ok || err != GL_NO_ERROR) {
        vg_err("gl: cannot upload a %ux%u cursor (GL error 0x%x)", w, h, err);
        r->cursor_shape = false;
        return err == GL_OUT_OF_MEMORY ? -ENOMEM : -EIO;
    }

    r->cursor_shape = true;
    r->cursor_straight = parts.straight;
    r->cursor_has_xor = parts.has_xor;
    r->cursor_w = w;
    r->cursor_h = h;
    r->cursor_hot_x = shape->hot_x;
    r->cursor_hot_y = shape->hot_y;
    return 0;
}

void vg_gl_set_cursor_pos(struct vg_renderer *r, int32_t x, int32_t y, bool visible)
{
    r->cursor_x = x;
    r->cursor_y = y;
    r->cursor_visible = visible;
}

static void draw_part(struct vg_renderer *r, GLuint tex, GLint filter,
                      const struct vg_gl_vertex v[6])
{
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    vg_gl_draw_vertices(r, v, 6);
}

void vg_gl_cursor_draw(struct vg_renderer *r, const struct vg_render_params *p,
                       const struct vg_gl_view *view)
{
    if (!r->cursor_shape || !r->cursor_visible || r->width == 0 || r->height == 0)
        return;

    /* Screen pixels to frame pixels: shape, hotspot and position are all in screen pixels. */
    double sx = r->screen_w ? (double)r->width / r->screen_w : 1.0;
    double sy = r->screen_h ? (double)r->height / r->screen_h : 1.0;
    double x0 = ((double)r->cursor_x - r->cursor_hot_x) * sx;
    double y0 = ((double)r->cursor_y - r->cursor_hot_y) * sy;
    double x1 = x0 + r->cursor_w * sx, y1 = y0 + r->cursor_h * sy;

    struct vg_gl_vertex v[6];
    vg_gl_view_quad(view, v, x0, y0, x1, y1, 0, 0, 1, 1);

    glUseProgram(r->prog_image);
    glUniform2f(r->image_u_size, (float)p->win_w, (float)p->win_h);
    glUniform1i(r->image_u_opaque, GL_FALSE);
    glUniform1f(r->image_u_max_v, 1.0f);

    /* The window's own alpha stays opaque for compositors. */
    glEnable(GL_BLEND);
    glBlendFuncSeparate(r->cursor_straight ? GL_SRC_ALPHA : GL_ONE, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO,
                        GL_ONE);
    draw_part(r, r->cursor_tex, p->filter == VG_FILTER_NEAREST ? GL_NEAREST : GL_LINEAR, v);
    glDisable(GL_BLEND);

    if (r->cursor_has_xor) {
        /* Filtering would blend XOR masks into meaningless values: always nearest. */
        glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_FALSE);
        glEnable(GL_COLOR_LOGIC_OP);
        glLogicOp(GL_XOR);
        draw_part(r, r->cursor_xor_tex, GL_NEAREST, v);
        glDisable(GL_COLOR_LOGIC_OP);
        glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    }
}

void vg_gl_cursor_finish(struct vg_renderer *r)
{
    if (r->cursor_tex)
        glDeleteTextures(1, &r->cursor_tex);
    if (r->cursor_xor_tex)
        glDeleteTextures(1, &r->cursor_xor_tex);
    r->cursor_tex = r->cursor_xor_tex = 0;
    r->cursor_shape = false;
}
