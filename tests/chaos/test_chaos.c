/* Chaos: one real vgapt-client under Xvfb, its audio played into a private PipeWire daemon's
 * null sink and recorded at the sink's monitor, for VG_CHAOS_SECONDS (60 by default) while the
 * producers of its frame file (`vgapt-guest pattern` and `lgmp-pattern`, alternately) and of its
 * Scream file (`vgapt-guest tone`) are, at random: killed (SIGKILL, mid-frame), frozen (SIGSTOP
 * for 0.2-2 s), zeroed, scribbled on (random bytes over the first 64 KiB), bit-flipped in their
 * header, truncated (to 0, 4096 or half) and sized back, and unlinked and re-created at another
 * size. After each fault a good producer returns (or the frozen one thaws), and the client must
 * show frames again - its "showing WxH" line for the new producer's shape, every producer
 * having a width of its own - or play the new tone again (found in the recording) within 1 s of
 * the producer having written its header (polled in the file). Throughout it must never die nor
 * stop (/proc state, CPU time) and keep presenting (two photographs of the screen differ), and
 * at the end SIGTERM stops it with status 0 within 5 s.
 *
 * Seeded: the seed is printed first ("chaos seed N"); VG_CHAOS_SEED=N replays the same choices
 * (the machine's timing still varies), VG_CHAOS_SECONDS=S runs longer (under ctest, give it
 * --timeout S+120). The summary gives the faults by kind and the recoveries' p50/p90/max.
 * Usage: test-chaos CLIENT GUEST */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio_env.h"
#include "image.h"
#include "testlib.h"
#include "vg/fp_wire.h"
#include "vg/lgmp_wire.h"
#include "vg/scream_wire.h"
#include "vg/time.h"

#define BOUND_MS 1000.0 /* the bound on a recovery */
#define GIVE_UP_MS 5000 /* a recovery not seen by then is a failure, not a figure */
#define MIB ((off_t)1 << 20)
#define RATE 48000u           /* the null sink's and the recording's */
#define WIN 960u              /* Goertzel window: 20 ms */
#define STEP 240u             /* its hop: 5 ms */
#define AMPLITUDE 0.5         /* the tone writer's level */
#define LEVEL (AMPLITUDE / 2) /* the tone is present: half its level in a window */
#define MAX_ROUNDS 4096

enum proto { VGFP, LGMP, SCREAM };
enum target { VIDEO, AUDIO, N_TARGETS };
enum fault { KILL, FREEZE, ZERO, SCRIBBLE, BITFLIP, TRUNCATE, RECREATE, N_FAULTS };
/* The last: the first show at the start, which follows no fault. */
static const char *const fault_names[N_FAULTS + 1] = {"kill",    "freeze",   "zero",     "scribble",
                                                      "bitflip", "truncate", "recreate", "start"};
static const char *const target_names[N_TARGETS] = {"video", "audio"};

struct producer {
    pid_t pid;
    enum proto proto;
    char log[700];
    char what[96];  /* for the round's line */
    char shape[32]; /* video: "WxH", unique against the previous producer's */
    double freq;    /* audio: the tone of channel 1 */
};

static char *client_bin, *guest_bin;
static const char *dir;
static char frame_path[600], scream_path[600], client_log[600], wav_path[600], shot[600],
    xwd_log[600];
static struct audio_env env;
static pid_t client, recorder;
static struct producer video, audio;
static unsigned producers_started;
static uint64_t seed, rng;
static bool client_lost; /* dead or stopped: the run ends */
static unsigned long long last_cpu;

static unsigned faults[N_TARGETS][N_FAULTS], recovered[N_TARGETS][N_FAULTS];
static unsigned unnoticed_freezes;
static double video_ms[MAX_ROUNDS], audio_ms[MAX_ROUNDS];
static size_t n_video_ms, n_audio_ms;

/* splitmix64: small, and the whole run follows from the seed. */
static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static unsigned rnd_below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static unsigned rnd_between(unsigned lo, unsigned hi)
{
    return lo + rnd_below(hi - lo + 1);
}

static double ms_since(uint64_t t)
{
    return (double)(vg_time_ns() - t) / 1e6;
}

static void sleep_ms(unsigned ms)
{
    vg_sleep_ns((uint64_t)ms * VG_NS_PER_MS);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void print_file_tail(const char *path, size_t max)
{
    size_t len = 0;
    char *text = vg_test_read_file(path, &len);
    const char *from = text && len > max ? text + len - max : text;
    fprintf(stderr, "--- %s (last %zu bytes) ---\n%s\n---\n", path, max, from ? from : "");
    free(text);
}

/* ---- the client's health ---- */

/* The client's state letter and its CPU time in ticks from /proc; false if it is gone. */
static bool client_stat(char *state, unsigned long long *cpu)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)client);
    vg_test_read_text(path, buf, sizeof(buf));
    const char *p = strrchr(buf, ')');
    unsigned long long utime = 0, stime = 0;
    /* After "(comm)": state, then 10 fields, then utime and stime (fields 14, 15). */
    if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu", state, &utime,
                     &stime) != 3)
        return false;
    *cpu = utime + stime;
    return true;
}

/* Alive and running (not a zombie, not stopped); on failure says so once and ends the run. */
static bool client_ok(const char *when)
{
    if (client_lost)
        return false;
    char state = '?';
    unsigned long long cpu = 0;
    bool ok = kill(client, 0) == 0 && client_stat(&state, &cpu) && state != 'Z' && state != 'X' &&
              state != 'T' && state != 't';
    if (!ok) {
        CHECK_MSG(false, "seed %" PRIu64 ": the client is %s %s", seed,
                  state == 'Z' || state == 'X' ? "dead"
                  : state == '?'               ? "gone"
                                               : "stopped",
                  when);
        client_lost = true;
        print_file_tail(client_log, 6000);
    }
    return ok;
}

/* The client kept working since the last call: its CPU time advanced. */
static void client_progresses(const char *when)
{
    char state;
    unsigned long long cpu = 0;
    if (!client_ok(when) || !client_stat(&state, &cpu))
        return;
    CHECK_MSG(cpu > last_cpu, "seed %" PRIu64 ": the client used no CPU time %s (%llu ticks)", seed,
              when, cpu);
    last_cpu = cpu;
}

static bool photograph(struct image *img)
{
    char *argv[] = {"xwd", "-root", "-silent", "-out", shot, NULL};
    return run_logged(argv, xwd_log, 10000) == 0 && image_read_xwd(img, shot);
}

static bool has_markers(const struct image *img)
{
    static const uint8_t red[3] = {255, 0, 0}, green[3] = {0, 255, 0}, blue[3] = {0, 0, 255};
    int x, y;
    return image_find(img, red, &x, &y) && image_find(img, green, &x, &y) &&
           image_find(img, blue, &x, &y);
}

/* What a user sees: the pattern on screen (its pure red, green and blue) and moving (its box
 * moves every frame, so two photographs differ). Tried for up to 1 s; not timed. */
static bool pattern_moving(void)
{
    uint64_t deadline = vg_time_ns() + VG_NS_PER_S;
    bool shown = false;
    do {
        struct image a, b;
        if (!photograph(&a))
            break;
        sleep_ms(100);
        if (photograph(&b)) {
            shown = has_markers(&a) && has_markers(&b);
            bool moved = a.w == b.w && a.h == b.h &&
                         memcmp(a.rgb, b.rgb, (size_t)a.w * (size_t)a.h * 3) != 0;
            image_free(&b);
            if (shown && moved) {
                image_free(&a);
                return true;
            }
        }
        image_free(&a);
    } while (vg_time_ns() < deadline);
    CHECK_MSG(false, "seed %" PRIu64 ": the pattern is %s on screen", seed,
              shown ? "frozen" : "not");
    return false;
}

/* ---- the recording of the sink's monitor, read while it grows ---- */

static int rec_fd = -1;
static off_t rec_data; /* where the samples start */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Finds the data chunk of pw-record's WAV (its size is written only at the end). */
static bool rec_open(void)
{
    uint64_t deadline = vg_time_ns() + 5 * VG_NS_PER_S;
    do {
        if (rec_fd < 0)
            rec_fd = open(wav_path, O_RDONLY | O_CLOEXEC);
        uint8_t b[4096];
        ssize_t n = rec_fd >= 0 ? pread(rec_fd, b, sizeof(b), 0) : -1;
        if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVE", 4) == 0) {
            size_t pos = 12;
            bool fmt_ok = false;
            while (pos + 8 <= (size_t)n) {
                uint32_t sz = le32(b + pos + 4);
                if (memcmp(b + pos, "fmt ", 4) == 0 && pos + 24 <= (size_t)n) {
                    unsigned ch = b[pos + 10] | b[pos + 11] << 8, bits = b[pos + 22];
                    fmt_ok = ch == 2 && bits == 16 && le32(b + pos + 12) == RATE;
                } else if (memcmp(b + pos, "data", 4) == 0) {
                    rec_data = (off_t)pos + 8;
                    if (!fmt_ok)
                        fprintf(stderr, "the recording is not 48 kHz 16-bit stereo\n");
                    return fmt_ok;
                }
                pos += 8 + (size_t)sz + (sz & 1);
            }
        }
        sleep_ms(20);
    } while (vg_time_ns() < deadline);
    fprintf(stderr, "no WAV header in %s\n", wav_path);
    return false;
}

/* When the file grew, during one measure: the time each frame was first recorded. The frame
 * count alone would not do: on a loaded machine the graph skips cycles, and the recording then
 * holds less audio than the time that passed. */
#define MAX_GROWTH 4096
static struct {
    uint64_t ns;
    size_t frames;
} growth[MAX_GROWTH];
static size_t n_growth;

static size_t rec_frames(void)
{
    struct stat st;
    if (rec_fd < 0 || fstat(rec_fd, &st) != 0 || st.st_size < rec_data)
        return 0;
    size_t n = (size_t)(st.st_size - rec_data) / 4;
    if (n_growth > 0 && n_growth < MAX_GROWTH && n > growth[n_growth - 1].frames) {
        growth[n_growth].ns = vg_time_ns();
        growth[n_growth++].frames = n;
    }
    return n;
}

/* Starts the growth record: at `ns` the file held `frames`. */
static void rec_mark(uint64_t ns, size_t frames)
{
    growth[0].ns = ns;
    growth[0].frames = frames;
    n_growth = 1;
}

/* When the file first held frame `at` (the record's last time if it never grew past it). */
static uint64_t rec_time_of(size_t at)
{
    for (size_t i = 0; i < n_growth; i++) {
        if (growth[i].frames > at)
            return growth[i].ns;
    }
    return n_growth ? growth[n_growth - 1].ns : 0;
}

/* Channel 1's amplitude at freq over [at, at + WIN); -1 while not yet recorded. */
static double rec_level(size_t at, double freq)
{
    int16_t raw[WIN * 2];
    float x[WIN * 2];
    if (at + WIN > rec_frames() ||
        pread(rec_fd, raw, sizeof(raw), rec_data + (off_t)at * 4) != (ssize_t)sizeof(raw))
        return -1;
    for (size_t i = 0; i < WIN * 2; i++)
        x[i] = (float)raw[i] / 32768.0f;
    struct wav w = {.rate = RATE, .channels = 2, .frames = WIN, .x = x};
    return goertzel_amplitude(&w, 0, 0, WIN, freq);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The tone goes on after `at`: the median of five windows over the next 250 ms. */
static bool rec_sustained(size_t at, double freq, uint64_t deadline)
{
    double a[5];
    for (size_t i = 0; i < 5; i++) {
        size_t w = at + (i + 1) * RATE / 20;
        while ((a[i] = rec_level(w, freq)) < 0 && vg_time_ns() < deadline)
            sleep_ms(10);
    }
    qsort(a, 5, sizeof(a[0]), cmp_double);
    return a[2] >= LEVEL;
}

/* The first frame at or after `from` where freq plays on and keeps playing; SIZE_MAX if none
 * by the deadline. */
static size_t rec_find_tone(size_t from, double freq, uint64_t deadline)
{
    size_t pos = from;
    while (vg_time_ns() < deadline) {
        double a = rec_level(pos, freq);
        if (a < 0) {
            sleep_ms(10);
            continue;
        }
        if (a >= LEVEL && rec_sustained(pos, freq, deadline))
            return pos + WIN / 2;
        pos += STEP;
    }
    return SIZE_MAX;
}

/* ---- producers ---- */

/* What identifies a producer's header: the magic and its session (the Scream ring has none:
 * there the writer's own "stream open" line says it wrote the header). */
static void read_head(const char *path, uint8_t head[32])
{
    memset(head, 0, 32);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (pread(fd, head, 32, 0) < 0)
            memset(head, 0, 32);
        close(fd);
    }
}

static bool header_written(const struct producer *p, const uint8_t old[32])
{
    uint8_t now[32];
    const char *path = p->proto == SCREAM ? scream_path : frame_path;
    read_head(path, now);
    uint64_t fp_magic = VG_FP_MAGIC;
    uint32_t lgmp_magic = VG_LGMP_MAGIC, scream_magic = VG_SCREAM_MAGIC;
    const size_t fp_session = offsetof(struct vg_fp_header, session);
    const size_t lgmp_session = offsetof(struct vg_lgmp_header, session_id);
    switch (p->proto) {
    case VGFP:
        return memcmp(now, &fp_magic, 8) == 0 &&
               (memcmp(old, now, 8) != 0 || memcmp(old + fp_session, now + fp_session, 8) != 0);
    case LGMP:
        return memcmp(now, &lgmp_magic, 4) == 0 &&
               (memcmp(old, now, 4) != 0 || memcmp(old + lgmp_session, now + lgmp_session, 4) != 0);
    case SCREAM: {
        if (memcmp(now, &scream_magic, 4) != 0)
            return false;
        char *text = vg_test_slurp(p->log);
        bool open = text && strstr(text, "stream open");
        free(text);
        return open;
    }
    }
    return false;
}

/* Polls the file until the producer has written its header; its time, or 0 (the producer
 * failed or took more than 10 s: a failure of the harness, said so). */
static uint64_t wait_header(struct producer *p, const uint8_t old[32])
{
    uint64_t deadline = vg_time_ns() + 10 * VG_NS_PER_S;
    while (vg_time_ns() < deadline) {
        if (header_written(p, old))
            return vg_time_ns();
        int status;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            CHECK_MSG(false, "seed %" PRIu64 ": the producer %s exited before writing its header",
                      seed, p->what);
            print_file_tail(p->log, 2000);
            return 0;
        }
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    CHECK_MSG(false, "seed %" PRIu64 ": the producer %s wrote no header in 10 s", seed, p->what);
    print_file_tail(p->log, 2000);
    return 0;
}

static void stop_producer(struct producer *p, int sig)
{
    if (p->pid > 0) {
        kill(p->pid, sig);
        vg_test_wait(p->pid, 5000);
    }
    p->pid = 0;
}

/* A good video producer: the other protocol than the last one, and a width of its own so the
 * client's "showing WxH" line marks its first frame. Returns its header's time, or 0. */
static uint64_t start_video(void)
{
    static const char *const fp_formats[] = {"bgra8", "rgba8", "rgb10a2", "rgba16f"};
    static const char *const lgmp_formats[] = {"bgra", "rgba", "rgba10", "rgba16f", "bgr32"};
    static unsigned k;
    k++;
    bool lgmp = k % 2 == 0;
    unsigned w = 240 + 16 * (k % 6), h = 160 + 8 * (k % 5);
    const char *format = lgmp ? lgmp_formats[rnd_below(5)] : fp_formats[rnd_below(4)];
    video.proto = lgmp ? LGMP : VGFP;
    snprintf(video.shape, sizeof(video.shape), "%ux%u", w, h);
    snprintf(video.what, sizeof(video.what), "%s %s %s", lgmp ? "lgmp-pattern" : "pattern",
             video.shape, format);
    snprintf(video.log, sizeof(video.log), "%s/producer%u.log", dir, ++producers_started);
    uint8_t old[32];
    read_head(frame_path, old);
    char *argv[] = {guest_bin,  lgmp ? "lgmp-pattern" : "pattern",
                    "--shm",    frame_path,
                    "--size",   video.shape,
                    "--format", (char *)format,
                    "--fps",    "30",
                    NULL};
    video.pid = spawn_logged(argv, video.log);
    return video.pid > 0 ? wait_header(&video, old) : 0;
}

/* A good tone writer: another tone than the last one (so the recording tells them apart), in a
 * random format. Returns its header's time, or 0. */
static uint64_t start_audio(void)
{
    static const unsigned freqs[] = {330, 440, 550, 660, 770, 880, 990};
    static const char *const rates[] = {"48000", "44100", "96000"};
    static const char *const bits[] = {"16", "24", "32"};
    double f;
    do
        f = freqs[rnd_below(7)];
    while (f == audio.freq);
    audio.freq = f;
    audio.proto = SCREAM;
    const char *rate = rates[rnd_below(3)], *b = bits[rnd_below(3)];
    char freq[16], amplitude[16];
    snprintf(freq, sizeof(freq), "%g", f);
    snprintf(amplitude, sizeof(amplitude), "%g", AMPLITUDE);
    snprintf(audio.what, sizeof(audio.what), "tone %g Hz %s/%s", f, rate, b);
    snprintf(audio.log, sizeof(audio.log), "%s/producer%u.log", dir, ++producers_started);
    uint8_t old[32];
    read_head(scream_path, old);
    char *argv[] = {guest_bin,    "tone",   "--shm",   scream_path,   "--freq",  freq, "--rate",
                    (char *)rate, "--bits", (char *)b, "--amplitude", amplitude, NULL};
    audio.pid = spawn_logged(argv, audio.log);
    return audio.pid > 0 ? wait_header(&audio, old) : 0;
}

/* ---- measuring a recovery ---- */

/* The client's log from where this round began, and the returning producer's, for a round that
 * failed. */
static long round_from;

static void print_round_logs(const struct producer *p)
{
    /* Whether the machine was busy says whether the client was slow or starved. */
    char load[128];
    vg_test_read_text("/proc/loadavg", load, sizeof(load));
    fprintf(stderr, "load average: %s", load);
    char *text = vg_test_slurp(client_log);
    if (text && (long)strlen(text) >= round_from)
        fprintf(stderr, "--- %s since the fault ---\n%.6000s\n---\n", client_log,
                text + round_from);
    free(text);
    print_file_tail(p->log, 2000);
}

/* f: the fault recovered from; N_FAULTS for the first show at the start (not a recovery). */
static void record(enum target t, enum fault f, double ms, const char *what)
{
    if (f == N_FAULTS)
        return;
    double *v = t == VIDEO ? video_ms : audio_ms;
    size_t *n = t == VIDEO ? &n_video_ms : &n_audio_ms;
    if (*n < MAX_ROUNDS)
        v[(*n)++] = ms;
    recovered[t][f]++;
    CHECK_MSG(ms <= BOUND_MS, "seed %" PRIu64 ": %s after a %s took %.0f ms (bound %.0f ms)", seed,
              what, fault_names[f], ms, BOUND_MS);
    if (ms > BOUND_MS)
        print_round_logs(t == VIDEO ? &video : &audio);
}

/* The new producer's first frame on screen: the client's line for its shape. */
static void video_recovery(enum fault f, long from, uint64_t since, char *out, size_t size)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "showing %s ", video.shape);
    long at = wait_for_text(client_log, needle, from, GIVE_UP_MS);
    double ms = ms_since(since);
    if (at < 0) {
        snprintf(out, size, "no frames in %d ms", GIVE_UP_MS);
        CHECK_MSG(false,
                  "seed %" PRIu64 ": no frames from %s within %d ms of its header (after a %s)",
                  seed, video.what, GIVE_UP_MS, fault_names[f]);
        print_file_tail(client_log, 4000);
        return;
    }
    snprintf(out, size, "frames after %.0f ms", ms);
    record(VIDEO, f, ms, "frames");
}

/* The thawed producer goes on where it was: if the client said it was waiting, the time until
 * it says the guest is ready again; if it never noticed the freeze (shorter than its stall
 * timeout), nothing to measure. The photograph that follows shows the frames move. */
static void video_thaw_recovery(long from, uint64_t thawed, char *out, size_t size)
{
    uint64_t unnoticed = thawed + 1200 * VG_NS_PER_MS, deadline = thawed + 5 * VG_NS_PER_S;
    for (;;) {
        uint64_t now = vg_time_ns();
        char *text = vg_test_slurp(client_log);
        const char *w =
            text && (long)strlen(text) >= from ? strstr(text + from, "waiting for guest") : NULL;
        bool waited = w != NULL, ready = w && strstr(w, "guest ready (");
        free(text);
        if (ready) {
            double ms = (double)(now - thawed) / 1e6;
            snprintf(out, size, "ready again after %.0f ms", ms);
            record(VIDEO, FREEZE, ms, "frames");
            return;
        }
        if (!waited && now >= unnoticed) {
            snprintf(out, size, "not noticed");
            unnoticed_freezes++;
            recovered[VIDEO][FREEZE]++;
            return;
        }
        if (now >= deadline) {
            snprintf(out, size, "not ready in 5 s");
            CHECK_MSG(false, "seed %" PRIu64 ": the thawed %s was not taken up again in 5 s", seed,
                      video.what);
            print_file_tail(client_log, 4000);
            return;
        }
        sleep_ms(5);
    }
}

/* The tone in the recording after `from` (the recording's length when the writer returned). */
static void audio_recovery(enum fault f, size_t from, uint64_t since, char *out, size_t size)
{
    rec_mark(since, from);
    size_t at = rec_find_tone(from, audio.freq, since + GIVE_UP_MS * VG_NS_PER_MS);
    if (at == SIZE_MAX) {
        snprintf(out, size, "no tone in %d ms", GIVE_UP_MS);
        CHECK_MSG(false, "seed %" PRIu64 ": %s not heard within %d ms of its return (after a %s)",
                  seed, audio.what, GIVE_UP_MS, fault_names[f]);
        print_file_tail(client_log, 4000);
        return;
    }
    /* Timed by the clock: when the recording first held the tone's onset (late by the
     * recorder's own cycle, never early). The audio recorded in between, for comparison. */
    double ms = (double)(rec_time_of(at) - since) / 1e6;
    double recorded_ms = (double)(at - from) * 1000.0 / RATE;
    snprintf(out, size, "tone after %.0f ms (%.0f ms of recorded audio)", ms, recorded_ms);
    record(AUDIO, f, ms, "audio");
}

/* ---- faults ---- */

static void write_all(const char *path, off_t off, const uint8_t *buf, size_t n)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    CHECK_MSG(fd >= 0 && pwrite(fd, buf, n, off) == (ssize_t)n, "cannot write %s: %s", path,
              strerror(errno));
    if (fd >= 0)
        close(fd);
}

static void create_sized(const char *path, off_t size)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    CHECK_MSG(fd >= 0 && ftruncate(fd, size) == 0, "cannot create %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
}

/* One fault on one producer and its file, the good producer's return and the measure. */
static void chaos_round(unsigned n)
{
    enum target t = rnd_below(2) ? AUDIO : VIDEO;
    enum fault f = (enum fault)rnd_below(N_FAULTS);
    struct producer *p = t == VIDEO ? &video : &audio;
    const char *path = t == VIDEO ? frame_path : scream_path;
    char detail[96] = "", result[96] = "";
    /* A producer that failed to start last time (said then) is started first: a fault needs
     * a victim, and kill() must never see pid 0. */
    if (p->pid <= 0 && !(t == VIDEO ? start_video() : start_audio()))
        return;
    off_t size = file_size(path), restore = -1, recreate = -1;
    if (size <= 0) {
        CHECK_MSG(false, "%s is missing", path);
        return;
    }
    faults[t][f]++;
    round_from = (long)file_size(client_log);

    switch (f) {
    case KILL:
        sleep_ms(rnd_below(100)); /* anywhere in a frame or chunk */
        stop_producer(p, SIGKILL);
        break;
    case FREEZE: {
        unsigned hold = rnd_between(200, 2000);
        snprintf(detail, sizeof(detail), " %u ms", hold);
        long from = (long)file_size(client_log);
        kill(p->pid, SIGSTOP);
        sleep_ms(hold);
        kill(p->pid, SIGCONT);
        uint64_t thawed = vg_time_ns();
        size_t rec_at = rec_frames();
        if (!client_ok("after a freeze"))
            return;
        if (t == VIDEO)
            video_thaw_recovery(from, thawed, result, sizeof(result));
        else
            audio_recovery(f, rec_at, thawed, result, sizeof(result));
        fprintf(stderr, "  %3u %s %s%s of %s: %s\n", n, target_names[t], fault_names[f], detail,
                p->what, result);
        return;
    }
    case ZERO: {
        uint8_t *zeros = calloc(1, (size_t)size);
        if (zeros)
            write_all(path, 0, zeros, (size_t)size);
        free(zeros);
        break;
    }
    case SCRIBBLE: {
        size_t len = size < 65536 ? (size_t)size : 65536;
        uint8_t *junk = malloc(len);
        for (size_t i = 0; junk && i < len; i++)
            junk[i] = (uint8_t)rnd();
        if (junk)
            write_all(path, 0, junk, len);
        free(junk);
        break;
    }
    case BITFLIP: {
        size_t header = p->proto == VGFP   ? sizeof(struct vg_fp_header)
                        : p->proto == LGMP ? sizeof(struct vg_lgmp_header)
                                           : sizeof(struct vg_scream_header);
        unsigned bits = rnd_between(1, 8);
        snprintf(detail, sizeof(detail), " %u bits", bits);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        for (unsigned i = 0; fd >= 0 && i < bits; i++) {
            off_t at = (off_t)rnd_below((unsigned)header);
            uint8_t b;
            if (pread(fd, &b, 1, at) == 1) {
                b ^= (uint8_t)(1u << rnd_below(8));
                CHECK(pwrite(fd, &b, 1, at) == 1);
            }
        }
        if (fd >= 0)
            close(fd);
        break;
    }
    case TRUNCATE: {
        off_t to[] = {0, 4096, size / 2};
        off_t len = to[rnd_below(3)];
        snprintf(detail, sizeof(detail), " to %lld", (long long)len);
        CHECK(truncate(path, len) == 0);
        restore = size;
        break;
    }
    case RECREATE: {
        static const off_t frame_sizes[] = {4 * MIB, 8 * MIB, 16 * MIB};
        static const off_t scream_sizes[] = {1 * MIB, 2 * MIB, 4 * MIB};
        const off_t *sizes = t == VIDEO ? frame_sizes : scream_sizes;
        do
            recreate = sizes[rnd_below(3)];
        while (recreate == size);
        snprintf(detail, sizeof(detail), " at %lld MiB", (long long)(recreate / MIB));
        CHECK(unlink(path) == 0);
        break;
    }
    case N_FAULTS:
        break;
    }
    /* The client lives with the damage a while; then the damaged producer goes. */
    unsigned hold = f == KILL ? rnd_below(500) : rnd_between(100, 800);
    sleep_ms(hold);
    if (!client_ok("while its producer was broken"))
        return;
    const char *stopped = "";
    if (p->pid > 0) {
        int sig = rnd_below(2) ? SIGKILL : SIGTERM;
        stopped = sig == SIGKILL ? ", then SIGKILL" : ", then SIGTERM";
        stop_producer(p, sig);
    }
    if (restore >= 0)
        CHECK(truncate(path, restore) == 0);
    if (recreate >= 0)
        create_sized(path, recreate);

    long from = (long)file_size(client_log);
    uint64_t back = t == VIDEO ? start_video() : start_audio();
    size_t rec_at = rec_frames();
    if (back && client_ok("when the producer returned")) {
        if (t == VIDEO)
            video_recovery(f, from, back, result, sizeof(result));
        else
            audio_recovery(f, rec_at, back, result, sizeof(result));
    }
    fprintf(stderr, "  %3u %s %s%s, %u ms%s -> %s: %s\n", n, target_names[t], fault_names[f],
            detail, hold, stopped, p->what, result[0] ? result : "no producer");
}

/* ---- the run ---- */

static void summary(double seconds)
{
    unsigned total = 0, ok = 0;
    fprintf(stderr, "chaos summary (seed %" PRIu64 ", %.1f s):\n", seed, seconds);
    for (int t = 0; t < N_TARGETS; t++) {
        fprintf(stderr, "  %s faults:", target_names[t]);
        for (int f = 0; f < N_FAULTS; f++) {
            fprintf(stderr, " %s %u/%u", fault_names[f], recovered[t][f], faults[t][f]);
            total += faults[t][f];
            ok += recovered[t][f];
        }
        fputc('\n', stderr);
    }
    fprintf(stderr, "  %u faults, %u recoveries (%u freezes too short to be noticed)\n", total, ok,
            unnoticed_freezes);
    const char *names[] = {"video (header -> first frame shown)",
                           "audio (header -> tone in the recording)"};
    double *v[] = {video_ms, audio_ms};
    size_t n[] = {n_video_ms, n_audio_ms};
    for (int t = 0; t < 2; t++) {
        qsort(v[t], n[t], sizeof(double), cmp_double);
        /* Nearest-rank percentiles. */
        if (n[t])
            fprintf(stderr, "  %s: %zu, p50 %.0f ms, p90 %.0f ms, max %.0f ms\n", names[t], n[t],
                    v[t][(n[t] + 1) / 2 - 1], v[t][(n[t] * 9 + 9) / 10 - 1], v[t][n[t] - 1]);
        else
            fprintf(stderr, "  %s: none\n", names[t]);
    }
}

static void client_survives_chaos(void)
{
    const char *env_seconds = getenv("VG_CHAOS_SECONDS");
    double seconds = env_seconds && *env_seconds ? strtod(env_seconds, NULL) : 60;
    if (!(seconds > 0))
        seconds = 60;

    /* The regions exist before the client looks, as with a defined VM. */
    create_sized(frame_path, 4 * MIB);
    create_sized(scream_path, 2 * MIB);
    recorder = audio_record_start(&env, wav_path, xwd_log);
    uint64_t rec_started = vg_time_ns();
    if (!rec_open()) {
        CHECK_MSG(false, "no recording of the sink's monitor");
        return;
    }
    char *cv[] = {client_bin,    "--shm", frame_path,       "--scream",  scream_path, "--no-vsync",
                  "--log-level", "info",  "--audio-target", "test-sink", NULL};
    client = spawn_logged(cv, client_log);
    CHECK(client > 0);
    if (client <= 0)
        return;
    CHECK_MSG(wait_for_text(client_log, "waiting for guest", 0, 20000) > 0,
              "the client did not start (no waiting message)");

    char result[96];
    uint64_t back = start_video();
    if (back) {
        video_recovery(N_FAULTS, 0, back, result, sizeof(result));
        fprintf(stderr, "  start: %s: %s\n", video.what, result);
    }
    size_t rec_at = rec_frames();
    back = start_audio();
    if (back) {
        audio_recovery(N_FAULTS, rec_at, back, result, sizeof(result));
        fprintf(stderr, "  start: %s: %s\n", audio.what, result);
    }
    pattern_moving();
    client_progresses("at the start");

    uint64_t start = vg_time_ns();
    for (unsigned n = 1; !client_lost && ms_since(start) < seconds * 1000 && n < MAX_ROUNDS; n++) {
        chaos_round(n);
        if (!client_ok("after a recovery"))
            break;
        /* Presenting, whichever producer was hurt: the main loop never stalls. */
        pattern_moving();
        client_progresses("since the last round");
        sleep_ms(rnd_between(100, 400));
    }
    double ran = ms_since(start) / 1000.0;
    /* Less audio than time: cycles the loaded machine skipped (hence the clock-timed figures). */
    double recorded = (double)rec_frames() / RATE, wall = ms_since(rec_started) / 1000.0;
    fprintf(stderr, "  recording: %.2f s of audio in %.2f s\n", recorded, wall);

    stop_producer(&video, SIGTERM);
    stop_producer(&audio, SIGTERM);
    audio_record_stop(recorder);
    recorder = 0;
    if (!client_lost) {
        uint64_t t = vg_time_ns();
        kill(client, SIGTERM);
        int st = vg_test_wait(client, 5000);
        CHECK_MSG(st == 0, "seed %" PRIu64 ": the client exited %d on SIGTERM (after %.0f ms)",
                  seed, st, ms_since(t));
        if (st != 0)
            print_file_tail(client_log, 6000);
    } else {
        kill(client, SIGKILL);
        vg_test_wait(client, 5000);
    }
    summary(ran);
}

int main(int argc, char **argv)
{
    if (!audio_test_args(argc, argv, &client_bin, &guest_bin))
        return 2;
    const char *s = getenv("VG_CHAOS_SEED");
    seed =
        s && *s ? strtoull(s, NULL, 0) : (vg_time_ns() ^ ((uint64_t)getpid() << 32)) % 1000000007u;
    rng = seed;
    fprintf(stderr, "chaos seed %" PRIu64 " (VG_CHAOS_SEED=%" PRIu64 " replays these choices)\n",
            seed, seed);

    dir = vg_test_tmpdir();
    snprintf(frame_path, sizeof(frame_path), "%s/frames.shm", dir);
    snprintf(scream_path, sizeof(scream_path), "%s/scream.shm", dir);
    snprintf(client_log, sizeof(client_log), "%s/client.log", dir);
    snprintf(wav_path, sizeof(wav_path), "%s/monitor.wav", dir);
    snprintf(shot, sizeof(shot), "%s/screen.xwd", dir);
    snprintf(xwd_log, sizeof(xwd_log), "%s/tools.log", dir);
    if (!audio_env_start(&env, dir, 2)) {
        CHECK_MSG(false, "no PipeWire daemon");
        audio_env_stop(&env);
        return vg_test_finish();
    }
    RUN(client_survives_chaos);
    if (rec_fd >= 0)
        close(rec_fd);
    audio_env_stop(&env);
    if (vg_test_failures)
        fprintf(stderr,
                "chaos seed %" PRIu64 " failed: VG_CHAOS_SEED=%" PRIu64 " replays its choices\n",
                seed, seed);
    return vg_test_finish();
}
