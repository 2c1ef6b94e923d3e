/* vgapt-bench input: a key pressed in vgapt-client's window → the event in the guest's evdev,
 * and the guest's audio through SPICE → the host's sink.
 * The guest is the SPICE input test's (tests/e2e/spice_guest.h): a TCG VM with QEMU's SPICE
 * server whose guest_evdev prints each event on the serial console. The bench owns a private
 * Xvfb, presses keys there with xdotool and reads the console through a socket. The guest's
 * timestamps are on its own clock, so everything is timed here: xdotool started → the event's
 * line read from the console. The baselines, from the same run: the console's round trip alone
 * (a line written to the guest and echoed back by guest_evdev) and xdotool alone.
 * Audio (with PipeWire): the guest also has an HDA device on QEMU's spice audiodev, into which
 * guest_evdev plays a quiet tone; the client plays the SPICE stream into a private PipeWire
 * daemon's null sink, whose monitor the bench records (bench_capture.h). Asked on the console,
 * the guest starts its next fragment with a burst and says when that write returned and how
 * much of the device's queue was ahead of it; the burst is timed when the sink plays it. The
 * baseline beside it: vgapt-bench audio's Scream case on the same daemon. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#ifdef VG_BENCH_AUDIO
#include "audio_env.h"
#include "bench_capture.h"
#endif
#include "initramfs.h"
#include "spice_guest.h"
#include "testlib.h"
#include "vg/opts.h"
#include "vg/time.h"
#include "vg/version.h"

#define KEY_A 30
#define BOOT_MS 120000

/* The guest's console, read through QEMU's socket; each line timed when its read came. */
struct console {
    int fd;
    FILE *log; /* everything read, for the message when something fails */
    char buf[16384];
    size_t len;
    uint64_t read_ns; /* when the last read returned */
};

/* Waits up to timeout_ms for a line holding needle; copies it to line (size bytes, may be NULL)
 * and sets *at to when it was read. Lines before it are dropped. */
static bool console_wait(struct console *c, const char *needle, int timeout_ms, char *line,
                         size_t size, uint64_t *at)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    for (;;) {
        char *nl;
        while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
            *nl = 0;
            bool hit = strstr(c->buf, needle) != NULL;
            if (hit && line && size) {
                size_t keep = strnlen(c->buf, size - 1);
                memcpy(line, c->buf, keep);
                line[keep] = 0;
            }
            size_t used = (size_t)(nl + 1 - c->buf);
            memmove(c->buf, nl + 1, c->len - used);
            c->len -= used;
            if (hit) {
                if (at)
                    *at = c->read_ns;
                return true;
            }
        }
        if (c->len == sizeof(c->buf))
            c->len = 0; /* a line this long is no line of ours */
        uint64_t now = vg_time_ns();
        if (now >= deadline)
            return false;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int r = poll(&p, 1, (int)((deadline - now) / VG_NS_PER_MS) + 1);
        if (r < 0 && errno != EINTR)
            return false;
        if (r <= 0)
            continue;
        ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
        c->read_ns = vg_time_ns();
        if (n <= 0)
            return false; /* QEMU is gone */
        fwrite(c->buf + c->len, 1, (size_t)n, c->log);
        fflush(c->log);
        c->len += (size_t)n;
    }
}

/* path when it is an executable file, else NAME found in PATH; into buf. */
static bool find_program(const char *name, char *buf, size_t size)
{
    const char *path = getenv("PATH");
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(buf, size, "%s/%s", d, name);
        if (access(buf, X_OK) == 0)
            return true;
    }
    return false;
}

/* The newest /boot/vmlinuz-* by name. */
static bool newest_kernel(char *buf, size_t size)
{
    DIR *d = opendir("/boot");
    char best[256] = "";
    for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d))
        if (!strncmp(e->d_name, "vmlinuz-", 8) && strcmp(e->d_name, best) > 0)
            snprintf(best, sizeof(best), "%s", e->d_name);
    if (d)
        closedir(d);
    if (best[0])
        snprintf(buf, size, "/boot/%s", best);
    return best[0] != 0;
}

/* A private X server on a free display: Xvfb tells which through -displayfd. */
static pid_t start_xvfb(const char *xvfb, const char *log)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    char fd_arg[16];
    snprintf(fd_arg, sizeof(fd_arg), "%d", p[1]);
    char *argv[] = {(char *)xvfb, "-displayfd", fd_arg,        "-nolisten", "tcp",
                    "-screen",    "0",          "1024x768x24", NULL};
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out >= 0) {
            dup2(out, 1);
            dup2(out, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    char num[16] = "";
    size_t got = 0;
    struct pollfd pf = {.fd = p[0], .events = POLLIN};
    while (pid > 0 && got < sizeof(num) - 1 && poll(&pf, 1, 10000) > 0) {
        ssize_t n = read(p[0], num + got, sizeof(num) - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (memchr(num, '\n', got))
            break;
    }
    close(p[0]);
    num[strcspn(num, "\n")] = 0;
    if (pid > 0 && num[0]) {
        char display[32];
        snprintf(display, sizeof(display), ":%s", num);
        setenv("DISPLAY", display, 1);
        return pid;
    }
    fprintf(stderr, "vgapt-bench: Xvfb did not start (log in %s)\n", log);
    if (pid > 0) {
        kill(pid, SIGTERM);
        vg_test_wait(pid, 5000);
    }
    return -1;
}

/* Runs xdotool to completion with the NULL-terminated arguments; its first line of output in
 * out (may be NULL). */
static bool xdo(const char *dir, char *out, size_t size, const char *const *args)
{
    char o[256] = "", e[1024] = "";
    int st = vg_test_run_capture("xdotool", args, dir, 15000, o, sizeof(o), e, sizeof(e));
    if (st != 0)
        fprintf(stderr, "vgapt-bench: xdotool %s: exit %d: %s\n", args[0], st, e);
    if (out)
        snprintf(out, size, "%.*s", (int)strcspn(o, "\n"), o);
    return st == 0;
}

static int connect_unix(const char *path, int timeout_ms)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "vgapt-bench: %s: too long for a socket (set TMPDIR shorter)\n", path);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    do {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        if (fd >= 0)
            close(fd);
        vg_sleep_ns(20 * VG_NS_PER_MS);
    } while (vg_time_ns() < deadline);
    return -1;
}

/* vg_test_wait's, to a fifth of a millisecond: the exit is a figure here. */
static int reap(pid_t pid, int timeout_ms)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    int st;
    pid_t got;
    while ((got = waitpid(pid, &st, WNOHANG)) == 0 && vg_time_ns() < deadline)
        vg_sleep_ns(200 * 1000);
    if (got == 0)
        return vg_test_wait(pid, 0); /* kills it */
    return got == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void print_row(const char *what, double *v, size_t n)
{
    printf("  %-34s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%zu)\n", what,
           vg_bench_percentile(v, n, 0.5), vg_bench_percentile(v, n, 0.99),
           vg_bench_percentile(v, n, 1.0), n);
}

static void show_tail(const char *what, const char *path)
{
    char *text = vg_test_slurp(path);
    size_t n = text ? strlen(text) : 0;
    fprintf(stderr, "--- %s (last 2000 bytes)\n%s\n", what,
            text ? text + (n > 2000 ? n - 2000 : 0) : "");
    free(text);
}

struct run {
    const char *dir;
    bool audio;     /* the guest's sound device, the client's SPICE audio, the bench's capture */
    int guest_rate; /* what the guest's /dev/dsp took */
    char qemu[4096], xdotool[4096], xvfb[4096], busybox[4096], kernel[4096], moddir[4300];
    pid_t xvfb_pid, qemu_pid, producer_pid, client_pid;
    char spice[700], serial_sock[700], shm[700], qemu_log[700], client_log[700], xvfb_log[700];
    struct console con;
    int kbd;
    char wid[32];
#ifdef VG_BENCH_AUDIO
    struct audio_env env;
    bool env_up;
    struct vg_bench_capture cap;
#endif
};

/* Xvfb, the VM (waiting for its console's reader), the client on its SPICE socket with a host
 * vgapt-guest giving it a frame, and the focus on the client's window. */
static bool start(struct run *r)
{
    char initrd[700], serial_arg[800], spice_arg[800], spice_uri[800];
    snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", r->dir);
    snprintf(r->spice, sizeof(r->spice), "%s/spice.sock", r->dir);
    snprintf(r->serial_sock, sizeof(r->serial_sock), "%s/serial.sock", r->dir);
    snprintf(r->shm, sizeof(r->shm), "%s/frames.shm", r->dir);
    snprintf(r->qemu_log, sizeof(r->qemu_log), "%s/qemu.log", r->dir);
    snprintf(r->client_log, sizeof(r->client_log), "%s/client.log", r->dir);
    snprintf(r->xvfb_log, sizeof(r->xvfb_log), "%s/xvfb.log", r->dir);
    char script[1024];
    snprintf(script, sizeof(script), "%s/bin/vg-evdev%s\n/bin/busybox poweroff -f\n",
             vg_spice_guest_init_head, r->audio ? " marks" : "");
    const struct vg_initramfs_file files[] = {{"bin/busybox", r->busybox},
                                              {"bin/vg-evdev", vg_bench_evdev()}};
    const char *modules[64];
    size_t n_modules = 0;
    for (size_t i = 0; i < vg_spice_guest_n_modules; i++)
        modules[n_modules++] = vg_spice_guest_modules[i];
    for (size_t i = 0; r->audio && i < vg_spice_guest_n_sound_modules; i++)
        modules[n_modules++] = vg_spice_guest_sound_modules[i];
    if (!vg_initramfs_write(initrd, script, files, 2, r->moddir, modules, n_modules))
        return false;
    r->xvfb_pid = start_xvfb(r->xvfb, r->xvfb_log);
    if (r->xvfb_pid < 0)
        return false;

    snprintf(serial_arg, sizeof(serial_arg), "socket,id=con,path=%s,server=on,wait=on",
             r->serial_sock);
    snprintf(spice_arg, sizeof(spice_arg), "unix=on,addr=%s,disable-ticketing=on,agent-mouse=off",
             r->spice);
    const char *extra[] = {"-chardev", serial_arg, NULL};
    const struct vg_spice_guest_vm vm = {.qemu = r->qemu,
                                         .kernel = r->kernel,
                                         .initrd = initrd,
                                         .spice = spice_arg,
                                         .serial = "chardev:con",
                                         .input = true,
                                         .sound = r->audio,
                                         .extra = extra,
                                         .log = r->qemu_log};
    uint64_t t0 = vg_time_ns();
    r->qemu_pid = vg_spice_guest_spawn(&vm);
    r->con.fd = r->qemu_pid > 0 ? connect_unix(r->serial_sock, 30000) : -1;
    if (r->con.fd < 0) {
        fprintf(stderr, "vgapt-bench: QEMU's console socket did not come\n");
        show_tail("qemu", r->qemu_log);
        return false;
    }
    char line[512];
    r->kbd = -1;
    bool ready = false;
    while (!ready && console_wait(&r->con, "vgapt-evdev: ", BOOT_MS, line, sizeof(line), NULL)) {
        const char *at = strstr(line, "vgapt-evdev: ");
        int idx;
        if (!at)
            continue; /* cut where the needle was */
        ready = !strncmp(at, "vgapt-evdev: ready", 18);
        if (!strncmp(at, "vgapt-evdev: audio ", 19)) {
            printf("guest %s\n", at + 13);
            sscanf(at, "vgapt-evdev: audio %d Hz", &r->guest_rate);
            r->audio &= strncmp(at, "vgapt-evdev: audio error", 24) != 0;
        }
        if (sscanf(at, "vgapt-evdev: device %d", &idx) == 1 && strstr(at, "Virtio Keyboard"))
            r->kbd = idx;
    }
    if (!ready || r->kbd < 0) {
        fprintf(stderr, "vgapt-bench: the guest did not come up with its virtio keyboard (a "
                        "static busybox is needed: apt-get install busybox-static)\n");
        return false;
    }
    printf("guest up in %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000);

    int fd = open(r->shm, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool sized = fd >= 0 && ftruncate(fd, 16 << 20) == 0;
    if (fd >= 0)
        close(fd);
    if (!sized)
        return false;
    char *gv[] = {vg_bench_guest(), "pattern", "--shm", r->shm,    "--size",
                  "720x400",        "--fps",   "5",     "--still", NULL};
    r->producer_pid = vg_test_spawn_io(gv, r->client_log, r->client_log, true);
    snprintf(spice_uri, sizeof(spice_uri), "unix:%s", r->spice);
    /* Audio from SPICE alone: the Scream region does not exist. */
    char no_scream[720];
    snprintf(no_scream, sizeof(no_scream), "%s/no-scream", r->dir);
    char *cv[24] = {vg_bench_client(), "--shm",   r->shm,    "--size",      "720x400",
                    "--no-vsync",      "--spice", spice_uri, "--log-level", "info"};
    size_t n_cv = 10;
    const char *audio[] = {
        "--audio-source",   "spice", "--scream", no_scream, "--audio-target", "test-sink",
        "--audio-report-s", "1",     NULL};
    const char *no_audio[] = {"--no-audio", NULL};
    for (const char *const *a = r->audio ? audio : no_audio; *a; a++)
        cv[n_cv++] = (char *)*a;
    r->client_pid = vg_test_spawn_io(cv, r->client_log, r->client_log, true);
    const char *search[] = {"search", "--sync", "--onlyvisible", "--name", "^vgapt", NULL};
    if (!xdo(r->dir, r->wid, sizeof(r->wid), search) || !r->wid[0]) {
        fprintf(stderr, "vgapt-bench: no client window\n");
        show_tail("client", r->client_log);
        return false;
    }
    const char *focus[] = {"windowfocus", "--sync", r->wid, NULL};
    if (!xdo(r->dir, NULL, 0, focus))
        return false;
    /* The client says so once SPICE takes its keys. */
    for (uint64_t end = vg_time_ns() + 30000 * VG_NS_PER_MS; vg_time_ns() < end;) {
        char *log = vg_test_slurp(r->client_log);
        bool up = log && strstr(log, "keyboard and mouse connected");
        free(log);
        if (up)
            return true;
        vg_sleep_ns(20 * VG_NS_PER_MS);
    }
    fprintf(stderr, "vgapt-bench: the client did not connect to the SPICE server\n");
    show_tail("client", r->client_log);
    return false;
}

static void stop(struct run *r)
{
    pid_t *pids[] = {&r->client_pid, &r->producer_pid, &r->qemu_pid, &r->xvfb_pid};
    for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++)
        if (*pids[i] > 0) {
            kill(*pids[i], SIGTERM);
            vg_test_wait(*pids[i], 10000);
            *pids[i] = 0;
        }
    if (r->con.fd >= 0)
        close(r->con.fd);
    r->con.fd = -1;
}

#ifdef VG_BENCH_AUDIO
#define MARK_SPACING_MS 300 /* between marks; a burst heard later than this is not that mark */

/* The guest's audio through SPICE: n marks asked on the console, each timed at the sink three
 * ways (see the rows printed). false when the stream never sounded or no mark was heard. */
static bool measure_audio(struct run *r, int64_t n)
{
    bool ok = false;
    double *asked = calloc((size_t)n, sizeof(double)), *written = calloc((size_t)n, sizeof(double)),
           *path = calloc((size_t)n, sizeof(double));
    uint64_t *t_ask = calloc((size_t)n, sizeof(uint64_t)),
             *t_line = calloc((size_t)n, sizeof(uint64_t));
    long *queued = calloc((size_t)n, sizeof(long));
    if (!asked || !written || !path || !t_ask || !t_line || !queued ||
        !vg_bench_capture_start(&r->cap, 0)) {
        fprintf(stderr, "vgapt-bench: cannot open a capture stream on the sink\n");
        goto out;
    }
    /* The tone: asked for, sounding at the sink, then 3 s for the client's lock-in. */
    uint64_t t0 = vg_time_ns();
    if (write(r->con.fd, "audio on\n", 9) != 9 ||
        !console_wait(&r->con, "vgapt-evdev: audio on", 5000, NULL, 0, NULL)) {
        fprintf(stderr, "vgapt-bench: the guest did not start its tone\n");
        goto out;
    }
    while (!r->cap.gaps.sounded && vg_time_ns() - t0 < 30 * VG_NS_PER_S)
        vg_sleep_ns(20 * VG_NS_PER_MS);
    if (!r->cap.gaps.sounded) {
        fprintf(stderr, "vgapt-bench: the guest's tone never reached the sink\n");
        show_tail("client", r->client_log);
        goto out;
    }
    printf("guest tone at the sink after %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000);
    vg_sleep_ns(3 * VG_NS_PER_S);
    uint64_t gaps0 = r->cap.gaps.gaps, gap_frames0 = r->cap.gaps.gap_frames;
    unsigned heard0 = atomic_load(&r->cap.n);
    int64_t sent = 0;
    for (; sent < n; sent++) {
        char msg[32], want[64], line[256];
        int len = snprintf(msg, sizeof(msg), "mark %lld\n", (long long)sent);
        snprintf(want, sizeof(want), "vgapt-evdev: mark %lld written", (long long)sent);
        t_ask[sent] = vg_time_ns();
        if (write(r->con.fd, msg, (size_t)len) != len ||
            !console_wait(&r->con, want, 3000, line, sizeof(line), &t_line[sent]))
            break;
        const char *q = strstr(line, "queued ");
        queued[sent] = q ? atol(q + 7) : -1;
        uint64_t next = t_ask[sent] + MARK_SPACING_MS * VG_NS_PER_MS;
        if (vg_time_ns() < next)
            vg_sleep_ns(next - vg_time_ns());
    }
    vg_sleep_ns(MARK_SPACING_MS * VG_NS_PER_MS);
    vg_bench_capture_stop(&r->cap);
    unsigned heard = atomic_load(&r->cap.n);
    size_t m = 0, j = heard0;
    for (int64_t k = 0; k < sent; k++) {
        while (j < heard && r->cap.played[j] < t_ask[k])
            j++;
        if (j >= heard || r->cap.played[j] - t_ask[k] >= MARK_SPACING_MS * VG_NS_PER_MS)
            continue; /* lost, or heard so late that it reads as the next */
        asked[m] = vg_ns_to_ms(r->cap.played[j] - t_ask[k]);
        written[m] = (double)((int64_t)r->cap.played[j] - (int64_t)t_line[k]) / 1e6;
        path[m] = queued[k] >= 0 && r->guest_rate > 0
                      ? written[m] - (double)queued[k] * 1000 / r->guest_rate
                      : NAN;
        m++;
        j++;
    }
    printf("guest audio through SPICE -> the host's sink (%lld marks asked, %zu heard; gaps in "
           "the tone meanwhile: %llu, %.1f ms):\n",
           (long long)sent, m, (unsigned long long)(r->cap.gaps.gaps - gaps0),
           (double)(r->cap.gaps.gap_frames - gap_frames0) * 1000 / 48000);
    if (m == 0) {
        fprintf(stderr, "vgapt-bench: no mark was heard at the sink\n");
        goto out;
    }
    print_row("mark asked on the console -> sink", asked, m);
    print_row("guest write returned -> sink", written, m);
    size_t np = 0;
    for (size_t i = 0; i < m; i++)
        if (!isnan(path[i]))
            path[np++] = path[i];
    if (np)
        print_row("  less the guest's /dev/dsp queue", path, np);
    printf("  (the first row holds one console trip in and the guest's wait for a free fragment; "
           "the second is short by the trip out of its line; the third leaves out what the "
           "guest had queued ahead of the mark: QEMU's HDA and SPICE server, the client and "
           "PipeWire)\n");
    char *log = vg_test_slurp(r->client_log);
    struct audio_report rep = {.latency_ms = NAN}, last = rep;
    for (const char *p = log; p && audio_report_next(&p, &rep);)
        last = rep;
    free(log);
    if (!isnan(last.latency_ms))
        printf("  the client's own last report: latency %.1f ms (fill %.1f ms, target %u ms); "
               "the rest of the third row is QEMU's HDA device and SPICE server\n",
               last.latency_ms, last.fill_ms, last.target_ms);
    ok = true;
out:
    vg_bench_capture_stop(&r->cap);
    free(asked);
    free(written);
    free(path);
    free(t_ask);
    free(t_line);
    free(queued);
    return ok;
}
#endif

/* A tool the bench needs, or the line saying what to install. */
static bool need(bool found, const char *what, const char *hint)
{
    if (!found)
        fprintf(stderr, "vgapt-bench input: needs %s: %s\n", what, hint);
    return found;
}

int vg_bench_input(int argc, char **argv)
{
    int64_t presses = 50, marks = 40, scream_s = 20;
    bool no_audio = false;
    char *kernel = NULL;
    const struct vg_opt opts[] = {
        {"presses", 0, VG_OPT_INT, &presses, 10, 10000, NULL, "N",
         "key presses measured (and as many console echoes)", NULL, NULL},
        {"marks", 0, VG_OPT_INT, &marks, 5, 3000, NULL, "N",
         "audio marks the guest plays through SPICE, 0.3 s apart", NULL, NULL},
        {"scream-seconds", 0, VG_OPT_INT, &scream_s, 5, 3600, NULL, "S",
         "length of the Scream run measured beside SPICE audio", NULL, NULL},
        {"no-audio", 0, VG_OPT_FLAG, &no_audio, 0, 0, NULL, NULL,
         "keys only: no sound device in the guest, no SPICE audio", NULL, NULL},
        {"kernel", 0, VG_OPT_STRING, &kernel, 0, 0, NULL, "FILE",
         "the guest's kernel; its modules are taken from /lib/modules/VERSION", NULL,
         "the newest /boot/vmlinuz-*"},
    };
    const size_t n_opts = sizeof(opts) / sizeof(opts[0]);
    const struct vg_opts_program prog = {
        "vgapt-bench input", "[OPTIONS]",
        "Measures a key pressed in vgapt-client's window (xdotool, in a private Xvfb) to its\n"
        "event in the evdev of a QEMU guest under TCG (QEMU's SPICE server, virtio keyboard),\n"
        "timed on the host up to the event's line on the guest's serial console, against that\n"
        "console's round trip alone and xdotool alone. Then the guest's audio through SPICE\n"
        "(an HDA device on QEMU's spice audiodev) to a private PipeWire daemon's sink, beside\n"
        "vgapt-bench audio's Scream figure. Needs qemu-system-x86_64, a kernel in /boot with\n"
        "its modules, a static busybox, xdotool and Xvfb; for audio, PipeWire and WirePlumber.",
        VG_VERSION};
    int exit_status = vg_opts_parse_or_exit(&prog, opts, n_opts, argc, argv);
    if (exit_status >= 0) {
        vg_opts_free(opts, n_opts);
        return exit_status;
    }
    struct run *r = calloc(1, sizeof(*r));
    double *lat = calloc((size_t)presses, sizeof(double)),
           *echo = calloc((size_t)presses, sizeof(double)),
           *xd = calloc((size_t)presses, sizeof(double));
    int status = 2;
    if (r)
        r->con.fd = -1;
    if (!r || !lat || !echo || !xd)
        goto out;
    bool have_kernel =
        kernel ? access(kernel, R_OK) == 0 : newest_kernel(r->kernel, sizeof(r->kernel));
    if (kernel)
        snprintf(r->kernel, sizeof(r->kernel), "%s", kernel);
    const char *base = strrchr(r->kernel, '/');
    base = base ? base + 1 : r->kernel;
    snprintf(r->moddir, sizeof(r->moddir), "/lib/modules/%s/kernel",
             strncmp(base, "vmlinuz-", 8) ? base : base + 8);
    char probe[4400];
    snprintf(probe, sizeof(probe), "%s/drivers/virtio/virtio_input.ko", r->moddir);
    bool ok = need(find_program("qemu-system-x86_64", r->qemu, sizeof(r->qemu)),
                   "qemu-system-x86_64", "apt-get install qemu-system-x86");
    ok &= need(have_kernel, "a readable kernel (/boot/vmlinuz-*, or --kernel)",
               "apt-get install linux-image-amd64");
    ok &= need(have_kernel && access(probe, R_OK) == 0, "the kernel's virtio_input module",
               "install the linux-image package of that kernel");
    ok &= need(find_program("busybox", r->busybox, sizeof(r->busybox)), "a static busybox",
               "apt-get install busybox-static");
    ok &= need(find_program("xdotool", r->xdotool, sizeof(r->xdotool)), "xdotool",
               "apt-get install xdotool");
    ok &= need(find_program("Xvfb", r->xvfb, sizeof(r->xvfb)), "Xvfb", "apt-get install xvfb");
    ok &= need(access(vg_bench_evdev(), X_OK) == 0, "its guest helper vgapt-bench-evdev",
               "build vgapt-bench again (it builds the helper too)");
    if (!ok)
        goto out;
    status = 1;
    r->dir = vg_test_tmpdir();
#ifdef VG_BENCH_AUDIO
    char sound_probe[4400];
    snprintf(sound_probe, sizeof(sound_probe), "%s/%s.ko", r->moddir,
             vg_spice_guest_sound_modules[vg_spice_guest_n_sound_modules - 1]);
    r->audio = !no_audio && need(access(sound_probe, R_OK) == 0,
                                 "for audio, the kernel's sound modules (snd-pcm-oss)",
                                 "install the linux-image package of that kernel, or --no-audio");
    if (r->audio) {
        pw_init(NULL, NULL);
        r->env_up = audio_env_start(&r->env, r->dir, 2);
        r->audio = r->env_up;
        if (!r->env_up)
            fprintf(stderr, "vgapt-bench input: no audio figures: the private PipeWire daemon "
                            "did not start\n");
    }
#else
    if (!no_audio)
        printf("(built without PipeWire: no audio figures)\n");
#endif
    signal(SIGPIPE, SIG_IGN);
    char con_log[700];
    snprintf(con_log, sizeof(con_log), "%s/console.log", r->dir);
    r->con.log = fopen(con_log, "w");
    if (!r->con.log)
        goto out;
    printf("vgapt-bench input: key press in vgapt-client's window -> EV_KEY in the guest's "
           "evdev, %lld presses\n",
           (long long)presses);
    printf("The guest runs under TCG (QEMU's emulator, no KVM): it is slower than a KVM guest, "
           "so these figures are an upper bound of what a KVM guest sees.\n");
    if (!start(r)) {
        show_tail("guest console", con_log);
        goto out;
    }

    /* The console's round trip: a line written to the guest and echoed by guest_evdev. */
    size_t n_echo = 0;
    for (int64_t i = 0; i < presses; i++) {
        char msg[32], want[48];
        int len = snprintf(msg, sizeof(msg), "ping-%lld\n", (long long)i);
        snprintf(want, sizeof(want), "echo ping-%lld", (long long)i);
        uint64_t t0 = vg_time_ns(), at = 0;
        if (write(r->con.fd, msg, (size_t)len) != len ||
            !console_wait(&r->con, want, 5000, NULL, 0, &at))
            break;
        echo[n_echo++] = vg_ns_to_ms(at - t0);
    }
    /* xdotool alone, started as for the keys: connected to the X server, one request
     * answered, exited. */
    size_t n_xd = 0;
    for (int64_t i = 0; i < presses; i++) {
        char *gv[] = {r->xdotool, "getwindowfocus", NULL};
        uint64_t t0 = vg_time_ns();
        pid_t pid = vg_test_spawn_io(gv, "/dev/null", "/dev/null", false);
        if (pid <= 0 || reap(pid, 10000) != 0)
            break;
        xd[n_xd++] = vg_ns_to_ms(vg_time_ns() - t0);
    }
    /* The key: xdotool started → the press's line read; the release is awaited before the
     * next press. */
    size_t n_lat = 0;
    char down[64], up[64];
    snprintf(down, sizeof(down), "vgapt-evdev: %d 1 %d 1", r->kbd, KEY_A);
    snprintf(up, sizeof(up), "vgapt-evdev: %d 1 %d 0", r->kbd, KEY_A);
    for (int64_t i = 0; i < presses; i++) {
        char *kv[] = {r->xdotool, "key", "a", NULL};
        uint64_t t0 = vg_time_ns(), at = 0;
        pid_t pid = vg_test_spawn_io(kv, "/dev/null", "/dev/null", false);
        bool seen = pid > 0 && console_wait(&r->con, down, 5000, NULL, 0, &at);
        bool released = seen && console_wait(&r->con, up, 5000, NULL, 0, NULL);
        int st = pid > 0 ? vg_test_wait(pid, 10000) : -1;
        if (!seen || !released || st != 0) {
            fprintf(stderr, "vgapt-bench: press %lld: xdotool exit %d, press %s, release %s\n",
                    (long long)i, st, seen ? "seen" : "not seen", released ? "seen" : "not seen");
            break;
        }
        lat[n_lat++] = vg_ns_to_ms(at - t0);
        vg_sleep_ns(30 * VG_NS_PER_MS);
    }
    if (n_lat == 0) {
        fprintf(stderr, "vgapt-bench: no key press reached the guest\n");
        show_tail("client", r->client_log);
        show_tail("guest console", con_log);
        goto out;
    }
    printf("key press -> guest evdev, timed on the host (xdotool started -> the event's line on "
           "the guest's serial console):\n");
    print_row("key -> guest evdev", lat, n_lat);
    printf("baselines, measured in the same run (the key's figure holds one trip out on the "
           "console and one xdotool run):\n");
    print_row("serial console round trip (echo)", echo, n_echo);
    print_row("xdotool alone (getwindowfocus)", xd, n_xd);
    status = n_lat == (size_t)presses ? 0 : 1;
#ifdef VG_BENCH_AUDIO
    if (r->audio) {
        if (!measure_audio(r, marks))
            status = 1;
        stop(r); /* the sink is the Scream run's alone */
        struct vg_bench_audio_case sc;
        printf("the baseline, measured on the same daemon: vgapt-bench audio's first case "
               "(Scream, %llds; chunk written -> sink, from 2 s on):\n",
               (long long)scream_s);
        if (vg_bench_audio_scream(r->dir, (double)scream_s, &sc))
            printf("  %-34s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%zu); gaps %llu "
                   "(%.1f ms)\n",
                   "Scream chunk written -> sink", sc.p50, sc.p99, sc.max, sc.marks,
                   (unsigned long long)sc.gaps, sc.gap_ms);
        else
            status = 1;
    }
#endif
out:
    if (r) {
        stop(r);
        if (r->con.log)
            fclose(r->con.log);
#ifdef VG_BENCH_AUDIO
        if (r->env_up) {
            audio_env_stop(&r->env);
            pw_deinit();
        }
#endif
    }
    free(r);
    free(lat);
    free(echo);
    free(xd);
    vg_opts_free(opts, n_opts);
    return status;
}
