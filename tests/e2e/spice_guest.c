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
