#include "spice_guest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "testlib.h"

const char *const vg_spice_guest_modules[] = {
    "drivers/input/evdev",
    "drivers/virtio/virtio_ring",
    "drivers/virtio/virtio",
    "drivers/virtio/virtio_pci_legacy_dev",
    "drivers/virtio/virtio_pci_modern_dev",
    "drivers/virtio/virtio_pci",
    "drivers/virtio/virtio_input",
};
const size_t vg_spice_guest_n_modules =
    sizeof(vg_spice_guest_modules) / sizeof(vg_spice_guest_modules[0]);

const char vg_spice_guest_init_head[] = "#!/bin/busybox sh\n"
                                        "/bin/busybox mount -t proc proc /proc\n"
                                        "/bin/busybox mount -t sysfs sysfs /sys\n"
                                        "/bin/busybox mount -t devtmpfs devtmpfs /dev\n"
                                        "for m in /m/*.ko; do /bin/busybox insmod $m; done\n";

static const char *const input_args[] = {
    "-device", "virtio-keyboard-pci", "-device", "virtio-mouse-pci",
    "-device", "virtio-tablet-pci",   NULL,
};

const char *const vg_spice_guest_sound_modules[] = {
    "sound/soundcore",
    "sound/core/snd",
    "sound/core/snd-timer",
    "sound/core/snd-pcm",
    "sound/core/snd-hwdep",
    "sound/hda/snd-hda-core",
    "drivers/leds/trigger/ledtrig-audio",
    "sound/pci/hda/snd-hda-codec",
    "sound/pci/hda/snd-hda-codec-generic",
    "sound/hda/snd-intel-sdw-acpi",
    "sound/hda/snd-intel-dspcfg",
    "sound/pci/hda/snd-hda-intel",
    "sound/core/oss/snd-mixer-oss",
    "sound/core/oss/snd-pcm-oss",
};
const size_t vg_spice_guest_n_sound_modules =
    sizeof(vg_spice_guest_sound_modules) / sizeof(vg_spice_guest_sound_modules[0]);

static const char *const sound_args[] = {
    "-audiodev", "spice,id=snd0,timer-period=5000", "-device", "ich9-intel-hda",
    "-device",   "hda-duplex,audiodev=snd0",        NULL,
};

pid_t vg_spice_guest_spawn(const struct vg_spice_guest_vm *vm)
{
    const char *head[] = {
        vm->qemu,   "-machine", "q35",         "-accel",     "tcg",
        "-m",       "256",      "-nodefaults", "-vga",       "std",
        "-display", "none",     "-spice",      vm->spice,    "-serial",
        vm->serial, "-monitor", "none",        "-no-reboot", "-kernel",
        vm->kernel, "-initrd",  vm->initrd,    "-append",    "console=ttyS0 quiet panic=-1"};
    char *argv[96];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
        argv[n++] = (char *)head[i];
    const char *const *lists[] = {vm->input ? input_args : NULL, vm->sound ? sound_args : NULL,
                                  vm->extra};
    for (size_t l = 0; l < 3; l++)
        for (const char *const *a = lists[l]; a && *a; a++) {
            if (n + 1 >= sizeof(argv) / sizeof(argv[0])) {
                fprintf(stderr, "vg_spice_guest_spawn: too many arguments\n");
                return -1;
            }
            argv[n++] = (char *)*a;
        }
    argv[n] = NULL;
    pid_t pid = vg_test_spawn_io(argv, vm->log, vm->log, true);
    if (pid <= 0)
        fprintf(stderr, "cannot start %s (log in %s)\n", vm->qemu, vm->log);
    return pid > 0 ? pid : -1;
}

void vg_spice_guest_show_logs(const char *serial, const char *client_log, const char *qemu_log)
{
    char *s = vg_test_slurp(serial), *c = vg_test_slurp(client_log), *q = vg_test_slurp(qemu_log);
    fprintf(stderr, "--- guest serial ---\n%s\n--- client ---\n%s\n--- qemu ---\n%s\n", s ? s : "",
            c ? c : "", q ? q : "");
    free(s);
    free(c);
    free(q);
}

bool vg_spice_guest_tool(const char *dir, char *out, size_t out_size, const char *prog, ...)
{
    const char *args[24];
    int n = 0;
    va_list ap;
    va_start(ap, prog);
    const char *a;
    while (n < 23 && (a = va_arg(ap, const char *)))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    char tdir[700], buf[4096], err[4096];
    snprintf(tdir, sizeof(tdir), "%s/tool", dir);
    mkdir(tdir, 0700);
    int st = vg_test_run_capture(prog, args, tdir, 15000, out ? out : buf,
                                 out ? out_size : sizeof(buf), err, sizeof(err));
    if (st != 0)
        fprintf(stderr, "%s %s: exit %d: %s\n", prog, args[0], st, err);
    return st == 0;
}
