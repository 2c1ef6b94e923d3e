/* Audio source: yields chunks of guest audio. One backend per guest driver (audio/source/scream:
 * the Scream IVSHMEM ring; audio/source/spice: a SPICE playback channel through a PCM queue;
 * audio/source/auto: whichever of the two the guest uses), registered in vg_audio_sources[].
 *
 * Context: every call from the player thread. A source never blocks: it says when to look
 * again (wake_ns) so the player sleeps until the next chunk is due. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio.h"

struct vg_audio_source;
struct vg_pcm_queue;

/* What a backend is created from; each takes the members it needs. */
struct vg_audio_source_args {
    const char *path;         /* scream: the shared region (borrowed, copied); it may not exist
                                 yet */
    uint32_t max_behind;      /* the most chunks the source keeps when it falls behind (older
                                 ones are dropped and counted) */
    struct vg_pcm_queue *pcm; /* spice: [optional] the queue the SPICE session fills (borrowed;
                                 it outlives the source) */
};

enum vg_audio_read_result {
    VG_AUDIO_READ_NONE = 0, /* nothing new: look again at wake_ns */
    VG_AUDIO_READ_CHUNK,    /* a chunk of fmt, len bytes, was copied into dst */
    VG_AUDIO_READ_FORMAT,   /* a stream opened, restarted or changed format: fmt is the new
                               format and chunk_bytes its chunk size; read again with room for
                               a chunk of it */
};

struct vg_audio_read {
    struct vg_audio_format fmt;
    size_t chunk_bytes;      /* bytes per chunk of fmt */
    size_t len;              /* CHUNK: bytes copied */
    uint64_t wake_ns;        /* NONE: when the next chunk is due (monotonic ns) */
    uint32_t dropped_chunks; /* chunks skipped since the last read (the reader fell behind) */
    uint32_t torn_chunks;    /* chunks discarded: overwritten or reformatted while copied */
    bool restarted;          /* FORMAT: the writer restarted (same or new format) */
    bool active;             /* a stream is open in the guest */
    char reason[256];        /* when !active: why, in words a user can act on */
};

struct vg_audio_source_ops {
    const char *name;        /* "scream", "spice", "auto" */
    const char *description;

    /* args: borrowed for the call. NULL on error (logged). */
    struct vg_audio_source *(*create)(const struct vg_audio_source_args *args);
    /* Accepts NULL. */
    void (*destroy)(struct vg_audio_source *s);

    /* Looks for the next chunk at now_ns without blocking; dst (cap bytes, borrowed) receives
     * it. Returns an enum vg_audio_read_result. A chunk larger than cap is not copied: the
     * source reports FORMAT again. */
    int (*read)(struct vg_audio_source *s, uint64_t now_ns, void *dst, size_t cap,
                struct vg_audio_read *out);
};

extern const struct vg_audio_source_ops vg_audio_source_scream;
extern const struct vg_audio_source_ops vg_audio_source_spice;
extern const struct vg_audio_source_ops vg_audio_source_auto;

/* NULL-terminated table of built backends; the first is the default. */
extern const struct vg_audio_source_ops *const vg_audio_sources[];
/* The backend of that name; NULL when there is none. */
const struct vg_audio_source_ops *vg_audio_source_find(const char *name);
