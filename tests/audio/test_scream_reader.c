/* The Scream ring reader over memory the writer (vg-scream) fills, and over headers broken one
 * field at a time: it follows streams, format changes, restarts and a writer far ahead, and
 * never copies a byte from a header that fails validation. */
#include <stdlib.h>
#include <string.h>

#include "scream_reader.h"
#include "testlib.h"

#define REGION (24 + 16 * 3840)
#define CHUNK_48K_S16_2 3840u

static uint8_t *region;
static uint8_t chunk[CHUNK_48K_S16_2 * 8];
static uint8_t dst[CHUNK_48K_S16_2 * 8];

static struct vg_scream_writer *fresh(void)
{
    memset(region, 0, REGION);
    return vg_scream_writer_create(region, REGION);
}

static void write_n(struct vg_scream_writer *w, int n, uint8_t first)
{
    struct vg_scream_layout l;
    CHECK(vg_scream_writer_layout(w, &l));
    for (int i = 0; i < n; i++) {
        memset(chunk, first + i, l.chunk_size);
        CHECK(vg_scream_writer_write(w, chunk) == 0);
    }
}

static void zeroed_region_is_closed(void)
{
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    memset(region, 0, REGION);
    vg_scream_reader_init(&r, region, REGION, 4);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CLOSED);
}

static void stream_opens_then_chunks_arrive_in_order(void)
{
    struct vg_scream_writer *w = fresh();
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    vg_scream_reader_init(&r, region, REGION, 4);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    CHECK(info.layout.rate == 48000 && info.layout.bits == 16 && info.layout.channels == 2);
    CHECK(info.layout.chunk_size == CHUNK_48K_S16_2);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_NONE);
    for (int i = 0; i < 40; i++) { /* wraps the 16-chunk ring */
        write_n(w, 1, (uint8_t)(i + 1));
        CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
        CHECK(dst[0] == (uint8_t)(i + 1) && dst[CHUNK_48K_S16_2 - 1] == (uint8_t)(i + 1));
        CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_NONE);
    }
    vg_scream_writer_destroy(w);
}

static void a_stream_found_running_starts_at_the_newest_chunk(void)
{
    struct vg_scream_writer *w = fresh();
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    write_n(w, 10, 1);
    vg_scream_reader_init(&r, region, REGION, 4);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_NONE);
    write_n(w, 1, 50);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
    CHECK(dst[0] == 50);
    vg_scream_writer_destroy(w);
}

static void far_behind_keeps_only_the_newest_chunks(void)
{
    struct vg_scream_writer *w = fresh();
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    vg_scream_reader_init(&r, region, REGION, 3);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    write_n(w, 10, 1); /* chunks 1..10 */
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
    CHECK_MSG(info.dropped == 7 && dst[0] == 8, "dropped %u, got chunk %u", info.dropped, dst[0]);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
    CHECK(dst[0] == 9 && info.dropped == 0);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
    CHECK(dst[0] == 10);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_NONE);
    vg_scream_writer_destroy(w);
}

static void format_change_is_reported_and_followed(void)
{
    struct vg_scream_writer *w = fresh();
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    vg_scream_reader_init(&r, region, REGION, 4);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    write_n(w, 1, 1);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
    CHECK(vg_scream_writer_open(w, 44100, 24, 2, 0x3) == 0);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    CHECK(info.layout.rate == 44100 && info.layout.bits == 24 && !info.restarted);
    CHECK(info.layout.chunk_size == 882 * 6);
    write_n(w, 1, 7);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
    CHECK(dst[0] == 7 && dst[882 * 6 - 1] == 7);
    vg_scream_writer_destroy(w);
}

static void restart_is_seen_through_the_closed_header(void)
{
    struct vg_scream_writer *w = fresh();
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    vg_scream_reader_init(&r, region, REGION, 4);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    write_n(w, 5, 1);
    vg_scream_writer_close(w);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CLOSED);
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    CHECK(info.restarted);
    write_n(w, 1, 33);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
    CHECK(dst[0] == 33);
    vg_scream_writer_destroy(w);
}

static void a_chunk_larger_than_the_buffer_is_not_copied(void)
{
    struct vg_scream_writer *w = fresh();
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    vg_scream_reader_init(&r, region, REGION, 4);
    CHECK(vg_scream_reader_next(&r, dst, 100, &info) == VG_SCREAM_READ_FORMAT);
    write_n(w, 1, 1);
    memset(dst, 0xEE, sizeof(dst));
    CHECK(vg_scream_reader_next(&r, dst, 100, &info) == VG_SCREAM_READ_FORMAT);
    CHECK(dst[0] == 0xEE);
    vg_scream_writer_destroy(w);
}

struct breakage {
    const char *name;
    void (*apply)(struct vg_scream_header *h);
    enum vg_scream_error want;
};

static void rate_zero(struct vg_scream_header *h) { h->sample_rate = 0x80; }
static void rate_huge(struct vg_scream_header *h) { h->sample_rate = 0x7F; }
static void size_20(struct vg_scream_header *h) { h->sample_size = 20; }
static void size_8(struct vg_scream_header *h) { h->sample_size = 8; }
static void channels_0(struct vg_scream_header *h) { h->channels = 0; }
static void channels_9(struct vg_scream_header *h) { h->channels = 9; }
static void map_high(struct vg_scream_header *h) { h->channel_map = 0x803; }
static void map_bits(struct vg_scream_header *h) { h->channel_map = 0x7; }
static void chunk_small(struct vg_scream_header *h) { h->chunk_size = 3839; }
static void chunk_huge(struct vg_scream_header *h) { h->chunk_size = 0xFFFFFFFFu; }
static void offset_small(struct vg_scream_header *h) { h->offset = 8; }
static void max_zero(struct vg_scream_header *h) { h->max_chunks = 0; }
static void max_over(struct vg_scream_header *h) { h->max_chunks = 17; }
static void max_wraps(struct vg_scream_header *h) { h->max_chunks = 0xFFFF; }
static void idx_over(struct vg_scream_header *h) { h->write_idx = 16; }
static void magic_off(struct vg_scream_header *h) { h->magic = 0x11112015; }

static void every_malformed_field_is_refused(void)
{
    static const struct breakage cases[] = {
        {"rate multiplier 0", rate_zero, VG_SCREAM_ERR_RATE},
        {"rate 127 x 48 kHz", rate_huge, VG_SCREAM_ERR_RATE},
        {"sample size 20", size_20, VG_SCREAM_ERR_SAMPLE_SIZE},
        {"sample size 8", size_8, VG_SCREAM_ERR_SAMPLE_SIZE},
        {"0 channels", channels_0, VG_SCREAM_ERR_CHANNELS},
        {"9 channels", channels_9, VG_SCREAM_ERR_CHANNELS},
        {"channel map above 0x7FF", map_high, VG_SCREAM_ERR_CHANNEL_MAP},
        {"more speakers than channels", map_bits, VG_SCREAM_ERR_CHANNEL_MAP},
        {"chunk size not 20 ms", chunk_small, VG_SCREAM_ERR_CHUNK_SIZE},
        {"chunk size 4 GiB", chunk_huge, VG_SCREAM_ERR_CHUNK_SIZE},
        {"offset inside the header", offset_small, VG_SCREAM_ERR_OFFSET},
        {"no chunks", max_zero, VG_SCREAM_ERR_MAX_CHUNKS},
        {"ring past the region", max_over, VG_SCREAM_ERR_MAX_CHUNKS},
        {"ring of 65535 chunks", max_wraps, VG_SCREAM_ERR_MAX_CHUNKS},
        {"write index past the ring", idx_over, VG_SCREAM_ERR_WRITE_IDX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vg_scream_writer *w = fresh();
        CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
        write_n(w, 3, 1);
        struct vg_scream_header h;
        memcpy(&h, region, sizeof(h));
        cases[i].apply(&h);
        memcpy(region, &h, sizeof(h));
        struct vg_scream_reader r;
        struct vg_scream_read_info info;
        vg_scream_reader_init(&r, region, REGION, 4);
        memset(dst, 0xEE, sizeof(dst));
        for (int k = 0; k < 3; k++) {
            enum vg_scream_read_status st = vg_scream_reader_next(&r, dst, sizeof(dst), &info);
            CHECK_MSG(st == VG_SCREAM_READ_INVALID && info.error == cases[i].want,
                      "%s: status %d error %d (%s), want INVALID %d", cases[i].name, st,
                      info.error, vg_scream_error_str(info.error), cases[i].want);
        }
        CHECK_MSG(dst[0] == 0xEE, "%s: copied from an invalid ring", cases[i].name);
        vg_scream_writer_destroy(w);
    }
    /* A wrong magic is "no stream", not an error. */
    struct vg_scream_writer *w = fresh();
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    struct vg_scream_header h;
    memcpy(&h, region, sizeof(h));
    magic_off(&h);
    memcpy(region, &h, sizeof(h));
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    vg_scream_reader_init(&r, region, REGION, 4);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CLOSED);
    vg_scream_writer_destroy(w);
    /* A region smaller than the header. */
    vg_scream_reader_init(&r, region, 10, 4);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_INVALID);
}

static void a_header_broken_mid_stream_stops_delivery_and_recovers(void)
{
    struct vg_scream_writer *w = fresh();
    struct vg_scream_reader r;
    struct vg_scream_read_info info;
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x3) == 0);
    vg_scream_reader_init(&r, region, REGION, 4);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    write_n(w, 1, 1);
    struct vg_scream_header *h = (struct vg_scream_header *)(void *)region;
    uint8_t saved = h->channels;
    h->channels = 0;
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_INVALID);
    h->channels = saved;
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_FORMAT);
    write_n(w, 1, 9);
    CHECK(vg_scream_reader_next(&r, dst, sizeof(dst), &info) == VG_SCREAM_READ_CHUNK);
    CHECK(dst[0] == 9);
    vg_scream_writer_destroy(w);
}

int main(void)
{
    region = malloc(REGION); /* exactly the region: a read past it is caught under ASan */
    if (!region)
        return 1;
    RUN(zeroed_region_is_closed);
    RUN(stream_opens_then_chunks_arrive_in_order);
    RUN(a_stream_found_running_starts_at_the_newest_chunk);
    RUN(far_behind_keeps_only_the_newest_chunks);
    RUN(format_change_is_reported_and_followed);
    RUN(restart_is_seen_through_the_closed_header);
    RUN(a_chunk_larger_than_the_buffer_is_not_copied);
    RUN(every_malformed_field_is_refused);
    RUN(a_header_broken_mid_stream_stops_delivery_and_recovers);
    free(region);
    return vg_test_finish();
}
