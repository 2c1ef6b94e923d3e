/* The player's rate controller, apart from threads and servers so that it can be driven by a
 * simulation. Every CONTROL period it reads the ring's counters and returns:
 * - the ratio for the sink's adaptive resampler: a DLL (spa/utils/dll.h) on the error between
 *   the mean fill and the target. It tracks the guest's clock, and it is also how a fill that
 *   rose (the graph skipped cycles, a burst of chunks) comes back down: smoothly, never by
 *   cutting audio;
 * - the buffering target, which adapts: it starts at the configured latency, rises a step at
 *   an underrun or when late chunks recur, and falls back slowly once things
 *   are calm;
 * - audio to drop, only to stay under a hard ceiling (each such cut is counted by the ring);
 * - when it has locked.
 * Context: one thread. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <spa/utils/dll.h>

#include "audio_ring.h"

#define VG_AUDIO_CONTROL_NS 100000000ull  /* the controller's period */
#define VG_AUDIO_WINDOW_MS 50u            /* the ring's windows (vg_audio_ring_set_levels) */
#define VG_AUDIO_MAX_RATE_DEV 0.005       /* the resampler's range around 1.0 (9 cents) */
#define VG_AUDIO_TARGET_STEP_MS 5u        /* a rise of the target */
#define VG_AUDIO_TARGET_SPAN_MS 30u       /* the target stays within base .. base + this */
#define VG_AUDIO_CEILING_MS 60u           /* fill above max(this, target + 30 ms): cut */
#define VG_AUDIO_LATE_FILL_MS 3u          /* a chunk that finds less than this is late */
#define VG_AUDIO_FILL_PERIODS 10u         /* the mean fill is over this many periods */

/* Why the target last moved. */
enum vg_audio_target_reason {
    VG_AUDIO_TARGET_START,      /* the configured latency */
    VG_AUDIO_TARGET_UNDERRUN,   /* the ring ran dry */
    VG_AUDIO_TARGET_LATE,       /* chunks came late (the fill nearly ran out) */
    VG_AUDIO_TARGET_CALM,       /* nothing of the above for a while: back down */
};

const char *vg_audio_target_reason_str(enum vg_audio_target_reason r);

/* What the controller reads besides the ring: the player's count of late chunks (committed
 * while the ring held less than VG_AUDIO_LATE_FILL_MS). */
struct vg_audio_rate_input {
    struct vg_audio_ring_counters ring;
    uint64_t late_chunks;
    /* The source holds chunks back (a new format must hold first): an underrun meanwhile is
     * the guest's doing, not our scheduling, and does not raise the target. */
    bool source_holding;
    /* The graph's cycle grew at our request a moment ago: its first longer cycle can find the
     * ring short of it, once. That underrun is the switch's, not a sign of late chunks, and
     * does not raise the target either. */
    bool quantum_rising;
};

struct vg_audio_rate_control {
    uint32_t rate, base_ms, target_ms;
    uint32_t room_ms;               /* held on top of the target (set_room) */
    enum vg_audio_target_reason reason;
    struct spa_dll dll;
    double ratio;
    uint64_t fill_sum, fill_n;      /* the ring's at the last step */
    uint64_t win_sum[VG_AUDIO_FILL_PERIODS], win_n[VG_AUDIO_FILL_PERIODS]; /* the last steps' */
    unsigned win_pos;
    double fill_ms;                 /* mean fill over the last VG_AUDIO_FILL_PERIODS steps */
    uint64_t near_since_ns;         /* 0: not near the target */
    bool locked;
    uint64_t windows_seen;
    /* adaptation: events seen, when the last came, when the target last rose, and since when
     * it has been calm (no event, no rise) */
    uint64_t underruns_seen, late_seen;
    uint64_t last_event_ns, last_raise_ns, calm_from_ns;
    uint64_t lowest_fill, lowest_since_ns; /* frames: the windows' lowest since then */
};

struct vg_audio_rate_step {
    bool has_ratio;         /* a new ratio for the sink (the ring was played from) */
    double ratio;
    uint64_t drop_frames;   /* over the ceiling: ask the ring to drop this much */
    bool locked_now;        /* the controller locked in this step */
    bool target_moved;      /* target_ms / reason changed in this step */
};

/* A new stream of `rate` Hz, starting at now, with the configured latency base_ms and the
 * target it starts from (base_ms, or what it had adapted to before the stream reopened). */
void vg_audio_rate_control_reset(struct vg_audio_rate_control *c, uint32_t rate, uint32_t base_ms,
                                 uint32_t target_ms, uint64_t now);
/* One period's step. */
void vg_audio_rate_control_update(struct vg_audio_rate_control *c,
                                  const struct vg_audio_rate_input *in, uint64_t now,
                                  struct vg_audio_rate_step *out);
/* Holds room_ms of fill on top of the target until set back to 0: room for a larger graph
 * cycle about to be asked for. Each call of the larger cycle takes that much more at once, so
 * the same audio leaves that much less in the ring after every call: without the room, a switch
 * from 512 to 1024 frames at a 20 ms target ran the ring dry 4 cycles in. */
void vg_audio_rate_control_set_room(struct vg_audio_rate_control *c, uint32_t room_ms);
/* The mean fill holds the room: it is within 1 ms of target + room. */
bool vg_audio_rate_control_room_ready(const struct vg_audio_rate_control *c);
/* The fill the controller holds, in ms: the target and the room. */
uint32_t vg_audio_rate_control_hold_ms(const struct vg_audio_rate_control *c);
/* The hard ceiling on the fill for a target, in ms. */
uint32_t vg_audio_ceiling_ms(uint32_t target_ms);
