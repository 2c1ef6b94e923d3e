/* The Scream header validator: every malformed field is named by its own error, the rate byte
 * decodes and encodes as the driver writes it, the channel map falls back where Windows leaves
 * it out, and every format the driver can write validates with the geometry it implies. */
#include <stdint.h>
#include <string.h>

#include "testlib.h"
#include "vg/scream.h"

#define MIB (UINT64_C(1) << 20)
#define REGION (2 * MIB)

/* A valid 48 kHz 16-bit stereo header, as the driver writes it into a 2 MiB region. */
static struct vg_scream_header good(void)
{
    return (struct vg_scream_header){
        .magic = VG_SCREAM_MAGIC,
        .write_idx = 5,
        .offset = 24,
        .max_chunks = 500,
        .chunk_size = 3840,
        .sample_rate = 0x01,
        .sample_size = 16,
        .channels = 2,
        .channel_map = 0x3,
    };
}

static void expect(const struct vg_scream_header *h, uint64_t region, enum vg_scream_error want,
                   const char *what)
{
    struct vg_scream_layout l;
    memset(&l, 0xAB, sizeof(l));
    enum vg_scream_error got = vg_scream_validate(h, region, &l);
    CHECK_MSG(got == want, "%s: got '%s', want '%s'", what, vg_scream_error_str(got),
              vg_scream_error_str(want));
}

static void test_good_header_gives_its_layout(void)
{
    struct vg_scream_header h = good();
    struct vg_scream_layout l;
    CHECK(vg_scream_validate(&h, REGION, &l) == VG_SCREAM_OK);
    CHECK(l.rate == 48000 && l.bits == 16 && l.channels == 2 && l.channel_map == 0x3);
    CHECK(l.bytes_per_frame == 4 && l.chunk_frames == 960 && l.chunk_size == 3840);
    CHECK(l.offset == 24 && l.max_chunks == 500 && l.write_idx == 5);
    CHECK(vg_scream_validate(&h, REGION, NULL) == VG_SCREAM_OK);
}

static void test_each_malformed_field_has_its_error(void)
{
    struct vg_scream_header h;

    h = good(), h.magic = 0;
    expect(&h, REGION, VG_SCREAM_ERR_MAGIC, "magic 0 (closed stream)");
    h = good(), h.magic = VG_SCREAM_MAGIC ^ 1;
    expect(&h, REGION, VG_SCREAM_ERR_MAGIC, "magic off by a bit");

    h = good(), h.sample_rate = 0x00;
    expect(&h, REGION, VG_SCREAM_ERR_RATE, "rate multiplier 0, base 48000");
    h = good(), h.sample_rate = 0x80;
    expect(&h, REGION, VG_SCREAM_ERR_RATE, "rate multiplier 0, base 44100");
    h = good(), h.sample_rate = 0x09;
    expect(&h, REGION, VG_SCREAM_ERR_RATE, "432 kHz");
    h = good(), h.sample_rate = 0xFF;
    expect(&h, REGION, VG_SCREAM_ERR_RATE, "127 x 44100");

    static const uint8_t bad_sizes[] = {0, 8, 20, 31, 33, 255};
    for (size_t i = 0; i < sizeof(bad_sizes); i++) {
        h = good(), h.sample_size = bad_sizes[i];
        expect(&h, REGION, VG_SCREAM_ERR_SAMPLE_SIZE, "sample size");
    }

    h = good(), h.channels = 0;
    expect(&h, REGION, VG_SCREAM_ERR_CHANNELS, "0 channels");
    h = good(), h.channels = 9;
    expect(&h, REGION, VG_SCREAM_ERR_CHANNELS, "9 channels");
    h = good(), h.channels = 255;
    expect(&h, REGION, VG_SCREAM_ERR_CHANNELS, "255 channels");

    h = good(), h.channel_map = 0x800;
    expect(&h, REGION, VG_SCREAM_ERR_CHANNEL_MAP, "map 0x800 (bit 11: no such speaker)");
    h = good(), h.channel_map = 0xFFFF;
    expect(&h, REGION, VG_SCREAM_ERR_CHANNEL_MAP, "map 0xFFFF");
    h = good(), h.channel_map = 0x7;
    expect(&h, REGION, VG_SCREAM_ERR_CHANNEL_MAP, "3 speakers for 2 channels");

    h = good(), h.chunk_size = 3839;
    expect(&h, REGION, VG_SCREAM_ERR_CHUNK_SIZE, "chunk size one short");
    h = good(), h.chunk_size = 3841;
    expect(&h, REGION, VG_SCREAM_ERR_CHUNK_SIZE, "chunk size one over");
    h = good(), h.chunk_size = 0;
    expect(&h, REGION, VG_SCREAM_ERR_CHUNK_SIZE, "chunk size 0");
    h = good(), h.chunk_size = UINT32_MAX;
    expect(&h, REGION, VG_SCREAM_ERR_CHUNK_SIZE, "chunk size UINT32_MAX");

    h = good(), h.offset = 23;
    expect(&h, REGION, VG_SCREAM_ERR_OFFSET, "offset 23 (inside the header)");
    h = good(), h.offset = 0;
    expect(&h, REGION, VG_SCREAM_ERR_OFFSET, "offset 0");

    h = good(), h.max_chunks = 0;
    expect(&h, REGION, VG_SCREAM_ERR_MAX_CHUNKS, "max_chunks 0");

    h = good(), h.write_idx = 500;
    expect(&h, REGION, VG_SCREAM_ERR_WRITE_IDX, "write_idx == max_chunks");
    h = good(), h.write_idx = 0xFFFF;
    expect(&h, REGION, VG_SCREAM_ERR_WRITE_IDX, "write_idx 0xFFFF");
    h = good(), h.write_idx = 499;
    expect(&h, REGION, VG_SCREAM_OK, "write_idx max_chunks - 1");
}

static void test_ring_past_the_region_end_is_refused(void)
{
    struct vg_scream_header h = good();
    /* Exactly filling the region is fine; one byte less is not. */
    h.max_chunks = 546; /* 24 + 546 x 3840 = 2096664 */
    expect(&h, 24 + 546 * 3840, VG_SCREAM_OK, "ring ending at the region's end");
    expect(&h, 24 + 546 * 3840 - 1, VG_SCREAM_ERR_MAX_CHUNKS, "ring one byte past the end");
    /* What the driver writes: region size / chunk size, the header not subtracted. */
    h.max_chunks = (uint16_t)(REGION / 3840); /* 546: 24 + 546 x 3840 <= 2 MiB still */
    expect(&h, REGION, VG_SCREAM_OK, "driver geometry at 48k/16/2 in 2 MiB");
    h.max_chunks = 547;
    expect(&h, REGION, VG_SCREAM_ERR_MAX_CHUNKS, "547 chunks of 3840 in 2 MiB");
    /* A region of exactly max_chunks x chunk_size is the driver's bug: the last chunk runs 24
     * bytes past the end. */
    h = good();
    h.max_chunks = 100;
    expect(&h, 100 * 3840, VG_SCREAM_ERR_MAX_CHUNKS, "driver's off-by-header geometry");
    expect(&h, 0, VG_SCREAM_ERR_MAX_CHUNKS, "region of 0 bytes");
    expect(&h, 23, VG_SCREAM_ERR_MAX_CHUNKS, "region smaller than the header");

    /* The largest values the fields hold: 65535 chunks of the largest chunk (384 kHz, 32-bit,
     * 8 ch = 245760 bytes) after offset 255 need ~16 GB; no wrap-around may let them pass. */
    h = (struct vg_scream_header){
        .magic = VG_SCREAM_MAGIC,
        .offset = 255,
        .max_chunks = 0xFFFF,
        .chunk_size = 32 * 7680,
        .sample_rate = 0x08,
        .sample_size = 32,
        .channels = 8,
        .channel_map = 0x63F,
    };
    uint64_t need = 255 + UINT64_C(0xFFFF) * 32 * 7680;
    expect(&h, need, VG_SCREAM_OK, "largest ring in a region just large enough");
    expect(&h, need - 1, VG_SCREAM_ERR_MAX_CHUNKS, "largest ring one byte short");
    expect(&h, UINT32_MAX, VG_SCREAM_ERR_MAX_CHUNKS, "largest ring in a 4 GiB region");
    expect(&h, UINT64_MAX, VG_SCREAM_OK, "largest ring in an endless region");
}

static void test_rate_byte_decodes_and_encodes(void)
{
    static const struct {
        uint32_t rate;
        uint8_t byte;
    } table[] = {
        {48000, 0x01},  {96000, 0x02},  {192000, 0x04}, {44100, 0x81},  {88200, 0x82},
        {176400, 0x84}, {144000, 0x03}, {384000, 0x08}, {352800, 0x88}, {132300, 0x83},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        CHECK_MSG(vg_scream_rate_decode(table[i].byte) == table[i].rate, "decode 0x%02x",
                  table[i].byte);
        uint8_t b = 0;
        CHECK_MSG(vg_scream_rate_encode(table[i].rate, &b) && b == table[i].byte,
                  "encode %u gave 0x%02x", table[i].rate, b);
    }
    CHECK(vg_scream_rate_decode(0x00) == 0);
    CHECK(vg_scream_rate_decode(0x80) == 0);
    static const uint32_t no_encoding[] = {0,     1,     22050,       32000,      50000,
                                           44099, 48001, 128 * 48000, 128 * 44100};
    for (size_t i = 0; i < sizeof(no_encoding) / sizeof(no_encoding[0]); i++) {
        uint8_t b = 0x5A;
        CHECK_MSG(!vg_scream_rate_encode(no_encoding[i], &b) && b == 0x5A, "encoded %u",
                  no_encoding[i]);
    }
}

static void test_channel_map_falls_back_to_the_default_layout(void)
{
    static const uint32_t defaults[9] = {0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3F, 0x13F, 0x63F};
    for (uint32_t ch = 1; ch <= 8; ch++) {
        CHECK(vg_scream_default_channel_map(ch) == defaults[ch]);
        CHECK((uint32_t)__builtin_popcount(defaults[ch]) == ch);
        struct vg_scream_header h = good();
        h.channels = (uint8_t)ch;
        h.chunk_size = 2 * ch * 960;
        h.max_chunks = 10;
        struct vg_scream_layout l;
        h.channel_map = 0;
        CHECK_MSG(vg_scream_validate(&h, REGION, &l) == VG_SCREAM_OK &&
                      l.channel_map == defaults[ch],
                  "map 0 with %u channels gave 0x%x", ch, l.channel_map);
        if (ch >= 2) {
            h.channel_map = 0x1; /* fewer speakers than channels */
            CHECK_MSG(vg_scream_validate(&h, REGION, &l) == VG_SCREAM_OK &&
                          l.channel_map == defaults[ch],
                      "map 0x1 with %u channels gave 0x%x", ch, l.channel_map);
        }
    }
    /* A full map is kept as given, even an unusual one. */
    struct vg_scream_header h = good();
    h.channel_map = 0x600; /* SL SR */
    struct vg_scream_layout l;
    CHECK(vg_scream_validate(&h, REGION, &l) == VG_SCREAM_OK && l.channel_map == 0x600);
    CHECK(vg_scream_default_channel_map(0) == 0 && vg_scream_default_channel_map(9) == 0);
}

static void test_every_driver_format_validates(void)
{
    static const uint32_t rates[] = {44100, 48000, 96000, 192000};
    static const uint32_t sizes[] = {16, 24, 32};
    int n = 0;
    for (size_t r = 0; r < 4; r++) {
        for (size_t s = 0; s < 3; s++) {
            for (uint32_t ch = 1; ch <= 8; ch++) {
                uint8_t rate_byte;
                CHECK(vg_scream_rate_encode(rates[r], &rate_byte));
                uint32_t chunk = sizes[s] / 8 * ch * rates[r] / 50;
                /* The driver's geometry in a 2 MiB region, trimmed to fit like ours. */
                uint32_t max = (uint32_t)((REGION - 24) / chunk);
                struct vg_scream_header h = {
                    .magic = VG_SCREAM_MAGIC,
                    .write_idx = (uint16_t)(max - 1),
                    .offset = 24,
                    .max_chunks = (uint16_t)max,
                    .chunk_size = chunk,
                    .sample_rate = rate_byte,
                    .sample_size = (uint8_t)sizes[s],
                    .channels = (uint8_t)ch,
                    .channel_map = (uint16_t)vg_scream_default_channel_map(ch),
                };
                struct vg_scream_layout l;
                enum vg_scream_error e = vg_scream_validate(&h, REGION, &l);
                CHECK_MSG(e == VG_SCREAM_OK, "%u Hz %u-bit %u ch: %s", rates[r], sizes[s], ch,
                          vg_scream_error_str(e));
                if (e != VG_SCREAM_OK)
                    continue;
                CHECK(l.rate == rates[r] && l.bits == sizes[s] && l.channels == ch);
                CHECK(l.bytes_per_frame == sizes[s] / 8 * ch);
                CHECK(l.chunk_frames == rates[r] / 50 && l.chunk_size == chunk);
                CHECK(l.chunk_frames * l.bytes_per_frame == l.chunk_size);
                CHECK((uint64_t)l.offset + (uint64_t)l.max_chunks * l.chunk_size <= REGION);
                n++;
            }
        }
    }
    CHECK(n == 4 * 3 * 8);
}

static void test_error_strings_exist(void)
{
    for (int e = 0; e < VG_SCREAM_ERR_COUNT; e++) {
        const char *s = vg_scream_error_str((enum vg_scream_error)e);
        CHECK(s && *s && strcmp(s, "unknown error") != 0);
    }
    CHECK(strcmp(vg_scream_error_str(VG_SCREAM_ERR_COUNT), "unknown error") == 0);
    const int negative = -1;
    CHECK(strcmp(vg_scream_error_str((enum vg_scream_error)negative), "unknown error") == 0);
}

int main(void)
{
    RUN(test_good_header_gives_its_layout);
    RUN(test_each_malformed_field_has_its_error);
    RUN(test_ring_past_the_region_end_is_refused);
    RUN(test_rate_byte_decodes_and_encodes);
    RUN(test_channel_map_falls_back_to_the_default_layout);
    RUN(test_every_driver_format_validates);
    RUN(test_error_strings_exist);
    return vg_test_finish();
}
