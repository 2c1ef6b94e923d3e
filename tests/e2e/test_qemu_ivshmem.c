/* A real QEMU guest (TCG) with an ivshmem-plain device: inside it, vgapt-guest writes the test
 * pattern into the device's BAR (resource2_wc, mapped through sysfs), once with our frame
 * protocol (pattern) and once as the Looking Glass B7 host application does (lgmp-pattern); on
 * the host the shared file backs the device, and vgapt-client shows the guest's frames —
 * checked pixel by pixel. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "pattern.h"
#include "testlib.h"

#define W 320
#define H 200

static const char *qemu, *kernel, *busybox, *guest, *client;
static const char *dir;

/* The guest's init: find the ivshmem device (1af4:1110), enable it, run the pattern on its
 * BAR 2 with the subcommand given, report, power off. */
static const char init_head[] =
    "#!/bin/busybox sh\n"
    "/bin/busybox mount -t proc proc /proc\n"
    "/bin/busybox mount -t sysfs sysfs /sys\n"
    "/bin/busybox mount -t devtmpfs devtmpfs /dev\n"
    "for d in /sys/bus/pci/devices/*; do\n"
    "  if [ \"$(/bin/busybox cat $d/vendor)\" = 0x1af4 ] && "
    "[ \"$(/bin/busybox cat $d/device)\" = 0x1110 ]; then dev=$d; fi\n"
    "done\n"
    "echo \"vgapt-e2e: ivshmem at $dev\"\n"
    "echo 1 > $dev/enable\n"
    "/bin/vgapt-guest ";
static const char init_tail[] =
    " --shm $dev/resource2_wc --size 320x200 --fps 10 --still "
    "--seconds 40\n"
    "echo \"vgapt-e2e: guest exit $?\"\n"
    "/bin/busybox poweroff -f\n";

/* newc cpio: enough for an initramfs of directories and regular files. */
static void cpio_entry(FILE *out, const char *name, unsigned mode, const void *data, size_t size)
{
    static unsigned ino = 1;
    size_t namesize = strlen(name) + 1;
    fprintf(out, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino++, mode, 0,
            0, 1, 0, size, 0, 0, 0, 0, namesize, 0);
    fwrite(name, 1, namesize, out);
    for (size_t pad = (4 - (110 + namesize) % 4) % 4; pad; pad--)
        fputc(0, out);
    if (size)
        fwrite(data, 1, size, out);
    for (size_t pad = (4 - size % 4) % 4; pad; pad--)
        fputc(0, out);
}

static bool cpio_file(FILE *out, const char *name, const char *path)
{
    size_t size;
    char *buf = vg_test_read_file(path, &size);
    if (buf)
        cpio_entry(out, name, 0100755, buf, size);
    free(buf);
    return buf != NULL;
}

static bool make_initramfs(const char *path, const char *subcommand)
{
    char init_script[2048];
    snprintf(init_script, sizeof(init_script), "%s%s%s", init_head, subcommand, init_tail);
    FILE *out = fopen(path, "wb");
    if (!out)
        return false;
    const char *dirs[] = {"bin", "dev", "proc", "sys"};
    for (size_t i = 0; i < 4; i++)
        cpio_entry(out, dirs[i], 040755, NULL, 0);
    cpio_entry(out, "init", 0100755, init_script, strlen(init_script));
    bool ok = cpio_file(out, "bin/busybox", busybox) && cpio_file(out, "bin/vgapt-guest", guest);
    cpio_entry(out, "TRAILER!!!", 0, NULL, 0);
    return fclose(out) == 0 && ok;
}

/* serial: the screenshot's frame (lgmp-pattern --still captures one frame, as a real capture
 * of a still screen does; pattern --still publishes every frame). */
static void guest_frames_reach_the_host_window(const char *subcommand, const char *serial_s)
{
    fprintf(stderr, "guest program: vgapt-guest %s\n", subcommand);
    char initrd[600], shm[600], serial[600], qlog[600], clog[600], shot[600], memdev[800];
    snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", dir);
    snprintf(shm, sizeof(shm), "%s/looking-glass", dir);
    snprintf(serial, sizeof(serial), "file:%s/serial.log", dir);
    snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
    snprintf(clog, sizeof(clog), "%s/client.log", dir);
    snprintf(shot, sizeof(shot), "%s/shot.ppm", dir);
    CHECK(make_initramfs(initrd, subcommand));

    /* What libvirt's <shmem name='looking-glass'><size unit='M'>16</size> gives the host. */
    int fd = open(shm, O_RDWR | O_CREAT | O_TRUNC, 0660);
    CHECK(fd >= 0 && ftruncate(fd, 16 << 20) == 0);
    close(fd);
    snprintf(memdev, sizeof(memdev), "memory-backend-file,id=shm,mem-path=%s,size=16M,share=on",
             shm);

    char *qv[] = {(char *)qemu, "-accel", "tcg", "-m", "256", "-nodefaults", "-nographic",
                  "-serial", serial, "-monitor", "none", "-no-reboot", "-kernel", (char *)kernel,
                  "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1", "-object", memdev,
                  "-device", "ivshmem-plain,memdev=shm", NULL};
    pid_t q = spawn_logged(qv, qlog);

    /* The client is started on the host file before the guest writes anything: it waits, then
     * shows the guest's frames without a restart. */
    char *cv[] = {(char *)client, "--shm", shm, "--size", "320x200", "--scale", "native",
                  "--filter", "nearest", "--no-vsync", "--screenshot", shot,
                  "--screenshot-serial", (char *)serial_s, "--seconds", "200", NULL};
    int st = run_logged(cv, clog, 220000);
    CHECK_MSG(st == 0, "client exit %d", st);

    struct image img;
    if (st == 0 && image_read_ppm(&img, shot)) {
        int bad = 0, cx, cy;
        vg_pattern_cursor_pos(W, H, 0, &cx, &cy);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (x >= cx && x < cx + 32 && y >= cy && y < cy + 32)
                    continue;
                uint8_t want[4];
                vg_pattern_rgba8(W, H, 0, (uint32_t)x, (uint32_t)y, want);
                bad += !rgb_near(image_px(&img, x, y), want, 0);
            }
        }
        CHECK_MSG(bad == 0, "%d pixels differ from the guest's pattern", bad);
        image_free(&img);
    } else {
        CHECK_MSG(false, "no screenshot");
    }
    kill(q, SIGTERM);
    vg_test_wait(q, 10000);

    char path[700];
    snprintf(path, sizeof(path), "%s/serial.log", dir);
    char *text = vg_test_slurp(path);
    CHECK_MSG(text && strstr(text, "vgapt-e2e: ivshmem at /sys/bus/pci/devices/"),
              "the guest found no ivshmem device");
    if (vg_test_failures) {
        fprintf(stderr, "--- guest serial ---\n%s\n", text ? text : "");
        char *c = vg_test_slurp(clog), *ql = vg_test_slurp(qlog);
        fprintf(stderr, "--- client ---\n%s\n--- qemu ---\n%s\n", c ? c : "", ql ? ql : "");
        free(c);
        free(ql);
    }
    free(text);
}

static void our_protocol_from_the_guest_reaches_the_host_window(void)
{
    guest_frames_reach_the_host_window("pattern", "5");
}

static void looking_glass_b7_protocol_from_the_guest_reaches_the_host_window(void)
{
    guest_frames_reach_the_host_window("lgmp-pattern", "1");
}

int main(int argc, char **argv)
{
    if (argc < 6)
        return 2;
    qemu = argv[1];
    kernel = argv[2];
    busybox = argv[3];
    guest = argv[4];
    client = argv[5];
    dir = vg_test_tmpdir();
    RUN(our_protocol_from_the_guest_reaches_the_host_window);
    RUN(looking_glass_b7_protocol_from_the_guest_reaches_the_host_window);
    return vg_test_finish();
}
