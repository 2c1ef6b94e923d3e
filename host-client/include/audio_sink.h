/* Audio sink: plays frames pulled from a vg_audio_ring on a real-time thread. One backend per
 * sound server (audio/sink/pipewire), registered in vg_audio_sinks[].
 *
 * Context: every op from the player thread. The backend's real-time callback only calls
 * vg_audio_ring_late and vg_audio_ring_consume (no allocation, lock, log or blocking call); its
 * errors are counters read through query. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "audio.h"

struct vg_audio_sink;
struct vg_audio_ring;

struct vg_audio_sink_options {
    const char *target;  /* [optional] node name or serial of the sink to play on (borrowed) */
    const char *role;    /* media.role, e.g. "Game" (borrowed) */
    uint32_t quantum_ms; /* the processing period to ask the server for; 0: none (the graph
                            runs whatever its other clients and settings make it) */
};

struct vg_audio_sink_state {
    bool alive;          /* false: the server went away; destroy and create again */
    bool streaming;      /* the stream is linked and running */
    double delay_ms;     /* audio queued after the ring: the server's delay to the device and
                            its resampler, at least the quantum the graph runs */
    double quantum_ms;   /* the graph's cycle now; 0: not known yet */
    uint64_t errors;     /* real-time callback errors (no buffer, bad buffer) */
};

struct vg_audio_sink_ops {
    const char *name;        /* "pipewire" */
    const char *description;

    /* Connects to the server. opts: borrowed for the call. NULL when the server cannot be
     * reached (logged with what to do, once while it stays away). */
    struct vg_audio_sink *(*create)(const struct vg_audio_sink_options *opts);
    /* Closes any stream first. Accepts NULL. */
    void (*destroy)(struct vg_audio_sink *s);

    /* Opens a playback stream of fmt fed from ring (borrowed until close; the real-time
     * callback consumes it). 0 or negative errno (logged); -EPIPE: the server went away,
     * destroy and create again. A target that does not exist is no error: the stream plays on
     * the default sink (logged, with how to list the sinks) and moves to the target when it
     * appears. */
    int (*open)(struct vg_audio_sink *s, const struct vg_audio_format *fmt,
                struct vg_audio_ring *ring);
    /* Closes the stream; once it returns the ring is no longer touched. Idempotent. */
    void (*close)(struct vg_audio_sink *s);
    /* Playback rate relative to nominal for the server's adaptive resampler (> 1 consumes
     * the ring faster). 0 or negative errno. */
    int (*set_rate)(struct vg_audio_sink *s, double ratio);
    /* [optional] The graph period to ask for from now on (the stream open, or the next one);
     * 0: none. 0 or negative errno. */
    int (*set_quantum)(struct vg_audio_sink *s, uint32_t quantum_ms);
    void (*query)(struct vg_audio_sink *s, struct vg_audio_sink_state *out);
    /* [optional] Raises the calling thread to real-time priority through the server's policy
     * (PipeWire: module-rt, which asks rtkit where RLIMIT_RTPRIO does not allow it). 0 or
     * negative errno. */
    int (*acquire_rt)(struct vg_audio_sink *s, int priority);
};

extern const struct vg_audio_sink_ops vg_audio_sink_pipewire;

/* NULL-terminated table of built backends; the first is the default. */
extern const struct vg_audio_sink_ops *const vg_audio_sinks[];
