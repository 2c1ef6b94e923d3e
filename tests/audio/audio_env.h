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

/* Records test-sink's monitor (s16, 48 kHz, the sink's channels) into wav. */
pid_t audio_record_start(const struct audio_env *e, const char *wav, const char *log);
/* The same for another sink of the same channels (node: its node.name, borrowed). */
pid_t audio_record_node(const struct audio_env *e, const char *node, const char *wav,
                        const char *log);
/* SIGINT (pw-record then finishes the file) and waits. */
void audio_record_stop(pid_t pid);

/* The audio tests' command line, CLIENT GUEST, into *client and *guest; also ignores SIGPIPE
 * (the children's output goes to files). false, with the usage printed, when they are
 * missing. */
bool audio_test_args(int argc, char **argv, char **client, char **guest);

/* Spawns argv with stdout+stderr appended to log (testlib's runner). */
#define audio_spawn(argv, log) vg_test_spawn_io((argv), (log), (log), true)

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
 * of the strongest Goertzel response within +-0.3 % of freq, because rate matching may shift
 * the pitch by a few hundred ppm (by design: PipeWire's adaptive resampler). The median: a
 * window with a phase jump in it (audio trimmed while the stream settles) reads low. */
double tone_level(const struct wav *w, unsigned ch, size_t from, size_t n, double freq);
/* First frame at or after from where channel ch exceeds level; SIZE_MAX if none. */
size_t wav_first_above(const struct wav *w, unsigned ch, size_t from, float level);
/* The longest run of frames in [from, to) of channel ch whose 2 ms block peak stays under
 * level (silence), in frames; *at receives where it starts. */
size_t wav_longest_silence(const struct wav *w, unsigned ch, size_t from, size_t to, float level,
                           size_t *at);
