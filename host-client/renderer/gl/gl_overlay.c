/* The statistics overlay: a translucent panel in the top-left corner with the frame rates,
 * the latest ingest time and latency, and a graph of their recent history. */
#include "gl_priv.h"

#include <stdio.h>
#include <string.h>

#define EXTRA_MAX 96 /* characters of the optional extra line shown */

static const struct vg_gl_color panel_color = {0, 0, 0, 176};
static const struct vg_gl_color text_color = {235, 235, 235, 255};
static const struct vg_gl_color grid_color = {150, 150, 150, 140};
static const struct vg_gl_color ingest_color = {90, 230, 90, 255};
static const struct vg_gl_color latency_color = {255, 165, 40, 255};

/* A sample the graph can show: finite and not negative (negative latency = unknown). */
static bool sample_ok(float v)
{
    return v >= 0.0f && v < 1e6f;
}

/* The smallest 1, 2 or 5 times a power of ten that is >= v (at least 1 ms). */
static double nice_ceil(double v)
{
    double p = 1.0;
    if (!(v > 1.0))
        return 1.0;
    while (p * 10.0 < v)
        p *= 10.0;
    if (p >= v)
        return p;
    if (2.0 * p >= v)
        return 2.0 * p;
    if (5.0 * p >= v)
        return 5.0 * p;
    return 10.0 * p;
}

static void graph(struct vg_renderer *r, const struct vg_overlay_stats *st, uint32_t n, float gx,
                  float gy, float gw, float gh, double max_ms, float line_w)
{
    /* Frame, midline and baseline. */
    vg_gl_batch_rect(r, gx, gy, gw, gh, (struct vg_gl_color){0, 0, 0, 96});
    vg_gl_batch_rect(r, gx, gy, gw, 1, grid_color);
    vg_gl_batch_rect(r, gx, gy + gh / 2, gw, 1, grid_color);
    vg_gl_batch_rect(r, gx, gy + gh - 1, gw, 1, grid_color);

    /* The newest sample sits at the right edge. */
    const float step = gw / (float)(VG_OVERLAY_SAMPLES - 1);
    const float x_first = gx + (float)(VG_OVERLAY_SAMPLES - n) * step;
    for (int series = 0; series < 2; series++) {
        const float *s = series == 0 ? st->ingest_ms : st->latency_ms;
        struct vg_gl_color c = series == 0 ? ingest_color : latency_color;
        for (uint32_t i = 1; i < n; i++) {
            if (!sample_ok(s[i - 1]) || !sample_ok(s[i]))
                continue;
            float a = (float)(s[i - 1] / max_ms), b = (float)(s[i] / max_ms);
            a = a > 1.0f ? 1.0f : a;
            b = b > 1.0f ? 1.0f : b;
            float x0 = x_first + (float)(i - 1) * step, x1 = x0 + step;
            vg_gl_batch_segment(r, x0, gy + gh - 1 - a * (gh - 1), x1, gy + gh - 1 - b * (gh - 1),
                                line_w, c);
        }
    }
}

void vg_gl_overlay_draw(struct vg_renderer *r, const struct vg_render_params *p, int top)
{
    const struct vg_overlay_stats *st = p->overlay;
    /* Readable without covering much: 2x glyphs on large windows. */
    const int scale = p->win_w >= 1280 && p->win_h >= 720 ? 2 : 1;
    const int lh = vg_gl_text_line_height(scale);
    const int margin = 8, pad = 6 * scale;
    uint32_t n = st->n < VG_OVERLAY_SAMPLES ? st->n : VG_OVERLAY_SAMPLES;

    char line[4][160];
    size_t len[4];
    int n_lines = 0;

    snprintf(line[n_lines++], sizeof(line[0]), "recv %.1f fps  shown %.1f fps", st->fps_received,
             st->fps_presented);
    if (n == 0) {
        snprintf(line[n_lines++], sizeof(line[0]), "ingest n/a  latency n/a");
    } else {
        float ing = st->ingest_ms[n - 1], lat = st->latency_ms[n - 1];
        char ing_s[32], lat_s[32];
        if (sample_ok(ing))
            snprintf(ing_s, sizeof(ing_s), "%.2f ms", ing);
        else
            snprintf(ing_s, sizeof(ing_s), "n/a");
        if (sample_ok(lat))
            snprintf(lat_s, sizeof(lat_s), "%.2f ms", lat);
        else
            snprintf(lat_s, sizeof(lat_s), "n/a");
        snprintf(line[n_lines++], sizeof(line[0]), "ingest %s  latency %s", ing_s, lat_s);
    }
    const char *extras[2] = {st->extra, st->extra2};
    for (int i = 0; i < 2; i++) {
        if (!extras[i] || !extras[i][0])
            continue;
        size_t el = strcspn(extras[i], "\n");
        snprintf(line[n_lines++], sizeof(line[0]), "%.*s", (int)(el < EXTRA_MAX ? el : EXTRA_MAX),
                 extras[i]);
    }

    double max_ms = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        if (sample_ok(st->ingest_ms[i]) && st->ingest_ms[i] > max_ms)
            max_ms = st->ingest_ms[i];
        if (sample_ok(st->latency_ms[i]) && st->latency_ms[i] > max_ms)
            max_ms = st->latency_ms[i];
    }
    max_ms = nice_ceil(max_ms);
    char scale_s[48];
    snprintf(scale_s, sizeof(scale_s), "  0..%g ms", max_ms);

    const int char_w = 6 * scale;
    int text_w = 0;
    for (int i = 0; i < n_lines; i++) {
        len[i] = strlen(line[i]);
        if ((int)len[i] * char_w > text_w)
            text_w = (int)len[i] * char_w;
    }
    const int legend_w = (int)(strlen("ingest latency") + strlen(scale_s)) * char_w;
    const int gw = VG_OVERLAY_SAMPLES * scale;
    const int gh = 60 * scale;
    int inner_w = text_w;
    if (legend_w > inner_w)
        inner_w = legend_w;
    if (gw > inner_w)
        inner_w = gw;

    const int px = margin, py = top + margin;
    const int pw = inner_w + 2 * pad;
    const int ph = n_lines * lh + lh + gh + 2 * pad + pad / 2;
    vg_gl_batch_rect(r, (float)px, (float)py, (float)pw, (float)ph, panel_color);

    int y = py + pad;
    for (int i = 0; i < n_lines; i++, y += lh)
        vg_gl_batch_text(r, px + pad, y, scale, text_color, line[i], len[i]);

    /* Legend in the series' colours, then the graph's range. */
    int x = px + pad;
    x += vg_gl_batch_text(r, x, y, scale, ingest_color, "ingest", 6);
    x += char_w;
    x += vg_gl_batch_text(r, x, y, scale, latency_color, "latency", 7);
    vg_gl_batch_text(r, x, y, scale, text_color, scale_s, strlen(scale_s));
    y += lh + pad / 2;

    graph(r, st, n, (float)(px + pad), (float)y, (float)inner_w, (float)gh, max_ms,
          scale > 1 ? 3.0f : 2.0f);
}
