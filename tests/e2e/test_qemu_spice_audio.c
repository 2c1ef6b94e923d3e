/* The guest's audio through a real SPICE server: a QEMU guest (TCG) with an Intel HDA sound
 * device on `-audiodev spice` plays a 440 Hz tone through the kernel's OSS emulation
 * (guest_tone.c); on the host the real vgapt-client, with --spice on the VM's socket and
 * --audio-source spice, plays the server's playback stream into a private PipeWire daemon's
 * null sink, whose monitor is recorded. Checked: the recording holds the tone at its pitch and
 * at a level near what the guest played, and the stream goes idle when the guest stops. Then
 * the guest plays again into a windowed client (under Xvfb) whose one SPICE session carries
 * keyboard, mouse and audio, its source left to auto. */
#include <fcntl.h>
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

#define FREQ 440.0
#define GUEST_AMPLITUDE 0.5
#define TONE_S "6"
#define GAP_S "8" /* between the tones: the test changes clients */

static const char *qemu, *kernel, *moddir, *busybox, *tone, *client;
static const char *dir;
static char serial[600], client_log[600], qlog[600], sock[600], wav[600], rlog[600];
static pid_t qemu_pid = -1, client_pid = -1, rec_pid = -1;
static struct audio_env env;
static bool env_up;

static const char init_script[] = "#!/bin/busybox sh\n"
                                  "/bin/busybox mount -t proc proc /proc\n"
                                  "/bin/busybox mount -t sysfs sysfs /sys\n"
                                  "/bin/busybox mount -t devtmpfs devtmpfs /dev\n"
                                  "for m in /m/*.ko; do /bin/busybox insmod $m; done\n"
                                  "/bin/vg-tone " TONE_S "\n"
                                  "/bin/busybox sleep " GAP_S "\n"
                                  "/bin/vg-tone " TONE_S "\n"
                                  "/bin/busybox sleep 600\n"
                                  "/bin/busybox poweroff -f\n";

static bool make_initramfs(const char *path)
{
    const struct vg_initramfs_file files[] = {{"bin/busybox", busybox}, {"bin/vg-tone", tone}};
    return vg_initramfs_write(path, init_script, files, 2, moddir, vg_spice_guest_sound_modules,
                              vg_spice_guest_n_sound_modules);
}

static uint64_t t0;

/* PipeWire and the recorder, the VM, then the client: the client connects while the VM starts
 * (it tries again until the socket is there), as with a VM started after the client. */
static bool start(void)
{
    char initrd[600], serial_arg[700], spice_arg[700], spice_uri[700];
    snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", dir);
    snprintf(serial, sizeof(serial), "%s/serial.log", dir);
    snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
    snprintf(client_log, sizeof(client_log), "%s/client.log", dir);
    snprintf(sock, sizeof(sock), "%s/spice.sock", dir);
    snprintf(wav, sizeof(wav), "%s/out.wav", dir);
    snprintf(rlog, sizeof(rlog), "%s/record.log", dir);
    snprintf(serial_arg, sizeof(serial_arg), "file:%s", serial);
    snprintf(spice_arg, sizeof(spice_arg), "unix=on,addr=%s,disable-ticketing=on", sock);
    snprintf(spice_uri, sizeof(spice_uri), "unix:%s", sock);
    CHECK(make_initramfs(initrd));
    env_up = audio_env_start(&env, dir, 2);
    CHECK_MSG(env_up, "the private PipeWire daemon did not start");
    if (!env_up)
        return false;
    rec_pid = audio_record_start(&env, wav, rlog);
    CHECK(rec_pid > 0);

    t0 = vg_time_ns();
    const struct vg_spice_guest_vm vm = {.qemu = qemu,
                                         .kernel = kernel,
                                         .initrd = initrd,
                                         .spice = spice_arg,
                                         .serial = serial_arg,
                                         .sound = true,
                                         .log = qlog};
    qemu_pid = vg_spice_guest_spawn(&vm);
    /* The scream region does not exist: only SPICE can play. */
    char scream[700];
    snprintf(scream, sizeof(scream), "%s/no-scream", dir);
    char *cv[] = {(char *)client,
                  "--audio-only",
                  "--spice",
                  spice_uri,
                  "--audio-source",
                  "spice",
                  "--scream",
                  scream,
                  "--audio-target",
                  "test-sink",
                  "--audio-report-s",
                  "1",
                  "--audio-idle-s",
                  "1",
                  "--log-level",
                  "debug",
                  "--seconds",
                  "150",
                  NULL};
    client_pid = spawn_logged(cv, client_log);
    CHECK_MSG(wait_for_text(serial, "vgapt-tone: playing", 0, 90000) > 0,
              "the guest's tone did not start (its sound device or /dev/dsp did not come)");
    fprintf(stderr, "  guest playing after %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    return vg_test_failures == 0;
}

/* The recording in `path` holds the guest's tone: pitch, level, no gap. */
static void check_tone(const char *path)
{
    struct wav rec;
    bool have_rec = wav_read(&rec, path);
    CHECK_MSG(have_rec, "no recording in %s", path);
    if (!have_rec)
        return;
    size_t start = wav_first_above(&rec, 0, 0, 0.05f);
    CHECK_MSG(start != SIZE_MAX, "the recording is silent (%zu frames)", rec.frames);
    /* 2 s from 0.5 s into the tone: the buffer has settled. */
    size_t from = start + rec.rate / 2, n = 2 * rec.rate;
    CHECK_MSG(start != SIZE_MAX && from + n <= rec.frames, "the tone lasts %.2f s in the recording",
              start == SIZE_MAX ? 0.0 : (double)(rec.frames - start) / rec.rate);
    if (start == SIZE_MAX || from + n > rec.frames) {
        wav_free(&rec);
        return;
    }
    /* Pitch: the strongest response from 400 to 480 Hz, in 1 Hz steps. */
    double best = 0, best_f = 0;
    for (double f = 400; f <= 480; f += 1) {
        double a = goertzel_amplitude(&rec, 0, from, n, f);
        if (a > best) {
            best = a;
            best_f = f;
        }
    }
    for (unsigned ch = 0; ch < rec.channels; ch++) {
        double a = tone_level(&rec, ch, from, n, FREQ);
        double off = tone_level(&rec, ch, from, n, 2 * FREQ) + tone_level(&rec, ch, from, n, 300);
        fprintf(stderr, "  channel %u: 440 Hz at %.3f (guest %.2f), 880 + 300 Hz %.4f\n", ch, a,
                GUEST_AMPLITUDE, off);
        /* QEMU's mixer and the HDA codec's default gain sit between; within -12..+3 dB. */
        CHECK_MSG(a > GUEST_AMPLITUDE / 4 && a < GUEST_AMPLITUDE * 1.42,
                  "channel %u: the tone's level %.3f, the guest played %.2f", ch, a,
                  GUEST_AMPLITUDE);
        CHECK_MSG(off < a / 20, "channel %u: not a clean tone (%.4f elsewhere)", ch, off);
    }
    /* The resampler may shift the pitch by 0.5 % while it steers the buffer. */
    fprintf(stderr, "  pitch %.0f Hz, tone from %.2f s of the recording\n", best_f,
            (double)start / rec.rate);
    CHECK_MSG(fabs(best_f - FREQ) <= 3, "the tone is at %.0f Hz", best_f);
    /* No gap while it played: the longest silence in the settled part. */
    size_t gap_at = 0;
    size_t gap = wav_longest_silence(&rec, 0, from, from + n, 0.02f, &gap_at);
    CHECK_MSG(gap < rec.rate / 100, "%.1f ms of silence at %.2f s", gap * 1000.0 / rec.rate,
              (double)gap_at / rec.rate);
    wav_free(&rec);
}

static void the_guest_tone_plays_on_the_host_sink_at_its_pitch_and_level(void)
{
    CHECK_MSG(wait_for_text(client_log, "audio: playing", 0, 20000) > 0,
              "the client did not open a stream for the SPICE playback");
    long at = wait_for_text(client_log, "audio: playing", 0, 0);
    char *log = vg_test_slurp(client_log);
    if (log && at > 0)
        fprintf(stderr, "  client: %.*s\n", (int)strcspn(log + at, "\n"), log + at);
    CHECK_MSG(log && strstr(log, "48000 Hz 16-bit 2 ch"), "not QEMU's 48 kHz stereo");
    free(log);
    /* The tone lasts TONE_S seconds in the guest; then the stream stops. */
    CHECK_MSG(wait_for_text(serial, "vgapt-tone: done", 0, 30000) > 0, "the tone did not end");
    vg_sleep_ns(500 * VG_NS_PER_MS);
    audio_record_stop(rec_pid);
    rec_pid = -1;
    check_tone(wav);
}

static void the_stream_goes_idle_when_the_guest_stops_playing(void)
{
    CHECK_MSG(
        wait_for_text(client_log, "no audio from the guest for 1 s; stream closed", 0, 15000) > 0,
        "the client's stream did not close after the guest's playback stopped");
    char *log = vg_test_slurp(client_log);
    CHECK_MSG(log && strstr(log, "SPICE playback stream stopped"),
              "the client did not see the playback stop");
    struct audio_report r;
    const char *pos = log, *last_ok = NULL;
    unsigned long long underruns = 0;
    while (log && audio_report_next(&pos, &r)) {
        underruns = r.underruns;
        last_ok = pos;
    }
    fprintf(stderr, "  client reports: %s, underruns %llu\n", last_ok ? "yes" : "none", underruns);
    /* QEMU is an honest server: nothing of its stream may read as hostile. */
    CHECK_MSG(!log || !strstr(log, "packets refused"),
              "the client refused some of the server's audio");
    free(log);
}

static void one_session_in_the_window_carries_keyboard_mouse_and_audio(void)
{
    kill(client_pid, SIGTERM);
    int st = vg_test_wait(client_pid, 10000);
    client_pid = -1;
    CHECK_MSG(st == 0, "vgapt-client --audio-only exited %d on SIGTERM", st);
    long first_done = wait_for_text(serial, "vgapt-tone: done", 0, 0);
    char wav2[700], shm[700], spice_uri[700];
    snprintf(wav2, sizeof(wav2), "%s/out2.wav", dir);
    snprintf(shm, sizeof(shm), "%s/no-frames", dir);
    snprintf(spice_uri, sizeof(spice_uri), "unix:%s", sock);
    rec_pid = audio_record_start(&env, wav2, rlog);
    snprintf(client_log, sizeof(client_log), "%s/client2.log", dir);
    char *cv[] = {(char *)client,
                  "--shm",
                  shm,
                  "--no-vsync",
                  "--spice",
                  spice_uri,
                  "--audio-target",
                  "test-sink",
                  "--audio-idle-s",
                  "1",
                  "--log-level",
                  "debug",
                  "--seconds",
                  "100",
                  NULL};
    client_pid = spawn_logged(cv, client_log);
    CHECK_MSG(wait_for_text(client_log, "keyboard and mouse connected", 0, 20000) > 0,
              "the windowed client did not connect");
    CHECK_MSG(wait_for_text(serial, "vgapt-tone: playing", first_done, 30000) > 0,
              "the guest's second tone did not start");
    CHECK_MSG(wait_for_text(client_log, "playing the guest's SPICE playback stream", 0, 10000) > 0,
              "--audio-source auto did not choose the SPICE playback");
    CHECK_MSG(wait_for_text(serial, "vgapt-tone: done", first_done, 30000) > 0,
              "the second tone did not end");
    vg_sleep_ns(500 * VG_NS_PER_MS);
    audio_record_stop(rec_pid);
    rec_pid = -1;
    check_tone(wav2);
    char *log = vg_test_slurp(client_log);
    CHECK_MSG(log && !strstr(log, "connecting for the guest's audio"),
              "audio opened a SPICE session of its own beside the keyboard and mouse's");
    free(log);
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s QEMU KERNEL MODULES BUSYBOX VG-TONE CLIENT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    qemu = argv[1];
    kernel = argv[2];
    moddir = argv[3];
    busybox = argv[4];
    tone = argv[5];
    client = argv[6];
    dir = vg_test_tmpdir();
    uint64_t whole = vg_time_ns();
    if (start()) {
        RUN(the_guest_tone_plays_on_the_host_sink_at_its_pitch_and_level);
        RUN(the_stream_goes_idle_when_the_guest_stops_playing);
        RUN(one_session_in_the_window_carries_keyboard_mouse_and_audio);
    }
    if (rec_pid > 0)
        audio_record_stop(rec_pid);
    if (client_pid > 0) {
        kill(client_pid, SIGTERM);
        int st = vg_test_wait(client_pid, 10000);
        CHECK_MSG(st == 0, "vgapt-client exited %d on SIGTERM", st);
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
