/* The frame texture and how pixels reach it: a ring of persistent, coherent-mapped pixel
 * buffers when the context has buffer storage (the caller copies straight into memory the
 * driver reads from), else a staging buffer in client memory. Only damaged rects are sent. */
#include "gl_priv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "vg/log.h"

/* How long begin_upload waits for the driver to finish reading a PBO before giving up. */
#define PBO_WAIT_NS UINT64_C(1000000000)

struct fmt_desc {
    GLenum internal, format, type;
};

static const struct fmt_desc formats[VG_PIXFMT_COUNT] = {
    [VG_PIXFMT_BGRA8] = {GL_RGBA8, GL_BGRA, GL_UNSIGNED_BYTE},
    [VG_PIXFMT_RGBA8] = {GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE},
    /* _REV: the first component (R) sits in the least significant bits. */
    [VG_PIXFMT_RGB10A2] = {GL_RGB10_A2, GL_RGBA, GL_UNSIGNED_INT_2_10_10_10_REV},
    [VG_PIXFMT_RGBA16F] = {GL_RGBA16F, GL_RGBA, GL_HALF_FLOAT},
    /* Packed 3-byte pixels; the texture is RGBA8 all the same (alpha reads as 1). */
    [VG_PIXFMT_BGR8] = {GL_RGBA8, GL_BGR, GL_UNSIGNED_BYTE},
    [VG_PIXFMT_RGB8] = {GL_RGBA8, GL_RGB, GL_UNSIGNED_BYTE},
};

static void pbos_free(struct vg_renderer *r)
{
    for (unsigned i = 0; i < VG_GL_PBO_RING; i++) {
        struct vg_gl_pbo *b = &r->pbo[i];
        if (b->fence)
            glDeleteSync(b->fence);
        if (b->buf) {
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, b->buf);
            glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
            glDeleteBuffers(1, &b->buf);
        }
        *b = (struct vg_gl_pbo){0};
    }
    r->pbo_size = 0;
    r->pbo_next = 0;
}

static bool pbos_alloc(struct vg_renderer *r, size_t size)
{
    const GLbitfield flags = GL_MAP_WRITE_BIT | GL_MAP_PERSISTENT_BIT | GL_MAP_COHERENT_BIT;

    if ((uint64_t)size > (uint64_t)PTRDIFF_MAX)
        return false;
    while (glGetError() != GL_NO_ERROR)
        ;
    for (unsigned i = 0; i < VG_GL_PBO_RING; i++) {
        struct vg_gl_pbo *b = &r->pbo[i];
        glGenBuffers(1, &b->buf);
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, b->buf);
        glBufferStorage(GL_PIXEL_UNPACK_BUFFER, (GLsizeiptr)size, NULL, flags);
        GLenum err = glGetError();
        if (err == GL_NO_ERROR)
            b->map = glMapBufferRange(GL_PIXEL_UNPACK_BUFFER, 0, (GLsizeiptr)size, flags);
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        if (!b->map) {
            vg_warn("gl: cannot map a %zu-byte pixel buffer (GL error 0x%x)", size,
                    err != GL_NO_ERROR ? err : glGetError());
            pbos_free(r);
            return false;
        }
    }
    r->pbo_size = size;
    r->pbo_next = 0;
    return true;
}

bool vg_gl_upload_init(struct vg_renderer *r)
{
    glGenTextures(1, &r->frame_tex);
    glBindTexture(GL_TEXTURE_2D, r->frame_tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
    glBindTexture(GL_TEXTURE_2D, 0);
    return r->frame_tex != 0;
}

void vg_gl_upload_finish(struct vg_renderer *r)
{
    pbos_free(r);
    free(r->staging);
    r->staging = NULL;
    r->staging_size = 0;
    if (r->frame_tex)
        glDeleteTextures(1, &r->frame_tex);
    r->frame_tex = 0;
}

/* (Re)creates the texture's storage for a new format or size; its contents are undefined. */
static int make_texture(struct vg_renderer *r, const struct vg_frame_info *info, size_t stride)
{
    const struct fmt_desc *f = &formats[info->format];

    while (glGetError() != GL_NO_ERROR)
        ;
    r->frame_tex_made = false;
    r->frame_valid = false;
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glBindTexture(GL_TEXTURE_2D, r->frame_tex);
    glTexImage2D(GL_TEXTURE_2D, 0, (GLint)f->internal, (GLsizei)info->width, (GLsizei)info->height,
                 0, f->format, f->type, NULL);
    glBindTexture(GL_TEXTURE_2D, 0);
    GLenum err = glGetError();
    if (err != GL_NO_ERROR) {
        vg_err("gl: cannot create a %ux%u %s texture (GL error 0x%x)", info->width, info->height,
               vg_pixfmt_name(info->format), err);
        return err == GL_OUT_OF_MEMORY ? -ENOMEM : -EIO;
    }
    r->frame_tex_made = true;
    r->format = info->format;
    r->width = info->width;
    r->height = info->height;
    r->stride = stride;
    r->rows = 0;
    vg_debug("gl: frame texture %ux%u %s", info->width, info->height, vg_pixfmt_name(info->format));
    return 0;
}

int vg_gl_begin_upload(struct vg_renderer *r, const struct vg_frame_info *info, void **dst,
                       size_t *dst_stride, bool *full_needed)
{
    size_t row, size;
    int ret;

    if (r->upload_open)
        vg_gl_abort_upload(r);

    if ((unsigned)info->format >= VG_PIXFMT_COUNT || info->width == 0 || info->height == 0 ||
        info->width > (uint32_t)r->max_tex_size || info->height > (uint32_t)r->max_tex_size) {
        vg_err("gl: cannot show a %ux%u frame of format %d (limit %d pixels a side)", info->width,
               info->height, (int)info->format, r->max_tex_size);
        return -EINVAL;
    }
    if (info->data_height > info->height || (unsigned)info->rotation > VG_ROTATE_270) {
        vg_err("gl: cannot show a %ux%u frame with %u rows of data rotated by %d", info->width,
               info->height, info->data_height, (int)info->rotation);
        return -EINVAL;
    }
    uint32_t bpp = vg_pixfmt_bpp(info->format);
    /* Rows padded to 4 bytes: what GL_UNPACK_ALIGNMENT 4 and a row length of `width` pixels
     * describe for every format, 3-byte pixels included (end_upload). */
    if (__builtin_mul_overflow((size_t)info->width, (size_t)bpp, &row) || row > SIZE_MAX - 3)
        return -EOVERFLOW;
    row = (row + 3) & ~(size_t)3;
    if (__builtin_mul_overflow(row, (size_t)info->height, &size))
        return -EOVERFLOW;

    if (!r->frame_tex_made || r->format != info->format || r->width != info->width ||
        r->height != info->height) {
        ret = make_texture(r, info, row);
        if (ret < 0)
            return ret;
    }

    if (r->use_pbo && r->pbo_size != size) {
        pbos_free(r);
        if (!pbos_alloc(r, size)) {
            vg_warn("gl: pixel buffers unavailable, uploading from client memory instead");
            r->use_pbo = false;
        }
    }

    if (r->use_pbo) {
        unsigned slot = r->pbo_next;
        struct vg_gl_pbo *b = &r->pbo[slot];
        if (b->fence) {
            GLenum w = glClientWaitSync(b->fence, GL_SYNC_FLUSH_COMMANDS_BIT, PBO_WAIT_NS);
            if (w == GL_TIMEOUT_EXPIRED || w == GL_WAIT_FAILED) {
                vg_warn("gl: pixel buffer still in use after %llu ms",
                        (unsigned long long)(PBO_WAIT_NS / 1000000));
                return w == GL_WAIT_FAILED ? -EIO : -EAGAIN;
            }
            glDeleteSync(b->fence);
            b->fence = 0;
        }
        r->pbo_cur = slot;
        r->pbo_next = (slot + 1) % VG_GL_PBO_RING;
        *dst = b->map;
    } else {
        if (r->staging_size < size) {
            void *p = realloc(r->staging, size);
            if (!p) {
                vg_err("gl: out of memory for a %zu-byte staging buffer", size);
                return -ENOMEM;
            }
            r->staging = p;
            r->staging_size = size;
        }
        *dst = r->staging;
    }

    /* Cursor positions from now on are in this frame's screen space (0: the frame's size). */
    r->screen_w = info->screen_width ? info->screen_width : info->width;
    r->screen_h = info->screen_height ? info->screen_height : info->height;

    /* Rows below the last frame's data were never written: damage cannot cover them. */
    bool full = !r->frame_valid || info->data_height > r->rows;
    *dst_stride = row;
    *full_needed = full;
    r->upload_full = full;
    r->upload_rows = info->data_height;
    r->upload_rotation = info->rotation;
    r->upload_open = true;
    return 0;
}

int vg_gl_end_upload(struct vg_renderer *r, const struct vg_rect *rects, uint32_t n)
{
    if (!r->upload_open)
        return -EINVAL;
    r->upload_open = false;

    const struct fmt_desc *f = &formats[r->format];
    size_t bpp = vg_pixfmt_bpp(r->format);
    const uint8_t *base = NULL;

    glBindTexture(GL_TEXTURE_2D, r->frame_tex);
    /* GL pads a row of ROW_LENGTH pixels up to the alignment: 4 and `width` give exactly
     * r->stride (width * bpp rounded up to 4), also for 3-byte pixels whose stride is not a
     * whole number of pixels. */
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)r->width);
    if (r->use_pbo)
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, r->pbo[r->pbo_cur].buf);
    else
        base = r->staging;

    const uint32_t rows = r->upload_rows;
    if (n == 0 || r->upload_full) {
        if (rows > 0)
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, (GLsizei)r->width, (GLsizei)rows, f->format,
                            f->type, base);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            /* Rects come from the guest: clip them to the rows that hold data. */
            uint32_t x = rects[i].x, y = rects[i].y, w = rects[i].w, h = rects[i].h;
            if (x >= r->width || y >= rows || w == 0 || h == 0)
                continue;
            if (w > r->width - x)
                w = r->width - x;
            if (h > rows - y)
                h = rows - y;
            size_t offset = (size_t)y * r->stride + (size_t)x * bpp;
            /* With a PBO bound the pointer is an offset into it. */
            const void *src =
                base ? (const void *)(base + offset) : (const void *)(uintptr_t)offset;
            glTexSubImage2D(GL_TEXTURE_2D, 0, (GLint)x, (GLint)y, (GLsizei)w, (GLsizei)h, f->format,
                            f->type, src);
        }
    }

    if (r->use_pbo) {
        r->pbo[r->pbo_cur].fence = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    }
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glBindTexture(GL_TEXTURE_2D, 0);
    r->frame_valid = true;
    r->rows = rows;
    r->rotation = r->upload_rotation;
    return 0;
}

void vg_gl_abort_upload(struct vg_renderer *r)
{
    /* Nothing reached GL yet: the texture keeps the previous frame. */
    r->upload_open = false;
}

void vg_gl_reset(struct vg_renderer *r)
{
    r->upload_open = false;
    r->frame_valid = false;
}
