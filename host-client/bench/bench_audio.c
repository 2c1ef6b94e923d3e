/* vgapt-bench audio: the real vgapt-guest tone → vgapt-client --audio-only → a private PipeWire
 * daemon's null sink. The bench listens to the sink's monitor with its own capture stream and
 * timestamps each timing mark (a 2 ms full-scale burst the guest writes and reports with its
 * CLOCK_MONOTONIC publish time) when it is played: chunk-written → played latency, p50/p99.
 * Then the same with the guest clock 1000 ppm fast and slow: how the latency moves over the
 * run, underruns and overruns. CPU per second of audio is the client's rusage, against pw-play
 * playing the same length of audio (the baseline: PipeWire's own player). */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#include "audio_env.h"
#include "bench.h"
#include "vg/log.h"
#include "vg/opts.h"
#include "vg/time.h"

#define MAX_MARKS 4096
#define MARK_LEVEL 0.85f  /* a mark is full scale; the tone is at 0.3 */
#define MARK_GAP_NS (100 * VG_NS_PER_MS)
#define MATCH_NS (150 * VG_NS_PER_MS)

struct capture {
    struct pw_thread_loop *loop;
    struct pw_context *context;
    struct pw_core *core;
    struct pw_stream *stream;
    struct spa_hook listener;
    uint64_t played[MAX_MARKS];
    atomic_uint n;
    uint64_t last_mark_ns;
};

static void on_capture(void *data)
{
    struct capture *c = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(c->stream);
    if (!b)
        return;
    struct spa_data *d = &b->buffer->datas[0];
    struct pw_time t;
    if (d->data && pw_stream_get_time_n(c->stream, &t, sizeof(t)) == 0) {
        const float *x = (const float *)((uint8_t *)d->data + d->chunk->offset);
        uint32_t n = d->chunk->size / sizeof(float);
        for (uint32_t i = 0; i < n; i++) {
            if (fabsf(x[i]) < MARK_LEVEL)
                continue;
            /* The cycle's time plus the sample's place in it: when the sink got it. */
            uint64_t at = (uint64_t)t.now + (uint64_t)i * VG_NS_PER_S / 48000u;
            if (at - c->last_mark_ns > MARK_GAP_NS) {
                unsigned k = atomic_load(&c->n);
                if (k < MAX_MARKS) {
                    c->played[k] = at;
                    atomic_store(&c->n, k + 1);
                }
            }
            c->last_mark_ns = at;
        }
    }
    pw_stream_queue_buffer(c->stream, b);
}

static const struct pw_stream_events capture_events = {
    PW_VERSION_STREAM_EVENTS,
    .process = on_capture,
};

static bool capture_start(struct capture *c)
{
    memset(c, 0, sizeof(*c));
    c->loop = pw_thread_loop_new("bench-capture", NULL);
    c->context = c->loop ? pw_context_new(pw_thread_loop_get_loop(c->loop), NULL, 0) : NULL;
    if (!c->context || pw_thread_loop_start(c->loop) < 0)
        return false;
    pw_thread_loop_lock(c->loop);
    c->core = pw_context_connect(c->context, NULL, 0);
    bool ok = c->core != NULL;
    if (ok) {
        struct pw_properties *props = pw_properties_new(
            PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture", PW_KEY_MEDIA_ROLE,
            "Production", PW_KEY_STREAM_CAPTURE_SINK, "true", PW_KEY_TARGET_OBJECT,
            "test-sink", PW_KEY_NODE_NAME, "vgapt-bench-capture", PW_KEY_NODE_LATENCY, "256/48000",
            NULL);
        c->stream = pw_stream_new(c->core, "vgapt-bench capture", props);
        ok = c->stream != NULL;
    }
    if (ok) {
        pw_stream_add_listener(c->stream, &c->listener, &capture_events, c);
        uint8_t buf[512];
        struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
        struct spa_audio_info_raw info = {.format = SPA_AUDIO_FORMAT_F32, .rate = 48000,
                                          .channels = 1, .position = {SPA_AUDIO_CHANNEL_MONO}};
        const struct spa_pod *params[1] = {
            spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info)};
        ok = pw_stream_connect(c->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
                               PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                                   PW_STREAM_FLAG_RT_PROCESS,
                               params, 1) == 0;
    }
    pw_thread_loop_unlock(c->loop);
    return ok;
}

static void capture_stop(struct capture *c)
{
    if (c->loop)
        pw_thread_loop_stop(c->loop);
    if (c->stream)
        pw_stream_destroy(c->stream);
    if (c->core)
        pw_core_disconnect(c->core);
    if (c->context)
        pw_context_destroy(c->context);
    if (c->loop)
        pw_thread_loop_destroy(c->loop);
}

struct run_result {
    size_t written; /* marks the guest wrote */
    double lat[MAX_MARKS];
    double mark_s[MAX_MARKS]; /* when each mark was written, from the start */
    size_t n;
    double cpu_s, audio_s;
    char last_report[512];
};

static double child_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* One run: guest with skew, client, marks matched to what the capture heard. */
static bool run_once(const char *dir, double seconds, double skew, int64_t target_ms,
                     struct run_result *r)
{
    static int serial;
    memset(r, 0, sizeof(*r));
    char shm[600], glog[700], clog[700], secs[32], sk[32], tgt[32];
    serial++;
    snprintf(shm, sizeof(shm), "%s/scream%d", dir, serial);
    snprintf(glog, sizeof(glog), "%s/guest%d.log", dir, serial);
    snprintf(clog, sizeof(clog), "%s/client%d.log", dir, serial);
    snprintf(secs, sizeof(secs), "%g", seconds);
    snprintf(sk, sizeof(sk), "%g", skew);
    snprintf(tgt, sizeof(tgt), "%lld", (long long)target_ms);
    char *make[] = {VG_BENCH_GUEST, "tone", "--shm", shm, "--seconds", "0.02", NULL};
    vg_test_wait(audio_spawn(make, glog), 10000);

    struct capture cap;
    if (!capture_start(&cap)) {
        fprintf(stderr, "vgapt-bench: cannot open a capture stream\n");
        capture_stop(&cap);
        return false;
    }
    double cpu0 = child_cpu_s();
    char *cv[] = {VG_BENCH_CLIENT, "--audio-only", "--scream", shm, "--audio-target",
                  "test-sink", "--audio-latency-ms", tgt, "--audio-report-s", "2", NULL};
    pid_t c = audio_spawn(cv, clog);
    vg_sleep_ns(300 * VG_NS_PER_MS);
    char *gv[] = {VG_BENCH_GUEST, "tone", "--shm", shm, "--seconds", secs, "--skew-ppm", sk,
                  "--amplitude", "0.3", "--mark-every", "0.25", NULL};
    pid_t g = audio_spawn(gv, glog);
    vg_test_wait(g, (int)(seconds * 1000) + 30000);
    vg_sleep_ns(300 * VG_NS_PER_MS);
    kill(c, SIGTERM);
    vg_test_wait(c, 10000);
    r->cpu_s = child_cpu_s() - cpu0;
    r->audio_s = seconds;
    capture_stop(&cap);

    /* Marks written (the guest's stdout) against marks heard. */
    char *text = vg_test_slurp(glog);
    unsigned heard = atomic_load(&cap.n);
    size_t j = 0;
    uint64_t first = 0;
    for (char *p = text; p && (p = strstr(p, "mark ")) != NULL; p++) {
        unsigned long long written;
        char *w = strstr(p, "written_ns=");
        if (!w || sscanf(w, "written_ns=%llu", &written) != 1)
            continue;
        if (!first)
            first = written;
        r->written++;
        while (j < heard && cap.played[j] < written)
            j++;
        /* Marks are 250 ms apart: one heard later than this is the next mark (this one was
         * lost: dropped or played as silence). */
        if (j < heard && cap.played[j] - written < MATCH_NS && r->n < MAX_MARKS) {
            r->lat[r->n] = (double)(cap.played[j] - written) / 1e6;
            r->mark_s[r->n] = (double)(written - first) / 1e9;
            r->n++;
            j++;
        }
    }
    free(text);
    text = vg_test_slurp(clog);
    char *last = NULL;
    for (char *p = text; p && (p = strstr(p, "audio: fill ")) != NULL; p++)
        last = p;
    if (last) {
        size_t len = strcspn(last, "\n");
        snprintf(r->last_report, sizeof(r->last_report), "%.*s", (int)len, last);
    }
    free(text);
    return r->n > 0;
}

static double mean_between(const struct run_result *r, double from_s, double to_s)
{
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->mark_s[i] >= from_s && r->mark_s[i] < to_s) {
            sum += r->lat[i];
            n++;
        }
    }
    return n ? sum / n : NAN;
}

static double baseline_cpu_s(const char *dir, double seconds)
{
    /* pw-play of the same length of 48 kHz 16-bit stereo audio. */
    char wav[600], log[700];
    snprintf(wav, sizeof(wav), "%s/baseline.wav", dir);
    snprintf(log, sizeof(log), "%s/pw-play.log", dir);
    FILE *f = fopen(wav, "wb");
    if (!f)
        return NAN;
    uint32_t frames = (uint32_t)(seconds * 48000), data = frames * 4;
    /* PCM, 2 channels, 48000 Hz, 192000 bytes/s, 4 bytes/frame, 16 bits */
    uint8_t h[44] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0"
                    "\x80\xbb\0\0\0\xee\x02\0\x04\0\x10\0data";
    uint32_t riff = 36 + data;
    memcpy(h + 4, &riff, 4);
    memcpy(h + 40, &data, 4);
    fwrite(h, 1, 44, f);
    for (uint32_t i = 0; i < frames; i++) {
        int16_t v = (int16_t)(0.3 * 32767 * sin(2 * M_PI * 440.0 * i / 48000));
        int16_t s[2] = {v, v};
        fwrite(s, sizeof(s), 1, f);
    }
    fclose(f);
    double cpu0 = child_cpu_s();
    char *argv[] = {"pw-play", "--target", "test-sink", wav, NULL};
    if (vg_test_wait(audio_spawn(argv, log), (int)(seconds * 1000) + 20000) != 0)
        return NAN;
    return child_cpu_s() - cpu0;
}

static bool trace;

#define SETTLED_S 2.0 /* marks from here on: after the client's lock-in */

static void print_latency(const char *what, struct run_result *r)
{
    for (size_t i = 0; trace && i < r->n; i++)
        printf("    mark at %7.3f s: %6.2f ms\n", r->mark_s[i], r->lat[i]);
    double all[MAX_MARKS], settled[MAX_MARKS];
    size_t ns = 0;
    for (size_t i = 0; i < r->n; i++) {
        all[i] = r->lat[i];
        if (r->mark_s[i] >= SETTLED_S)
            settled[ns++] = r->lat[i];
    }
    printf("  %-24s marks %4zu/%-4zu p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", what, r->n,
           r->written, vg_bench_percentile(all, r->n, 0.5), vg_bench_percentile(all, r->n, 0.99),
           vg_bench_percentile(all, r->n, 1.0));
    char from[32];
    snprintf(from, sizeof(from), "  from %g s on", SETTLED_S);
    printf("  %-24s marks %4zu       p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", from, ns, vg_bench_percentile(settled, ns, 0.5),
           vg_bench_percentile(settled, ns, 0.99), vg_bench_percentile(settled, ns, 1.0));
}

int vg_bench_audio(int argc, char **argv)
{
    int64_t seconds = 20, drift_seconds = 40, target = 20;
    const struct vg_opt opts[] = {
        {"seconds", 0, VG_OPT_INT, &seconds, 5, 3600, NULL, "S", "length of the latency run",
         NULL},
        {"drift-seconds", 0, VG_OPT_INT, &drift_seconds, 0, 36000, NULL, "S",
         "length of each +-1000 ppm run (0 skips them)", NULL},
        {"audio-latency-ms", 0, VG_OPT_INT, &target, 10, 500, NULL, "MS",
         "the client's target (its default is 20)", NULL},
        {"trace", 0, VG_OPT_FLAG, &trace, 0, 0, NULL, NULL, "print every mark's latency",
         NULL},
    };
    const struct vg_opts_program prog = {
        "vgapt-bench audio", "[OPTIONS]",
        "Measures guest chunk written -> played latency of vgapt-guest tone + vgapt-client\n"
        "--audio-only through a private PipeWire daemon (null sink), its drift with the guest\n"
        "clock 1000 ppm off, underruns/overruns, and the client's CPU per second of audio\n"
        "against pw-play.",
        "0"};
    int exit_status = vg_opts_parse_or_exit(&prog, opts, sizeof(opts) / sizeof(opts[0]), argc,
                                            argv);
    if (exit_status >= 0)
        return exit_status;
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/vgapt-bench-audio-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(path)) {
        fprintf(stderr, "vgapt-bench: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    struct audio_env e;
    if (!audio_env_start(&e, path, 2)) {
        audio_env_stop(&e);
        return 1;
    }
    pw_init(NULL, NULL);
    int status = 1;
    struct run_result *r = calloc(1, sizeof(*r));
    if (!r)
        goto out;

    printf("vgapt-bench audio: target %lld ms on top of 20 ms chunks; PipeWire null sink, "
           "48 kHz\n", (long long)target);
    printf("chunk written -> played (first sample of a marked chunk):\n");
    if (!run_once(path, (double)seconds, 0, target, r)) {
        fprintf(stderr, "vgapt-bench: no mark was heard (logs in %s)\n", path);
        goto out;
    }
    print_latency("no skew", r);
    printf("    client: %s\n", r->last_report);
    double cpu = r->cpu_s / r->audio_s;
    double base = baseline_cpu_s(path, (double)seconds) / (double)seconds;
    printf("CPU per second of audio: client %.2f ms, pw-play %.2f ms (ratio %.2f)\n",
           cpu * 1e3, base * 1e3, base > 0 ? cpu / base : NAN);

    for (int s = 0; drift_seconds > 0 && s < 2; s++) {
        double skew = s ? -1000 : 1000;
        char what[64];
        snprintf(what, sizeof(what), "guest clock %+.0f ppm", skew);
        if (!run_once(path, (double)drift_seconds, skew, target, r)) {
            printf("  %s: no marks heard\n", what);
            continue;
        }
        print_latency(what, r);
        double d = (double)drift_seconds;
        double early = mean_between(r, 5, 15), late = mean_between(r, d - 10, d);
        printf("    latency drift: %.2f ms (mean 5-15 s) -> %.2f ms (last 10 s): %+.2f ms\n",
               early, late, late - early);
        printf("    client: %s\n", r->last_report);
    }
    status = 0;
out:
    free(r);
    pw_deinit();
    audio_env_stop(&e);
    char *rm[] = {"rm", "-rf", path, NULL};
    vg_test_wait(audio_spawn(rm, "/dev/null"), 10000);
    return status;
}
