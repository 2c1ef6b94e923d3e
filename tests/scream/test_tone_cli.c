/* vgapt-guest tone as the host's tests use it: bad options are named; the ring it writes
 * validates and carries the right tone on every channel in every sample format; chunks come
 * every 20 ms, faster or slower with --skew-ppm; format changes, stalls and restarts look in
 * the ring as they do from the Scream driver; timing marks are in the ring and on stdout with
 * the time they were published; files are sized or refused; a signal closes the stream.
 * A monitor polls the header every 0.2 ms while tone runs and records every change.
 * Usage: test-scream-tone-cli PATH-TO-vgapt-guest */
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "vg/scream.h"
#include "vg/time.h"

#define MAX_ARGS 40
#define MIB (UINT64_C(1) << 20)
#define REGION (2 * MIB)
#define POLL_NS (200 * VG_NS_PER_US)
#define MAX_OBS 65536
#define TWO_PI 6.283185307179586476925

/* A NULL-terminated argument list, after the program name. */
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *guest;
static const char *tmp;

/* One change seen in the header: opened/closed, a new write_idx or a new format. */
struct obs {
    uint64_t t;
    bool open;  /* magic present */
    bool valid; /* and the header validates; l is then set */
    struct vg_scream_layout l;
};

struct run {
    int status;
    struct obs *obs;
    size_t n_obs;
    size_t torn; /* magic present but the copy did not validate (a rewrite in progress) */
    char out[16384];
    char err[16384];
};

/* Starts vgapt-guest with args, its stdout and stderr going to files in tmp. */
static pid_t spawn_guest(const char *const *args)
{
    return vg_test_spawn_capture(guest, args, tmp);
}

static void collect(struct run *r)
{
    vg_test_collect(tmp, r->out, sizeof(r->out), r->err, sizeof(r->err));
}

/* Runs vgapt-guest to completion (20 s at most) without watching; returns its exit status. */
static int run_plain(struct run *r, const char *const *args)
{
    r->status = vg_test_run_capture(guest, args, tmp, 20000, r->out, sizeof(r->out), r->err,
                                    sizeof(r->err));
    return r->status;
}

static void expect_usage_error(const char *needle, const char *const *args)
{
    vg_test_expect_usage_error(guest, args, tmp, needle);
}

struct region {
    uint8_t *base;
    size_t size;
};

/* Creates path at size bytes and maps it, so the monitor sees tone's first header write. */
static bool region_create(struct region *g, const char *path, size_t size)
{
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK_MSG(fd >= 0, "cannot create %s", path);
    if (fd < 0)
        return false;
    bool ok = ftruncate(fd, (off_t)size) == 0;
    void *p = ok ? mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return false;
    g->base = p;
    g->size = size;
    return true;
}

static void region_destroy(struct region *g)
{
    if (g->base)
        munmap(g->base, g->size);
    g->base = NULL;
}

static bool same_format(const struct vg_scream_layout *a, const struct vg_scream_layout *b)
{
    return a->rate == b->rate && a->bits == b->bits && a->channels == b->channels &&
           a->channel_map == b->channel_map && a->chunk_size == b->chunk_size &&
           a->max_chunks == b->max_chunks && a->offset == b->offset;
}

static void record(struct run *r, const struct obs *o)
{
    if (r->n_obs < MAX_OBS)
        r->obs[r->n_obs++] = *o;
}

/* Polls the header until pid exits (timeout_ms at most), recording every change. With
 * signal_after_ms, sends SIGINT that long after the first chunk. */
static void monitor(struct run *r, const struct region *g, pid_t pid, int timeout_ms,
                    int signal_after_ms, int sig)
{
    r->obs = calloc(MAX_OBS, sizeof(*r->obs));
    r->n_obs = r->torn = 0;
    r->status = -1;
    const uint64_t start = vg_time_ns();
    uint64_t first_chunk = 0;
    bool signalled = false;
    struct obs prev = {0};
    bool have_prev = false;
    for (;;) {
        struct obs o = {.t = vg_time_ns()};
        uint32_t magic = __atomic_load_n((const uint32_t *)g->base, __ATOMIC_ACQUIRE);
        if (magic == VG_SCREAM_MAGIC) {
            o.open = true;
            struct vg_scream_header h;
            memcpy(&h, g->base, sizeof(h));
            o.valid = vg_scream_validate(&h, g->size, &o.l) == VG_SCREAM_OK;
            if (!o.valid)
                r->torn++;
        }
        bool changed =
            !have_prev || o.open != prev.open || o.valid != prev.valid ||
            (o.valid && (o.l.write_idx != prev.l.write_idx || !same_format(&o.l, &prev.l)));
        if (changed && (o.valid || !o.open)) {
            record(r, &o);
            prev = o;
            have_prev = true;
        }
        if (o.valid && o.l.write_idx > 0 && !first_chunk)
            first_chunk = o.t;
        if (signal_after_ms && first_chunk && !signalled &&
            o.t - first_chunk >= (uint64_t)signal_after_ms * VG_NS_PER_MS) {
            kill(pid, sig);
            signalled = true;
        }

        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        if (o.t - start > (uint64_t)timeout_ms * VG_NS_PER_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            CHECK_MSG(false, "vgapt-guest tone ran past %d ms", timeout_ms);
            break;
        }
        vg_sleep_ns(POLL_NS);
    }
    collect(r);
}

/* Runs tone with args on a fresh 2 MiB file at path, watching it. */
static bool run_watched(struct run *r, struct region *g, const char *path, const char *const *args,
                        int signal_after_ms, int sig)
{
    const char *argv[MAX_ARGS];
    int n = 0;
    argv[n++] = "tone";
    argv[n++] = "--shm";
    argv[n++] = path;
    for (; *args && n < MAX_ARGS - 1; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    if (!region_create(g, path, REGION))
        return false;
    pid_t pid = spawn_guest(argv);
    CHECK(pid > 0);
    if (pid <= 0)
        return false;
    monitor(r, g, pid, 20000, signal_after_ms, sig);
    return true;
}

static void run_free(struct run *r)
{
    free(r->obs);
    r->obs = NULL;
}

/* Chunks written according to the observations: each open stream starts at index 0, so its
 * first observed index counts the chunks before it; later ones count the steps (wrapping). */
struct tally {
    uint64_t chunks;
    int streams; /* opens and format changes seen */
    int closes;  /* times the magic went away and came back */
    struct vg_scream_layout first, last;
};

static struct tally tally(const struct run *r)
{
    struct tally t = {0};
    const struct obs *prev = NULL;
    bool closed = false;
    for (size_t i = 0; i < r->n_obs; i++) {
        const struct obs *o = &r->obs[i];
        if (!o->open) {
            closed = prev != NULL || closed;
            prev = NULL;
            continue;
        }
        if (closed)
            t.closes++;
        closed = false;
        if (!prev || !same_format(&prev->l, &o->l)) {
            t.chunks += o->l.write_idx;
            if (t.streams++ == 0)
                t.first = o->l;
        } else {
            t.chunks += (o->l.write_idx + o->l.max_chunks - prev->l.write_idx) % o->l.max_chunks;
        }
        t.last = o->l;
        prev = o;
    }
    return t;
}

static uint64_t summary_chunks(const char *out)
{
    const char *s = strstr(out, "tone: ");
    unsigned long long n = 0;
    if (!s || sscanf(s, "tone: %llu chunks in", &n) != 1)
        return UINT64_MAX;
    return n;
}

static double summary_rate(const char *out)
{
    const char *s = strstr(out, "tone: ");
    unsigned long long n;
    double secs, rate;
    if (!s || sscanf(s, "tone: %llu chunks in %lf s (%lf chunks/s)", &n, &secs, &rate) != 3)
        return -1;
    return rate;
}

/* Sample `frame` of channel c of ring chunk idx, in [-1, 1). */
static double sample(const struct region *g, const struct vg_scream_layout *l, uint32_t idx,
                     uint32_t frame, uint32_t c)
{
    const uint8_t *p = g->base + l->offset + (size_t)idx * l->chunk_size +
                       (size_t)frame * l->bytes_per_frame + (size_t)c * (l->bits / 8);
    if (l->bits == 16)
        return (int16_t)(p[0] | p[1] << 8) / 32768.0;
    if (l->bits == 24) {
        int32_t v = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24);
        return (v >> 8) / 8388608.0;
    }
    int32_t v = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                          (uint32_t)p[3] << 24);
    return v / 2147483648.0;
}

/* Channel c of ring chunks from..to (inclusive, no wrap) as one signal; caller frees. */
static double *decode_channel(const struct region *g, const struct vg_scream_layout *l,
                              uint32_t from, uint32_t to, uint32_t c, size_t *n)
{
    *n = (size_t)(to - from + 1) * l->chunk_frames;
    double *x = malloc(*n * sizeof(*x));
    size_t k = 0;
    for (uint32_t i = from; i <= to; i++) {
        for (uint32_t f = 0; f < l->chunk_frames; f++)
            x[k++] = sample(g, l, i, f, c);
    }
    return x;
}

/* The amplitude of the component at freq (Goertzel). */
static double goertzel(const double *x, size_t n, double freq, double rate)
{
    double coeff = 2.0 * cos(TWO_PI * freq / rate), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s0 = x[i] + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    return 2.0 * sqrt(power > 0 ? power : 0) / (double)n;
}

/* Channel c carries freq x (c + 1) at the amplitude asked for, continuous from chunk to chunk,
 * and none of the other channels' tones. */
static void check_tones(const struct region *g, const struct vg_scream_layout *l, uint32_t from,
                        uint32_t to, double freq, double amplitude, const char *what)
{
    for (uint32_t c = 0; c < l->channels; c++) {
        size_t n;
        double *x = decode_channel(g, l, from, to, c, &n);
        double f = freq * (c + 1);
        double a = goertzel(x, n, f, l->rate);
        CHECK_MSG(fabs(a - amplitude) < 0.05 * amplitude,
                  "%s: channel %u: %.4f at %g Hz, want %.2f", what, c + 1, a, f, amplitude);
        for (uint32_t k = 0; k < l->channels; k++) {
            if (k == c)
                continue;
            double other = goertzel(x, n, freq * (k + 1), l->rate);
            CHECK_MSG(other < 0.02 * amplitude, "%s: channel %u carries %.4f at %g Hz", what, c + 1,
                      other, freq * (k + 1));
        }
        /* A sine's steepest step, plus rounding; a phase jump between chunks is far larger. */
        double max_step = TWO_PI * f * amplitude / l->rate * 1.02 + 4.0 / 32768.0;
        size_t jumps = 0;
        for (size_t i = 1; i < n; i++)
            jumps += fabs(x[i] - x[i - 1]) > max_step;
        CHECK_MSG(jumps == 0, "%s: channel %u has %zu discontinuities", what, c + 1, jumps);
        free(x);
    }
}

static void test_bad_options_are_named(void)
{
    char shm[512];
    snprintf(shm, sizeof(shm), "%s/unused", tmp);
    expect_usage_error("--shm FILE is required", ARGS("tone"));
    expect_usage_error("--rate", ARGS("tone", "--shm", shm, "--rate", "44099"));
    expect_usage_error("--rate", ARGS("tone", "--shm", shm, "--rate", "200000"));
    expect_usage_error("50000 Hz is not a rate", ARGS("tone", "--shm", shm, "--rate", "50000"));
    expect_usage_error("--bits takes one of 16, 24, 32",
                       ARGS("tone", "--shm", shm, "--bits", "20"));
    expect_usage_error("--channels", ARGS("tone", "--shm", shm, "--channels", "0"));
    expect_usage_error("--channels", ARGS("tone", "--shm", shm, "--channels", "9"));
    expect_usage_error("--channel-map", ARGS("tone", "--shm", shm, "--channel-map", "0x800"));
    expect_usage_error("--channel-map 0x7 names more speakers than --channels 2",
                       ARGS("tone", "--shm", shm, "--channel-map", "0x7"));
    expect_usage_error("--amplitude", ARGS("tone", "--shm", shm, "--amplitude", "1.5"));
    expect_usage_error("--skew-ppm", ARGS("tone", "--shm", shm, "--skew-ppm", "6000"));
    expect_usage_error("--skew-ppm", ARGS("tone", "--shm", shm, "--skew-ppm", "-5001"));
    expect_usage_error("--freq 3000 puts channel 8 at 24000 Hz",
                       ARGS("tone", "--shm", shm, "--freq", "3000", "--channels", "8"));
    expect_usage_error("--switch-after S and --switch-to RATE/BITS/CHANNELS go together",
                       ARGS("tone", "--shm", shm, "--switch-after", "1"));
    expect_usage_error("--switch-after S and --switch-to RATE/BITS/CHANNELS go together",
                       ARGS("tone", "--shm", shm, "--switch-to", "44100/16/2"));
    expect_usage_error(
        "--switch-to takes RATE/BITS/CHANNELS",
        ARGS("tone", "--shm", shm, "--switch-after", "1", "--switch-to", "44100/24"));
    expect_usage_error(
        "--switch-to: 20 bits per sample",
        ARGS("tone", "--shm", shm, "--switch-after", "1", "--switch-to", "44100/20/2"));
    expect_usage_error(
        "--switch-to: 32000 Hz is not a rate",
        ARGS("tone", "--shm", shm, "--switch-after", "1", "--switch-to", "32000/16/2"));
    expect_usage_error("--stall-after S and --stall S go together",
                       ARGS("tone", "--shm", shm, "--stall-after", "1"));
    expect_usage_error("--mark-every needs --amplitude at most",
                       ARGS("tone", "--shm", shm, "--mark-every", "1", "--amplitude", "0.9"));
    expect_usage_error("unknown option '--frobnicate'", ARGS("tone", "--shm", shm, "--frobnicate"));
    CHECK_MSG(access(shm, F_OK) != 0, "a rejected command line created %s", shm);
}

static void test_help_lists_tone_and_its_options(void)
{
    struct run r = {0};
    CHECK(run_plain(&r, ARGS("--help")) == 0);
    CHECK_MSG(strstr(r.out, "tone"), "top-level --help lacks tone: %s", r.out);
    CHECK(run_plain(&r, ARGS("tone", "--help")) == 0);
    CHECK_MSG(strstr(r.out, "--rate HZ") && strstr(r.out, "(default: 48000)") &&
                  strstr(r.out, "--skew-ppm") && strstr(r.out, "--mark-every") &&
                  strstr(r.out, "--switch-to RATE/BITS/CHANNELS"),
              "tone --help: %s", r.out);
}

/* One second of tone in each sample format, 2 and 8 channels, 44.1 and 48 kHz. */
static void test_one_second_carries_each_channels_tone(void)
{
    static const char *const rates[] = {"44100", "48000"};
    static const char *const bits[] = {"16", "24", "32"};
    static const char *const channels[] = {"2", "8"};
    for (int ri = 0; ri < 2; ri++) {
        for (int bi = 0; bi < 3; bi++) {
            for (int ci = 0; ci < 2; ci++) {
                char path[512], what[64];
                snprintf(path, sizeof(path), "%s/tone-%s-%s-%s", tmp, rates[ri], bits[bi],
                         channels[ci]);
                snprintf(what, sizeof(what), "%s Hz %s-bit %s ch", rates[ri], bits[bi],
                         channels[ci]);
                /* A second frequency on one run shows --freq is honoured. */
                const char *freq = ri == 0 && bi == 1 ? "500" : "440";
                struct run r = {0};
                struct region g = {0};
                if (!run_watched(&r, &g, path,
                                 ARGS("--seconds", "1", "--rate", rates[ri], "--bits", bits[bi],
                                      "--channels", channels[ci], "--freq", freq),
                                 0, 0)) {
                    run_free(&r);
                    continue;
                }
                CHECK_MSG(r.status == 0, "%s: exit status %d: %s", what, r.status, r.err);
                struct tally t = tally(&r);
                CHECK_MSG(t.streams == 1 && t.closes == 0, "%s: %d streams, %d closes", what,
                          t.streams, t.closes);
                CHECK_MSG(t.chunks >= 30 && t.chunks <= 70, "%s: %" PRIu64 " chunks in 1 s", what,
                          t.chunks);
                uint64_t said = summary_chunks(r.out);
                /* The monitor may miss a last chunk published just before the close. */
                CHECK_MSG(said == t.chunks || said == t.chunks + 1,
                          "%s: summary says %" PRIu64 ", the ring %" PRIu64 ": %s", what, said,
                          t.chunks, r.out);
                const struct vg_scream_layout *l = &t.last;
                CHECK(l->rate == (uint32_t)atoi(rates[ri]) && l->bits == (uint32_t)atoi(bits[bi]) &&
                      l->channels == (uint32_t)atoi(channels[ci]));
                CHECK(l->channel_map == vg_scream_default_channel_map(l->channels));
                /* Closed at the end: the header is zero, the chunks are still there. */
                struct vg_scream_header h;
                memcpy(&h, g.base, sizeof(h));
                CHECK_MSG(h.magic == 0 && h.chunk_size == 0, "%s: header left set at exit", what);
                if (t.streams == 1 && t.chunks >= 10 && t.chunks < l->max_chunks)
                    check_tones(&g, l, 1, (uint32_t)t.chunks, atof(freq), 0.5, what);
                region_destroy(&g);
                run_free(&r);
            }
        }
    }
}

/* Least-squares slope of chunks written against time: the chunk rate seen from outside. */
static double observed_rate(const struct run *r)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    size_t n = 0;
    uint64_t count = 0, t0 = 0;
    const struct obs *prev = NULL;
    for (size_t i = 0; i < r->n_obs; i++) {
        const struct obs *o = &r->obs[i];
        if (!o->open && !prev)
            continue;
        if (!o->open)
            break;
        if (!prev) {
            t0 = o->t;
            count = o->l.write_idx;
        } else {
            count += (o->l.write_idx + o->l.max_chunks - prev->l.write_idx) % o->l.max_chunks;
        }
        prev = o;
        double x = (double)(o->t - t0) / 1e9, y = (double)count;
        sx += x, sy += y, sxx += x * x, sxy += x * y;
        n++;
    }
    if (n < 10)
        return 0;
    return ((double)n * sxy - sx * sy) / ((double)n * sxx - sx * sx);
}

static void test_skew_changes_the_chunk_rate(void)
{
    static const char *const ppm[] = {"1000", "-1000"};
    double seen[2] = {0}, said[2] = {0};
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/skew%d", tmp, i);
        struct run r = {0};
        struct region g = {0};
        if (run_watched(&r, &g, path, ARGS("--seconds", "2.5", "--skew-ppm", ppm[i]), 0, 0)) {
            CHECK_MSG(r.status == 0, "skew %s: exit status %d: %s", ppm[i], r.status, r.err);
            seen[i] = observed_rate(&r);
            said[i] = summary_rate(r.out);
            fprintf(stderr, "skew %s ppm: %.4f chunks/s seen, %.4f reported\n", ppm[i], seen[i],
                    said[i]);
            /* 50 x (1 + ppm/1e6) within 0.5 %. */
            double want = 50.0 / (1.0 - atof(ppm[i]) / 1e6);
            CHECK_MSG(fabs(seen[i] / want - 1) < 0.005, "skew %s: %.4f chunks/s, want %.4f", ppm[i],
                      seen[i], want);
            CHECK_MSG(fabs(said[i] / want - 1) < 0.0005, "skew %s: reports %.4f, want %.4f", ppm[i],
                      said[i], want);
        }
        region_destroy(&g);
        run_free(&r);
    }
    /* 2000 ppm apart (0.1 chunk/s): the sign must be right, and the size roughly. */
    double diff_ppm = (seen[0] / seen[1] - 1) * 1e6;
    CHECK_MSG(diff_ppm > 500 && diff_ppm < 3500,
              "+1000 ppm vs -1000 ppm: rates %.4f and %.4f differ by %.0f ppm, want ~2000", seen[0],
              seen[1], diff_ppm);
}

static void test_format_switch_rewrites_the_header(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/switch", tmp);
    struct run r = {0};
    struct region g = {0};
    if (!run_watched(&r, &g, path,
                     ARGS("--seconds", "1.5", "--switch-after", "0.6", "--switch-to", "44100/24/6"),
                     0, 0)) {
        run_free(&r);
        return;
    }
    CHECK_MSG(r.status == 0, "exit status %d: %s", r.status, r.err);
    struct tally t = tally(&r);
    CHECK_MSG(t.streams == 2 && t.closes == 0, "%d streams, %d closes", t.streams, t.closes);
    CHECK(t.first.rate == 48000 && t.first.bits == 16 && t.first.channels == 2);
    CHECK(t.last.rate == 44100 && t.last.bits == 24 && t.last.channels == 6 &&
          t.last.channel_map == 0x3F && t.last.chunk_size == 3 * 6 * 882);

    /* When it switched, and where the new stream's index started. */
    uint64_t t_open = 0, t_switch = 0;
    uint32_t first_idx = UINT32_MAX;
    for (size_t i = 0; i < r.n_obs; i++) {
        const struct obs *o = &r.obs[i];
        if (!o->open)
            continue;
        if (!t_open)
            t_open = o->t;
        if (o->l.rate == 44100 && !t_switch) {
            t_switch = o->t;
            first_idx = o->l.write_idx;
        }
    }
    double after = (double)(t_switch - t_open) / 1e9;
    CHECK_MSG(t_switch && after > 0.5 && after < 0.8, "switched after %.3f s, want 0.6", after);
    CHECK_MSG(first_idx <= 2, "the new format's index started at %u", first_idx);

    /* The chunks written in the new format carry the tones. */
    uint32_t last = t.last.write_idx;
    CHECK_MSG(last >= 30 && last <= 60, "%u chunks after the switch", last);
    if (last >= 10)
        check_tones(&g, &t.last, 1, last, 440, 0.5, "after the switch");
    region_destroy(&g);
    run_free(&r);
}

static void test_stall_holds_write_idx_with_the_stream_open(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/stall", tmp);
    struct run r = {0};
    struct region g = {0};
    if (!run_watched(&r, &g, path,
                     ARGS("--seconds", "1.6", "--stall-after", "0.4", "--stall", "0.6"), 0, 0)) {
        run_free(&r);
        return;
    }
    CHECK_MSG(r.status == 0, "exit status %d: %s", r.status, r.err);
    struct tally t = tally(&r);
    CHECK_MSG(t.streams == 1 && t.closes == 0, "%d streams, %d closes: the stall closed it",
              t.streams, t.closes);
    /* The longest time write_idx stood still while the stream was open. */
    uint64_t longest = 0, at = 0, t_open = 0;
    const struct obs *prev = NULL;
    for (size_t i = 0; i < r.n_obs; i++) {
        const struct obs *o = &r.obs[i];
        if (!o->open && !prev)
            continue;
        if (!o->open)
            break;
        if (!t_open)
            t_open = o->t;
        if (prev && o->t - prev->t > longest) {
            longest = o->t - prev->t;
            at = prev->t - t_open;
        }
        prev = o;
    }
    CHECK_MSG(longest > 550 * VG_NS_PER_MS && longest < 800 * VG_NS_PER_MS,
              "write_idx held for %.3f s, want 0.6", (double)longest / 1e9);
    CHECK_MSG(at > 300 * VG_NS_PER_MS && at < 600 * VG_NS_PER_MS,
              "the stall began at %.3f s, want 0.4", (double)at / 1e9);
    /* ~0.4 s before and ~0.6 s after: ~50 chunks, fewer than 80 without the stall. */
    CHECK_MSG(t.chunks >= 35 && t.chunks <= 60, "%" PRIu64 " chunks", t.chunks);
    if (t.chunks >= 10 && t.chunks < t.last.max_chunks)
        check_tones(&g, &t.last, 1, (uint32_t)t.chunks, 440, 0.5, "across the stall");
    region_destroy(&g);
    run_free(&r);
}

static void test_restart_zeroes_then_reopens_at_index_1(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/restart", tmp);
    struct run r = {0};
    struct region g = {0};
    if (!run_watched(&r, &g, path, ARGS("--seconds", "1.2", "--restart-after", "0.5"), 0, 0)) {
        run_free(&r);
        return;
    }
    CHECK_MSG(r.status == 0, "exit status %d: %s", r.status, r.err);
    struct tally t = tally(&r);
    CHECK_MSG(t.streams == 2 && t.closes == 1, "%d streams, %d closes", t.streams, t.closes);
    uint64_t closed_at = 0, gap = 0;
    uint32_t reopen_idx = UINT32_MAX, before_idx = 0;
    for (size_t i = 1; i < r.n_obs; i++) {
        const struct obs *o = &r.obs[i], *p = &r.obs[i - 1];
        if (p->open && !o->open && !closed_at) {
            closed_at = o->t;
            before_idx = p->l.write_idx;
        } else if (!p->open && o->open && closed_at && !gap) {
            gap = o->t - closed_at;
            reopen_idx = o->l.write_idx;
        }
    }
    CHECK_MSG(before_idx >= 20, "%u chunks before the restart", before_idx);
    CHECK_MSG(gap > 150 * VG_NS_PER_MS && gap < 400 * VG_NS_PER_MS, "closed for %.3f s, want 0.2",
              (double)gap / 1e9);
    CHECK_MSG(reopen_idx <= 2, "reopened at index %u", reopen_idx);
    CHECK(same_format(&t.first, &t.last));
    CHECK_MSG(t.last.write_idx >= 15, "%u chunks after the restart", t.last.write_idx);
    region_destroy(&g);
    run_free(&r);
}

static bool is_mark(const struct region *g, const struct vg_scream_layout *l, uint32_t idx)
{
    uint32_t frames = l->rate * 2 / 1000;
    for (uint32_t f = 0; f < frames; f++) {
        for (uint32_t c = 0; c < l->channels; c++) {
            if (sample(g, l, idx, f, c) < 0.999)
                return false;
        }
    }
    return true;
}

static void test_marks_are_in_the_ring_and_timed(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/marks", tmp);
    struct run r = {0};
    struct region g = {0};
    if (!run_watched(
            &r, &g, path,
            ARGS("--seconds", "1.35", "--mark-every", "0.2", "--bits", "24", "--channels", "3"), 0,
            0)) {
        run_free(&r);
        return;
    }
    CHECK_MSG(r.status == 0, "exit status %d: %s", r.status, r.err);
    struct tally t = tally(&r);

    /* stdout: "mark N written_ns=T", N from 1. */
    uint64_t written[16];
    int marks = 0;
    for (const char *s = strstr(r.out, "mark "); s && marks < 16; s = strstr(s + 1, "\nmark ")) {
        if (*s == '\n')
            s++;
        unsigned n;
        unsigned long long ns;
        if (sscanf(s, "mark %u written_ns=%llu", &n, &ns) != 2)
            break;
        CHECK_MSG(n == (unsigned)marks + 1, "mark %u after %d", n, marks);
        written[marks++] = ns;
    }
    CHECK_MSG(marks == 6, "%d marks in 1.35 s every 0.2 s: %s", marks, r.out);
    for (int i = 1; i < marks; i++) {
        double dt = (double)(written[i] - written[i - 1]) / 1e9;
        CHECK_MSG(fabs(dt - 0.2) < 0.03, "marks %d and %d %.3f s apart", i, i + 1, dt);
    }

    /* The ring: exactly those chunks start with 2 ms at full scale; each was seen published
     * at about the time its line says (same clock: CLOCK_MONOTONIC). */
    int found = 0;
    if (t.streams == 1 && t.chunks < t.last.max_chunks) {
        for (uint32_t idx = 1; idx <= t.chunks; idx++) {
            if (!is_mark(&g, &t.last, idx))
                continue;
            if (found < marks) {
                uint64_t seen = 0;
                for (size_t i = 0; i < r.n_obs && !seen; i++) {
                    if (r.obs[i].open && r.obs[i].l.write_idx == idx)
                        seen = r.obs[i].t;
                }
                int64_t lag = (int64_t)(seen - written[found]);
                CHECK_MSG(seen && lag > -(int64_t)(5 * VG_NS_PER_MS) &&
                              lag < (int64_t)(100 * VG_NS_PER_MS),
                          "mark %d (chunk %u) seen %.3f ms after written_ns", found + 1, idx,
                          (double)lag / 1e6);
            }
            found++;
        }
    }
    CHECK_MSG(found == marks, "%d marked chunks in the ring, %d mark lines", found, marks);
    region_destroy(&g);
    run_free(&r);
}

static void test_signals_close_the_stream_and_exit_0(void)
{
    static const int sigs[] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/signal%d", tmp, i);
        struct run r = {0};
        struct region g = {0};
        if (run_watched(&r, &g, path, ARGS("--seconds", "0"), 300, sigs[i])) {
            CHECK_MSG(r.status == 0, "signal %d: exit status %d: %s", sigs[i], r.status, r.err);
            struct vg_scream_header h;
            memcpy(&h, g.base, sizeof(h));
            uint8_t zero[24] = {0};
            CHECK_MSG(memcmp(&h, zero, sizeof(zero)) == 0, "signal %d left the header set",
                      sigs[i]);
            struct tally t = tally(&r);
            uint64_t said = summary_chunks(r.out);
            /* A chunk may go out between the signal and the close, too fast to be seen. */
            CHECK_MSG(t.chunks >= 10 && (said == t.chunks || said == t.chunks + 1),
                      "signal %d: %" PRIu64 " chunks, summary: %s", sigs[i], t.chunks, r.out);
        }
        region_destroy(&g);
        run_free(&r);
    }
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : UINT64_MAX;
}

static void test_files_are_created_sized_or_refused(void)
{
    char path[512];
    struct run r = {0};

    snprintf(path, sizeof(path), "%s/missing", tmp);
    CHECK(run_plain(&r, ARGS("tone", "--shm", path, "--seconds", "0.1")) == 0);
    CHECK_MSG(file_size(path) == REGION, "missing file created at %" PRIu64, file_size(path));

    snprintf(path, sizeof(path), "%s/empty", tmp);
    close(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
    CHECK(run_plain(&r, ARGS("tone", "--shm", path, "--seconds", "0.1")) == 0);
    CHECK_MSG(file_size(path) == REGION, "empty file sized to %" PRIu64, file_size(path));

    snprintf(path, sizeof(path), "%s/one-mib", tmp);
    CHECK(run_plain(&r, ARGS("tone", "--shm", path, "--seconds", "0.1", "--size-mib", "1")) == 0);
    CHECK(file_size(path) == MIB);

    /* A larger file is used as it is: the ring spans it. */
    snprintf(path, sizeof(path), "%s/large", tmp);
    struct region g = {0};
    if (region_create(&g, path, 4 * MIB)) {
        pid_t pid = spawn_guest(ARGS("tone", "--shm", path, "--seconds", "0.3"));
        monitor(&r, &g, pid, 20000, 0, 0);
        CHECK(r.status == 0);
        struct tally t = tally(&r);
        CHECK_MSG(t.last.max_chunks == (4 * MIB - 24) / 3840, "4 MiB file: ring of %u",
                  t.last.max_chunks);
        CHECK(file_size(path) == 4 * MIB);
        run_free(&r);
        region_destroy(&g);
    }

    /* Too small for the header and 2 chunks: refused, untouched. */
    snprintf(path, sizeof(path), "%s/small", tmp);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && ftruncate(fd, 7703) == 0);
    close(fd);
    CHECK(run_plain(&r, ARGS("tone", "--shm", path, "--seconds", "0.1")) == 1);
    CHECK_MSG(strstr(r.err, path) && strstr(r.err, "needs at least 7704"), "too small a file: %s",
              r.err);
    CHECK(file_size(path) == 7703);
    /* Just large enough: a ring of 2. */
    fd = open(path, O_RDWR);
    CHECK(fd >= 0 && ftruncate(fd, 7704) == 0);
    close(fd);
    CHECK_MSG(run_plain(&r, ARGS("tone", "--shm", path, "--seconds", "0.1")) == 0, "%s", r.err);
    /* A switch to a larger format must fit too. */
    CHECK(run_plain(&r, ARGS("tone", "--shm", path, "--seconds", "0.1", "--switch-after", "0.05",
                             "--switch-to", "192000/32/8")) == 1);
    CHECK_MSG(strstr(r.err, "needs at least"), "switch to a larger format: %s", r.err);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-vgapt-guest\n", argv[0]);
        return 2;
    }
    guest = argv[1];
    tmp = vg_test_tmpdir();
    RUN(test_bad_options_are_named);
    RUN(test_help_lists_tone_and_its_options);
    RUN(test_one_second_carries_each_channels_tone);
    RUN(test_skew_changes_the_chunk_rate);
    RUN(test_format_switch_rewrites_the_header);
    RUN(test_stall_holds_write_idx_with_the_stream_open);
    RUN(test_restart_zeroes_then_reopens_at_index_1);
    RUN(test_marks_are_in_the_ring_and_timed);
    RUN(test_signals_close_the_stream_and_exit_0);
    RUN(test_files_are_created_sized_or_refused);
    return vg_test_finish();
}
