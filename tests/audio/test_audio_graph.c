/* vgapt-client --audio-only in a graph that is not the quiet default: a quantum forced from
 * 256 to 2048 frames (the client's buffering must sit on top of whatever cycle the graph
 * runs), and a second of CPU noise (real-time spinners above PipeWire's data thread on every
 * CPU, busy loops under them) in the middle of a tone: the audio must play through it and the
 * latency come back to the client's target. The real path as in test_audio_play.c: vgapt-guest tone,
 * the client, a private PipeWire daemon's null sink, pw-record of its monitor.
 * Usage: test-audio-graph CLIENT GUEST */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_env.h"
#include "audio_noise.h"
#include "vg/time.h"

#define FREQ 440.0
#define AMPLITUDE 0.5
#define LEVEL 0.1f       /* tone present */
#define MARK_LEVEL 0.85f /* a mark is full scale */
#define MAX_MARKS 128
#define RECORDER_PRIORITY 95 /* SCHED_FIFO: above the noise's 90 */

static char *client, *guest;
static const char *tmp;
static int serial;
static struct audio_env env;

struct result {
    struct wav wav;
    char client_log[700];
    char *log;         /* the client's whole log */
    char *log_playing; /* its log up to the moment the guest stopped: reports of the tone */
    size_t start, end; /* first and last frame of the tone (channel 1) */
    unsigned target_min, target_max; /* the client's buffering target over the run */
    struct audio_report first, last; /* the first and last reports while the tone played */
    unsigned reports;
    unsigned marks_written;          /* by the guest (--mark-every) */
    unsigned long long noise_bursts; /* the noise that ran */
    double noise_ms;
    bool noise_rt, recorder_rt;
};

struct noise_plan {
    double after_s, seconds; /* into the guest's run; 0 seconds: none */
};

/* Plays `seconds` of tone with extra guest options, under noise as planned (NULL: none). */
static bool play(double seconds, char *const extra[], const struct noise_plan *noise,
                 struct result *r)
{
    memset(r, 0, sizeof(*r));
    int n = ++serial;
    char shm[600], wav[600], glog[700], rlog[700], secs[32];
    snprintf(shm, sizeof(shm), "%s/scream%d", tmp, n);
    snprintf(wav, sizeof(wav), "%s/out%d.wav", tmp, n);
    snprintf(r->client_log, sizeof(r->client_log), "%s/client%d.log", tmp, n);
    snprintf(glog, sizeof(glog), "%s/guest%d.log", tmp, n);
    snprintf(rlog, sizeof(rlog), "%s/record%d.log", tmp, n);
    snprintf(secs, sizeof(secs), "%g", seconds);

    char *make[] = {guest, "tone", "--shm", shm, "--seconds", "0.02", NULL};
    CHECK(vg_test_wait(audio_spawn(make, glog), 10000) == 0);
    pid_t rec = audio_record_start(&env, wav, rlog);
    /* The recorder stands for the listener's sound card: above the noise's spinners. */
    if (noise && noise->seconds > 0)
        r->recorder_rt = audio_make_realtime(rec, RECORDER_PRIORITY);
    char *cv[] = {client, "--audio-only", "--scream", shm, "--audio-report-s", "1",
                  "--audio-target", "test-sink", NULL};
    pid_t c = audio_spawn(cv, r->client_log);
    vg_sleep_ns(200 * VG_NS_PER_MS);
    char *gv[40] = {guest, "tone", "--shm", shm, "--seconds", secs, "--freq", "440",
                    "--amplitude", "0.5"};
    int gi = 10;
    for (int i = 0; extra && extra[i] && gi < 38; i++)
        gv[gi++] = extra[i];
    gv[gi] = NULL;
    pid_t g = audio_spawn(gv, glog);
    struct audio_noise *load = NULL;
    if (noise && noise->seconds > 0) {
        vg_sleep_ns((uint64_t)(noise->after_s * 1e9));
        struct audio_noise_options o;
        audio_noise_options_default(&o);
        o.duration_s = noise->seconds;
        load = audio_noise_start(&o);
        CHECK_MSG(load, "the noise load did not start");
        r->noise_rt = audio_noise_realtime(load);
        char what[256] = "";
        if (load)
            audio_noise_describe(load, what, sizeof(what));
        fprintf(stderr, "  noise: %s\n", what);
        if (load && !r->noise_rt)
            fprintf(stderr, "  noise: SCHED_FIFO refused: the real-time part is skipped, the "
                            "burst is busy loops only\n");
        else if (load && !r->recorder_rt)
            fprintf(stderr, "  noise: pw-record is not above the spinners: audio it loses "
                            "reads as audio cut\n");
    }
    int gst = vg_test_wait(g, (int)(seconds * 1000) + 20000);
    CHECK_MSG(gst == 0, "vgapt-guest tone exited %d", gst);
    r->log_playing = vg_test_slurp(r->client_log);
    char *gtext = vg_test_slurp(glog);
    for (const char *p = gtext; p && (p = strstr(p, "written_ns=")) != NULL; p++)
        r->marks_written++;
    free(gtext);
    if (load) {
        struct audio_noise_stats st;
        audio_noise_stats(load, &st);
        r->noise_bursts = st.bursts;
        r->noise_ms = st.burst_ms;
        audio_noise_stop(load);
    }
    vg_sleep_ns(300 * VG_NS_PER_MS);
    audio_record_stop(rec);
    kill(c, SIGTERM);
    int cst = vg_test_wait(c, 10000);
    CHECK_MSG(cst == 0, "vgapt-client exited %d (SIGTERM must stop it cleanly)", cst);
    r->log = vg_test_slurp(r->client_log);

    audio_target_range(r->log, &r->target_min, &r->target_max);
    struct audio_report rep;
    for (const char *p = r->log_playing; audio_report_next(&p, &rep); r->last = rep) {
        if (!r->reports++)
            r->first = rep;
    }

    if (!wav_read(&r->wav, wav)) {
        CHECK_MSG(false, "no recording in %s", wav);
        return false;
    }
    r->start = wav_first_above(&r->wav, 0, 0, LEVEL);
    r->end = r->start;
    for (size_t i = r->wav.frames; i-- > 0;) {
        if (fabsf(r->wav.x[i * r->wav.channels]) > LEVEL) {
            r->end = i;
            break;
        }
    }
    bool ok = r->start != SIZE_MAX;
    CHECK_MSG(ok, "no tone in the recording (client log %s):\n%s", r->client_log,
              r->log ? r->log : "");
    return ok;
}

static void result_free(struct result *r)
{
    wav_free(&r->wav);
    free(r->log);
    free(r->log_playing);
}

static size_t s_frames(const struct result *r, double s)
{
    return (size_t)(s * r->wav.rate);
}

/* Longest silence inside the tone (2 ms blocks under half the tone-present level), in ms. */
static double longest_gap_ms(const struct result *r, size_t *at)
{
    size_t g = wav_longest_silence(&r->wav, 0, r->start, r->end, LEVEL * 0.5f, at);
    return (double)g * 1000.0 / r->wav.rate;
}

/* The mean of the "latency X ms" figures of the last `count` reports while the tone played;
 * NAN if there were fewer. */
static double last_latency_ms(const struct result *r, unsigned count)
{
    double lat[64];
    unsigned n = 0;
    struct audio_report rep;
    for (const char *p = r->log_playing; audio_report_next(&p, &rep);)
        lat[n++ % 64] = rep.latency_ms;
    if (n < count)
        return NAN;
    double sum = 0;
    for (unsigned i = n - count; i < n; i++)
        sum += lat[i % 64];
    return sum / count;
}

/* The graph runs `quantum`-frame cycles (42.7 ms at 2048): the tone plays at its level without
 * gaps, and the client's latency settles above one cycle (it cannot hold less than the graph
 * takes at once) but not far above it: its target on top, not a runaway. */
static void plays_at_quantum(unsigned quantum)
{
    double q_ms = quantum * 1000.0 / 48000.0;
    if (!audio_env_force_quantum(&env, quantum)) {
        CHECK_MSG(false, "could not force the quantum to %u", quantum);
        return;
    }
    struct result r;
    if (play(4, NULL, NULL, &r)) {
        size_t from = r.start + s_frames(&r, 1.5);
        CHECK_MSG(from + s_frames(&r, 1) <= r.end,
                  "quantum %u: %.2f s of tone, want 2.5 s at least", quantum,
                  (double)(r.end - r.start) / r.wav.rate);
        double a = tone_level(&r.wav, 0, from, s_frames(&r, 1), FREQ);
        CHECK_MSG(a > AMPLITUDE * 0.8 && a < AMPLITUDE * 1.2,
                  "quantum %u: 440 Hz at amplitude %.3f from 1.5 s on, want %.2f +-20 %%", quantum,
                  a, AMPLITUDE);
        size_t at;
        double gap = longest_gap_ms(&r, &at);
        CHECK_MSG(gap < 50, "quantum %u: %.1f ms of silence inside the tone at %.3f s, want "
                            "under 50 ms",
                  quantum, gap, (double)(at - r.start) / r.wav.rate);
        double lat = last_latency_ms(&r, 2);
        CHECK_MSG(lat > q_ms && lat < q_ms + 60,
                  "quantum %u (%.1f ms): the client's latency is %.1f ms (mean of its last 2 "
                  "reports), want between %.1f and %.1f ms; its log:\n%s",
                  quantum, q_ms, lat, q_ms, q_ms + 60, r.log_playing ? r.log_playing : "");
        fprintf(stderr,
                "  quantum %u (%.1f ms): latency %.1f ms (last 2 reports), level %.3f, longest "
                "gap %.1f ms, target %u..%u ms, graph stalls %llu, underruns %llu\n",
                quantum, q_ms, lat, a, gap, r.target_min, r.target_max, r.last.graph_stalls,
                r.last.underruns);
    }
    result_free(&r);
    CHECK_MSG(audio_env_force_quantum(&env, 0), "could not clear the forced quantum");
}

static void quantum_256_plays_with_latency_above_a_cycle(void)
{
    plays_at_quantum(256);
}

static void quantum_1024_plays_with_latency_above_a_cycle(void)
{
    plays_at_quantum(1024);
}

static void quantum_2048_plays_with_latency_above_a_cycle(void)
{
    plays_at_quantum(2048);
}

/* Where mark i lies on the 200 ms grid that the marks in [from, to) set, in ms (-100..100):
 * the guest writes one every 200 ms of its clock, so at a steady latency they land every
 * 200 ms in the recording; a latency that moved moves them off that grid by as much. */
static double grid_offset_ms(const size_t *marks, size_t n, size_t i, size_t from, size_t to,
                             uint32_t rate)
{
    double period = 0.2 * rate, mean = 0;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        if (marks[j] >= from && marks[j] < to) {
            mean += remainder((double)(marks[j] - marks[0]), period);
            k++;
        }
    }
    mean = k ? mean / (double)k : 0;
    return remainder((double)(marks[i] - marks[0]) - mean, period) * 1000.0 / rate;
}

#define NOISE_AFTER_S 2.0
#define NOISE_S 1.0
#define TONE_S 12.0

/* A second of heavy CPU noise 2 s into a 12 s tone: the real-time spinners take every CPU
 * from PipeWire's data thread for up to 30 ms at a time, the graph stalls, the client falls
 * behind. It must keep playing (no silence as long as the burst: audio is late, not cut) and
 * come back to the latency it had within seconds (at the rate control's 0.5 %, a fill 35 ms
 * high takes 7 s): the marks of the last 2 s sit on the grid that the marks before the burst
 * set, within 8 ms. */
static void noise_burst_plays_through_and_latency_returns(void)
{
    char *extra[] = {"--mark-every", "0.2", NULL};
    const struct noise_plan plan = {NOISE_AFTER_S, NOISE_S};
    struct result r;
    if (!play(TONE_S, extra, &plan, &r)) {
        result_free(&r);
        return;
    }
    size_t marks[MAX_MARKS], n = 0, last = 0;
    for (size_t i = r.start; i < r.wav.frames && n < MAX_MARKS; i++) {
        bool loud = fabsf(r.wav.x[i * r.wav.channels]) > MARK_LEVEL;
        if (loud && (!n || i - last > r.wav.rate / 10))
            marks[n++] = i;
        if (loud)
            last = i;
    }
    /* The tone reaches the recording 0-0.3 s after the guest starts (the stream opening, the
     * latency): marks up to 1.7 s into it were all played before the noise began. From 1 s:
     * after the client's lock-in. */
    size_t before_from = r.start + s_frames(&r, 1.0);
    size_t before_to = r.start + s_frames(&r, NOISE_AFTER_S - 0.3);
    size_t after_from = r.end > s_frames(&r, 2.0) ? r.end - s_frames(&r, 2.0) : r.end;
    /* Back at its target: where the marks sat before, moved by as much as the target moved
     * (the first report is before the burst; an adaptive target that rose on the burst's
     * underruns comes down slowly, by design). */
    double moved = (double)r.last.target_ms - (double)r.first.target_ms;
    double before_sum = 0, after_sum = 0, worst_after = moved;
    unsigned n_before = 0, n_after = 0, off_after = 0;
    for (size_t i = 0; i < n; i++) {
        double off = grid_offset_ms(marks, n, i, before_from, before_to, r.wav.rate);
        if (marks[i] >= before_from && marks[i] < before_to) {
            before_sum += off;
            n_before++;
        } else if (marks[i] >= after_from) {
            after_sum += off;
            n_after++;
            worst_after = fabs(off - moved) > fabs(worst_after - moved) ? off : worst_after;
            off_after += fabs(off - moved) > 8;
        }
    }
    double before = n_before ? before_sum / n_before : NAN;
    double after = n_after ? after_sum / n_after : NAN;
    CHECK_MSG(n_before >= 3,
              "%u timing marks before the burst (%.1f-%.1f s into the tone), want 3 or more",
              n_before, 1.0, NOISE_AFTER_S - 0.3);
    CHECK_MSG(n_after >= 8, "%u timing marks in the last 2 s of the tone, want 8 or more", n_after);
    CHECK_MSG(n_after > 0 && off_after == 0,
              "%u of the %u marks of the last 2 s are more than 8 ms off where the marks before "
              "the burst sat, moved by the target's %+.0f ms (%u -> %u ms): the mean %+.1f ms, "
              "the worst %+.1f ms, against %+.1f ms before; %zu of %u marks heard: the latency "
              "did not come back to the target (early marks: audio was cut; late: latency "
              "stayed up)",
              off_after, n_after, moved, r.first.target_ms, r.last.target_ms, after, worst_after,
              before, n, r.marks_written);
    size_t at;
    double gap = longest_gap_ms(&r, &at);
    CHECK_MSG(gap < NOISE_S * 1000,
              "%.1f ms of silence inside the tone at %.3f s, want less than the %.0f ms burst "
              "(audio late is played late, not cut)",
              gap, (double)(at - r.start) / r.wav.rate, NOISE_S * 1000);
    fprintf(stderr,
            "  noise burst: %llu bursts, %.0f ms of spinning (%s); longest gap %.1f ms at %.3f "
            "s; %zu of %u marks heard; on the grid before %+.1f ms (%u marks), last 2 s %+.1f ms "
            "(%u marks, worst %+.1f; want %+.0f +-8, as the target moved); target %u..%u ms; "
            "client: latency %.1f ms, graph stalls %llu, underruns %llu\n",
            r.noise_bursts, r.noise_ms, r.noise_rt ? "SCHED_FIFO" : "normal priority", gap,
            (double)(at - r.start) / r.wav.rate, n, r.marks_written, before, n_before, after,
            n_after, worst_after, moved, r.target_min, r.target_max, r.last.latency_ms,
            r.last.graph_stalls, r.last.underruns);
    result_free(&r);
}

int main(int argc, char **argv)
{
    if (!audio_test_args(argc, argv, &client, &guest))
        return 2;
    tmp = vg_test_tmpdir();
    if (!audio_env_start(&env, tmp, 2)) {
        CHECK_MSG(false, "no PipeWire daemon");
        audio_env_stop(&env);
        return vg_test_finish();
    }
    RUN(quantum_256_plays_with_latency_above_a_cycle);
    RUN(quantum_1024_plays_with_latency_above_a_cycle);
    RUN(quantum_2048_plays_with_latency_above_a_cycle);
    RUN(noise_burst_plays_through_and_latency_returns);
    audio_env_stop(&env);
    return vg_test_finish();
}
