/* The Scream IVSHMEM audio ring as the Scream driver (4.0) writes it: facts in
 * docs/scream.md. Little-endian, natural alignment; every offset a reader depends on is
 * asserted. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define VG_SCREAM_MAGIC 0x11112014u
#define VG_SCREAM_HEADER_SIZE 24u
#define VG_SCREAM_CHUNK_MS 20u
#define VG_SCREAM_MAX_CHANNELS 8u
#define VG_SCREAM_MAX_CHANNEL_MAP 0x7FFu
#define VG_SCREAM_RATE_BASE_44100 0x80u /* rate byte bit 7: base 44100, else 48000 */

struct vg_scream_header {
    uint32_t magic;       /* VG_SCREAM_MAGIC while a stream is open; written last */
    uint16_t write_idx;   /* index of the last chunk written */
    uint8_t offset;       /* where chunk 0 starts (24) */
    uint8_t pad0;
    uint16_t max_chunks;  /* chunks in the ring */
    uint16_t pad1;
    uint32_t chunk_size;  /* bytes per chunk (20 ms) */
    uint8_t sample_rate;  /* bit 7 base 44100 else 48000; low 7 bits multiplier (!= 0) */
    uint8_t sample_size;  /* 16, 24 (packed) or 32 */
    uint8_t channels;     /* 1..8 */
    uint8_t pad2;
    uint16_t channel_map; /* WAVEFORMATEXTENSIBLE dwChannelMask low bits, <= 0x7FF */
    uint16_t pad3;
};

_Static_assert(sizeof(struct vg_scream_header) == VG_SCREAM_HEADER_SIZE, "scream header size");
_Static_assert(offsetof(struct vg_scream_header, magic) == 0, "scream magic");
_Static_assert(offsetof(struct vg_scream_header, write_idx) == 4, "scream write_idx");
_Static_assert(offsetof(struct vg_scream_header, offset) == 6, "scream offset");
_Static_assert(offsetof(struct vg_scream_header, max_chunks) == 8, "scream max_chunks");
_Static_assert(offsetof(struct vg_scream_header, chunk_size) == 12, "scream chunk_size");
_Static_assert(offsetof(struct vg_scream_header, sample_rate) == 16, "scream sample_rate");
_Static_assert(offsetof(struct vg_scream_header, sample_size) == 17, "scream sample_size");
_Static_assert(offsetof(struct vg_scream_header, channels) == 18, "scream channels");
_Static_assert(offsetof(struct vg_scream_header, channel_map) == 20, "scream channel_map");

/* Speaker positions of channel_map bits (Windows order). */
enum vg_scream_speaker {
    VG_SCREAM_FL = 0, VG_SCREAM_FR, VG_SCREAM_FC, VG_SCREAM_LFE, VG_SCREAM_BL, VG_SCREAM_BR,
    VG_SCREAM_FLC, VG_SCREAM_FRC, VG_SCREAM_BC, VG_SCREAM_SL, VG_SCREAM_SR,
};
