/* Validator of the Scream ring header: pure functions over a private copy of the header. */
#include "vg/scream.h"

#define RATE_MULT_MASK 0x7Fu
#define MAX_RATE 384000u

static const char *const error_strs[VG_SCREAM_ERR_COUNT] = {
    [VG_SCREAM_OK] = "no error",
    [VG_SCREAM_ERR_MAGIC] = "no Scream stream open (magic absent)",
    [VG_SCREAM_ERR_RATE] = "sample rate multiplier 0 or rate above 384 kHz",
    [VG_SCREAM_ERR_SAMPLE_SIZE] = "sample size not 16, 24 or 32 bits",
    [VG_SCREAM_ERR_CHANNELS] = "channel count 0 or above 8",
    [VG_SCREAM_ERR_CHANNEL_MAP] = "channel map above 0x7FF or with more speakers than channels",
    [VG_SCREAM_ERR_CHUNK_SIZE] = "chunk size is not 20 ms of the format",
    [VG_SCREAM_ERR_OFFSET] = "chunk offset inside the 24-byte header",
    [VG_SCREAM_ERR_MAX_CHUNKS] = "ring has no chunks or runs past the end of the region",
    [VG_SCREAM_ERR_WRITE_IDX] = "write index outside the ring",
};

const char *vg_scream_error_str(enum vg_scream_error e)
{
    if ((unsigned)e >= VG_SCREAM_ERR_COUNT)
        return "unknown error";
    return error_strs[e];
}

uint32_t vg_scream_rate_decode(uint8_t rate_byte)
{
    uint32_t mult = rate_byte & RATE_MULT_MASK;
    uint32_t base = (rate_byte & VG_SCREAM_RATE_BASE_44100) ? 44100u : 48000u;
    return mult * base;
}

bool vg_scream_rate_encode(uint32_t rate, uint8_t *out)
{
    if (rate == 0)
        return false;
    if (rate % 48000u == 0 && rate / 48000u <= RATE_MULT_MASK) {
        *out = (uint8_t)(rate / 48000u);
        return true;
    }
    if (rate % 44100u == 0 && rate / 44100u <= RATE_MULT_MASK) {
        *out = (uint8_t)(VG_SCREAM_RATE_BASE_44100 | rate / 44100u);
        return true;
    }
    return false;
}

/* The layouts Windows picks for a bare channel count (KSAUDIO_SPEAKER_*). */
static const uint16_t default_maps[VG_SCREAM_MAX_CHANNELS + 1] = {
    [1] = 1u << VG_SCREAM_FC,
    [2] = 1u << VG_SCREAM_FL | 1u << VG_SCREAM_FR,
    [3] = 1u << VG_SCREAM_FL | 1u << VG_SCREAM_FR | 1u << VG_SCREAM_FC,
    [4] = 1u << VG_SCREAM_FL | 1u << VG_SCREAM_FR | 1u << VG_SCREAM_BL | 1u << VG_SCREAM_BR,
    [5] = 1u << VG_SCREAM_FL | 1u << VG_SCREAM_FR | 1u << VG_SCREAM_FC | 1u << VG_SCREAM_BL |
          1u << VG_SCREAM_BR,
    [6] = 0x3F,
    [7] = 0x3F | 1u << VG_SCREAM_BC,
    [8] = 0x3F | 1u << VG_SCREAM_SL | 1u << VG_SCREAM_SR,
};

uint32_t vg_scream_default_channel_map(uint32_t channels)
{
    if (channels == 0 || channels > VG_SCREAM_MAX_CHANNELS)
        return 0;
    return default_maps[channels];
}

enum vg_scream_error vg_scream_validate(const struct vg_scream_header *h, uint64_t region_size,
                                        struct vg_scream_layout *out)
{
    if (h->magic != VG_SCREAM_MAGIC)
        return VG_SCREAM_ERR_MAGIC;

    uint32_t rate = vg_scream_rate_decode(h->sample_rate);
    if (rate == 0 || rate > MAX_RATE)
        return VG_SCREAM_ERR_RATE;
    uint32_t bits = h->sample_size;
    if (bits != 16 && bits != 24 && bits != 32)
        return VG_SCREAM_ERR_SAMPLE_SIZE;
    uint32_t channels = h->channels;
    if (channels == 0 || channels > VG_SCREAM_MAX_CHANNELS)
        return VG_SCREAM_ERR_CHANNELS;

    uint32_t map = h->channel_map;
    if (map > VG_SCREAM_MAX_CHANNEL_MAP)
        return VG_SCREAM_ERR_CHANNEL_MAP;
    uint32_t speakers = (uint32_t)__builtin_popcount(map);
    if (speakers > channels)
        return VG_SCREAM_ERR_CHANNEL_MAP;
    if (speakers < channels)
        map = default_maps[channels];

    /* Bounded above (32 bytes x 384000 / 50), so plain 32-bit arithmetic cannot overflow; the
     * rates (44100 k, 48000 k) are all multiples of 50. */
    uint32_t bytes_per_frame = bits / 8 * channels;
    uint32_t chunk_frames = rate / (1000u / VG_SCREAM_CHUNK_MS);
    uint32_t chunk_size = bytes_per_frame * chunk_frames;
    if (h->chunk_size != chunk_size)
        return VG_SCREAM_ERR_CHUNK_SIZE;

    uint32_t offset = h->offset;
    if (offset < VG_SCREAM_HEADER_SIZE)
        return VG_SCREAM_ERR_OFFSET;

    uint32_t max_chunks = h->max_chunks;
    uint64_t ring_bytes, ring_end;
    if (max_chunks == 0 ||
        __builtin_mul_overflow((uint64_t)max_chunks, (uint64_t)chunk_size, &ring_bytes) ||
        __builtin_add_overflow(ring_bytes, (uint64_t)offset, &ring_end) || ring_end > region_size)
        return VG_SCREAM_ERR_MAX_CHUNKS;

    uint32_t write_idx = h->write_idx;
    if (write_idx >= max_chunks)
        return VG_SCREAM_ERR_WRITE_IDX;

    if (out) {
        *out = (struct vg_scream_layout){
            .rate = rate,
            .bits = bits,
            .channels = channels,
            .channel_map = map,
            .bytes_per_frame = bytes_per_frame,
            .chunk_size = chunk_size,
            .chunk_frames = chunk_frames,
            .offset = offset,
            .max_chunks = max_chunks,
            .write_idx = write_idx,
        };
    }
    return VG_SCREAM_OK;
}
