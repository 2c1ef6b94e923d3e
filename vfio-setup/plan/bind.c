#include "plan/builders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checks.h"
#include "plan/kcmdline.h"
#include "util/fsroot.h"
#include "vg/log.h"

#define MODPROBE_CONF "/etc/modprobe.d/vgapt-vfio.conf"
#define MODULES_LOAD "/etc/modules-load.d/vgapt-vfio.conf"
#define DRACUT_CONF "/etc/dracut.conf.d/vgapt-vfio.conf"
#define ITOOLS_MODULES "/etc/initramfs-tools/modules"
#define MKINITCPIO_CONF "/etc/mkinitcpio.conf"
#define BEGIN_MARK "# vgapt-setup begin: vfio-pci at boot"
#define END_MARK "# vgapt-setup end"

/* Drivers that would otherwise claim a GPU or one of its functions before vfio-pci. */
static const char *const rivals[] = {"nouveau",       "nvidia",   "amdgpu",        "radeon",
                                     "snd_hda_intel", "xhci_pci", "i2c_nvidia_gpu"};

static const char *const vfio_modules[] = {"vfio", "vfio_iommu_type1", "vfio_pci"};

/* vfio_virqfd was folded into vfio in 6.2; listing it there makes module loading fail. */
static bool need_virqfd(const struct vg_host *h)
{
    return !vg_kernel_at_least(h, 6, 2);
}

static void module_lines(const struct vg_host *h, struct vg_sbuf *b)
{
    for (size_t i = 0; i < 3; i++)
        vg_sbuf_printf(b, "%s\n", vfio_modules[i]);
    if (need_virqfd(h))
        vg_sbuf_puts(b, "vfio_virqfd\n");
}

/* Text with our marked block removed (and nothing else touched). */
static char *without_block(const char *text)
{
    struct vg_sbuf out = {0};
    const char *b = text ? strstr(text, BEGIN_MARK) : NULL;
    const char *e = b ? strstr(b, END_MARK) : NULL;
    if (!b || !e) {
        vg_sbuf_puts(&out, text ? text : "");
        return vg_sbuf_take(&out);
    }
    e += strlen(END_MARK);
    if (*e == '\n')
        e++;
    vg_sbuf_putn(&out, text, (size_t)(b - text));
    vg_sbuf_puts(&out, e);
    return vg_sbuf_take(&out);
}

/* mkinitcpio.conf MODULES=(...) with the vfio modules first (or removed). */
static char *mkinitcpio_edit(const char *text, bool add)
{
    struct vg_sbuf out = {0};
    const char *p = text ? text : "";
    bool done = false;
    while (*p) {
        size_t n = strcspn(p, "\n");
        const char *line = p;
        p += n;
        if (*p == '\n')
            p++;
        if (done || strncmp(line, "MODULES=(", 9)) {
            vg_sbuf_putn(&out, line, (size_t)(p - line));
            continue;
        }
        const char *close = memchr(line, ')', n);
        char *inner = vg_xasprintf("%.*s", (int)(close ? close - line - 9 : (long)n - 9), line + 9);
        struct vg_sbuf mods = {0};
        if (add)
            vg_sbuf_puts(&mods, "vfio_pci vfio vfio_iommu_type1");
        char *save = NULL;
        for (char *t = strtok_r(inner, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            if (!strcmp(t, "vfio_pci") || !strcmp(t, "vfio") || !strcmp(t, "vfio_iommu_type1"))
                continue;
            vg_sbuf_printf(&mods, "%s%s", mods.len ? " " : "", t);
        }
        vg_sbuf_printf(&out, "MODULES=(%s)", mods.data ? mods.data : "");
        if (close)
            vg_sbuf_putn(&out, close + 1, (size_t)(line + n - close - 1));
        vg_sbuf_puts(&out, "\n");
        free(inner);
        vg_sbuf_free(&mods);
        done = true;
    }
    if (!done && add)
        vg_sbuf_puts(&out, "MODULES=(vfio_pci vfio vfio_iommu_type1)\n");
    return vg_sbuf_take(&out);
}

static void plan_initramfs(struct vg_plan *p, const struct vg_host *h, bool bind)
{
    bool changed = false;
    const char *why = bind ? "load vfio-pci from the initramfs, before any GPU driver"
                           : "stop loading vfio-pci from the initramfs";
    switch (h->initramfs) {
    case VG_INITRAMFS_UPDATE: {
        char *old = vg_root_read(h->root, ITOOLS_MODULES, NULL);
        char *base = without_block(old);
        struct vg_sbuf b = {0};
        vg_sbuf_puts(&b, base);
        if (bind) {
            if (b.len && b.data[b.len - 1] != '\n')
                vg_sbuf_puts(&b, "\n");
            vg_sbuf_printf(&b, "%s\n", BEGIN_MARK);
            module_lines(h, &b);
            vg_sbuf_printf(&b, "%s\n", END_MARK);
        }
        if (bind || old)
            changed = vg_plan_write(p, ITOOLS_MODULES, b.data ? b.data : "", 0644, why);
        free(old);
        free(base);
        vg_sbuf_free(&b);
        if (changed) {
            const char *argv[] = {"update-initramfs", "-u", "-k", "all", NULL};
            vg_plan_run(p, argv, NULL, "rebuild the initramfs with the new module list");
        }
        return;
    }
    case VG_INITRAMFS_DRACUT:
        if (bind)
            changed = vg_plan_write(p, DRACUT_CONF,
                                    "# vgapt-setup: vfio-pci in the initramfs\n"
                                    "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"\n",
                                    0644, why);
        else
            changed = vg_plan_remove(p, DRACUT_CONF, why);
        if (changed) {
            const char *argv[] = {"dracut", "-f", "--regenerate-all", NULL};
            vg_plan_run(p, argv, NULL, "rebuild the initramfs with the new module list");
        }
        return;
    case VG_INITRAMFS_MKINITCPIO: {
        char *old = vg_root_read(h->root, MKINITCPIO_CONF, NULL);
        char *text = mkinitcpio_edit(old, bind);
        if (old || bind)
            changed = vg_plan_write(p, MKINITCPIO_CONF, text, 0644, why);
        free(old);
        free(text);
        if (changed) {
            const char *argv[] = {"mkinitcpio", "-P", NULL};
            vg_plan_run(p, argv, NULL, "rebuild the initramfs with the new module list");
        }
        return;
    }
    case VG_INITRAMFS_NONE:
        break;
    }
}

static bool contains(const struct vg_pci_dev *const *v, size_t n, const struct vg_pci_dev *d)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == d)
            return true;
    return false;
}

/* With the IOMMU off there are no groups to judge yet: the first step is to turn it on, and
 * on Intel the kernel command line is where (once the firmware has VT-d on). */
static bool plan_iommu_only(struct vg_plan *p, const struct vg_host *h, const char *bdf)
{
    const struct vg_pci_dev *d = vg_host_dev(h, bdf);
    if (!d || !vg_dev_is_gpu(d))
        return vg_gpu_passable(h, bdf, false, true); /* says what is wrong with bdf */
    if (!h->acpi_dmar && !h->acpi_ivrs) {
        vg_err("the firmware offers no IOMMU (no DMAR or IVRS table): turn on VT-d (Intel) or "
               "IOMMU / AMD-Vi (AMD) in the firmware setup, boot, and run this again");
        return false;
    }
    if (!h->acpi_dmar) {
        vg_err("the firmware has an AMD IOMMU (IVRS) but the kernel did not turn it on: look "
               "for amd_iommu=off or iommu=off on the kernel command line and for the IOMMU "
               "setting in the firmware setup, then run this again");
        return false;
    }
    const char *add[] = {"intel_iommu=on", "iommu=pt", NULL};
    if (!vg_plan_kernel_cmdline(p, h, add, NULL,
                                "intel_iommu=on turns the IOMMU on (Intel); iommu=pt keeps host "
                                "devices untranslated"))
        return true; /* the notes say what to add by hand */
    vg_sbuf_printf(&p->notes,
                   "The IOMMU is off, so %s's IOMMU group is not known yet: this plan only "
                   "turns the IOMMU on. After --apply: reboot, run vgapt-setup check, then "
                   "vgapt-setup bind --gpu %s again for the vfio-pci binding.\n",
                   bdf, bdf);
    return true;
}

bool vg_plan_bind(struct vg_plan *p, const struct vg_host *h, const char *bdf, bool force)
{
    if (h->n_iommu_groups == 0)
        return plan_iommu_only(p, h, bdf);
    if (!vg_gpu_passable(h, bdf, force, true))
        return false;
    if (h->vfio_pci == VG_MOD_MISSING)
        vg_warn("vfio-pci was not found for kernel %s: the plan assumes it is a module",
                h->kernel_release[0] ? h->kernel_release : "(unknown)");
    const struct vg_pci_dev *funcs[16];
    size_t n = vg_group_functions(h, bdf, funcs, 16);
    /* ids= matches every card of that model: only safe when no identical one stays. */
    bool unique = true;
    struct vg_sbuf ids = {0}, bdfs = {0}, who = {0};
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof(id), "%04x:%04x", funcs[i]->vendor, funcs[i]->device);
        if (!ids.data || !strstr(ids.data, id))
            vg_sbuf_printf(&ids, "%s%s", ids.len ? "," : "", id);
        vg_sbuf_printf(&bdfs, "%s%s", bdfs.len ? " " : "", funcs[i]->bdf);
        vg_sbuf_printf(&who, "%s%s %s", who.len ? ", " : "", funcs[i]->bdf + 5,
                       vg_dev_role(funcs[i]));
        for (size_t j = 0; j < h->n_devs; j++) {
            const struct vg_pci_dev *o = &h->devs[j];
            if (!contains(funcs, n, o) && o->vendor == funcs[i]->vendor &&
                o->device == funcs[i]->device)
                unique = false;
        }
    }
    if (n == 0) {
        vg_err("%s: no functions found in its IOMMU group", bdf);
        return false;
    }
    bool builtin = h->vfio_pci == VG_MOD_BUILTIN;
    struct vg_sbuf conf = {0};
    /* A built-in vfio-pci ignores modprobe.d and probes before any module: the command line
     * (below) is the only place to tell it. */
    if (!builtin) {
        vg_sbuf_printf(&conf,
                       "# vgapt-setup: %s and its IOMMU group go to vfio-pci at boot\n"
                       "# (%s)\n",
                       bdf, who.data);
        if (unique) {
            vg_sbuf_printf(&conf, "options vfio-pci ids=%s\n", ids.data);
        } else {
            /* An identical card stays with the host: claim ours by address, before the probe. */
            vg_sbuf_printf(&conf,
                           "install vfio-pci for d in %s; do echo vfio-pci > "
                           "/sys/bus/pci/devices/$d/driver_override; done; "
                           "/sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n",
                           bdfs.data);
        }
        for (size_t i = 0; i < sizeof(rivals) / sizeof(rivals[0]); i++)
            vg_sbuf_printf(&conf, "softdep %s pre: vfio-pci\n", rivals[i]);
        vg_plan_write(p, MODPROBE_CONF, conf.data, 0644,
                      unique ? "vfio-pci claims these vendor:device ids, and loads before the GPU "
                               "and audio drivers (softdep)"
                             : "an identical card stays with the host, so the ids cannot be used: "
                               "vfio-pci claims these addresses (driver_override) when it loads, "
                               "before the GPU and audio drivers (softdep)");
        struct vg_sbuf ml = {0};
        vg_sbuf_puts(&ml, "# vgapt-setup: vfio modules at boot\n");
        module_lines(h, &ml);
        vg_plan_write(p, MODULES_LOAD, ml.data, 0644,
                      need_virqfd(h) ? "load vfio early (kernel < 6.2 still has vfio_virqfd)"
                                     : "load vfio early (no vfio_virqfd: part of vfio since 6.2)");
        vg_sbuf_free(&ml);
        plan_initramfs(p, h, true);
    }
    const char *add[4];
    size_t na = 0;
    bool intel = h->cpu == VG_CPU_INTEL || h->acpi_dmar;
    if (intel)
        add[na++] = "intel_iommu=on";
    add[na++] = "iommu=pt";
    char *ids_tok = NULL;
    if (builtin && unique) {
        ids_tok = vg_xasprintf("vfio-pci.ids=%s", ids.data);
        add[na++] = ids_tok;
    } else if (builtin) {
        vg_sbuf_printf(&p->notes,
                       "vfio-pci is built into this kernel and an identical card "
                       "stays with the host: vfio-pci.ids= would take both. Bind %s "
                       "with vgapt-setup hooks (dynamic mode) instead.\n",
                       bdf);
    }
    add[na] = NULL;
    vg_plan_kernel_cmdline(p, h, add, builtin && unique ? "vfio-pci.ids=" : NULL,
                           builtin ? "IOMMU flags, and vfio-pci.ids= for the built-in vfio-pci"
                           : intel ? "intel_iommu=on turns the IOMMU on (Intel); "
                                     "iommu=pt keeps host devices untranslated"
                                   : "iommu=pt keeps host devices untranslated");
    free(ids_tok);
    vg_sbuf_printf(&p->notes,
                   "After --apply: reboot, then vgapt-setup check should show %s "
                   "bound to vfio-pci.\n",
                   bdfs.data);
    vg_sbuf_free(&ids);
    vg_sbuf_free(&bdfs);
    vg_sbuf_free(&who);
    vg_sbuf_free(&conf);
    return true;
}

bool vg_plan_unbind(struct vg_plan *p, const struct vg_host *h)
{
    vg_plan_remove(p, MODPROBE_CONF, "vfio-pci no longer claims the guest GPU at boot");
    vg_plan_remove(p, MODULES_LOAD, "vfio modules no longer loaded at boot");
    plan_initramfs(p, h, false);
    const char *add[] = {NULL};
    vg_plan_kernel_cmdline(
        p, h, add, "vfio-pci.ids=", "drop vfio-pci.ids= (the IOMMU flags stay: they are harmless)");
    if (!vg_plan_empty(p))
        vg_sbuf_puts(&p->notes, "After --apply: reboot; the GPU returns to its own driver.\n");
    return true;
}
