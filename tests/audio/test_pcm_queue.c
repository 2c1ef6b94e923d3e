/* The SPICE playback path without a server: the PCM queue that hands the playback channel's
 * packets to the player's thread in 20 ms chunks, its validation of what the server sends, the
 * "spice" source's schedule and the "auto" source's choice between Scream and SPICE. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_pcm_queue.h"
#include "audio_source.h"
#include "testlib.h"
#include "vg/time.h"

#define CHUNK_48K_STEREO (960u * 4u) /* 20 ms of 48 kHz 16-bit stereo */

static uint8_t dst[VG_PCM_MAX_CHUNK_BYTES];

/* Frames numbered in order: sample = frame number (both channels). */
static void fill_frames(int16_t *p, size_t frames, uint32_t *next)
{
    for (size_t i = 0; i < frames; i++, (*next)++) {
        p[2 * i] = (int16_t)(*next & 0x7fff);
        p[2 * i + 1] = (int16_t)(*next & 0x7fff);
    }
}

static bool push_frames(struct vg_pcm_queue *q, size_t frames, uint32_t *next, uint64_t now)
{
    int16_t *buf = malloc(frames * 4);
    fill_frames(buf, frames, next);
    bool ok = vg_pcm_queue_push(q, buf, frames * 4, now);
    free(buf);
    return ok;
}

static uint32_t first_frame(const uint8_t *chunk)
{
    int16_t v;
    memcpy(&v, chunk, 2);
    return (uint32_t)v;
}

/* The chunk holds consecutive frames from its first. */
static bool consecutive(const uint8_t *chunk, size_t frames)
{
    uint32_t f0 = first_frame(chunk);
    for (size_t i = 0; i < frames; i++) {
        int16_t l, r;
        memcpy(&l, chunk + i * 4, 2);
        memcpy(&r, chunk + i * 4 + 2, 2);
        if (l != (int16_t)((f0 + i) & 0x7fff) || r != l)
            return false;
    }
    return true;
}

static void formats_outside_what_plays_are_refused_with_the_reason(void)
{
    struct vg_audio_format f;
    size_t chunk = 0;
    char why[160];
    CHECK(vg_pcm_format_check(16, 2, 48000, &f, &chunk, why, sizeof(why)));
    CHECK(f.rate == 48000 && f.bits == 16 && f.channels == 2 && f.channel_map == 0x3);
    CHECK(chunk == CHUNK_48K_STEREO);
    CHECK(vg_pcm_format_check(16, 1, 8000, &f, &chunk, why, sizeof(why)) && chunk == 320);
    CHECK(f.channel_map == 0x4);
    CHECK(vg_pcm_format_check(16, 8, 192000, &f, &chunk, why, sizeof(why)));
    CHECK(chunk == 3840u * 16u && chunk <= VG_PCM_MAX_CHUNK_BYTES);
    CHECK(vg_pcm_format_check(16, 2, 44100, &f, &chunk, why, sizeof(why)) && chunk == 882u * 4u);

    static const struct {
        int bits, channels, rate;
        const char *word;
    } bad[] = {
        {0, 2, 48000, "bits"},       {8, 2, 48000, "bits"},
        {32, 2, 48000, "bits"},      {-1, 2, 48000, "bits"},
        {16, 0, 48000, "channels"},  {16, 9, 48000, "channels"},
        {16, -3, 48000, "channels"}, {16, 2, 0, "rate"},
        {16, 2, 7999, "rate"},       {16, 2, 192050, "rate"},
        {16, 2, -48000, "rate"},     {16, 2, 11025, "rate"},
        {16, 2, 2147483647, "rate"}, {16, 2147483647, 48000, "channels"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = 0;
        CHECK_MSG(!vg_pcm_format_check(bad[i].bits, bad[i].channels, bad[i].rate, &f, &chunk, why,
                                       sizeof(why)),
                  "%d bits %d ch %d Hz accepted", bad[i].bits, bad[i].channels, bad[i].rate);
        CHECK_MSG(strstr(why, bad[i].word) || strstr(why, "Hz"), "reason '%s'", why);
    }
}

static void packets_of_any_size_come_out_as_whole_20_ms_chunks_in_order(void)
{
    struct vg_pcm_queue *q = vg_pcm_queue_create(16);
    struct vg_audio_read rd;
    uint64_t at;
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_NONE);
    CHECK(!rd.active && strstr(rd.reason, "no SPICE playback"));
    CHECK(vg_pcm_queue_start(q, 16, 2, 48000));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_FORMAT);
    CHECK(rd.active && !rd.restarted && rd.chunk_bytes == CHUNK_48K_STEREO);
    CHECK(rd.fmt.rate == 48000 && rd.fmt.channels == 2);

    uint32_t next = 0;
    /* 7 ms, 13 ms (a chunk is complete at the second), then 1 frame and 50 ms. */
    CHECK(push_frames(q, 336, &next, 1000));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_NONE && rd.active);
    CHECK(at == 0);
    CHECK(push_frames(q, 624, &next, 2000));
    CHECK(push_frames(q, 1, &next, 3000));
    CHECK(push_frames(q, 2400, &next, 4000));
    uint32_t expect = 0;
    for (int i = 0; i < 3; i++) {
        CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_CHUNK);
        CHECK(rd.len == CHUNK_48K_STEREO && rd.dropped_chunks == 0);
        CHECK_MSG(first_frame(dst) == expect && consecutive(dst, 960), "chunk %d starts at %u", i,
                  first_frame(dst));
        expect += 960;
    }
    CHECK(at == 4000);
    /* 3361 frames in: 3 chunks out, 481 frames wait for more. */
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_NONE && rd.active);
    /* Too small a buffer: the format again, nothing lost. */
    CHECK(push_frames(q, 479, &next, 5000));
    CHECK(vg_pcm_queue_read(q, dst, 100, &rd, &at) == VG_AUDIO_READ_FORMAT);
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_CHUNK);
    CHECK(first_frame(dst) == expect && consecutive(dst, 960));
    vg_pcm_queue_destroy(q);
}

static void a_stop_plays_what_is_queued_then_goes_idle_and_a_start_restarts(void)
{
    struct vg_pcm_queue *q = vg_pcm_queue_create(16);
    struct vg_audio_read rd;
    uint64_t at;
    uint32_t next = 0;
    CHECK(vg_pcm_queue_start(q, 16, 2, 48000));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_FORMAT);
    CHECK(push_frames(q, 960 * 2 + 100, &next, 1));
    vg_pcm_queue_stop(q);
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_CHUNK && rd.active);
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_CHUNK);
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_NONE);
    CHECK_MSG(!rd.active && strstr(rd.reason, "stopped"), "reason '%s'", rd.reason);
    /* Data after the stop is not a stream's. */
    CHECK(!push_frames(q, 960, &next, 2));
    CHECK(vg_pcm_queue_start(q, 16, 1, 8000));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_FORMAT);
    CHECK(rd.restarted && rd.fmt.rate == 8000 && rd.chunk_bytes == 320);
    struct vg_pcm_queue_counters n;
    vg_pcm_queue_counters(q, &n);
    CHECK(n.starts == 2 && n.stops == 1 && n.bad_packets == 1);
    vg_pcm_queue_disconnected(q, "the connection ended");
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_NONE && !rd.active);
    CHECK(strcmp(rd.reason, "the connection ended") == 0);
    vg_pcm_queue_destroy(q);
}

static void hostile_packets_and_formats_are_counted_and_change_nothing(void)
{
    struct vg_pcm_queue *q = vg_pcm_queue_create(16);
    struct vg_audio_read rd;
    uint64_t at;
    uint32_t next = 0;
    char text[256];
    CHECK(!vg_pcm_queue_start(q, 16, 200, 48000));
    uint32_t s1 = vg_pcm_queue_last_error(q, text, sizeof(text));
    CHECK_MSG(s1 > 0 && strstr(text, "200 channels"), "'%s'", text);
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_NONE && !rd.active);
    CHECK(strstr(rd.reason, "200 channels"));
    CHECK(!push_frames(q, 960, &next, 1));

    CHECK(vg_pcm_queue_start(q, 16, 2, 48000));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_FORMAT);
    static uint8_t big[48000 * 4 + 4];
    memset(big, 0x55, sizeof(big));
    CHECK(!vg_pcm_queue_push(q, big, 3, 1));           /* not whole frames */
    CHECK(!vg_pcm_queue_push(q, big, 0, 1));           /* empty */
    CHECK(!vg_pcm_queue_push(q, big, sizeof(big), 1)); /* over a second */
    CHECK(vg_pcm_queue_last_error(q, text, sizeof(text)) > s1);
    CHECK(strstr(text, "whole number"));
    /* None of it reached the stream: the next frames are the first chunk's. */
    CHECK(push_frames(q, 960, &next, 2));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_CHUNK);
    CHECK(first_frame(dst) == 960 && consecutive(dst, 960));
    struct vg_pcm_queue_counters n;
    vg_pcm_queue_counters(q, &n);
    CHECK(n.bad_formats == 1 && n.bad_packets == 4 && n.dropped_chunks == 0);
    vg_pcm_queue_destroy(q);
}

static void a_consumer_that_falls_behind_loses_the_oldest_chunks_counted(void)
{
    struct vg_pcm_queue *q = vg_pcm_queue_create(4);
    struct vg_audio_read rd;
    uint64_t at;
    uint32_t next = 0;
    CHECK(vg_pcm_queue_start(q, 16, 2, 48000));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_FORMAT);
    /* 10 chunks and a half while nobody reads: 4 whole ones and the half are kept. */
    for (int i = 0; i < 21; i++)
        CHECK(push_frames(q, 480, &next, (uint64_t)i));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_CHUNK);
    CHECK_MSG(rd.dropped_chunks == 6, "dropped %u", rd.dropped_chunks);
    CHECK_MSG(first_frame(dst) == 6 * 960 && consecutive(dst, 960), "first %u", first_frame(dst));
    for (int i = 0; i < 3; i++) {
        CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_CHUNK);
        CHECK(rd.dropped_chunks == 0 && consecutive(dst, 960));
    }
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_NONE);
    /* One packet longer than the whole queue keeps its newest whole chunks. */
    CHECK(push_frames(q, 480 + 960 * 6, &next, 100));
    CHECK(vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at) == VG_AUDIO_READ_CHUNK);
    CHECK(rd.dropped_chunks >= 2 && consecutive(dst, 960));
    CHECK_MSG(first_frame(dst) % 960 == 0, "chunk boundary moved: %u", first_frame(dst));
    struct vg_pcm_queue_counters n;
    vg_pcm_queue_counters(q, &n);
    CHECK(n.dropped_chunks == 6 + rd.dropped_chunks);
    vg_pcm_queue_destroy(q);
}

struct producer {
    struct vg_pcm_queue *q;
    int packets;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    uint32_t next = 0;
    static const size_t sizes[] = {1, 17, 480, 1000, 959, 3};
    for (int i = 0; i < p->packets; i++) {
        push_frames(p->q, sizes[i % 6], &next, vg_time_ns());
        if (i % 64 == 0)
            vg_sleep_ns(100 * VG_NS_PER_US);
    }
    vg_pcm_queue_stop(p->q);
    return NULL;
}

static void two_threads_pass_every_frame_in_order_or_count_the_loss(void)
{
    struct vg_pcm_queue *q = vg_pcm_queue_create(8);
    CHECK(vg_pcm_queue_start(q, 16, 2, 48000));
    struct producer p = {.q = q, .packets = 20000};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, produce, &p) == 0);
    uint64_t chunks = 0, dropped = 0;
    uint32_t expect = 0;
    bool in_order = true, whole = true;
    uint64_t end = vg_time_ns() + 20 * VG_NS_PER_S;
    for (;;) {
        struct vg_audio_read rd;
        uint64_t at;
        int r = vg_pcm_queue_read(q, dst, sizeof(dst), &rd, &at);
        dropped += rd.dropped_chunks;
        expect += rd.dropped_chunks * 960;
        if (r == VG_AUDIO_READ_CHUNK) {
            whole &= consecutive(dst, 960);
            in_order &= first_frame(dst) == (expect & 0x7fff);
            expect += 960;
            chunks++;
        } else if (r == VG_AUDIO_READ_NONE && !rd.active) {
            break;
        } else if (vg_time_ns() > end) {
            break;
        }
    }
    pthread_join(t, NULL);
    uint64_t frames = 0;
    for (int i = 0; i < p.packets; i++)
        frames += (size_t[]){1, 17, 480, 1000, 959, 3}[i % 6];
    fprintf(stderr, "  %llu chunks, %llu dropped, %llu frames sent\n", (unsigned long long)chunks,
            (unsigned long long)dropped, (unsigned long long)frames);
    CHECK(whole && in_order);
    CHECK((chunks + dropped) == frames / 960);
    vg_pcm_queue_destroy(q);
}

static void the_spice_source_wakes_when_the_next_chunk_is_due(void)
{
    struct vg_pcm_queue *q = vg_pcm_queue_create(16);
    struct vg_audio_source *s =
        vg_audio_source_spice.create(&(struct vg_audio_source_args){.max_behind = 8, .pcm = q});
    CHECK(s != NULL);
    CHECK(vg_audio_source_spice.create(&(struct vg_audio_source_args){.max_behind = 8}) == NULL);
    struct vg_audio_read rd;
    uint64_t t = 1000 * VG_NS_PER_MS;
    CHECK(vg_audio_source_spice.read(s, t, dst, sizeof(dst), &rd) == VG_AUDIO_READ_NONE);
    CHECK(!rd.active && rd.wake_ns > t);
    uint32_t next = 0;
    CHECK(vg_pcm_queue_start(q, 16, 2, 48000));
    CHECK(vg_audio_source_spice.read(s, t, dst, sizeof(dst), &rd) == VG_AUDIO_READ_FORMAT);
    CHECK(push_frames(q, 960, &next, t));
    CHECK(vg_audio_source_spice.read(s, t, dst, sizeof(dst), &rd) == VG_AUDIO_READ_CHUNK);
    CHECK(vg_audio_source_spice.read(s, t, dst, sizeof(dst), &rd) == VG_AUDIO_READ_NONE);
    CHECK_MSG(rd.active && rd.wake_ns == t + 19 * VG_NS_PER_MS, "wake in %.1f ms",
              (double)(rd.wake_ns - t) / 1e6);
    /* Late: polled closely for a while, then gently. */
    CHECK(vg_audio_source_spice.read(s, t + 20 * VG_NS_PER_MS, dst, sizeof(dst), &rd) ==
          VG_AUDIO_READ_NONE);
    CHECK(rd.wake_ns == t + 21 * VG_NS_PER_MS);
    CHECK(vg_audio_source_spice.read(s, t + 40 * VG_NS_PER_MS, dst, sizeof(dst), &rd) ==
          VG_AUDIO_READ_NONE);
    CHECK(rd.active && rd.wake_ns == t + 45 * VG_NS_PER_MS);
    vg_audio_source_spice.destroy(s);
    vg_pcm_queue_destroy(q);
}

/* The auto source until it returns r; false after `tries` reads. */
static bool auto_until(struct vg_audio_source *s, int want, struct vg_audio_read *rd, int tries)
{
    for (int i = 0; i < tries; i++) {
        if (vg_audio_source_auto.read(s, vg_time_ns(), dst, sizeof(dst), rd) == want)
            return true;
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    return false;
}

static void auto_plays_spice_when_no_scream_ring_is_live(void)
{
    struct vg_pcm_queue *q = vg_pcm_queue_create(16);
    char path[600];
    snprintf(path, sizeof(path), "%s/no-such-scream-region", vg_test_tmpdir());
    struct vg_audio_source *s = vg_audio_source_auto.create(
        &(struct vg_audio_source_args){.path = path, .max_behind = 8, .pcm = q});
    CHECK(s != NULL);
    struct vg_audio_read rd;
    CHECK(vg_audio_source_auto.read(s, vg_time_ns(), dst, sizeof(dst), &rd) == VG_AUDIO_READ_NONE);
    CHECK(!rd.active && rd.wake_ns <= vg_time_ns() + 20 * VG_NS_PER_MS);
    CHECK(vg_pcm_queue_start(q, 16, 2, 44100));
    CHECK_MSG(auto_until(s, VG_AUDIO_READ_FORMAT, &rd, 50), "no switch to SPICE");
    CHECK(rd.fmt.rate == 44100 && rd.chunk_bytes == 882u * 4u && rd.restarted && rd.active);
    uint32_t next = 0;
    CHECK(push_frames(q, 882, &next, vg_time_ns()));
    CHECK(auto_until(s, VG_AUDIO_READ_CHUNK, &rd, 50));
    CHECK(rd.len == 882u * 4u && consecutive(dst, 882));
    vg_audio_source_auto.destroy(s);
    vg_pcm_queue_destroy(q);
}

int main(void)
{
    RUN(formats_outside_what_plays_are_refused_with_the_reason);
    RUN(packets_of_any_size_come_out_as_whole_20_ms_chunks_in_order);
    RUN(a_stop_plays_what_is_queued_then_goes_idle_and_a_start_restarts);
    RUN(hostile_packets_and_formats_are_counted_and_change_nothing);
    RUN(a_consumer_that_falls_behind_loses_the_oldest_chunks_counted);
    RUN(two_threads_pass_every_frame_in_order_or_count_the_loss);
    RUN(the_spice_source_wakes_when_the_next_chunk_is_due);
    RUN(auto_plays_spice_when_no_scream_ring_is_live);
    return vg_test_finish();
}
