/* Latency across the VM boundary: the estimate of the offset between the producer's clock and
 * the consumer's (vg/fp_clock.h), alone on a synthetic guest clock hours away from the host's
 * with jittery observation, and inside the consumer, which relates a frame's capture time to
 * its own clock only when it can: at once for a producer on the host, after a few heartbeats
 * for a guest's clock, never from a host-clock claim the heartbeat contradicts. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fp_test_util.h"
#include "testlib.h"
#include "vg/fp.h"
#include "vg/fp_clock.h"
#include "vg/time.h"

#define HOUR (3600 * VG_NS_PER_S)

/* A guest that booted 7 hours after the host: its clock reads host - 7 h, and runs 30 ppm
 * slow. */
#define GUEST_BEHIND (7 * HOUR)
static uint64_t guest_clock(uint64_t host_ns)
{
    const uint64_t since = host_ns - GUEST_BEHIND;
    return since - since / 1000000 * 30;
}

static void no_samples_give_no_estimate(void)
{
    struct vg_fp_clock_sync s;
    vg_fp_clock_sync_reset(&s);
    int64_t off = 12345;
    uint64_t local = 777;
    CHECK(!vg_fp_clock_sync_offset(&s, 1, &off) && off == 12345);
    CHECK(!vg_fp_clock_sync_to_local(&s, VG_FP_CLOCK_SYNC_MIN_SAMPLES, 5, &local) && local == 777);
    for (uint32_t i = 0; i + 1 < VG_FP_CLOCK_SYNC_MIN_SAMPLES; i++)
        vg_fp_clock_sync_sample(&s, 1000 + i, 5000 + i);
    CHECK(!vg_fp_clock_sync_offset(&s, VG_FP_CLOCK_SYNC_MIN_SAMPLES, &off));
    vg_fp_clock_sync_sample(&s, 2000, 6000);
    CHECK(vg_fp_clock_sync_offset(&s, VG_FP_CLOCK_SYNC_MIN_SAMPLES, &off) && off == 4000);
    vg_fp_clock_sync_reset(&s);
    CHECK(!vg_fp_clock_sync_offset(&s, 1, &off));
}

/* A producer at 60 fps that also beats every 50 ms; the consumer sees each heartbeat 0..8 ms
 * after it was written (polling, or busy presenting), and presents each frame 1..6 ms after it
 * saw it. The latency figured with the estimate is the true one within 3 ms, and never above
 * it, once the window is full; within the jitter as soon as there is an estimate. */
static void a_guest_clock_hours_away_gives_the_true_latency(void)
{
    struct vg_fp_clock_sync s;
    vg_fp_clock_sync_reset(&s);
    uint64_t rng = 0x1234567;
    const uint64_t start = 1000 * HOUR; /* the host has been up for 1000 h */
    const uint64_t frame_ns = VG_NS_PER_S / 60;
    uint64_t next_frame = start, next_beat = start;
    int frames = 0, estimated = 0, samples = 0, outside = 0, above = 0;
    double worst_ms = 0;
    for (int step = 0; step < 1200; step++) {
        const bool is_frame = next_frame <= next_beat;
        const uint64_t written = is_frame ? next_frame : next_beat;
        if (is_frame)
            next_frame += frame_ns;
        else
            next_beat += 50 * VG_NS_PER_MS;
        const uint64_t capture_host = written - 3 * VG_NS_PER_MS; /* captured, then copied */
        const uint64_t seen = written + fpt_rand(&rng) % (8 * VG_NS_PER_MS);
        vg_fp_clock_sync_sample(&s, guest_clock(written), seen);
        samples++;
        if (!is_frame)
            continue;
        frames++;
        const uint64_t presented = seen + VG_NS_PER_MS + fpt_rand(&rng) % (5 * VG_NS_PER_MS);
        uint64_t capture_local;
        if (!vg_fp_clock_sync_to_local(&s, VG_FP_CLOCK_SYNC_MIN_SAMPLES, guest_clock(capture_host),
                                       &capture_local)) {
            CHECK(samples < (int)VG_FP_CLOCK_SYNC_MIN_SAMPLES);
            continue;
        }
        estimated++;
        const double true_ms = (double)(presented - capture_host) / 1e6;
        const double est_ms = ((double)presented - (double)capture_local) / 1e6;
        const double err = true_ms - est_ms;
        /* The guest clock's 30 ppm over a window of a second: 0.03 ms. */
        if (err < -0.05)
            above++;
        if (err > 8.05)
            outside++;
        if (samples >= (int)VG_FP_CLOCK_SYNC_WINDOW) {
            if (err > worst_ms)
                worst_ms = err;
        }
    }
    CHECK(frames > 500);
    CHECK(estimated >= frames - (int)VG_FP_CLOCK_SYNC_MIN_SAMPLES);
    CHECK_MSG(above == 0, "%d latencies above the true one", above);
    CHECK_MSG(outside == 0, "%d latencies more than the jitter below the true one", outside);
    CHECK_MSG(worst_ms <= 3.0, "latency off by up to %.3f ms with a full window", worst_ms);
    fprintf(stderr, "  worst error with a full window: %.3f ms\n", worst_ms);
}

/* A clock that steps (a VM paused and resumed, the host's clock compared with a restarted
 * guest's) is followed: at once when the offset shrinks, within a window when it grows. */
static void a_stepped_clock_is_followed_within_a_window(void)
{
    struct vg_fp_clock_sync s;
    vg_fp_clock_sync_reset(&s);
    int64_t off;
    uint64_t t = 10 * HOUR;
    for (int i = 0; i < 40; i++, t += 50 * VG_NS_PER_MS)
        vg_fp_clock_sync_sample(&s, t - 2 * HOUR, t);
    CHECK(vg_fp_clock_sync_offset(&s, VG_FP_CLOCK_SYNC_MIN_SAMPLES, &off) &&
          off == (int64_t)(2 * HOUR));
    vg_fp_clock_sync_sample(&s, t - HOUR, t); /* the guest's clock jumped forward an hour */
    CHECK(vg_fp_clock_sync_offset(&s, 1, &off) && off == (int64_t)HOUR);
    for (uint32_t i = 0; i < VG_FP_CLOCK_SYNC_WINDOW - 1; i++, t += 50 * VG_NS_PER_MS)
        vg_fp_clock_sync_sample(&s, t - 3 * HOUR, t);
    CHECK(vg_fp_clock_sync_offset(&s, 1, &off) && off == (int64_t)HOUR); /* still in window */
    vg_fp_clock_sync_sample(&s, t - 3 * HOUR, t);
    CHECK(vg_fp_clock_sync_offset(&s, 1, &off) && off == (int64_t)(3 * HOUR));
}

/* Whatever a hostile producer writes, the arithmetic wraps (UBSan watches): a peer clock
 * "ahead" of ours, values at the ends of the range. */
static void any_values_wrap_without_undefined_behaviour(void)
{
    struct vg_fp_clock_sync s;
    vg_fp_clock_sync_reset(&s);
    uint64_t local = 0;
    vg_fp_clock_sync_sample(&s, UINT64_MAX, 0);
    CHECK(vg_fp_clock_sync_to_local(&s, 1, UINT64_MAX, &local) && local == 0);
    vg_fp_clock_sync_sample(&s, 0, UINT64_MAX);
    vg_fp_clock_sync_sample(&s, UINT64_C(1) << 63, 0);
    int64_t off;
    CHECK(vg_fp_clock_sync_offset(&s, 1, &off) && off == INT64_MIN);
    CHECK(vg_fp_clock_sync_to_local(&s, 1, UINT64_C(1) << 63, &local) && local == 0);
    vg_fp_clock_sync_reset(&s);
    vg_fp_clock_sync_sample(&s, 5 * VG_NS_PER_S, 2 * VG_NS_PER_S); /* peer ahead by 3 s */
    CHECK(vg_fp_clock_sync_offset(&s, 1, &off) && off == -3 * (int64_t)VG_NS_PER_S);
    CHECK(vg_fp_clock_sync_to_local(&s, 1, 6 * VG_NS_PER_S, &local) && local == 3 * VG_NS_PER_S);
}

/* ---- Inside the consumer ---- */

#define REGION_SIZE (2u << 20)
#define W 32
#define H 16

struct rig {
    uint8_t *region;
    struct vg_fp_producer *p;
    struct vg_fp_consumer *c;
    uint64_t host; /* the consumer's synthetic clock */
    uint8_t frame[W * H * 4];
};

static bool rig_open(struct rig *r, uint32_t clock)
{
    memset(r, 0, sizeof(*r));
    r->region = fpt_region_alloc(REGION_SIZE);
    const struct vg_fp_producer_config cfg = {.clock = clock};
    r->p = r->region ? vg_fp_producer_create(r->region, REGION_SIZE, &cfg) : NULL;
    r->c = r->region ? vg_fp_consumer_create(r->region, REGION_SIZE, false, 0) : NULL;
    r->host = 1000 * HOUR;
    fpt_paint(r->frame, W * 4, 4, W, H, 1, NULL);
    CHECK(r->p && r->c);
    return r->p && r->c;
}

static void rig_close(struct rig *r)
{
    vg_fp_consumer_destroy(r->c);
    vg_fp_producer_destroy(r->p);
    fpt_region_free(r->region, REGION_SIZE);
}

/* Publishes a frame captured `age` ago on the producer's clock at host time r->host, beats
 * the heartbeat with that clock (the producer's submit beats with the real one; the consumer
 * never sees that value, it polls after), waits 2 ms and polls. Returns what the consumer makes
 * of the capture time: true and *local, or false. */
static bool rig_frame(struct rig *r, uint64_t (*clock)(uint64_t), uint64_t age, uint64_t *local)
{
    const struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, W, H, clock(r->host) - age};
    CHECK(vg_fp_producer_submit(r->p, &d, r->frame, W * 4, NULL, 0) == 0);
    vg_fp_producer_heartbeat(r->p, clock(r->host));
    r->host += 2 * VG_NS_PER_MS;
    struct vg_fp_status_info info;
    CHECK(vg_fp_consumer_poll(r->c, r->host, &info) == VG_FP_READY);
    struct vg_fp_frame f;
    CHECK(vg_fp_consumer_next_frame(r->c, &f, NULL) == 1);
    vg_fp_consumer_done(r->c);
    r->host += 14 * VG_NS_PER_MS;
    return vg_fp_consumer_capture_time(r->c, f.capture_ns, local);
}

static uint64_t host_clock(uint64_t host_ns)
{
    return host_ns;
}

static void the_consumer_relates_a_guest_clock_after_a_few_heartbeats(void)
{
    struct rig r;
    if (!rig_open(&r, VG_FP_CLOCK_GUEST))
        goto cleanup;
    uint64_t local = 0;
    int unknown = 0;
    for (int i = 0; i < 40; i++) {
        const uint64_t captured = r.host - 5 * VG_NS_PER_MS;
        if (!rig_frame(&r, guest_clock, 5 * VG_NS_PER_MS, &local)) {
            unknown++;
            continue;
        }
        /* Each heartbeat was seen 2 ms after it was written: the estimate is 2 ms late. */
        const int64_t err = (int64_t)(local - captured);
        CHECK_MSG(err >= 0 && err <= (int64_t)(2 * VG_NS_PER_MS + 50 * VG_NS_PER_US),
                  "frame %d: capture time off by %lld ns", i, (long long)err);
    }
    /* The first poll follows the session with one sample; each frame adds one. */
    CHECK_MSG(unknown == (int)VG_FP_CLOCK_SYNC_MIN_SAMPLES - 1, "%d frames without a time",
              unknown);
    /* A restarted producer starts over: no time until its own heartbeats came in. */
    vg_fp_producer_destroy(r.p);
    const struct vg_fp_producer_config cfg = {.clock = VG_FP_CLOCK_GUEST};
    r.p = vg_fp_producer_create(r.region, REGION_SIZE, &cfg);
    CHECK(r.p != NULL);
    if (r.p)
        CHECK(!rig_frame(&r, guest_clock, 0, &local));
cleanup:
    rig_close(&r);
}

static void a_producer_on_the_host_is_related_at_once(void)
{
    struct rig r;
    if (!rig_open(&r, VG_FP_CLOCK_HOST_MONOTONIC))
        goto cleanup;
    uint64_t local = 0;
    const uint64_t captured = r.host - 4 * VG_NS_PER_MS;
    CHECK(rig_frame(&r, host_clock, 4 * VG_NS_PER_MS, &local) && local == captured);
    /* A capture time after the poll (a clock that disagrees by a little) is the poll's. */
    const uint64_t poll = r.host + 2 * VG_NS_PER_MS;
    CHECK(rig_frame(&r, host_clock, (uint64_t) - (int64_t)(50 * VG_NS_PER_MS), &local) &&
          local == poll);
cleanup:
    rig_close(&r);
}

/* vgapt-guest before --clock declared the host's clock inside VMs too: that claim, which the
 * heartbeat contradicts by hours, gives no latency of hours, but the guest-clock estimate. */
static void a_false_host_clock_claim_is_treated_as_a_guest_clock(void)
{
    struct rig r;
    if (!rig_open(&r, VG_FP_CLOCK_HOST_MONOTONIC))
        goto cleanup;
    uint64_t local = 0;
    int unknown = 0;
    for (int i = 0; i < 10; i++) {
        const uint64_t captured = r.host - VG_NS_PER_MS;
        if (!rig_frame(&r, guest_clock, VG_NS_PER_MS, &local)) {
            unknown++;
            continue;
        }
        const int64_t err = (int64_t)(local - captured);
        CHECK_MSG(err >= 0 && err <= (int64_t)(2 * VG_NS_PER_MS + 50 * VG_NS_PER_US),
                  "frame %d: capture time off by %lld ns", i, (long long)err);
    }
    CHECK(unknown == (int)VG_FP_CLOCK_SYNC_MIN_SAMPLES - 1);
cleanup:
    rig_close(&r);
}

int main(void)
{
    RUN(no_samples_give_no_estimate);
    RUN(a_guest_clock_hours_away_gives_the_true_latency);
    RUN(a_stepped_clock_is_followed_within_a_window);
    RUN(any_values_wrap_without_undefined_behaviour);
    RUN(the_consumer_relates_a_guest_clock_after_a_few_heartbeats);
    RUN(a_producer_on_the_host_is_related_at_once);
    RUN(a_false_host_clock_claim_is_treated_as_a_guest_clock);
    return vg_test_finish();
}
