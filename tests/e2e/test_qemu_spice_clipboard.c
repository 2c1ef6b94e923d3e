/* The clipboard through a real SPICE server: a QEMU guest (TCG) with the agent's virtio-serial
 * port runs a SPICE agent of the test's own (guest_agent.c), which prints what it receives and
 * offers text on request; on the host the real vgapt-client runs under Xvfb with --spice on the
 * VM's socket, and the X clipboard is set and read with xclip as a user's programs would. A
 * 200 KiB text goes each way (the agent's messages span about a hundred chunks), byte for byte;
 * the guest's text in the host's clipboard is not offered back; --no-clipboard-to-host and
 * --no-clipboard-to-guest stop their direction. One boot, three client runs. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "initramfs.h"
#include "spice_guest.h"
#include "testlib.h"
#include "vg/time.h"

#define BIG (200 * 1024)

static const char *qemu, *kernel, *moddir, *busybox, *agent, *client;
static const char *dir;
static char serial[600], client_log[600], qlog[600], sock[600], shm[600];
static pid_t qemu_pid = -1, client_pid = -1;
static char wid[32], root[32];

static const char *const modules[] = {
    "drivers/virtio/virtio_ring",
    "drivers/virtio/virtio",
    "drivers/virtio/virtio_pci_legacy_dev",
    "drivers/virtio/virtio_pci_modern_dev",
    "drivers/virtio/virtio_pci",
    "drivers/char/virtio_console",
};

static const char init_script[] = "#!/bin/busybox sh\n"
                                  "/bin/busybox mount -t proc proc /proc\n"
                                  "/bin/busybox mount -t sysfs sysfs /sys\n"
                                  "/bin/busybox mount -t devtmpfs devtmpfs /dev\n"
                                  "for m in /m/*.ko; do /bin/busybox insmod $m; done\n"
                                  "/bin/vg-agent\n"
                                  "/bin/busybox poweroff -f\n";

static uint32_t fnv1a(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

/* The X clipboard takes the text (xclip serves it until another program takes the selection). */
static bool set_x_clipboard(const char *text, size_t len)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/clip.in", dir);
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(text, 1, len, f) == len;
    if (f)
        ok &= fclose(f) == 0;
    return ok &&
           vg_spice_guest_tool(dir, NULL, 0, "xclip", "-selection", "clipboard", "-i", path, NULL);
}

/* The X clipboard's text (free()) and its length; NULL when none could be read. */
static char *get_x_clipboard(size_t *len)
{
    char out[700], err[700];
    snprintf(out, sizeof(out), "%s/clip.out", dir);
    snprintf(err, sizeof(err), "%s/clip.err", dir);
    char *argv[] = {"xclip", "-selection", "clipboard", "-o", NULL};
    pid_t pid = vg_test_spawn_io(argv, out, err, false);
    if (pid < 0 || vg_test_wait(pid, 10000) != 0)
        return NULL;
    return vg_test_read_file(out, len);
}

/* The window loses the focus and gains it again, as when a user copies in another program and
 * comes back. */
static bool refocus(void)
{
    return vg_spice_guest_tool(dir, NULL, 0, "xdotool", "windowfocus", "--sync", root, NULL) &&
           vg_spice_guest_tool(dir, NULL, 0, "xdotool", "windowfocus", "--sync", wid, NULL);
}

/* The guest's line "vgapt-agent: WHAT A B" after from; its end offset, or -1. */
static long wait_agent(const char *what, long from, int timeout_ms, unsigned long *a, unsigned *b)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "vgapt-agent: %s ", what);
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    do {
        char *text = vg_test_slurp(serial);
        char *line = text && (long)strlen(text) >= from ? strstr(text + from, needle) : NULL;
        char *nl = line ? strchr(line, '\n') : NULL;
        if (nl) {
            unsigned long va = 0;
            unsigned vb = 0;
            sscanf(line + strlen(needle), "%lu %x", &va, &vb);
            if (a)
                *a = va;
            if (b)
                *b = vb;
            long end = (long)(nl + 1 - text);
            free(text);
            return end;
        }
        free(text);
        vg_sleep_ns(50 * VG_NS_PER_MS);
    } while (vg_time_ns() < deadline);
    return -1;
}

static bool agent_said_since(const char *what, long from)
{
    return wait_agent(what, from, 0, NULL, NULL) > 0;
}

static bool boot(void)
{
    char initrd[600], serial_arg[700], spice_arg[700];
    snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", dir);
    snprintf(serial, sizeof(serial), "%s/serial.log", dir);
    snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
    snprintf(client_log, sizeof(client_log), "%s/client.log", dir);
    snprintf(sock, sizeof(sock), "%s/spice.sock", dir);
    snprintf(shm, sizeof(shm), "%s/looking-glass", dir);
    snprintf(serial_arg, sizeof(serial_arg), "file:%s", serial);
    snprintf(spice_arg, sizeof(spice_arg), "unix=on,addr=%s,disable-ticketing=on,agent-mouse=off",
             sock);
    const struct vg_initramfs_file files[] = {{"bin/busybox", busybox}, {"bin/vg-agent", agent}};
    CHECK(vg_initramfs_write(initrd, init_script, files, 2, moddir, modules,
                             sizeof(modules) / sizeof(modules[0])));
    /* The client's frames never come: an empty region (it shows "waiting for guest"). */
    int fd = open(shm, O_RDWR | O_CREAT | O_TRUNC, 0660);
    CHECK(fd >= 0 && ftruncate(fd, 1 << 20) == 0);
    close(fd);
    uint64_t t0 = vg_time_ns();
    const char *extra[] = {"-device",  "virtio-serial-pci",
                           "-chardev", "spicevmc,id=vdagent,name=vdagent",
                           "-device",  "virtserialport,chardev=vdagent,name=com.redhat.spice.0",
                           NULL};
    const struct vg_spice_guest_vm vm = {.qemu = qemu,
                                         .kernel = kernel,
                                         .initrd = initrd,
                                         .spice = spice_arg,
                                         .serial = serial_arg,
                                         .extra = extra,
                                         .log = qlog};
    qemu_pid = vg_spice_guest_spawn(&vm);
    CHECK_MSG(wait_for_text(serial, "vgapt-agent: ready", 0, 90000) > 0,
              "the guest's agent did not open its port");
    fprintf(stderr, "  guest agent ready after %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    char out[256] = "";
    CHECK(vg_spice_guest_tool(dir, out, sizeof(out), "xdotool", "search", "--maxdepth", "0",
                              "--name", "", NULL));
    snprintf(root, sizeof(root), "%.*s", (int)strcspn(out, "\n"), out);
    return vg_test_failures == 0;
}

/* Escape+Q, as a user quits: the client exits on its own (a sanitized build then checks for
 * leaks); whatever it reported is in its log. */
static void stop_client(void)
{
    if (client_pid <= 0)
        return;
    vg_spice_guest_tool(dir, NULL, 0, "xdotool", "windowfocus", "--sync", wid, "keydown",
                        "Scroll_Lock", "key", "q", "keyup", "Scroll_Lock", NULL);
    int st = vg_test_wait(client_pid, 10000);
    CHECK_MSG(st == 0, "the client did not quit cleanly on escape+Q (status %d)", st);
    client_pid = -1;
    char *log = vg_test_slurp(client_log);
    CHECK_MSG(log && !strstr(log, "runtime error") && !strstr(log, "Sanitizer"),
              "the client's log has a sanitizer report");
    free(log);
}

/* Starts the client with the extra flag (or NULL) and waits for its agent and window. */
static bool start_client(const char *flag)
{
    stop_client();
    char spice_uri[700];
    snprintf(spice_uri, sizeof(spice_uri), "unix:%s", sock);
    long at = file_size(client_log);
    char *cv[] = {(char *)client, "--shm",      shm,       "--size",     "320x200",
                  "--no-vsync",   "--no-audio", "--spice", spice_uri,    "--log-level",
                  "debug",        "--seconds",  "120",     (char *)flag, NULL};
    uint64_t t0 = vg_time_ns();
    /* One log for the three runs, each run's lines told apart by the offset it started at. */
    client_pid = vg_test_spawn_io(cv, client_log, client_log, true);
    CHECK_MSG(wait_for_text(client_log, "the guest's agent is there", at, 30000) > 0,
              "the client did not see the guest's agent");
    char out[256] = "", pid[16];
    snprintf(pid, sizeof(pid), "%d", (int)client_pid);
    CHECK(vg_spice_guest_tool(dir, out, sizeof(out), "xdotool", "search", "--sync", "--onlyvisible",
                              "--pid", pid, NULL));
    snprintf(wid, sizeof(wid), "%.*s", (int)strcspn(out, "\n"), out);
    CHECK_MSG(wid[0], "no client window");
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "windowfocus", "--sync", wid, NULL));
    fprintf(stderr, "  client %s ready after %.1f s\n", flag ? flag : "(defaults)",
            vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    return vg_test_failures == 0;
}

/* BIG bytes of text with multi-byte characters. */
static char *big_text(size_t *len)
{
    char *t = malloc(BIG + 64);
    size_t n = 0;
    while (t && n < BIG) {
        n += (size_t)snprintf(t + n, 64,
                              "host line %zu: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n", n);
    }
    if (t && n > BIG) {
        n = BIG;
        while ((uint8_t)t[n - 1] >= 0x80)
            n--;
        t[n] = 0;
    }
    *len = n;
    return t;
}

static void host_text_copied_reaches_the_guest_whole(void)
{
    size_t len;
    char *t = big_text(&len);
    CHECK(t);
    if (!t)
        return;
    long from = file_size(serial);
    uint64_t t0 = vg_time_ns();
    CHECK(set_x_clipboard(t, len));
    CHECK(refocus());
    unsigned long got = 0;
    unsigned hash = 0;
    CHECK_MSG(wait_agent("text", from, 30000, &got, &hash) > 0, "no text reached the guest");
    fprintf(stderr, "  host -> guest: %lu bytes in %.1f s\n", got,
            vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    CHECK_MSG(got == len && hash == fnv1a(t, len), "guest got %lu bytes hash %08x, sent %zu %08x",
              got, hash, len, fnv1a(t, len));
    free(t);
}

static void guest_text_copied_reaches_the_host_whole_and_is_not_offered_back(void)
{
    char cmd[64];
    int n = snprintf(cmd, sizeof(cmd), "vgapt-send %d (to the host)", BIG);
    long from = file_size(serial);
    uint64_t t0 = vg_time_ns();
    CHECK(set_x_clipboard(cmd, (size_t)n));
    CHECK(refocus());
    unsigned long len = 0;
    unsigned hash = 0;
    long at = wait_agent("offered", from, 30000, &len, &hash);
    CHECK_MSG(at > 0, "the guest did not take the command");
    CHECK_MSG(wait_agent("sent", at, 30000, NULL, NULL) > 0, "the client did not ask for it");
    /* The client puts it into the host's clipboard. */
    size_t got = 0;
    char *x = NULL;
    uint64_t deadline = vg_time_ns() + 20 * VG_NS_PER_S;
    do {
        free(x);
        vg_sleep_ns(200 * VG_NS_PER_MS);
        x = get_x_clipboard(&got);
    } while ((!x || got != len || fnv1a(x, got) != hash) && vg_time_ns() < deadline);
    fprintf(stderr, "  guest -> host: %zu bytes in %.1f s\n", got,
            vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    CHECK_MSG(x && got == len && fnv1a(x, got) == hash,
              "the X clipboard holds %zu bytes hash %08x, the guest offered %lu %08x", got,
              x ? fnv1a(x, got) : 0, len, hash);
    free(x);
    /* The host's clipboard now holds the guest's text: coming back to the window, the client
     * does not offer it to the guest again. */
    long after = file_size(serial);
    CHECK(refocus());
    vg_sleep_ns(1500 * VG_NS_PER_MS);
    CHECK_MSG(!agent_said_since("grab", after) && !agent_said_since("text", after),
              "the guest's own text was offered back to it");
}

static void no_clipboard_to_host_keeps_the_guests_text_out(void)
{
    if (!start_client("--no-clipboard-to-host"))
        return;
    static const char cmd[] = "vgapt-send 1000 (kept in the guest)";
    long from = file_size(serial);
    CHECK(set_x_clipboard(cmd, strlen(cmd)));
    CHECK(refocus());
    /* The other direction still works: the command arrives, and the guest offers text. */
    long at = wait_agent("offered", from, 30000, NULL, NULL);
    CHECK_MSG(at > 0, "the guest did not take the command");
    vg_sleep_ns(2000 * VG_NS_PER_MS);
    CHECK_MSG(!agent_said_since("sent", at), "the client asked for the guest's text");
    size_t got = 0;
    char *x = get_x_clipboard(&got);
    CHECK_MSG(x && got == strlen(cmd) && memcmp(x, cmd, got) == 0,
              "the X clipboard changed: %zu bytes", got);
    free(x);
}

static void no_clipboard_to_guest_keeps_the_hosts_text_out(void)
{
    long from = file_size(serial);
    if (!start_client("--no-clipboard-to-guest"))
        return;
    static const char secret[] = "copied on the host, not for the guest";
    CHECK(set_x_clipboard(secret, strlen(secret)));
    CHECK(refocus());
    vg_sleep_ns(2500 * VG_NS_PER_MS);
    CHECK_MSG(!agent_said_since("grab", from) && !agent_said_since("text", from),
              "the guest heard of the host's clipboard");
}

int main(int argc, char **argv)
{
    if (argc < 7)
        return 2;
    qemu = argv[1];
    kernel = argv[2];
    moddir = argv[3];
    busybox = argv[4];
    agent = argv[5];
    client = argv[6];
    dir = vg_test_tmpdir();
    uint64_t t0 = vg_time_ns();
    if (boot() && start_client(NULL)) {
        RUN(host_text_copied_reaches_the_guest_whole);
        RUN(guest_text_copied_reaches_the_host_whole_and_is_not_offered_back);
        RUN(no_clipboard_to_host_keeps_the_guests_text_out);
        RUN(no_clipboard_to_guest_keeps_the_hosts_text_out);
    }
    stop_client();
    if (qemu_pid > 0) {
        kill(qemu_pid, SIGTERM);
        vg_test_wait(qemu_pid, 10000);
    }
    if (vg_test_failures)
        vg_spice_guest_show_logs(serial, client_log, qlog);
    fprintf(stderr, "  whole run %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    return vg_test_finish();
}
