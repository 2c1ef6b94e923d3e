/* The GL renderer's frame geometry in a real window (Xvfb + Mesa): truncated frames (rows
 * past data_height are black, never stale) and display rotation under every scale mode. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rendertest.h"
#include "vg/log.h"

#define FW 64
#define FH 32
#define MARK 8 /* corner markers, frame pixels a side */

static const struct rgb black = {0, 0, 0};
static const struct rgb blue = {0, 0, 255};
static const struct rgb yellow = {255, 255, 0};
static const struct rgb grey = {128, 128, 128};

static float solid[4];

static void paint_solid(enum vg_pixfmt f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                        float rgba[4])
{
    memcpy(rgba, solid, sizeof(solid));
}

/* ---- truncated frames ---- */

static struct vg_frame_info truncated(uint32_t rows)
{
    struct vg_frame_info info = frame_info(VG_PIXFMT_BGRA8, FW, FH);
    info.data_height = rows;
    info.flags = rows < FH ? VG_FRAME_TRUNCATED : 0;
    return info;
}

/* Rows [0, rows) of the shot's frame (at 0, 0, `scale` window pixels a frame pixel) are
 * `want`, the rest of the frame's rectangle black. */
static void check_rows(const struct shot *s, int scale, uint32_t rows, struct rgb want,
                       const char *what)
{
    int wrong = 0;
    for (int y = 0; y < FH * scale; y++) {
        for (int x = 0; x < FW * scale; x += 7) {
            struct rgb exp = (uint32_t)y < rows * (uint32_t)scale ? want : black;
            if (!near(at(s, x, y), exp, 0) && wrong++ < 4) {
                struct rgb g = at(s, x, y);
                fprintf(stderr, "%s: %d,%d is %d,%d,%d, want %d,%d,%d\n", what, x, y, g.r, g.g, g.b,
                        exp.r, exp.g, exp.b);
            }
        }
    }
    CHECK_MSG(wrong == 0, "%s: %d pixels wrong", what, wrong);
}

static void truncated_case(bool allow_pbo)
{
    struct env e;
    if (!env_open(&e, FW, FH, allow_pbo))
        return;

    /* A whole yellow frame, then a blue one with only 20 rows: the yellow must not remain. */
    memcpy(solid, (float[4]){1, 1, 0, 1}, sizeof(solid));
    struct vg_frame_info info = truncated(FH);
    upload_info(e.r, &info, paint_solid, NULL, 0, NULL);
    memcpy(solid, (float[4]){0, 0, 1, 1}, sizeof(solid));
    info = truncated(20);
    upload_info(e.r, &info, paint_solid, NULL, 0, NULL);
    struct shot s = render(e.r, &e.gl, &native_nearest);
    check_rows(&s, 1, 20, blue, allow_pbo ? "20 of 32 rows, pbo" : "20 of 32 rows, client");
    free(s.px);

    /* Damage inside the rows that exist: a partial upload is enough. */
    bool full = true;
    const struct vg_rect rect = {4, 4, 8, 8};
    memcpy(solid, (float[4]){1, 1, 0, 1}, sizeof(solid));
    info = truncated(20);
    upload_info(e.r, &info, paint_solid, &rect, 1, &full);
    CHECK_MSG(!full, "the same truncation asked for a full copy");
    s = render(e.r, &e.gl, &native_nearest);
    CHECK_PIXEL(&s, 6, 6, yellow, 0, "damaged rect of a truncated frame");
    CHECK_PIXEL(&s, 20, 6, blue, 0, "undamaged row of a truncated frame");
    CHECK_PIXEL(&s, 6, 25, black, 0, "below the data of a truncated frame");
    free(s.px);

    /* More rows than the last frame had: rows 20.. were never sent, so damage cannot cover
     * them and the renderer must ask for everything. */
    memcpy(solid, (float[4]){0, 1, 0, 1}, sizeof(solid));
    info = truncated(FH);
    upload_info(e.r, &info, paint_solid, &rect, 1, &full);
    CHECK_MSG(full, "a frame taller than the last one's data must be copied whole");
    s = render(e.r, &e.gl, &native_nearest);
    check_rows(&s, 1, FH, (struct rgb){0, 255, 0}, "whole frame after a truncated one");
    free(s.px);

    /* A fresh texture (new size) that starts truncated: black below, not undefined. */
    memcpy(solid, (float[4]){0, 0, 1, 1}, sizeof(solid));
    info = frame_info(VG_PIXFMT_BGRA8, FW, FH - 1);
    info.data_height = 5;
    upload_info(e.r, &info, paint_solid, NULL, 0, NULL);
    s = render(e.r, &e.gl, &native_nearest);
    CHECK_PIXEL(&s, 10, 4, blue, 0, "last row of a new truncated texture");
    CHECK_PIXEL(&s, 10, 5, black, 0, "first row past a new truncated texture's data");
    CHECK_PIXEL(&s, 10, FH - 2, black, 0, "last row of a new truncated texture");
    free(s.px);

    /* More rows of data than the frame has: refused. */
    void *dst;
    size_t stride;
    info = frame_info(VG_PIXFMT_BGRA8, FW, FH);
    info.data_height = FH + 1;
    CHECK(vg_renderer_gl.begin_upload(e.r, &info, &dst, &stride, &full) < 0);
    env_close(&e);
}

static void truncated_frame_black_below_data_pbo(void)
{
    truncated_case(true);
}

static void truncated_frame_black_below_data_client(void)
{
    truncated_case(false);
}

/* Scaled up with linear filtering, the last row of data must not blend in the stale row
 * under it (yellow from the taller frame before). */
static void truncated_edge_does_not_bleed_when_filtered(void)
{
    struct env e;
    if (!env_open(&e, FW * 2, FH * 2, true))
        return;
    memcpy(solid, (float[4]){1, 1, 0, 1}, sizeof(solid));
    struct vg_frame_info info = truncated(FH);
    upload_info(e.r, &info, paint_solid, NULL, 0, NULL);
    memcpy(solid, (float[4]){0, 0, 1, 1}, sizeof(solid));
    info = truncated(20);
    upload_info(e.r, &info, paint_solid, NULL, 0, NULL);
    struct vg_render_params p = {.scale = VG_SCALE_FIT, .filter = VG_FILTER_LINEAR};
    struct shot s = render(e.r, &e.gl, &p);
    check_rows(&s, 2, 20, blue, "20 of 32 rows at 2x, linear");
    free(s.px);
    env_close(&e);
}

/* ---- rotation ---- */

enum { MARK_TL, MARK_TR, MARK_BL, MARK_BR, N_MARKS };
static const struct rgb mark_screen[N_MARKS] = {
    {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
static const char *const mark_name[N_MARKS] = {"red (top-left)", "green (top-right)",
                                               "blue (bottom-left)", "white (bottom-right)"};
/* A marker in each corner of the frame, grey elsewhere. */
static void paint_corners(enum vg_pixfmt f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                          float rgba[4])
{
    bool left = x < MARK, right = x >= w - MARK, top = y < MARK, bottom = y >= h - MARK;
    int m = -1;
    if (top && left)
        m = MARK_TL;
    else if (top && right)
        m = MARK_TR;
    else if (bottom && left)
        m = MARK_BL;
    else if (bottom && right)
        m = MARK_BR;
    struct rgb c = m < 0 ? grey : mark_screen[m];
    rgba[0] = (float)c.r / 255.0f;
    rgba[1] = (float)c.g / 255.0f;
    rgba[2] = (float)c.b / 255.0f;
    rgba[3] = 1;
}

/* Which frame marker lands in each window corner (TL, TR, BL, BR) for each clockwise
 * rotation. 90: the frame's top edge is on the right, so its top-left is top-right. */
static const int corner_of[4][N_MARKS] = {
    [VG_ROTATE_0] = {MARK_TL, MARK_TR, MARK_BL, MARK_BR},
    [VG_ROTATE_90] = {MARK_BL, MARK_TL, MARK_BR, MARK_TR},
    [VG_ROTATE_180] = {MARK_BR, MARK_BL, MARK_TR, MARK_TL},
    [VG_ROTATE_270] = {MARK_TR, MARK_BR, MARK_TL, MARK_BL},
};

static void rotation_case(enum vg_rotation rot, int win_w, int win_h)
{
    static const enum vg_scale_mode modes[] = {VG_SCALE_FIT, VG_SCALE_INTEGER, VG_SCALE_STRETCH,
                                               VG_SCALE_NATIVE};
    static const char *const mode_name[] = {"fit", "integer", "stretch", "native"};
    struct env e;
    if (!env_open(&e, win_w, win_h, true))
        return;
    struct vg_frame_info info = frame_info(VG_PIXFMT_BGRA8, FW, FH);
    info.rotation = rot;
    upload_info(e.r, &info, paint_corners, NULL, 0, NULL);

    bool quarter = rot == VG_ROTATE_90 || rot == VG_ROTATE_270;
    for (size_t m = 0; m < 4; m++) {
        struct vg_render_params p = {.scale = modes[m], .filter = VG_FILTER_NEAREST};
        struct shot s = render(e.r, &e.gl, &p);
        int x, y, w, h;
        vg_scale_rect(modes[m], quarter ? FH : FW, quarter ? FW : FH, s.w, s.h, &x, &y, &w, &h);
        char what[96];
        const int cx[4] = {x + 1, x + w - 2, x + 1, x + w - 2};
        const int cy[4] = {y + 1, y + 1, y + h - 2, y + h - 2};
        static const char *const corner_name[4] = {"top-left", "top-right", "bottom-left",
                                                   "bottom-right"};
        for (int c = 0; c < 4; c++) {
            int mk = corner_of[rot][c];
            snprintf(what, sizeof(what), "rotated %d, %s: %s corner shows %s", (int)rot * 90,
                     mode_name[m], corner_name[c], mark_name[mk]);
            CHECK_PIXEL(&s, cx[c], cy[c], mark_screen[mk], 0, what);
        }
        snprintf(what, sizeof(what), "rotated %d, %s: centre", (int)rot * 90, mode_name[m]);
        CHECK_PIXEL(&s, x + w / 2, y + h / 2, grey, 0, what);
        /* The displayed aspect: black just outside the rectangle, where the unrotated frame
         * would have been drawn. */
        snprintf(what, sizeof(what), "rotated %d, %s: outside the rectangle", (int)rot * 90,
                 mode_name[m]);
        if (x > 0) {
            CHECK_PIXEL(&s, x - 1, y + h / 2, black, 0, what);
            CHECK_PIXEL(&s, x + w, y + h / 2, black, 0, what);
        }
        if (y > 0) {
            CHECK_PIXEL(&s, x + w / 2, y - 1, black, 0, what);
            CHECK_PIXEL(&s, x + w / 2, y + h, black, 0, what);
        }
        free(s.px);
    }
    env_close(&e);
}

static void rotation_0_keeps_corners(void)
{
    rotation_case(VG_ROTATE_0, 200, 150);
}

static void rotation_90_turns_clockwise_and_swaps_aspect(void)
{
    rotation_case(VG_ROTATE_90, 200, 150);
    rotation_case(VG_ROTATE_90, 100, 200);
}

static void rotation_180_turns_upside_down(void)
{
    rotation_case(VG_ROTATE_180, 200, 150);
}

static void rotation_270_turns_anticlockwise_and_swaps_aspect(void)
{
    rotation_case(VG_ROTATE_270, 200, 150);
    rotation_case(VG_ROTATE_270, 100, 200);
}

/* Rotated 90, the rows past a truncated frame's data (its bottom) are on the left. */
static void rotated_truncated_frame_black_on_the_left(void)
{
    struct env e;
    if (!env_open(&e, FH, FW, true))
        return;
    memcpy(solid, (float[4]){1, 1, 0, 1}, sizeof(solid));
    struct vg_frame_info info = truncated(FH);
    info.rotation = VG_ROTATE_90;
    upload_info(e.r, &info, paint_solid, NULL, 0, NULL);
    memcpy(solid, (float[4]){0, 0, 1, 1}, sizeof(solid));
    info = truncated(20);
    info.rotation = VG_ROTATE_90;
    upload_info(e.r, &info, paint_solid, NULL, 0, NULL);
    struct shot s = render(e.r, &e.gl, &native_nearest);
    /* Frame row y is window column FH - 1 - y. */
    CHECK_PIXEL(&s, FH - 1 - 19, 30, blue, 0, "last row of data, rotated");
    CHECK_PIXEL(&s, FH - 1 - 20, 30, black, 0, "first row past the data, rotated");
    CHECK_PIXEL(&s, 0, 30, black, 0, "last row of the frame, rotated");
    CHECK_PIXEL(&s, FH - 1, 30, blue, 0, "first row of the frame, rotated");
    free(s.px);
    env_close(&e);
}

int main(void)
{
    vg_log_init("test-render-gl-frame", VG_LOG_WARN);
    RUN(truncated_frame_black_below_data_pbo);
    RUN(truncated_frame_black_below_data_client);
    RUN(truncated_edge_does_not_bleed_when_filtered);
    RUN(rotation_0_keeps_corners);
    RUN(rotation_90_turns_clockwise_and_swaps_aspect);
    RUN(rotation_180_turns_upside_down);
    RUN(rotation_270_turns_anticlockwise_and_swaps_aspect);
    RUN(rotated_truncated_frame_black_on_the_left);
    return vg_test_finish();
}
