#include "plan/builders.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "checks/checks.h"
#include "vg/log.h"

static bool only(const char *s, const char *allowed)
{
    return strspn(s, allowed) == strlen(s);
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

bool vg_valid_domain_name(const char *s)
{
    if (!*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '/' || *p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

bool vg_valid_hook_domain_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 64 && s[0] != '-' && s[0] != '.' && only(s, ALNUM "._+@:-");
}

bool vg_valid_user_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 32 && s[0] != '-' && !(s[0] >= '0' && s[0] <= '9') &&
           only(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");
}

bool vg_valid_vendor_id(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 12 && only(s, ALNUM);
}

bool vg_valid_path(const char *s)
{
    if (s[0] != '/' || strlen(s) > 1024 || strstr(s, "/../") || strstr(s, "/./"))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\'' || *p == '"' || *p == '\\' || *p == '<' ||
            *p == '>' || *p == '&' || *p == '$' || *p == '`')
            return false;
    return true;
}

bool vg_valid_ip_address(const char *s, bool *loopback)
{
    unsigned char a[16];
    bool lo;
    if (inet_pton(AF_INET, s, a) == 1) {
        lo = a[0] == 127;
    } else if (inet_pton(AF_INET6, s, a) == 1) {
        static const unsigned char one[16] = {[15] = 1};
        /* ::ffff:127.x.y.z is IPv4's loopback too. */
        static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
        lo = !memcmp(a, one, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
    } else {
        return false;
    }
    if (loopback)
        *loopback = lo;
    return true;
}

bool vg_gpu_passable(const struct vg_host *h, const char *bdf, bool force, bool refuse_boot)
{
    const struct vg_pci_dev *d = vg_host_dev(h, bdf);
    if (!d) {
        vg_err("no PCI device %s on this host (vgapt-setup check lists the GPUs)", bdf);
        return false;
    }
    if (!vg_dev_is_gpu(d)) {
        vg_err("%s is a %s [%04x:%04x], not a GPU: give the GPU's VGA/3D function "
               "(vgapt-setup check lists them)",
               bdf, vg_dev_role(d), d->vendor, d->device);
        return false;
    }
    if (d->iommu_group < 0) {
        vg_err("%s has no IOMMU group: enable the IOMMU first (vgapt-setup check says how)", bdf);
        return false;
    }
    struct vg_sbuf others = {0};
    enum vg_group_state g = vg_group_judge(h, bdf, &others, NULL);
    bool ok = true;
    if (g == VG_GROUP_DIRTY) {
        if (force)
            vg_warn("--force: passing all of group %d, including %s", d->iommu_group, others.data);
        else {
            vg_err("%s shares IOMMU group %d with %s: all of them would leave the host. "
                   "Move the card to another slot or update the BIOS (vgapt-setup check "
                   "explains); --force passes the whole group anyway",
                   bdf, d->iommu_group, others.data);
            ok = false;
        }
    }
    const struct vg_pci_dev *boot = d->boot_vga ? d : NULL;
    if (!boot && g == VG_GROUP_DIRTY) {
        for (size_t i = 0; i < h->n_devs; i++)
            if (h->devs[i].iommu_group == d->iommu_group && h->devs[i].boot_vga)
                boot = &h->devs[i];
    }
    if (ok && refuse_boot && boot) {
        if (force)
            vg_warn("--force: %s is the boot GPU; the host console goes dark at boot", boot->bdf);
        else {
            vg_err("%s is the boot GPU (boot_vga)%s: binding it at boot leaves the host "
                   "without a display. Use the other GPU, or vgapt-setup hooks for single-GPU "
                   "hand-over; --force binds it anyway",
                   boot->bdf, boot == d ? "" : ", in the same IOMMU group");
            ok = false;
        }
    }
    vg_sbuf_free(&others);
    return ok;
}
