/* The vgapt frame protocol: validator (pure functions, no I/O), producer and consumer.
 * The wire layout is in vg/fp_wire.h and docs/protocol.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vg/fp_wire.h"

/* ---- Validator: shared by consumer, producer self-checks, tests and fuzzers ---- */

enum vg_fp_error {
    VG_FP_OK = 0,
    VG_FP_ERR_MAGIC,          /* no vgapt magic at offset 0 */
    VG_FP_ERR_VERSION,        /* a version this build does not know */
    VG_FP_ERR_HEADER_SIZE,    /* header_size != sizeof(struct vg_fp_header) */
    VG_FP_ERR_REGION_SIZE,    /* region_size larger than the mapping or too small */
    VG_FP_ERR_SESSION,        /* session id 0 */
    VG_FP_ERR_STATE,          /* unknown state */
    VG_FP_ERR_CLOCK,          /* unknown clock */
    VG_FP_ERR_SLOT_COUNT,     /* slot_count outside 3..8 */
    VG_FP_ERR_SLOT_SIZE,      /* slot_size not page multiple, too small, or overflowing */
    VG_FP_ERR_SLOT_OFFSET,    /* slot past the region end, misaligned, overlapping */
    VG_FP_ERR_LATEST,         /* latest names a slot >= slot_count */
    VG_FP_ERR_FORMAT,         /* unknown pixel format */
    VG_FP_ERR_DIMENSIONS,     /* width/height 0 or > VG_FP_MAX_DIM */
    VG_FP_ERR_STRIDE,         /* stride < width * bytes per pixel, or width * bpp overflows */
    VG_FP_ERR_FRAME_SIZE,     /* stride * height overflows or does not fit in the slot */
    VG_FP_ERR_DATA_OFFSET,    /* data_offset != VG_FP_SLOT_DATA_OFFSET */
    VG_FP_ERR_DAMAGE_COUNT,   /* damage_count > VG_FP_MAX_DAMAGE */
    VG_FP_ERR_DAMAGE_RECT,    /* a damage rect empty or outside the frame */
    VG_FP_ERR_FLAGS,          /* unknown flags */
    VG_FP_ERR_CURSOR_SIZE,    /* cursor shape 0 or > 256, stride too small or too large */
    VG_FP_ERR_CURSOR_HOTSPOT, /* hotspot outside the shape */
    VG_FP_ERR_CURSOR_VISIBLE, /* visible not 0/1 */
    VG_FP_ERR_COUNT,
};

/* A short English description of the error ("slot offset past the end of the region"). */
const char *vg_fp_error_str(enum vg_fp_error e);
/* "BGRA8", "RGBA8", "RGB10A2", "RGBA16F", or NULL. */
const char *vg_fp_format_name(uint32_t format);
/* Parses a format name (case-insensitive); VG_FP_FORMAT_INVALID if unknown. */
enum vg_fp_format vg_fp_format_parse(const char *name);
/* Bytes per pixel, 0 for an invalid format. */
uint32_t vg_fp_format_bpp(uint32_t format);

/* The header's geometry after validation: safe to use without re-reading shared memory. */
struct vg_fp_layout {
    uint64_t session;
    uint32_t slot_count;
    uint64_t slot_size;
    uint64_t slot_offset[VG_FP_MAX_SLOTS];
    uint32_t clock;
};

/* Validates a private copy of the header against the mapped size. On VG_FP_OK fills layout.
 * On VG_FP_ERR_VERSION, the found version is h->version. */
enum vg_fp_error vg_fp_validate_header(const struct vg_fp_header *h, uint64_t map_size,
                                       struct vg_fp_layout *layout);

/* A frame's metadata after validation. */
struct vg_fp_frame {
    uint64_t serial;
    uint32_t slot;
    uint32_t format;
    uint32_t width, height, stride;
    uint64_t capture_ns;
    uint32_t damage_count; /* 0 = whole frame */
    struct vg_fp_rect damage[VG_FP_MAX_DAMAGE];
    uint64_t data_offset;  /* region offset of the first pixel (slot offset + data_offset) */
    uint64_t data_size;    /* stride * height */
};

/* Validates a private copy of a slot header (slot index given) against the layout. */
enum vg_fp_error vg_fp_validate_slot(const struct vg_fp_slot *s, const struct vg_fp_layout *l,
                                     uint32_t slot, struct vg_fp_frame *out);

/* Validates a private copy of the cursor shape fields. */
enum vg_fp_error vg_fp_validate_cursor_shape(const struct vg_fp_cursor *c);

/* Validates a private copy of the cursor position block (visible 0 or 1). */
enum vg_fp_error vg_fp_validate_cursor_pos(const struct vg_fp_cursor *c);

/* Region bytes a producer needs for frames up to w x h in format with slot_count slots. 0 if
 * the arguments are invalid or the result overflows. */
/* Whether a damage rect is non-empty and inside a width x height frame (overflow-safe). */
bool vg_fp_rect_inside(const struct vg_fp_rect *r, uint32_t width, uint32_t height);

uint64_t vg_fp_region_size_for(uint32_t w, uint32_t h, uint32_t format, uint32_t slot_count);

/* ---- Consumer ---- */

enum vg_fp_status {
    VG_FP_READY = 0,
    VG_FP_WAIT_NO_MAGIC,   /* region zeroed or another protocol */
    VG_FP_WAIT_VERSION,    /* magic found, version unknown */
    VG_FP_WAIT_INVALID,    /* header fails validation (error in info) */
    VG_FP_WAIT_STARTING,   /* producer is writing its header */
    VG_FP_WAIT_PAUSED,     /* producer says paused; heartbeat alive */
    VG_FP_WAIT_STOPPED,    /* producer exited cleanly */
    VG_FP_WAIT_STALLED,    /* heartbeat has not moved for the stall timeout: dead or frozen */
    VG_FP_WAIT_NO_FRAME,   /* running, nothing published yet */
};

struct vg_fp_status_info {
    enum vg_fp_status status;
    enum vg_fp_error error;  /* for VG_FP_WAIT_INVALID / VG_FP_WAIT_VERSION */
    uint32_t found_version;  /* for VG_FP_WAIT_VERSION */
    uint64_t session;        /* current session when the header is valid */
    bool new_session;        /* the session changed since the last READY (producer restart);
                                also set at the first READY */
    char reason[160];        /* one line a user can read, e.g. "producer stopped (no heartbeat
                                for 612 ms)" */
};

struct vg_fp_consumer;

/* base/size: the mapping, borrowed; must stay mapped until destroy. writable: the consumer
 * may write its reader hints (a read-only mapping works, the producer just gets no hints).
 * stall_ns: heartbeat silence after which the producer is considered dead (<= 1 s; 0 = 500 ms).
 * NULL if the mapping is smaller than VG_FP_SLOTS_OFFSET or not 8-byte aligned (logged). */
struct vg_fp_consumer *vg_fp_consumer_create(void *base, size_t size, bool writable,
                                             uint64_t stall_ns);
void vg_fp_consumer_destroy(struct vg_fp_consumer *c);

/* Reads and validates the header, tracks the heartbeat against now_ns (the consumer's
 * monotonic clock), detects a new session. Cheap; call once per loop iteration. */
enum vg_fp_status vg_fp_consumer_poll(struct vg_fp_consumer *c, uint64_t now_ns,
                                      struct vg_fp_status_info *info);

/* If a frame newer than the last one returned is published, validates its slot header into
 * out, marks the slot as being read (reader hint) and returns 1; 0 if nothing new; a negative
 * errno (-EPROTO) if the slot header is invalid (error in *err if not NULL). Only after READY. */
int vg_fp_consumer_next_frame(struct vg_fp_consumer *c, struct vg_fp_frame *out,
                              enum vg_fp_error *err);

/* Copies rects (or the whole frame if n_rects == 0) of frame f into dst (dst_stride bytes per
 * row; dst laid out like the frame), then checks the slot was not rewritten meanwhile.
 * Returns 0, or -EAGAIN when the copy may be torn (the caller drops it and takes the next
 * frame), -EINVAL if a rect is outside the frame. Rects must come from f->damage or be
 * validated by the caller. */
int vg_fp_consumer_copy(struct vg_fp_consumer *c, const struct vg_fp_frame *f, void *dst,
                        size_t dst_stride, const struct vg_fp_rect *rects, uint32_t n_rects);

/* The capture clock (enum vg_fp_clock) of the current valid header; VG_FP_CLOCK_GUEST when
 * none is valid. */
uint32_t vg_fp_consumer_clock(const struct vg_fp_consumer *c);

/* A capture_ns of the current session on the consumer's clock (the one of now_ns in poll), no
 * later than the last poll, so that a latency figured from it is never negative. true when the
 * clocks can be related: at once for a producer that declares the host's CLOCK_MONOTONIC and
 * whose heartbeat agrees with ours (within 2 s; one that does not runs in a VM and is taken as
 * a guest clock); for the guest's clock, once VG_FP_CLOCK_SYNC_MIN_SAMPLES heartbeats gave an
 * estimate of the offset (vg/fp_clock.h), which errs by at most the shortest delay with which
 * a heartbeat was seen. false until then: no latency rather than a wrong one. */
bool vg_fp_consumer_capture_time(const struct vg_fp_consumer *c, uint64_t capture_ns,
                                 uint64_t *local_ns);

/* Done with the frame from next_frame: clears the reader hint. */
void vg_fp_consumer_done(struct vg_fp_consumer *c);

struct vg_fp_cursor_state {
    uint32_t pos_serial;
    int32_t x, y;
    bool visible;
    uint32_t shape_serial; /* 0: no shape yet */
    uint32_t width, height, hot_x, hot_y;
};

/* Reads the cursor channel. Returns a bitmask: 1 = position changed since the last call,
 * 2 = a new shape was copied into shape (BGRA8, width*4 bytes per row, shape_cap >= 256*256*4),
 * 0 = nothing new; negative errno if the shape is invalid (-EPROTO, reported once) or torn
 * (-EAGAIN, retried on the next call), or shape_cap is too small (-ENOBUFS). shape is written
 * only when bit 2 is returned. */
int vg_fp_consumer_cursor(struct vg_fp_consumer *c, struct vg_fp_cursor_state *st, void *shape,
                          size_t shape_cap);

/* ---- Producer ---- */

struct vg_fp_producer_config {
    uint32_t slot_count;   /* 3..8; 0 = 3 */
    uint32_t clock;        /* enum vg_fp_clock */
    uint64_t session;      /* 0 = random (tests may force one) */
};

struct vg_fp_producer;

/* Takes over the region (borrowed mapping, writable, size bytes): zeroes the header,
 * lays out the slots (slot_size = what fits), writes the magic last. NULL on error (logged,
 * e.g. region too small for three slots of one page). */
struct vg_fp_producer *vg_fp_producer_create(void *base, size_t size,
                                             const struct vg_fp_producer_config *cfg);
/* Sets state STOPPED and frees. Accepts NULL. */
void vg_fp_producer_destroy(struct vg_fp_producer *p);

/* Largest frame bytes (stride * height) a slot holds. */
uint64_t vg_fp_producer_slot_capacity(const struct vg_fp_producer *p);

struct vg_fp_frame_desc {
    uint32_t format, width, height;
    uint64_t capture_ns;
};

/* Publishes a frame. pixels: the complete current frame (borrowed), src_stride bytes per row.
 * damage: what changed since the previous submit (n_damage == 0: everything). The producer
 * picks a slot that is neither the latest nor the reader's, copies into it every rect that
 * changed since that slot was last written (so every slot holds a complete frame), fills the
 * header, and publishes. Never waits for the consumer.
 * Returns 0; -ENOSPC when the frame does not fit (logged once with the region size needed:
 * vg_fp_region_size_for); -EINVAL for a bad desc or rect. */
int vg_fp_producer_submit(struct vg_fp_producer *p, const struct vg_fp_frame_desc *desc,
                          const void *pixels, size_t src_stride, const struct vg_fp_rect *damage,
                          uint32_t n_damage);

/* Advances the heartbeat to now_ns; submit does it too. Call at least every 100 ms. */
void vg_fp_producer_heartbeat(struct vg_fp_producer *p, uint64_t now_ns);
void vg_fp_producer_set_state(struct vg_fp_producer *p, enum vg_fp_state state);

int vg_fp_producer_cursor_pos(struct vg_fp_producer *p, int32_t x, int32_t y, bool visible);
/* argb: BGRA8 bytes (B, G, R, A, straight alpha), stride bytes per row; w, h <= 256. */
int vg_fp_producer_cursor_shape(struct vg_fp_producer *p, uint32_t w, uint32_t h, uint32_t hot_x,
                                uint32_t hot_y, const void *argb, size_t stride);
