/* `vgapt-guest tone`: a synthetic Scream driver. It writes sine tones into a Scream IVSHMEM ring
 * the way the Windows driver does, so the host's audio path can be run and tested without a
 * VM, including the driver's awkward moments: format changes, stalls, stream restarts, a clock
 * that runs fast or slow, and timing marks for latency measurement. */
#include "guest.h"
#include "region.h"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg/log.h"
#include "vg/opts.h"
#include "vg/scream.h"
#include "vg/shm.h"
#include "vg/time.h"
#include "vg/version.h"

#define MIB (UINT64_C(1) << 20)
#define MIN_RATE 44100
#define MAX_RATE 192000
#define CHUNK_NS (VG_SCREAM_CHUNK_MS * VG_NS_PER_MS)
#define CHUNKS_PER_S (1000u / VG_SCREAM_CHUNK_MS)
/* The largest chunk this program writes: 192 kHz, 32-bit, 8 channels. */
#define MAX_CHUNK_BYTES (MAX_RATE / CHUNKS_PER_S * 4 * VG_SCREAM_MAX_CHANNELS)
#define RESTART_GAP_NS (200 * VG_NS_PER_MS)
#define MARK_MS 2u
/* Tones above this fraction of the rate would alias or sit on the resampler's slope. */
#define MAX_TONE_FRACTION 0.45
/* Behind by more than this, start a new schedule instead of writing a burst of chunks. */
#define MAX_LATE_CHUNKS 5
#define MAX_MARK_AMPLITUDE 0.8
#define TWO_PI 6.283185307179586476925

static const char *const bits_names[] = {"16", "24", "32", NULL};
static const uint32_t bits_values[] = {16, 24, 32};

struct format {
    uint32_t rate, bits, channels, channel_map;
};

struct options {
    char *shm;
    int64_t rate;
    int bits;
    int64_t channels;
    int64_t channel_map;
    double freq;
    double amplitude;
    double skew_ppm;
    double seconds;
    double switch_after;
    char *switch_to;
    double stall_after;
    double stall;
    double restart_after;
    double mark_every;
    int64_t size_mib;
};

/* Per-channel oscillators; every channel's phase advances whatever the channel count, so each
 * tone is continuous across chunks and format changes. Phases are in cycles, kept in [0, 1). */
struct tone {
    double phase[VG_SCREAM_MAX_CHANNELS];
    double freq;
    double amplitude;
};

static uint64_t seconds_ns(double s)
{
    return (uint64_t)llround(s * 1e9);
}

static uint32_t chunk_bytes(const struct format *f)
{
    return f->bits / 8 * f->channels * (f->rate / CHUNKS_PER_S);
}

/* Checks a format a user asked for; `what` names the option. Prints the problem. */
static bool check_format(const struct format *f, double freq, const char *what)
{
    uint8_t rate_byte;
    if (f->rate < MIN_RATE || f->rate > MAX_RATE || !vg_scream_rate_encode(f->rate, &rate_byte)) {
        vg_err("%s: %" PRIu32 " Hz is not a rate this writes: use a multiple of 44100 or "
               "48000 from %d to %d (44100, 48000, 88200, 96000, 176400, 192000)",
               what, f->rate, MIN_RATE, MAX_RATE);
        return false;
    }
    if (f->bits != 16 && f->bits != 24 && f->bits != 32) {
        vg_err("%s: %" PRIu32 " bits per sample: use 16, 24 or 32", what, f->bits);
        return false;
    }
    if (f->channels < 1 || f->channels > VG_SCREAM_MAX_CHANNELS) {
        vg_err("%s: %" PRIu32 " channels: use 1 to %u", what, f->channels, VG_SCREAM_MAX_CHANNELS);
        return false;
    }
    double top = freq * f->channels;
    if (top > MAX_TONE_FRACTION * f->rate) {
        vg_err("--freq %g puts channel %" PRIu32 " at %g Hz, too close to the Nyquist limit at "
               "%s %" PRIu32 " Hz (at most %g Hz): lower --freq or the channel count",
               freq, f->channels, top, what, f->rate, MAX_TONE_FRACTION * f->rate);
        return false;
    }
    return true;
}

static bool parse_switch_to(const char *s, struct format *f)
{
    unsigned rate, bits, channels;
    char tail;
    if (sscanf(s, "%u/%u/%u%c", &rate, &bits, &channels, &tail) != 3) {
        vg_err("--switch-to takes RATE/BITS/CHANNELS (e.g. 44100/24/2), not '%s'", s);
        return false;
    }
    *f = (struct format){.rate = rate, .bits = bits, .channels = channels};
    return true;
}

static void put_sample(uint8_t *p, uint32_t bits, double x)
{
    if (bits == 16) {
        int32_t v = (int32_t)lrint(x * 32767.0);
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)((uint32_t)v >> 8);
    } else if (bits == 24) {
        int32_t v = (int32_t)lrint(x * 8388607.0);
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)((uint32_t)v >> 8);
        p[2] = (uint8_t)((uint32_t)v >> 16);
    } else {
        int32_t v = (int32_t)llrint(x * 2147483647.0);
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)((uint32_t)v >> 8);
        p[2] = (uint8_t)((uint32_t)v >> 16);
        p[3] = (uint8_t)((uint32_t)v >> 24);
    }
}

/* Fills one chunk; the first mark_frames frames are full scale on every channel. */
static void render_chunk(struct tone *t, const struct vg_scream_layout *l, uint8_t *buf,
                         uint32_t mark_frames)
{
    uint32_t sample_bytes = l->bits / 8;
    double step[VG_SCREAM_MAX_CHANNELS];
    for (uint32_t c = 0; c < VG_SCREAM_MAX_CHANNELS; c++)
        step[c] = t->freq * (c + 1) / l->rate;
    for (uint32_t i = 0; i < l->chunk_frames; i++) {
        uint8_t *frame = buf + (size_t)i * l->bytes_per_frame;
        for (uint32_t c = 0; c < l->channels; c++) {
            double x = i < mark_frames ? 1.0 : t->amplitude * sin(TWO_PI * t->phase[c]);
            put_sample(frame + c * sample_bytes, l->bits, x);
        }
        for (uint32_t c = 0; c < VG_SCREAM_MAX_CHANNELS; c++) {
            t->phase[c] += step[c];
            t->phase[c] -= floor(t->phase[c]);
        }
    }
}

/* Maps the region: creates a missing or empty regular file at size_mib, uses an existing one
 * (or a device) as it is if it holds the header and 2 chunks. Returns 0 or an exit status. */
static int map_region(const struct options *o, uint64_t need, struct vg_shm *shm)
{
    uint64_t want = (uint64_t)o->size_mib * MIB, have = 0;
    enum vg_guest_region how = vg_guest_region_probe(o->shm, need, &have);
    if (how == VG_GUEST_REGION_ERROR)
        return 1;
    if (how == VG_GUEST_REGION_TOO_SMALL) {
        vg_err("%s has %" PRIu64 " bytes; this format needs at least %" PRIu64 " (the 24-byte "
               "header and 2 chunks): remove it (it is then created at %" PRId64 " MiB) or give "
               "a larger file",
               o->shm, have, need, o->size_mib);
        return 1;
    }
    bool create = how == VG_GUEST_REGION_CREATE;
    if (create && want < need) {
        vg_err("--size-mib %" PRId64 " cannot hold the header and 2 chunks of this format (%" PRIu64
               " bytes): raise it",
               o->size_mib, need);
        return 2;
    }
    if (!vg_guest_region_map(o->shm, create, want, shm))
        return 1;
    if (shm->size < need) {
        vg_err("%s has %zu bytes; this format needs at least %" PRIu64 ": give a larger one",
               o->shm, shm->size, need);
        vg_shm_unmap(shm);
        return 1;
    }
    if (create)
        vg_info("created %s (%" PRId64 " MiB)", o->shm, o->size_mib);
    return 0;
}

/* Sleeps until t; false if asked to stop or at `end` first. */
static bool sleep_until(uint64_t t, uint64_t end)
{
    for (;;) {
        uint64_t now = vg_time_ns();
        if (vg_guest_stop_requested || now >= end)
            return false;
        if (now >= t)
            return true;
        uint64_t wake = t;
        if (wake - now > CHUNK_NS)
            wake = now + CHUNK_NS;
        if (wake > end)
            wake = end;
        vg_sleep_until_ns(wake);
    }
}

static int open_format(struct vg_scream_writer *w, const struct format *f,
                       struct vg_scream_layout *l)
{
    int r = vg_scream_writer_open(w, f->rate, f->bits, f->channels, f->channel_map);
    if (r < 0) {
        vg_err("cannot open a %" PRIu32 " Hz %" PRIu32 "-bit %" PRIu32 "-channel stream in the "
               "ring: %s",
               f->rate, f->bits, f->channels, strerror(-r));
        return r;
    }
    vg_scream_writer_layout(w, l);
    vg_info("stream open: %" PRIu32 " Hz, %" PRIu32 "-bit, %" PRIu32 " ch (map 0x%" PRIx32
            "), ring of %" PRIu32 " chunks of %" PRIu32 " bytes",
            l->rate, l->bits, l->channels, l->channel_map, l->max_chunks, l->chunk_size);
    return 0;
}

/* Chunk timing over stretches of regular pacing, for the effective rate in the summary. */
/* The chunk rate as written: the least-squares slope of publish times against the chunk's
 * place, per stretch between restarts and stalls, so that one chunk published late (a busy
 * machine) barely moves it, as it would the span from the first to the last. */
struct pace_stats {
    uint64_t intervals;     /* over the stretches done */
    double span_s;          /* their slopes times their intervals: seconds */
    uint64_t seg_first_ns;  /* the stretch in progress */
    double n, sk, st, skk, skt;
};

static void pace_end_segment(struct pace_stats *s)
{
    double den = s->n * s->skk - s->sk * s->sk;
    if (s->n >= 3 && den > 0) {
        double slope = (s->n * s->skt - s->sk * s->st) / den; /* seconds per chunk */
        s->intervals += (uint64_t)s->n - 1;
        s->span_s += slope * (s->n - 1);
    }
    s->n = s->sk = s->st = s->skk = s->skt = 0;
}

static void pace_chunk(struct pace_stats *s, uint64_t ns)
{
    if (s->n == 0)
        s->seg_first_ns = ns;
    double k = s->n, t = (double)(ns - s->seg_first_ns) / 1e9;
    s->n++;
    s->sk += k;
    s->st += t;
    s->skk += k * k;
    s->skt += k * t;
}

static int run(const struct options *o, const struct format *first, const struct format *second)
{
    uint64_t need = chunk_bytes(first);
    if (second && chunk_bytes(second) > need)
        need = chunk_bytes(second);
    need = VG_SCREAM_HEADER_SIZE + 2 * need;

    int status = 1;
    struct vg_shm shm = {0};
    struct vg_scream_writer *w = NULL;
    uint8_t *chunk = NULL;

    int r = map_region(o, need, &shm);
    if (r != 0)
        return r;
    w = vg_scream_writer_create(shm.base, shm.size);
    chunk = malloc(MAX_CHUNK_BYTES);
    if (!w || !chunk) {
        vg_err("out of memory");
        goto cleanup;
    }

    struct vg_scream_layout l;
    struct format cur = *first;
    if (open_format(w, &cur, &l) < 0)
        goto cleanup;

    struct tone tone = {.freq = o->freq, .amplitude = o->amplitude};
    /* The guest's clock runs fast by skew_ppm: its 20 ms are that much shorter on ours. */
    const double period_ns = (double)CHUNK_NS * (1.0 - o->skew_ppm / 1e6);
    const uint64_t start = vg_time_ns();
    const uint64_t end = o->seconds > 0 ? start + seconds_ns(o->seconds) : UINT64_MAX;
    const uint64_t mark_every = seconds_ns(o->mark_every);
    bool switch_pending = second != NULL, stall_pending = o->stall > 0,
         restart_pending = o->restart_after > 0;
    uint64_t next_mark = mark_every ? start + mark_every : UINT64_MAX;
    uint64_t marks = 0, chunks = 0, late = 0;
    /* Deadlines are absolute from an anchor: sleep overshoot never accumulates. */
    uint64_t anchor_ns = start, anchor_n = 0;
    struct pace_stats pace = {0};

    for (;;) {
        uint64_t deadline = anchor_ns + (uint64_t)llround((double)(chunks - anchor_n) * period_ns);
        if (!sleep_until(deadline, end))
            break;
        uint64_t t = deadline - start;

        if (switch_pending && t >= seconds_ns(o->switch_after)) {
            switch_pending = false;
            cur = *second;
            if (open_format(w, &cur, &l) < 0)
                goto cleanup;
        }
        if (restart_pending && t >= seconds_ns(o->restart_after)) {
            restart_pending = false;
            vg_scream_writer_close(w);
            vg_info("stream closed; reopening in %" PRIu64 " ms", RESTART_GAP_NS / VG_NS_PER_MS);
            pace_end_segment(&pace);
            if (!sleep_until(vg_time_ns() + RESTART_GAP_NS, end))
                break;
            if (open_format(w, &cur, &l) < 0)
                goto cleanup;
            anchor_ns = vg_time_ns();
            anchor_n = chunks;
            continue;
        }
        if (stall_pending && t >= seconds_ns(o->stall_after)) {
            stall_pending = false;
            vg_info("stalling for %g s (stream stays open)", o->stall);
            pace_end_segment(&pace);
            if (!sleep_until(vg_time_ns() + seconds_ns(o->stall), end))
                break;
            anchor_ns = vg_time_ns();
            anchor_n = chunks;
            continue;
        }

        bool mark = deadline >= next_mark;
        if (mark) {
            while (next_mark <= deadline)
                next_mark += mark_every;
        }
        render_chunk(&tone, &l, chunk, mark ? l.rate * MARK_MS / 1000u : 0);
        vg_scream_writer_write(w, chunk);
        uint64_t published = vg_time_ns();
        if (mark) {
            printf("mark %" PRIu64 " written_ns=%" PRIu64 "\n", ++marks, published);
            fflush(stdout);
        }
        pace_chunk(&pace, published);
        chunks++;

        if (published > deadline + (uint64_t)(MAX_LATE_CHUNKS * period_ns)) {
            late++;
            pace_end_segment(&pace);
            anchor_ns = published;
            anchor_n = chunks - 1;
        }
    }
    pace_end_segment(&pace);

    double secs = (double)(vg_time_ns() - start) / 1e9;
    double rate = pace.span_s > 0 ? (double)pace.intervals / pace.span_s : 0.0;
    if (late)
        vg_warn("fell more than %d chunks behind %" PRIu64 " times (machine too busy)",
                MAX_LATE_CHUNKS, late);
    printf("tone: %" PRIu64 " chunks in %.3f s (%.4f chunks/s)\n", chunks, secs, rate);
    fflush(stdout);
    status = 0;

cleanup:
    vg_scream_writer_destroy(w);
    free(chunk);
    vg_shm_unmap(&shm);
    return status;
}

/* Cross-option rules the table cannot express; prints the problem. */
static bool check_options(const struct options *o, struct format *first, struct format *second,
                          bool *has_second)
{
    if (!o->shm || !*o->shm) {
        vg_err("--shm FILE is required: the shared-memory file to write, e.g. "
               "--shm /dev/shm/scream-ivshmem");
        return false;
    }
    *first = (struct format){
        .rate = (uint32_t)o->rate,
        .bits = bits_values[o->bits],
        .channels = (uint32_t)o->channels,
        .channel_map = (uint32_t)o->channel_map,
    };
    if (!check_format(first, o->freq, "--rate"))
        return false;
    if (__builtin_popcount((unsigned)o->channel_map) > o->channels) {
        vg_err("--channel-map 0x%" PRIx64 " names more speakers than --channels %" PRId64,
               (uint64_t)o->channel_map, o->channels);
        return false;
    }
    *has_second = o->switch_to && *o->switch_to;
    if (*has_second != (o->switch_after > 0)) {
        vg_err("--switch-after S and --switch-to RATE/BITS/CHANNELS go together");
        return false;
    }
    if (*has_second &&
        (!parse_switch_to(o->switch_to, second) || !check_format(second, o->freq, "--switch-to")))
        return false;
    if ((o->stall_after > 0) != (o->stall > 0)) {
        vg_err("--stall-after S and --stall S go together");
        return false;
    }
    if (o->mark_every > 0 && o->amplitude > MAX_MARK_AMPLITUDE) {
        vg_err("--mark-every needs --amplitude at most %g so that a mark stands out from the "
               "tone",
               MAX_MARK_AMPLITUDE);
        return false;
    }
    return true;
}

int vg_guest_tone_main(int argc, char **argv)
{
    struct options o = {
        .rate = 48000,
        .bits = 0,
        .channels = 2,
        .freq = 440,
        .amplitude = 0.5,
        .size_mib = 2,
    };
    /* name, short, type, dest, min, max, choices, arg, help */
    const struct vg_opt opts[] = {
        {"shm", 0, VG_OPT_STRING, &o.shm, 0, 0, NULL, "FILE",
         "shared-memory file to write (created if missing), e.g. /dev/shm/scream-ivshmem", NULL,
         NULL},
        {"rate", 0, VG_OPT_INT, &o.rate, MIN_RATE, MAX_RATE, NULL, "HZ",
         "sample rate: a multiple of 44100 or 48000", NULL, NULL},
        {"bits", 0, VG_OPT_CHOICE, &o.bits, 0, 0, bits_names, "BITS",
         "bits per sample (24 is packed, 3 bytes).", NULL, NULL},
        {"channels", 0, VG_OPT_INT, &o.channels, 1, VG_SCREAM_MAX_CHANNELS, NULL, "N",
         "channels, 1 to 8", NULL, NULL},
        {"channel-map", 0, VG_OPT_INT, &o.channel_map, 0, VG_SCREAM_MAX_CHANNEL_MAP, NULL, "MASK",
         "speaker mask (e.g. 0x3F for 5.1); 0 for the default of the channel count", NULL, NULL},
        {"freq", 0, VG_OPT_DOUBLE, &o.freq, 1, 20000, NULL, "HZ",
         "tone of channel 1; channel c plays c times this", NULL, NULL},
        {"amplitude", 0, VG_OPT_DOUBLE, &o.amplitude, 0, 1, NULL, "A",
         "peak level, 0 to 1 of full scale", NULL, NULL},
        {"skew-ppm", 0, VG_OPT_DOUBLE, &o.skew_ppm, -5000, 5000, NULL, "PPM",
         "the guest clock runs this much fast (chunks every 20 ms x (1 - PPM/1e6))", NULL, NULL},
        {"seconds", 0, VG_OPT_DOUBLE, &o.seconds, 0, 1e9, NULL, "S",
         "stop (closing the stream) after S seconds; 0 runs until SIGINT or SIGTERM", NULL, NULL},
        {"switch-after", 0, VG_OPT_DOUBLE, &o.switch_after, 0, 1e9, NULL, "S",
         "after S seconds change the format to --switch-to; 0: never", NULL, NULL},
        {"switch-to", 0, VG_OPT_STRING, &o.switch_to, 0, 0, NULL, "RATE/BITS/CHANNELS",
         "the format to change to, e.g. 44100/24/2 (default speaker mask)", NULL, NULL},
        {"stall-after", 0, VG_OPT_DOUBLE, &o.stall_after, 0, 1e9, NULL, "S",
         "after S seconds stop writing for --stall seconds, stream left open; 0: never", NULL,
         NULL},
        {"stall", 0, VG_OPT_DOUBLE, &o.stall, 0, 1e6, NULL, "S", "length of the stall", NULL, NULL},
        {"restart-after", 0, VG_OPT_DOUBLE, &o.restart_after, 0, 1e9, NULL, "S",
         "after S seconds close the stream, wait 200 ms and reopen it; 0: never", NULL, NULL},
        {"mark-every", 0, VG_OPT_DOUBLE, &o.mark_every, 0, 1e6, NULL, "S",
         "every S seconds a chunk starts with 2 ms at full scale; prints 'mark N written_ns=T'",
         NULL, NULL},
        {"size-mib", 0, VG_OPT_INT, &o.size_mib, 1, 1024, NULL, "N",
         "size of a file this creates, in MiB", NULL, NULL},
    };
    const size_t n_opts = sizeof(opts) / sizeof(opts[0]);
    const struct vg_opts_program prog = {
        .name = "vgapt-guest tone",
        .usage = "--shm FILE [OPTIONS]",
        .summary = "Writes sine tones into a Scream IVSHMEM ring as the Scream driver does, one "
                   "20 ms chunk at a time, for the host's audio path and its tests. Channel c "
                   "(1-based) plays c x --freq. Options change the format mid-stream, stall, "
                   "restart the stream, skew the clock and write timing marks (stdout: 'mark N "
                   "written_ns=T', T the CLOCK_MONOTONIC time the chunk was published). Prints "
                   "'tone: N chunks in S s (R chunks/s)' at the end. SIGINT or SIGTERM closes "
                   "the stream (header zeroed) and exits 0.",
        .version = VG_VERSION,
    };

    int status = vg_opts_parse_or_exit(&prog, opts, n_opts, argc, argv);
    if (status >= 0)
        goto cleanup;
    struct format first, second;
    bool has_second = false;
    if (!check_options(&o, &first, &second, &has_second)) {
        status = 2;
        goto cleanup;
    }

    vg_guest_catch_signals();
    status = run(&o, &first, has_second ? &second : NULL);

cleanup:
    vg_opts_free(opts, n_opts);
    return status;
}
