#include "spice_guest.h"

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

const char *const vg_spice_guest_input_args[] = {
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

const char *const vg_spice_guest_sound_args[] = {
    "-audiodev", "spice,id=snd0",
    "-device",   "ich9-intel-hda",
    "-device",   "hda-duplex,audiodev=snd0",
    NULL,
};
