/* Frame statistics for the overlay: rates per second and the last samples of ingest time and
 * producer-to-present latency. */
#pragma once

#include <stdint.h>

#include "renderer.h"

struct vg_stats {
    struct vg_overlay_stats view; /* what the renderer draws */
    uint64_t window_start_ns;
    uint32_t received, presented; /* in the current one-second window */
    uint64_t total_received, total_presented;
};

void vg_stats_init(struct vg_stats *s, uint64_t now_ns);
void vg_stats_frame_received(struct vg_stats *s);
/* latency_ms < 0: unknown. */
void vg_stats_frame_presented(struct vg_stats *s, float ingest_ms, float latency_ms);
/* Rolls the per-second rates. */
void vg_stats_tick(struct vg_stats *s, uint64_t now_ns);
