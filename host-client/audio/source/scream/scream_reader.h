/* The Scream IVSHMEM ring reader: pure (no I/O, no clock), so tests and the fuzzer drive it
 * over any bytes. Guest memory is hostile: each header field is loaded once (acquire order as
 * the writer publishes), validated as a private copy by vg_scream_validate, and never read
 * again; a chunk is copied out and then checked against a second look at the header. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vg/scream.h"

enum vg_scream_read_status {
    VG_SCREAM_READ_NONE = 0, /* no new chunk */
    VG_SCREAM_READ_CHUNK,    /* a chunk was copied into dst */
    VG_SCREAM_READ_FORMAT,   /* a stream appeared, restarted or changed format (layout in
                                info); the next read delivers its chunks */
    VG_SCREAM_READ_CLOSED,   /* no stream (magic absent, header zeroed) */
    VG_SCREAM_READ_INVALID,  /* the header fails validation (info->error) */
};

struct vg_scream_read_info {
    struct vg_scream_layout layout; /* FORMAT, CHUNK: the stream's layout */
    enum vg_scream_error error;     /* INVALID: the field at fault */
    uint32_t dropped;               /* chunks skipped in this call (too far behind) */
    uint32_t torn;                  /* chunks discarded in this call (overwritten or the format
                                       changed while copying) */
    bool restarted;                 /* FORMAT: the same writer's stream restarted */
};

struct vg_scream_reader {
    const uint8_t *base;  /* borrowed mapping */
    size_t size;
    uint32_t max_behind;  /* chunks kept when behind */
    bool have;            /* a stream is being followed */
    bool was_closed;      /* magic was seen absent since the last stream */
    struct vg_scream_layout cur;
    uint32_t read_idx;    /* the last chunk delivered (or the resync point) */
};

/* Caller storage. base/size: the region (borrowed). max_behind >= 1. */
void vg_scream_reader_init(struct vg_scream_reader *r, const void *base, size_t size,
                           uint32_t max_behind);

/* One step: reports a state change, or copies the next chunk into dst (cap bytes; a chunk that
 * does not fit is left and FORMAT is reported again). Never loops on guest data. */
enum vg_scream_read_status vg_scream_reader_next(struct vg_scream_reader *r, void *dst,
                                                 size_t cap, struct vg_scream_read_info *info);

/* Forgets the stream: the next call resynchronises (reports FORMAT) at the writer's index. */
void vg_scream_reader_reset(struct vg_scream_reader *r);
