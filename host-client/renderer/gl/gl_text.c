/* Text and flat shapes. Everything drawn on top of the frame (message box, overlay panel,
 * graph, glyphs) goes into one vertex batch drawn in one call with the mask program: glyphs
 * sample their atlas cell, shapes sample the atlas's solid cell. */
#include "gl_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "vg/log.h"

/* A line of text is a cell plus one more row of spacing. */
#define LINE_H (VG_FONT_CELL_H + 1)

bool vg_gl_text_init(struct vg_renderer *r)
{
    uint8_t atlas[VG_FONT_ATLAS_W * VG_FONT_ATLAS_H];
    if (!vg_font_rasterize(atlas))
        return false;

    glGenTextures(1, &r->font_tex);
    glBindTexture(GL_TEXTURE_2D, r->font_tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    /* Integer scales and nearest sampling keep glyph pixels sharp and square. */
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, VG_FONT_ATLAS_W, VG_FONT_ATLAS_H, 0, GL_RED,
                 GL_UNSIGNED_BYTE, atlas);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindTexture(GL_TEXTURE_2D, 0);
    return r->font_tex != 0;
}

void vg_gl_text_finish(struct vg_renderer *r)
{
    if (r->font_tex)
        glDeleteTextures(1, &r->font_tex);
    r->font_tex = 0;
    free(r->batch);
    r->batch = NULL;
    r->batch_len = r->batch_cap = 0;
}

void vg_gl_batch_begin(struct vg_renderer *r)
{
    r->batch_len = 0;
    r->batch_oom = false;
}

/* Room for n more vertices; NULL when out of memory (the rest of the batch is dropped). */
static struct vg_gl_vertex *batch_reserve(struct vg_renderer *r, size_t n)
{
    if (r->batch_oom)
        return NULL;
    if (r->batch_cap - r->batch_len < n) {
        size_t cap = r->batch_cap ? r->batch_cap : 1024;
        while (cap - r->batch_len < n)
            cap *= 2;
        struct vg_gl_vertex *p = realloc(r->batch, cap * sizeof(*p));
        if (!p) {
            r->batch_oom = true;
            return NULL;
        }
        r->batch = p;
        r->batch_cap = cap;
    }
    struct vg_gl_vertex *v = r->batch + r->batch_len;
    r->batch_len += n;
    return v;
}

static void solid_uv(float *u, float *v)
{
    *u = ((VG_FONT_SOLID_CELL % VG_FONT_ATLAS_COLS) * VG_FONT_CELL_W + VG_FONT_CELL_W / 2.0f) /
         VG_FONT_ATLAS_W;
    *v = ((VG_FONT_SOLID_CELL / VG_FONT_ATLAS_COLS) * VG_FONT_CELL_H + VG_FONT_CELL_H / 2.0f) /
         VG_FONT_ATLAS_H;
}

void vg_gl_batch_rect(struct vg_renderer *r, float x, float y, float w, float h,
                      struct vg_gl_color c)
{
    struct vg_gl_vertex *v = batch_reserve(r, 6);
    if (!v)
        return;
    float u, t;
    solid_uv(&u, &t);
    vg_gl_quad(v, x, y, x + w, y + h, u, t, u, t, c);
}

void vg_gl_batch_segment(struct vg_renderer *r, float x0, float y0, float x1, float y1, float width,
                         struct vg_gl_color c)
{
    float dx = x1 - x0, dy = y1 - y0;
    float len2 = dx * dx + dy * dy;
    if (len2 < 1e-6f) {
        vg_gl_batch_rect(r, x0 - width / 2, y0 - width / 2, width, width, c);
        return;
    }
    struct vg_gl_vertex *v = batch_reserve(r, 6);
    if (!v)
        return;
    float len = sqrtf(len2);
    float nx = -dy / len * width / 2, ny = dx / len * width / 2;
    float u, t;
    solid_uv(&u, &t);
    const float px[4] = {x0 + nx, x0 - nx, x1 + nx, x1 - nx};
    const float py[4] = {y0 + ny, y0 - ny, y1 + ny, y1 - ny};
    static const int order[6] = {0, 1, 2, 2, 1, 3};
    for (int i = 0; i < 6; i++)
        v[i] = (struct vg_gl_vertex){px[order[i]], py[order[i]], u, t, c.r, c.g, c.b, c.a};
}

int vg_gl_batch_text(struct vg_renderer *r, int x, int y, int scale, struct vg_gl_color c,
                     const char *s, size_t len)
{
    const float cw = (float)VG_FONT_CELL_W / VG_FONT_ATLAS_W;
    const float ch = (float)VG_FONT_CELL_H / VG_FONT_ATLAS_H;
    const int adv = VG_FONT_CELL_W * scale;

    for (size_t i = 0; i < len; i++) {
        unsigned char k = (unsigned char)s[i];
        if (k == ' ' || k == '\t')
            continue;
        struct vg_gl_vertex *v = batch_reserve(r, 6);
        if (!v)
            break;
        unsigned cell = vg_font_cell(k);
        float u0 = (float)(cell % VG_FONT_ATLAS_COLS) * cw;
        float v0 = (float)(cell / VG_FONT_ATLAS_COLS) * ch;
        float gx = (float)x + (float)i * (float)adv;
        vg_gl_quad(v, gx, (float)y, gx + (float)adv, (float)(y + VG_FONT_CELL_H * scale), u0, v0,
                   u0 + cw, v0 + ch, c);
    }
    return (int)len * adv;
}

void vg_gl_batch_flush(struct vg_renderer *r, const struct vg_render_params *p)
{
    if (r->batch_oom)
        vg_warn("gl: out of memory for overlay vertices; some text is missing");
    if (r->batch_len == 0)
        return;
    glUseProgram(r->prog_mask);
    glUniform2f(r->mask_u_size, (float)p->win_w, (float)p->win_h);
    glBindTexture(GL_TEXTURE_2D, r->font_tex);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE);
    vg_gl_draw_vertices(r, r->batch, r->batch_len);
    glDisable(GL_BLEND);
    r->batch_len = 0;
}

int vg_gl_text_line_height(int scale)
{
    return LINE_H * scale;
}

void vg_gl_text_measure(const char *s, int scale, int *w, int *h)
{
    size_t widest = 0, cur = 0, lines = 1;
    for (; *s; s++) {
        if (*s == '\n') {
            lines++;
            cur = 0;
        } else if (++cur > widest) {
            widest = cur;
        }
    }
    *w = (int)widest * VG_FONT_CELL_W * scale;
    *h = (int)lines * LINE_H * scale;
}

void vg_gl_message_draw(struct vg_renderer *r, const struct vg_render_params *p)
{
    const char *msg = p->message;
    int tw = 0, th = 0, scale = 3;

    /* As large as fits: 3x reads well from a couch, 1x still fits a tiny window. */
    for (; scale > 1; scale--) {
        vg_gl_text_measure(msg, scale, &tw, &th);
        if (tw + 16 * scale <= p->win_w && th + 12 * scale <= p->win_h)
            break;
    }
    vg_gl_text_measure(msg, scale, &tw, &th);

    int pad_x = 8 * scale, pad_y = 6 * scale;
    int bw = tw + 2 * pad_x, bh = th + 2 * pad_y - scale; /* last line needs no spacing row */
    int bx = (p->win_w - bw) / 2, by = (p->win_h - bh) / 2;
    vg_gl_batch_rect(r, (float)bx, (float)by, (float)bw, (float)bh,
                     (struct vg_gl_color){16, 16, 24, 224});

    int y = by + pad_y;
    const struct vg_gl_color white = {255, 255, 255, 255};
    while (*msg) {
        size_t len = strcspn(msg, "\n");
        int lw = (int)len * VG_FONT_CELL_W * scale;
        vg_gl_batch_text(r, (p->win_w - lw) / 2, y, scale, white, msg, len);
        y += vg_gl_text_line_height(scale);
        msg += len;
        if (*msg == '\n')
            msg++;
    }
}
