/* The rate controller against a simulated guest and graph, on the real ring: chunks of 20 ms
 * on the guest's clock (fast or slow by up to 1000 ppm), graph cycles of 256 (or more) frames
 * that take quantum x ratio frames from the ring as PipeWire's adaptive resampler does, a
 * controller step every 100 ms. It must lock, then hold the fill at the target without
 * dropping audio; bring a burst or a start on a late chunk back through the rate, cutting
 * nothing; cut only over the hard ceiling; raise the target when late chunks recur or the ring
 * runs dry (not for graph stalls), and bring it back down once things are calm. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "audio_quantum_control.h"
#include "audio_rate_control.h"
#include "audio_ring.h"
#include "testlib.h"

#define RATE 48000u
#define TARGET_MS 20u
#define CHUNK 960u /* frames */
#define BPF 4u
#define QUANTUM 256u
#define NS 1000000000.0

static uint8_t out[4096 * BPF]; /* the largest quantum, with the resampler's slack */

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
    unsigned quantum;                            /* frames per graph cycle */
    double stall_every, stall_s, next_stall;     /* the graph skips stall_s every stall_every */
    double delay_next_chunk;                     /* the next chunk comes this much late */
    uint64_t late_chunks;                        /* as the player counts them */
    bool holding;                                /* the source holds chunks back */
    bool rising;                                 /* a larger quantum was just asked for */
    uint32_t target_lo, target_hi;               /* the target's range */
    double now;                                  /* the time of the chunk being pushed */
};

static void sim_start(struct sim *s, double skew_ppm, double first_chunk_late_s)
{
    memset(s, 0, sizeof(*s));
    CHECK(vg_audio_ring_init(&s->ring, CHUNK * BPF, BPF, 10, RATE));
    uint64_t target = RATE * TARGET_MS / 1000;
    vg_audio_ring_set_levels(&s->ring, target + CHUNK / 2, RATE * VG_AUDIO_WINDOW_MS / 1000);
    vg_audio_rate_control_reset(&s->ctl, RATE, TARGET_MS, TARGET_MS, 0);
    s->quantum = QUANTUM;
    s->target_lo = s->target_hi = TARGET_MS;
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
    if (vg_audio_ring_playing(&s->ring) &&
        vg_audio_ring_fill(&s->ring) * 1000 < RATE * VG_AUDIO_LATE_FILL_MS)
        s->late_chunks++;
    void *slot = vg_audio_ring_chunk_slot(&s->ring);
    if (slot) {
        memset(slot, 1, CHUNK * BPF);
        vg_audio_ring_commit(&s->ring, (uint64_t)(s->now * NS));
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
            double cycle = (double)s->quantum / RATE;
            if (s->stall_every > 0 && t >= s->next_stall) {
                /* The graph runs stall_s without this stream: then the cycle after it. */
                unsigned missed = (unsigned)ceil(s->stall_s / cycle);
                s->next_stall += s->stall_every;
                s->next_cycle += missed * cycle;
                vg_audio_ring_late(&s->ring, (uint64_t)missed * s->quantum);
                continue;
            }
            s->acc += s->quantum * s->ratio;
            uint32_t n = (uint32_t)s->acc;
            s->acc -= n;
            vg_audio_ring_consume(&s->ring, out, n, (uint64_t)(t * NS));
            s->next_cycle += cycle;
            continue;
        }
        if (s->delay_next_chunk > 0) {
            s->next_chunk += s->delay_next_chunk;
            s->delay_next_chunk = 0;
            continue;
        }
        s->now = t;
        push_chunk(s);
        for (; s->extra; s->extra--)
            push_chunk(s);
        double k = round(s->next_chunk / period);
        s->next_chunk = (k + 1) * period > s->next_chunk ? (k + 1) * period
                                                         : s->next_chunk + period;
        /* The player steps the controller after a chunk, once a period. */
        if (t >= s->next_control) {
            struct vg_audio_rate_input in = {.late_chunks = s->late_chunks,
                                             .source_holding = s->holding,
                                             .quantum_rising = s->rising};
            vg_audio_ring_counters(&s->ring, &in.ring);
            const struct vg_audio_ring_counters c = in.ring;
            struct vg_audio_rate_step step;
            vg_audio_rate_control_update(&s->ctl, &in, (uint64_t)(t * NS), &step);
            if (step.target_moved) {
                /* As the player does: the start level follows the target. */
                uint64_t target = (uint64_t)RATE * s->ctl.target_ms / 1000;
                vg_audio_ring_set_levels(&s->ring, target + CHUNK / 2,
                                         RATE * VG_AUDIO_WINDOW_MS / 1000);
                s->target_lo = fmin(s->target_lo, s->ctl.target_ms);
                s->target_hi = fmax(s->target_hi, s->ctl.target_ms);
            }
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

/* Our thread stalled and read three chunks at once: 60 ms more than the target. Nothing is cut
 * (it is under the ceiling); the rate brings the fill back within seconds. */
static void a_burst_is_played_and_brought_back_by_the_rate(void)
{
    struct sim s;
    sim_start(&s, 300, 0.02);
    sim_run(&s, 20);
    CHECK(s.locked_at >= 0);
    struct vg_audio_ring_counters before, after;
    vg_audio_ring_counters(&s.ring, &before);
    s.extra = 2;
    sim_run(&s, 20.1);
    double high = vg_audio_ring_fill(&s.ring) * 1000.0 / RATE;
    sim_run(&s, 30);
    vg_audio_ring_counters(&s.ring, &after);
    CHECK_MSG(after.trims == before.trims && after.dropped_frames == before.dropped_frames &&
                  after.underruns == before.underruns,
              "%llu trims, %llu frames dropped, %llu underruns for a 2-chunk burst",
              (unsigned long long)(after.trims - before.trims),
              (unsigned long long)(after.dropped_frames - before.dropped_frames),
              (unsigned long long)(after.underruns - before.underruns));
    CHECK_MSG(high > TARGET_MS + 25, "fill %.1f ms right after the burst", high);
    CHECK_MSG(fabs(s.ctl.fill_ms - TARGET_MS) < 2.0, "fill %.2f ms 10 s after the burst",
              s.ctl.fill_ms);
    CHECK_MSG(s.ctl.target_ms == TARGET_MS, "one burst moved the target to %u ms",
              s.ctl.target_ms);
    vg_audio_ring_finish(&s.ring);
}

/* A backlog past the hard ceiling (our thread was away 120 ms) is cut once, back to the target;
 * the cut is counted. */
static void over_the_ceiling_is_cut_once(void)
{
    struct sim s;
    sim_start(&s, 0, 0.02);
    sim_run(&s, 20);
    struct vg_audio_ring_counters before, after;
    vg_audio_ring_counters(&s.ring, &before);
    s.extra = 5;
    sim_run(&s, 21);
    vg_audio_ring_counters(&s.ring, &after);
    uint64_t dropped = after.dropped_frames - before.dropped_frames;
    CHECK_MSG(after.trims == before.trims + 1 && dropped > 3 * CHUNK && dropped < 6 * CHUNK,
              "%llu cuts, %llu frames dropped for a 5-chunk burst",
              (unsigned long long)(after.trims - before.trims), (unsigned long long)dropped);
    sim_run(&s, 30);
    vg_audio_ring_counters(&s.ring, &after);
    CHECK_MSG(fabs(s.ctl.fill_ms - TARGET_MS) < 2.0 && after.underruns == 0 &&
                  s.ctl.target_ms == TARGET_MS,
              "fill %.2f ms after the cut, %llu underruns, target %u ms", s.ctl.fill_ms,
              (unsigned long long)after.underruns, s.ctl.target_ms);
    vg_audio_ring_finish(&s.ring);
}

static void a_start_on_a_late_chunk_is_corrected_by_the_rate(void)
{
    /* The first chunk comes 15 ms late, the rest on time: the ring starts on it and holds 15 ms
     * too much, which the rate works off. */
    struct sim s;
    sim_start(&s, 0, 0.035);
    sim_run(&s, 6);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(c.trims == 0 && c.underruns == 0, "%llu cuts, %llu underruns",
              (unsigned long long)c.trims, (unsigned long long)c.underruns);
    CHECK_MSG(fabs(s.ctl.fill_ms - TARGET_MS) < 2.0, "fill %.2f ms at 6 s", s.ctl.fill_ms);
    vg_audio_ring_finish(&s.ring);
}

/* Runs the simulation to `until` with a chunk 9 ms late every 3 s (our thread held up): the
 * ring nearly runs dry each time. */
static void run_with_late_chunks(struct sim *s, double until)
{
    for (double t = ceil(s->next_chunk / 3.0) * 3.0 + 0.5; t < until; t += 3.0) {
        sim_run(s, t);
        s->delay_next_chunk = 0.009;
    }
    sim_run(s, until);
}

/* Late chunks recur: the target rises until they no longer find the ring nearly dry, nothing is
 * dropped. Once they stop, the target comes back down, slowly. */
static void recurring_late_chunks_raise_the_target_and_calm_lowers_it(void)
{
    struct sim s;
    sim_start(&s, 0, 0.02);
    sim_run(&s, 10);
    CHECK(s.ctl.target_ms == TARGET_MS);
    run_with_late_chunks(&s, 40);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(s.ctl.target_ms > TARGET_MS && s.ctl.reason == VG_AUDIO_TARGET_LATE,
              "target %u ms after %llu late chunks (reason %s)", s.ctl.target_ms,
              (unsigned long long)s.late_chunks, vg_audio_target_reason_str(s.ctl.reason));
    CHECK_MSG(s.ctl.target_ms <= TARGET_MS + VG_AUDIO_TARGET_SPAN_MS, "target %u ms",
              s.ctl.target_ms);
    CHECK_MSG(c.trims == 0 && c.underruns == 0, "%llu cuts, %llu underruns",
              (unsigned long long)c.trims, (unsigned long long)c.underruns);
    /* While they go on, it holds where they no longer find the ring nearly dry: it may come
     * down a step or two, as far as the lowest fill leaves room, but not to the base. */
    uint32_t raised = s.ctl.target_ms;
    uint64_t late = s.late_chunks;
    run_with_late_chunks(&s, 100);
    CHECK_MSG(s.ctl.target_ms > TARGET_MS && s.ctl.target_ms <= raised &&
                  s.late_chunks - late <= 2,
              "target %u -> %u ms with late chunks going on, %llu more of them", raised,
              s.ctl.target_ms, (unsigned long long)(s.late_chunks - late));
    raised = s.ctl.target_ms;
    CHECK_MSG(fabs(s.ctl.fill_ms - raised) < 3.0, "fill %.2f ms, target %u", s.ctl.fill_ms,
              raised);
    /* Calm: back down to the base (a step every 10 s), the fill with it. */
    sim_run(&s, 300);
    CHECK_MSG(s.ctl.target_ms == TARGET_MS && s.ctl.reason == VG_AUDIO_TARGET_CALM,
              "target %u ms after 3 calm minutes", s.ctl.target_ms);
    CHECK_MSG(fabs(s.ctl.fill_ms - TARGET_MS) < 2.0, "fill %.2f ms after the fall",
              s.ctl.fill_ms);
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(c.trims == 0 && c.underruns == 0, "%llu cuts, %llu underruns",
              (unsigned long long)c.trims, (unsigned long long)c.underruns);
    vg_audio_ring_finish(&s.ring);
}

/* The graph skips 15 ms every 3 s: nothing is dropped for it, the fill comes back through the
 * rate each time, and the target stays (more in the ring would not prevent a stall). */
static void recurring_stalls_drop_nothing_and_keep_the_target(void)
{
    struct sim s;
    sim_start(&s, 0, 0.02);
    sim_run(&s, 10);
    s.stall_every = 3;
    s.stall_s = 0.015;
    s.next_stall = 10.5;
    sim_run(&s, 40);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(c.stalls == 10 && c.trims == 0 && c.underruns == 0 &&
                  s.ctl.target_ms == TARGET_MS,
              "%llu stalls, %llu cuts, %llu underruns, target %u ms",
              (unsigned long long)c.stalls, (unsigned long long)c.trims,
              (unsigned long long)c.underruns, s.ctl.target_ms);
    CHECK_MSG(c.late_frames >= 10 * 720, "%llu frames of stalls",
              (unsigned long long)c.late_frames);
    s.stall_every = 0;
    sim_run(&s, 50);
    CHECK_MSG(fabs(s.ctl.fill_ms - TARGET_MS) < 2.0, "fill %.2f ms 10 s after the stalls",
              s.ctl.fill_ms);
    vg_audio_ring_finish(&s.ring);
}

/* A chunk 40 ms late empties the ring: an underrun raises the target a step at once. */
static void an_underrun_raises_the_target(void)
{
    struct sim s;
    sim_start(&s, 0, 0.02);
    sim_run(&s, 10);
    s.delay_next_chunk = 0.040;
    sim_run(&s, 20);
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(c.underruns >= 1 && s.ctl.target_ms == TARGET_MS + VG_AUDIO_TARGET_STEP_MS &&
                  s.ctl.reason == VG_AUDIO_TARGET_UNDERRUN,
              "%llu underruns, target %u ms", (unsigned long long)c.underruns, s.ctl.target_ms);
    CHECK_MSG(fabs(s.ctl.fill_ms - s.ctl.target_ms) < 2.0, "fill %.2f ms, target %u",
              s.ctl.fill_ms, s.ctl.target_ms);
    vg_audio_ring_finish(&s.ring);
}

/* The same gap while the source holds the guest's chunks back (a new format must hold before
 * it plays): the guest made it, a higher target would not have prevented it. Nor does one
 * right after we asked for a larger quantum: the switch's, once. */
static void an_underrun_while_the_source_holds_or_the_quantum_rises_keeps_the_target(void)
{
    for (int why = 0; why < 2; why++) {
        struct sim s;
        sim_start(&s, 0, 0.02);
        sim_run(&s, 10);
        s.holding = why == 0;
        s.rising = why == 1;
        s.delay_next_chunk = 0.040;
        sim_run(&s, 12);
        s.holding = s.rising = false;
        sim_run(&s, 20);
        struct vg_audio_ring_counters c;
        vg_audio_ring_counters(&s.ring, &c);
        CHECK_MSG(c.underruns >= 1 && s.ctl.target_ms == TARGET_MS,
                  "%s: %llu underruns, target %u ms", why ? "quantum rising" : "holding",
                  (unsigned long long)c.underruns, s.ctl.target_ms);
        vg_audio_ring_finish(&s.ring);
    }
}

/* Whatever quantum the graph runs, the fill holds at the target without a gap. */
static void holds_the_target_at_large_quanta(void)
{
    unsigned quanta[] = {1024, 2048};
    for (size_t i = 0; i < sizeof(quanta) / sizeof(quanta[0]); i++) {
        struct sim s;
        sim_start(&s, 500, 0.02);
        s.quantum = quanta[i];
        sim_run(&s, 60);
        struct vg_audio_ring_counters c;
        vg_audio_ring_counters(&s.ring, &c);
        CHECK_MSG(s.locked_at >= 0 && c.underruns == 0 && c.trims == 0,
                  "quantum %u: locked at %.1f s, %llu underruns, %llu cuts", quanta[i],
                  s.locked_at, (unsigned long long)c.underruns, (unsigned long long)c.trims);
        CHECK_MSG(s.min_fill_ms > TARGET_MS - 2.5 && s.max_fill_ms < TARGET_MS + 2.5,
                  "quantum %u: fill %.2f..%.2f ms after lock-in", quanta[i], s.min_fill_ms,
                  s.max_fill_ms);
        vg_audio_ring_finish(&s.ring);
    }
}

/* The graph period asked for: doubles when stalls recur (not for one), up to 20 ms, holds while
 * they go on, halves after a calm minute back to the configured one; 0 never asks. */
static void the_quantum_asked_follows_recurring_stalls(void)
{
    struct vg_audio_quantum_control q;
    const uint64_t s = 1000000000ull;
    vg_audio_quantum_control_reset(&q, 10, 0);
    CHECK(!vg_audio_quantum_control_update(&q, 0, 5 * s) && q.ms == 10);
    CHECK(!vg_audio_quantum_control_update(&q, 1, 6 * s) && q.ms == 10); /* one: no pattern */
    CHECK(!vg_audio_quantum_control_update(&q, 1, 30 * s) && q.ms == 10);
    CHECK(vg_audio_quantum_control_update(&q, 3, 31 * s) && q.ms == 20); /* two at once */
    CHECK(!vg_audio_quantum_control_update(&q, 5, 40 * s) && q.ms == 20); /* at the top */
    CHECK(!vg_audio_quantum_control_update(&q, 5, 90 * s) && q.ms == 20); /* 50 s calm */
    CHECK(vg_audio_quantum_control_update(&q, 5, 101 * s) && q.ms == 10); /* a calm minute */
    CHECK(!vg_audio_quantum_control_update(&q, 5, 300 * s) && q.ms == 10); /* the base */
    /* Recurring one at a time, 4 s apart. */
    CHECK(!vg_audio_quantum_control_update(&q, 6, 304 * s));
    CHECK_MSG(vg_audio_quantum_control_update(&q, 7, 308 * s) && q.ms == 20, "asked %u ms",
              q.ms);
    /* A new stream's count starts at 0 again: no stall made up. */
    CHECK(!vg_audio_quantum_control_update(&q, 0, 309 * s) && q.ms == 20);
    /* The first rise need not wait for anything: stalls that recur a second in are heard. */
    vg_audio_quantum_control_reset(&q, 10, 0);
    CHECK(!vg_audio_quantum_control_update(&q, 1, s / 2));
    CHECK_MSG(vg_audio_quantum_control_update(&q, 2, 1 * s) && q.ms == 20, "asked %u ms", q.ms);
    vg_audio_quantum_control_reset(&q, 0, 0);
    CHECK(!vg_audio_quantum_control_update(&q, 10, 1 * s) && q.ms == 0);
    CHECK(!vg_audio_quantum_control_update(&q, 20, 2 * s) && q.ms == 0);
}

/* Room for a larger quantum: the fill rises by the room through the rate, nothing cut and no
 * gap, until room_ready; with the larger quantum running and the room taken away, the fill
 * holds the target again. */
static void room_for_a_larger_quantum_is_made_through_the_rate(void)
{
    struct sim s;
    sim_start(&s, 0, 0.02);
    s.quantum = 512;
    sim_run(&s, 10);
    CHECK(s.locked_at >= 0);
    vg_audio_rate_control_set_room(&s.ctl, 12);
    CHECK_MSG(!vg_audio_rate_control_room_ready(&s.ctl), "ready at once at %.1f ms",
              s.ctl.fill_ms);
    double ready_at = -1;
    for (double t = 10.1; t < 20 && ready_at < 0; t += 0.1) {
        sim_run(&s, t);
        if (vg_audio_rate_control_room_ready(&s.ctl))
            ready_at = t;
    }
    struct vg_audio_ring_counters c;
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(ready_at > 10 && ready_at < 15, "room ready %.1f s after asked (fill %.1f ms)",
              ready_at - 10, s.ctl.fill_ms);
    CHECK_MSG(c.underruns == 0 && c.trims == 0, "making room: %llu underruns, %llu cuts",
              (unsigned long long)c.underruns, (unsigned long long)c.trims);
    s.quantum = 1024;
    vg_audio_rate_control_set_room(&s.ctl, 0);
    sim_run(&s, ready_at + 10);
    vg_audio_ring_counters(&s.ring, &c);
    CHECK_MSG(c.underruns == 0 && c.trims == 0, "after the switch: %llu underruns, %llu cuts",
              (unsigned long long)c.underruns, (unsigned long long)c.trims);
    CHECK_MSG(fabs(s.ctl.fill_ms - TARGET_MS) < 2.5, "after the switch the fill is %.1f ms",
              s.ctl.fill_ms);
    vg_audio_ring_finish(&s.ring);
}

int main(void)
{
    RUN(locks_and_holds_the_fill_with_matched_clocks);
    RUN(locks_and_holds_the_fill_with_the_guest_1000ppm_fast);
    RUN(locks_and_holds_the_fill_with_the_guest_1000ppm_slow);
    RUN(a_burst_is_played_and_brought_back_by_the_rate);
    RUN(over_the_ceiling_is_cut_once);
    RUN(a_start_on_a_late_chunk_is_corrected_by_the_rate);
    RUN(recurring_late_chunks_raise_the_target_and_calm_lowers_it);
    RUN(recurring_stalls_drop_nothing_and_keep_the_target);
    RUN(an_underrun_raises_the_target);
    RUN(an_underrun_while_the_source_holds_or_the_quantum_rises_keeps_the_target);
    RUN(holds_the_target_at_large_quanta);
    RUN(the_quantum_asked_follows_recurring_stalls);
    RUN(room_for_a_larger_quantum_is_made_through_the_rate);
    return vg_test_finish();
}
