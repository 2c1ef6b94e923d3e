/* The host's microphone for the guest through a real SPICE server: a QEMU guest (TCG) with an
 * Intel HDA duplex device on `-audiodev spice` records from /dev/dsp (guest_mic.c) and says on
 * its serial console what it heard; on the host a 1 kHz tone plays into a private PipeWire
 * daemon's null sink, whose monitor the real vgapt-client (under Xvfb, --spice on the VM's
 * socket, --mic-source the sink) records when the guest opens its device. Checked: with --mic
 * allow the guest hears the tone at its pitch, with --mic deny it hears silence and the client
 * opens no capture; with --mic ask (the default) the window asks, and Y typed there (xdotool,
 * where installed) lets the tone through. Without a window (--audio-only) ask means silence,
 * with a line in the log that says how to allow, and allow works there too. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio_env.h"
#include "image.h"
#include "initramfs.h"
#include "spice_guest.h"
#include "testlib.h"
#include "vg/time.h"

#define FREQ 1000.0
#define REC_S "3"
#define GAP_S "10"    /* between the recordings: the test changes clients */
#define ASK_REC_S "8" /* the third: long enough for the answer to come in its first half */

static const char *qemu, *kernel, *moddir, *busybox, *mic, *client, *xdotool;
static const char *dir;
static char serial[600], client_log[600], qlog[600], sock[600], plog[600];
static pid_t qemu_pid = -1, client_pid = -1, play_pid = -1;
static struct audio_env env;
static bool env_up;

static const char init_script[] = "#!/bin/busybox sh\n"
                                  "/bin/busybox mount -t proc proc /proc\n"
                                  "/bin/busybox mount -t sysfs sysfs /sys\n"
                                  "/bin/busybox mount -t devtmpfs devtmpfs /dev\n"
                                  "for m in /m/*.ko; do /bin/busybox insmod $m; done\n"
                                  "/bin/busybox sleep 2\n"
                                  "/bin/vg-mic " REC_S "\n"
                                  "/bin/busybox sleep " GAP_S "\n"
                                  "/bin/vg-mic " REC_S "\n"
                                  "/bin/busybox sleep " GAP_S "\n"
                                  "/bin/vg-mic " ASK_REC_S "\n"
                                  "/bin/busybox sleep " GAP_S "\n"
                                  "/bin/vg-mic " REC_S "\n"
                                  "/bin/busybox sleep " GAP_S "\n"
                                  "/bin/vg-mic " REC_S "\n"
                                  "/bin/busybox sleep " GAP_S "\n"
                                  "/bin/vg-mic " REC_S "\n"
                                  "/bin/busybox sleep 600\n"
                                  "/bin/busybox poweroff -f\n";

static bool make_initramfs(const char *path)
{
    const struct vg_initramfs_file files[] = {{"bin/busybox", busybox}, {"bin/vg-mic", mic}};
    return vg_initramfs_write(path, init_script, files, 2, moddir, vg_spice_guest_sound_modules,
                              vg_spice_guest_n_sound_modules);
}

static pid_t start_client(const char *policy, const char *log)
{
    char shm[700], spice_uri[700];
    snprintf(shm, sizeof(shm), "%s/no-frames", dir);
    snprintf(spice_uri, sizeof(spice_uri), "unix:%s", sock);
    snprintf(client_log, sizeof(client_log), "%s/%s", dir, log);
    char *cv[] = {(char *)client, "--shm",        shm,         "--no-vsync",
                  "--no-audio",   "--spice",      spice_uri,   "--mic",
                  (char *)policy, "--mic-source", "test-sink", "--log-level",
                  "debug",        "--seconds",    "100",       NULL};
    return spawn_logged(cv, client_log);
}

/* --audio-only: the session of the audio's own carries the record channel. */
static pid_t start_audio_only(const char *policy, const char *log)
{
    char scream[700], spice_uri[700];
    snprintf(scream, sizeof(scream), "%s/no-scream", dir);
    snprintf(spice_uri, sizeof(spice_uri), "unix:%s", sock);
    snprintf(client_log, sizeof(client_log), "%s/%s", dir, log);
    char *cv[] = {(char *)client,   "--audio-only", "--spice",     spice_uri,
                  "--audio-source", "spice",        "--scream",    scream,
                  "--audio-target", "test-sink",    "--mic",       (char *)policy,
                  "--mic-source",   "test-sink",    "--log-level", "debug",
                  "--seconds",      "100",          NULL};
    return spawn_logged(cv, client_log);
}

static void stop_client(void)
{
    if (client_pid <= 0)
        return;
    kill(client_pid, SIGTERM);
    int st = vg_test_wait(client_pid, 10000);
    client_pid = -1;
    CHECK_MSG(st == 0, "vgapt-client exited %d on SIGTERM", st);
}

/* The guest's report after offset from: frequency and RMS; false when none came. */
static bool heard(long from, double *freq, double *rms, long *end)
{
    long at = wait_for_text(serial, "vgapt-mic: heard", from, 30000);
    if (at <= 0)
        return false;
    char *text = vg_test_slurp(serial);
    /* at is just past the needle. */
    bool ok = text && sscanf(text + at, " %lf Hz rms %lf", freq, rms) == 2;
    if (ok) {
        fprintf(stderr, "  guest heard%.*s\n", (int)strcspn(text + at, "\n"), text + at);
        *end = at;
    }
    free(text);
    return ok;
}

static uint64_t t0;
static long next_report;

static bool start(void)
{
    char initrd[600], serial_arg[700], spice_arg[700], tone[700], tone_log[700];
    snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", dir);
    snprintf(serial, sizeof(serial), "%s/serial.log", dir);
    snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
    snprintf(sock, sizeof(sock), "%s/spice.sock", dir);
    snprintf(plog, sizeof(plog), "%s/play.log", dir);
    snprintf(tone, sizeof(tone), "%s/tone.wav", dir);
    snprintf(tone_log, sizeof(tone_log), "%s/sox.log", dir);
    snprintf(serial_arg, sizeof(serial_arg), "file:%s", serial);
    snprintf(spice_arg, sizeof(spice_arg), "unix=on,addr=%s,disable-ticketing=on", sock);
    CHECK(make_initramfs(initrd));
    env_up = audio_env_start(&env, dir, 2);
    CHECK_MSG(env_up, "the private PipeWire daemon did not start");
    if (!env_up)
        return false;
    /* The host's "microphone": a tone played into the null sink, whose monitor is recorded. */
    char *sv[] = {"sox", "-n",    "-r",  "48000", "-c",   "2",   "-b",  "16",
                  tone,  "synth", "120", "sine",  "1000", "vol", "0.5", NULL};
    CHECK_MSG(vg_test_wait(spawn_logged(sv, tone_log), 20000) == 0, "sox did not make the tone");
    char *pv[] = {"pw-play", "--target", "test-sink", tone, NULL};
    play_pid = spawn_logged(pv, plog);
    CHECK(play_pid > 0);

    t0 = vg_time_ns();
    const struct vg_spice_guest_vm vm = {.qemu = qemu,
                                         .kernel = kernel,
                                         .initrd = initrd,
                                         .spice = spice_arg,
                                         .serial = serial_arg,
                                         .sound = true,
                                         .log = qlog};
    qemu_pid = vg_spice_guest_spawn(&vm);
    client_pid = start_client("allow", "client-allow.log");
    CHECK_MSG(wait_for_text(serial, "vgapt-mic: recording", 0, 90000) > 0,
              "the guest did not start recording (its sound device or /dev/dsp did not come)");
    fprintf(stderr, "  guest recording after %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    return vg_test_failures == 0;
}

static void with_allow_the_guest_hears_the_host_tone(void)
{
    double freq = 0, rms = 0;
    bool ok = heard(0, &freq, &rms, &next_report);
    CHECK_MSG(ok, "the guest reported nothing");
    CHECK_MSG(wait_for_text(client_log, "microphone: recording", 0, 1000) > 0,
              "the client did not open the capture for the guest");
    /* A sine of 0.5 has an RMS of 0.35; QEMU's mixer and the codec's gain sit between. */
    CHECK_MSG(ok && fabs(freq - FREQ) < FREQ * 0.03, "the guest heard %.0f Hz, want %.0f", freq,
              FREQ);
    CHECK_MSG(ok && rms > 0.05 && rms < 0.6, "the guest heard rms %.4f", rms);
}

static void with_deny_the_guest_hears_silence(void)
{
    kill(client_pid, SIGTERM);
    int st = vg_test_wait(client_pid, 10000);
    client_pid = -1;
    CHECK_MSG(st == 0, "vgapt-client exited %d on SIGTERM", st);
    client_pid = start_client("deny", "client-deny.log");
    CHECK_MSG(wait_for_text(client_log, "keyboard and mouse connected", 0, 20000) > 0,
              "the client did not connect");
    double freq = 0, rms = 1;
    bool ok = heard(next_report, &freq, &rms, &next_report);
    CHECK_MSG(ok, "the guest reported nothing for its second recording");
    CHECK_MSG(ok && rms < 0.01, "the guest heard rms %.4f at %.0f Hz with --mic deny", rms, freq);
    char *log = vg_test_slurp(client_log);
    CHECK_MSG(log && strstr(log, "it gets silence"), "the client did not say it refused");
    CHECK_MSG(log && !strstr(log, "microphone: recording"), "the client recorded with deny");
    free(log);
}

static void with_ask_the_window_asks_and_y_lets_the_tone_through(void)
{
    kill(client_pid, SIGTERM);
    int st = vg_test_wait(client_pid, 10000);
    client_pid = -1;
    CHECK_MSG(st == 0, "vgapt-client exited %d on SIGTERM", st);
    client_pid = start_client("ask", "client-ask.log");
    CHECK_MSG(wait_for_text(client_log, "asking in the window", 0, 30000) > 0,
              "the client did not ask when the guest opened its device");
    char out[256] = "", wid[32];
    bool found = vg_spice_guest_tool(dir, out, sizeof(out), xdotool, "search", "--sync",
                                     "--onlyvisible", "--name", "^vgapt", NULL);
    snprintf(wid, sizeof(wid), "%.*s", (int)strcspn(out, "\n"), out);
    CHECK_MSG(found && wid[0], "no client window");
    CHECK(
        vg_spice_guest_tool(dir, NULL, 0, xdotool, "windowfocus", "--sync", wid, "key", "y", NULL));
    CHECK_MSG(wait_for_text(client_log, "microphone: recording", 0, 5000) > 0,
              "Y did not start the capture");
    double freq = 0, rms = 0;
    bool ok = heard(next_report, &freq, &rms, &next_report);
    CHECK_MSG(ok, "the guest reported nothing for its third recording");
    CHECK_MSG(ok && fabs(freq - FREQ) < FREQ * 0.03 && rms > 0.05,
              "after Y the guest heard %.0f Hz rms %.4f", freq, rms);
}

static void without_a_window_ask_means_silence_and_says_how_to_allow(void)
{
    stop_client();
    client_pid = start_audio_only("ask", "client-audio-ask.log");
    double freq = 0, rms = 1;
    bool ok = heard(next_report, &freq, &rms, &next_report);
    CHECK_MSG(ok, "the guest reported nothing for its fourth recording");
    CHECK_MSG(ok && rms < 0.01, "the guest heard rms %.4f at %.0f Hz, asked without a window", rms,
              freq);
    char *log = vg_test_slurp(client_log);
    CHECK_MSG(log && strstr(log, "no window takes the answer") && strstr(log, "--mic allow"),
              "the client did not say how to allow");
    CHECK_MSG(log && !strstr(log, "microphone: recording"), "the client recorded unasked");
    free(log);
}

static void without_a_window_allow_lets_the_tone_through(void)
{
    stop_client();
    client_pid = start_audio_only("allow", "client-audio-allow.log");
    double freq = 0, rms = 0;
    bool ok = heard(next_report, &freq, &rms, &next_report);
    CHECK_MSG(ok, "the guest reported nothing for its fifth recording");
    CHECK_MSG(ok && fabs(freq - FREQ) < FREQ * 0.03 && rms > 0.05,
              "--audio-only --mic allow: the guest heard %.0f Hz rms %.4f", freq, rms);
}

/* A window with --no-input: the audio's own session carries the record channel. */
static void a_window_without_input_allow_lets_the_tone_through(void)
{
    stop_client();
    char scream[700], shm[700], spice_uri[700];
    snprintf(scream, sizeof(scream), "%s/no-scream", dir);
    snprintf(shm, sizeof(shm), "%s/no-frames", dir);
    snprintf(spice_uri, sizeof(spice_uri), "unix:%s", sock);
    snprintf(client_log, sizeof(client_log), "%s/client-no-input.log", dir);
    char *cv[] = {(char *)client,
                  "--shm",
                  shm,
                  "--no-vsync",
                  "--no-input",
                  "--spice",
                  spice_uri,
                  "--scream",
                  scream,
                  "--audio-source",
                  "spice",
                  "--audio-target",
                  "test-sink",
                  "--mic",
                  "allow",
                  "--mic-source",
                  "test-sink",
                  "--log-level",
                  "debug",
                  "--seconds",
                  "100",
                  NULL};
    client_pid = spawn_logged(cv, client_log);
    double freq = 0, rms = 0;
    bool ok = heard(next_report, &freq, &rms, &next_report);
    CHECK_MSG(ok, "the guest reported nothing for its sixth recording");
    CHECK_MSG(ok && fabs(freq - FREQ) < FREQ * 0.03 && rms > 0.05,
              "window, --no-input, --mic allow: the guest heard %.0f Hz rms %.4f", freq, rms);
    CHECK_MSG(wait_for_text(client_log, "microphone: recording", 0, 1000) > 0,
              "the client did not say it records");
    char *log = vg_test_slurp(client_log);
    CHECK_MSG(log && strstr(log, "connected for the guest's audio") &&
                  !strstr(log, "keyboard and mouse connected"),
              "--no-input: the client says it connected keyboard and mouse");
    free(log);
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: %s QEMU KERNEL MODULES BUSYBOX VG-MIC CLIENT XDOTOOL|-\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    qemu = argv[1];
    kernel = argv[2];
    moddir = argv[3];
    busybox = argv[4];
    mic = argv[5];
    client = argv[6];
    xdotool = strcmp(argv[7], "-") == 0 ? NULL : argv[7];
    dir = vg_test_tmpdir();
    uint64_t whole = vg_time_ns();
    if (start()) {
        RUN(with_allow_the_guest_hears_the_host_tone);
        RUN(with_deny_the_guest_hears_silence);
        if (xdotool)
            RUN(with_ask_the_window_asks_and_y_lets_the_tone_through);
        else
            fprintf(stderr, "  skipped the --mic ask case: no xdotool\n");
        RUN(without_a_window_ask_means_silence_and_says_how_to_allow);
        RUN(without_a_window_allow_lets_the_tone_through);
        RUN(a_window_without_input_allow_lets_the_tone_through);
    }
    if (client_pid > 0) {
        kill(client_pid, SIGTERM);
        int st = vg_test_wait(client_pid, 10000);
        CHECK_MSG(st == 0, "vgapt-client exited %d on SIGTERM", st);
    }
    if (play_pid > 0) {
        kill(play_pid, SIGINT);
        vg_test_wait(play_pid, 5000);
    }
    if (qemu_pid > 0) {
        kill(qemu_pid, SIGTERM);
        vg_test_wait(qemu_pid, 10000);
    }
    if (env_up)
        audio_env_stop(&env);
    if (vg_test_failures)
        vg_spice_guest_show_logs(serial, client_log, qlog);
    fprintf(stderr, "  whole run %.1f s\n", vg_ns_to_ms(vg_time_ns() - whole) / 1000.0);
    return vg_test_finish();
}
