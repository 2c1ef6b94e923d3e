/* Clock drift: two guests whose clocks run 500 ppm fast and 500 ppm slow play for 60 s through
 * two clients into one PipeWire daemon. The buffer each client reports must stay near its
 * target (a bound that a slow machine cannot break: target +- 30 ms, no growth between the
 * first and the last third), the drift each measures must have the guest's sign, and the tone
 * must still be there at the end. Usage: test-audio-drift CLIENT GUEST */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_env.h"
#include "vg/time.h"

#define SECONDS 60
#define TARGET_MS 20.0

static char *client, *guest;
static const char *tmp;

struct series {
    double fill[200], ppm[200];
    int n;
};

static void parse(const char *log, struct series *s)
{
    s->n = 0;
    const char *p = log;
    while (p && (p = strstr(p, "audio: fill ")) != NULL && s->n < 200) {
        double fill, ppm;
        const char *d = strstr(p, "drift ");
        if (sscanf(p, "audio: fill %lf", &fill) == 1 && d && sscanf(d, "drift %lf", &ppm) == 1) {
            s->fill[s->n] = fill;
            s->ppm[s->n] = ppm;
            s->n++;
        }
        p++;
    }
}

static double mean(const double *v, int from, int to)
{
    double sum = 0;
    for (int i = from; i < to; i++)
        sum += v[i];
    return to > from ? sum / (to - from) : 0;
}

static void skew_500ppm_each_way_for_60s_keeps_the_fill_at_target(void)
{
    struct audio_env e;
    if (!audio_env_start(&e, tmp, 2)) {
        CHECK_MSG(false, "no PipeWire daemon");
        audio_env_stop(&e);
        return;
    }
    const char *skews[2] = {"500", "-500"};
    char shm[2][600], clog[2][700], glog[2][700], wav[600], rlog[700];
    pid_t c[2], g[2];
    snprintf(wav, sizeof(wav), "%s/drift.wav", tmp);
    snprintf(rlog, sizeof(rlog), "%s/record.log", tmp);
    for (int i = 0; i < 2; i++) {
        snprintf(shm[i], sizeof(shm[i]), "%s/scream%d", tmp, i);
        snprintf(clog[i], sizeof(clog[i]), "%s/client%d.log", tmp, i);
        snprintf(glog[i], sizeof(glog[i]), "%s/guest%d.log", tmp, i);
        char *make[] = {guest, "tone", "--shm", shm[i], "--seconds", "0.02", NULL};
        CHECK(vg_test_wait(audio_spawn(make, glog[i]), 10000) == 0);
    }
    pid_t rec = audio_record_start(&e, wav, rlog);
    char secs[16];
    snprintf(secs, sizeof(secs), "%d", SECONDS);
    for (int i = 0; i < 2; i++) {
        char *cv[] = {client, "--audio-only", "--scream", shm[i], "--audio-report-s", "2",
                      "--audio-latency-ms", "20", NULL};
        c[i] = audio_spawn(cv, clog[i]);
    }
    vg_sleep_ns(200 * VG_NS_PER_MS);
    for (int i = 0; i < 2; i++) {
        /* Channel 1 at 300 Hz for one guest and 500 Hz for the other. */
        char *gv[] = {guest, "tone", "--shm", shm[i], "--seconds", secs, "--skew-ppm",
                      (char *)skews[i], "--freq", i ? "500" : "300", "--amplitude", "0.3",
                      NULL};
        g[i] = audio_spawn(gv, glog[i]);
    }
    for (int i = 0; i < 2; i++)
        CHECK(vg_test_wait(g[i], (SECONDS + 30) * 1000) == 0);
    audio_record_stop(rec);
    for (int i = 0; i < 2; i++) {
        kill(c[i], SIGTERM);
        CHECK(vg_test_wait(c[i], 10000) == 0);
    }
    audio_env_stop(&e);

    for (int i = 0; i < 2; i++) {
        char *log = vg_test_slurp(clog[i]);
        struct series s;
        parse(log, &s);
        CHECK_MSG(s.n >= SECONDS / 2 - 4, "skew %s: %d reports in the client log %s", skews[i],
                  s.n, clog[i]);
        if (s.n >= 10) {
            int settle = 5; /* 10 s to lock in */
            double lo = 1e9, hi = -1e9;
            for (int k = settle; k < s.n - 1; k++) {
                lo = fmin(lo, s.fill[k]);
                hi = fmax(hi, s.fill[k]);
            }
            CHECK_MSG(lo > TARGET_MS - 30 && hi < TARGET_MS + 30,
                      "skew %s ppm: fill from %.1f to %.1f ms, target %.0f +- 30", skews[i], lo,
                      hi, TARGET_MS);
            int third = (s.n - 1) / 3;
            double early = mean(s.fill, settle, third + settle),
                   late = mean(s.fill, s.n - 1 - third, s.n - 1);
            CHECK_MSG(late - early < 10, "skew %s ppm: the fill grows from %.1f to %.1f ms",
                      skews[i], early, late);
            /* The guest clock as the client measured it, at the end of the run. */
            double ppm = s.ppm[s.n - 2], want = atof(skews[i]);
            CHECK_MSG(fabs(ppm - want) < 150, "skew %s ppm: the client measured %+.0f ppm",
                      skews[i], ppm);
            fprintf(stderr, "  skew %s ppm: fill %.1f..%.1f ms (first third %.1f, last %.1f), "
                    "measured %+.0f ppm\n", skews[i], lo, hi, early, late, ppm);
        }
        free(log);
    }
    struct wav w;
    if (wav_read(&w, wav)) {
        size_t n = w.rate, from = w.frames > 3 * n ? w.frames - 3 * n : 0;
        double a = tone_level(&w, 0, from, n, 300), b = tone_level(&w, 0, from, n, 500);
        CHECK_MSG(a > 0.2 && a < 0.4 && b > 0.2 && b < 0.4,
                  "after 57 s: 300 Hz at %.3f and 500 Hz at %.3f, want 0.3", a, b);
        wav_free(&w);
    } else {
        CHECK_MSG(false, "no recording");
    }
}

int main(int argc, char **argv)
{
    if (!audio_test_args(argc, argv, &client, &guest))
        return 2;
    tmp = vg_test_tmpdir();
    RUN(skew_500ppm_each_way_for_60s_keeps_the_fill_at_target);
    return vg_test_finish();
}
