/* A frame producer for the video benchmark, behind one interface for both guest protocols:
 * our frame protocol (vgfp) and Looking Glass B7's (LGMP 6 / KVMFR 20), each in an anonymous
 * shared mapping with the client's transport reading it, in this process. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "transport.h"

enum vg_bench_protocol {
    VG_BENCH_VGFP = 0,
    VG_BENCH_LGMP,
};

struct vg_bench_source {
    enum vg_bench_protocol proto;
    const struct vg_transport_ops *tops;
    struct vg_transport *t;
    void *region;
    size_t size;
    struct vg_fp_producer *fp;
    struct vg_kvmfr_producer *lg;
};

const char *vg_bench_protocol_name(enum vg_bench_protocol p);

/* Maps a region sized for w x h BGRA frames, starts the producer and the transport, and waits
 * until the transport is ready (LGMP: a few heartbeats). false on error (logged). */
bool vg_bench_source_open(struct vg_bench_source *s, enum vg_bench_protocol p, uint32_t w,
                          uint32_t h);
void vg_bench_source_close(struct vg_bench_source *s);

/* Publishes the w x h BGRA frame src (tightly packed) with one damage rect (NULL: whole). */
bool vg_bench_source_submit(struct vg_bench_source *s, const uint8_t *src, uint32_t w, uint32_t h,
                            const struct vg_rect *damage);
