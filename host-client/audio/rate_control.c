/* The rate controller. See audio_rate_control.h. */
#include "audio_rate_control.h"

#include <math.h>
#include <string.h>

#define NS_PER_S 1000000000ull
/* DLL bandwidth, updated every VG_AUDIO_CONTROL_NS: with the fill error in frames this is a PI
 * loop of about 600 ppm per ms of error and a 0.4 rad/s natural frequency, damping 0.75: a
 * 1000 ppm clock error moves the fill by about 1.5 ms before the integrator holds it. */
#define DLL_BW 0.064
#define LOCK_ERR_MS 2.0                 /* "locked": mean fill this close to the target... */
#define LOCK_HOLD_NS (2 * NS_PER_S)     /* ...for this long */
#define SETTLE_NS (3 * NS_PER_S)        /* settling after a start, an underrun or a stall... */
#define SETTLE_SLACK_MS 4u              /* ...with this much slack above the cadence */

void vg_audio_rate_control_reset(struct vg_audio_rate_control *c, uint32_t rate,
                                 uint32_t latency_ms, uint64_t now)
{
    memset(c, 0, sizeof(*c));
    c->rate = rate;
    c->latency_ms = latency_ms;
    spa_dll_init(&c->dll);
    spa_dll_set_bw(&c->dll, DLL_BW, rate / 10, rate);
    c->ratio = 1.0;
    c->settle_until_ns = now + SETTLE_NS;
}

static double frames_to_ms(const struct vg_audio_rate_control *c, double frames)
{
    return c->rate ? frames * 1000.0 / c->rate : 0;
}

/* Too much buffered: the lowest fill of the last windows stayed above where the chunk cadence
 * puts it (target - half a chunk) by more than the slack. While the stream settles (after it
 * starts, restarts after an underrun, or lost graph cycles) the slack is 4 ms over one window
 * (50 ms): a start on a chunk that came late would otherwise leave the latency high until the
 * rate controller worked it off. After that, a whole chunk over 6 windows (300 ms): a burst
 * after our thread stalled. Smaller errors are the DLL's, and a graph cycle that comes late
 * raises the fill only until the catch-up that follows, within a window. Returns the frames
 * of the oldest audio to drop. */
static uint64_t overrun(struct vg_audio_rate_control *c, const struct vg_audio_ring_counters *rc,
                        uint64_t now)
{
    if (rc->underruns != c->settle_underruns || rc->stalls != c->settle_stalls) {
        c->settle_underruns = rc->underruns;
        c->settle_stalls = rc->stalls;
        c->settle_until_ns = now + SETTLE_NS;
    }
    if (rc->windows == c->windows_seen)
        return 0;
    c->windows_seen = rc->windows;
    memmove(c->window_min + 1, c->window_min,
            sizeof(c->window_min[0]) * (VG_AUDIO_OVERRUN_WINDOWS - 1));
    c->window_min[0] = rc->window_min;
    if (c->window_n < VG_AUDIO_OVERRUN_WINDOWS)
        c->window_n++;
    bool settling = now < c->settle_until_ns;
    uint32_t need = settling ? 1 : VG_AUDIO_OVERRUN_WINDOWS;
    uint64_t chunk = c->rate / 50, target = (uint64_t)c->rate * c->latency_ms / 1000;
    uint64_t slack = settling ? (uint64_t)c->rate * SETTLE_SLACK_MS / 1000 : chunk;
    uint64_t expected = target > chunk / 2 ? target - chunk / 2 : 0;
    uint64_t low = UINT64_MAX;
    for (uint32_t i = 0; i < need && i < c->window_n; i++)
        low = c->window_min[i] < low ? c->window_min[i] : low;
    if (c->window_n < need || low <= expected + slack)
        return 0;
    c->window_n = 0;
    return low - expected;
}

void vg_audio_rate_control_update(struct vg_audio_rate_control *c,
                                  const struct vg_audio_ring_counters *rc, uint64_t now,
                                  struct vg_audio_rate_step *out)
{
    memset(out, 0, sizeof(*out));
    out->drop_frames = overrun(c, rc, now);
    uint64_t dn = rc->fill_n - c->fill_n, ds = rc->fill_sum - c->fill_sum;
    c->fill_n = rc->fill_n;
    c->fill_sum = rc->fill_sum;
    if (dn == 0)
        return; /* not playing (not linked yet, or waiting for the start level) */
    /* The DLL runs on the error between the mean fill and the target: the guest's chunk clock
     * tracked against the graph clock. */
    double mean = (double)ds / (double)dn;
    double target = (double)c->rate * c->latency_ms / 1000.0;
    double chunk = c->rate / 50.0;
    c->fill_ms = frames_to_ms(c, mean);
    double err = target - mean;
    if (err > chunk)
        err = chunk;
    if (err < -chunk)
        err = -chunk;
    double corr = spa_dll_update(&c->dll, err);
    if (fabs(corr - 1.0) > VG_AUDIO_MAX_RATE_DEV) {
        /* Saturated (a burst was trimmed, a stall): stop integrating so the loop does not
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
