/* The Looking Glass B7 client harness in every build: the seeds reach every frame and cursor
 * they hold, and reproducible mutations of them (header, queue, descriptor, frame and cursor
 * fields set to edge or random values, truncation) never crash, hang or break a contract.
 * Under -DVG_SANITIZE=ON any read out of bounds fails it. */
#include <stdio.h>
#include <string.h>

#include "lgmp_fuzz.h"
#include "testlib.h"
#include "vg/lgmp.h"
#include "vg/time.h"

#define MUTATIONS 30000

static uint8_t seeds[LGMP_FUZZ_SEEDS][LGMP_FUZZ_REGION_SIZE];
static size_t seed_len[LGMP_FUZZ_SEEDS];

static uint64_t next(uint64_t *s)
{
    /* xorshift64*: reproducible across runs and platforms */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(0x2545F4914F6CDD1D);
}

static void seeds_reach_every_message(void)
{
    /* Per seed: frames, cursors, of which shapes, and whether SETCURSORPOS was accepted. */
    static const int want[LGMP_FUZZ_SEEDS][4] = {
        {1, 2, 1, 1}, /* BGRA; COLOR shape + position */
        {2, 2, 1, 1}, /* BGR_32 twice; MONOCHROME + hidden position */
        {2, 4, 2, 1}, /* RGB_24 clamped (P10) + BGRA, wrapped rings; MASKED_COLOR twice */
        {2, 1, 1, 1}, /* RGBA16F re-posted; reaped id on the frame queue, id 31 on pointer */
        {2, 3, 0, 1}, /* RGBA10 padded + RGBA; positions only */
    };
    for (int n = 0; n < LGMP_FUZZ_SEEDS; n++) {
        seed_len[n] = lgmp_fuzz_seed(n, seeds[n], sizeof(seeds[n]));
        CHECK(seed_len[n] == LGMP_FUZZ_REGION_SIZE);
        struct lgmp_fuzz_stats st;
        lgmp_fuzz_run(seeds[n], seed_len[n], &st);
        CHECK_MSG(st.session == 1 && st.subscribed == 2 && st.frames == want[n][0] &&
                      st.cursors == want[n][1] && st.shapes == want[n][2] && st.sent == want[n][3],
                  "seed %d: session %d, %d subscriptions, %d frames, %d cursors, %d shapes, "
                  "sent %d",
                  n, st.session, st.subscribed, st.frames, st.cursors, st.shapes, st.sent);
    }
    CHECK(lgmp_fuzz_seed(0, seeds[0], LGMP_FUZZ_REGION_SIZE - 1) == 0);
    seed_len[0] = lgmp_fuzz_seed(0, seeds[0], sizeof(seeds[0]));
}

/* Where the fields are: mutations land there most of the time. */
static const struct {
    uint32_t at, len;
} hot[] = {
    {0, 32},        /* magic .. numQueues */
    {32, 24},       /* queue 0: id .. messagesOffset */
    {32 + 408, 64}, /* queue 0: lock .. cMsgRSerial */
    {1176, 24},     /* queue 1 */
    {1176 + 408, 64},
    {5752, 4 + LGMP_FUZZ_UDATA_SIZE},  /* udataSize and the user data */
    {LGMP_FUZZ_FRAME_DESCS, 48 + 336}, /* descriptors */
    {LGMP_FUZZ_SHAPE0, 24},            /* cursor headers */
    {LGMP_FUZZ_SHAPE1, 24},
    {LGMP_FUZZ_POS_BUFS, 96},
    {LGMP_FUZZ_SLOT0, 64},        /* frame headers */
    {LGMP_FUZZ_SLOT0 + 56, 1028}, /* damage rects, flags */
    {LGMP_FUZZ_SLOT0 + 4092, 4},  /* wp */
    {LGMP_FUZZ_SLOT1, 64},
    {LGMP_FUZZ_SLOT1 + 56, 1028},
    {LGMP_FUZZ_SLOT1 + 4092, 4},
};

static void mutated_regions_never_break_the_client(void)
{
    static const uint64_t edges[] = {
        0,          1,          2,          3,          4,
        5,          6,          7,          8,          16,
        20,         21,         24,         31,         32,
        33,         47,         48,         64,         65,
        255,        256,        512,        513,        1083,
        1084,       1088,       4092,       4096,       5756,
        5760,       16384,      16385,      40960,      0x7FFFFFFF,
        0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, UINT64_MAX, UINT64_C(1) << 32};
    static uint8_t buf[LGMP_FUZZ_REGION_SIZE];
    uint64_t rng = 0x4C474D50; /* "LGMP" */
    int frames = 0, cursors = 0, sessions = 0;
    const uint64_t start = vg_time_ns();
    for (int i = 0; i < MUTATIONS; i++) {
        const int n = (int)(next(&rng) % LGMP_FUZZ_SEEDS);
        size_t len = seed_len[n];
        memcpy(buf, seeds[n], len);
        const int changes = 1 + (int)(next(&rng) % 4);
        for (int k = 0; k < changes; k++) {
            size_t at;
            if (next(&rng) % 8 != 0) {
                const size_t r = next(&rng) % (sizeof(hot) / sizeof(hot[0]));
                at = hot[r].at + next(&rng) % hot[r].len;
            } else {
                at = next(&rng) % len;
            }
            const uint64_t v = next(&rng) % 3 == 0
                                   ? next(&rng)
                                   : edges[next(&rng) % (sizeof(edges) / sizeof(edges[0]))];
            static const size_t widths[] = {1, 2, 4, 4, 4, 8};
            const size_t w = widths[next(&rng) % 6];
            at &= ~(w - 1);
            if (at + w <= len)
                memcpy(buf + at, &v, w);
        }
        if (next(&rng) % 16 == 0)
            len = (size_t)(next(&rng) % len);
        struct lgmp_fuzz_stats st;
        lgmp_fuzz_run(buf, len, &st);
        frames += st.frames > 0;
        cursors += st.cursors > 0;
        sessions += st.session;
    }
    const double s = (double)(vg_time_ns() - start) / 1e9;
    fprintf(stderr, "%d mutations in %.2f s: %d sessions, %d with frames, %d with cursors\n",
            MUTATIONS, s, sessions, frames, cursors);
    /* Many mutations leave valid messages: the harness went past validation. */
    CHECK(sessions > MUTATIONS / 2);
    CHECK(frames > MUTATIONS / 4);
    CHECK(cursors > MUTATIONS / 4);
}

/* Inputs shorter than the header, and the empty input: padded, never read past. */
static void short_inputs_are_padded(void)
{
    struct lgmp_fuzz_stats st;
    CHECK(lgmp_fuzz_run(NULL, 0, &st) == 0 && st.session == 0);
    CHECK(lgmp_fuzz_run(seeds[0], 100, &st) == 0 && st.session == 0);
    /* A whole header but no user data in the input: the session fails on udataSize. */
    CHECK(lgmp_fuzz_run(seeds[0], 5760, &st) == 0 && st.session == 0);
    CHECK(lgmp_fuzz_run(seeds[0], 5756 + LGMP_FUZZ_UDATA_SIZE, &st) == 0 && st.session == 1);
}

int main(void)
{
    RUN(seeds_reach_every_message);
    RUN(mutated_regions_never_break_the_client);
    RUN(short_inputs_are_padded);
    return vg_test_finish();
}
