#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsroot.h"
#include "util/sbuf.h"

static unsigned long attr(const char *root, const char *bdf, const char *name)
{
    char path[256];
    unsigned long v = 0;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, name);
    vg_root_ulong(root, path, &v);
    return v;
}

static void read_dev(const char *root, const char *bdf, struct vg_pci_dev *d)
{
    char path[256], group[32];
    memset(d, 0, sizeof(*d));
    snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
    d->vendor = (uint16_t)attr(root, bdf, "vendor");
    d->device = (uint16_t)attr(root, bdf, "device");
    d->subsys_vendor = (uint16_t)attr(root, bdf, "subsystem_vendor");
    d->subsys_device = (uint16_t)attr(root, bdf, "subsystem_device");
    d->class_code = (uint32_t)attr(root, bdf, "class") & 0xffffff;
    d->boot_vga = attr(root, bdf, "boot_vga") == 1;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
    if (!vg_root_link_base(root, path, d->driver, sizeof(d->driver)))
        d->driver[0] = 0;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
    if (!vg_root_line(root, path, d->driver_override, sizeof(d->driver_override)) ||
        !strcmp(d->driver_override, "(null)"))
        d->driver_override[0] = 0;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
    d->iommu_group = -1;
    if (vg_root_link_base(root, path, group, sizeof(group)))
        d->iommu_group = atoi(group);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset_method", bdf);
    d->reset_method_known = vg_root_line(root, path, d->reset_method, sizeof(d->reset_method));
    if (!d->reset_method_known)
        d->reset_method[0] = 0;
}

void vg_model_pci(struct vg_host *h)
{
    char **names;
    int n = vg_root_list(h->root, "/sys/bus/pci/devices", &names);
    if (n <= 0) {
        vg_root_names_free(names, n);
        return;
    }
    h->devs = vg_xcalloc((size_t)n, sizeof(*h->devs));
    for (int i = 0; i < n; i++) {
        char bdf[VG_BDF_LEN];
        if (!vg_bdf_parse(names[i], bdf))
            continue;
        read_dev(h->root, bdf, &h->devs[h->n_devs++]);
    }
    vg_root_names_free(names, n);
}
