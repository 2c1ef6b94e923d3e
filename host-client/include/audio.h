/* Audio path: a source reads the guest's audio (audio_source.h: the Scream IVSHMEM ring), a
 * sink plays it (audio_sink.h: a PipeWire stream), the player (audio_player.h) moves chunks
 * from one to the other through a lock-free ring and keeps the buffer at its target with the
 * sink's adaptive resampler. This header: what all three share. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define VG_AUDIO_MAX_CHANNELS 8u

/* Interleaved signed little-endian integer PCM; 24-bit is packed (3 bytes per sample). */
struct vg_audio_format {
    uint32_t rate;        /* Hz */
    uint32_t bits;        /* 16, 24, 32 */
    uint32_t channels;    /* 1..VG_AUDIO_MAX_CHANNELS */
    uint32_t channel_map; /* Windows speaker mask, one bit per channel in order (see
                             vg_audio_positions) */
};

static inline uint32_t vg_audio_bytes_per_frame(const struct vg_audio_format *f)
{
    return f->bits / 8 * f->channels;
}

static inline bool vg_audio_format_equal(const struct vg_audio_format *a,
                                         const struct vg_audio_format *b)
{
    return a->rate == b->rate && a->bits == b->bits && a->channels == b->channels &&
           a->channel_map == b->channel_map;
}

/* Speaker of each channel from the mask's set bits, lowest first; bit numbers of
 * enum vg_scream_speaker (0 FL .. 10 SR). Channels beyond the mask's bits get -1 (unknown).
 * Returns the number of channels positioned from the mask. */
uint32_t vg_audio_positions(const struct vg_audio_format *f, int out[VG_AUDIO_MAX_CHANNELS]);

/* "48000 Hz 16-bit 2 ch (FL FR)" into buf. */
const char *vg_audio_format_str(const struct vg_audio_format *f, char *buf, unsigned size);
