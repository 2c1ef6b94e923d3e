/* A single-producer single-consumer ring of audio frames between the player thread (producer:
 * one chunk at a time, copied once out of guest memory) and a sink's real-time callback
 * (consumer). Lock-free: positions are monotonically increasing byte counts in atomics.
 *
 * The consumer owns the policy that needs its clock: it waits until the ring holds start_bytes
 * plus the call before playing (skipping to that level), at start and after an underrun, and plays silence on
 * underrun. It reports the lowest fill of each window of played frames; the player decides
 * from those whether the ring holds more than its hard ceiling and then asks the consumer to
 * drop the oldest audio. Everything it does is counted for the player. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vg_audio_ring_counters {
    uint64_t underruns;        /* times the ring ran dry while playing */
    uint64_t silence_frames;   /* frames of silence played (starting, underrun) */
    uint64_t dropped_frames;   /* oldest frames dropped: trimmed (overrun) or skipped to start
                                  at the start level */
    uint64_t trims;            /* times the consumer trimmed on request */
    uint64_t full_chunks;      /* chunks the producer could not write (ring full) */
    uint64_t played_frames;    /* frames of audio played */
    uint64_t fill_sum;         /* sum over consumer calls of the frames left after the call */
    uint64_t fill_n;           /* number of those calls while playing */
    uint64_t zero_fill_calls;  /* calls that ended with an empty ring while playing */
    uint64_t late_frames;      /* frames of graph time this stream missed (vg_audio_ring_late) */
    uint64_t stalls;           /* times the graph ran cycles without this stream */
    uint64_t windows;          /* windows of window_frames played frames completed */
    uint64_t window_min;       /* the lowest fill after a call in the last completed window */
};

struct vg_audio_ring {
    uint8_t *buf;               /* cap bytes, owned */
    size_t cap;                 /* a multiple of chunk_bytes */
    size_t chunk_bytes;
    uint32_t bytes_per_frame;
    uint32_t rate;
    _Atomic uint64_t wpos, rpos; /* bytes written / consumed since creation */
    _Atomic uint64_t start_bytes, window_bytes;
    _Atomic uint64_t drop_request; /* bytes the player asks the consumer to drop */
    atomic_bool playing;           /* consumer side: past the start threshold */
    _Atomic uint64_t commit_ns;    /* producer: when the last chunk came in */
    uint64_t win_played, win_min;  /* consumer only: the window in progress */
    /* counters, written by one side each, read by anyone (relaxed) */
    _Atomic uint64_t underruns, silence_frames, dropped_frames, trims, full_chunks,
        played_frames, fill_sum, fill_n, zero_fill_calls, windows, window_min, late_frames,
        stalls;
};

/* Caller storage (init/finish). cap_chunks chunks of chunk_bytes each, frames of `rate` Hz.
 * false: out of memory. */
bool vg_audio_ring_init(struct vg_audio_ring *r, size_t chunk_bytes, uint32_t bytes_per_frame,
                        uint32_t cap_chunks, uint32_t rate);
void vg_audio_ring_finish(struct vg_audio_ring *r);
/* The start level and the length of the windows whose lowest fill is reported, in frames (any
 * thread). */
void vg_audio_ring_set_levels(struct vg_audio_ring *r, uint64_t start_frames,
                              uint64_t window_frames);
/* Asks the consumer to drop up to n_frames of the oldest audio at its next call; it never drops
 * what that call needs (any thread). Replaces an earlier request not yet served. */
void vg_audio_ring_request_drop(struct vg_audio_ring *r, uint64_t n_frames);

/* Producer: room for one chunk (contiguous, chunk_bytes), or NULL when full. */
void *vg_audio_ring_chunk_slot(struct vg_audio_ring *r);
/* Producer: a chunk was lost because the ring was full. */
void vg_audio_ring_count_full(struct vg_audio_ring *r);
/* Producer: publishes the chunk written into the slot, which came in at now_ns
 * (CLOCK_MONOTONIC). */
void vg_audio_ring_commit(struct vg_audio_ring *r, uint64_t now_ns);

/* Consumer (real-time safe): fills dst with n_frames frames, audio and/or silence according to
 * the policy above; now_ns is the call's time (CLOCK_MONOTONIC): a start takes off what
 * played since the last chunk came in, so that the mean fill starts at the target whatever
 * the quantum. Returns the frames of audio (not silence) written. */
uint32_t vg_audio_ring_consume(struct vg_audio_ring *r, void *dst, uint32_t n_frames,
                               uint64_t now_ns);

/* Consumer (real-time safe), before a consume call: the graph ran n_frames of time without
 * this stream (its thread was late, or stopped). Counted only: nothing is dropped, so the fill
 * (the latency) is that much higher until the rate control brings it back. Ignored while
 * waiting for the start level. */
void vg_audio_ring_late(struct vg_audio_ring *r, uint64_t n_frames);

/* Frames buffered now (any thread). */
uint64_t vg_audio_ring_fill(struct vg_audio_ring *r);
/* The consumer is playing (past the start level), not waiting for it (any thread). */
bool vg_audio_ring_playing(struct vg_audio_ring *r);
void vg_audio_ring_counters(struct vg_audio_ring *r, struct vg_audio_ring_counters *out);
