/* The ring between the player and the real-time callback: it starts at the start level, plays
 * silence on underrun and waits for the start level again (no crackle, no spiral), and trims
 * a burst back to the target, counting what it did. */
#include <stdint.h>
#include <string.h>

#include "audio_ring.h"
#include "testlib.h"

#define BPF 4u     /* 16-bit stereo */
#define CHUNK 960u /* frames per 20 ms chunk at 48 kHz */

static int16_t out[4096 * 2];

static void push(struct vg_audio_ring *r, int16_t value)
{
    int16_t *slot = vg_audio_ring_chunk_slot(r);
    CHECK(slot != NULL);
    if (!slot)
        return;
    for (unsigned i = 0; i < CHUNK * 2; i++)
        slot[i] = value;
    vg_audio_ring_commit(r);
}

static void starts_at_the_start_level_and_underruns_into_silence(void)
{
    struct vg_audio_ring r;
    CHECK(vg_audio_ring_init(&r, CHUNK * BPF, BPF, 8));
    vg_audio_ring_set_levels(&r, 1440, 4 * CHUNK, 1440);
    push(&r, 7);
    CHECK(vg_audio_ring_consume(&r, out, 256) == 0); /* 960 < 1440: not yet */
    CHECK(out[0] == 0 && out[511] == 0);
    push(&r, 8);
    /* 1920 >= 1440: starts, from 1440 frames before the end (480 skipped). */
    CHECK(vg_audio_ring_consume(&r, out, 256) == 256);
    CHECK(out[0] == 7);
    CHECK(vg_audio_ring_fill(&r) == 1440 - 256);
    CHECK(vg_audio_ring_consume(&r, out, 1184) == 1184);
    CHECK(out[1183 * 2] == 8);
    memset(out, 0x55, sizeof(out));
    CHECK(vg_audio_ring_consume(&r, out, 256) == 0);
    CHECK(out[0] == 0 && out[511] == 0);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&r, &c);
    CHECK(c.underruns == 1 && c.played_frames == 1440);
    /* After the underrun: waits for the start level again. */
    push(&r, 9);
    CHECK(vg_audio_ring_consume(&r, out, 256) == 0);
    push(&r, 10);
    CHECK(vg_audio_ring_consume(&r, out, 256) == 256);
    vg_audio_ring_finish(&r);
}

static void a_burst_is_trimmed_to_the_target_oldest_first(void)
{
    struct vg_audio_ring r;
    CHECK(vg_audio_ring_init(&r, CHUNK * BPF, BPF, 8));
    vg_audio_ring_set_levels(&r, CHUNK, 3 * CHUNK, CHUNK);
    push(&r, 1);
    CHECK(vg_audio_ring_consume(&r, out, 100) == 100);
    for (int16_t v = 2; v <= 6; v++)
        push(&r, v);
    CHECK(vg_audio_ring_consume(&r, out, 100) == 100);
    CHECK_MSG(out[0] == 6, "played %d, want the newest chunk", out[0]);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&r, &c);
    CHECK(c.trims == 1 && c.dropped_frames == 860 + 5 * CHUNK - CHUNK);
    CHECK(vg_audio_ring_fill(&r) == CHUNK - 100);
    vg_audio_ring_finish(&r);
}

static void a_full_ring_refuses_a_chunk(void)
{
    struct vg_audio_ring r;
    CHECK(vg_audio_ring_init(&r, CHUNK * BPF, BPF, 2));
    push(&r, 1);
    push(&r, 2);
    CHECK(vg_audio_ring_chunk_slot(&r) == NULL);
    vg_audio_ring_finish(&r);
}

int main(void)
{
    RUN(starts_at_the_start_level_and_underruns_into_silence);
    RUN(a_burst_is_trimmed_to_the_target_oldest_first);
    RUN(a_full_ring_refuses_a_chunk);
    return vg_test_finish();
}
