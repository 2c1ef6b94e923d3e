/* Helpers shared by the frame protocol tests: regions and deterministic pixels. */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vg/fp.h"

/* A zeroed, page-aligned private region (like a fresh ivshmem BAR). NULL on failure. */
static inline void *fpt_region_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static inline void fpt_region_free(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

static inline uint64_t fpt_mix(uint64_t v)
{
    v ^= v >> 33;
    v *= UINT64_C(0xff51afd7ed558ccd);
    v ^= v >> 33;
    v *= UINT64_C(0xc4ceb9fe1a85ec53);
    v ^= v >> 33;
    return v;
}

/* The bytes of pixel (x, y) as last written by frame serial `serial`. */
static inline void fpt_pixel(uint8_t *dst, uint32_t bpp, uint64_t serial, uint32_t x, uint32_t y)
{
    uint64_t v = fpt_mix(serial * UINT64_C(0x9E3779B97F4A7C15) ^ ((uint64_t)x << 32 | y));
    for (uint32_t i = 0; i < bpp; i++)
        dst[i] = (uint8_t)(v >> (8 * (i % 8)));
}

/* Paints rect r (whole frame when NULL) of a frame with the pixels of `serial`. */
static inline void fpt_paint(uint8_t *frame, size_t stride, uint32_t bpp, uint32_t w, uint32_t h,
                             uint64_t serial, const struct vg_fp_rect *r)
{
    struct vg_fp_rect all = {0, 0, w, h};
    if (!r)
        r = &all;
    for (uint32_t y = r->y; y < r->y + r->h; y++)
        for (uint32_t x = r->x; x < r->x + r->w; x++)
            fpt_pixel(frame + (size_t)y * stride + (size_t)x * bpp, bpp, serial, x, y);
}

/* Whether rows of two frames of w*bpp bytes are equal. */
static inline int fpt_frames_equal(const uint8_t *a, size_t a_stride, const uint8_t *b,
                                   size_t b_stride, size_t row_bytes, uint32_t h)
{
    for (uint32_t y = 0; y < h; y++) {
        if (memcmp(a + (size_t)y * a_stride, b + (size_t)y * b_stride, row_bytes) != 0)
            return 0;
    }
    return 1;
}

/* xorshift64*: reproducible randomness for the tests. */
static inline uint64_t fpt_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}
