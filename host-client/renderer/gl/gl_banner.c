/* The banner: a warning along the top of the window, over the frame, light text on a dark
 * strip. Text wider than the window wraps at spaces onto a few lines; what still does not fit
 * ends in "...". */
#include "gl_priv.h"

#include <string.h>

#include "font.h"

#define BANNER_LINES 3

static const struct vg_gl_color strip_color = {40, 28, 4, 240};
static const struct vg_gl_color text_color = {255, 224, 120, 255};

struct line {
    const char *s;
    size_t len;
};

/* Splits s into at most BANNER_LINES lines of at most cols characters; true if text is left. */
static bool wrap(const char *s, size_t cols, struct line out[BANNER_LINES], int *n_out)
{
    int n = 0;
    while (n < BANNER_LINES) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        size_t len = strcspn(s, "\n");
        if (len > cols) {
            /* Break at the last space that fits; a longer word is cut. */
            size_t cut = cols;
            while (cut > 0 && s[cut] != ' ')
                cut--;
            len = cut > 0 ? cut : cols;
        }
        out[n++] = (struct line){s, len};
        s += len;
        if (*s == '\n')
            s++;
    }
    *n_out = n;
    s += strspn(s, " \n");
    return *s != '\0';
}

int vg_gl_banner_draw(struct vg_renderer *r, const struct vg_render_params *p)
{
    const int scale = p->win_w >= 1280 && p->win_h >= 720 ? 2 : 1;
    const int pad_x = 6 * scale, pad_y = 3 * scale;
    const int char_w = VG_FONT_CELL_W * scale;
    if (p->win_w - 2 * pad_x < char_w)
        return 0;
    const size_t cols = (size_t)((p->win_w - 2 * pad_x) / char_w);

    struct line lines[BANNER_LINES];
    int n = 0;
    bool more = wrap(p->banner, cols, lines, &n);
    if (n == 0)
        return 0;

    const int lh = vg_gl_text_line_height(scale);
    const int h = n * lh + 2 * pad_y - scale; /* the last line needs no spacing row */
    vg_gl_batch_rect(r, 0, 0, (float)p->win_w, (float)h, strip_color);
    for (int i = 0; i < n; i++) {
        struct line l = lines[i];
        bool ellipsis = more && i == n - 1 && cols > 3;
        if (ellipsis && l.len > cols - 3)
            l.len = cols - 3;
        int x = pad_x + vg_gl_batch_text(r, pad_x, pad_y + i * lh, scale, text_color, l.s, l.len);
        if (ellipsis)
            vg_gl_batch_text(r, x, pad_y + i * lh, scale, text_color, "...", 3);
    }
    return h;
}
