/* The OpenGL 3.3 core renderer: the ops table, the renderer's life cycle, one frame's draw
 * and reading the result back. Uploads, cursor, text and overlay live in their own files. */
#include "gl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <epoxy/gl.h>

#include "vg/log.h"

void vg_gl_quad(struct vg_gl_vertex out[6], float x0, float y0, float x1, float y1, float u0,
                float v0, float u1, float v1, struct vg_gl_color c)
{
    const struct vg_gl_vertex tl = {x0, y0, u0, v0, c.r, c.g, c.b, c.a};
    const struct vg_gl_vertex tr = {x1, y0, u1, v0, c.r, c.g, c.b, c.a};
    const struct vg_gl_vertex bl = {x0, y1, u0, v1, c.r, c.g, c.b, c.a};
    const struct vg_gl_vertex br = {x1, y1, u1, v1, c.r, c.g, c.b, c.a};
    out[0] = tl;
    out[1] = bl;
    out[2] = tr;
    out[3] = tr;
    out[4] = bl;
    out[5] = br;
}

void vg_gl_draw_vertices(struct vg_renderer *r, const struct vg_gl_vertex *v, size_t n)
{
    size_t bytes = n * sizeof(*v);
    glBindBuffer(GL_ARRAY_BUFFER, r->vbo);
    /* Orphan the store when it is too small; otherwise overwrite in place. */
    if (bytes > r->vbo_bytes) {
        glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)bytes, v, GL_STREAM_DRAW);
        r->vbo_bytes = bytes;
    } else {
        glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)r->vbo_bytes, NULL, GL_STREAM_DRAW);
        glBufferSubData(GL_ARRAY_BUFFER, 0, (GLsizeiptr)bytes, v);
    }
    glDrawArrays(GL_TRIANGLES, 0, (GLsizei)n);
}

static bool vertex_array_init(struct vg_renderer *r)
{
    glGenVertexArrays(1, &r->vao);
    glGenBuffers(1, &r->vbo);
    if (!r->vao || !r->vbo)
        return false;
    glBindVertexArray(r->vao);
    glBindBuffer(GL_ARRAY_BUFFER, r->vbo);
    const GLsizei stride = sizeof(struct vg_gl_vertex);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride,
                          (const void *)offsetof(struct vg_gl_vertex, x));
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride,
                          (const void *)offsetof(struct vg_gl_vertex, u));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride,
                          (const void *)offsetof(struct vg_gl_vertex, r));
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glBindVertexArray(0);
    return true;
}

static void gl_destroy(struct vg_renderer *r)
{
    if (!r)
        return;
    vg_gl_text_finish(r);
    vg_gl_cursor_finish(r);
    vg_gl_upload_finish(r);
    vg_gl_shaders_finish(r);
    if (r->vbo)
        glDeleteBuffers(1, &r->vbo);
    if (r->vao)
        glDeleteVertexArrays(1, &r->vao);
    free(r);
}

static struct vg_renderer *gl_create(const struct vg_renderer_options *opts)
{
    int version = epoxy_gl_version();
    if (!epoxy_is_desktop_gl() || version < 33) {
        vg_err("gl: the context is %s %d.%d; the renderer needs desktop OpenGL 3.3 or later "
               "(check the graphics driver)",
               epoxy_is_desktop_gl() ? "OpenGL" : "OpenGL ES", version / 10, version % 10);
        return NULL;
    }

    struct vg_renderer *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;

    vg_info("gl: renderer %s, version %s", (const char *)glGetString(GL_RENDERER),
            (const char *)glGetString(GL_VERSION));

    while (glGetError() != GL_NO_ERROR)
        ;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &r->max_tex_size);
    if (r->max_tex_size <= 0)
        r->max_tex_size = 4096;

    bool storage = version >= 44 || epoxy_has_gl_extension("GL_ARB_buffer_storage");
    bool allow_pbo = opts ? opts->allow_pbo : true;
    r->use_pbo = storage && allow_pbo;
    vg_info("gl: frame uploads through %s", r->use_pbo ? "a ring of persistent-mapped pixel buffers"
                                            : storage
                                                ? "client memory (pixel buffers disabled by option)"
                                                : "client memory (no GL_ARB_buffer_storage)");

    if (!vertex_array_init(r) || !vg_gl_shaders_init(r) || !vg_gl_upload_init(r) ||
        !vg_gl_text_init(r))
        goto fail;

    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);

    GLenum err = glGetError();
    if (err != GL_NO_ERROR) {
        vg_err("gl: setting up the renderer failed (GL error 0x%x)", err);
        goto fail;
    }
    return r;

fail:
    gl_destroy(r);
    return NULL;
}

static void gl_render(struct vg_renderer *r, const struct vg_render_params *p)
{
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, p->win_w > 0 ? p->win_w : 0, p->win_h > 0 ? p->win_h : 0);
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_CULL_FACE);
    glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (p->win_w <= 0 || p->win_h <= 0)
        return;

    glBindVertexArray(r->vao);
    glActiveTexture(GL_TEXTURE0);

    if (r->frame_valid) {
        struct vg_gl_view view;
        vg_gl_view_init(&view, p->scale, r->width, r->height, r->rotation, p->win_w, p->win_h);

        /* Only the rows that hold data: below them (a truncated frame) the clear shows. */
        GLint filter = p->filter == VG_FILTER_NEAREST ? GL_NEAREST : GL_LINEAR;
        glUseProgram(r->prog_image);
        glUniform2f(r->image_u_size, (float)p->win_w, (float)p->win_h);
        glUniform1i(r->image_u_opaque, GL_TRUE);
        glUniform1f(r->image_u_max_v, ((float)r->rows - 0.5f) / (float)r->height);
        glBindTexture(GL_TEXTURE_2D, r->frame_tex);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
        if (r->rows > 0) {
            struct vg_gl_vertex v[6];
            vg_gl_view_quad(&view, v, 0, 0, r->width, r->rows, 0, 0, 1,
                            (float)r->rows / (float)r->height);
            vg_gl_draw_vertices(r, v, 6);
        }

        vg_gl_cursor_draw(r, p, &view);
    }

    bool banner = p->banner && p->banner[0];
    if (banner || p->message || p->overlay) {
        vg_gl_batch_begin(r);
        int top = banner ? vg_gl_banner_draw(r, p) : 0;
        if (p->message && p->message[0])
            vg_gl_message_draw(r, p);
        if (p->overlay)
            vg_gl_overlay_draw(r, p, top);
        vg_gl_batch_flush(r, p);
    }

    glBindTexture(GL_TEXTURE_2D, 0);
    glUseProgram(0);
    glBindVertexArray(0);
}

static int gl_read_pixels(struct vg_renderer *r, int w, int h, void *out)
{
    size_t row, total;
    if (w <= 0 || h <= 0 || !out)
        return -EINVAL;
    if (__builtin_mul_overflow((size_t)w, (size_t)4, &row) ||
        __builtin_mul_overflow(row, (size_t)h, &total))
        return -EOVERFLOW;

    uint8_t *tmp = malloc(row);
    if (!tmp)
        return -ENOMEM;

    while (glGetError() != GL_NO_ERROR)
        ;
    GLboolean doublebuffer = GL_FALSE;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    glGetBooleanv(GL_DOUBLEBUFFER, &doublebuffer);
    glReadBuffer(doublebuffer ? GL_BACK : GL_FRONT);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    glPixelStorei(GL_PACK_ROW_LENGTH, 0);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, out);
    GLenum err = glGetError();
    if (err != GL_NO_ERROR) {
        vg_err("gl: glReadPixels %dx%d failed (GL error 0x%x)", w, h, err);
        free(tmp);
        return -EIO;
    }

    /* GL's row 0 is the bottom. */
    uint8_t *px = out;
    for (int y = 0; y < h / 2; y++) {
        uint8_t *a = px + (size_t)y * row, *b = px + (size_t)(h - 1 - y) * row;
        memcpy(tmp, a, row);
        memcpy(a, b, row);
        memcpy(b, tmp, row);
    }
    free(tmp);
    return 0;
}

const struct vg_renderer_ops vg_renderer_gl = {
    .name = "gl",
    .create = gl_create,
    .destroy = gl_destroy,
    .begin_upload = vg_gl_begin_upload,
    .end_upload = vg_gl_end_upload,
    .abort_upload = vg_gl_abort_upload,
    .reset = vg_gl_reset,
    .set_cursor_shape = vg_gl_set_cursor_shape,
    .set_cursor_pos = vg_gl_set_cursor_pos,
    .render = gl_render,
    .read_pixels = gl_read_pixels,
};
