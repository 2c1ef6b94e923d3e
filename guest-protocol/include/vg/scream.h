/* The Scream ring: validator (pure, no I/O) and writer. The host's reader lives in
 * host-client/audio/ and validates through vg_scream_validate. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vg/scream_wire.h"

enum vg_scream_error {
    VG_SCREAM_OK = 0,
    VG_SCREAM_ERR_MAGIC,        /* no stream open (magic absent) */
    VG_SCREAM_ERR_RATE,         /* multiplier 0, or a rate above 384 kHz */
    VG_SCREAM_ERR_SAMPLE_SIZE,  /* not 16, 24 or 32 */
    VG_SCREAM_ERR_CHANNELS,     /* 0 or > 8 */
    VG_SCREAM_ERR_CHANNEL_MAP,  /* > 0x7FF, or more bits set than channels */
    VG_SCREAM_ERR_CHUNK_SIZE,   /* != bytes per frame x rate / 50 */
    VG_SCREAM_ERR_OFFSET,       /* < 24 */
    VG_SCREAM_ERR_MAX_CHUNKS,   /* 0, or offset + max_chunks x chunk_size > region size */
    VG_SCREAM_ERR_WRITE_IDX,    /* >= max_chunks */
    VG_SCREAM_ERR_COUNT,
};

const char *vg_scream_error_str(enum vg_scream_error e);

/* A validated format and ring geometry: use it, never the shared header again. */
struct vg_scream_layout {
    uint32_t rate;            /* Hz */
    uint32_t bits;            /* 16, 24, 32 */
    uint32_t channels;        /* 1..8 */
    uint32_t channel_map;     /* the mask as given, or the fallback (see vg_scream_validate) */
    uint32_t bytes_per_frame; /* bits / 8 x channels */
    uint32_t chunk_size;      /* bytes per 20 ms chunk */
    uint32_t chunk_frames;    /* frames per chunk (rate / 50) */
    uint32_t offset;          /* region offset of chunk 0 */
    uint32_t max_chunks;
    uint32_t write_idx;
};

/* Decodes the rate byte; 0 if its multiplier is 0. Rates above 384 kHz decode (up to
 * 127 x 48000); vg_scream_validate refuses them. */
uint32_t vg_scream_rate_decode(uint8_t rate_byte);
/* Encodes 44100 * k or 48000 * k (k 1..127); false if the rate has no encoding. */
bool vg_scream_rate_encode(uint32_t rate, uint8_t *out);

/* Validates a private copy of the header (borrowed) against the region size; fills out
 * (borrowed, may be NULL) only on VG_SCREAM_OK. A channel mask of 0, or one with fewer bits set
 * than channels, falls back to the default layout for that many channels (1: FC, 2: FL FR,
 * 3: FL FR FC, 4: FL FR BL BR, 5: +FC, 6: 5.1, 7: 6.1 BC, 8: 7.1 SL SR); a mask above 0x7FF, or
 * with more bits set than channels, is VG_SCREAM_ERR_CHANNEL_MAP. */
enum vg_scream_error vg_scream_validate(const struct vg_scream_header *h, uint64_t region_size,
                                        struct vg_scream_layout *out);
/* The default mask for 1..8 channels (the fallback above); 0 for any other count. */
uint32_t vg_scream_default_channel_map(uint32_t channels);

/* The writer, as the Scream driver writes: header zeroed, fields, magic last; per chunk: index
 * advanced (wrapping), chunk copied, index published (release store). One difference: the
 * driver sets max_chunks = region size / chunk size, so its last chunk can run past the end of
 * the region; this writer uses (region size - 24) / chunk size (at most 65535), so
 * offset + max_chunks x chunk_size never exceeds the region. Not thread-safe: one thread
 * writes. */
struct vg_scream_writer;

/* base (borrowed, 4-byte aligned, must outlive the writer) maps size bytes; NULL if base is
 * NULL, misaligned, size < 24 or out of memory. The header is not touched until open. */
struct vg_scream_writer *vg_scream_writer_create(void *base, size_t size);
void vg_scream_writer_destroy(struct vg_scream_writer *w); /* closes the stream; NULL ok */
/* Opens (or changes to) a format; -EINVAL if invalid or the ring cannot hold 2 chunks.
 * channel_map 0 writes the default mask for the channel count. write_idx starts at 0, so the
 * first chunk after every open lands at index 1. */
int vg_scream_writer_open(struct vg_scream_writer *w, uint32_t rate, uint32_t bits,
                          uint32_t channels, uint32_t channel_map);
/* Writes one chunk of chunk_size bytes (borrowed); 0, or -EINVAL when no stream is open. */
int vg_scream_writer_write(struct vg_scream_writer *w, const void *chunk);
/* Closes the stream: header zeroed. */
void vg_scream_writer_close(struct vg_scream_writer *w);
/* The open format's layout (chunk_size etc.); false when closed. */
bool vg_scream_writer_layout(const struct vg_scream_writer *w, struct vg_scream_layout *out);
