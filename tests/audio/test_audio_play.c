/* The real path: vgapt-guest tone writes a Scream ring, vgapt-client --audio-only plays it into
 * a private PipeWire daemon's null sink, pw-record records the sink's monitor, and the
 * recording is analysed here: each channel carries its own tone (channel c: c x 440 Hz) at the
 * written level, without gaps (a mono tone: on both of the stereo sink's channels); format
 * changes, writer restarts and stalls recover.
 * Usage: test-audio-play CLIENT GUEST */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_env.h"
#include "vg/time.h"

#define FREQ 440.0
#define AMPLITUDE 0.5
#define LEVEL 0.1f /* tone present */

#define FREEZE_MS 150u
#define FREEZE_AT_S 6.0 /* into the guest's run: the latency has settled by then */

static char *client, *guest;
static const char *tmp;
static int serial;
static double freeze_after_s; /* play() stops the client for FREEZE_MS this far in */

struct result {
    struct wav wav;
    char client_log[700];
    char *log; /* the client's log text */
    size_t start, end; /* first and last frame of the tone (channel 1) */
    bool ok;
};

/* Plays `seconds` of tone with extra guest options; the client starts first and waits. */
static bool play(struct audio_env *e, double seconds, char *const extra[], struct result *r)
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

    /* The ring exists before the client looks, as with a running VM. */
    char *make[] = {guest, "tone", "--shm", shm, "--seconds", "0.02", NULL};
    CHECK(vg_test_wait(audio_spawn(make, glog), 10000) == 0);

    pid_t rec = audio_record_start(e, wav, rlog);
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
    if (freeze_after_s > 0) {
        vg_sleep_ns((uint64_t)(freeze_after_s * 1e9));
        kill(c, SIGSTOP);
        vg_sleep_ns(FREEZE_MS * VG_NS_PER_MS);
        kill(c, SIGCONT);
    }
    int gst = vg_test_wait(g, (int)(seconds * 1000) + 20000);
    CHECK_MSG(gst == 0, "vgapt-guest tone exited %d", gst);
    vg_sleep_ns(300 * VG_NS_PER_MS);
    audio_record_stop(rec);
    kill(c, SIGTERM);
    int cst = vg_test_wait(c, 10000);
    CHECK_MSG(cst == 0, "vgapt-client exited %d (SIGTERM must stop it cleanly)", cst);
    r->log = vg_test_slurp(r->client_log);
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
    r->ok = r->start != SIZE_MAX;
    CHECK_MSG(r->ok, "no tone in the recording (client log %s):\n%s", r->client_log,
              r->log ? r->log : "");
    return r->ok;
}

static void result_free(struct result *r)
{
    wav_free(&r->wav);
    free(r->log);
}

/* Each channel: its own tone at the written level, nothing of the others' tones. */
static void check_tones(const struct result *r, unsigned channels, size_t from, const char *what)
{
    size_t n = r->wav.rate; /* 1 s */
    CHECK_MSG(from + n <= r->end, "%s: the tone is shorter than expected", what);
    for (unsigned c = 0; c < channels; c++) {
        double a = tone_level(&r->wav, c, from, n, FREQ * (c + 1));
        CHECK_MSG(a > AMPLITUDE * 0.8 && a < AMPLITUDE * 1.2,
                  "%s: channel %u: %g Hz at amplitude %.3f, want %.2f", what, c + 1,
                  FREQ * (c + 1), a, AMPLITUDE);
        for (unsigned o = 0; o < channels; o++) {
            if (o == c)
                continue;
            double x = tone_level(&r->wav, c, from, n, FREQ * (o + 1));
            CHECK_MSG(x < 0.05, "%s: channel %u carries channel %u's tone (%.3f)", what, c + 1,
                      o + 1, x);
        }
    }
}

/* A mono stream (the guest's one channel, FC in its mask) goes out as SPA's MONO position,
 * which PipeWire copies to every channel of the sink at unity gain: on a stereo sink the tone
 * at the written level on both channels. (Sent as FC it would come out 3 dB louder on each.) */
static void check_mono(const struct result *r, size_t from, const char *what)
{
    size_t n = r->wav.rate;
    CHECK_MSG(from + n <= r->end, "%s: the tone is shorter than expected", what);
    for (unsigned c = 0; c < r->wav.channels; c++) {
        double a = tone_level(&r->wav, c, from, n, FREQ);
        CHECK_MSG(a > AMPLITUDE * 0.8 && a < AMPLITUDE * 1.2,
                  "%s: sink channel %u: %g Hz at amplitude %.3f, want %.2f (the mono channel "
                  "on every speaker)", what, c + 1, FREQ, a, AMPLITUDE);
    }
}

static size_t ms_frames(const struct result *r, double ms)
{
    return (size_t)(ms * r->wav.rate / 1000.0);
}

/* Longest gap inside the tone, in ms. */
static double longest_gap_ms(const struct result *r, size_t *at)
{
    size_t g = wav_longest_silence(&r->wav, 0, r->start, r->end, LEVEL * 0.5f, at);
    return (double)g * 1000.0 / r->wav.rate;
}

static void plays_format(struct audio_env *e, const char *rate, const char *bits,
                         unsigned channels)
{
    char chs[8];
    snprintf(chs, sizeof(chs), "%u", channels);
    char *extra[] = {"--rate", (char *)rate, "--bits", (char *)bits, "--channels", chs, NULL};
    struct result r;
    char what[64];
    snprintf(what, sizeof(what), "%s Hz %s-bit %u ch", rate, bits, channels);
    if (play(e, 2.5, extra, &r)) {
        CHECK_MSG(r.wav.channels == e->channels, "%s: recorded %u channels", what,
                  r.wav.channels);
        if (channels == 1)
            check_mono(&r, r.start + ms_frames(&r, 300), what);
        else
            check_tones(&r, channels, r.start + ms_frames(&r, 300), what);
        /* A dropout of a few ms is the machine's scheduling (vgapt-bench audio measures those);
         * a lost stretch of audio is a bug. */
        size_t at;
        double gap = longest_gap_ms(&r, &at);
        CHECK_MSG(gap < 100, "%s: %.1f ms of silence inside the tone at %.3f s", what, gap,
                  (double)at / r.wav.rate);
        double dur = (double)(r.end - r.start) / r.wav.rate;
        CHECK_MSG(fabs(dur - 2.5) < 0.3, "%s: %.3f s of tone played for 2.5 s written", what,
                  dur);
        char want[96];
        snprintf(want, sizeof(want), "audio: playing %s Hz %s-bit %u ch", rate, bits, channels);
        CHECK_MSG(r.log && strstr(r.log, want), "%s: the client did not log '%s'", what, want);
    }
    result_free(&r);
}

static struct audio_env env2, env8;

static void plays_s16_48k_stereo(void)
{
    plays_format(&env2, "48000", "16", 2);
}

static void plays_s24_44k1_stereo(void)
{
    plays_format(&env2, "44100", "24", 2);
}

static void plays_s32_48k_stereo(void)
{
    plays_format(&env2, "48000", "32", 2);
}

static void plays_s16_48k_mono(void)
{
    plays_format(&env2, "48000", "16", 1);
}

static void plays_s24_192k_stereo(void)
{
    plays_format(&env2, "192000", "24", 2);
}

static void plays_s16_192k_mono(void)
{
    plays_format(&env2, "192000", "16", 1);
}

static void plays_s16_44k1_8ch(void)
{
    plays_format(&env8, "44100", "16", 8);
}

static void plays_s32_48k_8ch(void)
{
    plays_format(&env8, "48000", "32", 8);
}

static void plays_s24_96k_stereo(void)
{
    plays_format(&env2, "96000", "24", 2);
}

static void format_change_keeps_playing_within_100ms(void)
{
    char *extra[] = {"--switch-after", "2", "--switch-to", "44100/24/2", NULL};
    struct result r;
    if (play(&env2, 4, extra, &r)) {
        size_t at;
        double gap = longest_gap_ms(&r, &at);
        CHECK_MSG(gap < 100, "%.1f ms of silence at %.3f s (the format change at 2 s)", gap,
                  (double)(at - r.start) / r.wav.rate);
        check_tones(&r, 2, r.start + ms_frames(&r, 2300), "after the change");
        CHECK_MSG(r.log && strstr(r.log, "audio: format changed to 44100 Hz 24-bit 2 ch"),
                  "the client did not log the format change");
        double dur = (double)(r.end - r.start) / r.wav.rate;
        CHECK_MSG(fabs(dur - 4) < 0.3, "%.3f s of tone for 4 s written", dur);
        fprintf(stderr, "  format change: longest gap %.1f ms\n", gap);
    }
    result_free(&r);
}

static void writer_restart_recovers(void)
{
    char *extra[] = {"--restart-after", "1.5", NULL};
    struct result r;
    if (play(&env2, 3.5, extra, &r)) {
        size_t at;
        double gap = longest_gap_ms(&r, &at);
        /* The writer is silent for 200 ms; the client follows within a few chunks. */
        CHECK_MSG(gap < 350, "%.1f ms of silence at the restart", gap);
        check_tones(&r, 2, r.end - ms_frames(&r, 1200), "after the restart");
        CHECK_MSG(r.log && strstr(r.log, "restarted"), "the client did not see the restart");
        fprintf(stderr, "  restart: longest gap %.1f ms (writer closed 200 ms)\n", gap);
    }
    result_free(&r);
}

static void stall_of_2s_is_silence_then_recovers(void)
{
    char *extra[] = {"--stall-after", "1.5", "--stall", "2", NULL};
    struct result r;
    if (play(&env2, 5, extra, &r)) {
        size_t at;
        double gap = longest_gap_ms(&r, &at);
        CHECK_MSG(gap > 1800 && gap < 2300, "the 2 s stall left %.1f ms of silence", gap);
        check_tones(&r, 2, r.end - ms_frames(&r, 1200), "after the stall");
        /* After the stall: playing again, not an underrun spiral (short scheduling dropouts
         * aside). */
        size_t at2;
        size_t after = at + (size_t)(gap * r.wav.rate / 1000.0) + ms_frames(&r, 100);
        size_t g2 = wav_longest_silence(&r.wav, 0, after, r.end, LEVEL * 0.5f, &at2);
        CHECK_MSG(g2 < ms_frames(&r, 100), "%.1f ms of silence after the stall recovered",
                  (double)g2 * 1000.0 / r.wav.rate);
        fprintf(stderr, "  stall: %.1f ms of silence for a 2 s stall\n", gap);
    }
    result_free(&r);
}

/* Where mark i lies on the 200 ms grid that the marks in [from, before) set, in ms (-100..100). */
static double grid_offset_ms(const size_t *marks, size_t n, size_t i, size_t from,
                             size_t before, uint32_t rate)
{
    double period = 0.2 * rate, mean = 0;
    size_t k = 0;
    /* Offsets from the first mark, wrapped to half a period either way, then averaged over
     * the marks in [from, before). */
    for (size_t j = 0; j < n && marks[j] < before; j++) {
        if (marks[j] < from)
            continue;
        mean += remainder((double)(marks[j] - marks[0]), period);
        k++;
    }
    mean = k ? mean / (double)k : 0;
    return remainder((double)(marks[i] - marks[0]) - mean, period) * 1000.0 / rate;
}

/* How far the client's target and the graph quantum it asked for rose over its run, in ms,
 * from its log ("target N ms (was M)", "a N ms quantum (was M)"). */
static double moved_ms(const char *log)
{
    double moved = 0;
    const char *keys[] = {"audio: target ", "asking the graph for a "};
    for (size_t k = 0; log && k < 2; k++) {
        unsigned first = 0, now = 0, was;
        for (const char *p = log; (p = strstr(p, keys[k])) != NULL; p++) {
            unsigned to;
            const char *w = strstr(p, "(was ");
            if (sscanf(p + strlen(keys[k]), "%u", &to) == 1 && w && sscanf(w, "(was %u", &was) == 1) {
                first = first ? first : was;
                now = to;
            }
        }
        if (first)
            moved += (double)now - (double)first;
    }
    return moved;
}

/* The client freezes (SIGSTOP) for 150 ms while it plays, as when the host stalls it; the
 * graph runs on without it. It must not crash or hang, and it comes back to the latency it had:
 * timing marks, written every 200 ms of the guest's clock (ten chunks), land on the same 200 ms
 * grid in the recording as in the 2 s before the freeze, within 8 ms, in the last 2 s of a 16 s
 * tone. The freeze comes 6 s in, once the latency has settled: the player starts above its
 * target and takes some seconds down to it, so marks from the start are no reference (a freeze
 * 2.5 s in read as marks 8 ms early). The backlog the freeze left plays late until the player
 * cuts it (over the hard ceiling) or the rate control brings it back (under it, at 5 ms a
 * second: 40 ms in 8 s), and nothing after the freeze plays early: no audio is lost beyond
 * what the ceiling takes. */
static void freeze_keeps_the_latency(void)
{
    char *extra[] = {"--mark-every", "0.2", NULL};
    struct result r;
    freeze_after_s = FREEZE_AT_S;
    bool played = play(&env2, 16, extra, &r);
    freeze_after_s = 0;
    if (played) {
        size_t marks[120], n = 0, last = 0;
        for (size_t i = r.start + r.wav.rate; i < r.wav.frames && n < 120; i++) {
            bool loud = fabsf(r.wav.x[i * r.wav.channels]) > 0.85f;
            if (loud && (!n || i - last > r.wav.rate / 10))
                marks[n++] = i;
            if (loud)
                last = i;
        }
        CHECK_MSG(n >= 70, "%zu timing marks heard in 15 s", n);
        /* The freeze is FREEZE_AT_S into the guest's run, the tone starts within 0.3 s of it;
         * the grid is the 2 s before it. */
        size_t freeze = r.start + (size_t)((FREEZE_AT_S - 0.3) * r.wav.rate);
        size_t ref = freeze - 2 * (size_t)r.wav.rate;
        size_t back = r.end > 2 * (size_t)r.wav.rate ? r.end - 2 * (size_t)r.wav.rate : r.end;
        /* The grid is only a reference if the latency held still before the freeze (under
         * load a stall before it leaves the fill high, being brought down): the marks before
         * it within 6 ms of each other (they wobble by 5 on a quiet machine). */
        double lo = 1e9, hi = -1e9;
        for (size_t i = 0; i < n && marks[i] < freeze; i++) {
            if (marks[i] < ref)
                continue;
            double off = grid_offset_ms(marks, n, i, ref, freeze, r.wav.rate);
            lo = off < lo ? off : lo;
            hi = off > hi ? off : hi;
        }
        bool steady = hi - lo <= 6;
        /* As much as the target and the quantum asked for rose meanwhile (each adds its own
         * latency, by design), from the client's log. */
        double moved = moved_ms(r.log);
        /* From a second on: the backlog (up to the ceiling's 60 ms late) is cut by then, and
         * offsets past 100 ms late would wrap around the 200 ms grid. */
        size_t cut = freeze + (size_t)r.wav.rate;
        double worst = 0, latest = 0;
        unsigned off_back = 0, n_back = 0;
        for (size_t i = 0; steady && i < n; i++) {
            if (marks[i] < cut)
                continue;
            double off = grid_offset_ms(marks, n, i, ref, freeze, r.wav.rate);
            CHECK_MSG(off >= -8, "the mark at %.3f s is %+.1f ms off the grid: early, audio "
                      "was lost", (double)marks[i] / r.wav.rate, off);
            latest = off > latest ? off : latest;
            if (marks[i] >= back) {
                n_back++;
                off_back += fabs(off - moved) > 8;
                worst = fabs(off - moved) > worst ? fabs(off - moved) : worst;
            }
        }
        if (steady)
            CHECK_MSG(n_back >= 8 && off_back == 0,
                      "%u of the %u marks of the last 2 s are more than 8 ms off the grid, moved "
                      "by %+.1f ms as the target and quantum did (%.1f ms at most): the latency "
                      "did not come back", off_back, n_back, moved, worst);
        else
            fprintf(stderr, "  freeze: the latency was moving before the freeze (marks %+.1f.."
                    "%+.1f ms): no reference to come back to; the grid is not checked\n", lo, hi);
        size_t at;
        double gap = longest_gap_ms(&r, &at);
        CHECK_MSG(gap < 300, "%.1f ms of silence for a %u ms freeze", gap, FREEZE_MS);
        /* The guest's clock is ours here (0 ppm). The chunks found after the freeze (a
         * backlog, then wake-ups that trail the writer's) must not time it: a few such
         * stamps once read as 75-140 ppm, which pulls the fill below its target. */
        double drift_max = 0;
        for (const char *p = r.log; p && (p = strstr(p, ", drift ")) != NULL; p++) {
            double d;
            if (sscanf(p, ", drift %lf ppm", &d) == 1 && fabs(d) > drift_max)
                drift_max = fabs(d);
        }
        CHECK_MSG(drift_max < 60, "the client's drift figure reached %.1f ppm for a guest on "
                  "its own clock", drift_max);
        fprintf(stderr, "  freeze: %zu marks, %.1f ms late at most from a second after it, %.1f "
                "ms off in the last 2 s; gap %.1f ms; drift figure %.1f ppm at most\n", n,
                latest, worst, gap, drift_max);
    }
    result_free(&r);
}

/* The guest goes quiet: after --audio-idle-s the stream closes (gone from the graph), and the
 * next sound opens it again. */
static void idle_closes_the_stream_and_sound_reopens_it(void)
{
    char shm[600], wav[600], glog[700], clog[700], rlog[700];
    snprintf(shm, sizeof(shm), "%s/scream-idle", tmp);
    snprintf(wav, sizeof(wav), "%s/idle.wav", tmp);
    snprintf(clog, sizeof(clog), "%s/client-idle.log", tmp);
    snprintf(glog, sizeof(glog), "%s/guest-idle.log", tmp);
    snprintf(rlog, sizeof(rlog), "%s/record-idle.log", tmp);
    char *make[] = {guest, "tone", "--shm", shm, "--seconds", "0.02", NULL};
    CHECK(vg_test_wait(audio_spawn(make, glog), 10000) == 0);
    char *cv[] = {client, "--audio-only", "--scream", shm, "--audio-idle-s", "1", NULL};
    pid_t c = audio_spawn(cv, clog);
    vg_sleep_ns(200 * VG_NS_PER_MS);
    char *gv[] = {guest, "tone", "--shm", shm, "--seconds", "1", NULL};
    CHECK(vg_test_wait(audio_spawn(gv, glog), 20000) == 0);
    long closed = -1;
    uint64_t deadline = vg_time_ns() + 5 * VG_NS_PER_S;
    char *log = NULL;
    while (closed < 0 && vg_time_ns() < deadline) {
        free(log);
        log = vg_test_slurp(clog);
        char *hit = log ? strstr(log, "stream closed") : NULL;
        closed = hit ? (long)(hit - log) : -1;
        vg_sleep_ns(50 * VG_NS_PER_MS);
    }
    CHECK_MSG(closed >= 0, "the stream was not closed after 1 s without audio:\n%s",
              log ? log : "");
    pid_t rec = audio_record_start(&env2, wav, rlog);
    CHECK(vg_test_wait(audio_spawn(gv, glog), 20000) == 0);
    vg_sleep_ns(300 * VG_NS_PER_MS);
    audio_record_stop(rec);
    kill(c, SIGTERM);
    CHECK(vg_test_wait(c, 10000) == 0);
    free(log);
    log = vg_test_slurp(clog);
    CHECK_MSG(log && closed >= 0 && strstr(log + closed, "audio: playing"),
              "the stream did not open again");
    struct wav w;
    if (wav_read(&w, wav)) {
        size_t start = wav_first_above(&w, 0, 0, LEVEL);
        CHECK_MSG(start != SIZE_MAX, "no tone after the reopen");
        if (start != SIZE_MAX) {
            double a = tone_level(&w, 0, start + w.rate / 10, w.rate / 2, FREQ);
            CHECK_MSG(a > AMPLITUDE * 0.8 && a < AMPLITUDE * 1.2, "tone at %.3f after reopening",
                      a);
        }
        wav_free(&w);
    } else {
        CHECK_MSG(false, "no recording");
    }
    free(log);
}

int main(int argc, char **argv)
{
    if (!audio_test_args(argc, argv, &client, &guest))
        return 2;
    tmp = vg_test_tmpdir();
    if (!audio_env_start(&env2, tmp, 2)) {
        CHECK_MSG(false, "no PipeWire daemon");
        audio_env_stop(&env2);
        return vg_test_finish();
    }
    RUN(plays_s16_48k_stereo);
    RUN(plays_s24_44k1_stereo);
    RUN(plays_s32_48k_stereo);
    RUN(plays_s24_96k_stereo);
    RUN(plays_s24_192k_stereo);
    RUN(plays_s16_48k_mono);
    RUN(plays_s16_192k_mono);
    RUN(format_change_keeps_playing_within_100ms);
    RUN(writer_restart_recovers);
    RUN(stall_of_2s_is_silence_then_recovers);
    RUN(freeze_keeps_the_latency);
    RUN(idle_closes_the_stream_and_sound_reopens_it);
    audio_env_stop(&env2);
    if (audio_env_start(&env8, tmp, 8)) {
        RUN(plays_s16_44k1_8ch);
        RUN(plays_s32_48k_8ch);
    } else {
        CHECK_MSG(false, "no 8-channel PipeWire daemon");
    }
    audio_env_stop(&env8);
    return vg_test_finish();
}
