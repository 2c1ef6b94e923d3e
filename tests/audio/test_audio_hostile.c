/* A hostile guest must not set our pace. The real player (vg-audio, run in this process so that
 * its counters can be read) plays into a private PipeWire daemon's null sink while this test
 * writes the Scream ring itself, the way no driver should: the format flipped every few
 * milliseconds, or write_idx moved far faster than the 20 ms that each chunk holds. The stream
 * must not be closed and reopened for every flip nor the log fill with a line per flip (nor
 * per restart of a stream closed and opened every 10 ms), chunks must be taken at the cadence
 * their format implies however fast they come, and a guest that then behaves is played again
 * (the recording of the sink's monitor proves it). A single genuine change plays at once.
 * Usage: test-audio-hostile */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audio_env.h"
#include "audio_player.h"
#include "vg/scream.h"
#include "vg/time.h"

#define REGION (2u << 20)
#define CHUNK_NS (20 * VG_NS_PER_MS)
#define FREQ 440.0
#define AMPLITUDE 0.5
#define TWO_PI 6.283185307179586476925

static const char *tmp;
static struct audio_env env;
static int serial;

struct fmt {
    uint32_t rate, bits, channels, map;
};

/* The guest: a region of its own, a writer and a tone that stays continuous across formats. */
struct guest {
    char shm[600];
    uint8_t *base;
    struct vg_scream_writer *w;
    struct fmt f;
    double phase;
    uint64_t written;
    uint8_t chunk[192000 / 50 * 4 * 8];
};

static bool guest_open(struct guest *g, const struct fmt *f)
{
    g->f = *f;
    return vg_scream_writer_open(g->w, f->rate, f->bits, f->channels, f->map) == 0;
}

static bool guest_create(struct guest *g, const struct fmt *f)
{
    memset(g, 0, sizeof(*g));
    snprintf(g->shm, sizeof(g->shm), "%s/scream-hostile%d", tmp, ++serial);
    int fd = open(g->shm, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, REGION) != 0) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    void *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return false;
    g->base = p;
    g->w = vg_scream_writer_create(g->base, REGION);
    return g->w && guest_open(g, f);
}

static void guest_destroy(struct guest *g)
{
    vg_scream_writer_destroy(g->w);
    if (g->base)
        munmap(g->base, REGION);
    g->w = NULL;
    g->base = NULL;
}

/* One chunk of the tone in the open format (every channel the same sine). */
static void guest_write(struct guest *g)
{
    uint32_t frames = g->f.rate / 50, sb = g->f.bits / 8;
    uint8_t *p = g->chunk;
    for (uint32_t i = 0; i < frames; i++) {
        double x = AMPLITUDE * sin(TWO_PI * g->phase);
        g->phase += FREQ / g->f.rate;
        g->phase -= floor(g->phase);
        int32_t v = (int32_t)lrint(x * (double)((1u << (g->f.bits - 1)) - 1));
        for (uint32_t c = 0; c < g->f.channels; c++)
            for (uint32_t b = 0; b < sb; b++)
                *p++ = (uint8_t)((uint32_t)v >> (8 * b));
    }
    CHECK(vg_scream_writer_write(g->w, g->chunk) == 0);
    g->written++;
}

/* Chunks at the driver's pace, 20 ms apart, for `seconds`. */
static void guest_play(struct guest *g, double seconds)
{
    uint64_t start = vg_time_ns(), n = (uint64_t)llround(seconds * 50);
    for (uint64_t i = 0; i < n; i++) {
        vg_sleep_until_ns(start + i * CHUNK_NS);
        guest_write(g);
    }
}

/* The player's log: stderr (vg_log writes there) goes to a file while the player lives. */
static int saved_stderr = -1;

static void capture_start(const char *path)
{
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
}

static void capture_stop(void)
{
    fflush(stderr);
    if (saved_stderr >= 0) {
        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
    }
    saved_stderr = -1;
}

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text ? strstr(text, what) : NULL; p; p = strstr(p + 1, what))
        n++;
    return n;
}

static struct vg_audio_player *player_start(const struct guest *g)
{
    struct vg_audio_player_options o = {
        .path = g->shm,
        .target = "test-sink",
        .latency_ms = 20,
        .report_s = 1,
    };
    return vg_audio_player_create(&o);
}

/* Stats published after a quiet moment (the player publishes every 250 ms while it waits). */
static void settled_stats(struct vg_audio_player *p, struct vg_audio_stats *s)
{
    vg_sleep_ns(400 * VG_NS_PER_MS);
    vg_audio_player_get_stats(p, s);
}

/* One case's files under tmp: NAME-player.log, NAME.wav, NAME-record.log. */
struct case_files {
    char log[700], wav[700], rlog[700];
};

/* Makes the guest's ring in format f, starts the recorder when rec is not NULL, then the player
 * with its log captured, and lets the guest play for play_s. NULL (a failed check) when the
 * ring cannot be made. */
static struct vg_audio_player *case_start(struct guest *g, const struct fmt *f, const char *name,
                                          struct case_files *cf, pid_t *rec, double play_s)
{
    snprintf(cf->log, sizeof(cf->log), "%s/%s-player.log", tmp, name);
    snprintf(cf->wav, sizeof(cf->wav), "%s/%s.wav", tmp, name);
    snprintf(cf->rlog, sizeof(cf->rlog), "%s/%s-record.log", tmp, name);
    if (!guest_create(g, f)) {
        CHECK_MSG(false, "cannot make the ring %s", g->shm);
        guest_destroy(g);
        return NULL;
    }
    if (rec)
        *rec = audio_record_start(&env, cf->wav, cf->rlog);
    capture_start(cf->log);
    struct vg_audio_player *p = player_start(g);
    vg_sleep_ns(200 * VG_NS_PER_MS);
    guest_play(g, play_s);
    return p;
}

/* After a failed check: the player's log, for the reader of the test's output. */
static void show_log_on_failure(const char *log, const char *text)
{
    if (vg_test_failures)
        fprintf(stderr, "--- player log %s:\n%.6000s\n---\n", log, text ? text : "");
}

/* The guest plays 48 kHz, then flips between four formats (a channel map, a rate, a sample
 * size) every flip_ms for 3 s, writing a chunk every tick_ms, then settles on 44.1 kHz for 3 s
 * (it plays within the longest hold, a second). At most `most` streams may open while it
 * flips. */
static void flapping(uint32_t flip_ms, uint32_t tick_ms, uint64_t most, uint64_t min_changes)
{
    static const struct fmt flips[] = {
        {48000, 16, 2, 0x3}, {48000, 16, 2, 0x30}, {44100, 16, 2, 0x3}, {48000, 24, 2, 0x3}};
    const struct fmt last = {44100, 16, 2, 0x3};
    char name[32];
    snprintf(name, sizeof(name), "flap%u", flip_ms);
    struct case_files cf;
    struct guest g;
    pid_t rec;
    struct vg_audio_player *p = case_start(&g, &flips[0], name, &cf, &rec, 0.6);
    if (!p)
        return;
    const char *log = cf.log, *wav = cf.wav;
    struct vg_audio_stats s0, s1;
    vg_audio_player_get_stats(p, &s0);

    uint64_t start = vg_time_ns(), flaps = 0;
    for (uint64_t i = 0; vg_time_ns() - start < 3 * VG_NS_PER_S; i++) {
        vg_sleep_until_ns(start + i * tick_ms * VG_NS_PER_MS);
        if (i % (flip_ms / tick_ms) == 0)
            guest_open(&g, &flips[++flaps % 4]);
        guest_write(&g);
    }
    struct vg_audio_stats mid;
    vg_audio_player_get_stats(p, &mid);
    guest_open(&g, &last);
    guest_play(&g, 3);
    settled_stats(p, &s1);
    vg_audio_player_destroy(p);
    capture_stop();
    audio_record_stop(rec);

    char *text = vg_test_slurp(log);
    int changed = count(text, "format changed"), playing = count(text, "audio: playing");
    int lines = count(text, "\n") - count(text, "audio: fill ");
    fprintf(stderr, "  flapping every %u ms: %llu flips in 3 s: %llu streams opened while "
            "flapping, %d 'format changed' and %d 'playing' lines, %d lines besides the "
            "reports; %llu changes seen, %llu ignored, %llu applied, %llu held chunks dropped\n",
            flip_ms, (unsigned long long)flaps, (unsigned long long)(mid.reopens - s0.reopens),
            changed, playing, lines, (unsigned long long)(s1.format_changes - s0.format_changes),
            (unsigned long long)(s1.format_ignored - s0.format_ignored),
            (unsigned long long)(s1.format_switches - s0.format_switches),
            (unsigned long long)(s1.held_chunks_dropped - s0.held_chunks_dropped));
    /* Told once when it starts, summed up once when it ends, with the count. */
    CHECK_MSG(count(text, "changes its audio format again") == 1,
              "the flapping was not announced once");
    const char *sum = text ? strstr(text, "guest audio format flapping: ") : NULL;
    unsigned long long ignored = 0;
    CHECK_MSG(sum && sscanf(sum, "guest audio format flapping: %llu changes", &ignored) == 1 &&
                  ignored + most >= min_changes && count(text, "guest audio format flapping") == 1,
              "no single summary of the flapping with its count (%llu)", ignored);
    CHECK_MSG(lines <= 12, "%d log lines for 3 s of flapping", lines);
    CHECK_MSG(s1.format_changes - s0.format_changes >= min_changes &&
                  s1.format_switches - s0.format_switches <= most + 1 && !s1.flapping,
              "%llu changes counted, %llu applied, flapping %d",
              (unsigned long long)(s1.format_changes - s0.format_changes),
              (unsigned long long)(s1.format_switches - s0.format_switches), (int)s1.flapping);
    CHECK_MSG(s0.reopens == 1, "%llu streams opened before the flapping",
              (unsigned long long)s0.reopens);
    CHECK_MSG(mid.reopens - s0.reopens <= most, "the stream was reopened %llu times in 3 s of "
              "flapping", (unsigned long long)(mid.reopens - s0.reopens));
    CHECK_MSG(changed <= (int)most + 1, "%d 'format changed' lines for %llu flips", changed,
              (unsigned long long)flaps);
    CHECK_MSG(s1.state == VG_AUDIO_PLAYING && s1.fmt.rate == 44100 && s1.fmt.bits == 16,
              "after the flapping the player is in state %d at %u Hz %u-bit, not playing the "
              "guest's 44100 Hz 16-bit", (int)s1.state, s1.fmt.rate, s1.fmt.bits);
    struct wav w;
    if (wav_read(&w, wav)) {
        /* The last second of the settled stream (it ends 0.4 s before the recording does), a
         * second or more after it played: the hold is at its longest when the flapping stops. */
        size_t n = w.rate, end = w.frames > w.rate / 2 ? w.frames - w.rate / 2 : 0;
        double a = end > n ? tone_level(&w, 0, end - n, n, FREQ) : 0;
        CHECK_MSG(a > AMPLITUDE * 0.8 && a < AMPLITUDE * 1.2,
                  "the settled 44.1 kHz tone plays at %.3f, want %.2f", a, AMPLITUDE);
        wav_free(&w);
    } else {
        CHECK_MSG(false, "no recording in %s", wav);
    }
    show_log_on_failure(log, text);
    free(text);
    guest_destroy(&g);
}

/* Flipped every 5 ms, a chunk after each flip: the first change may play (a change plays at
 * once), then no format holds. */
static void format_flipped_every_5ms_does_not_reopen_the_stream(void)
{
    flapping(5, 5, 1, 50);
}

/* Flipped every 100 ms, chunks at the driver's pace: each format holds five chunks. The first
 * change plays at once, then the hold doubles with each change (30, 60, 120 ms...): a few
 * reopen the stream, then none. */
static void format_flipped_every_100ms_reopens_the_stream_a_few_times(void)
{
    flapping(100, 20, 4, 25);
}

/* One change of format (48 kHz 16-bit to 44.1 kHz 24-bit), as when a game starts: it plays at
 * once, nothing is held back or called flapping, the new format's tone plays without a gap. */
static void single_format_change_plays_at_once(void)
{
    const struct fmt a = {48000, 16, 2, 0x3}, b = {44100, 24, 2, 0x3};
    struct case_files cf;
    struct guest g;
    pid_t rec;
    struct vg_audio_player *p = case_start(&g, &a, "change", &cf, &rec, 1);
    if (!p)
        return;
    const char *log = cf.log, *wav = cf.wav;
    struct vg_audio_stats s0, s1;
    vg_audio_player_get_stats(p, &s0);
    guest_open(&g, &b);
    guest_play(&g, 1.5);
    settled_stats(p, &s1);
    vg_audio_player_destroy(p);
    capture_stop();
    audio_record_stop(rec);
    char *text = vg_test_slurp(log);
    CHECK_MSG(s1.format_changes - s0.format_changes == 1 &&
                  s1.format_switches - s0.format_switches == 1 &&
                  s1.format_ignored == s0.format_ignored && s1.reopens - s0.reopens == 1,
              "one change: %llu seen, %llu applied, %llu ignored, %llu streams opened",
              (unsigned long long)(s1.format_changes - s0.format_changes),
              (unsigned long long)(s1.format_switches - s0.format_switches),
              (unsigned long long)(s1.format_ignored - s0.format_ignored),
              (unsigned long long)(s1.reopens - s0.reopens));
    CHECK_MSG(count(text, "format changed to 44100 Hz 24-bit 2 ch") == 1 &&
                  !strstr(text ? text : "", "flapping") && !strstr(text ? text : "", "again"),
              "the change was not logged once as a change");
    CHECK_MSG(s1.fmt.rate == 44100 && s1.fmt.bits == 24, "playing %u Hz %u-bit after the change",
              s1.fmt.rate, s1.fmt.bits);
    struct wav w;
    if (wav_read(&w, wav)) {
        size_t start = wav_first_above(&w, 0, 0, 0.1f), at = 0;
        size_t end = w.frames > w.rate / 2 ? w.frames - w.rate / 2 : 0;
        if (start != SIZE_MAX && end > start + w.rate) {
            size_t gap = wav_longest_silence(&w, 0, start, end, 0.05f, &at);
            double level = tone_level(&w, 0, end - w.rate, w.rate, FREQ);
            fprintf(stderr, "  single change: longest gap %.1f ms, tone %.3f after it; %llu "
                    "chunks refused, %llu underruns\n",
                    (double)gap * 1000.0 / w.rate, level,
                    (unsigned long long)(s1.refused_chunks - s0.refused_chunks),
                    (unsigned long long)(s1.underruns - s0.underruns));
            CHECK_MSG(gap < w.rate / 10, "%.1f ms of silence at the change",
                      (double)gap * 1000.0 / w.rate);
            CHECK_MSG(level > AMPLITUDE * 0.8 && level < AMPLITUDE * 1.2,
                      "the 44.1 kHz tone plays at %.3f, want %.2f", level, AMPLITUDE);
        } else {
            CHECK_MSG(false, "no tone in the recording");
        }
        wav_free(&w);
    } else {
        CHECK_MSG(false, "no recording in %s", wav);
    }
    show_log_on_failure(log, text);
    free(text);
    guest_destroy(&g);
}

/* The guest plays at its pace, then moves write_idx every 1 ms (50 times too fast) for 1 s. */
static void fast_writer_is_taken_at_the_cadence(void)
{
    const struct fmt f = {48000, 16, 2, 0x3};
    struct case_files cf;
    struct guest g;
    struct vg_audio_player *p = case_start(&g, &f, "fast", &cf, NULL, 0.5);
    if (!p)
        return;
    struct vg_audio_stats s0, s1;
    settled_stats(p, &s0);
    uint64_t written0 = g.written, start = vg_time_ns();
    for (uint64_t i = 0; i < 1000; i++) {
        vg_sleep_until_ns(start + i * VG_NS_PER_MS);
        guest_write(&g);
    }
    uint64_t fast = g.written - written0;
    double secs = (double)(vg_time_ns() - start) / 1e9;
    settled_stats(p, &s1);
    vg_audio_player_destroy(p);
    capture_stop();

    uint64_t accepted = s1.chunks - s0.chunks, skipped = s1.dropped_chunks - s0.dropped_chunks;
    uint64_t refused = s1.refused_chunks - s0.refused_chunks;
    uint64_t torn = s1.torn_chunks - s0.torn_chunks;
    fprintf(stderr, "  fast writer: %llu chunks written in %.3f s: %llu taken, %llu refused, "
            "%llu skipped\n",
            (unsigned long long)fast, secs, (unsigned long long)accepted,
            (unsigned long long)refused, (unsigned long long)skipped);
    /* Every chunk written is accounted for: taken, or refused (the source keeps the newest
     * few when it is behind, so the first look after the burst began may skip some). */
    CHECK_MSG(accepted + refused + skipped + torn == fast && refused >= fast * 8 / 10,
              "%llu written: %llu taken + %llu refused + %llu skipped + %llu torn",
              (unsigned long long)fast, (unsigned long long)accepted,
              (unsigned long long)refused, (unsigned long long)skipped,
              (unsigned long long)torn);
    /* 50 chunks a second of the guest's writing, the burst after a stall (the source's backlog
     * and the chunk due) and the backlog taken after it stopped. */
    double most = (secs + 0.15) * 50 * 1.01 + 6;
    CHECK_MSG((double)accepted <= most, "%llu chunks taken in %.3f s, at most %.0f at 20 ms",
              (unsigned long long)accepted, secs, most);
    CHECK_MSG(accepted >= 40, "only %llu chunks taken in %.3f s", (unsigned long long)accepted,
              secs);
    CHECK_MSG(s1.reopens == s0.reopens && s1.state == VG_AUDIO_PLAYING,
              "the stream was reopened (%llu -> %llu) or stopped (state %d)",
              (unsigned long long)s0.reopens, (unsigned long long)s1.reopens, (int)s1.state);
    char *text = vg_test_slurp(cf.log);
    show_log_on_failure(cf.log, text);
    free(text);
    guest_destroy(&g);
}

/* The guest closes and reopens its stream in the same format every 10 ms for 2 s (closed for
 * 2 ms each time), a chunk after each: the stream plays on, and the log says so once or twice,
 * not 200 times. */
static void restart_flood_is_logged_once(void)
{
    const struct fmt f = {48000, 16, 2, 0x3};
    struct case_files cf;
    struct guest g;
    struct vg_audio_player *p = case_start(&g, &f, "restart", &cf, NULL, 0.5);
    if (!p)
        return;
    const char *log = cf.log;
    struct vg_audio_stats s0, s1;
    vg_audio_player_get_stats(p, &s0);
    uint64_t start = vg_time_ns(), n = 0;
    for (uint64_t i = 0; i < 200; i++, n++) {
        vg_sleep_until_ns(start + i * 10 * VG_NS_PER_MS);
        vg_scream_writer_close(g.w);
        vg_sleep_ns(2 * VG_NS_PER_MS);
        guest_open(&g, &f);
        guest_write(&g);
    }
    guest_play(&g, 0.5);
    settled_stats(p, &s1);
    vg_audio_player_destroy(p);
    capture_stop();
    char *text = vg_test_slurp(log);
    int restarted = count(text, "restarted"), waiting = count(text, "waiting for guest audio");
    int lines = count(text, "\n") - count(text, "audio: fill ");
    fprintf(stderr, "  restart flood: %llu restarts written, %llu seen: %d 'restarted' and %d "
            "'waiting' lines, %d lines besides the reports, %llu streams opened\n",
            (unsigned long long)n, (unsigned long long)(s1.restarts - s0.restarts), restarted,
            waiting, lines, (unsigned long long)(s1.reopens - s0.reopens));
    CHECK_MSG(restarted <= 2 && waiting <= 2 && lines <= 8,
              "%d 'restarted' and %d 'waiting' lines (%d in all) for %llu restarts", restarted,
              waiting, lines, (unsigned long long)n);
    CHECK_MSG(s1.reopens == s0.reopens && s1.state == VG_AUDIO_PLAYING,
              "the stream was reopened (%llu -> %llu) or stopped (state %d)",
              (unsigned long long)s0.reopens, (unsigned long long)s1.reopens, (int)s1.state);
    show_log_on_failure(log, text);
    free(text);
    guest_destroy(&g);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    tmp = vg_test_tmpdir();
    if (!audio_env_start(&env, tmp, 2)) {
        CHECK_MSG(false, "no PipeWire daemon");
        audio_env_stop(&env);
        return vg_test_finish();
    }
    RUN(single_format_change_plays_at_once);
    RUN(format_flipped_every_5ms_does_not_reopen_the_stream);
    RUN(format_flipped_every_100ms_reopens_the_stream_a_few_times);
    RUN(fast_writer_is_taken_at_the_cadence);
    RUN(restart_flood_is_logged_once);
    audio_env_stop(&env);
    return vg_test_finish();
}
