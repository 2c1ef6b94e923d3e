/* The PCM queue harness in every build: a valid stream first (so that reads reach chunks), then
 * random scripts of starts, packets, stops and reads, mostly well-formed, with noise. Under
 * -DVG_SANITIZE=ON any access out of bounds fails it. */
#include <string.h>

#include "pcm_queue_fuzz.h"
#include "testlib.h"

#define INPUTS 1500

static uint64_t rng = 4242;

static uint8_t rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint8_t)(rng >> 56);
}

/* start 16-bit stereo 48 kHz: op 0, bits, channels, rate 48000 = 0x00bb80. */
static size_t put_start(uint8_t *p, uint8_t channels, uint32_t rate)
{
    const uint8_t s[] = {
        0, 16, channels, (uint8_t)rate, (uint8_t)(rate >> 8), (uint8_t)(rate >> 16)};
    memcpy(p, s, sizeof(s));
    return sizeof(s);
}

static void a_valid_stream_delivers_its_chunks(void)
{
    uint8_t in[64] = {8};
    size_t n = 1;
    n += put_start(in + n, 2, 48000);
    in[n++] = 4; /* the format */
    /* 3 pushes of 3840 bytes (0x0f00): 3 chunks */
    for (int k = 0; k < 3; k++) {
        in[n++] = 1;
        in[n++] = 0x00;
        in[n++] = 0x0f;
    }
    in[n++] = 7;
    CHECK(pcm_queue_fuzz_run(in, n) == 3);
}

static void random_scripts_never_crash_or_corrupt(void)
{
    static const uint32_t rates[] = {48000, 44100, 8000, 192000, 96000, 7999, 11025, 0};
    uint8_t in[256];
    int delivered = 0;
    for (int k = 0; k < INPUTS; k++) {
        size_t len = 16 + rnd() % (sizeof(in) - 16), n = 0;
        in[n++] = rnd();
        n += put_start(in + n, (uint8_t)(1 + rnd() % 8), rates[rnd() % 5]);
        while (n + 6 < len) {
            uint8_t pick = rnd() % 16;
            if (pick < 6) {
                /* whole frames of 1..8 channels, a few ms each */
                uint16_t bytes = (uint16_t)((1 + rnd() % 16) * 96u * (1 + rnd() % 8));
                in[n++] = 1;
                in[n++] = (uint8_t)bytes;
                in[n++] = (uint8_t)(bytes >> 8);
            } else if (pick < 11) {
                in[n++] = (uint8_t)(rnd() % 4 == 0 ? 7 : 4);
            } else if (pick == 11) {
                n += put_start(in + n, (uint8_t)rnd(), rates[rnd() % 8]);
            } else {
                in[n++] = rnd();
            }
        }
        delivered += pcm_queue_fuzz_run(in, n);
    }
    CHECK_MSG(delivered > 500, "only %d chunks delivered over %d inputs", delivered, INPUTS);
}

int main(void)
{
    RUN(a_valid_stream_delivers_its_chunks);
    RUN(random_scripts_never_crash_or_corrupt);
    return vg_test_finish();
}
