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
    VG_PIXFMT_BGR8,      /* 3 bytes B, G, R per pixel, packed (KVMFR BGR_32) */
    VG_PIXFMT_RGB8,      /* 3 bytes R, G, B per pixel, packed (KVMFR RGB_24) */
    VG_PIXFMT_COUNT,
};

/* Display rotation, clockwise: the data's top edge lands on the right edge for 90. */
enum vg_rotation {
    VG_ROTATE_0 = 0,
    VG_ROTATE_90,
    VG_ROTATE_180,
    VG_ROTATE_270,
};

enum vg_frame_flags {
    VG_FRAME_TRUNCATED = 1u << 0, /* only data_height rows were sent: the region is too small */
    VG_FRAME_HDR = 1u << 1,       /* HDR content */
    VG_FRAME_HDR_PQ = 1u << 2,    /* the PQ transfer function is already applied */
};

#define VG_FRAME_MAX_DAMAGE 64u /* the most any backend carries (Looking Glass: 64) */
#define VG_CURSOR_MAX_DIM 512u  /* Looking Glass B7 carries shapes up to 512 x 512 */
#define VG_CURSOR_MAX_BYTES ((uint32_t)VG_CURSOR_MAX_DIM * VG_CURSOR_MAX_DIM * 4u)

struct vg_rect {
    uint32_t x, y, w, h;
};

struct vg_frame_info {
    uint64_t serial;          /* increases per frame; gaps mean frames were skipped */
    enum vg_pixfmt format;
    uint32_t width, height;   /* the image in pixels, unrotated (the texture's size) */
    uint32_t data_height;     /* rows the source holds (<= height; < height when TRUNCATED) */
    uint32_t stride;          /* source bytes per row */
    enum vg_rotation rotation;
    uint32_t flags;           /* enum vg_frame_flags */
    /* The guest desktop's size, the space cursor positions are in (equals width x height
     * unless the guest downscales). */
    uint32_t screen_width, screen_height;
    uint32_t n_damage;        /* 0 = whole frame; rects relative to frame serial - 1 */
    struct vg_rect damage[VG_FRAME_MAX_DAMAGE];
    uint64_t capture_ns;      /* producer capture time */
    bool capture_clock_host;  /* capture_ns is this host's CLOCK_MONOTONIC (latency valid) */
};

enum vg_cursor_type {
    /* BGRA8 with straight alpha, 4 bytes a pixel. */
    VG_CURSOR_COLOR = 0,
    /* BGRA8 with premultiplied alpha: result = src + dst * (1 - a) (Looking Glass COLOR). */
    VG_CURSOR_COLOR_PREMUL,
    /* 1 bit a pixel, MSB first: height rows of AND mask, then height rows of XOR mask.
     * AND 0 XOR 0 black, 0 1 white, 1 0 screen unchanged, 1 1 screen inverted. */
    VG_CURSOR_MONOCHROME,
    /* BGRA8; alpha 0: the RGB replaces the screen, alpha non-zero: RGB XOR the screen. */
    VG_CURSOR_MASKED_COLOR,
    VG_CURSOR_TYPE_COUNT,
};

/* A cursor shape as the transport copied it (private memory). */
struct vg_cursor_shape {
    enum vg_cursor_type type;
    uint32_t width, height;   /* visible pixels (MONOCHROME: height rows, 2 * height stored) */
    int32_t hot_x, hot_y;     /* hotspot within the shape; may lie outside it */
    uint32_t pitch;           /* bytes per stored row */
    const uint8_t *pixels;    /* borrowed: pitch * height bytes (2 * height for MONOCHROME) */
};

struct vg_cursor_info {
    int32_t x, y;             /* hotspot position in screen pixels (vg_frame_info.screen_*) */
    bool visible;
    uint32_t shape_serial;    /* 0 = no shape */
    struct vg_cursor_shape shape; /* valid when next_cursor returned VG_CURSOR_NEW_SHAPE */
};

/* Bytes per pixel of a format (3, 4 or 8). */
uint32_t vg_pixfmt_bpp(enum vg_pixfmt f);
const char *vg_pixfmt_name(enum vg_pixfmt f);
/* Bytes a shape's pixel array holds (pitch * stored rows); 0 if the shape is invalid. */
uint64_t vg_cursor_shape_bytes(const struct vg_cursor_shape *s);
