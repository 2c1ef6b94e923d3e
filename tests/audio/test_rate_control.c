/* The rate controller against a simulated guest and graph, on the real ring: chunks of 20 ms
 * on the guest's clock (fast or slow by up to 1000 ppm), graph cycles of 256 frames that take
 * 256 x ratio frames from the ring as PipeWire's adaptive resampler does, a controller step
 * every 100 ms. It must lock, then hold the fill at the target without dropping audio; trim a
 * burst back; and correct a start on a late chunk while the stream settles. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "audio_rate_control.h"
#include "audio_ring.h"
#include "testlib.h"

#define RATE 48000u
#define TARGET_MS 20u
#define CHUNK 960u /* frames */
#define BPF 4u
#define QUANTUM 256u
#define NS 1000000000.0

static uint8_t out[QUANTUM * 2 * BPF];

struct sim {
    struct vg_audio_ring ring;
    struct vg_audio_rate_control ctl;
    double skew_ppm;
    double next_chunk, next_cycle, next_control; /* seconds */
    double acc;                                  /* fractional frames owed by the resampler */
    double ratio;
    double locked_at;                            /* seconds, <0: not yet */
    struct vg_audio_ring_counters at_lock;
    double min_fill_ms, max_fill_ms;             /* fill over each second after lock-in */
    double sec_sum, ratio_sum;
    unsigned sec_n, ratio_n;
    unsigned extra;                              /* chunks to add at the next chunk (a burst) */
};

static void sim_start(struct sim *s, double skew_ppm, double first_chunk_late_s)
{
    memset(s, 0, sizeof(*s));
    CHECK(vg_audio_ring_init(&s->ring, CHUNK * BPF, BPF, 10));
    uint64_t target = RATE * TARGET_MS / 1000;
    vg_audio_ring_set_levels(&s->ring, target + CHUNK / 2, RATE * VG_AUDIO_WINDOW_MS / 1000);
    vg_audio_rate_control_reset(&s->ctl, RATE, TARGET_MS, 0);
    s->skew_ppm = skew_ppm;
    s->ratio = 1.0;
    s->locked_at = -1;
    s->min_fill_ms = 1e9;
    s->max_fill_ms = -1e9;
    s->next_chunk = first_chunk_late_s;
    s->next_cycle = 0.001;
    s->next_control = 0.1;
}

static void push_chunk(struct sim *s)
{
    void *slot = vg_audio_ring_chunk_slot(&s->ring);
    if (slot) {
        memset(slot, 1, CHUNK * BPF);
        vg_audio_ring_commit(&s->ring);
    } else {
        vg_audio_ring_count_full(&s->ring);
    }
}

/* Runs until `until` seconds; chunk k is due at k x 20 ms on the guest's clock (so the first,
 * if late, is followed by its successors on time). */
static void sim_run(struct sim *s, double until)
{
    double period = 0.02 * (1.0 - s->skew_ppm / 1e6);
    while (true) {
        double t = fmin(s->next_chunk, s->next_cycle);
        if (t >= until)
            return;
        if (t == s->next_cycle) {
            s->acc += QUANTUM * s->ratio;
            uint32_t n = (uint32_t)s->acc;
            s->acc -= n;
            vg_audio_ring_consume(&s->ring, out, n);
            s->next_cycle += (double)QUANTUM / RATE;
            continue;
        }
        push_chunk(s);
        for (; s->extra; s->extra--)
            push_chunk(s);
        double k = round(s->next_chunk / period);
        s->next_chunk = (k + 1) * period > s->next_chunk ? (k + 1) * period
                                                         : s->next_chunk + period;
        /* The player steps the controller after a chunk, once a period. */
        if (t >= s->next_control) {
            struct vg_audio_ring_counters c;
            vg_audio_ring_counters(&s->ring, &c);
            struct vg_audio_rate_step step;
            vg_audio_rate_control_update(&s->ctl, &c, (uint64_t)(t * NS), &step);
            if (step.drop_frames)
                vg_audio_ring_request_drop(&s->ring, step.drop_frames);
            if (step.has_ratio)
                s->ratio = step.ratio;
            if (step.locked_now) {
                s->locked_at = t;
                s->at_lock = c;
            }
            /* Latency follows the fill averaged over a second: one period's mean wobbles by
             * a millisecond with the phase of chunks against cycles, and so does the ratio,
             * by a few hundred ppm for a tenth of a second (0.02 ms of latency). */
            if (s->locked_at >= 0 && step.has_ratio) {
                s->sec_sum += s->ctl.fill_ms;
                s->ratio_sum += s->ratio;
                s->ratio_n++;
                if (++s->sec_n == 10) {
                    double mean = s->sec_sum / s->sec_n;
                    s->min_fill_ms = fmin(s->min_fill_ms, mean);
                    s->max_fill_ms = fmax(s->max_fill_ms, mean);
                    s->sec_sum = 0;
                    s->sec_n = 0;
                }
            }
            s->next_control = t + VG_AUDIO_CONTROL_NS / NS;
        }
    }
}

static void locks_and_holds(double skew_ppm)
{
    struct sim s;
    sim_start(&s, skew_ppm, 0.02);
    sim_run(&s, 120);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(s.locked_at >= 0 && s.locked_at < 15, "%+.0f ppm: locked at %.1f s", skew_ppm,
              s.locked_at);
    CHECK_MSG(s.min_fill_ms > TARGET_MS - 2.0 && s.max_fill_ms < TARGET_MS + 2.0,
              "%+.0f ppm: fill %.2f..%.2f ms after lock-in, want %u +- 2", skew_ppm,
              s.min_fill_ms, s.max_fill_ms, TARGET_MS);
    CHECK_MSG(c.dropped_frames == s.at_lock.dropped_frames && c.underruns == 0 &&
                  c.full_chunks == 0,
              "%+.0f ppm: after lock-in %llu frames dropped, %llu underruns, %llu full",
              skew_ppm, (unsigned long long)(c.dropped_frames - s.at_lock.dropped_frames),
              (unsigned long long)c.underruns, (unsigned long long)c.full_chunks);
    /* The ratio has found the guest's clock. */
    double ratio_ppm = (s.ratio_sum / s.ratio_n - 1.0) * 1e6;
    CHECK_MSG(fabs(ratio_ppm - skew_ppm) < 20, "%+.0f ppm: mean ratio %+.1f ppm", skew_ppm,
              ratio_ppm);
    vg_audio_ring_finish(&s.ring);
}

static void locks_and_holds_the_fill_with_the_guest_1000ppm_fast(void)
{
    locks_and_holds(1000);
}

static void locks_and_holds_the_fill_with_the_guest_1000ppm_slow(void)
{
    locks_and_holds(-1000);
}

static void locks_and_holds_the_fill_with_matched_clocks(void)
{
    locks_and_holds(0);
}

static void a_burst_is_trimmed_back_once(void)
{
    struct sim s;
    sim_start(&s, 300, 0.02);
    sim_run(&s, 20);
    CHECK(s.locked_at >= 0);
    struct vg_audio_ring_counters before, after;
    vg_audio_ring_counters(&s.ring, &before);
    s.extra = 3; /* our thread stalled, three chunks read at once */
    sim_run(&s, 21);
    vg_audio_ring_counters(&s.ring, &after);
    uint64_t dropped = after.dropped_frames - before.dropped_frames;
    CHECK_MSG(after.trims == before.trims + 1 && dropped > 2 * CHUNK && dropped < 4 * CHUNK,
              "%llu trims, %llu frames dropped for a 3-chunk burst",
              (unsigned long long)(after.trims - before.trims), (unsigned long long)dropped);
    sim_run(&s, 30);
    CHECK_MSG(fabs(s.ctl.fill_ms - TARGET_MS) < 2.0, "fill %.2f ms 10 s after the burst",
              s.ctl.fill_ms);
    vg_audio_ring_finish(&s.ring);
}

static void a_start_on_a_late_chunk_is_corrected_while_settling(void)
{
    /* The first chunk comes 15 ms late, the rest on time: the ring starts on it and would
     * hold 15 ms too much. */
    struct sim s;
    sim_start(&s, 0, 0.035);
    sim_run(&s, 0.5);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(c.trims == 1, "%llu trims in the first 0.5 s", (unsigned long long)c.trims);
    CHECK_MSG(fabs(s.ctl.fill_ms - TARGET_MS) < 4.0, "fill %.2f ms at 0.5 s", s.ctl.fill_ms);
    /* The same lateness after the settling time is the DLL's, not a trim. */
    sim_run(&s, 10);
    vg_audio_ring_counters(&s.ring, &c);
    CHECK(c.trims == 1 && c.underruns == 0);
    vg_audio_ring_finish(&s.ring);
}

int main(void)
{
    RUN(locks_and_holds_the_fill_with_matched_clocks);
    RUN(locks_and_holds_the_fill_with_the_guest_1000ppm_fast);
    RUN(locks_and_holds_the_fill_with_the_guest_1000ppm_slow);
    RUN(a_burst_is_trimmed_back_once);
    RUN(a_start_on_a_late_chunk_is_corrected_while_settling);
    return vg_test_finish();
}
