/* The rate controller. See audio_rate_control.h. */
#include "audio_rate_control.h"

#include <math.h>
#include <string.h>

#define NS_PER_S 1000000000ull
/* DLL bandwidth, updated every VG_AUDIO_CONTROL_NS: with the fill error in frames this is a PI
 * loop of about 600 ppm per ms of error and a 0.4 rad/s natural frequency, damping 0.75: a
 * 1000 ppm clock error moves the fill by about 1.5 ms before the integrator holds it. At the
 * rate limit a fill 20 ms high comes down in 4 s. */
#define DLL_BW 0.064
#define LOCK_ERR_MS 2.0                 /* "locked": mean fill this close to the target... */
#define LOCK_HOLD_NS (2 * NS_PER_S)     /* ...for this long */
#define RECUR_NS (10 * NS_PER_S)        /* two late chunks this close: recurring */
#define RAISE_HOLD_NS (2 * NS_PER_S)    /* the fill needs this long to follow a rise */
#define CALM_NS (30 * NS_PER_S)         /* no event this long: the target falls... */
#define FALL_EVERY_NS (10 * NS_PER_S)   /* ...a step this often... */
#define FALL_MS 2u                      /* ...of this much, down to the base, as long as */
#define SPARE_MS (VG_AUDIO_LATE_FILL_MS + FALL_MS + 2u) /* the fill never fell below this */

const char *vg_audio_target_reason_str(enum vg_audio_target_reason r)
{
    switch (r) {
    case VG_AUDIO_TARGET_START:
        return "the configured latency";
    case VG_AUDIO_TARGET_UNDERRUN:
        return "an underrun";
    case VG_AUDIO_TARGET_LATE:
        return "chunks come late";
    case VG_AUDIO_TARGET_CALM:
        return "calm";
    }
    return "?";
}

uint32_t vg_audio_ceiling_ms(uint32_t target_ms)
{
    uint32_t c = target_ms + 30;
    return c > VG_AUDIO_CEILING_MS ? c : VG_AUDIO_CEILING_MS;
}

void vg_audio_rate_control_reset(struct vg_audio_rate_control *c, uint32_t rate, uint32_t base_ms,
                                 uint32_t target_ms, uint64_t now)
{
    memset(c, 0, sizeof(*c));
    c->rate = rate;
    c->base_ms = base_ms;
    c->target_ms = target_ms < base_ms ? base_ms : target_ms;
    if (c->target_ms > base_ms + VG_AUDIO_TARGET_SPAN_MS)
        c->target_ms = base_ms + VG_AUDIO_TARGET_SPAN_MS;
    c->reason = c->target_ms == base_ms ? VG_AUDIO_TARGET_START : VG_AUDIO_TARGET_CALM;
    spa_dll_init(&c->dll);
    spa_dll_set_bw(&c->dll, DLL_BW, rate / 10, rate);
    c->ratio = 1.0;
    c->lowest_fill = UINT64_MAX;
    c->lowest_since_ns = now;
    c->calm_from_ns = now;
}

static double frames_to_ms(const struct vg_audio_rate_control *c, double frames)
{
    return c->rate ? frames * 1000.0 / c->rate : 0;
}

static bool move_target(struct vg_audio_rate_control *c, uint32_t to,
                        enum vg_audio_target_reason why, uint64_t now)
{
    uint32_t hi = c->base_ms + VG_AUDIO_TARGET_SPAN_MS;
    to = to > hi ? hi : to < c->base_ms ? c->base_ms : to;
    if (to == c->target_ms)
        return false;
    if (to > c->target_ms) {
        c->last_raise_ns = now;
        c->calm_from_ns = now;
        c->lowest_fill = UINT64_MAX;
        c->lowest_since_ns = now;
    }
    c->target_ms = to;
    c->reason = why;
    return true;
}

/* The target: up a step at once for an underrun (a gap was heard); up a step when late chunks
 * recur (two within RECUR_NS), at most once per RAISE_HOLD_NS since the fill takes that long to
 * follow; down FALL_MS every FALL_EVERY_NS after CALM_NS without either. Graph stalls do not move
 * it: a stall is our data thread missing cycles, which more audio in the ring does not prevent
 * (measured: under vgapt-bench --noise a target raised to 50 ms on stalls kept as many stalls
 * and doubled the p99 latency), and the audio it did not take raises the fill anyway. */
static bool adapt(struct vg_audio_rate_control *c, const struct vg_audio_rate_input *in,
                  uint64_t now)
{
    const struct vg_audio_ring_counters *rc = &in->ring;
    bool underrun =
        rc->underruns != c->underruns_seen && !in->source_holding && !in->quantum_rising;
    uint64_t events = in->late_chunks - c->late_seen;
    c->underruns_seen = rc->underruns;
    c->late_seen = in->late_chunks;
    uint32_t up = c->target_ms + VG_AUDIO_TARGET_STEP_MS;
    if (underrun || events) {
        c->calm_from_ns = now;
        c->lowest_fill = UINT64_MAX;
        c->lowest_since_ns = now;
    }
    if (underrun) {
        c->last_event_ns = now;
        return move_target(c, up, VG_AUDIO_TARGET_UNDERRUN, now);
    }
    if (events) {
        bool recurring = events >= 2 || (c->last_event_ns && now - c->last_event_ns < RECUR_NS);
        c->last_event_ns = now;
        if (recurring && (!c->last_raise_ns || now - c->last_raise_ns >= RAISE_HOLD_NS))
            return move_target(c, up, VG_AUDIO_TARGET_LATE, now);
        return false;
    }
    /* Calm: every FALL_EVERY_NS a step down, if the lowest fill over that stretch left room
     * for it without late chunks (else it would fall only to rise again). */
    if (c->target_ms > c->base_ms && now - c->calm_from_ns >= CALM_NS &&
        now - c->lowest_since_ns >= FALL_EVERY_NS) {
        bool room = c->lowest_fill * 1000 >= (uint64_t)c->rate * SPARE_MS;
        c->lowest_fill = UINT64_MAX;
        c->lowest_since_ns = now;
        if (room)
            return move_target(c, c->target_ms - FALL_MS, VG_AUDIO_TARGET_CALM, now);
    }
    return false;
}

/* Too much buffered for good: the lowest fill over the last window is above the ceiling (the
 * graph skipped a long stretch, or our thread read a large backlog). Everything below it the
 * rate control brings down. Returns the frames of the oldest audio to drop, back to the
 * target. */
static uint64_t over_ceiling(struct vg_audio_rate_control *c, const struct vg_audio_ring_counters *rc)
{
    if (rc->windows == c->windows_seen)
        return 0;
    c->windows_seen = rc->windows;
    if (rc->window_min < c->lowest_fill)
        c->lowest_fill = rc->window_min;
    uint32_t target_ms = vg_audio_rate_control_hold_ms(c);
    uint64_t ceiling = (uint64_t)c->rate * vg_audio_ceiling_ms(target_ms) / 1000;
    /* The lowest fill to a quarter chunk under the target: the mean then sits about a quarter
     * chunk above it (the chunks' sawtooth), within reach of the rate. A cut to half a chunk
     * under, where the mean would land on the target in theory, left it 11 ms under in the
     * freeze test one run in four (what the backlog lost beyond the ring comes on top of the
     * cut); a cut to the target left it 10 ms over for a second. */
    uint64_t quarter = c->rate / 200;
    uint64_t target = (uint64_t)c->rate * target_ms / 1000;
    target = target > quarter ? target - quarter : 0;
    return rc->window_min > ceiling ? rc->window_min - target : 0;
}

void vg_audio_rate_control_update(struct vg_audio_rate_control *c,
                                  const struct vg_audio_rate_input *in, uint64_t now,
                                  struct vg_audio_rate_step *out)
{
    const struct vg_audio_ring_counters *rc = &in->ring;
    memset(out, 0, sizeof(*out));
    out->target_moved = adapt(c, in, now);
    out->drop_frames = over_ceiling(c, rc);
    if (out->drop_frames) {
        /* The fill the mean and the DLL's error filter hold is gone with the cut: start them
         * afresh (the integrator keeps the clock's drift), or they would go on draining the
         * ring for a second and undershoot. */
        memset(c->win_sum, 0, sizeof(c->win_sum));
        memset(c->win_n, 0, sizeof(c->win_n));
        c->dll.z1 = c->dll.z2 = 0;
        c->fill_n = rc->fill_n;
        c->fill_sum = rc->fill_sum;
        return;
    }
    uint64_t dn = rc->fill_n - c->fill_n, ds = rc->fill_sum - c->fill_sum;
    c->fill_n = rc->fill_n;
    c->fill_sum = rc->fill_sum;
    if (dn == 0)
        return; /* not playing (not linked yet, or waiting for the start level) */
    /* The fill after each call is a sawtooth: chunks of 20 ms come in, quanta go out, and the
     * two beat (every 320 ms at 1024 frames, 640 ms at 2048). Its mean over one period
     * depends on where the period falls in that beat; over the last second (VG_AUDIO_FILL_
     * PERIODS periods, a sliding window) it does not, to well under a millisecond. */
    c->win_sum[c->win_pos] = ds;
    c->win_n[c->win_pos] = dn;
    c->win_pos = (c->win_pos + 1) % VG_AUDIO_FILL_PERIODS;
    uint64_t wsum = 0, wn = 0;
    for (unsigned i = 0; i < VG_AUDIO_FILL_PERIODS; i++) {
        wsum += c->win_sum[i];
        wn += c->win_n[i];
    }
    /* The DLL runs on the error between the mean fill and the target: the guest's chunk clock
     * tracked against the graph clock. */
    double mean = (double)wsum / (double)wn;
    double target = (double)c->rate * vg_audio_rate_control_hold_ms(c) / 1000.0;
    double chunk = c->rate / 50.0;
    c->fill_ms = frames_to_ms(c, mean);
    double err = target - mean;
    if (err > chunk)
        err = chunk;
    if (err < -chunk)
        err = -chunk;
    double corr = spa_dll_update(&c->dll, err);
    if (fabs(corr - 1.0) > VG_AUDIO_MAX_RATE_DEV) {
        /* Saturated (the fill far from the target): stop integrating so the loop does not
         * wind up and overshoot for seconds afterwards. */
        c->dll.z3 -= c->dll.w2 * c->dll.z2;
        corr = corr > 1.0 ? 1.0 + VG_AUDIO_MAX_RATE_DEV : 1.0 - VG_AUDIO_MAX_RATE_DEV;
    }
    c->ratio = corr;
    out->has_ratio = true;
    out->ratio = corr;
    if (fabs(frames_to_ms(c, err)) < LOCK_ERR_MS) {
        if (!c->near_since_ns)
            c->near_since_ns = now;
        if (!c->locked && now - c->near_since_ns >= LOCK_HOLD_NS) {
            c->locked = true;
            out->locked_now = true;
        }
    } else {
        c->near_since_ns = 0;
    }
}

void vg_audio_rate_control_set_room(struct vg_audio_rate_control *c, uint32_t room_ms)
{
    c->room_ms = room_ms;
}

bool vg_audio_rate_control_room_ready(const struct vg_audio_rate_control *c)
{
    return c->fill_ms + 1.0 >= (double)vg_audio_rate_control_hold_ms(c);
}

uint32_t vg_audio_rate_control_hold_ms(const struct vg_audio_rate_control *c)
{
    return c->target_ms + c->room_ms;
}
