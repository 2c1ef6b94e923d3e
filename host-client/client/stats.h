/* Frame statistics for the overlay: rates per second and the last samples of ingest time and
 * producer-to-present latency. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "renderer.h"

#define VG_STATS_HISTORY 65536 /* samples kept for the exit summary (the last ones) */

struct vg_stats {
    struct vg_overlay_stats view; /* what the renderer draws */
    uint64_t window_start_ns;
    uint32_t received, presented; /* in the current one-second window */
    uint64_t total_received, total_presented;
    float *ingest_hist, *latency_hist; /* [optional] VG_STATS_HISTORY each, for the summary */
    uint64_t n_hist, n_latency;
};

void vg_stats_init(struct vg_stats *s, uint64_t now_ns);
void vg_stats_frame_received(struct vg_stats *s);
/* latency_ms < 0: unknown. */
void vg_stats_frame_presented(struct vg_stats *s, float ingest_ms, float latency_ms);
/* Rolls the per-second rates. */
void vg_stats_tick(struct vg_stats *s, uint64_t now_ns);
/* Keeps per-frame samples for vg_stats_summary. false if out of memory. */
bool vg_stats_keep_history(struct vg_stats *s);
/* Logs frames received/presented and ingest and latency p50/p99/max. */
void vg_stats_summary(const struct vg_stats *s, double seconds);
void vg_stats_finish(struct vg_stats *s);
