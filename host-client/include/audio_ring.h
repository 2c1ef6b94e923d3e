/* A single-producer single-consumer ring of audio frames between the player thread (producer:
 * one chunk at a time, copied once out of guest memory) and a sink's real-time callback
 * (consumer). Lock-free: positions are monotonically increasing byte counts in atomics.
 *
 * The consumer owns the policy that needs its clock: it waits until the ring holds start_bytes
 * before playing (at start and after an underrun), plays silence on underrun, and drops the
 * oldest audio back to trim_to_bytes when the fill exceeds trim_above_bytes (an overrun: a
 * burst after a stall). Everything it does is counted for the player to report. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vg_audio_ring_counters {
    uint64_t underruns;        /* times the ring ran dry while playing */
    uint64_t silence_frames;   /* frames of silence played (starting, underrun) */
    uint64_t dropped_frames;   /* oldest frames dropped by trimming (overrun) */
    uint64_t trims;            /* times the consumer trimmed */
    uint64_t full_chunks;      /* chunks the producer could not write (ring full) */
    uint64_t played_frames;    /* frames of audio played */
    uint64_t fill_sum;         /* sum over consumer calls of the frames left after the call */
    uint64_t fill_n;           /* number of those calls while playing */
    uint64_t zero_fill_calls;  /* calls that ended with an empty ring while playing */
};

struct vg_audio_ring {
    uint8_t *buf;               /* cap bytes, owned */
    size_t cap;                 /* a multiple of chunk_bytes */
    size_t chunk_bytes;
    uint32_t bytes_per_frame;
    _Atomic uint64_t wpos, rpos; /* bytes written / consumed since creation */
    _Atomic uint64_t start_bytes, trim_above_bytes, trim_to_bytes;
    atomic_bool playing;         /* consumer side: past the start threshold */
    /* counters, written by one side each, read by anyone (relaxed) */
    _Atomic uint64_t underruns, silence_frames, dropped_frames, trims, full_chunks,
        played_frames, fill_sum, fill_n, zero_fill_calls;
};

/* Caller storage (init/finish). cap_chunks chunks of chunk_bytes each. false: out of memory. */
bool vg_audio_ring_init(struct vg_audio_ring *r, size_t chunk_bytes, uint32_t bytes_per_frame,
                        uint32_t cap_chunks);
void vg_audio_ring_finish(struct vg_audio_ring *r);
/* Start/trim levels in frames (any thread). */
void vg_audio_ring_set_levels(struct vg_audio_ring *r, uint64_t start_frames,
                              uint64_t trim_above_frames, uint64_t trim_to_frames);

/* Producer: room for one chunk (contiguous, chunk_bytes), or NULL when full. */
void *vg_audio_ring_chunk_slot(struct vg_audio_ring *r);
/* Producer: a chunk was lost because the ring was full. */
void vg_audio_ring_count_full(struct vg_audio_ring *r);
/* Producer: publishes the chunk written into the slot. */
void vg_audio_ring_commit(struct vg_audio_ring *r);

/* Consumer (real-time safe): fills dst with n_frames frames, audio and/or silence according to
 * the policy above. Returns the frames of audio (not silence) written. */
uint32_t vg_audio_ring_consume(struct vg_audio_ring *r, void *dst, uint32_t n_frames);

/* Frames buffered now (any thread). */
uint64_t vg_audio_ring_fill(struct vg_audio_ring *r);
void vg_audio_ring_counters(struct vg_audio_ring *r, struct vg_audio_ring_counters *out);
