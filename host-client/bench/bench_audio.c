/* vgapt-bench audio: the real vgapt-guest tone → vgapt-client --audio-only → a private PipeWire
 * daemon's null sink. The bench listens to the sink's monitor with its own capture stream and
 * timestamps each timing mark (a 2 ms full-scale burst the guest writes and reports with its
 * CLOCK_MONOTONIC publish time) when it is played: chunk-written → played latency, p50/p99.
 * The same stream counts the gaps a listener hears (silences inside the tone) and the quantum
 * the graph ran. Then the same with the guest clock 1000 ppm fast and slow: how the latency
 * moves over the run, underruns and overruns. CPU per second of audio is the client's rusage,
 * against pw-play playing the same length of audio (the baseline: PipeWire's own player).
 * --noise runs it all under a CPU load (tests/audio/audio_noise.h), --quantum under a forced
 * graph quantum. */
#include <errno.h>
#include <math.h>
#include <sched.h>
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

#include "audio_env.h"
#include "audio_noise.h"
#include "bench.h"
#include "bench_capture.h"
#include "vg/log.h"
#include "vg/opts.h"
#include "vg/time.h"
#include "vg/version.h"

#define MATCH_NS (150 * VG_NS_PER_MS) /* a mark heard later than this is not that mark */

struct run_result {
    size_t written; /* marks the guest wrote */
    double lat[VG_BENCH_MAX_MARKS];
    double mark_s[VG_BENCH_MAX_MARKS]; /* when each mark was written, from the start */
    size_t n;
    double cpu_s, audio_s;
    char last_report[1024];
    struct audio_report last;          /* the client's last report */
    unsigned target_min, target_max;   /* its buffering target over the run */
    uint64_t gaps, gap_frames;         /* heard in the capture */
    double gap_s[VG_BENCH_MAX_GAPS];   /* when each of the first gaps ended, from the start */
    double gap_ms[VG_BENCH_MAX_GAPS];
    uint64_t quantum_min, quantum_max, quantum_last; /* the graph ran, frames */
    int listener_raised;               /* capture's data thread: 1 raised, -errno, 0 not asked */
};

static double child_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* The capture's data thread's SCHED_FIFO priority (0: as PipeWire sets it). */
static int listener_priority;
/* The synthetic guest's SCHED_FIFO priority (0: normal priority). */
static int guest_priority;

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
    char *make[] = {vg_bench_guest(), "tone", "--shm", shm, "--seconds", "0.02", NULL};
    vg_test_wait(audio_spawn(make, glog), 10000);

    struct vg_bench_capture cap;
    if (!vg_bench_capture_start(&cap, listener_priority)) {
        fprintf(stderr, "vgapt-bench: cannot open a capture stream\n");
        vg_bench_capture_stop(&cap);
        return false;
    }
    double cpu0 = child_cpu_s();
    char *cv[] = {vg_bench_client(), "--audio-only", "--scream", shm, "--audio-target",
                  "test-sink", "--audio-latency-ms", tgt, "--audio-report-s", "1", NULL};
    pid_t c = audio_spawn(cv, clog);
    vg_sleep_ns(300 * VG_NS_PER_MS);
    char *gv[] = {vg_bench_guest(), "tone", "--shm", shm, "--seconds", secs, "--skew-ppm", sk,
                  "--amplitude", "0.3", "--mark-every", "0.25", NULL};
    pid_t g = audio_spawn(gv, glog);
    if (guest_priority)
        audio_make_realtime(g, guest_priority);
    vg_test_wait(g, (int)(seconds * 1000) + 30000);
    vg_sleep_ns(300 * VG_NS_PER_MS);
    kill(c, SIGTERM);
    vg_test_wait(c, 10000);
    r->cpu_s = child_cpu_s() - cpu0;
    r->audio_s = seconds;
    vg_bench_capture_stop(&cap);
    r->listener_raised = atomic_load(&cap.raised);
    r->gaps = cap.gaps.gaps;
    r->gap_frames = cap.gaps.gap_frames;
    r->quantum_min = cap.quantum_min;
    r->quantum_max = cap.quantum_max;
    r->quantum_last = cap.quantum_last;

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
        if (j < heard && cap.played[j] - written < MATCH_NS && r->n < VG_BENCH_MAX_MARKS) {
            r->lat[r->n] = (double)(cap.played[j] - written) / 1e6;
            r->mark_s[r->n] = (double)(written - first) / 1e9;
            r->n++;
            j++;
        }
    }
    free(text);
    for (uint64_t k = 0; k < r->gaps && k < VG_BENCH_MAX_GAPS; k++) {
        r->gap_s[k] = (double)(int64_t)(cap.gaps.end_ns[k] - first) / 1e9;
        r->gap_ms[k] = (double)cap.gaps.len[k] * 1000 / 48000;
    }
    text = vg_test_slurp(clog);
    const char *last = NULL;
    struct audio_report rep;
    for (const char *p = text, *line = p; audio_report_next(&p, &rep); line = p) {
        last = strstr(line, "audio: fill ");
        r->last = rep;
    }
    audio_target_range(text, &r->target_min, &r->target_max);
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

/* The baseline: pw-play of the same length of 48 kHz 16-bit stereo tone, asking the graph for
 * `latency` (pw-play's --latency: our client's request, or the forced quantum), heard by the
 * same capture. Its CPU and its gaps: a gap pw-play has too is the graph's, not the client's. */
struct baseline {
    double cpu_s;
    uint64_t gaps, gap_frames;
};

static bool baseline_run(const char *dir, double seconds, const char *latency, struct baseline *b)
{
    char wav[600], log[700];
    snprintf(wav, sizeof(wav), "%s/baseline.wav", dir);
    snprintf(log, sizeof(log), "%s/pw-play.log", dir);
    *b = (struct baseline){.cpu_s = NAN};
    FILE *f = fopen(wav, "wb");
    if (!f)
        return false;
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
    struct vg_bench_capture cap;
    bool heard = vg_bench_capture_start(&cap, listener_priority);
    double cpu0 = child_cpu_s();
    char *argv[] = {"pw-play", "--target", "test-sink", "--latency", (char *)latency, wav, NULL};
    bool ok = vg_test_wait(audio_spawn(argv, log), (int)(seconds * 1000) + 20000) == 0;
    if (ok)
        b->cpu_s = child_cpu_s() - cpu0;
    vg_bench_capture_stop(&cap);
    if (heard) {
        b->gaps = cap.gaps.gaps;
        b->gap_frames = cap.gaps.gap_frames;
    }
    return ok && heard;
}

static bool trace;

#define SETTLED_S 2.0 /* marks from here on: after the client's lock-in */

static void print_quantum(const struct run_result *r)
{
    if (!r->quantum_max) {
        printf("quantum unknown");
        return;
    }
    printf("quantum %llu (%.1f ms", (unsigned long long)r->quantum_last,
           (double)r->quantum_last * 1000 / 48000);
    if (r->quantum_min != r->quantum_max)
        printf("; %llu..%llu over the run", (unsigned long long)r->quantum_min,
               (unsigned long long)r->quantum_max);
    printf(")");
}

/* One case: latency, gaps, xruns, the target's range, the graph's quantum, CPU against the
 * baseline (base_cpu: pw-play's CPU per second of audio). */
static void print_case(const char *what, struct run_result *r, double base_cpu)
{
    for (size_t i = 0; trace && i < r->n; i++)
        printf("    mark at %7.3f s: %6.2f ms\n", r->mark_s[i], r->lat[i]);
    for (uint64_t k = 0; trace && k < r->gaps && k < VG_BENCH_MAX_GAPS; k++)
        printf("    gap ending %7.3f s: %6.2f ms\n", r->gap_s[k], r->gap_ms[k]);
    double all[VG_BENCH_MAX_MARKS], settled[VG_BENCH_MAX_MARKS];
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
    printf("  %-24s marks %4zu       p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", from, ns,
           vg_bench_percentile(settled, ns, 0.5), vg_bench_percentile(settled, ns, 0.99),
           vg_bench_percentile(settled, ns, 1.0));
    printf("    gaps %llu (%.1f ms), xruns: graph stalls %llu, underruns %llu; target %u..%u ms; ",
           (unsigned long long)r->gaps, (double)r->gap_frames * 1000 / 48000,
           r->last.graph_stalls, r->last.underruns, r->target_min, r->target_max);
    print_quantum(r);
    double cpu = r->cpu_s / r->audio_s;
    printf("\n    CPU per second of audio: client %.2f ms, pw-play %.2f ms (ratio %.2f)\n",
           cpu * 1e3, base_cpu * 1e3, base_cpu > 0 ? cpu / base_cpu : NAN);
    if (r->listener_raised < 0)
        printf("    (the bench's capture could not be raised above the noise: %s; marks it "
               "missed are missing above)\n",
               strerror(-r->listener_raised));
    printf("    client: %s\n", r->last_report);
}

bool vg_bench_audio_scream(const char *dir, double seconds, struct vg_bench_audio_case *out)
{
    struct run_result *r = calloc(1, sizeof(*r));
    bool ok = r && run_once(dir, seconds, 0, 20, r);
    if (ok) {
        double settled[VG_BENCH_MAX_MARKS];
        size_t ns = 0;
        for (size_t i = 0; i < r->n; i++)
            if (r->mark_s[i] >= SETTLED_S)
                settled[ns++] = r->lat[i];
        *out = (struct vg_bench_audio_case){
            .p50 = vg_bench_percentile(settled, ns, 0.5),
            .p99 = vg_bench_percentile(settled, ns, 0.99),
            .max = vg_bench_percentile(settled, ns, 1.0),
            .marks = ns,
            .gaps = r->gaps,
            .gap_ms = (double)r->gap_frames * 1000 / 48000,
        };
    }
    free(r);
    return ok;
}

int vg_bench_audio(int argc, char **argv)
{
    int64_t seconds = 20, drift_seconds = 40, target = 20, quantum = 0, seed = 1, guest_fifo = 0;
    bool noise = false, keep = false;
    const struct vg_opt opts[] = {
        {"seconds", 0, VG_OPT_INT, &seconds, 5, 3600, NULL, "S", "length of the latency run",
         NULL, NULL},
        {"drift-seconds", 0, VG_OPT_INT, &drift_seconds, 0, 36000, NULL, "S",
         "length of each +-1000 ppm run (0 skips them)", NULL, NULL},
        {"audio-latency-ms", 0, VG_OPT_INT, &target, 10, 500, NULL, "MS",
         "the client's target (its default is 20)", NULL, NULL},
        {"noise", 0, VG_OPT_FLAG, &noise, 0, 0, NULL, NULL,
         "run every case under CPU noise: a SCHED_FIFO 90 spinner per CPU in 2-30 ms bursts "
         "every 20-200 ms, and a busy loop per CPU",
         NULL, NULL},
        {"noise-seed", 0, VG_OPT_INT, &seed, 0, 1e9, NULL, "N",
         "the noise's seed: the same seed, the same bursts", NULL, NULL},
        {"quantum", 0, VG_OPT_INT, &quantum, 0, 8192, NULL, "N",
         "force the graph's quantum to N frames for the whole run (PipeWire keeps it within "
         "16..2048); 0: the streams' requests set it",
         NULL, NULL},
        {"guest-fifo", 0, VG_OPT_INT, &guest_fifo, 0, 99, NULL, "N",
         "run the synthetic guest at SCHED_FIFO N, below the noise, as a VM whose vCPUs "
         "libvirt runs with <vcpusched scheduler='fifo'>; 0: normal priority, as most are",
         NULL, NULL},
        {"trace", 0, VG_OPT_FLAG, &trace, 0, 0, NULL, NULL,
         "print every mark's latency and every gap's time", NULL, NULL},
        {"keep", 0, VG_OPT_FLAG, &keep, 0, 0, NULL, NULL,
         "keep the logs (client, guest, PipeWire daemon) and say where", NULL, NULL},
    };
    const struct vg_opts_program prog = {
        "vgapt-bench audio", "[OPTIONS]",
        "Measures guest chunk written -> played latency of vgapt-guest tone + vgapt-client\n"
        "--audio-only through a private PipeWire daemon (null sink), the gaps a listener\n"
        "hears, its drift with the guest clock 1000 ppm off, underruns/graph xruns, the\n"
        "client's buffering target and the graph's quantum, and the client's CPU per second\n"
        "of audio against pw-play; optionally under CPU noise or a forced quantum.",
        VG_VERSION};
    int exit_status = vg_opts_parse_or_exit(&prog, opts, sizeof(opts) / sizeof(opts[0]), argc,
                                            argv);
    if (exit_status >= 0)
        return exit_status;
    if (!vg_bench_gaps_self_check())
        return 1;
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/vgapt-bench-audio-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(path)) {
        fprintf(stderr, "vgapt-bench: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    struct audio_env e;
    struct audio_noise *load = NULL;
    struct run_result *r = NULL;
    int status = 1;
    pw_init(NULL, NULL);
    if (!audio_env_start(&e, path, 2))
        goto out;
    if (quantum > 0 && !audio_env_force_quantum(&e, (unsigned)quantum))
        goto out;
    r = calloc(1, sizeof(*r));
    if (!r)
        goto out;

    printf("vgapt-bench audio: target %lld ms on top of 20 ms chunks; PipeWire null sink, "
           "48 kHz\n", (long long)target);
    if (quantum > 0)
        printf("graph quantum: forced to %lld (%.1f ms)\n", (long long)quantum,
               (double)quantum * 1000 / 48000);
    else
        printf("graph quantum: not forced (the client's request sets it)\n");
    if (noise) {
        struct audio_noise_options o;
        audio_noise_options_default(&o);
        o.seed = (uint64_t)seed;
        load = audio_noise_start(&o);
        if (!load) {
            fprintf(stderr, "vgapt-bench: the noise load did not start\n");
            goto out;
        }
        char what[256];
        audio_noise_describe(load, what, sizeof(what));
        printf("noise: %s\n", what);
        /* The bench's ears (its capture) stand for a sound card: above the spinners. */
        if (audio_noise_realtime(load))
            listener_priority = o.rt_priority + 5 < sched_get_priority_max(SCHED_FIFO)
                                    ? o.rt_priority + 5
                                    : sched_get_priority_max(SCHED_FIFO);
        if (listener_priority)
            printf("listener: the bench's capture at SCHED_FIFO %d, above the noise\n",
                   listener_priority);
    } else {
        printf("noise: none\n");
    }
    guest_priority = (int)guest_fifo;
    if (guest_priority)
        printf("guest: the synthetic guest at SCHED_FIFO %d\n", guest_priority);
    /* The baseline first, under the same noise: each case's CPU is printed against it. */
    char latency[32];
    /* 512: what the client asks for by default (--audio-quantum-ms 10) */
    snprintf(latency, sizeof(latency), "%lld", quantum > 0 ? (long long)quantum : 512ll);
    struct baseline bl;
    if (baseline_run(path, (double)seconds, latency, &bl))
        printf("baseline: pw-play --latency %s, %lld s: gaps %llu (%.1f ms)\n", latency,
               (long long)seconds, (unsigned long long)bl.gaps,
               (double)bl.gap_frames * 1000 / 48000);
    else
        printf("baseline: pw-play did not play (its log: %s/pw-play.log)\n", path);
    double base = bl.cpu_s / (double)seconds;
    printf("chunk written -> played (first sample of a marked chunk):\n");
    if (!run_once(path, (double)seconds, 0, target, r)) {
        fprintf(stderr, "vgapt-bench: no mark was heard (logs in %s)\n", path);
        goto out;
    }
    print_case("no skew", r, base);

    for (int s = 0; drift_seconds > 0 && s < 2; s++) {
        double skew = s ? -1000 : 1000;
        char what[64];
        snprintf(what, sizeof(what), "guest clock %+.0f ppm", skew);
        if (!run_once(path, (double)drift_seconds, skew, target, r)) {
            printf("  %s: no marks heard\n", what);
            continue;
        }
        print_case(what, r, base);
        double d = (double)drift_seconds;
        double early = mean_between(r, 5, 15), late = mean_between(r, d - 10, d);
        printf("    latency drift: %.2f ms (mean 5-15 s) -> %.2f ms (last 10 s): %+.2f ms\n",
               early, late, late - early);
    }
    status = 0;
out:
    audio_noise_stop(load);
    free(r);
    pw_deinit();
    audio_env_stop(&e);
    if (keep) {
        printf("logs kept in %s\n", path);
    } else {
        char *rm[] = {"rm", "-rf", path, NULL};
        vg_test_wait(audio_spawn(rm, "/dev/null"), 10000);
    }
    return status;
}
