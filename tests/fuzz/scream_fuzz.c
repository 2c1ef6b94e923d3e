/* Stand-in harness: see scream_fuzz.h. */
#include "scream_fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "vg/scream.h"

#define MAX_EXTRA (1u << 20)

static void require(int cond)
{
    if (!cond)
        abort();
}

int scream_fuzz_run(const uint8_t *data, size_t len)
{
    if (len < VG_SCREAM_HEADER_SIZE + 4)
        return 0;
    const uint8_t *e = data + VG_SCREAM_HEADER_SIZE;
    uint32_t extra = ((uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
                      (uint32_t)e[3] << 24) % (MAX_EXTRA + 1);
    size_t size = VG_SCREAM_HEADER_SIZE + extra;
    uint8_t *region = calloc(1, size);
    if (!region)
        return 0;
    struct vg_scream_header h;
    memcpy(&h, data, sizeof(h));
    memcpy(region, &h, sizeof(h));
    struct vg_scream_layout l;
    int valid = vg_scream_validate(&h, size, &l) == VG_SCREAM_OK;
    if (valid) {
        require((uint64_t)l.offset + (uint64_t)l.max_chunks * l.chunk_size <= size);
        require(l.write_idx < l.max_chunks && l.channels >= 1 && l.channels <= 8);
        volatile uint8_t sum = 0;
        for (uint32_t i = 0; i < l.max_chunks; i++) {
            const uint8_t *c = region + l.offset + (size_t)i * l.chunk_size;
            sum ^= c[0] ^ c[l.chunk_size - 1];
        }
        (void)sum;
        struct vg_scream_writer *w = vg_scream_writer_create(region, size);
        if (w && vg_scream_writer_open(w, l.rate, l.bits, l.channels, l.channel_map) == 0) {
            struct vg_scream_layout wl;
            if (vg_scream_writer_layout(w, &wl)) {
                uint8_t *chunk = calloc(1, wl.chunk_size);
                if (chunk)
                    require(vg_scream_writer_write(w, chunk) == 0);
                free(chunk);
            }
        }
        vg_scream_writer_destroy(w);
    }
    free(region);
    return valid;
}

size_t scream_fuzz_seed(int n, uint8_t *out, size_t cap)
{
    static const uint32_t rates[SCREAM_FUZZ_SEEDS] = {48000, 44100, 96000, 192000};
    static const uint32_t bits[SCREAM_FUZZ_SEEDS] = {16, 24, 32, 16};
    static const uint32_t channels[SCREAM_FUZZ_SEEDS] = {2, 2, 8, 6};
    if (n < 0 || n >= SCREAM_FUZZ_SEEDS || cap < VG_SCREAM_HEADER_SIZE + 4)
        return 0;
    size_t size = VG_SCREAM_HEADER_SIZE + 256 * 1024;
    uint8_t *region = calloc(1, size);
    struct vg_scream_writer *w = region ? vg_scream_writer_create(region, size) : NULL;
    size_t len = 0;
    if (w && vg_scream_writer_open(w, rates[n], bits[n], channels[n], 0) == 0) {
        memcpy(out, region, VG_SCREAM_HEADER_SIZE);
        uint32_t extra = (uint32_t)(size - VG_SCREAM_HEADER_SIZE);
        for (int i = 0; i < 4; i++)
            out[VG_SCREAM_HEADER_SIZE + i] = (uint8_t)(extra >> (8 * i));
        len = VG_SCREAM_HEADER_SIZE + 4;
    }
    vg_scream_writer_destroy(w);
    free(region);
    return len;
}
