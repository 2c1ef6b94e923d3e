/* The Scream reader harness in every build: inputs built from a valid header (so reads reach
 * the chunks), then random scripts and header mutations. Under -DVG_SANITIZE=ON any read out
 * of bounds fails it. */
#include <string.h>

#include "scream_reader_fuzz.h"
#include "testlib.h"
#include "vg/scream.h"

#define INPUTS 4000

static uint64_t rng = 77;

static uint8_t rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint8_t)(rng >> 56);
}

/* A valid 48 kHz 16-bit stereo header for a ring of `chunks` chunks. */
static void valid_header(uint8_t *in, uint16_t chunks)
{
    size_t extra = (size_t)chunks * 3840u;
    in[0] = (uint8_t)extra;
    in[1] = (uint8_t)(extra >> 8);
    struct vg_scream_header h = {
        .magic = VG_SCREAM_MAGIC, .write_idx = 0, .offset = 24, .max_chunks = chunks,
        .chunk_size = 3840, .sample_rate = 1, .sample_size = 16, .channels = 2,
        .channel_map = 3,
    };
    memcpy(in + 2, &h, sizeof(h));
}

static void valid_rings_deliver_chunks(void)
{
    uint8_t in[64];
    valid_header(in, 16);
    /* read, publish 1, read, publish 2, read */
    const uint8_t script[] = {0, 2 | (0 << 3), 1, 0, 2, 2, 0, 0};
    memcpy(in + 26, script, sizeof(script));
    CHECK(scream_reader_fuzz_run(in, 26 + sizeof(script)) == 2);
}

static void random_scripts_never_crash(void)
{
    uint8_t in[512];
    int delivered = 0;
    for (int n = 0; n < INPUTS; n++) {
        uint16_t chunks = (uint16_t)(2 + rnd() % 15);
        valid_header(in, chunks);
        int mutations = rnd() % 4 == 0 ? 1 + rnd() % 3 : 0;
        for (int m = 0; m < mutations; m++)
            in[rnd() % 26] = rnd();
        size_t len = 26 + rnd() % (sizeof(in) - 26);
        /* Mostly a writer publishing chunks in order between reads, with noise. */
        uint8_t idx = 0;
        for (size_t i = 26; i < len; i++) {
            uint8_t pick = rnd() % 10;
            if (pick < 4) {
                idx = (uint8_t)((idx + 1 + (rnd() % 8 == 0 ? rnd() % 8 : 0)) % chunks);
                in[i] = 2;
                if (i + 1 < len)
                    in[++i] = idx;
            } else if (pick < 8) {
                in[i] = (uint8_t)(rnd() % 2 == 0 ? 0 : 1);
            } else {
                in[i] = rnd();
            }
        }
        delivered += scream_reader_fuzz_run(in, len);
    }
    CHECK_MSG(delivered > 100, "only %d chunks delivered over %d inputs", delivered, INPUTS);
}

int main(void)
{
    RUN(valid_rings_deliver_chunks);
    RUN(random_scripts_never_crash);
    return vg_test_finish();
}
