#include "checks/checks.h"

#include <stdio.h>
#include <string.h>

const char *vg_vendor_name(uint16_t vendor)
{
    switch (vendor) {
    case 0x10de:
        return "NVIDIA";
    case 0x1002:
        return "AMD";
    case 0x8086:
        return "Intel";
    case 0x1022:
        return "AMD";
    case 0x1af4:
        return "Red Hat";
    }
    return "vendor";
}

static void describe(const struct vg_pci_dev *d, struct vg_sbuf *b)
{
    if (b->len)
        vg_sbuf_puts(b, ", ");
    vg_sbuf_printf(b, "%s [%04x:%04x] %s", d->bdf, d->vendor, d->device, vg_dev_role(d));
}

enum vg_group_state vg_group_judge(const struct vg_host *h, const char *bdf, struct vg_sbuf *others,
                                   struct vg_sbuf *bridges)
{
    const struct vg_pci_dev *gpu = vg_host_dev(h, bdf);
    if (!gpu || gpu->iommu_group < 0)
        return VG_GROUP_NONE;
    bool dirty = false, bridge = false;
    for (size_t i = 0; i < h->n_devs; i++) {
        const struct vg_pci_dev *d = &h->devs[i];
        if (d->iommu_group != gpu->iommu_group || vg_dev_same_slot(d->bdf, bdf))
            continue;
        if (vg_dev_is_bridge(d)) {
            bridge = true;
            if (bridges)
                describe(d, bridges);
        } else {
            dirty = true;
            if (others)
                describe(d, others);
        }
    }
    return dirty ? VG_GROUP_DIRTY : bridge ? VG_GROUP_BRIDGES : VG_GROUP_ISOLATED;
}

size_t vg_group_functions(const struct vg_host *h, const char *bdf, const struct vg_pci_dev **out,
                          size_t max)
{
    const struct vg_pci_dev *gpu = vg_host_dev(h, bdf);
    size_t n = 0;
    if (!gpu || gpu->iommu_group < 0)
        return 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < h->n_devs && n < max; i++) {
            const struct vg_pci_dev *d = &h->devs[i];
            if (d->iommu_group != gpu->iommu_group || vg_dev_is_bridge(d))
                continue;
            if (vg_dev_same_slot(d->bdf, bdf) == (pass == 0))
                out[n++] = d;
        }
    }
    return n;
}

/* An Intel GPU on bus 0 is the integrated one: it stays with the host. */
static bool integrated(const struct vg_pci_dev *d)
{
    return d->vendor == 0x8086 && !strncmp(d->bdf + 5, "00:", 3);
}

bool vg_choose_guest_gpu(const struct vg_host *h, char out[VG_BDF_LEN], bool *single,
                         struct vg_sbuf *why)
{
    const struct vg_pci_dev *gpus[32];
    size_t n = 0;
    for (size_t i = 0; i < h->n_devs && n < 32; i++)
        if (vg_dev_is_gpu(&h->devs[i]))
            gpus[n++] = &h->devs[i];
    out[0] = 0;
    *single = false;
    if (n == 0) {
        vg_sbuf_puts(why, "no GPU found in /sys/bus/pci/devices");
        return false;
    }
    if (n == 1) {
        *single = true;
        snprintf(out, VG_BDF_LEN, "%s", gpus[0]->bdf);
        vg_sbuf_printf(why,
                       "%s is the only GPU: the host gives it up while the VM runs "
                       "(single-GPU hooks mode)",
                       gpus[0]->bdf);
        return true;
    }
    const struct vg_pci_dev *best = NULL, *host_gpu = NULL;
    int best_score = -1;
    for (size_t i = 0; i < n; i++) {
        const struct vg_pci_dev *d = gpus[i];
        if (d->boot_vga)
            host_gpu = d;
        if (d->boot_vga || integrated(d))
            continue;
        enum vg_group_state g = vg_group_judge(h, d->bdf, NULL, NULL);
        int score = (g == VG_GROUP_ISOLATED || g == VG_GROUP_BRIDGES) ? 2 : 1;
        if (score > best_score) {
            best = d;
            best_score = score;
        }
    }
    if (!best) {
        /* Every GPU is the boot GPU or integrated: the one GPU that could go is the boot GPU,
         * which is the single-GPU situation as far as the guest is concerned. */
        const struct vg_pci_dev *d = host_gpu ? host_gpu : gpus[0];
        *single = true;
        snprintf(out, VG_BDF_LEN, "%s", d->bdf);
        vg_sbuf_printf(why, "%s is the boot GPU and no other discrete GPU is free: hooks mode",
                       d->bdf);
        return true;
    }
    snprintf(out, VG_BDF_LEN, "%s", best->bdf);
    vg_sbuf_printf(why, "%s is not the boot GPU", best->bdf);
    if (host_gpu)
        vg_sbuf_printf(why, "; the host keeps %s (boot_vga)", host_gpu->bdf);
    if (best_score == 1)
        vg_sbuf_puts(why, "; its IOMMU group is shared (see above)");
    return true;
}
