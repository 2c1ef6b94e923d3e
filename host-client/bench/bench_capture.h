/* The audio benches' ears: a capture stream on the private PipeWire daemon's test-sink monitor
 * (tests/audio/audio_env.h), mixed to mono. It times each timing mark when the sink played it
 * and counts the gaps a listener hears. A mark is a burst of samples at 0.85 of full scale or
 * more, after 100 ms without one; the tone between marks stays far below that. */
#pragma once

#include <pipewire/pipewire.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define VG_BENCH_MAX_MARKS 4096

/* Gaps as a listener hears them: runs of 3 or more silent samples between two sounding ones (a
 * silence before the first sound or after the last is not inside the tone). */
#define VG_BENCH_MAX_GAPS 256
struct vg_bench_gaps {
    bool sounded;
    uint32_t run; /* silent samples since the last sounding one */
    uint64_t gaps, gap_frames;
    /* The first VG_BENCH_MAX_GAPS: when each ended at the sink (CLOCK_MONOTONIC ns, 0 where
     * the feed has no clock) and its length in frames. */
    uint64_t end_ns[VG_BENCH_MAX_GAPS];
    uint32_t len[VG_BENCH_MAX_GAPS];
};

/* Caller's storage; start fills it. */
struct vg_bench_capture {
    struct pw_thread_loop *loop;
    struct pw_context *context;
    struct pw_core *core;
    struct pw_stream *stream;
    struct spa_hook listener;
    uint64_t played[VG_BENCH_MAX_MARKS]; /* CLOCK_MONOTONIC ns of each mark at the sink */
    atomic_uint n;                       /* marks in played[] */
    uint64_t last_mark_ns;
    _Atomic(struct spa_io_position *) position; /* set from the loop, read in process */
    atomic_int raised; /* the data thread's raise: 1 done, -errno refused, 0 not asked */
    /* Written in process, read after vg_bench_capture_stop. */
    struct vg_bench_gaps gaps;
    uint64_t quantum_min, quantum_max, quantum_last; /* the graph's cycles (clock.duration) */
};

/* Connects to the daemon of $XDG_RUNTIME_DIR (pw_init done) and records test-sink's monitor.
 * listener_priority: 0 leaves the capture's data thread as PipeWire sets it; above a noise
 * load's spinners it stands for a sound card, which noise cannot starve. false if the stream
 * cannot be made; vg_bench_capture_stop is still to be called. */
bool vg_bench_capture_start(struct vg_bench_capture *c, int listener_priority);
/* Stops the stream and frees what start made; safe on a failed start and when called again.
 * The marks, gaps and quanta stay to be read. */
void vg_bench_capture_stop(struct vg_bench_capture *c);

/* The gap detector against a clean tone with marks: false, with a line on stderr, if it finds
 * a gap there (it would be the detector's, not the client's). */
bool vg_bench_gaps_self_check(void);
