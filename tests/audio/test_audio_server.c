/* The sound server comes and goes: vgapt-client --audio-only plays a guest's tone
 * (vgapt-guest tone) into a private PipeWire daemon, which is killed (SIGKILL, as in a crash)
 * and started again in the same runtime dir; or it is not running when the client starts; or
 * the client is told to play on a sink that does not exist. The client must not crash or hang,
 * must say what is wrong, must play again by itself once it can (the recording of the null
 * sink's monitor proves it), and SIGTERM must stop it with status 0 in every state.
 * Usage: test-audio-server CLIENT GUEST */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "audio_env.h"
#include "vg/time.h"

#define FREQ 440.0
#define AMPLITUDE 0.5
#define LEVEL 0.1f /* tone present */
#define WAIT_MS 10000 /* for a log line that follows from what the test did */

static char *client, *guest;
static const char *tmp;
static struct audio_env env;
static int serial;

static bool alive(pid_t pid)
{
    int st;
    return pid > 0 && waitpid(pid, &st, WNOHANG) == 0;
}

/* Waits for `what` in the log at or after offset `from`; its offset, or -1. */
static long wait_log(const char *log, const char *what, long from, int timeout_ms)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    for (;;) {
        char *text = vg_test_slurp(log);
        long at = -1;
        if (text && (size_t)from <= strlen(text)) {
            char *hit = strstr(text + from, what);
            at = hit ? (long)(hit - text) : -1;
        }
        free(text);
        if (at >= 0 || vg_time_ns() > deadline)
            return at;
        vg_sleep_ns(50 * VG_NS_PER_MS);
    }
}

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text ? strstr(text, what) : NULL; p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void log_fail(const char *log)
{
    char *text = vg_test_slurp(log);
    fprintf(stderr, "--- %s:\n%s---\n", log, text ? text : "(none)\n");
    free(text);
}

/* A guest playing the tone (channel c: c x 440 Hz) until stopped, on a fresh ring. */
static pid_t start_guest(char *shm, size_t size)
{
    char glog[700];
    int n = ++serial;
    snprintf(shm, size, "%s/scream%d", tmp, n);
    snprintf(glog, sizeof(glog), "%s/guest%d.log", tmp, n);
    char *gv[] = {guest, "tone", "--shm", shm, "--seconds", "0", "--freq", "440",
                  "--amplitude", "0.5", NULL};
    return audio_spawn(gv, glog);
}

static pid_t start_client(char *shm, const char *target, char *log, size_t size)
{
    snprintf(log, size, "%s/client%d.log", tmp, ++serial);
    char *cv[] = {client, "--audio-only", "--scream", shm, "--audio-target", (char *)target,
                  NULL};
    return audio_spawn(cv, log);
}

static void stop_client(pid_t c, const char *log, const char *state)
{
    kill(c, SIGTERM);
    int st = vg_test_wait(c, 10000);
    CHECK_MSG(st == 0, "vgapt-client exited %d on SIGTERM %s (must be 0)", st, state);
    if (st != 0)
        log_fail(log);
}

/* Records the monitors of the named sinks (NULL-terminated) for 2 s into wav[i]. */
static void record(const char *const nodes[], char wav[][600])
{
    pid_t rec[4];
    int n = 0;
    for (; nodes[n] && n < 4; n++) {
        char rlog[700];
        int k = ++serial;
        snprintf(wav[n], 600, "%s/out%d.wav", tmp, k);
        snprintf(rlog, sizeof(rlog), "%s/record%d.log", tmp, k);
        rec[n] = audio_record_node(&env, nodes[n], wav[n], rlog);
    }
    vg_sleep_ns(2 * VG_NS_PER_S);
    for (int i = 0; i < n; i++)
        audio_record_stop(rec[i]);
}

/* The tone is in the recording, on both channels at the level the guest writes; or (!tone)
 * nothing of it is in the recording's last second. */
static void check_tone(const char *wav, bool tone, const char *what, const char *client_log)
{
    struct wav w;
    if (!wav_read(&w, wav)) {
        CHECK_MSG(false, "%s: no recording in %s", what, wav);
        return;
    }
    if (!tone) {
        size_t at = wav_first_above(&w, 0, w.frames > w.rate ? w.frames - w.rate : 0, LEVEL);
        CHECK_MSG(at == SIZE_MAX, "%s: the tone is there at %.3f s", what, (double)at / w.rate);
        wav_free(&w);
        return;
    }
    size_t start = wav_first_above(&w, 0, 0, LEVEL);
    bool long_enough = start != SIZE_MAX && start + w.rate * 11 / 10 <= w.frames;
    CHECK_MSG(long_enough, "%s: no tone (or less than 1.1 s of it) in the recording", what);
    for (unsigned c = 0; long_enough && c < 2; c++) {
        double a = tone_level(&w, c, start + w.rate / 10, w.rate, FREQ * (c + 1));
        CHECK_MSG(a > AMPLITUDE * 0.8 && a < AMPLITUDE * 1.2,
                  "%s: channel %u: %g Hz at amplitude %.3f, want %.2f", what, c + 1,
                  FREQ * (c + 1), a, AMPLITUDE);
    }
    if (!long_enough)
        log_fail(client_log);
    wav_free(&w);
}

/* test-sink's monitor has the tone. */
static void check_plays(const char *what, const char *client_log)
{
    const char *nodes[] = {"test-sink", NULL};
    char wav[1][600];
    record(nodes, wav);
    check_tone(wav[0], true, what, client_log);
}

/* The server crashes while the client plays; a new one starts a few seconds later. */
static void killed_server_is_reported_and_playing_resumes_on_restart(void)
{
    int failures = vg_test_failures;
    char shm[600], log[700];
    pid_t g = start_guest(shm, sizeof(shm));
    pid_t c = start_client(shm, "test-sink", log, sizeof(log));
    long at = wait_log(log, "audio: playing", 0, WAIT_MS);
    CHECK_MSG(at >= 0, "the client did not start playing");

    audio_env_kill(&env);
    long gone = wait_log(log, "PipeWire server went away", at, WAIT_MS);
    CHECK_MSG(gone >= 0, "the client did not say that the server went away");
    long down = wait_log(log, "cannot connect to PipeWire", gone, WAIT_MS);
    CHECK_MSG(down >= 0, "the client did not say that it cannot connect");
    /* Time for a retry or two while the server stays away. */
    vg_sleep_ns(2500 * VG_NS_PER_MS);
    CHECK_MSG(alive(c), "the client died with the server");

    CHECK_MSG(audio_env_restart(&env), "the PipeWire daemon did not start again");
    long again = wait_log(log, "audio: playing", down > 0 ? down : 0, WAIT_MS);
    CHECK_MSG(again >= 0, "the client did not play again after the server came back");
    CHECK_MSG(wait_log(log, "connected to the PipeWire server", 0, 0) >= 0,
              "the client did not say it is connected again");
    check_plays("after the server's restart", log);

    char *text = vg_test_slurp(log);
    CHECK_MSG(count(text, "cannot connect to PipeWire") == 1,
              "'cannot connect' logged %d times for one outage (once is enough)",
              count(text, "cannot connect to PipeWire"));
    CHECK_MSG(count(text, "(the audio target)") == 0,
              "a missing-target warning for test-sink, which exists");
    free(text);
    stop_client(c, log, "while playing after a reconnect");
    kill(g, SIGTERM);
    vg_test_wait(g, 5000);
    if (vg_test_failures != failures)
        log_fail(log);
}

/* No server when the client starts: it says so, waits, and plays once the server comes; SIGTERM
 * stops it while it waits. */
static void client_waits_for_a_server_then_plays(void)
{
    audio_env_kill(&env);
    char shm[600], log1[700], log2[700];
    pid_t g = start_guest(shm, sizeof(shm));
    pid_t c1 = start_client(shm, "test-sink", log1, sizeof(log1));
    pid_t c2 = start_client(shm, "test-sink", log2, sizeof(log2));
    long at = wait_log(log1, "cannot connect to PipeWire", 0, WAIT_MS);
    CHECK_MSG(at >= 0, "no 'cannot connect' message without a server");
    CHECK_MSG(wait_log(log1, "systemctl --user status pipewire", at, 0) >= 0,
              "the message does not say what to check");
    stop_client(c1, log1, "while no server runs");

    CHECK_MSG(wait_log(log2, "cannot connect to PipeWire", 0, WAIT_MS) >= 0,
              "no 'cannot connect' message without a server");
    vg_sleep_ns(1 * VG_NS_PER_S);
    CHECK_MSG(alive(c2), "the client gave up without a server");
    CHECK_MSG(audio_env_restart(&env), "the PipeWire daemon did not start");
    CHECK_MSG(wait_log(log2, "audio: playing", 0, WAIT_MS) >= 0,
              "the client did not play once the server came");
    check_plays("once the server came", log2);
    stop_client(c2, log2, "while playing");
    kill(g, SIGTERM);
    vg_test_wait(g, 5000);
}

/* WirePlumber 0.4 waits one rescan for a target.object that does not exist, then links the
 * stream to the default sink (and keeps it following the default). The user is told which
 * sink is missing and how to list the sinks. */
static void missing_target_is_named_and_the_default_sink_plays(void)
{
    char shm[600], log[700];
    pid_t g = start_guest(shm, sizeof(shm));
    pid_t c = start_client(shm, "no-such-sink", log, sizeof(log));
    long at = wait_log(log, "no sink 'no-such-sink'", 0, WAIT_MS);
    CHECK_MSG(at >= 0, "no warning naming the missing sink");
    CHECK_MSG(wait_log(log, "pw-cli ls Node", at, 0) >= 0,
              "the warning does not say how to list the sinks");
    check_plays("on the default sink", log);
    stop_client(c, log, "while playing on the default sink");
    kill(g, SIGTERM);
    vg_test_wait(g, 5000);
}

/* The target appears while the stream plays on the default sink: the stream moves there
 * (WirePlumber alone would leave it on the default); it goes away: back to the default. */
static void target_that_appears_gets_the_stream(void)
{
    char shm[600], log[700], plog[700];
    pid_t g = start_guest(shm, sizeof(shm));
    pid_t c = start_client(shm, "late-sink", log, sizeof(log));
    long at = wait_log(log, "no sink 'late-sink'", 0, WAIT_MS);
    CHECK_MSG(at >= 0, "no warning naming the missing sink");
    snprintf(plog, sizeof(plog), "%s/pw-cli.log", tmp);
    char *create[] = {"pw-cli", "create-node", "adapter",
                      "{ factory.name = support.null-audio-sink node.name = late-sink "
                      "media.class = Audio/Sink audio.position = [ FL FR ] audio.rate = 48000 "
                      "monitor.channel-volumes = true object.linger = true }",
                      NULL};
    CHECK(vg_test_wait(audio_spawn(create, plog), 10000) == 0);
    at = wait_log(log, "sink 'late-sink' is here; moving the stream to it", at, WAIT_MS);
    CHECK_MSG(at >= 0, "the client did not see the target appear");
    const char *nodes[] = {"late-sink", "test-sink", NULL};
    char wav[2][600];
    /* The move is asynchronous: the recordings' beginnings may have it. */
    record(nodes, wav);
    check_tone(wav[0], true, "on the target once it appeared", log);
    check_tone(wav[1], false, "on the default sink once the target appeared", log);

    char *destroy[] = {"pw-cli", "destroy", "late-sink", NULL};
    CHECK(vg_test_wait(audio_spawn(destroy, plog), 10000) == 0);
    CHECK_MSG(wait_log(log, "sink 'late-sink' went away", at, WAIT_MS) >= 0,
              "the client did not say that the target went away");
    check_plays("on the default sink once the target went away", log);
    stop_client(c, log, "while playing");
    kill(g, SIGTERM);
    vg_test_wait(g, 5000);
}

int main(int argc, char **argv)
{
    if (!audio_test_args(argc, argv, &client, &guest))
        return 2;
    tmp = vg_test_tmpdir();
    if (!audio_env_start(&env, tmp, 2)) {
        CHECK_MSG(false, "no PipeWire daemon");
        audio_env_stop(&env);
        return vg_test_finish();
    }
    RUN(missing_target_is_named_and_the_default_sink_plays);
    RUN(target_that_appears_gets_the_stream);
    RUN(killed_server_is_reported_and_playing_resumes_on_restart);
    RUN(client_waits_for_a_server_then_plays);
    audio_env_stop(&env);
    return vg_test_finish();
}
