#include "model/model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsroot.h"

bool vg_host_load(struct vg_host *h, const char *root)
{
    memset(h, 0, sizeof(*h));
    if (snprintf(h->root, sizeof(h->root), "%s", root) >= (int)sizeof(h->root))
        return false;
    if (!vg_root_is_dir(root, "/"))
        return false;
    vg_model_cpu(h);
    vg_model_cmdline(h);
    vg_model_iommu(h);
    vg_model_pci(h);
    vg_model_modules(h);
    vg_model_bootloader(h);
    vg_model_drm(h);
    vg_model_memory(h);
    vg_model_shm(h);
    vg_model_desktop(h);
    return true;
}

void vg_host_finish(struct vg_host *h)
{
    free(h->devs);
    free(h->conns);
    h->devs = NULL;
    h->conns = NULL;
    h->n_devs = h->n_conns = 0;
}

const struct vg_pci_dev *vg_host_dev(const struct vg_host *h, const char *bdf)
{
    for (size_t i = 0; i < h->n_devs; i++)
        if (!strcmp(h->devs[i].bdf, bdf))
            return &h->devs[i];
    return NULL;
}

bool vg_dev_is_gpu(const struct vg_pci_dev *d)
{
    return (d->class_code >> 16) == 0x03;
}

bool vg_dev_is_bridge(const struct vg_pci_dev *d)
{
    return (d->class_code >> 8) == 0x0604 || (d->class_code >> 8) == 0x0600 ||
           (d->class_code >> 8) == 0x0609;
}

const char *vg_dev_role(const struct vg_pci_dev *d)
{
    uint32_t cls = d->class_code >> 8;
    if (cls == 0x0300)
        return "VGA";
    if (cls == 0x0302 || cls == 0x0380)
        return "3D";
    if (cls == 0x0403)
        return "HDMI audio";
    if (cls == 0x0c03)
        return "USB";
    if (cls == 0x0c80)
        return "UCSI";
    if (vg_dev_is_bridge(d))
        return "bridge";
    return "other";
}

bool vg_dev_same_slot(const char *a, const char *b)
{
    const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
    return da && db && da - a == db - b && !strncmp(a, b, (size_t)(da - a));
}

bool vg_cmdline_has(const char *cmdline, const char *token)
{
    size_t tl = strlen(token);
    bool prefix = tl > 0 && token[tl - 1] == '=';
    const char *p = cmdline;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        size_t n = strcspn(p, " \t\n");
        if (n == 0)
            break;
        if (prefix ? (n >= tl && !strncmp(p, token, tl)) : (n == tl && !strncmp(p, token, tl)))
            return true;
        p += n;
    }
    return false;
}

static bool hex_field(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

bool vg_bdf_parse(const char *in, char out[VG_BDF_LEN])
{
    char buf[VG_BDF_LEN];
    size_t len = strlen(in);
    if (len == 7) /* bb:dd.f */
        snprintf(buf, sizeof(buf), "0000:%s", in);
    else if (len == 12)
        snprintf(buf, sizeof(buf), "%s", in);
    else
        return false;
    if (!hex_field(buf, 4) || buf[4] != ':' || !hex_field(buf + 5, 2) || buf[7] != ':' ||
        !hex_field(buf + 8, 2) || buf[10] != '.' || buf[11] < '0' || buf[11] > '7')
        return false;
    for (size_t i = 0; i < 12; i++)
        buf[i] = (char)tolower((unsigned char)buf[i]);
    unsigned slot = (unsigned)strtoul(buf + 8, NULL, 16);
    if (slot > 0x1f)
        return false;
    memcpy(out, buf, 13);
    return true;
}

bool vg_kernel_at_least(const struct vg_host *h, int major, int minor)
{
    if (h->kernel_major == 0)
        return true;
    return h->kernel_major > major || (h->kernel_major == major && h->kernel_minor >= minor);
}

const char *vg_initramfs_name(enum vg_initramfs t)
{
    switch (t) {
    case VG_INITRAMFS_UPDATE:
        return "update-initramfs";
    case VG_INITRAMFS_DRACUT:
        return "dracut";
    case VG_INITRAMFS_MKINITCPIO:
        return "mkinitcpio";
    case VG_INITRAMFS_NONE:
        break;
    }
    return "none";
}

const char *vg_bootloader_name(enum vg_bootloader b)
{
    switch (b) {
    case VG_BOOT_GRUB:
        return "GRUB";
    case VG_BOOT_SYSTEMD_BOOT:
        return "systemd-boot";
    case VG_BOOT_KERNELSTUB:
        return "kernelstub";
    case VG_BOOT_NONE:
        break;
    }
    return "none";
}
