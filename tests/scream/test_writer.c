/* The Scream ring writer: what it leaves in the region validates, chunks land where a reader
 * looks for them (the first at index 1, wrapping at max_chunks), the header is whole while a
 * stream is open and all zero after it closes, a format change rewrites it, and the ring never
 * reaches past the region (unlike the driver's geometry). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "testlib.h"
#include "vg/scream.h"

#define CHUNK_48K_16_2 3840u

static uint8_t *region_alloc(size_t size)
{
    /* 4-byte aligned like any mapping; filled with garbage so "zeroed" means something. */
    uint8_t *p = aligned_alloc(64, (size + 63) / 64 * 64);
    if (p)
        memset(p, 0xEE, size);
    return p;
}

static struct vg_scream_header read_header(const uint8_t *base)
{
    struct vg_scream_header h;
    memcpy(&h, base, sizeof(h));
    return h;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i])
            return false;
    }
    return true;
}

static void test_create_refuses_unusable_memory(void)
{
    static uint32_t mem[64];
    CHECK(vg_scream_writer_create(NULL, 4096) == NULL);
    CHECK(vg_scream_writer_create(mem, 23) == NULL);
    CHECK(vg_scream_writer_create((uint8_t *)mem + 1, 128) == NULL);
    struct vg_scream_writer *w = vg_scream_writer_create(mem, sizeof(mem));
    CHECK(w != NULL);
    /* 256 bytes cannot hold 2 chunks of any format. */
    if (w)
        CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0) == -EINVAL);
    vg_scream_writer_destroy(w);
    vg_scream_writer_destroy(NULL);
}

static void test_open_writes_a_header_that_validates(void)
{
    const size_t size = 2u << 20;
    uint8_t *base = region_alloc(size);
    struct vg_scream_writer *w = vg_scream_writer_create(base, size);
    CHECK(w != NULL);
    if (!w) {
        free(base);
        return;
    }
    /* Nothing is written before a stream opens. */
    CHECK(base[0] == 0xEE && base[23] == 0xEE);
    struct vg_scream_layout wl;
    CHECK(!vg_scream_writer_layout(w, &wl));

    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0) == 0);
    struct vg_scream_header h = read_header(base);
    CHECK(h.magic == VG_SCREAM_MAGIC);
    CHECK(h.write_idx == 0 && h.offset == 24 && h.chunk_size == CHUNK_48K_16_2);
    CHECK(h.sample_rate == 0x01 && h.sample_size == 16 && h.channels == 2);
    CHECK_MSG(h.channel_map == 0x3, "map 0 wrote 0x%x, not the stereo default", h.channel_map);
    CHECK(h.max_chunks == (size - 24) / CHUNK_48K_16_2);
    /* The header was zeroed before the fields: no garbage left in the padding. */
    CHECK(h.pad0 == 0 && h.pad1 == 0 && h.pad2 == 0 && h.pad3 == 0);

    struct vg_scream_layout l;
    CHECK(vg_scream_validate(&h, size, &l) == VG_SCREAM_OK);
    CHECK(vg_scream_writer_layout(w, &wl));
    CHECK(memcmp(&l, &wl, sizeof(l)) == 0);

    /* An explicit map is written as given. */
    CHECK(vg_scream_writer_open(w, 96000, 24, 6, 0x3F) == 0);
    h = read_header(base);
    CHECK(h.sample_rate == 0x02 && h.sample_size == 24 && h.channels == 6 &&
          h.channel_map == 0x3F && h.chunk_size == 3 * 6 * 1920);
    CHECK(vg_scream_validate(&h, size, NULL) == VG_SCREAM_OK);

    vg_scream_writer_destroy(w);
    CHECK_MSG(all_zero(base, 24), "destroy left the header set");
    free(base);
}

static void test_chunks_land_from_index_1_and_wrap(void)
{
    /* Room for 5 chunks and a tail the ring must not touch. */
    const size_t ring = 24 + 5 * CHUNK_48K_16_2, size = ring + 1000;
    uint8_t *base = region_alloc(size);
    struct vg_scream_writer *w = vg_scream_writer_create(base, size);
    if (!w) {
        CHECK(w != NULL);
        free(base);
        return;
    }
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0) == 0);
    struct vg_scream_header h = read_header(base);
    CHECK(h.max_chunks == 5);

    uint8_t chunk[CHUNK_48K_16_2];
    /* Chunk n is filled with byte n; where it lands is index n mod 5. */
    for (uint32_t n = 1; n <= 12; n++) {
        memset(chunk, (int)n, sizeof(chunk));
        CHECK(vg_scream_writer_write(w, chunk) == 0);
        uint32_t idx = n % 5;
        h = read_header(base);
        CHECK_MSG(h.write_idx == idx, "chunk %u published index %u, want %u", n, h.write_idx, idx);
        const uint8_t *at = base + 24 + (size_t)idx * CHUNK_48K_16_2;
        CHECK_MSG(at[0] == n && at[CHUNK_48K_16_2 - 1] == n &&
                      memcmp(at, chunk, sizeof(chunk)) == 0,
                  "chunk %u not at index %u", n, idx);
        struct vg_scream_layout l;
        CHECK(vg_scream_validate(&h, size, &l) == VG_SCREAM_OK && l.write_idx == idx);
    }
    /* After 12 chunks: indexes 1, 2 hold 11, 12; 3, 4, 0 hold 8, 9, 10. */
    static const uint8_t want[5] = {10, 11, 12, 8, 9};
    for (int i = 0; i < 5; i++)
        CHECK(base[24 + (size_t)i * CHUNK_48K_16_2] == want[i]);
    CHECK_MSG(base[ring] == 0xEE && base[size - 1] == 0xEE, "the writer wrote past its ring");
    vg_scream_writer_destroy(w);
    free(base);
}

static void test_close_zeroes_the_header_and_stops_writes(void)
{
    const size_t size = 24 + 4 * CHUNK_48K_16_2;
    uint8_t *base = region_alloc(size);
    struct vg_scream_writer *w = vg_scream_writer_create(base, size);
    if (!w) {
        CHECK(w != NULL);
        free(base);
        return;
    }
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0) == 0);
    uint8_t chunk[CHUNK_48K_16_2];
    memset(chunk, 0x11, sizeof(chunk));
    CHECK(vg_scream_writer_write(w, chunk) == 0);
    vg_scream_writer_close(w);
    CHECK_MSG(all_zero(base, 24), "close left header bytes set");
    struct vg_scream_header h = read_header(base);
    CHECK(vg_scream_validate(&h, size, NULL) == VG_SCREAM_ERR_MAGIC);
    struct vg_scream_layout l;
    CHECK(!vg_scream_writer_layout(w, &l));

    /* Writes while closed are refused and touch nothing. */
    memset(chunk, 0x22, sizeof(chunk));
    CHECK(vg_scream_writer_write(w, chunk) == -EINVAL);
    CHECK(base[24 + 2 * CHUNK_48K_16_2] == 0xEE);
    CHECK(all_zero(base, 24));
    vg_scream_writer_close(w); /* twice is harmless */
    CHECK(all_zero(base, 24));

    /* Reopening starts over at index 1. */
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0) == 0);
    CHECK(read_header(base).write_idx == 0);
    CHECK(vg_scream_writer_write(w, chunk) == 0);
    CHECK(read_header(base).write_idx == 1 && base[24 + CHUNK_48K_16_2] == 0x22);
    vg_scream_writer_destroy(w);
    CHECK(all_zero(base, 24));
    free(base);
}

static void test_format_change_rewrites_the_header(void)
{
    const size_t size = 2u << 20;
    uint8_t *base = region_alloc(size);
    struct vg_scream_writer *w = vg_scream_writer_create(base, size);
    if (!w) {
        CHECK(w != NULL);
        free(base);
        return;
    }
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0) == 0);
    static uint8_t chunk[32 * 1920 * 8];
    for (int i = 0; i < 7; i++)
        CHECK(vg_scream_writer_write(w, chunk) == 0);
    CHECK(read_header(base).write_idx == 7);

    CHECK(vg_scream_writer_open(w, 44100, 24, 8, 0) == 0);
    struct vg_scream_header h = read_header(base);
    struct vg_scream_layout l;
    CHECK(vg_scream_validate(&h, size, &l) == VG_SCREAM_OK);
    CHECK(l.rate == 44100 && l.bits == 24 && l.channels == 8 && l.channel_map == 0x63F);
    CHECK(h.sample_rate == 0x81 && h.chunk_size == 3 * 8 * 882);
    CHECK(h.write_idx == 0 && h.max_chunks == (size - 24) / (3 * 8 * 882));
    memset(chunk, 0x5C, 3 * 8 * 882);
    CHECK(vg_scream_writer_write(w, chunk) == 0);
    h = read_header(base);
    CHECK(h.write_idx == 1 && base[24 + 3 * 8 * 882] == 0x5C);

    /* A format that cannot be written leaves the open stream as it was. */
    uint8_t before[24];
    memcpy(before, base, 24);
    CHECK(vg_scream_writer_open(w, 50000, 16, 2, 0) == -EINVAL);
    CHECK(vg_scream_writer_open(w, 48000, 8, 2, 0) == -EINVAL);
    CHECK(vg_scream_writer_open(w, 48000, 16, 0, 0) == -EINVAL);
    CHECK(vg_scream_writer_open(w, 48000, 16, 9, 0) == -EINVAL);
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x800) == -EINVAL);
    CHECK(vg_scream_writer_open(w, 48000, 16, 2, 0x7) == -EINVAL);
    CHECK(vg_scream_writer_open(w, 432000, 16, 2, 0) == -EINVAL);
    CHECK(memcmp(before, base, 24) == 0);
    CHECK(vg_scream_writer_layout(w, &l) && l.rate == 44100 && l.write_idx == 1);
    vg_scream_writer_destroy(w);
    free(base);
}

static void test_geometry_never_exceeds_the_region(void)
{
    static const uint32_t rates[] = {44100, 48000, 96000, 192000};
    static const uint32_t sizes[] = {16, 24, 32};
    uint8_t *base = region_alloc(4096);
    int checked = 0;
    for (size_t r = 0; r < 4; r++) {
        for (size_t s = 0; s < 3; s++) {
            for (uint32_t ch = 1; ch <= 8; ch += 7) {
                uint32_t chunk = sizes[s] / 8 * ch * rates[r] / 50;
                /* Around the edges: the smallest that fits, exact multiples of the chunk size
                 * (where the driver's geometry overruns), and libvirt's 2 MiB. */
                const size_t cases[] = {24 + 2 * chunk - 1,
                                        24 + 2 * chunk,
                                        3 * (size_t)chunk,
                                        10 * (size_t)chunk,
                                        10 * (size_t)chunk + 23,
                                        10 * (size_t)chunk + 24,
                                        2u << 20};
                for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                    /* The writer touches only the header: the size is what it is told. */
                    struct vg_scream_writer *w = vg_scream_writer_create(base, cases[c]);
                    CHECK(w != NULL);
                    if (!w)
                        continue;
                    int ret = vg_scream_writer_open(w, rates[r], sizes[s], ch, 0);
                    size_t want = (cases[c] - 24) / chunk;
                    if (want < 2) {
                        CHECK_MSG(ret == -EINVAL, "%zu bytes held a ring of %zu", cases[c], want);
                    } else {
                        struct vg_scream_header h = read_header(base);
                        CHECK_MSG(ret == 0 && h.max_chunks == want,
                                  "%u/%u/%u in %zu bytes: %u chunks, want %zu", rates[r], sizes[s],
                                  ch, cases[c], h.max_chunks, want);
                        CHECK(24 + (uint64_t)h.max_chunks * h.chunk_size <= cases[c]);
                        CHECK(vg_scream_validate(&h, cases[c], NULL) == VG_SCREAM_OK);
                        checked++;
                    }
                    vg_scream_writer_destroy(w);
                }
            }
        }
    }
    CHECK(checked > 100);
    free(base);

    /* A region so large that the u16 max_chunks caps the ring. Only the header is touched. */
    const size_t huge = 24 + 70000u * 1764u;
    void *m = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    CHECK(m != MAP_FAILED);
    if (m == MAP_FAILED)
        return;
    struct vg_scream_writer *w = vg_scream_writer_create(m, huge);
    CHECK(w && vg_scream_writer_open(w, 44100, 16, 1, 0) == 0);
    struct vg_scream_header h = read_header(m);
    CHECK(h.max_chunks == 0xFFFF && h.chunk_size == 1764);
    CHECK(vg_scream_validate(&h, huge, NULL) == VG_SCREAM_OK);
    vg_scream_writer_destroy(w);
    munmap(m, huge);
}

int main(void)
{
    RUN(test_create_refuses_unusable_memory);
    RUN(test_open_writes_a_header_that_validates);
    RUN(test_chunks_land_from_index_1_and_wrap);
    RUN(test_close_zeroes_the_header_and_stops_writes);
    RUN(test_format_change_rewrites_the_header);
    RUN(test_geometry_never_exceeds_the_region);
    return vg_test_finish();
}
