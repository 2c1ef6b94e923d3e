/* The player's rate controller, apart from threads and servers so that it can be driven by a
 * simulation: every CONTROL period it reads the ring's counters and returns the ratio for the
 * sink's adaptive resampler (a DLL, spa/utils/dll.h, on the error between the mean fill and
 * the target), whether audio should be dropped because too much is buffered, and when it has
 * locked. Context: one thread. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <spa/utils/dll.h>

#include "audio_ring.h"

#define VG_AUDIO_CONTROL_NS 100000000ull  /* the controller's period */
#define VG_AUDIO_WINDOW_MS 50u            /* the ring's windows (vg_audio_ring_set_levels) */
#define VG_AUDIO_MAX_RATE_DEV 0.0025      /* the resampler's range around 1.0 (4 cents) */
#define VG_AUDIO_OVERRUN_WINDOWS 6u

struct vg_audio_rate_control {
    uint32_t rate, latency_ms;
    struct spa_dll dll;
    double ratio;
    uint64_t fill_sum, fill_n;      /* the ring's at the last update */
    double fill_ms;                 /* mean fill over the last period */
    uint64_t near_since_ns;         /* 0: not near the target */
    bool locked;
    uint64_t windows_seen;
    uint64_t window_min[VG_AUDIO_OVERRUN_WINDOWS]; /* newest first */
    uint32_t window_n;
    uint64_t settle_until_ns, settle_underruns, settle_stalls;
};

struct vg_audio_rate_step {
    bool has_ratio;         /* a new ratio for the sink (the ring was played from) */
    double ratio;
    uint64_t drop_frames;   /* too much buffered: ask the ring to drop this much */
    bool locked_now;        /* the controller locked in this step */
};

/* A new stream of `rate` Hz with the buffering target latency_ms, starting at now. */
void vg_audio_rate_control_reset(struct vg_audio_rate_control *c, uint32_t rate,
                                 uint32_t latency_ms, uint64_t now);
/* One period's step from the ring's counters. */
void vg_audio_rate_control_update(struct vg_audio_rate_control *c,
                                  const struct vg_audio_ring_counters *rc, uint64_t now,
                                  struct vg_audio_rate_step *out);
