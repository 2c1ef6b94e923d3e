/* The player thread: source → ring → sink, with the rate controller. See audio_player.h. */
#include "audio_player.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio_quantum_control.h"
#include "audio_rate_control.h"
#include "audio_ring.h"
#include "audio_sink.h"
#include "audio_source.h"
#include "vg/log.h"
#include "vg/time.h"

#define PUBLISH_NS (250 * VG_NS_PER_MS)   /* stats for get_stats (the overlay) */
#define SINK_RETRY_NS (2 * VG_NS_PER_S)   /* the server is down: try again this often */
#define CHUNK_MS 20u                       /* every Scream chunk is 20 ms */
#define GAP_NS (250 * VG_NS_PER_MS)       /* a gap between chunks that ends a clock stretch */
#define STAMP_NS (3 * VG_NS_PER_MS)       /* a chunk found this soon after a look that found
                                           * nothing times the guest's clock */
#define CLOCK_MIN_S 5.0                   /* shortest stretch that gives a drift figure */
#define CLOCK_MAX_NS (300 * VG_NS_PER_S)  /* longest stretch */
#define MAX_CHUNK_BYTES (384000u / 50u * 4u * VG_AUDIO_MAX_CHANNELS)
#define RT_PRIORITY 20                    /* SCHED_FIFO, below the sound server's threads */
/* A format change reopens the stream at the new format's first chunk (the source delivers a
 * chunk only if the header did not change while it was copied): a genuine change is heard as
 * fast as before. A change that follows the last one within FLAP_WINDOW_NS must hold: the new
 * format plays once HOLD_CHUNKS of its chunks agree over HOLD_NS << level, the level rising
 * with each such change (30, 60, 120 ms ... up to 0.96 s). A second without a change ends the
 * episode (summarised in the log) and the next change plays at once again. A format flipped
 * every few ms never holds; one flipped every 100 ms reopens the stream three or four times. */
#define HOLD_CHUNKS 2u
#define HOLD_KEEP 2u                      /* the newest held chunks start the new stream */
#define HOLD_NS (15 * VG_NS_PER_MS)
#define HOLD_MAX_SHIFT 6u
#define FLAP_WINDOW_NS (1 * VG_NS_PER_S)
#define FLAP_SUMMARY_NS (60 * VG_NS_PER_S) /* a long episode is summarised this often */
#define RESTART_LOG_NS (10 * VG_NS_PER_S)  /* at most one "restarted" line this often */
#define QUANTUM_RISE_NS (1 * VG_NS_PER_S)  /* a larger quantum asked takes effect within this */
#define ROOM_WAIT_NS (5 * VG_NS_PER_S)     /* the longest wait for room, and for the graph */
/* Chunks are taken at most at the rate their format implies, less 1 % (a guest clock that runs
 * fast: the resampler follows a few hundred ppm, the controller trims the rest). */
#define CADENCE_SLACK 100u

struct vg_audio_player {
    char *path, *target, *role;
    uint32_t latency_ms, idle_s, report_s;
    uint32_t cap_chunks;
    uint32_t target_ms;        /* the adaptive target, kept across streams */
    uint32_t target_lo, target_hi;
    uint64_t late_chunks;      /* chunks that found the ring nearly dry */

    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock; /* stop, wake, stats */
    pthread_cond_t wake;
    bool stop;
    struct vg_audio_stats stats; /* published snapshot */

    const struct vg_audio_source_ops *sops;
    struct vg_audio_source *src;
    const struct vg_audio_sink_ops *kops;
    struct vg_audio_sink *sink;
    uint64_t next_sink_try_ns;
    bool rt_tried;             /* raise_priority has given its answer */

    struct vg_audio_ring ring;
    bool ring_ok;
    bool open;                 /* a stream is open on the sink */
    bool have_fmt;
    struct vg_audio_format fmt;
    size_t chunk_bytes;
    uint8_t *scratch;          /* MAX_CHUNK_BYTES: a chunk with nowhere else to go */

    /* A format change being held (see HOLD_NS): the stream keeps playing fmt meanwhile. */
    bool cand;
    struct vg_audio_format cand_fmt;
    size_t cand_bytes;
    uint64_t cand_since_ns;
    uint32_t cand_chunks;      /* chunks of it taken */
    uint8_t *hold;             /* HOLD_KEEP x MAX_CHUNK_BYTES: the newest of them */
    uint64_t hold_total;       /* chunks put in hold since the candidate appeared */
    /* flapping: changes closer than FLAP_WINDOW_NS */
    uint64_t last_change_ns;
    uint32_t flap_level;       /* the hold is HOLD_NS << flap_level */
    bool flapping;
    uint64_t flap_start_ns, flap_logged_ns, flap_changes, flap_switches;
    uint64_t restart_logged_ns, restarts_unlogged;

    /* The chunk cadence (GCRA, see cadence_take): tat_ns is when the next chunk is due at the
     * format's rate; a chunk is taken while tat_ns - now is within the burst. */
    uint64_t tat_ns, period_ns;
    uint32_t burst;            /* chunks: the source's backlog after a stall + the one due */
    uint64_t quiet_ns;         /* the last read that found nothing new */
    bool throttled;            /* the last read waited for the cadence */

    /* controller */
    struct vg_audio_rate_control ctl;
    struct vg_audio_quantum_control qctl; /* the graph period asked for, across streams */
    uint64_t next_control_ns;
    uint64_t quantum_rose_ns;  /* when a larger quantum was last asked for */
    /* A larger quantum decided, to be asked once the ring holds room for it (0: none), since
     * when, and the graph's cycle before it (ms). */
    uint32_t quantum_pending, quantum_was;
    uint64_t room_since_ns;
    double quantum_before_ms;
    bool locked;               /* the controller locked on this stream */
    /* totals when the controller locked: what happened after lock-in is reported apart */
    struct vg_audio_ring_counters at_lock;
    uint64_t at_lock_skipped;

    uint64_t last_chunk_ns;
    uint64_t next_report_ns, next_publish_ns;
    struct guest_clock {
        uint64_t start_ns, index, n; /* the stretch's start, this chunk's place, points */
        double sk, st, skk, skt;     /* sums over points: index, time, index^2, index x time */
    } gclock;
    bool waited;                     /* the last read found nothing new */
    double drift_ppm;
    enum vg_audio_player_state state;
    uint64_t chunks, dropped_chunks, torn_chunks, reopens;
    uint64_t format_changes, format_switches, held_dropped, refused_chunks, restarts;
    /* counters of rings already closed, so totals survive reopening; the same for what
     * happened after lock-in */
    struct vg_audio_ring_counters past, past_locked;
    uint64_t past_locked_skipped;
};

/* dst += a - b, for the counters the player reports. */
static void add_delta(struct vg_audio_ring_counters *dst, const struct vg_audio_ring_counters *a,
                      const struct vg_audio_ring_counters *b)
{
    dst->underruns += a->underruns - b->underruns;
    dst->dropped_frames += a->dropped_frames - b->dropped_frames;
    dst->full_chunks += a->full_chunks - b->full_chunks;
    dst->silence_frames += a->silence_frames - b->silence_frames;
    dst->played_frames += a->played_frames - b->played_frames;
    dst->late_frames += a->late_frames - b->late_frames;
    dst->stalls += a->stalls - b->stalls;
    dst->trims += a->trims - b->trims;
}

static const struct vg_audio_ring_counters no_counters;

/* Totals over the player's life, and those after lock-in. */
static void totals(struct vg_audio_player *p, struct vg_audio_ring_counters *all,
                   struct vg_audio_ring_counters *locked, uint64_t *locked_skipped)
{
    struct vg_audio_ring_counters now = {0};
    if (p->ring_ok)
        vg_audio_ring_counters(&p->ring, &now);
    *all = p->past;
    add_delta(all, &now, &no_counters);
    *locked = p->past_locked;
    *locked_skipped = p->past_locked_skipped;
    if (p->ring_ok && p->locked) {
        add_delta(locked, &now, &p->at_lock);
        *locked_skipped += p->dropped_chunks - p->at_lock_skipped;
    }
}

static double frames_to_ms(const struct vg_audio_player *p, double frames)
{
    return p->fmt.rate ? frames * 1000.0 / p->fmt.rate : 0;
}

static void close_stream(struct vg_audio_player *p)
{
    if (p->open)
        p->kops->close(p->sink);
    p->open = false;
    if (p->ring_ok) {
        struct vg_audio_ring_counters c;
        vg_audio_ring_counters(&p->ring, &c);
        add_delta(&p->past, &c, &no_counters);
        if (p->locked) {
            add_delta(&p->past_locked, &c, &p->at_lock);
            p->past_locked_skipped += p->dropped_chunks - p->at_lock_skipped;
        }
        vg_audio_ring_finish(&p->ring);
    }
    p->locked = false;
    p->ring_ok = false;
}

static void drop_sink(struct vg_audio_player *p)
{
    close_stream(p);
    p->kops->destroy(p->sink);
    p->sink = NULL;
}

/* Chunks must be read within a few ms of being due however busy the machine is (a game): the
 * thread asks for SCHED_FIFO below the sound server's own threads, as PipeWire's clients do,
 * itself (RLIMIT_RTPRIO, CAP_SYS_NICE) or, once a sink exists, through the server's policy
 * (rtkit). It sleeps between chunks and does bounded work per chunk. Refused, it runs at
 * normal priority. */
static void raise_priority(struct vg_audio_player *p)
{
    struct sched_param sp = {.sched_priority = RT_PRIORITY};
    int r = pthread_setschedparam(pthread_self(), SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);
    if (r != 0) {
        if (!p->sink)
            return; /* again once a sink exists */
        if (p->kops->acquire_rt)
            r = -p->kops->acquire_rt(p->sink, RT_PRIORITY);
    }
    p->rt_tried = true;
    if (r == 0)
        vg_debug("audio: player thread at real-time priority %d", RT_PRIORITY);
    else
        vg_info("audio: player thread at normal priority (real-time refused: %s); under load "
                "audio may drop out. rtkit, or an RLIMIT_RTPRIO in limits.conf, allows it.",
                strerror(r));
}

/* Start (and restart after an underrun) half a chunk above the target, so that the mean fill
 * starts near it. */
static void set_levels(struct vg_audio_player *p)
{
    uint64_t chunk = p->fmt.rate / 50;
    uint64_t target = (uint64_t)p->fmt.rate * vg_audio_rate_control_hold_ms(&p->ctl) / 1000;
    vg_audio_ring_set_levels(&p->ring, target + chunk / 2,
                             (uint64_t)p->fmt.rate * VG_AUDIO_WINDOW_MS / 1000);
}

static bool open_stream(struct vg_audio_player *p, uint64_t now)
{
    close_stream(p);
    p->last_chunk_ns = now;
    if (!p->sink) {
        if (now < p->next_sink_try_ns)
            return false;
        struct vg_audio_sink_options so = {
            .target = p->target,
            .role = p->role,
            .quantum_ms = p->qctl.ms,
        };
        p->sink = p->kops->create(&so);
        if (!p->sink) {
            p->next_sink_try_ns = now + SINK_RETRY_NS;
            p->state = VG_AUDIO_NO_SERVER;
            return false;
        }
        if (!p->rt_tried)
            raise_priority(p);
    }
    if (p->quantum_pending && p->kops->set_quantum) {
        /* A new stream starts at its start level whatever the quantum: no room needed. */
        p->kops->set_quantum(p->sink, p->quantum_pending);
        p->quantum_pending = 0;
    }
    uint32_t bpf = vg_audio_bytes_per_frame(&p->fmt);
    if (!vg_audio_ring_init(&p->ring, p->chunk_bytes, bpf, p->cap_chunks, p->fmt.rate)) {
        vg_err("audio: out of memory for a %u-chunk buffer", p->cap_chunks);
        return false;
    }
    p->ring_ok = true;
    /* The new stream's controller (without the room a pending quantum held): its target sets
     * the levels. */
    vg_audio_rate_control_reset(&p->ctl, p->fmt.rate, p->latency_ms, p->target_ms, now);
    set_levels(p);
    int r = p->kops->open(p->sink, &p->fmt, &p->ring);
    if (r < 0) {
        close_stream(p);
        drop_sink(p);
        /* -EPIPE: the server went away while the stream was closed; it may be back already. */
        p->next_sink_try_ns = r == -EPIPE ? now : now + SINK_RETRY_NS;
        p->state = VG_AUDIO_NO_SERVER;
        return false;
    }
    p->open = true;
    p->reopens++;
    p->gclock.start_ns = 0;
    p->next_control_ns = now + VG_AUDIO_CONTROL_NS;
    p->locked = false;
    p->state = VG_AUDIO_PLAYING;
    char f[160];
    vg_info("audio: playing %s, target %u ms", vg_audio_format_str(&p->fmt, f, sizeof(f)),
            p->target_ms);
    return true;
}

static void lock(struct vg_audio_player *p, const struct vg_audio_ring_counters *c)
{
    p->locked = true;
    p->at_lock = *c;
    p->at_lock_skipped = p->dropped_chunks;
    vg_debug("audio: rate locked at %+.1f ppm", (p->ctl.ratio - 1.0) * 1e6);
}

/* The graph period asked for, as the quantum controller decides. A smaller one is asked at once.
 * A larger one needs room in the ring first (vg_audio_rate_control_set_room): it is asked once
 * the fill holds the room, or after ROOM_WAIT_NS, and the room goes once the graph runs the
 * larger cycle, or ROOM_WAIT_NS after the request (another stream may keep it small). */
static void quantum_step(struct vg_audio_player *p, uint64_t stalls, uint64_t now)
{
    if (!p->kops->set_quantum)
        return;
    struct vg_audio_sink_state ks;
    uint32_t was = p->qctl.ms;
    if (vg_audio_quantum_control_update(&p->qctl, stalls, now)) {
        if (p->qctl.ms < was) {
            vg_info("audio: asking the graph for a %u ms quantum (was %u): calm", p->qctl.ms, was);
            p->kops->set_quantum(p->sink, p->qctl.ms);
            p->quantum_pending = 0;
        } else {
            p->kops->query(p->sink, &ks);
            /* The request doubles: the cycle grows by the one the graph runs now. */
            double grow = ks.quantum_ms > 0 ? ks.quantum_ms : (double)(p->qctl.ms - was);
            uint32_t room = (uint32_t)ceil(grow) + 1;
            p->quantum_pending = p->qctl.ms;
            p->quantum_was = was;
            p->quantum_before_ms = ks.quantum_ms;
            p->room_since_ns = now;
            vg_audio_rate_control_set_room(&p->ctl, room);
            set_levels(p);
            vg_info("audio: graph stalls recur: %u ms of room in the buffer for a %u ms quantum",
                    room, p->qctl.ms);
        }
    }
    if (p->quantum_pending &&
        (vg_audio_rate_control_room_ready(&p->ctl) || now - p->room_since_ns >= ROOM_WAIT_NS)) {
        vg_info("audio: asking the graph for a %u ms quantum (was %u): graph stalls recur",
                p->quantum_pending, p->quantum_was);
        p->kops->set_quantum(p->sink, p->quantum_pending);
        p->quantum_pending = 0;
        p->quantum_rose_ns = now;
    } else if (p->ctl.room_ms && !p->quantum_pending) {
        p->kops->query(p->sink, &ks);
        bool grown = ks.quantum_ms > p->quantum_before_ms + 0.5;
        if (grown || now - p->quantum_rose_ns >= ROOM_WAIT_NS) {
            vg_audio_rate_control_set_room(&p->ctl, 0);
            set_levels(p);
        }
    }
}

/* Once a period, right after a chunk went into the ring: the controller's step applied to the
 * ring and the sink. Periods that start and end with a chunk hold whole chunk periods, so the
 * mean fill over one does not depend on where in a chunk's sawtooth it was cut. */
static void control(struct vg_audio_player *p, uint64_t now)
{
    if (!p->open || now < p->next_control_ns)
        return;
    p->next_control_ns = now + VG_AUDIO_CONTROL_NS;
    struct vg_audio_rate_input in = {
        .late_chunks = p->late_chunks,
        .source_holding = p->cand,
        .quantum_rising = p->quantum_rose_ns && now - p->quantum_rose_ns < QUANTUM_RISE_NS,
    };
    vg_audio_ring_counters(&p->ring, &in.ring);
    struct vg_audio_rate_step step;
    vg_audio_rate_control_update(&p->ctl, &in, now, &step);
    if (step.target_moved) {
        vg_info("audio: target %u ms (was %u): %s", p->ctl.target_ms, p->target_ms,
                vg_audio_target_reason_str(p->ctl.reason));
        p->target_ms = p->ctl.target_ms;
        p->target_lo = p->target_ms < p->target_lo ? p->target_ms : p->target_lo;
        p->target_hi = p->target_ms > p->target_hi ? p->target_ms : p->target_hi;
        set_levels(p);
    }
    if (step.drop_frames) {
        vg_audio_ring_request_drop(&p->ring, step.drop_frames);
        vg_info("audio: %.1f ms buffered, over the %u ms ceiling; dropping %.1f ms of the "
                "oldest", p->ctl.fill_ms, vg_audio_ceiling_ms(p->target_ms),
                frames_to_ms(p, (double)step.drop_frames));
    }
    if (step.has_ratio)
        p->kops->set_rate(p->sink, step.ratio);
    quantum_step(p, p->past.stalls + in.ring.stalls, now);
    if (step.locked_now)
        lock(p, &in.ring);
}

static void publish(struct vg_audio_player *p, bool report)
{
    struct vg_audio_ring_counters c, l;
    uint64_t l_skipped;
    totals(p, &c, &l, &l_skipped);
    struct vg_audio_sink_state ks = {0};
    if (p->open)
        p->kops->query(p->sink, &ks);
    struct vg_audio_stats s = {
        .state = p->state,
        .fmt = p->fmt,
        .fill_ms = p->ctl.fill_ms,
        .latency_ms = p->ctl.fill_ms + ks.delay_ms,
        .target_ms = p->target_ms,
        .target_why = vg_audio_target_reason_str(p->ctl.reason),
        .quantum_ms = ks.quantum_ms,
        .late_chunks = p->late_chunks,
        .cuts = c.trims,
        .target_lo = p->target_lo,
        .target_hi = p->target_hi,
        .drift_ppm = p->drift_ppm,
        .rate_ppm = (p->ctl.ratio - 1.0) * 1e6,
        .chunks = p->chunks,
        .dropped_chunks = p->dropped_chunks,
        .torn_chunks = p->torn_chunks,
        .underruns = c.underruns,
        .dropped_frames = c.dropped_frames,
        .full_chunks = c.full_chunks,
        .reopens = p->reopens,
        .locked = p->locked,
        .stalls = c.stalls,
        .late_frames = c.late_frames,
        .after_lock = {l.underruns, l.dropped_frames, l_skipped, l.full_chunks},
        .format_changes = p->format_changes,
        .format_switches = p->format_switches,
        .format_ignored = p->format_changes - p->format_switches - (p->cand ? 1 : 0),
        .held_chunks_dropped = p->held_dropped,
        .refused_chunks = p->refused_chunks,
        .restarts = p->restarts,
        .flapping = p->flapping,
    };
    pthread_mutex_lock(&p->lock);
    p->stats = s;
    pthread_mutex_unlock(&p->lock);
    if (report && p->state == VG_AUDIO_PLAYING)
        vg_info("audio: fill %.1f ms (target %u), latency %.1f ms, quantum %.1f ms (asked %u), "
                "drift %+.1f ppm, rate %+.1f ppm%s, chunks %llu, underruns %llu, dropped %llu frames, "
                "skipped %llu chunks, torn %llu, full %llu, sink errors %llu, graph stalls %llu "
                "(%.0f ms missed), late chunks %llu, cuts %llu, target range %u..%u ms; after "
                "lock-in: underruns %llu, dropped %llu frames, skipped %llu chunks, full %llu; format "
                "changes %llu (%llu applied), refused %llu chunks (faster than their format)",
                s.fill_ms, p->target_ms, s.latency_ms, s.quantum_ms, p->qctl.ms, s.drift_ppm,
                s.rate_ppm,
                s.locked ? " (locked)" : "",
                (unsigned long long)s.chunks, (unsigned long long)s.underruns,
                (unsigned long long)s.dropped_frames, (unsigned long long)s.dropped_chunks,
                (unsigned long long)s.torn_chunks, (unsigned long long)s.full_chunks,
                (unsigned long long)ks.errors, (unsigned long long)c.stalls,
                frames_to_ms(p, (double)c.late_frames), (unsigned long long)p->late_chunks,
                (unsigned long long)c.trims, p->target_lo, p->target_hi,
                (unsigned long long)l.underruns,
                (unsigned long long)l.dropped_frames, (unsigned long long)l_skipped,
                (unsigned long long)l.full_chunks, (unsigned long long)s.format_changes,
                (unsigned long long)s.format_switches, (unsigned long long)s.refused_chunks);
}

static bool same_format(const struct vg_audio_format *f, size_t bytes,
                        const struct vg_audio_read *rd)
{
    return vg_audio_format_equal(f, &rd->fmt) && bytes == rd->chunk_bytes;
}

/* Whether the held format has held (see HOLD_NS). */
static bool held(const struct vg_audio_player *p, uint64_t now)
{
    if (!p->flap_level)
        return p->cand_chunks >= 1;
    uint32_t shift = p->flap_level < HOLD_MAX_SHIFT ? p->flap_level : HOLD_MAX_SHIFT;
    return p->cand_chunks >= HOLD_CHUNKS && now - p->cand_since_ns >= HOLD_NS << shift;
}

static void flap_summary(struct vg_audio_player *p, bool ended)
{
    char f[160];
    double secs = (double)(p->last_change_ns - p->flap_start_ns) / 1e9;
    vg_info("audio: guest audio format flapping%s: %llu changes in %.1f s ignored, %llu applied; "
            "playing %s", ended ? "" : " goes on",
            (unsigned long long)(p->flap_changes - p->flap_switches), secs,
            (unsigned long long)p->flap_switches,
            p->have_fmt ? vg_audio_format_str(&p->fmt, f, sizeof(f)) : "nothing");
}

/* Ends a flapping episode after FLAP_WINDOW_NS without a change; summarises a long one. */
static void flap_tick(struct vg_audio_player *p, uint64_t now)
{
    if (!p->flapping)
        return;
    if (now - p->last_change_ns >= FLAP_WINDOW_NS) {
        flap_summary(p, true);
        p->flapping = false;
        p->flap_level = 0;
    } else if (now - p->flap_logged_ns >= FLAP_SUMMARY_NS) {
        flap_summary(p, false);
        p->flap_logged_ns = now;
    }
}

/* A format change: one that follows the last within FLAP_WINDOW_NS lengthens the hold, and the
 * first of those starts an episode, logged once here and summarised when it ends. */
static void flap_change(struct vg_audio_player *p, const struct vg_audio_format *to, uint64_t now)
{
    uint64_t prev = p->last_change_ns;
    p->last_change_ns = now;
    if (!prev || now - prev >= FLAP_WINDOW_NS) {
        p->flap_level = 0;
        return;
    }
    if (p->flap_level < HOLD_MAX_SHIFT)
        p->flap_level++;
    if (!p->flapping) {
        p->flapping = true;
        p->flap_start_ns = prev;
        p->flap_logged_ns = now;
        p->flap_changes = 1; /* the change before this one */
        p->flap_switches = 0;
        char f[160];
        vg_warn("audio: the guest changes its audio format again after %.0f ms (to %s); until "
                "it stops, a new format plays only once it holds for up to %.0f ms, and the "
                "changes are counted and summarised here",
                (double)(now - prev) / 1e6, vg_audio_format_str(to, f, sizeof(f)),
                (double)(HOLD_NS << HOLD_MAX_SHIFT) / 1e6);
    }
    p->flap_changes++;
}

static void restarted(struct vg_audio_player *p, uint64_t now)
{
    p->restarts++;
    if (p->restart_logged_ns && now - p->restart_logged_ns < RESTART_LOG_NS) {
        p->restarts_unlogged++;
        return;
    }
    if (p->restarts_unlogged)
        vg_info("audio: the guest's stream restarted (%llu more times since the last such line)",
                (unsigned long long)p->restarts_unlogged);
    else
        vg_info("audio: the guest's stream restarted");
    p->restart_logged_ns = now;
    p->restarts_unlogged = 0;
}

/* The guest's stream opened, restarted or changed format. The first format plays at once; a
 * change is held (see HOLD_NS) while the stream plays on, and a change back to the format
 * playing just drops the held one. */
static void on_format(struct vg_audio_player *p, const struct vg_audio_read *rd, uint64_t now)
{
    if (rd->chunk_bytes == 0 || rd->chunk_bytes > MAX_CHUNK_BYTES)
        return;
    if (!p->have_fmt) {
        p->have_fmt = true;
        p->fmt = rd->fmt;
        p->chunk_bytes = rd->chunk_bytes;
        p->ctl.fill_ms = 0;
        open_stream(p, now);
        return;
    }
    bool playing = same_format(&p->fmt, p->chunk_bytes, rd);
    if (p->cand ? same_format(&p->cand_fmt, p->cand_bytes, rd) : playing) {
        if (rd->restarted)
            restarted(p, now);
        return;
    }
    p->format_changes++;
    flap_change(p, &rd->fmt, now);
    if (p->cand)
        p->held_dropped += p->hold_total < HOLD_KEEP ? p->hold_total : HOLD_KEEP;
    p->cand = !playing;
    if (!p->cand)
        return;
    p->cand_fmt = rd->fmt;
    p->cand_bytes = rd->chunk_bytes;
    p->cand_since_ns = now;
    p->cand_chunks = 0;
    p->hold_total = 0;
}

/* The held format has held: the stream reopens in it, started with the chunks that proved it
 * (the old stream played its buffer meanwhile). */
static void switch_format(struct vg_audio_player *p, uint64_t now)
{
    char f[160];
    vg_info("audio: format changed to %s", vg_audio_format_str(&p->cand_fmt, f, sizeof(f)));
    p->cand = false;
    p->fmt = p->cand_fmt;
    p->chunk_bytes = p->cand_bytes;
    p->ctl.fill_ms = 0;
    p->format_switches++;
    if (p->flapping)
        p->flap_switches++;
    uint64_t n = p->hold_total < HOLD_KEEP ? p->hold_total : HOLD_KEEP;
    if (!open_stream(p, now)) {
        p->held_dropped += n;
        return;
    }
    for (uint64_t k = p->hold_total - n; k < p->hold_total; k++) {
        void *slot = vg_audio_ring_chunk_slot(&p->ring);
        if (!slot) {
            vg_audio_ring_count_full(&p->ring);
            continue;
        }
        memcpy(slot, p->hold + (size_t)(k % HOLD_KEEP) * MAX_CHUNK_BYTES, p->chunk_bytes);
        vg_audio_ring_commit(&p->ring, now);
    }
}

/* Where a chunk of the held format is read to: the oldest of the HOLD_KEEP slots. */
static void *hold_slot(struct vg_audio_player *p)
{
    return p->hold + (size_t)(p->hold_total % HOLD_KEEP) * MAX_CHUNK_BYTES;
}

static void hold_chunk(struct vg_audio_player *p, const struct vg_audio_read *rd, uint64_t now)
{
    /* The source reports a change before the chunks of a new format. */
    if (!same_format(&p->cand_fmt, p->cand_bytes, rd) || rd->len != p->cand_bytes) {
        p->held_dropped += 1 + (p->hold_total < HOLD_KEEP ? p->hold_total : HOLD_KEEP);
        p->hold_total = 0;
        p->cand_chunks = 0;
        return;
    }
    if (p->hold_total >= HOLD_KEEP)
        p->held_dropped++; /* the oldest held chunk was overwritten */
    p->hold_total++;
    p->cand_chunks++;
    if (held(p, now))
        switch_format(p, now);
}

/* The cadence the format implies: chunk bytes / (rate x frame bytes), less CADENCE_SLACK. */
static uint64_t chunk_period_ns(const struct vg_audio_format *f, size_t bytes)
{
    uint64_t per_s = (uint64_t)f->rate * vg_audio_bytes_per_frame(f);
    if (!per_s || !bytes || bytes > MAX_CHUNK_BYTES)
        return CHUNK_MS * VG_NS_PER_MS;
    uint64_t ns = (uint64_t)bytes * VG_NS_PER_S / per_s; /* <= 2.5e14: no overflow */
    return ns - ns / CADENCE_SLACK;
}

/* 0 when a chunk may be taken now, else the time one may. */
static uint64_t cadence_wait(const struct vg_audio_player *p, uint64_t now)
{
    uint64_t tau = (uint64_t)(p->burst - 1) * p->period_ns;
    return p->tat_ns > now + tau ? p->tat_ns - tau : 0;
}

/* A chunk taken at now. A schedule that fell behind restarts where we last found nothing new,
 * not now: chunks found waiting after our thread stalled came while we were not looking, so
 * the backlog they make costs no burst, and the next catch-up fits too. At most a burst's
 * worth of that is forgiven; a guest that writes too fast is never found quiet. */
static void cadence_take(struct vg_audio_player *p, const struct vg_audio_read *rd, uint64_t now)
{
    p->period_ns = chunk_period_ns(&rd->fmt, rd->len);
    uint64_t credit = (uint64_t)p->burst * p->period_ns;
    uint64_t from = now > credit ? now - credit : 0;
    if (p->quiet_ns > from)
        from = p->quiet_ns;
    p->tat_ns = (p->tat_ns > from ? p->tat_ns : from) + p->period_ns;
}

/* The guest's chunk clock against CLOCK_MONOTONIC (the clock PipeWire's graph follows): the
 * least-squares slope of chunk arrival times over an uninterrupted stretch, which our own
 * wake-up jitter (a millisecond, now and then more) barely moves. Only chunks we were waiting
 * for count (waited: found within STAMP_NS of a look that found nothing): one read from a
 * backlog (our thread was late) arrived earlier than we saw it, though it keeps its place in
 * the sequence. A stall or a restart starts a new stretch. */
static void track_guest_clock(struct vg_audio_player *p, uint64_t now, uint64_t skipped,
                              bool waited)
{
    struct guest_clock *g = &p->gclock;
    /* Stretches end after CLOCK_MAX_NS too: the sums stay precise, the figure current (the
     * last one is kept until the new stretch is long enough). */
    if (!g->start_ns || now - p->last_chunk_ns > GAP_NS || now - g->start_ns > CLOCK_MAX_NS) {
        memset(g, 0, sizeof(*g));
        g->start_ns = now;
    } else {
        g->index += 1 + skipped;
    }
    if (!waited)
        return;
    double k = (double)g->index, t = (double)(now - g->start_ns) / 1e9;
    g->n++;
    g->sk += k;
    g->st += t;
    g->skk += k * k;
    g->skt += k * t;
    double n = (double)g->n, den = n * g->skk - g->sk * g->sk;
    if (t >= CLOCK_MIN_S && den > 0) {
        double slope = (n * g->skt - g->sk * g->st) / den; /* seconds per chunk */
        if (slope > 0)
            p->drift_ppm = (CHUNK_MS / 1000.0 / slope - 1.0) * 1e6;
    }
}

static void on_chunk(struct vg_audio_player *p, const struct vg_audio_read *rd, void *where,
                     uint64_t now)
{
    cadence_take(p, rd, now);
    p->chunks++;
    track_guest_clock(p, now, rd->dropped_chunks, p->waited);
    p->last_chunk_ns = now;
    if (p->cand) {
        hold_chunk(p, rd, now);
        return;
    }
    if (!p->open) {
        if (!p->have_fmt || !open_stream(p, now))
            return;
    }
    if (vg_audio_ring_playing(&p->ring) && vg_audio_ring_fill(&p->ring) * 1000 < (uint64_t)p->fmt.rate * VG_AUDIO_LATE_FILL_MS)
        p->late_chunks++;
    if (where != p->scratch) {
        vg_audio_ring_commit(&p->ring, now);
        return;
    }
    /* The stream was (re)opened for this chunk, or the ring was full. */
    void *slot = vg_audio_ring_chunk_slot(&p->ring);
    if (slot && rd->len == p->chunk_bytes) {
        memcpy(slot, p->scratch, rd->len);
        vg_audio_ring_commit(&p->ring, now);
    } else {
        vg_audio_ring_count_full(&p->ring);
    }
}

static void sleep_until(struct vg_audio_player *p, uint64_t deadline)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline / VG_NS_PER_S),
                          .tv_nsec = (long)(deadline % VG_NS_PER_S)};
    pthread_mutex_lock(&p->lock);
    while (!p->stop && vg_time_ns() < deadline) {
        if (pthread_cond_timedwait(&p->wake, &p->lock, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&p->lock);
}

static bool should_stop(struct vg_audio_player *p)
{
    pthread_mutex_lock(&p->lock);
    bool s = p->stop;
    pthread_mutex_unlock(&p->lock);
    return s;
}

/* Nothing to read now: housekeeping, then sleep until `wake` (or the next publication). */
static void idle(struct vg_audio_player *p, uint64_t now, bool active, uint64_t wake,
                 uint64_t report_ns)
{
    if (p->open) {
        struct vg_audio_sink_state ks;
        p->kops->query(p->sink, &ks);
        if (!ks.alive) {
            drop_sink(p);
            p->next_sink_try_ns = now + SINK_RETRY_NS / 4;
            p->state = VG_AUDIO_NO_SERVER;
        } else if (p->idle_s && now - p->last_chunk_ns >= (uint64_t)p->idle_s * VG_NS_PER_S) {
            vg_info("audio: no audio from the guest for %u s; stream closed", p->idle_s);
            close_stream(p);
            p->state = VG_AUDIO_IDLE;
        }
    }
    if (!active && !p->open && p->state == VG_AUDIO_PLAYING)
        p->state = VG_AUDIO_WAITING;
    /* The overlay's figures four times a second; the log line every report interval. */
    if (now >= p->next_publish_ns) {
        bool report = report_ns && now >= p->next_report_ns;
        publish(p, report);
        if (report)
            p->next_report_ns = now + report_ns;
        p->next_publish_ns = now + PUBLISH_NS;
    }
    if (p->next_publish_ns < wake)
        wake = p->next_publish_ns;
    sleep_until(p, wake);
}

static void *run(void *arg)
{
    struct vg_audio_player *p = arg;
    raise_priority(p);
    uint64_t report_ns = (uint64_t)p->report_s * VG_NS_PER_S;
    p->next_report_ns = vg_time_ns() + (report_ns ? report_ns : VG_NS_PER_S);
    p->next_publish_ns = vg_time_ns();
    while (!should_stop(p)) {
        uint64_t now = vg_time_ns();
        flap_tick(p, now);
        /* The guest writes faster than its format plays: we take chunks at the cadence, and
         * what it writes meanwhile is refused (the source keeps only the newest). */
        uint64_t until = cadence_wait(p, now);
        if (until) {
            p->throttled = true;
            p->waited = false;
            idle(p, now, true, until, report_ns);
            continue;
        }
        void *slot = p->open && !p->cand ? vg_audio_ring_chunk_slot(&p->ring) : NULL;
        void *dst = p->cand ? hold_slot(p) : slot ? slot : p->scratch;
        size_t cap = slot ? p->chunk_bytes : MAX_CHUNK_BYTES;
        struct vg_audio_read rd;
        int r = p->sops->read(p->src, now, dst, cap, &rd);
        if (p->throttled) {
            p->refused_chunks += rd.dropped_chunks;
            rd.dropped_chunks = 0; /* not audio a stall made late */
        }
        p->throttled = false;
        p->dropped_chunks += rd.dropped_chunks;
        p->torn_chunks += rd.torn_chunks;
        if (r == VG_AUDIO_READ_FORMAT) {
            on_format(p, &rd, now);
            p->waited = false;
            continue;
        }
        if (r == VG_AUDIO_READ_CHUNK) {
            /* When it came is known only if we looked shortly before and it was not there.
             * Found after a longer sleep, it came at some time during it: after a backlog, our
             * wake-ups (a period after the last chunk we took) trail the writer's by up to a
             * chunk for a while, and after a stall (SIGSTOP) by the stall; such stamps are
             * late, and a few of them moved the drift figure by 100 ppm. */
            if (p->waited && now - p->quiet_ns > STAMP_NS)
                p->waited = false;
            on_chunk(p, &rd, dst, now);
            p->waited = false;
            control(p, now);
            continue;
        }
        p->waited = true;
        if (!rd.torn_chunks)
            p->quiet_ns = now;
        idle(p, now, rd.active, rd.wake_ns, report_ns);
    }
    if (p->flapping)
        flap_summary(p, true);
    /* Final figures for get_stats; not logged: the ring draining as we stop is no underrun. */
    publish(p, false);
    if (p->sink)
        drop_sink(p);
    return NULL;
}

static char *dup_opt(const char *s)
{
    return s ? strdup(s) : NULL;
}

struct vg_audio_player *vg_audio_player_create(const struct vg_audio_player_options *o)
{
    struct vg_audio_player *p = calloc(1, sizeof(*p));
    if (!p)
        goto oom;
    p->path = dup_opt(o->path);
    p->target = dup_opt(o->target && o->target[0] ? o->target : NULL);
    p->role = dup_opt(o->role ? o->role : "Game");
    p->scratch = malloc(MAX_CHUNK_BYTES);
    p->hold = malloc((size_t)HOLD_KEEP * MAX_CHUNK_BYTES);
    if (!p->path || !p->role || !p->scratch || !p->hold ||
        (o->target && o->target[0] && !p->target))
        goto oom;
    p->latency_ms = o->latency_ms ? o->latency_ms : 20;
    vg_audio_quantum_control_reset(&p->qctl, o->quantum_ms, vg_time_ns());
    p->target_ms = p->target_lo = p->target_hi = p->latency_ms;
    p->idle_s = o->idle_s;
    p->report_s = o->report_s;
    /* Room for the hard ceiling of the highest target, a chunk in flight and a burst read at
     * once. */
    p->cap_chunks =
        (vg_audio_ceiling_ms(p->latency_ms + VG_AUDIO_TARGET_SPAN_MS) + CHUNK_MS - 1) / CHUNK_MS +
        4;
    /* The source keeps cap_chunks - 2 after a stall: those and the chunk due at once. */
    p->burst = p->cap_chunks - 1;
    p->period_ns = CHUNK_MS * VG_NS_PER_MS;
    p->ctl.ratio = 1.0;
    p->sops = o->source && o->source[0] ? vg_audio_source_find(o->source) : vg_audio_sources[0];
    p->kops = vg_audio_sinks[0];
    if (o->source && o->source[0] && !p->sops) {
        vg_err("audio: no audio source '%s' in this build (give auto, scream or spice)",
               o->source);
        goto fail;
    }
    if (!p->sops || !p->kops) {
        vg_err("audio: this build has no audio %s", p->sops ? "sink (PipeWire)" : "source");
        goto fail;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->wake, &ca);
    pthread_condattr_destroy(&ca);
    p->src = p->sops->create(&(struct vg_audio_source_args){
        .path = p->path, .max_behind = p->cap_chunks - 2, .pcm = o->pcm});
    if (!p->src)
        goto fail;
    int r = pthread_create(&p->thread, NULL, run, p);
    if (r != 0) {
        vg_err("audio: cannot start the player thread: %s", strerror(r));
        goto fail;
    }
    p->thread_started = true;
    return p;
oom:
    vg_err("audio: out of memory");
fail:
    vg_audio_player_destroy(p);
    return NULL;
}

void vg_audio_player_destroy(struct vg_audio_player *p)
{
    if (!p)
        return;
    if (p->thread_started) {
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
    }
    if (p->sops)
        p->sops->destroy(p->src);
    free(p->scratch);
    free(p->hold);
    free(p->path);
    free(p->target);
    free(p->role);
    free(p);
}

void vg_audio_player_get_stats(struct vg_audio_player *p, struct vg_audio_stats *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->stats;
    pthread_mutex_unlock(&p->lock);
}
