#include "rendertest.h"

#include <stdio.h>
#include <string.h>

const struct vg_render_params native_nearest = {
    .scale = VG_SCALE_NATIVE,
    .filter = VG_FILTER_NEAREST,
};

static uint16_t to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof(x));
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    int e = (int)((x >> 23) & 0xff) - 127 + 15;
    uint32_t m = x & 0x7fffff;
    if ((x & 0x7fffffff) == 0 || e <= 0)
        return sign;
    if (e >= 31)
        return sign | 0x7c00;
    return (uint16_t)(sign | (uint32_t)e << 10 | m >> 13);
}

static uint32_t unorm(float v, uint32_t max)
{
    if (v <= 0)
        return 0;
    if (v >= 1)
        return max;
    return (uint32_t)(v * (float)max + 0.5f);
}

void put_pixel(enum vg_pixfmt f, uint8_t *p, const float rgba[4])
{
    switch (f) {
    case VG_PIXFMT_BGRA8:
        p[0] = (uint8_t)unorm(rgba[2], 255);
        p[1] = (uint8_t)unorm(rgba[1], 255);
        p[2] = (uint8_t)unorm(rgba[0], 255);
        p[3] = (uint8_t)unorm(rgba[3], 255);
        break;
    case VG_PIXFMT_RGBA8:
        for (int i = 0; i < 4; i++)
            p[i] = (uint8_t)unorm(rgba[i], 255);
        break;
    case VG_PIXFMT_RGB10A2: {
        uint32_t v = unorm(rgba[0], 1023) | unorm(rgba[1], 1023) << 10 |
                     unorm(rgba[2], 1023) << 20 | unorm(rgba[3], 3) << 30;
        for (int i = 0; i < 4; i++)
            p[i] = (uint8_t)(v >> (8 * i));
        break;
    }
    case VG_PIXFMT_RGBA16F:
        for (int i = 0; i < 4; i++) {
            uint16_t h = to_half(rgba[i]);
            p[2 * i] = (uint8_t)h;
            p[2 * i + 1] = (uint8_t)(h >> 8);
        }
        break;
    case VG_PIXFMT_BGR8:
        p[0] = (uint8_t)unorm(rgba[2], 255);
        p[1] = (uint8_t)unorm(rgba[1], 255);
        p[2] = (uint8_t)unorm(rgba[0], 255);
        break;
    case VG_PIXFMT_RGB8:
        for (int i = 0; i < 3; i++)
            p[i] = (uint8_t)unorm(rgba[i], 255);
        break;
    default:
        break;
    }
}

struct vg_frame_info frame_info(enum vg_pixfmt f, uint32_t w, uint32_t h)
{
    static uint64_t serial;
    return (struct vg_frame_info){
        .serial = ++serial,
        .format = f,
        .width = w,
        .height = h,
        .data_height = h,
        .stride = w * vg_pixfmt_bpp(f),
        .rotation = VG_ROTATE_0,
        .screen_width = w,
        .screen_height = h,
    };
}

bool upload_info(struct vg_renderer *r, const struct vg_frame_info *info, paint_fn *paint,
                 const struct vg_rect *rects, uint32_t n, bool *full)
{
    const enum vg_pixfmt f = info->format;
    const uint32_t w = info->width, h = info->height, rows = info->data_height;
    void *dst = NULL;
    size_t stride = 0;
    bool full_needed = false;
    int ret = vg_renderer_gl.begin_upload(r, info, &dst, &stride, &full_needed);
    CHECK_MSG(ret == 0, "begin_upload %s %ux%u: %d", vg_pixfmt_name(f), w, h, ret);
    if (ret != 0)
        return false;
    uint32_t bpp = vg_pixfmt_bpp(f);
    CHECK_MSG(stride >= (size_t)w * bpp && stride % 4 == 0, "stride %zu for %u pixels of %u",
              stride, w, bpp);
    if (bpp == 3)
        CHECK_MSG(stride == ((size_t)w * 3 + 3) / 4 * 4, "stride %zu for %u 3-byte pixels", stride,
                  w);
    if (full)
        *full = full_needed;

    uint8_t *base = dst;
    if (n > 0 && !full_needed)
        memset(base, 0xa5, stride * rows);
    struct vg_rect all = {0, 0, w, rows};
    const struct vg_rect *list = n > 0 && !full_needed ? rects : &all;
    uint32_t count = n > 0 && !full_needed ? n : 1;
    for (uint32_t i = 0; i < count; i++) {
        for (uint32_t y = list[i].y; y < list[i].y + list[i].h && y < rows; y++) {
            for (uint32_t x = list[i].x; x < list[i].x + list[i].w && x < w; x++) {
                float rgba[4];
                paint(f, x, y, w, h, rgba);
                put_pixel(f, base + (size_t)y * stride + (size_t)x * bpp, rgba);
            }
        }
    }
    ret = vg_renderer_gl.end_upload(r, full_needed ? NULL : rects, full_needed ? 0 : n);
    CHECK_MSG(ret == 0, "end_upload: %d", ret);
    return ret == 0;
}

bool upload(struct vg_renderer *r, enum vg_pixfmt f, uint32_t w, uint32_t h, paint_fn *paint,
            const struct vg_rect *rects, uint32_t n, bool *full)
{
    struct vg_frame_info info = frame_info(f, w, h);
    return upload_info(r, &info, paint, rects, n, full);
}

bool env_open(struct env *e, int w, int h, bool allow_pbo)
{
    e->r = NULL;
    if (!glenv_open(&e->gl, w, h)) {
        CHECK_MSG(false, "no %dx%d GL 3.3 core window", w, h);
        return false;
    }
    struct vg_renderer_options opts = {.allow_pbo = allow_pbo};
    e->r = vg_renderer_gl.create(&opts);
    CHECK_MSG(e->r != NULL, "renderer create failed");
    if (!e->r) {
        glenv_close(&e->gl);
        return false;
    }
    return true;
}

void env_close(struct env *e)
{
    vg_renderer_gl.destroy(e->r);
    e->r = NULL;
    glenv_close(&e->gl);
}

struct shot render(struct vg_renderer *r, const struct glenv *e,
                   const struct vg_render_params *p_in)
{
    struct vg_render_params p = *p_in;
    p.win_w = e->w;
    p.win_h = e->h;
    vg_renderer_gl.render(r, &p);
    struct shot s = {e->w, e->h, calloc((size_t)e->w * e->h, 4)};
    if (s.px) {
        int ret = vg_renderer_gl.read_pixels(r, e->w, e->h, s.px);
        CHECK_MSG(ret == 0, "read_pixels: %d", ret);
    }
    return s;
}

struct rgb at(const struct shot *s, int x, int y)
{
    if (!s->px || x < 0 || y < 0 || x >= s->w || y >= s->h)
        return (struct rgb){-1, -1, -1};
    const uint8_t *p = s->px + ((size_t)y * s->w + x) * 4;
    return (struct rgb){p[0], p[1], p[2]};
}

int alpha_at(const struct shot *s, int x, int y)
{
    if (!s->px || x < 0 || y < 0 || x >= s->w || y >= s->h)
        return -1;
    return s->px[((size_t)y * s->w + x) * 4 + 3];
}

bool near(struct rgb a, struct rgb b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

int count_pixels(const struct shot *s, int x0, int y0, int x1, int y1, struct rgb c, bool equal)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            n += near(at(s, x, y), c, 0) == equal;
    return n;
}

void write_ppm(const struct shot *s, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return;
    }
    fprintf(f, "P6\n%d %d\n255\n", s->w, s->h);
    for (int i = 0; i < s->w * s->h; i++)
        fwrite(s->px + (size_t)i * 4, 1, 3, f);
    fclose(f);
}
