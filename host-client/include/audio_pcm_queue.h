/* A PCM queue between a network audio channel's thread (the producer: the SPICE playback
 * channel, on spice-glib's loop thread) and the audio player's thread (the consumer, through the
 * "spice" audio source). The producer hands over what the server sends as it comes: a format,
 * PCM bytes, a stop. The consumer takes it back in chunks of 20 ms of the format, as the Scream
 * ring holds them, so the player's pacing and drift tracking see the same clock: the arrival of
 * the bytes that complete a chunk.
 *
 * The server is hostile input: every format and packet is validated here, and what was refused
 * is counted and described for the consumer to log. Memory is bounded: the queue keeps at most
 * max_behind chunks; older ones are dropped and counted, as the Scream ring overwrites them.
 *
 * Context: create/destroy from any one thread, with neither side running; the producer calls
 * from one thread, the consumer from another. A mutex guards the state (neither side is a
 * real-time callback); the producer allocates only in start, outside the lock. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio.h"
#include "audio_source.h"

#define VG_PCM_CHUNK_MS 20u
#define VG_PCM_MIN_RATE 8000u
#define VG_PCM_MAX_RATE 192000u
/* A packet longer than this much audio is refused (SPICE sends a few ms at a time). */
#define VG_PCM_MAX_PACKET_MS 1000u
/* The largest chunk: 20 ms of the highest rate, 8 channels of 16-bit. */
#define VG_PCM_MAX_CHUNK_BYTES (VG_PCM_MAX_RATE / 50u * VG_AUDIO_MAX_CHANNELS * 2u)

struct vg_pcm_queue;

/* What the producer refused, since the queue's creation. */
struct vg_pcm_queue_counters {
    uint64_t bad_formats;    /* starts with a format we do not play */
    uint64_t bad_packets;    /* packets refused: not whole frames, too long, or outside a stream */
    uint64_t dropped_chunks; /* chunks dropped because the consumer fell behind */
    uint64_t starts, stops;
};

/* Whether a stream of bits-bit signed PCM (SPICE: 16 only), channels and rate can be played:
 * channels 1..VG_AUDIO_MAX_CHANNELS, rate VG_PCM_MIN_RATE..VG_PCM_MAX_RATE and a whole number
 * of frames per 20 ms (a multiple of 50 Hz). On success *fmt (with the default speaker mask for
 * the channel count) and *chunk_bytes; else false with the reason in why. Pure. */
bool vg_pcm_format_check(int bits, int channels, int rate, struct vg_audio_format *fmt,
                         size_t *chunk_bytes, char *why, size_t why_size);

/* max_behind: chunks kept when the consumer falls behind (at least 1). NULL when out of
 * memory (logged). */
struct vg_pcm_queue *vg_pcm_queue_create(uint32_t max_behind);
/* Accepts NULL. */
void vg_pcm_queue_destroy(struct vg_pcm_queue *q);
/* The consumer's limit (the player's backlog), applied from the next start. */
void vg_pcm_queue_set_max_behind(struct vg_pcm_queue *q, uint32_t max_behind);

/* Producer. A stream starts (again): what was queued is dropped. A format we do not play is
 * refused (counted, described for the consumer) and the queue stays stopped. false when
 * refused. */
bool vg_pcm_queue_start(struct vg_pcm_queue *q, int bits, int channels, int rate);
/* size bytes of PCM (data borrowed) that arrived at now_ns (monotonic). Refused (false,
 * counted) outside a stream, when not whole frames, or longer than VG_PCM_MAX_PACKET_MS. */
bool vg_pcm_queue_push(struct vg_pcm_queue *q, const void *data, size_t size, uint64_t now_ns);
/* The stream stopped: the chunks queued still play; the partial one is dropped. */
void vg_pcm_queue_stop(struct vg_pcm_queue *q);
/* The connection is gone (no stop will come): as stop, and why (borrowed, copied) for the
 * consumer. */
void vg_pcm_queue_disconnected(struct vg_pcm_queue *q, const char *why);

/* Consumer: one step, as enum vg_audio_read_result. FORMAT once per start (restarted: a stream
 * came before); CHUNK copies the oldest whole chunk into dst (cap bytes, borrowed) when it fits
 * (else FORMAT again); NONE with active (a stream is open) and, when !active, a reason.
 * *chunk_at_ns: when the newest whole chunk became complete (0: none yet), for the caller's
 * schedule. Leaves out->wake_ns 0. */
int vg_pcm_queue_read(struct vg_pcm_queue *q, void *dst, size_t cap, struct vg_audio_read *out,
                      uint64_t *chunk_at_ns);
void vg_pcm_queue_counters(struct vg_pcm_queue *q, struct vg_pcm_queue_counters *out);
/* The last refusal in words into buf (size bytes, borrowed; empty when none); returns a serial
 * that grows with each new one. */
uint32_t vg_pcm_queue_last_error(struct vg_pcm_queue *q, char *buf, size_t size);
