/* The audio player: a thread (real-time priority where allowed) that reads chunks from a
 * source as they are due, copies each once into a lock-free ring, opens the sink's stream on
 * the first valid format (again on a change, closed after an idle time) and keeps the ring's
 * fill at the target with a DLL (spa/utils/dll.h) steering the sink's adaptive resampler. It
 * logs a summary of its counters every report interval.
 *
 * The guest does not set its pace: chunks are taken at most at the rate their format implies
 * (1 % of slack, plus a burst of the backlog kept after a stall), the rest refused and counted.
 * A format change reopens the stream at the new format's first chunk, but while the guest keeps
 * changing it (changes less than a second apart) the new format must hold first, from 30 ms
 * doubling with each change up to about a second; a flapping format is logged once when it
 * starts and once, with its count, when it stops.
 *
 * Context: create/destroy/get_stats from any one thread. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "audio.h"

struct vg_audio_player;
struct vg_pcm_queue;

struct vg_audio_player_options {
    const char *path;        /* the source's region, e.g. /dev/shm/scream-ivshmem (borrowed) */
    const char *source;      /* [optional] the source backend by name (audio_source.h): "auto"
                                (the default), "scream" or "spice" (borrowed) */
    struct vg_pcm_queue *pcm; /* [optional] the SPICE session's PCM queue for the "spice" and
                                "auto" sources (borrowed; it outlives the player) */
    const char *target;      /* [optional] sink node to play on (borrowed) */
    const char *role;        /* [optional] media.role, default "Game" (borrowed) */
    uint32_t latency_ms;     /* buffering target on top of the 20 ms chunks, where it starts
                                (it adapts: audio_rate_control.h) */
    uint32_t quantum_ms;     /* graph period to ask PipeWire for; 0: none */
    uint32_t idle_s;         /* close the stream after this long without audio (0: never) */
    uint32_t report_s;       /* log counters this often (0: never) */
};

enum vg_audio_player_state {
    VG_AUDIO_WAITING = 0,    /* no stream in the guest (or no region) */
    VG_AUDIO_PLAYING,        /* a stream is open and playing */
    VG_AUDIO_IDLE,           /* the guest stopped sending; stream closed after the idle time */
    VG_AUDIO_NO_SERVER,      /* the sound server cannot be reached */
};

struct vg_audio_stats {
    enum vg_audio_player_state state;
    struct vg_audio_format fmt;
    double fill_ms;          /* mean ring fill over the last interval */
    double latency_ms;       /* fill + the server's delay */
    double target_ms;        /* the buffering target now... */
    const char *target_why;  /* ...why it is there (static text) */
    double quantum_ms;       /* the graph's cycle (0: not known) */
    double drift_ppm;        /* the guest's chunk clock against ours (+: the guest runs fast),
                                measured over the stream's uninterrupted stretch */
    double rate_ppm;         /* the resampler correction the controller applies now */
    uint64_t chunks, dropped_chunks, torn_chunks, underruns, dropped_frames, full_chunks;
    uint64_t reopens;        /* streams opened */
    uint64_t stalls;         /* the graph ran cycles without the stream (xruns)... */
    uint64_t late_frames;    /* ...this much time of them */
    uint64_t late_chunks;    /* chunks that came when the ring had nearly run dry */
    uint64_t cuts;           /* times audio was dropped to stay under the hard ceiling */
    uint32_t target_lo, target_hi; /* the target's range over the player's life */
    bool locked;             /* the rate controller has settled */
    struct {                 /* what happened after lock-in (summed over streams) */
        uint64_t underruns, dropped_frames, dropped_chunks, full_chunks;
    } after_lock;
    /* The guest's memory is hostile; what it did that we did not follow. */
    uint64_t format_changes; /* the guest changed format (a change back counts too)... */
    uint64_t format_switches; /* ...the stream was reopened for this many, once they held */
    uint64_t format_ignored; /* changes that did not hold (the stream played on) */
    uint64_t held_chunks_dropped; /* chunks of a held format that did not play */
    uint64_t refused_chunks; /* chunks refused: written faster than their format plays */
    uint64_t restarts;       /* the guest's stream restarted in the same format */
    bool flapping;           /* the format keeps changing (see the log's summary) */
};

/* NULL on error (logged). The thread starts at once and copes with a missing region or server
 * by itself. opts: borrowed for the call. */
struct vg_audio_player *vg_audio_player_create(const struct vg_audio_player_options *opts);
/* Stops the thread, closes the stream. Accepts NULL. */
void vg_audio_player_destroy(struct vg_audio_player *p);
void vg_audio_player_get_stats(struct vg_audio_player *p, struct vg_audio_stats *out);
