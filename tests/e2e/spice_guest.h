/* The guest of the SPICE tests and of vgapt-bench input: a TCG VM with QEMU's SPICE server and
 * virtio keyboard, mouse and tablet, whose init loads the virtio input drivers and runs
 * guest_evdev, which prints the events on the serial console; for the audio tests and the
 * bench's audio run, an Intel HDA device on QEMU's spice audiodev too. */
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

/* The HDA driver, its codec and the OSS emulation (/dev/dsp, which needs no ALSA library in
 * the guest), each after what it needs (modinfo depends), the generic codec before
 * snd-hda-intel. Relative to the kernel's module tree, as above. */
extern const char *const vg_spice_guest_sound_modules[];
extern const size_t vg_spice_guest_n_sound_modules;

/* QEMU's arguments for the sound device: ich9 HDA with a duplex codec on a spice audiodev (the
 * playback and record channels), NULL-terminated. */
extern const char *const vg_spice_guest_sound_args[];
