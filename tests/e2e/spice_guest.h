/* The guest of the SPICE tests and of vgapt-bench input: a TCG VM with QEMU's SPICE server and
 * virtio keyboard, mouse and tablet, whose init loads the virtio input drivers and runs
 * guest_evdev, which prints the events on the serial console; for the audio tests and the
 * bench's audio run, an Intel HDA device on QEMU's spice audiodev too. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The kernel modules, relative to /lib/modules/VERSION/kernel and without .ko, in the order
 * they load: virtio_input's dependencies first, evdev before the devices come. */
extern const char *const vg_spice_guest_modules[];
extern const size_t vg_spice_guest_n_modules;

/* The init script's opening: busybox sh, /proc, /sys and /dev mounted, the modules loaded
 * (as vg_initramfs_write puts them in m/). The caller appends what runs next. */
extern const char vg_spice_guest_init_head[];

/* The HDA driver, its codec and the OSS emulation (/dev/dsp, which needs no ALSA library in
 * the guest), each after what it needs (modinfo depends), the generic codec before
 * snd-hda-intel. Relative to the kernel's module tree, as above. */
extern const char *const vg_spice_guest_sound_modules[];
extern const size_t vg_spice_guest_n_sound_modules;

/* What differs between the SPICE guests; the rest is the same for all: q35 under TCG, 256 MiB,
 * no default devices, a std VGA on no local display, the kernel and initramfs with the
 * console on ttyS0, no monitor, no reboot. All borrowed. */
struct vg_spice_guest_vm {
    const char *qemu, *kernel, *initrd;
    const char *spice;  /* -spice's value (unix=on,addr=...,disable-ticketing=on...) */
    const char *serial; /* -serial's value: file:PATH, or chardev:ID with extra's -chardev */
    bool input; /* the virtio keyboard, mouse and tablet (in that order: QEMU takes the pointer
                 * its guest activated last as the one that says whether it is absolute) */
    bool sound; /* ich9 HDA with a duplex codec on a spice audiodev (playback and record), at
                 * the 5 ms timer period vgapt-setup --spice-audio sets */
    const char *const *extra; /* the test's own devices, NULL-terminated; NULL: none */
    const char *log;          /* QEMU's stdout and stderr, appended */
};

/* Starts QEMU for vm; its pid, or -1 (with a line on stderr). */
pid_t vg_spice_guest_spawn(const struct vg_spice_guest_vm *vm);

/* The guest's console, the client's log and QEMU's on stderr, when a test failed (paths
 * borrowed; a file that is missing reads as empty). */
void vg_spice_guest_show_logs(const char *serial, const char *client_log, const char *qemu_log);

/* Runs prog (xdotool, xclip) with the NULL-terminated arguments to completion, within 15 s, in
 * dir/tool; its stdout in out (out_size bytes; out may be NULL). false, with its exit status and
 * stderr on stderr, when it fails. */
bool vg_spice_guest_tool(const char *dir, char *out, size_t out_size, const char *prog, ...);
