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
#include "initramfs.h"
#include "pattern.h"
#include "testlib.h"

#define W 320
#define H 200

static const char *qemu, *kernel, *busybox, *guest, *client;
static const char *dir;

/* The guest's init: find the ivshmem device (1af4:1110), enable it, run the pattern on its
 * BAR 2 with the subcommand and options given, report, power off. */
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
static const char init_mid[] = " --shm $dev/resource2_wc --size 320x200 ";
static const char init_tail[] =
    " --seconds 40\n"
    "echo \"vgapt-e2e: guest exit $?\"\n"
    "/bin/busybox poweroff -f\n";

static bool make_initramfs(const char *path, const char *subcommand, const char *options)
{
    char init_script[2048];
    snprintf(init_script, sizeof(init_script), "%s%s%s%s%s", init_head, subcommand, init_mid,
             options, init_tail);
    const struct vg_initramfs_file files[] = {{"bin/busybox", busybox},
                                              {"bin/vgapt-guest", guest}};
    return vg_initramfs_write(path, init_script, files, 2, NULL, NULL, 0);
}

struct vm {
    char shm[600], serial[600], qlog[600], clog[600];
    pid_t qemu;
};

/* Boots the guest with `vgapt-guest SUBCOMMAND --shm BAR --size 320x200 OPTIONS`, its ivshmem
 * device backed by a fresh 16 MiB file. */
static void boot(struct vm *vm, const char *subcommand, const char *options)
{
    fprintf(stderr, "guest program: vgapt-guest %s %s\n", subcommand, options);
    char initrd[600], serial_arg[700], memdev[800];
    snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", dir);
    snprintf(vm->shm, sizeof(vm->shm), "%s/looking-glass", dir);
    snprintf(vm->serial, sizeof(vm->serial), "%s/serial.log", dir);
    snprintf(serial_arg, sizeof(serial_arg), "file:%s", vm->serial);
    snprintf(vm->qlog, sizeof(vm->qlog), "%s/qemu.log", dir);
    snprintf(vm->clog, sizeof(vm->clog), "%s/client.log", dir);
    CHECK(make_initramfs(initrd, subcommand, options));
    /* Each boot's logs alone: the checks read them. */
    unlink(vm->serial);
    unlink(vm->clog);

    /* What libvirt's <shmem name='looking-glass'><size unit='M'>16</size> gives the host. */
    int fd = open(vm->shm, O_RDWR | O_CREAT | O_TRUNC, 0660);
    CHECK(fd >= 0 && ftruncate(fd, 16 << 20) == 0);
    close(fd);
    snprintf(memdev, sizeof(memdev), "memory-backend-file,id=shm,mem-path=%s,size=16M,share=on",
             vm->shm);

    char *qv[] = {(char *)qemu, "-accel", "tcg", "-m", "256", "-nodefaults", "-nographic",
                  "-serial", serial_arg, "-monitor", "none", "-no-reboot", "-kernel",
                  (char *)kernel, "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1",
                  "-object", memdev, "-device", "ivshmem-plain,memdev=shm", NULL};
    vm->qemu = spawn_logged(qv, vm->qlog);
}

/* Stops the guest; checks it found its device, and shows the logs if anything failed. */
static void shut_down(struct vm *vm)
{
    kill(vm->qemu, SIGTERM);
    vg_test_wait(vm->qemu, 10000);
    char *text = vg_test_slurp(vm->serial);
    CHECK_MSG(text && strstr(text, "vgapt-e2e: ivshmem at /sys/bus/pci/devices/"),
              "the guest found no ivshmem device");
    if (vg_test_failures) {
        fprintf(stderr, "--- guest serial ---\n%s\n", text ? text : "");
        char *c = vg_test_slurp(vm->clog), *ql = vg_test_slurp(vm->qlog);
        fprintf(stderr, "--- client ---\n%s\n--- qemu ---\n%s\n", c ? c : "", ql ? ql : "");
        free(c);
        free(ql);
    }
    free(text);
}

/* serial: the screenshot's frame (--still publishes one frame, as a real capture of a still
 * screen does). */
static void guest_frames_reach_the_host_window(const char *subcommand, const char *serial_s)
{
    struct vm vm;
    char shot[600];
    snprintf(shot, sizeof(shot), "%s/shot.ppm", dir);
    boot(&vm, subcommand, "--fps 10 --still");

    /* The client is started on the host file before the guest writes anything: it waits, then
     * shows the guest's frames without a restart. */
    char *cv[] = {(char *)client, "--shm", vm.shm, "--size", "320x200", "--scale", "native",
                  "--filter", "nearest", "--no-vsync", "--screenshot", shot,
                  "--screenshot-serial", (char *)serial_s, "--seconds", "200", NULL};
    int st = run_logged(cv, vm.clog, 220000);
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
    shut_down(&vm);
}

static void our_protocol_from_the_guest_reaches_the_host_window(void)
{
    guest_frames_reach_the_host_window("pattern", "1");
}

static void looking_glass_b7_protocol_from_the_guest_reaches_the_host_window(void)
{
    guest_frames_reach_the_host_window("lgmp-pattern", "1");
}

/* The guest stamps its frames with its own clock, which counts from the guest's boot: the
 * client relates it to its own from the heartbeat, and its capture-to-present latency is a
 * real one (milliseconds), not the difference of the two machines' uptimes. The same when the
 * guest claims the host's clock, as vgapt-guest before --clock did: the heartbeat belies it. */
static void guest_latency_is_real(const char *options, const char *declared)
{
    struct vm vm;
    boot(&vm, "pattern", options);
    char *cv[] = {(char *)client, "--shm", vm.shm, "--size", "320x200", "--no-vsync", "--stats",
                  "--seconds", "25", NULL};
    int st = run_logged(cv, vm.clog, 60000);
    CHECK_MSG(st == 0, "client exit %d", st);
    char *text = vg_test_slurp(vm.clog);
    const char *line = text ? strstr(text, "capture-to-present ms p50 ") : NULL;
    double p50 = -1, p99 = -1, max = -1;
    unsigned long long samples = 0;
    CHECK_MSG(line && sscanf(line, "capture-to-present ms p50 %lf p99 %lf max %lf (%llu samples)",
                             &p50, &p99, &max, &samples) == 4,
              "no latency figures in the client's summary");
    fprintf(stderr, "  capture-to-present across the VM boundary: p50 %.1f ms, p99 %.1f ms, %llu "
                    "samples\n",
            p50, p99, samples);
    CHECK_MSG(samples >= 20, "only %llu frames with a latency", samples);
    /* A TCG guest writes its 256 KiB frame into the BAR slowly; seconds would be nonsense. */
    CHECK_MSG(p50 >= 0 && p50 < 1000, "capture-to-present p50 %.1f ms", p50);
    free(text);
    char *serial = vg_test_slurp(vm.serial);
    CHECK_MSG(serial && strstr(serial, declared), "the guest did not declare the %s", declared);
    free(serial);
    shut_down(&vm);
}

static void latency_across_the_vm_boundary_is_real(void)
{
    guest_latency_is_real("--fps 20", "guest clock");
}

static void a_false_host_clock_claim_from_the_guest_gives_no_false_latency(void)
{
    guest_latency_is_real("--fps 20 --clock host", "host clock");
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
    RUN(latency_across_the_vm_boundary_is_real);
    RUN(a_false_host_clock_claim_from_the_guest_gives_no_false_latency);
    return vg_test_finish();
}
