/* Stand-in replay test for the Scream header harness (see scream_fuzz.h): the seeds validate,
 * and mutations of them never crash. */
#include <string.h>

#include "scream_fuzz.h"
#include "testlib.h"
#include "vg/scream.h"

#define MUTATIONS 20000

static uint8_t seeds[SCREAM_FUZZ_SEEDS][64];
static size_t seed_len[SCREAM_FUZZ_SEEDS];

static void seeds_validate(void)
{
    for (int n = 0; n < SCREAM_FUZZ_SEEDS; n++) {
        seed_len[n] = scream_fuzz_seed(n, seeds[n], sizeof(seeds[n]));
        CHECK(seed_len[n] == VG_SCREAM_HEADER_SIZE + 4);
        CHECK_MSG(scream_fuzz_run(seeds[n], seed_len[n]) == 1, "seed %d does not validate", n);
    }
}

static void mutated_headers_never_crash(void)
{
    uint64_t rng = 2026;
    int valid = 0;
    for (int i = 0; i < MUTATIONS; i++) {
        uint8_t buf[64];
        int n = i % SCREAM_FUZZ_SEEDS;
        memcpy(buf, seeds[n], seed_len[n]);
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        buf[(rng >> 33) % seed_len[n]] = (uint8_t)(rng >> 17);
        valid += scream_fuzz_run(buf, seed_len[n]);
    }
    CHECK_MSG(valid > MUTATIONS / 20, "%d of %d mutations validated", valid, MUTATIONS);
}

int main(void)
{
    RUN(seeds_validate);
    RUN(mutated_headers_never_crash);
    return vg_test_finish();
}
