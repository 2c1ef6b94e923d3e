/* The ring between the player and the real-time callback: it starts at the start level, plays
 * silence on underrun and waits for the start level again (no crackle, no spiral), reports the
 * lowest fill of each window and drops the oldest audio when the player asks, never more than
 * leaves the call short, counting what it did. */
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
    vg_audio_ring_commit(r, 0);
}

static void starts_at_the_start_level_and_underruns_into_silence(void)
{
    struct vg_audio_ring r;
    CHECK(vg_audio_ring_init(&r, CHUNK * BPF, BPF, 8, 48000));
    vg_audio_ring_set_levels(&r, 1440, 4 * CHUNK);
    push(&r, 7);
    CHECK(vg_audio_ring_consume(&r, out, 256, 0) == 0); /* 960 < 1440: not yet */
    CHECK(out[0] == 0 && out[511] == 0);
    push(&r, 8);
    /* 1920 >= 1440 + 256 (the call): starts from 1696 frames before the end (224 skipped), so
     * that the call leaves the start level. */
    CHECK(vg_audio_ring_consume(&r, out, 256, 0) == 256);
    CHECK(out[0] == 7);
    CHECK(vg_audio_ring_fill(&r) == 1440);
    CHECK(vg_audio_ring_consume(&r, out, 1440, 0) == 1440);
    CHECK(out[1439 * 2] == 8);
    memset(out, 0x55, sizeof(out));
    CHECK(vg_audio_ring_consume(&r, out, 256, 0) == 0);
    CHECK(out[0] == 0 && out[511] == 0);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&r, &c);
    CHECK(c.underruns == 1 && c.played_frames == 1696 && c.dropped_frames == 224);
    /* After the underrun: waits for the start level again. */
    push(&r, 9);
    CHECK(vg_audio_ring_consume(&r, out, 256, 0) == 0);
    push(&r, 10);
    CHECK(vg_audio_ring_consume(&r, out, 256, 0) == 256);
    vg_audio_ring_finish(&r);
}

static void a_requested_drop_takes_the_oldest_and_never_starves_the_call(void)
{
    struct vg_audio_ring r;
    CHECK(vg_audio_ring_init(&r, CHUNK * BPF, BPF, 8, 48000));
    vg_audio_ring_set_levels(&r, CHUNK - 150, 10 * CHUNK); /* starts 50 frames in */
    push(&r, 1);
    CHECK(vg_audio_ring_consume(&r, out, 100, 0) == 100);
    for (int16_t v = 2; v <= 6; v++)
        push(&r, v);
    /* No request: a high fill alone is kept (a late graph cycle catches up by itself). */
    CHECK(vg_audio_ring_consume(&r, out, 100, 0) == 100);
    CHECK(out[0] == 1);
    vg_audio_ring_request_drop(&r, 710 + 4 * CHUNK);
    CHECK(vg_audio_ring_consume(&r, out, 100, 0) == 100);
    CHECK_MSG(out[0] == 6, "played %d, want the newest chunk", out[0]);
    /* dropped: the 50 skipped at the start, and the request */
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&r, &c);
    CHECK(c.trims == 1 && c.dropped_frames == 760 + 4 * CHUNK);
    CHECK(vg_audio_ring_fill(&r) == CHUNK - 100);
    /* A request larger than the fill leaves what the call needs. */
    vg_audio_ring_request_drop(&r, 10 * CHUNK);
    CHECK(vg_audio_ring_consume(&r, out, 300, 0) == 300);
    CHECK(vg_audio_ring_fill(&r) == 0);
    vg_audio_ring_counters(&r, &c);
    CHECK(c.trims == 2 && c.dropped_frames == 760 + 4 * CHUNK + CHUNK - 400 &&
          c.underruns == 0);
    vg_audio_ring_finish(&r);
}

static void a_graph_stall_is_counted_and_drops_nothing(void)
{
    struct vg_audio_ring r;
    CHECK(vg_audio_ring_init(&r, CHUNK * BPF, BPF, 8, 48000));
    vg_audio_ring_set_levels(&r, CHUNK - 256, 10 * CHUNK);
    vg_audio_ring_late(&r, 500); /* not playing yet: not counted */
    push(&r, 1);
    push(&r, 2);
    CHECK(vg_audio_ring_consume(&r, out, 256, 0) == 256); /* starts at 960: 960 skipped */
    CHECK(out[0] == 2 && vg_audio_ring_fill(&r) == CHUNK - 256);
    push(&r, 3);
    /* The graph skipped 300 frames of time: every frame still plays, in order; the fill is
     * that much higher than it would have been (the rate control's to bring back). */
    vg_audio_ring_late(&r, 300);
    CHECK(vg_audio_ring_consume(&r, out, 800, 0) == 800);
    CHECK(out[0] == 2 && out[(CHUNK - 257) * 2] == 2 && out[(CHUNK - 256) * 2] == 3);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&r, &c);
    CHECK_MSG(c.stalls == 1 && c.late_frames == 300 && c.dropped_frames == CHUNK,
              "stalls %llu, late %llu, dropped %llu", (unsigned long long)c.stalls,
              (unsigned long long)c.late_frames, (unsigned long long)c.dropped_frames);
    CHECK(vg_audio_ring_fill(&r) == 2 * CHUNK - 256 - 800);
    /* A long one: still nothing dropped. */
    vg_audio_ring_late(&r, 1500);
    CHECK(vg_audio_ring_consume(&r, out, 256, 0) == 256);
    CHECK(vg_audio_ring_fill(&r) == 2 * CHUNK - 256 - 800 - 256);
    vg_audio_ring_counters(&r, &c);
    CHECK(c.stalls == 2 && c.late_frames == 1800 && c.dropped_frames == CHUNK &&
          c.underruns == 0 && c.trims == 0);
    vg_audio_ring_finish(&r);
}

static void reports_the_lowest_fill_of_each_window(void)
{
    struct vg_audio_ring r;
    CHECK(vg_audio_ring_init(&r, CHUNK * BPF, BPF, 8, 48000));
    vg_audio_ring_set_levels(&r, CHUNK - 120, 1440);
    push(&r, 1);
    push(&r, 2);
    push(&r, 3);
    /* Starts at CHUNK + 120 (1800 frames skipped); fills after each call: 840, 600, 360, then
     * a chunk in: 1080, 840, 600. */
    for (int i = 0; i < 3; i++)
        CHECK(vg_audio_ring_consume(&r, out, 240, 0) == 240);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&r, &c);
    CHECK(c.windows == 0);
    push(&r, 4);
    for (int i = 0; i < 3; i++)
        CHECK(vg_audio_ring_consume(&r, out, 240, 0) == 240);
    vg_audio_ring_counters(&r, &c);
    /* 6 x 240 = 1440 frames played: one window, lowest fill 360. */
    CHECK_MSG(c.windows == 1 && c.window_min == 360, "windows %llu, min %llu",
              (unsigned long long)c.windows, (unsigned long long)c.window_min);
    vg_audio_ring_finish(&r);
}

static void a_full_ring_refuses_a_chunk(void)
{
    struct vg_audio_ring r;
    CHECK(vg_audio_ring_init(&r, CHUNK * BPF, BPF, 2, 48000));
    push(&r, 1);
    push(&r, 2);
    CHECK(vg_audio_ring_chunk_slot(&r) == NULL);
    vg_audio_ring_finish(&r);
}

int main(void)
{
    RUN(starts_at_the_start_level_and_underruns_into_silence);
    RUN(a_requested_drop_takes_the_oldest_and_never_starves_the_call);
    RUN(a_graph_stall_is_counted_and_drops_nothing);
    RUN(reports_the_lowest_fill_of_each_window);
    RUN(a_full_ring_refuses_a_chunk);
    return vg_test_finish();
}
