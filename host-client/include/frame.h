/* What a transport yields and a renderer consumes: frames and cursor updates, independent of
 * the guest application's protocol. Plain data. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum vg_pixfmt {
    VG_PIXFMT_BGRA8 = 0, /* bytes B, G, R, A */
    VG_PIXFMT_RGBA8,     /* bytes R, G, B, A */
    VG_PIXFMT_RGB10A2,   /* LE u32: R bits 0-9, G 10-19, B 20-29, A 30-31 */
    VG_PIXFMT_RGBA16F,   /* four binary16 R, G, B, A */
    VG_PIXFMT_COUNT,
};

#define VG_FRAME_MAX_DAMAGE 64u /* the most any backend carries (Looking Glass: 64) */
#define VG_CURSOR_MAX_DIM 256u

struct vg_rect {
    uint32_t x, y, w, h;
};

struct vg_frame_info {
    uint64_t serial;          /* increases per frame; gaps mean frames were skipped */
    enum vg_pixfmt format;
    uint32_t width, height;   /* pixels */
    uint32_t stride;          /* source bytes per row */
    uint32_t n_damage;        /* 0 = whole frame; rects relative to frame serial - 1 */
    struct vg_rect damage[VG_FRAME_MAX_DAMAGE];
    uint64_t capture_ns;      /* producer capture time */
    bool capture_clock_host;  /* capture_ns is this host's CLOCK_MONOTONIC (latency valid) */
};

struct vg_cursor_info {
    int32_t x, y;             /* hotspot position in frame pixels */
    bool visible;
    uint32_t shape_serial;    /* 0 = no shape */
    uint32_t width, height, hot_x, hot_y; /* shape; pixels BGRA8 straight alpha, width*4/row */
};

/* Bytes per pixel of a format (4 or 8). */
uint32_t vg_pixfmt_bpp(enum vg_pixfmt f);
const char *vg_pixfmt_name(enum vg_pixfmt f);
