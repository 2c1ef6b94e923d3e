#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsroot.h"

static const char *const sbin_dirs[] = {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"};

static bool have_program(const struct vg_host *h, const char *name)
{
    for (size_t i = 0; i < sizeof(sbin_dirs) / sizeof(sbin_dirs[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s%s", sbin_dirs[i], name);
        if (vg_root_exists(h->root, path))
            return true;
    }
    return false;
}

/* modules.builtin and modules.dep name the module by its path: .../vfio/pci/vfio-pci.ko */
static bool lists_module(const struct vg_host *h, const char *file, const char *ko)
{
    char path[256];
    snprintf(path, sizeof(path), "/lib/modules/%s/%s", h->kernel_release, file);
    char *text = vg_root_read(h->root, path, NULL);
    if (!text)
        return false;
    bool found = strstr(text, ko) != NULL;
    free(text);
    return found;
}

void vg_model_modules(struct vg_host *h)
{
    h->vfio_pci = VG_MOD_MISSING;
    if (h->kernel_release[0]) {
        if (lists_module(h, "modules.builtin", "/vfio-pci.ko"))
            h->vfio_pci = VG_MOD_BUILTIN;
        else if (lists_module(h, "modules.dep", "/vfio-pci.ko"))
            h->vfio_pci = VG_MOD_MODULE;
    }
    /* The distribution's own tool first: Debian/Ubuntu, then Fedora/openSUSE, then Arch. */
    if (have_program(h, "update-initramfs"))
        h->initramfs = VG_INITRAMFS_UPDATE;
    else if (have_program(h, "dracut"))
        h->initramfs = VG_INITRAMFS_DRACUT;
    else if (have_program(h, "mkinitcpio"))
        h->initramfs = VG_INITRAMFS_MKINITCPIO;
    else
        h->initramfs = VG_INITRAMFS_NONE;
    h->have_update_grub = have_program(h, "update-grub");
}
