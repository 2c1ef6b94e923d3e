/* The vgapt frame protocol, version 1: the wire format in the shared region.
 * docs/protocol.md describes every field, who writes it, and the publication and recovery
 * rules. Fixed-width types only, little-endian, no pointers, no implicit padding; every
 * offset the other side depends on is asserted below. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* "VGAPTFRM" as it reads in memory. */
#define VG_FP_MAGIC UINT64_C(0x4D52465450414756)
#define VG_FP_VERSION 1u

#define VG_FP_PAGE 4096u
#define VG_FP_MIN_SLOTS 3u
#define VG_FP_MAX_SLOTS 8u
#define VG_FP_MAX_DAMAGE 16u
#define VG_FP_MAX_DIM 16384u       /* widths and heights: 1..16384 */
#define VG_FP_CURSOR_MAX_DIM 256u  /* cursor shapes: 1..256 square */
#define VG_FP_CURSOR_SHAPE_BYTES (VG_FP_CURSOR_MAX_DIM * VG_FP_CURSOR_MAX_DIM * 4u)
#define VG_FP_HEARTBEAT_NS UINT64_C(100000000) /* producer beats at least this often */
#define VG_FP_NO_SLOT 0xFFFFFFFFu

/* Fixed places in the region. */
#define VG_FP_HEADER_OFFSET 0u
#define VG_FP_CURSOR_SHAPE_OFFSET VG_FP_PAGE                      /* 4096 */
#define VG_FP_SLOTS_OFFSET (VG_FP_PAGE + VG_FP_CURSOR_SHAPE_BYTES) /* 266240 */
#define VG_FP_SLOT_DATA_OFFSET VG_FP_PAGE /* pixels start one page into a slot */

enum vg_fp_format {
    VG_FP_FORMAT_INVALID = 0,
    VG_FP_FORMAT_BGRA8 = 1,   /* bytes B, G, R, A */
    VG_FP_FORMAT_RGBA8 = 2,   /* bytes R, G, B, A */
    VG_FP_FORMAT_RGB10A2 = 3, /* LE u32: R bits 0-9, G 10-19, B 20-29, A 30-31 */
    VG_FP_FORMAT_RGBA16F = 4, /* four IEEE-754 binary16 R, G, B, A (linear, may exceed 1.0) */
    VG_FP_FORMAT_COUNT,
};

enum vg_fp_state {
    VG_FP_STATE_STARTING = 0, /* header being written; nothing else is valid yet */
    VG_FP_STATE_RUNNING = 1,
    VG_FP_STATE_PAUSED = 2,   /* alive (heartbeat goes on), no new frames on purpose */
    VG_FP_STATE_STOPPED = 3,  /* producer exited cleanly */
};

enum vg_fp_clock {
    VG_FP_CLOCK_GUEST = 0,          /* capture_ns is the guest's own clock */
    VG_FP_CLOCK_HOST_MONOTONIC = 1, /* producer runs on the host: CLOCK_MONOTONIC, comparable */
};

struct vg_fp_rect {
    uint32_t x, y, w, h;
};

/* The cursor channel, independent of frames. Two seqlocks: pos_seq covers the position block,
 * shape_seq the shape block and the shape pixels at VG_FP_CURSOR_SHAPE_OFFSET. */
struct vg_fp_cursor {
    uint32_t pos_seq;      /* seqlock, odd while the producer writes the position block */
    uint32_t pos_serial;   /* +1 per position/visibility update */
    int32_t x, y;          /* hotspot position in frame pixels; may be outside the frame */
    uint32_t visible;      /* 0 or 1 */
    uint32_t reserved0;
    uint32_t shape_seq;    /* seqlock, odd while the producer writes the shape */
    uint32_t shape_serial; /* +1 per shape update; 0 = no shape yet */
    uint32_t width, height; /* 1..256 */
    uint32_t stride;        /* bytes per row, >= width * 4, stride * height <= shape bytes */
    uint32_t hot_x, hot_y;  /* < width, < height */
    uint32_t reserved1[3];
};

struct vg_fp_header {
    /* Written once by the producer at start (magic last). */
    uint64_t magic;
    uint32_t version;
    uint32_t header_size;   /* sizeof(struct vg_fp_header) */
    uint64_t region_size;   /* the size the producer assumes; <= the mapped size */
    uint64_t session;       /* random, non-zero, new at every producer start */
    uint64_t heartbeat;     /* producer's monotonic ns; advances at least every 100 ms */
    uint32_t state;         /* enum vg_fp_state */
    uint32_t clock;         /* enum vg_fp_clock for capture_ns */
    uint32_t slot_count;    /* VG_FP_MIN_SLOTS..VG_FP_MAX_SLOTS */
    uint32_t reserved0;
    uint64_t slot_size;     /* bytes per slot, a multiple of VG_FP_PAGE, > one page */
    uint64_t slot_offset[VG_FP_MAX_SLOTS]; /* region offsets, page aligned, no overlap */
    /* Written by the producer at each publication: (serial << 4) | slot; 0 = none yet. */
    uint64_t latest;
    uint8_t reserved1[56];
    /* Written by the consumer (a hint, never a lock): the slot it is copying or
     * VG_FP_NO_SLOT, the session it follows and its own monotonic ns heartbeat. */
    uint32_t reader_slot;
    uint32_t reserved2;
    uint64_t reader_session;
    uint64_t reader_heartbeat;
    uint8_t reserved3[40];
    struct vg_fp_cursor cursor;
    uint8_t reserved4[192];
};

/* Each slot starts with this header; pixels start at slot + data_offset. */
struct vg_fp_slot {
    uint32_t seq;          /* seqlock: odd while the producer writes this slot */
    uint32_t format;       /* enum vg_fp_format */
    uint64_t serial;       /* frame serial, +1 per published frame, starts at 1 */
    uint32_t width, height;
    uint32_t stride;       /* bytes per row in the slot */
    uint32_t data_offset;  /* from slot start; VG_FP_SLOT_DATA_OFFSET */
    uint64_t capture_ns;   /* when the producer captured it (see header.clock) */
    uint32_t damage_count; /* 0 = whole frame; else rects valid in damage[] */
    uint32_t flags;        /* none defined in version 1; must be 0 */
    struct vg_fp_rect damage[VG_FP_MAX_DAMAGE]; /* changed since frame serial - 1 */
    uint8_t reserved[16];
};

#define VG_FP_LATEST(serial, slot) (((uint64_t)(serial) << 4) | (uint64_t)(slot))
#define VG_FP_LATEST_SERIAL(v) ((v) >> 4)
#define VG_FP_LATEST_SLOT(v) ((uint32_t)((v)&0xFu))

#define VG_FP_ASSERT_OFF(type, field, off) \
    _Static_assert(offsetof(type, field) == (off), #type "." #field " offset")

_Static_assert(sizeof(struct vg_fp_rect) == 16, "vg_fp_rect size");
_Static_assert(sizeof(struct vg_fp_cursor) == 64, "vg_fp_cursor size");
VG_FP_ASSERT_OFF(struct vg_fp_cursor, pos_seq, 0);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, pos_serial, 4);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, x, 8);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, y, 12);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, visible, 16);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, shape_seq, 24);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, shape_serial, 28);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, width, 32);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, height, 36);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, stride, 40);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, hot_x, 44);
VG_FP_ASSERT_OFF(struct vg_fp_cursor, hot_y, 48);

_Static_assert(sizeof(struct vg_fp_header) == 512, "vg_fp_header size");
VG_FP_ASSERT_OFF(struct vg_fp_header, magic, 0);
VG_FP_ASSERT_OFF(struct vg_fp_header, version, 8);
VG_FP_ASSERT_OFF(struct vg_fp_header, header_size, 12);
VG_FP_ASSERT_OFF(struct vg_fp_header, region_size, 16);
VG_FP_ASSERT_OFF(struct vg_fp_header, session, 24);
VG_FP_ASSERT_OFF(struct vg_fp_header, heartbeat, 32);
VG_FP_ASSERT_OFF(struct vg_fp_header, state, 40);
VG_FP_ASSERT_OFF(struct vg_fp_header, clock, 44);
VG_FP_ASSERT_OFF(struct vg_fp_header, slot_count, 48);
VG_FP_ASSERT_OFF(struct vg_fp_header, slot_size, 56);
VG_FP_ASSERT_OFF(struct vg_fp_header, slot_offset, 64);
VG_FP_ASSERT_OFF(struct vg_fp_header, latest, 128);
VG_FP_ASSERT_OFF(struct vg_fp_header, reader_slot, 192);
VG_FP_ASSERT_OFF(struct vg_fp_header, reader_session, 200);
VG_FP_ASSERT_OFF(struct vg_fp_header, reader_heartbeat, 208);
VG_FP_ASSERT_OFF(struct vg_fp_header, cursor, 256);

_Static_assert(sizeof(struct vg_fp_slot) == 320, "vg_fp_slot size");
VG_FP_ASSERT_OFF(struct vg_fp_slot, seq, 0);
VG_FP_ASSERT_OFF(struct vg_fp_slot, format, 4);
VG_FP_ASSERT_OFF(struct vg_fp_slot, serial, 8);
VG_FP_ASSERT_OFF(struct vg_fp_slot, width, 16);
VG_FP_ASSERT_OFF(struct vg_fp_slot, height, 20);
VG_FP_ASSERT_OFF(struct vg_fp_slot, stride, 24);
VG_FP_ASSERT_OFF(struct vg_fp_slot, data_offset, 28);
VG_FP_ASSERT_OFF(struct vg_fp_slot, capture_ns, 32);
VG_FP_ASSERT_OFF(struct vg_fp_slot, damage_count, 40);
VG_FP_ASSERT_OFF(struct vg_fp_slot, flags, 44);
VG_FP_ASSERT_OFF(struct vg_fp_slot, damage, 48);
_Static_assert(VG_FP_SLOTS_OFFSET % VG_FP_PAGE == 0, "slots page aligned");
