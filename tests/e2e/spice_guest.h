/* The guest of the SPICE input test (test_qemu_spice.c) and of vgapt-bench input: a TCG VM
 * with QEMU's SPICE server and virtio keyboard, mouse and tablet, whose init loads the virtio
 * input drivers and runs guest_evdev, which prints the events on the serial console. */
#pragma once

#include <stddef.h>

/* The kernel modules, relative to /lib/modules/VERSION/kernel and without .ko, in the order
 * they load: virtio_input's dependencies first, evdev before the devices come. */
extern const char *const vg_spice_guest_modules[];
extern const size_t vg_spice_guest_n_modules;

/* The init script's opening: busybox sh, /proc, /sys and /dev mounted, the modules loaded
 * (as vg_initramfs_write puts them in m/). The caller appends what runs next. */
extern const char vg_spice_guest_init_head[];

/* QEMU's arguments for the three virtio input devices, NULL-terminated. */
extern const char *const vg_spice_guest_input_args[];
