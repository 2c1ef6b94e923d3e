/* The fuzz harness in every build: the seeds, then reproducible mutations of them (fields set
 * to edge values, random bytes). Under -DVG_SANITIZE=ON any read out of bounds fails it. */
#include <string.h>

#include "../protocol/fp_test_util.h"
#include "fp_fuzz.h"
#include "testlib.h"

#define MUTATIONS 3000

static uint8_t seeds[FP_FUZZ_SEEDS][8192];
static size_t seed_len[FP_FUZZ_SEEDS];

static void seeds_reach_the_frames(void)
{
    int frames = 0;
    for (int n = 0; n < FP_FUZZ_SEEDS; n++) {
        seed_len[n] = fp_fuzz_seed(n, seeds[n], sizeof(seeds[n]));
        CHECK(seed_len[n] > 0);
        frames += fp_fuzz_run(seeds[n], seed_len[n]) > 0;
    }
    /* Seeds 1-4 carry a frame a running producer published. */
    CHECK_MSG(frames >= 4, "only %d seeds yield a frame", frames);
}

static void mutated_seeds_never_crash(void)
{
    static const uint64_t edges[] = {0,          1,
                                     2,          3,
                                     4,          8,
                                     16,         17,
                                     255,        256,
                                     4095,       4096,
                                     4097,       16384,
                                     16385,      266240,
                                     0x7FFFFFFF, 0x80000000,
                                     0xFFFFFFFF, UINT64_C(0x100000000),
                                     UINT64_MAX, UINT64_MAX - 4095};
    uint64_t rng = 2024;
    uint8_t buf[8192];
    int frames = 0;
    for (int i = 0; i < MUTATIONS; i++) {
        const int n = (int)(fpt_rand(&rng) % FP_FUZZ_SEEDS);
        size_t len = seed_len[n];
        memcpy(buf, seeds[n], len);
        const int changes = 1 + (int)(fpt_rand(&rng) % 4);
        for (int k = 0; k < changes; k++) {
            const size_t at = (size_t)(fpt_rand(&rng) % (len / 4)) * 4;
            const uint64_t v = fpt_rand(&rng) % 3 == 0
                                   ? fpt_rand(&rng)
                                   : edges[fpt_rand(&rng) % (sizeof(edges) / sizeof(edges[0]))];
            const size_t width = fpt_rand(&rng) % 2 && at + 8 <= len ? 8 : 4;
            memcpy(buf + at, &v, width);
        }
        if (fpt_rand(&rng) % 16 == 0)
            len = (size_t)(fpt_rand(&rng) % len);
        frames += fp_fuzz_run(buf, len) > 0;
    }
    /* Many mutations leave a valid frame: the harness went past validation. */
    CHECK(frames > MUTATIONS / 20);
}

int main(void)
{
    RUN(seeds_reach_the_frames);
    RUN(mutated_seeds_never_crash);
    return vg_test_finish();
}
