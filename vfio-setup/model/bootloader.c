#include "model/model.h"

#include <stdio.h>

#include "util/fsroot.h"

static const char *const entry_dirs[] = {"/boot/loader/entries", "/boot/efi/loader/entries",
                                         "/efi/loader/entries"};

void vg_model_bootloader(struct vg_host *h)
{
    h->bootloader = VG_BOOT_NONE;
    h->systemd_boot_dir[0] = 0;
    /* kernelstub (Pop!_OS) manages systemd-boot entries itself: editing them would be undone
     * at the next kernel update, so it wins over the entries it writes. */
    if (vg_root_exists(h->root, "/etc/kernelstub/configuration")) {
        h->bootloader = VG_BOOT_KERNELSTUB;
        return;
    }
    if (vg_root_exists(h->root, "/etc/default/grub")) {
        h->bootloader = VG_BOOT_GRUB;
        return;
    }
    for (size_t i = 0; i < sizeof(entry_dirs) / sizeof(entry_dirs[0]); i++) {
        if (vg_root_is_dir(h->root, entry_dirs[i])) {
            h->bootloader = VG_BOOT_SYSTEMD_BOOT;
            snprintf(h->systemd_boot_dir, sizeof(h->systemd_boot_dir), "%s", entry_dirs[i]);
            return;
        }
    }
}
