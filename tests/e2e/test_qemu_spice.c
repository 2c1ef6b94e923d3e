/* Keyboard and mouse through a real SPICE server: a QEMU guest (TCG) with virtio keyboard,
 * tablet and mouse prints its evdev events on the serial console (guest_evdev.c) while its
 * vgapt-guest shows a frame through ivshmem; on the host the real vgapt-client runs under Xvfb
 * with --spice on the VM's socket, and xdotool types and clicks into its window as a user
 * would. What arrives in the guest is checked code by code. */
#include <fcntl.h>
#include <signal.h>
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

/* The guest's VGA text console (80x25 of 9x16): the SPICE display the tablet is scaled to.
 * The ivshmem frame has the same size, so window pixels are guest pixels. */
#define W 720
#define H 400
#define TABLET_MAX 32767

#define EV_KEY 1
#define EV_REL 2
#define EV_ABS 3
#define ANY (-99999)

static const char *qemu, *kernel, *moddir, *busybox, *guest, *evdev, *client;
static const char *dir;
static char serial[600], client_log[600], qlog[600], sock[600], shm[600];
static pid_t qemu_pid = -1, client_pid = -1;
static char wid[32];
static int dev_kbd = -1, dev_tablet = -1, dev_mouse = -1;
static long seen; /* serial offset up to which events were consumed */

/* After vg_spice_guest_init_head. */
static const char init_script[] =
    "for d in /sys/bus/pci/devices/*; do\n"
    "  if [ \"$(/bin/busybox cat $d/vendor)\" = 0x1af4 ] && "
    "[ \"$(/bin/busybox cat $d/device)\" = 0x1110 ]; then dev=$d; fi\n"
    "done\n"
    "echo 1 > $dev/enable\n"
    "/bin/vgapt-guest pattern --shm $dev/resource2_wc --size 720x400 --fps 5 --still "
    "--seconds 600 &\n"
    "/bin/vg-evdev\n"
    "/bin/busybox poweroff -f\n";

static bool make_initramfs(const char *path)
{
    const struct vg_initramfs_file files[] = {
        {"bin/busybox", busybox}, {"bin/vgapt-guest", guest}, {"bin/vg-evdev", evdev}};
    char script[2048];
    snprintf(script, sizeof(script), "%s%s", vg_spice_guest_init_head, init_script);
    return vg_initramfs_write(path, script, files, 3, moddir, vg_spice_guest_modules,
                              vg_spice_guest_n_modules);
}

struct ev {
    int dev, type, code, value;
};

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

/* Waits until the guest prints an event matching dev/type/code/value (ANY: any) after `seen`;
 * moves `seen` past it. *value_out: its value. */
static bool wait_event(int dev, int type, int code, int value, int timeout_ms, int *value_out)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    do {
        char *text = vg_test_slurp(serial);
        if (text && (long)strlen(text) >= seen) {
            char *p = text + seen;
            char *line;
            while ((line = strstr(p, "vgapt-evdev: ")) != NULL) {
                char *nl = strchr(line, '\n');
                if (!nl)
                    break;
                struct ev e;
                p = nl + 1;
                if (sscanf(line, "vgapt-evdev: %d %d %d %d", &e.dev, &e.type, &e.code, &e.value) !=
                    4)
                    continue;
                if ((dev == ANY || e.dev == dev) && e.type == type &&
                    (code == ANY || e.code == code) && (value == ANY || e.value == value)) {
                    seen = (long)(nl + 1 - text);
                    if (value_out)
                        *value_out = e.value;
                    free(text);
                    return true;
                }
            }
        }
        free(text);
        vg_sleep_ns(20 * VG_NS_PER_MS);
    } while (vg_time_ns() < deadline);
    return false;
}

/* The events the guest printed after `seen` (without consuming them): count of matches. */
static int count_events(int dev, int type, int code, long from, int *sum)
{
    char *text = vg_test_slurp(serial);
    int n = 0;
    if (sum)
        *sum = 0;
    if (text && (long)strlen(text) >= from) {
        for (char *line = strstr(text + from, "vgapt-evdev: "); line;
             line = strstr(line + 1, "vgapt-evdev: ")) {
            struct ev e;
            if (sscanf(line, "vgapt-evdev: %d %d %d %d", &e.dev, &e.type, &e.code, &e.value) == 4 &&
                (dev == ANY || e.dev == dev) && e.type == type && (code == ANY || e.code == code)) {
                n++;
                if (sum)
                    *sum += e.value;
            }
        }
    }
    free(text);
    return n;
}

static int device_index(const char *text, const char *name)
{
    /* The serial console ends its lines with \r\n. */
    for (const char *l = strstr(text, "vgapt-evdev: device "); l;
         l = strstr(l + 1, "vgapt-evdev: device ")) {
        int idx, len = 0;
        if (sscanf(l, "vgapt-evdev: device %d %n", &idx, &len) == 1 &&
            strncmp(l + len, name, strlen(name)) == 0 && strchr("\r\n", l[len + strlen(name)]))
            return idx;
    }
    return -1;
}

/* Boots the VM, starts the client on its socket and finds the client's window. */
static bool start(void)
{
    char initrd[600], serial_arg[700], spice_arg[700], memdev[800], spice_uri[700];
    snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", dir);
    snprintf(serial, sizeof(serial), "%s/serial.log", dir);
    snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
    snprintf(client_log, sizeof(client_log), "%s/client.log", dir);
    snprintf(sock, sizeof(sock), "%s/spice.sock", dir);
    snprintf(shm, sizeof(shm), "%s/looking-glass", dir);
    snprintf(serial_arg, sizeof(serial_arg), "file:%s", serial);
    /* agent-mouse=off: absolute motion goes to the tablet (there is no agent anyway). QEMU
     * takes the pointer device its guest activated last as the one that says whether the
     * guest is absolute: the tablet after the mouse, as a VM for a desktop is set up. */
    snprintf(spice_arg, sizeof(spice_arg), "unix=on,addr=%s,disable-ticketing=on,agent-mouse=off",
             sock);
    snprintf(spice_uri, sizeof(spice_uri), "unix:%s", sock);
    CHECK(make_initramfs(initrd));
    int fd = open(shm, O_RDWR | O_CREAT | O_TRUNC, 0660);
    CHECK(fd >= 0 && ftruncate(fd, 16 << 20) == 0);
    close(fd);
    snprintf(memdev, sizeof(memdev), "memory-backend-file,id=shm,mem-path=%s,size=16M,share=on",
             shm);

    uint64_t t0 = vg_time_ns();
    const char *extra[] = {"-object", memdev, "-device", "ivshmem-plain,memdev=shm", NULL};
    const struct vg_spice_guest_vm vm = {.qemu = qemu,
                                         .kernel = kernel,
                                         .initrd = initrd,
                                         .spice = spice_arg,
                                         .serial = serial_arg,
                                         .input = true,
                                         .extra = extra,
                                         .log = qlog};
    qemu_pid = vg_spice_guest_spawn(&vm);
    CHECK_MSG(wait_for_text(serial, "vgapt-evdev: ready", 0, 90000) > 0,
              "the guest did not come up with its input devices");
    fprintf(stderr, "  guest ready after %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    char *text = vg_test_slurp(serial);
    if (text) {
        dev_kbd = device_index(text, "QEMU Virtio Keyboard");
        dev_tablet = device_index(text, "QEMU Virtio Tablet");
        dev_mouse = device_index(text, "QEMU Virtio Mouse");
        seen = (long)strlen(text);
    }
    free(text);
    CHECK_MSG(dev_kbd >= 0 && dev_tablet >= 0 && dev_mouse >= 0,
              "virtio devices: keyboard %d tablet %d mouse %d", dev_kbd, dev_tablet, dev_mouse);

    char *cv[] = {(char *)client, "--shm",      shm,          "--size",  "720x400", "--scale",
                  "native",       "--no-vsync", "--no-audio", "--spice", spice_uri, "--log-level",
                  "debug",        "--seconds",  "150",        NULL};
    client_pid = spawn_logged(cv, client_log);
    CHECK_MSG(wait_for_text(client_log, "keyboard and mouse connected", 0, 30000) > 0,
              "the client did not connect to the SPICE server");
    /* QEMU offers absolute positions once its display and tablet are there. */
    CHECK_MSG(wait_for_text(client_log, "SPICE mouse mode client", 0, 30000) > 0,
              "the server did not switch to client (absolute) mouse mode");
    CHECK_MSG(wait_for_text(client_log, "showing 720x400", 0, 60000) > 0,
              "no frame from the guest");
    /* Absolute mode over the guest's own cursor: one cursor on screen, the guest's. */
    CHECK_MSG(wait_for_text(client_log, "host cursor over the window: hidden", 0, 10000) > 0,
              "the host cursor stays over the guest's in absolute mode");
    char out[256] = "";
    bool found = vg_spice_guest_tool(dir, out, sizeof(out), "xdotool", "search", "--sync",
                                     "--onlyvisible", "--name", "^vgapt", NULL);
    snprintf(wid, sizeof(wid), "%.*s", (int)strcspn(out, "\n"), out);
    CHECK_MSG(found && wid[0], "no client window");
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "windowfocus", "--sync", wid, NULL));
    fprintf(stderr, "  client ready after %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    return vg_test_failures == 0;
}

struct key_case {
    const char *xname; /* X keysym name */
    int code;          /* Linux KEY_ code in the guest */
};

static void keys_typed_in_the_window_arrive_with_their_codes(void)
{
    /* Plain, E0-prefixed and the special keys; F11 and F12 go to the guest too (no host
     * shortcut takes them while the guest has the keyboard). */
    static const struct key_case keys[] = {
        {"a", 30},         {"Return", 28},     {"1", 2},          {"Right", 106},
        {"Control_R", 97}, {"KP_Divide", 98},  {"KP_Enter", 96},  {"Super_L", 125},
        {"Delete", 111},   {"Print", 99},      {"Pause", 119},    {"F11", 87},
        {"F12", 88},       {"Alt_R", 100},     {"Menu", 127},     {"Escape", 1},
        {"Insert", 110},   {"Page_Down", 109}, {"BackSpace", 14}, {"KP_5", 76},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "key", keys[i].xname, NULL));
        bool down = wait_event(ANY, EV_KEY, keys[i].code, 1, 5000, NULL);
        bool up = down && wait_event(ANY, EV_KEY, keys[i].code, 0, 5000, NULL);
        CHECK_MSG(down && up, "key %s: KEY %d press %d release %d in the guest", keys[i].xname,
                  keys[i].code, down, up);
    }
}

static int tablet_value(int px, int size)
{
    return (int)((long)px * TABLET_MAX / size);
}

static void expect_position(int x, int y)
{
    int gx = -1, gy = -1;
    bool okx = wait_event(dev_tablet, EV_ABS, 0, ANY, 5000, &gx);
    bool oky = wait_event(dev_tablet, EV_ABS, 1, ANY, 5000, &gy);
    /* Two guest pixels of tolerance: QEMU scales by the display's size. */
    int tol_x = 2 * TABLET_MAX / W, tol_y = 2 * TABLET_MAX / H;
    CHECK_MSG(okx && oky && abs(gx - tablet_value(x, W)) <= tol_x &&
                  abs(gy - tablet_value(y, H)) <= tol_y,
              "window (%d,%d): tablet got (%d,%d), want about (%d,%d)", x, y, gx, gy,
              tablet_value(x, W), tablet_value(y, H));
}

static void a_click_and_an_absolute_motion_arrive_on_the_tablet(void)
{
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "mousemove", "--window", wid, "360", "100",
                              NULL));
    expect_position(360, 100);
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "mousemove", "--window", wid, "600", "350",
                              NULL));
    expect_position(600, 350);
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "click", "1", NULL));
    CHECK_MSG(wait_event(dev_tablet, EV_KEY, 272, 1, 5000, NULL) &&
                  wait_event(dev_tablet, EV_KEY, 272, 0, 5000, NULL),
              "left click");
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "click", "3", NULL));
    CHECK_MSG(wait_event(dev_tablet, EV_KEY, 273, 1, 5000, NULL) &&
                  wait_event(dev_tablet, EV_KEY, 273, 0, 5000, NULL),
              "right click");
}

static void the_wheel_and_the_side_buttons_arrive(void)
{
    int v = 0;
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "click", "4", NULL));
    CHECK_MSG(wait_event(dev_tablet, EV_REL, 8, ANY, 5000, &v) && v > 0, "wheel up: %d", v);
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "click", "5", NULL));
    CHECK_MSG(wait_event(dev_tablet, EV_REL, 8, ANY, 5000, &v) && v < 0, "wheel down: %d", v);
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "click", "8", NULL));
    CHECK_MSG(wait_event(dev_tablet, EV_KEY, 275, 1, 5000, NULL) &&
                  wait_event(dev_tablet, EV_KEY, 275, 0, 5000, NULL),
              "side (back) button");
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "click", "9", NULL));
    CHECK_MSG(wait_event(dev_tablet, EV_KEY, 276, 1, 5000, NULL) &&
                  wait_event(dev_tablet, EV_KEY, 276, 0, 5000, NULL),
              "extra (forward) button");
}

static void capture_gives_relative_motion_and_the_escape_key_releases_it(void)
{
    long log_at = file_size(client_log);
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "key", "Scroll_Lock", NULL));
    CHECK_MSG(wait_for_text(client_log, "pointer captured", log_at, 5000) > 0, "no capture");
    CHECK_MSG(wait_for_text(client_log, "host cursor over the window: shown", log_at, 5000) > 0,
              "the host cursor was not given back for the capture");
    CHECK_MSG(wait_for_text(client_log, "SPICE mouse mode: relative", log_at, 10000) > 0,
              "the server did not switch to relative mode for the capture");
    long from = seen;
    /* Small steps, as a mouse moves. */
    for (int i = 0; i < 6; i++) {
        CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "mousemove_relative", "--", "10", "5",
                                  NULL));
        vg_sleep_ns(50 * VG_NS_PER_MS);
    }
    CHECK_MSG(wait_event(dev_mouse, EV_REL, 0, ANY, 5000, NULL), "no relative motion");
    vg_sleep_ns(500 * VG_NS_PER_MS);
    int sum_x = 0, sum_y = 0;
    count_events(dev_mouse, EV_REL, 0, from, &sum_x);
    count_events(dev_mouse, EV_REL, 1, from, &sum_y);
    fprintf(stderr, "  captured: relative motion %+d, %+d for 6 steps of +10, +5\n", sum_x, sum_y);
    CHECK_MSG(sum_x > 0 && sum_y > 0, "relative motion %+d, %+d", sum_x, sum_y);
    CHECK_MSG(count_events(dev_tablet, EV_ABS, ANY, from, NULL) == 0,
              "absolute positions while captured");
    /* A click while captured is the guest's (QEMU gives buttons to the pointer device the
     * guest activated last, the tablet, and motion to the mouse: one cursor in the guest). */
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "click", "1", NULL));
    CHECK_MSG(wait_event(ANY, EV_KEY, 272, 1, 5000, NULL) &&
                  wait_event(ANY, EV_KEY, 272, 0, 5000, NULL),
              "click while captured");

    log_at = file_size(client_log);
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "key", "Scroll_Lock", NULL));
    CHECK_MSG(wait_for_text(client_log, "pointer released", log_at, 5000) > 0, "no release");
    CHECK_MSG(wait_for_text(client_log, "SPICE mouse mode: absolute", log_at, 10000) > 0,
              "absolute mode did not come back");
    CHECK_MSG(wait_for_text(client_log, "host cursor over the window: hidden", log_at, 5000) > 0,
              "the host cursor is not hidden again after the capture");
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "mousemove", "--window", wid, "100", "300",
                              NULL));
    expect_position(100, 300);
    CHECK_MSG(count_events(ANY, EV_KEY, 70, 0, NULL) == 0, "Scroll Lock reached the guest");
}

static void keys_held_when_the_window_loses_focus_are_released(void)
{
    char root[64] = "";
    CHECK(vg_spice_guest_tool(dir, root, sizeof(root), "xdotool", "search", "--maxdepth", "0",
                              "--name", "", NULL));
    root[strcspn(root, "\n")] = 0;
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "keydown", "Shift_L", NULL));
    CHECK_MSG(wait_event(ANY, EV_KEY, 42, 1, 5000, NULL), "Shift down");
    /* The key stays down on the host while the focus goes elsewhere. */
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "windowfocus", "--sync", root, NULL));
    CHECK_MSG(wait_event(ANY, EV_KEY, 42, 0, 5000, NULL), "Shift not released on focus loss");
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "keyup", "Shift_L", "windowfocus", "--sync",
                              wid, NULL));
    vg_sleep_ns(300 * VG_NS_PER_MS);
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "key", "b", NULL));
    CHECK_MSG(wait_event(ANY, EV_KEY, 48, 1, 5000, NULL) &&
                  wait_event(ANY, EV_KEY, 48, 0, 5000, NULL),
              "keys after the focus came back");
    CHECK_MSG(count_events(ANY, EV_KEY, 42, seen, NULL) == 0, "a second Shift release");
}

static void escape_d_sends_ctrl_alt_del_and_escape_i_turns_input_off_and_on(void)
{
    long from = seen;
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "keydown", "Scroll_Lock", "key", "d",
                              "keyup", "Scroll_Lock", NULL));
    static const int press[3] = {29, 56, 111};
    for (int i = 0; i < 3; i++)
        CHECK_MSG(wait_event(ANY, EV_KEY, press[i], 1, 5000, NULL), "Ctrl+Alt+Del: %d down",
                  press[i]);
    for (int i = 2; i >= 0; i--)
        CHECK_MSG(wait_event(ANY, EV_KEY, press[i], 0, 5000, NULL), "Ctrl+Alt+Del: %d up",
                  press[i]);
    CHECK_MSG(count_events(ANY, EV_KEY, 32, from, NULL) == 0, "D reached the guest");

    long log_at = file_size(client_log);
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "keydown", "Scroll_Lock", "key", "i",
                              "keyup", "Scroll_Lock", NULL));
    long off = seen;
    CHECK_MSG(wait_for_text(client_log, "host cursor over the window: shown", log_at, 5000) > 0,
              "the host cursor stays hidden with input off");
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "key", "c", "mousemove", "--window", wid,
                              "200", "200", NULL));
    vg_sleep_ns(1000 * VG_NS_PER_MS);
    CHECK_MSG(count_events(ANY, EV_KEY, 46, off, NULL) == 0,
              "a key reached the guest with input off");
    CHECK_MSG(count_events(ANY, EV_ABS, ANY, off, NULL) == 0,
              "motion reached the guest with input off");
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "keydown", "Scroll_Lock", "key", "i",
                              "keyup", "Scroll_Lock", NULL));
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "key", "c", NULL));
    CHECK_MSG(wait_event(ANY, EV_KEY, 46, 1, 5000, NULL) &&
                  wait_event(ANY, EV_KEY, 46, 0, 5000, NULL),
              "keys with input on again");
    CHECK_MSG(count_events(ANY, EV_KEY, 23, from, NULL) == 0, "I reached the guest");
}

static void escape_q_quits_the_client_and_q_stays_on_the_host(void)
{
    long from = seen;
    CHECK(vg_spice_guest_tool(dir, NULL, 0, "xdotool", "keydown", "Scroll_Lock", "key", "q",
                              "keyup", "Scroll_Lock", NULL));
    int st = vg_test_wait(client_pid, 10000);
    client_pid = -1;
    CHECK_MSG(st == 0, "the client did not quit on escape+Q (status %d)", st);
    vg_sleep_ns(300 * VG_NS_PER_MS);
    CHECK_MSG(count_events(ANY, EV_KEY, 16, from, NULL) == 0, "Q reached the guest");
    CHECK_MSG(count_events(ANY, EV_KEY, 70, 0, NULL) == 0, "Scroll Lock reached the guest");
}

int main(int argc, char **argv)
{
    if (argc < 8)
        return 2;
    qemu = argv[1];
    kernel = argv[2];
    moddir = argv[3];
    busybox = argv[4];
    guest = argv[5];
    evdev = argv[6];
    client = argv[7];
    dir = vg_test_tmpdir();
    uint64_t t0 = vg_time_ns();
    if (start()) {
        RUN(keys_typed_in_the_window_arrive_with_their_codes);
        RUN(a_click_and_an_absolute_motion_arrive_on_the_tablet);
        RUN(the_wheel_and_the_side_buttons_arrive);
        RUN(capture_gives_relative_motion_and_the_escape_key_releases_it);
        RUN(keys_held_when_the_window_loses_focus_are_released);
        RUN(escape_d_sends_ctrl_alt_del_and_escape_i_turns_input_off_and_on);
        RUN(escape_q_quits_the_client_and_q_stays_on_the_host);
    }
    if (client_pid > 0) {
        kill(client_pid, SIGTERM);
        vg_test_wait(client_pid, 5000);
    }
    if (qemu_pid > 0) {
        kill(qemu_pid, SIGTERM);
        vg_test_wait(qemu_pid, 10000);
    }
    if (vg_test_failures)
        vg_spice_guest_show_logs(serial, client_log, qlog);
    fprintf(stderr, "  whole run %.1f s\n", vg_ns_to_ms(vg_time_ns() - t0) / 1000.0);
    return vg_test_finish();
}
