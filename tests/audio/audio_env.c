#include "audio_env.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vg/time.h"

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(text, f);
    return fclose(f) == 0;
}

static bool mkdirs(const char *base, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", base, rel);
    for (char *p = path + strlen(base) + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(path, 0700) != 0 && errno != EEXIST)
                return false;
            *p = '/';
        }
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

bool audio_env_start(struct audio_env *e, const char *parent, unsigned channels)
{
    memset(e, 0, sizeof(*e));
    e->channels = channels;
    snprintf(e->dir, sizeof(e->dir), "%s/pw%u", parent, channels);
    char run[600], cfg[600], path[800];
    snprintf(run, sizeof(run), "%s/run", e->dir);
    snprintf(cfg, sizeof(cfg), "%s/config", e->dir);
    if ((mkdir(e->dir, 0700) != 0 && errno != EEXIST) || !mkdirs(e->dir, "run") ||
        !mkdirs(e->dir, "config/pipewire/pipewire.conf.d") ||
        !mkdirs(e->dir, "config/wireplumber/main.lua.d") ||
        !mkdirs(e->dir, "config/wireplumber/bluetooth.lua.d")) {
        fprintf(stderr, "cannot create %s: %s\n", e->dir, strerror(errno));
        return false;
    }
    char sink[1024];
    snprintf(sink, sizeof(sink),
             "context.objects = [\n"
             "  { factory = adapter\n"
             "    args = { factory.name = support.null-audio-sink  node.name = \"test-sink\"\n"
             "             media.class = \"Audio/Sink\"  audio.position = [ %s ]\n"
             "             audio.rate = 48000  monitor.channel-volumes = true\n"
             "             node.driver = true  priority.driver = 1000\n"
             "             priority.session = 1000  object.linger = true } } ]\n",
             channels == 8 ? "FL FR FC LFE RL RR SL SR" : "FL FR");
    snprintf(path, sizeof(path), "%s/pipewire/pipewire.conf.d/10-null-sink.conf", cfg);
    bool ok = write_file(path, sink);
    snprintf(path, sizeof(path), "%s/wireplumber/main.lua.d/51-headless.lua", cfg);
    ok = ok && write_file(path, "alsa_monitor.enabled = false\n"
                                "alsa_monitor.properties[\"alsa.reserve\"] = false\n"
                                "default_access.properties[\"enable-flatpak-portal\"] = false\n"
                                "v4l2_monitor.enabled = false\n"
                                "libcamera_monitor.enabled = false\n");
    snprintf(path, sizeof(path), "%s/wireplumber/bluetooth.lua.d/51-headless.lua", cfg);
    ok = ok && write_file(path, "bluez_monitor.enabled = false\n");
    if (!ok) {
        fprintf(stderr, "cannot write the PipeWire configuration under %s\n", cfg);
        return false;
    }
    setenv("XDG_RUNTIME_DIR", run, 1);
    setenv("PIPEWIRE_RUNTIME_DIR", run, 1);
    setenv("XDG_CONFIG_HOME", cfg, 1);
    /* WirePlumber restores stream targets and volumes from here: not the user's, nor another
     * test's. */
    snprintf(path, sizeof(path), "%s/state", e->dir);
    setenv("XDG_STATE_HOME", path, 1);
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    return audio_env_restart(e);
}

bool audio_env_restart(struct audio_env *e)
{
    char path[800], log[800];
    /* A killed daemon leaves its socket: waiting for the file must see the new one. */
    snprintf(path, sizeof(path), "%s/run/pipewire-0", e->dir);
    unlink(path);
    snprintf(log, sizeof(log), "%s/pipewire.log", e->dir);
    char *pw[] = {"pipewire", NULL};
    e->pipewire = audio_spawn(pw, log);
    uint64_t deadline = vg_time_ns() + 10 * VG_NS_PER_S;
    struct stat st;
    while (stat(path, &st) != 0 && vg_time_ns() < deadline)
        vg_sleep_ns(10 * VG_NS_PER_MS);
    if (stat(path, &st) != 0) {
        fprintf(stderr, "pipewire did not start (see %s)\n", log);
        return false;
    }
    snprintf(log, sizeof(log), "%s/wireplumber.log", e->dir);
    char *wp[] = {"wireplumber", NULL};
    e->wireplumber = audio_spawn(wp, log);
    snprintf(log, sizeof(log), "%s/wpctl.log", e->dir);
    while (vg_time_ns() < deadline) {
        char *argv[] = {"wpctl", "inspect", "@DEFAULT_AUDIO_SINK@", NULL};
        if (vg_test_wait(audio_spawn(argv, log), 5000) == 0)
            return true;
        vg_sleep_ns(50 * VG_NS_PER_MS);
    }
    fprintf(stderr, "wireplumber did not choose a default sink (see %s)\n", log);
    return false;
}

bool audio_test_args(int argc, char **argv, char **client, char **guest)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CLIENT GUEST\n", argv[0]);
        return false;
    }
    *client = argv[1];
    *guest = argv[2];
    signal(SIGPIPE, SIG_IGN);
    return true;
}

static void stop(pid_t *pid)
{
    if (*pid > 0) {
        kill(*pid, SIGTERM);
        if (vg_test_wait(*pid, 5000) < 0)
            fprintf(stderr, "process %d needed SIGKILL\n", (int)*pid);
    }
    *pid = 0;
}

void audio_env_stop(struct audio_env *e)
{
    stop(&e->wireplumber);
    stop(&e->pipewire);
}

void audio_env_kill(struct audio_env *e)
{
    pid_t pids[] = {e->wireplumber, e->pipewire};
    for (int i = 0; i < 2; i++) {
        if (pids[i] > 0) {
            kill(pids[i], SIGKILL);
            vg_test_wait(pids[i], 5000);
        }
    }
    e->wireplumber = e->pipewire = 0;
}

bool audio_env_force_quantum(const struct audio_env *e, unsigned quantum)
{
    char value[16], out[800], log[800], want[64];
    snprintf(value, sizeof(value), "%u", quantum);
    snprintf(out, sizeof(out), "%s/metadata.txt", e->dir);
    snprintf(log, sizeof(log), "%s/pw-metadata.log", e->dir);
    char *set[] = {"pw-metadata", "-n", "settings", "0", "clock.force-quantum", value, NULL};
    int st = vg_test_wait(audio_spawn(set, log), 5000);
    if (st != 0) {
        fprintf(stderr, "pw-metadata -n settings 0 clock.force-quantum %u exited %d (see %s)\n",
                quantum, st, log);
        return false;
    }
    /* The setter's own echo proves nothing: another client must read the daemon's value. */
    snprintf(want, sizeof(want), "key:'clock.force-quantum' value:'%u'", quantum);
    char *text = NULL;
    uint64_t deadline = vg_time_ns() + 3 * VG_NS_PER_S;
    bool seen = false;
    while (!seen && vg_time_ns() < deadline) {
        char *get[] = {"pw-metadata", "-n", "settings", NULL};
        free(text);
        text = NULL;
        if (vg_test_wait(vg_test_spawn_io(get, out, out, false), 3000) == 0)
            text = vg_test_slurp(out);
        /* Unset reads as no force, as 0 does. */
        seen = text && strstr(text, "Found \"settings\" metadata") &&
               (strstr(text, want) ||
                (quantum == 0 && !strstr(text, "key:'clock.force-quantum'")));
        if (!seen)
            vg_sleep_ns(50 * VG_NS_PER_MS);
    }
    if (seen) {
        /* The daemon re-plans the graph on the change; the driver starts its next cycle with
         * the new quantum: two cycles of the largest (2048 frames) cover it. */
        vg_sleep_ns(100 * VG_NS_PER_MS);
    } else {
        fprintf(stderr, "clock.force-quantum did not become %u within 3 s; pw-metadata -n "
                        "settings said:\n%s\n",
                quantum, text ? text : "(nothing)");
    }
    free(text);
    return seen;
}

pid_t audio_record_start(const struct audio_env *e, const char *wav, const char *log)
{
    return audio_record_node(e, "test-sink", wav, log);
}

pid_t audio_record_node(const struct audio_env *e, const char *node, const char *wav,
                        const char *log)
{
    char channels[8];
    snprintf(channels, sizeof(channels), "%u", e->channels);
    /* A capture stream's target must be a source unless it asks for a sink's monitor. */
    char *argv[] = {"pw-record", "-P", "{ stream.capture.sink = true }", "--target",
                    (char *)node, "--rate", "48000", "--channels", channels, "--channel-map",
                    e->channels == 8 ? "FL,FR,FC,LFE,RL,RR,SL,SR" : "FL,FR", "--format", "s16",
                    (char *)wav, NULL};
    pid_t pid = audio_spawn(argv, log);
    vg_sleep_ns(300 * VG_NS_PER_MS); /* linked before the audio starts */
    return pid;
}

bool audio_make_realtime(pid_t pid, int priority)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "cannot list the threads of %d (%s): %s\n", (int)pid, path,
                strerror(errno));
        return false;
    }
    bool ok = true;
    struct dirent *t;
    while ((t = readdir(d)) != NULL) {
        int tid = atoi(t->d_name);
        struct sched_param sp = {.sched_priority = priority};
        if (tid > 0 && sched_setscheduler(tid, SCHED_FIFO, &sp) != 0) {
            fprintf(stderr, "cannot set thread %d of %d to SCHED_FIFO %d: %s\n", tid, (int)pid,
                    priority, strerror(errno));
            ok = false;
        }
    }
    closedir(d);
    return ok;
}

void audio_record_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGINT);
    if (vg_test_wait(pid, 5000) < 0)
        fprintf(stderr, "pw-record did not stop on SIGINT\n");
}

/* The number after the first key in line, or NAN. */
static double report_value(const char *line, const char *key)
{
    const char *k = strstr(line, key);
    if (!k)
        return NAN;
    char *after;
    double v = strtod(k + strlen(key), &after);
    return after == k + strlen(key) ? NAN : v;
}

bool audio_report_next(const char **pos, struct audio_report *r)
{
    const char *line = *pos ? strstr(*pos, "audio: fill ") : NULL;
    if (!line)
        return false;
    size_t len = strcspn(line, "\n");
    char text[1024];
    snprintf(text, sizeof(text), "%.*s", (int)len, line);
    /* The first "underruns": the totals come before "after lock-in: underruns". */
    double target = report_value(text, "(target "),
           underruns = report_value(text, "underruns "),
           stalls = report_value(text, "graph stalls ");
    *r = (struct audio_report){
        .fill_ms = report_value(text, "fill "),
        .target_ms = isnan(target) ? 0 : (unsigned)target,
        .latency_ms = report_value(text, "latency "),
        .underruns = isnan(underruns) ? 0 : (unsigned long long)underruns,
        .graph_stalls = isnan(stalls) ? 0 : (unsigned long long)stalls,
    };
    *pos = line + len;
    return true;
}

static void widen(unsigned v, unsigned *min, unsigned *max)
{
    *min = v < *min ? v : *min;
    *max = v > *max ? v : *max;
}

bool audio_target_range(const char *log, unsigned *min_ms, unsigned *max_ms)
{
    unsigned lo = ~0u, hi = 0;
    struct audio_report r;
    for (const char *p = log; audio_report_next(&p, &r);) {
        if (r.target_ms)
            widen(r.target_ms, &lo, &hi);
    }
    for (const char *p = log; p && (p = strstr(p, "audio: target ")) != NULL; p++) {
        unsigned now, was;
        if (sscanf(p, "audio: target %u ms (was %u)", &now, &was) == 2) {
            widen(now, &lo, &hi);
            widen(was, &lo, &hi);
        }
    }
    bool any = lo != ~0u;
    *min_ms = any ? lo : 0;
    *max_ms = any ? hi : 0;
    return any;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool wav_read(struct wav *w, const char *path)
{
    memset(w, 0, sizeof(*w));
    size_t len;
    uint8_t *b = (uint8_t *)vg_test_read_file(path, &len);
    if (!b || len <= 44 || memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WAVE", 4) != 0) {
        free(b);
        return false;
    }
    size_t pos = 12, data = 0, data_len = 0;
    uint32_t bits = 0;
    while (pos + 8 <= len) {
        uint32_t sz = le32(b + pos + 4);
        if (memcmp(b + pos, "fmt ", 4) == 0 && pos + 24 <= len) {
            w->channels = (uint32_t)b[pos + 10] | (uint32_t)b[pos + 11] << 8;
            w->rate = le32(b + pos + 12);
            bits = (uint32_t)b[pos + 22] | (uint32_t)b[pos + 23] << 8;
        } else if (memcmp(b + pos, "data", 4) == 0) {
            data = pos + 8;
            /* A recorder stopped hard leaves the size unset: take the rest of the file. */
            data_len = sz && data + sz <= len ? sz : len - data;
            break;
        }
        pos += 8 + (size_t)sz + (sz & 1);
    }
    if (!data || bits != 16 || !w->channels) {
        free(b);
        return false;
    }
    w->frames = data_len / 2 / w->channels;
    w->x = malloc(w->frames * w->channels * sizeof(float) + 1);
    for (size_t i = 0; w->x && i < w->frames * w->channels; i++)
        w->x[i] = (float)(int16_t)(b[data + 2 * i] | b[data + 2 * i + 1] << 8) / 32768.0f;
    free(b);
    return w->x != NULL;
}

void wav_free(struct wav *w)
{
    free(w->x);
    memset(w, 0, sizeof(*w));
}

double goertzel_amplitude(const struct wav *w, unsigned ch, size_t from, size_t n, double freq)
{
    if (ch >= w->channels || from >= w->frames)
        return 0;
    if (from + n > w->frames)
        n = w->frames - from;
    if (n == 0)
        return 0;
    double k = 2.0 * cos(2.0 * M_PI * freq / w->rate), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s0 = w->x[(from + i) * w->channels + ch] + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    double power = s1 * s1 + s2 * s2 - k * s1 * s2;
    return 2.0 * sqrt(power > 0 ? power : 0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double tone_level(const struct wav *w, unsigned ch, size_t from, size_t n, double freq)
{
    size_t win = w->rate / 4, count = n / win;
    double best[64];
    if (count > 64)
        count = 64;
    for (size_t i = 0; i < count; i++) {
        best[i] = 0;
        for (int k = -60; k <= 60; k++) {
            double a = goertzel_amplitude(w, ch, from + i * win, win, freq * (1.0 + k * 1e-4));
            best[i] = a > best[i] ? a : best[i];
        }
    }
    if (!count)
        return 0;
    qsort(best, count, sizeof(best[0]), cmp_double);
    return count % 2 ? best[count / 2] : (best[count / 2 - 1] + best[count / 2]) / 2;
}

size_t wav_first_above(const struct wav *w, unsigned ch, size_t from, float level)
{
    for (size_t i = from; i < w->frames; i++) {
        if (fabsf(w->x[i * w->channels + ch]) > level)
            return i;
    }
    return SIZE_MAX;
}

size_t wav_longest_silence(const struct wav *w, unsigned ch, size_t from, size_t to, float level,
                           size_t *at)
{
    size_t block = w->rate / 500, best = 0, run = 0, run_start = from;
    if (to > w->frames)
        to = w->frames;
    *at = from;
    for (size_t b = from; b + block <= to; b += block) {
        float peak = 0;
        for (size_t i = b; i < b + block; i++) {
            float v = fabsf(w->x[i * w->channels + ch]);
            peak = v > peak ? v : peak;
        }
        if (peak < level) {
            if (run == 0)
                run_start = b;
            run += block;
            if (run > best) {
                best = run;
                *at = run_start;
            }
        } else {
            run = 0;
        }
    }
    return best;
}
