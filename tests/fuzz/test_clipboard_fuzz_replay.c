/* The clipboard harness in every build: valid texts of every sequence length, then random
 * mutations of them (bytes flipped, cut, NULs put in). Each kept text must pass the harness's
 * invariants; under -DVG_SANITIZE=ON any access out of bounds fails it. */
#include <string.h>

#include "clipboard_fuzz.h"
#include "testlib.h"

#define INPUTS 20000

static uint64_t rng = 77;

static uint8_t rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint8_t)(rng >> 56);
}

static const char *const seeds[] = {
    "plain",
    "caf\xc3\xa9",
    "\xe2\x82\xac 5",
    "\xf0\x9f\x98\x80 smile",
    "\xf4\x8f\xbf\xbf",
    "trailing\0\0",
    "",
};

static void valid_texts_are_kept_in_each_allowed_direction(void)
{
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        uint8_t in[64] = {3};
        size_t n = strlen(seeds[i]) + (i == 5 ? 2 : 0);
        memcpy(in + 1, seeds[i], n);
        CHECK_MSG(clipboard_fuzz_run(in, n + 1) == 1, "seed %zu not kept", i);
        in[0] = 1; /* to the guest only: nothing comes to the host */
        CHECK(clipboard_fuzz_run(in, n + 1) == 0);
    }
}

static void mutated_texts_keep_the_invariants(void)
{
    int kept = 0;
    for (int k = 0; k < INPUTS; k++) {
        uint8_t in[96];
        const char *s = seeds[rnd() % (sizeof(seeds) / sizeof(seeds[0]))];
        size_t n = 1 + strlen(s);
        in[0] = rnd() & 3;
        memcpy(in + 1, s, n - 1);
        /* more text, random bytes, or valid ones */
        while (n < sizeof(in) && rnd() < 200)
            in[n++] = rnd() < 128 ? (uint8_t)(0x20 + rnd() % 90) : rnd();
        for (int m = rnd() % 4; m > 0; m--)
            in[1 + rnd() % (n - 1 ? n - 1 : 1)] = rnd();
        kept += clipboard_fuzz_run(in, n);
    }
    fprintf(stderr, "  %d of %d inputs kept\n", kept, INPUTS);
    CHECK(kept > 0 && kept < INPUTS);
}

int main(void)
{
    RUN(valid_texts_are_kept_in_each_allowed_direction);
    RUN(mutated_texts_keep_the_invariants);
    return vg_test_finish();
}
