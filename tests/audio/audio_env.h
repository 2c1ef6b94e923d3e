/* Audio test helpers: a private PipeWire daemon (pipewire + wireplumber with a null sink, in a
 * runtime dir of its own, as ../shared TESTING.md describes), the programs under test with
 * their output in log files, and the recording's analysis (WAV, Goertzel per channel). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "testlib.h"

struct audio_env {
    char dir[512];       /* runtime + config, under the test's temp dir */
    pid_t pipewire, wireplumber;
    unsigned channels;   /* of the null sink "test-sink" */
};

/* Starts the daemon with a null sink of 2 or 8 channels at 48 kHz; sets XDG_RUNTIME_DIR,
 * PIPEWIRE_RUNTIME_DIR, XDG_CONFIG_HOME and XDG_STATE_HOME in this process for the children.
 * false (and the reason on stderr) if it does not come up. */
bool audio_env_start(struct audio_env *e, const char *parent_dir, unsigned channels);
void audio_env_stop(struct audio_env *e);
/* SIGKILL to both daemons (a crash), reaped; the runtime dir and configuration stay. */
void audio_env_kill(struct audio_env *e);
/* Starts the daemons again in the same runtime dir after audio_env_kill; false as for start. */
bool audio_env_restart(struct audio_env *e);

/* Forces the graph's quantum to `quantum` frames (0: lifts the force; the streams' requests
 * and clock.quantum decide again) through the daemon's "settings" metadata
 * (pw-metadata -n settings 0 clock.force-quantum N), and waits, 3 s at most, until the daemon
 * holds the new value. PipeWire clamps it to clock.min-quantum..clock.max-quantum (16..2048
 * by default). false, with the reason on stderr, if pw-metadata fails or the value does not
 * show. */
bool audio_env_force_quantum(const struct audio_env *e, unsigned quantum);

/* Records test-sink's monitor (s16, 48 kHz, the sink's channels) into wav. */
pid_t audio_record_start(const struct audio_env *e, const char *wav, const char *log);
/* The same for another sink of the same channels (node: its node.name, borrowed). */
pid_t audio_record_node(const struct audio_env *e, const char *node, const char *wav,
                        const char *log);
/* Every thread of pid (a recorder, borrowed) to SCHED_FIFO priority: a listener that noise
 * with real-time bursts (audio_noise.h) cannot starve, as a sound card is not; a starved
 * pw-record loses whole graph cycles, which reads as audio cut. false, with the reason on
 * stderr, if a thread's priority could not be set. */
bool audio_make_realtime(pid_t pid, int priority);
/* SIGINT (pw-record then finishes the file) and waits. */
void audio_record_stop(pid_t pid);

/* The audio tests' command line, CLIENT GUEST, into *client and *guest; also ignores SIGPIPE
 * (the children's output goes to files). false, with the usage printed, when they are
 * missing. */
bool audio_test_args(int argc, char **argv, char **client, char **guest);

/* Spawns argv with stdout+stderr appended to log (testlib's runner). */
#define audio_spawn(argv, log) vg_test_spawn_io((argv), (log), (log), true)

/* One of vgapt-client's periodic audio reports (--audio-report-s): "audio: fill X ms (target
 * N), latency X ms, ..., underruns N, ..., graph stalls N ...". A key the line lacks reads as
 * NAN or 0. */
struct audio_report {
    double fill_ms;      /* what the client holds */
    unsigned target_ms;  /* its buffering target now */
    double latency_ms;   /* fill plus the graph's delay */
    unsigned long long underruns, graph_stalls; /* since the start (graph stalls: xruns) */
};

/* The first report at or after *pos in a client's log text (borrowed); *pos moves past it.
 * false when there is none. */
bool audio_report_next(const char **pos, struct audio_report *r);
/* The range of the client's buffering target over its log (borrowed): every report's
 * "(target N)" and both sides of every "audio: target N ms (was M)"; false (0..0) if the log
 * names none. */
bool audio_target_range(const char *log, unsigned *min_ms, unsigned *max_ms);

struct wav {
    uint32_t rate, channels;
    size_t frames;
    float *x; /* frames x channels, -1..1 */
};

bool wav_read(struct wav *w, const char *path);
void wav_free(struct wav *w);
/* Amplitude (peak, full scale 1) of the sine at freq in channel ch over [from, from + n). */
double goertzel_amplitude(const struct wav *w, unsigned ch, size_t from, size_t n, double freq);
/* The tone's amplitude in channel ch over n frames from `from`: the median over 250 ms windows
 * of the strongest Goertzel response within +-0.6 % of freq, because rate matching shifts the
 * pitch (by design: PipeWire's adaptive resampler), by up to 0.5 % while it brings a high fill
 * back to the target. The median: a window with a phase jump in it reads low. */
double tone_level(const struct wav *w, unsigned ch, size_t from, size_t n, double freq);
/* First frame at or after from where channel ch exceeds level; SIZE_MAX if none. */
size_t wav_first_above(const struct wav *w, unsigned ch, size_t from, float level);
/* The longest run of frames in [from, to) of channel ch whose 2 ms block peak stays under
 * level (silence), in frames; *at receives where it starts. */
size_t wav_longest_silence(const struct wav *w, unsigned ch, size_t from, size_t to, float level,
                           size_t *at);
