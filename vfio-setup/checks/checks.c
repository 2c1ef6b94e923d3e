#include "checks/checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt/ivshmem_size.h"

void vg_report_add(struct vg_report *r, const char *section, const char *id, enum vg_verdict v,
                   const char *subject, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = vg_xcalloc((size_t)(n > 0 ? n : 0) + 1, 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    va_end(ap);
    r->items = vg_xrealloc(r->items, r->n + 1, sizeof(*r->items));
    struct vg_finding *f = &r->items[r->n++];
    f->section = section;
    f->id = id;
    f->verdict = v;
    f->message = msg;
    f->hint = hint ? vg_xstrdup(hint) : NULL;
    snprintf(f->subject, sizeof(f->subject), "%s", subject ? subject : "");
}

bool vg_report_has_fail(const struct vg_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].verdict == VG_FAIL)
            return true;
    return false;
}

void vg_report_finish(struct vg_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].message);
        free(r->items[i].hint);
    }
    free(r->items);
    free(r->next);
    memset(r, 0, sizeof(*r));
}

static const char *const S_VIRT = "Virtualisation", *const S_IOMMU = "IOMMU", *const S_GPU = "GPUs",
                         *const S_VFIO = "vfio and boot", *const S_DISPLAY = "Display",
                         *const S_VM = "VM and client";

static void check_virt(const struct vg_host *h, struct vg_report *r)
{
    const char *ext = h->cpu == VG_CPU_AMD     ? "AMD-V (svm)"
                      : h->cpu == VG_CPU_INTEL ? "VT-x (vmx)"
                                               : "vmx/svm";
    if (h->cpu_virt)
        vg_report_add(r, S_VIRT, "cpu-virt", VG_OK, NULL, NULL, "CPU virtualisation: %s", ext);
    else
        vg_report_add(r, S_VIRT, "cpu-virt", VG_FAIL, NULL,
                      "enable SVM / VT-x (\"Virtualization Technology\") in the firmware setup",
                      "CPU virtualisation: no %s flag in /proc/cpuinfo", ext);
    if (h->kvm_dev && h->kvm_access)
        vg_report_add(r, S_VIRT, "kvm-dev", VG_OK, NULL, NULL, "/dev/kvm present and accessible");
    else if (h->kvm_dev)
        vg_report_add(r, S_VIRT, "kvm-dev", VG_WARN, NULL,
                      "add the user to the kvm group (usermod -aG kvm USER) or run as root",
                      "/dev/kvm present but not accessible to this user");
    else
        vg_report_add(r, S_VIRT, "kvm-dev", VG_FAIL, NULL,
                      h->cpu == VG_CPU_AMD
                          ? "modprobe kvm_amd (and check dmesg for why it failed)"
                          : "modprobe kvm_intel (and check dmesg for why it failed)",
                      "/dev/kvm missing: KVM is not loaded");
    const char *mod = h->cpu == VG_CPU_AMD ? "kvm_amd npt" : "kvm_intel ept";
    if (h->kvm_nested_paging == 1)
        vg_report_add(r, S_VIRT, "kvm-paging", VG_OK, NULL, NULL, "%s on", mod);
    else if (h->kvm_nested_paging == 0)
        vg_report_add(
            r, S_VIRT, "kvm-paging", VG_WARN, NULL,
            "remove the module option that turns it off (grep -r npt\\|ept /etc/modprobe.d)",
            "%s off: guests run much slower without nested paging", mod);
}

static void check_iommu(const struct vg_host *h, struct vg_report *r)
{
    if (h->acpi_dmar || h->acpi_ivrs)
        vg_report_add(r, S_IOMMU, "iommu-firmware", VG_OK, NULL, NULL, "firmware IOMMU table: %s",
                      h->acpi_dmar ? "DMAR (Intel VT-d)" : "IVRS (AMD-Vi)");
    else
        vg_report_add(r, S_IOMMU, "iommu-firmware", VG_FAIL, NULL,
                      "enable VT-d / AMD-Vi (often \"IOMMU\" or \"SVM\" in the firmware setup); "
                      "a BIOS update may be needed",
                      "no firmware IOMMU table (/sys/firmware/acpi/tables/DMAR or IVRS)");
    bool intel = h->cpu == VG_CPU_INTEL || h->acpi_dmar;
    if (h->n_iommu_groups > 0)
        vg_report_add(r, S_IOMMU, "iommu-enabled", VG_OK, NULL, NULL, "IOMMU enabled: %d group%s",
                      h->n_iommu_groups, h->n_iommu_groups == 1 ? "" : "s");
    else if (!h->acpi_dmar && !h->acpi_ivrs)
        /* Without the firmware's table no kernel option makes an IOMMU appear. */
        vg_report_add(r, S_IOMMU, "iommu-enabled", VG_FAIL, NULL,
                      intel ? "first enable VT-d in the firmware setup (see above); then "
                              "intel_iommu=on on the kernel command line (vgapt-setup bind adds "
                              "it) and a reboot"
                            : "first enable the IOMMU (AMD-Vi) in the firmware setup (see "
                              "above), then reboot",
                      "IOMMU not enabled: /sys/kernel/iommu_groups is empty");
    else
        vg_report_add(r, S_IOMMU, "iommu-enabled", VG_FAIL, NULL,
                      intel ? "add intel_iommu=on to the kernel command line "
                              "(vgapt-setup bind does it) and reboot"
                            : "enable the IOMMU in the firmware setup and reboot",
                      "IOMMU not enabled: /sys/kernel/iommu_groups is empty");
    if (intel) {
        if (vg_cmdline_has(h->cmdline, "intel_iommu=on"))
            vg_report_add(r, S_IOMMU, "cmdline-intel-iommu", VG_OK, NULL, NULL,
                          "kernel command line has intel_iommu=on");
        else
            vg_report_add(r, S_IOMMU, "cmdline-intel-iommu",
                          h->n_iommu_groups > 0 ? VG_WARN : VG_FAIL, NULL,
                          "vgapt-setup bind adds it for your boot loader",
                          "kernel command line lacks intel_iommu=on (needed on Intel)");
    }
    if (vg_cmdline_has(h->cmdline, "iommu=pt"))
        vg_report_add(r, S_IOMMU, "cmdline-iommu-pt", VG_OK, NULL, NULL,
                      "kernel command line has iommu=pt");
    else
        vg_report_add(r, S_IOMMU, "cmdline-iommu-pt", VG_WARN, NULL,
                      "advised: iommu=pt keeps host devices out of DMA translation "
                      "(vgapt-setup bind adds it)",
                      "kernel command line lacks iommu=pt");
    if (h->group_type[0])
        vg_report_add(
            r, S_IOMMU, "iommu-group-type", VG_OK, NULL, NULL, "host devices use %s domains (%s)",
            !strcmp(h->group_type, "identity") ? "passthrough" : "translated", h->group_type);
}

static void list_functions(const struct vg_host *h, const struct vg_pci_dev *gpu, struct vg_sbuf *b)
{
    for (size_t i = 0; i < h->n_devs; i++) {
        const struct vg_pci_dev *d = &h->devs[i];
        if (!vg_dev_same_slot(d->bdf, gpu->bdf))
            continue;
        vg_sbuf_printf(b, "%s%s [%04x:%04x] %s (%s)", b->len ? "; " : "", d->bdf + 5, d->vendor,
                       d->device, vg_dev_role(d), d->driver[0] ? d->driver : "no driver");
    }
}

static void check_gpus(const struct vg_host *h, struct vg_report *r)
{
    bool any = false;
    for (size_t i = 0; i < h->n_devs; i++) {
        const struct vg_pci_dev *d = &h->devs[i];
        if (!vg_dev_is_gpu(d))
            continue;
        any = true;
        struct vg_sbuf fn = {0}, others = {0}, bridges = {0};
        list_functions(h, d, &fn);
        vg_report_add(r, S_GPU, "gpu", VG_OK, d->bdf, NULL, "%s %s GPU%s, IOMMU group %d: %s",
                      d->bdf, vg_vendor_name(d->vendor), d->boot_vga ? " (boot GPU)" : "",
                      d->iommu_group, fn.data);
        enum vg_group_state g = vg_group_judge(h, d->bdf, &others, &bridges);
        switch (g) {
        case VG_GROUP_NONE:
            vg_report_add(r, S_GPU, "gpu-group", VG_FAIL, d->bdf,
                          "enable the IOMMU first (see above)", "%s has no IOMMU group", d->bdf);
            break;
        case VG_GROUP_ISOLATED:
            vg_report_add(r, S_GPU, "gpu-group", VG_OK, d->bdf, NULL, "%s: group %d is isolated",
                          d->bdf, d->iommu_group);
            break;
        case VG_GROUP_BRIDGES:
            vg_report_add(r, S_GPU, "gpu-group", VG_OK, d->bdf, NULL,
                          "%s: group %d is isolated but for PCIe bridges (fine: bridges stay "
                          "with the host): %s",
                          d->bdf, d->iommu_group, bridges.data);
            break;
        case VG_GROUP_DIRTY:
            vg_report_add(r, S_GPU, "gpu-group", VG_FAIL, d->bdf,
                          "every device of a group goes to the guest together. Choices: move "
                          "the card to another slot (one wired to the CPU); update the BIOS "
                          "(newer AGESA/ME firmware often splits groups); or the ACS override "
                          "patch, which lets devices that share a group reach each other's "
                          "memory behind the IOMMU's back (a guest could attack the host "
                          "through them) - vgapt-setup never applies it",
                          "%s: group %d is shared with %s", d->bdf, d->iommu_group, others.data);
            break;
        }
        if (d->reset_method_known && !d->reset_method[0])
            vg_report_add(r, S_GPU, "gpu-reset", VG_WARN, d->bdf,
                          "the GPU may not come back after a guest reboot; AMD cards may need "
                          "vendor-reset",
                          "%s: the kernel knows no reset method for it", d->bdf);
        else if (d->reset_method_known)
            vg_report_add(r, S_GPU, "gpu-reset", VG_OK, d->bdf, NULL, "%s: reset by %s", d->bdf,
                          d->reset_method);
        vg_sbuf_free(&fn);
        vg_sbuf_free(&others);
        vg_sbuf_free(&bridges);
    }
    if (!any)
        vg_report_add(r, S_GPU, "gpu", VG_FAIL, NULL,
                      "is the card seated and seen by lspci? (/sys/bus/pci/devices)",
                      "no GPU found");
}

static void check_guest_choice(const struct vg_host *h, struct vg_report *r)
{
    struct vg_sbuf why = {0};
    bool ok = vg_choose_guest_gpu(h, r->guest_gpu, &r->single_gpu, &why);
    if (ok)
        vg_report_add(r, S_GPU, "guest-gpu", r->single_gpu ? VG_WARN : VG_OK, r->guest_gpu,
                      r->single_gpu ? "the desktop stops while the VM runs; "
                                      "vgapt-setup hooks installs the hand-over scripts"
                                    : NULL,
                      "guest GPU: %s", why.data);
    vg_sbuf_free(&why);
}

static void check_vfio(const struct vg_host *h, struct vg_report *r)
{
    switch (h->vfio_pci) {
    case VG_MOD_MODULE:
        vg_report_add(r, S_VFIO, "vfio-pci", VG_OK, NULL, NULL, "vfio-pci is a module of kernel %s",
                      h->kernel_release);
        break;
    case VG_MOD_BUILTIN:
        vg_report_add(r, S_VFIO, "vfio-pci", VG_OK, NULL, NULL,
                      "vfio-pci is built into kernel %s (bound with vfio-pci.ids= on the "
                      "kernel command line)",
                      h->kernel_release);
        break;
    case VG_MOD_MISSING:
        vg_report_add(r, S_VFIO, "vfio-pci", VG_FAIL, NULL,
                      "install your distribution's full kernel modules package",
                      "vfio-pci not found for kernel %s (modules.builtin, modules.dep)",
                      h->kernel_release[0] ? h->kernel_release : "(unknown)");
        break;
    }
    struct vg_sbuf bound = {0};
    for (size_t i = 0; i < h->n_devs; i++)
        if (!strcmp(h->devs[i].driver, "vfio-pci"))
            vg_sbuf_printf(&bound, "%s%s", bound.len ? ", " : "", h->devs[i].bdf);
    vg_report_add(r, S_VFIO, "vfio-bound", VG_OK, NULL, NULL, "bound to vfio-pci: %s",
                  bound.len ? bound.data : "none");
    vg_sbuf_free(&bound);
    if (h->initramfs != VG_INITRAMFS_NONE)
        vg_report_add(r, S_VFIO, "initramfs", VG_OK, NULL, NULL, "initramfs tool: %s",
                      vg_initramfs_name(h->initramfs));
    else
        vg_report_add(r, S_VFIO, "initramfs", VG_WARN, NULL,
                      "boot-time binding then relies on module load order alone",
                      "no initramfs tool found (update-initramfs, dracut, mkinitcpio)");
    if (h->bootloader != VG_BOOT_NONE)
        vg_report_add(r, S_VFIO, "bootloader", VG_OK, NULL, NULL, "boot loader: %s",
                      vg_bootloader_name(h->bootloader));
    else
        vg_report_add(r, S_VFIO, "bootloader", VG_WARN, NULL,
                      "kernel command line changes must be made by hand",
                      "no boot loader configuration found (GRUB, systemd-boot, kernelstub)");
}

static void check_display(const struct vg_host *h, const struct vg_check_input *in,
                          struct vg_report *r)
{
    if (!r->guest_gpu[0])
        return;
    const struct vg_pci_dev *gpu = vg_host_dev(h, r->guest_gpu);
    static const char plug_hint[] =
        "the guest GPU renders frames only for a display: connect a monitor or an HDMI/DP "
        "dummy plug (or install a virtual display driver in the guest). The plug's highest "
        "EDID mode decides the resolution, and the IVSHMEM size must match it";
    const struct vg_seen_mode *m = in->remembered;
    if (gpu && !strcmp(gpu->driver, "vfio-pci") && m && vg_dev_same_slot(m->gpu, gpu->bdf)) {
        vg_report_add(r, S_DISPLAY, "dummy-plug", VG_OK, gpu->bdf, NULL,
                      "%s is on vfio-pci: its connectors read \"unknown\" from the host; "
                      "--ivshmem sizes for %ux%u, seen on %s on %.10s (IVSHMEM %u MiB)",
                      gpu->bdf, m->w, m->h, m->connector, m->when,
                      vg_ivshmem_size_mib(m->w, m->h, false));
        return;
    }
    if (gpu && !strcmp(gpu->driver, "vfio-pci")) {
        vg_report_add(r, S_DISPLAY, "dummy-plug", VG_WARN, gpu->bdf, plug_hint,
                      "%s is on vfio-pci: its connectors read \"unknown\" from the host, and "
                      "no mode seen before binding was kept: give --ivshmem --resolution WxH",
                      gpu->bdf);
        return;
    }
    const struct vg_drm_connector *best = NULL;
    size_t seen = 0;
    for (size_t i = 0; i < h->n_conns; i++) {
        const struct vg_drm_connector *c = &h->conns[i];
        if (!vg_dev_same_slot(c->bdf, r->guest_gpu))
            continue;
        seen++;
        if (!strcmp(c->status, "connected") &&
            (!best || (uint64_t)c->best_w * c->best_h > (uint64_t)best->best_w * best->best_h))
            best = c;
    }
    if (best && best->best_w) {
        r->res_w = best->best_w;
        r->res_h = best->best_h;
        vg_report_add(r, S_DISPLAY, "dummy-plug", VG_OK, r->guest_gpu, NULL,
                      "%s connected, largest mode %ux%u: IVSHMEM %u MiB (--resolution %ux%u)",
                      best->name, best->best_w, best->best_h,
                      vg_ivshmem_size_mib(best->best_w, best->best_h, false), best->best_w,
                      best->best_h);
    } else if (best) {
        vg_report_add(r, S_DISPLAY, "dummy-plug", VG_OK, r->guest_gpu, NULL, "%s connected",
                      best->name);
    } else if (seen) {
        vg_report_add(r, S_DISPLAY, "dummy-plug", VG_WARN, r->guest_gpu, plug_hint,
                      "no monitor or dummy plug on %s", r->guest_gpu);
    } else {
        vg_report_add(r, S_DISPLAY, "dummy-plug", VG_WARN, r->guest_gpu, plug_hint,
                      "connectors of %s unknown (no DRM driver owns it)", r->guest_gpu);
    }
}

/* A /dev/shm region as vgapt-client will find it: the owner and mode it has, and when they do
 * not let the client open it read-write, what makes them right (the rule that is there, or
 * the one vgapt-setup --ivshmem installs). */
static void check_shm(const struct vg_host *h, const struct vg_check_input *in, const char *path,
                      const struct vg_shm_file *f, struct vg_report *r)
{
    if (!f->exists)
        return;
    char owner[64], group[64];
    vg_host_user_name(h, f->uid, owner, sizeof(owner));
    vg_host_group_name(h, f->gid, group, sizeof(group));
    bool user_owns = in->user_uid >= 0 && (long)f->uid == in->user_uid;
    bool kvm_rw = !strcmp(group, "kvm") && (f->mode & 060) == 060;
    if (user_owns && (f->mode & 0600) == 0600) {
        vg_report_add(r, S_VM, "shm-owner", VG_OK, NULL, NULL, "%s belongs to %s (mode %04o)", path,
                      in->user, f->mode);
        return;
    }
    if (!in->user && kvm_rw) {
        /* What the tmpfiles.d rule vgapt-setup installs makes: with no user named there is
         * nobody it could be wrong for. */
        vg_report_add(r, S_VM, "shm-owner", VG_OK, NULL, NULL,
                      "%s belongs to %s%s(uid %u) and group kvm, mode %04o: vgapt-client opens "
                      "it as %s or as a member of group kvm (--user USER checks a given user)",
                      path, owner, owner[0] ? " " : "", f->uid, f->mode,
                      owner[0] ? owner : "that user");
        return;
    }
    struct vg_sbuf hint = {0}, dom = {0};
    vg_shell_quote(in->domain ? in->domain : "NAME", &dom);
    char *end = NULL;
    unsigned long rule_mode = strtoul(f->rule_mode, &end, 8);
    bool follows = f->rule_file[0] && !strcmp(owner, f->rule_user) &&
                   !strcmp(group, f->rule_group) && end && !*end && rule_mode == f->mode;
    if (follows)
        vg_sbuf_printf(&hint,
                       "it is as the rule in %s makes it (%s %s:%s): run vgapt-client as %s, or "
                       "as a member of group %s (sudo usermod -aG %s USER, then log in again); "
                       "or change that rule's owner",
                       f->rule_file, f->rule_mode, f->rule_user, f->rule_group, f->rule_user,
                       f->rule_group, f->rule_group);
    else if (f->rule_file[0])
        /* The rule is there: the file was made before it (by QEMU, or before a boot). */
        vg_sbuf_printf(&hint,
                       "%s has the rule (%s %s:%s) but the file predates it: sudo "
                       "systemd-tmpfiles --create %s gives it that owner and mode now%s%s%s",
                       f->rule_file, f->rule_mode, f->rule_user, f->rule_group, f->rule_file,
                       in->user && strcmp(f->rule_user, in->user) ? "; the rule is not for " : "",
                       in->user && strcmp(f->rule_user, in->user) ? in->user : "",
                       in->user && strcmp(f->rule_user, in->user)
                           ? ": change its owner, or join its group"
                           : "");
    else
        vg_sbuf_printf(&hint,
                       "no tmpfiles.d rule makes it, so QEMU does, as its own user "
                       "(libvirt-qemu) with mode 0644 (others only read): sudo vgapt-setup "
                       "--domain %s --ivshmem --apply "
                       "installs one (f %s 0660 USER kvm -, USER from --user or sudo; root "
                       "without either, then add the user to group kvm) and applies it at once",
                       dom.data, path);
    vg_report_add(r, S_VM, "shm-owner", VG_WARN, NULL, hint.data,
                  "%s: owner %s%s(uid %u), mode %04o%s: vgapt-client%s%s may not open it "
                  "read-write",
                  path, owner, owner[0] ? " " : "", f->uid, f->mode,
                  kvm_rw ? " (group kvm may read and write)" : "", in->user ? " as " : "",
                  in->user ? in->user : "");
    vg_sbuf_free(&hint);
    vg_sbuf_free(&dom);
}

static void check_vm(const struct vg_host *h, const struct vg_check_input *in, struct vg_report *r)
{
    if (in->libvirt_ok)
        vg_report_add(r, S_VM, "libvirt", VG_OK, NULL, NULL, "libvirt reachable at %s",
                      in->libvirt_uri);
    else
        vg_report_add(r, S_VM, "libvirt", VG_WARN, NULL,
                      "install and start libvirtd (or pass --connect URI); VM edits need it",
                      "libvirt not reachable at %s: %s", in->libvirt_uri,
                      in->libvirt_error ? in->libvirt_error : "unknown error");
    if (h->hugepages_total > 0 && h->mounts_known && !h->hugetlbfs[0])
        vg_report_add(r, S_VM, "hugepages", VG_WARN, NULL,
                      "sudo mkdir -p /dev/hugepages && sudo mount -t hugetlbfs hugetlbfs "
                      "/dev/hugepages, add 'hugetlbfs /dev/hugepages hugetlbfs defaults 0 0' to "
                      "/etc/fstab for the next boots, then restart libvirtd",
                      "%lu hugepages of %lu KiB reserved, but no hugetlbfs is mounted: libvirt "
                      "cannot start a VM with <hugepages/>",
                      h->hugepages_total, h->hugepage_kib);
    else if (h->hugepages_total > 0)
        vg_report_add(r, S_VM, "hugepages", VG_OK, NULL, NULL,
                      "%lu hugepages of %lu KiB reserved (%lu MiB)", h->hugepages_total,
                      h->hugepage_kib, h->hugepages_total * h->hugepage_kib / 1024);
    else
        vg_report_add(r, S_VM, "hugepages", VG_OK, NULL, NULL,
                      "no hugepages reserved (optional: vgapt-setup --hugepages --domain NAME)");
    check_shm(h, in, "/dev/shm/looking-glass", &h->shm_lg, r);
    check_shm(h, in, "/dev/shm/scream-ivshmem", &h->shm_scream, r);
}

static void next_command(const struct vg_host *h, struct vg_report *r, const char *dom);

/* The next command to run; dom is quoted for the shell. */
static void next_step(const struct vg_host *h, const struct vg_check_input *in, struct vg_report *r)
{
    struct vg_sbuf quoted = {0};
    vg_shell_quote(in->domain ? in->domain : "NAME", &quoted);
    next_command(h, r, quoted.data);
    vg_sbuf_free(&quoted);
}

static void next_command(const struct vg_host *h, struct vg_report *r, const char *dom)
{
    /* The firmware's setting comes before any kernel option: without it the kernel has no
     * IOMMU to turn on. */
    if (!h->acpi_dmar && !h->acpi_ivrs) {
        bool intel = h->cpu == VG_CPU_INTEL;
        bool amd = h->cpu == VG_CPU_AMD;
        r->next = vg_xasprintf(
            "enable %s in the firmware setup (often under \"IOMMU\"%s; a BIOS update may be "
            "needed), boot%s, then: vgapt-setup check",
            intel ? "VT-d"
            : amd ? "the IOMMU (AMD-Vi)"
                  : "the IOMMU (VT-d / AMD-Vi)",
            intel ? " or \"Intel Virtualization Technology for Directed I/O\""
            : amd ? " or \"AMD-Vi\""
                  : "",
            intel ? " (vgapt-setup bind then adds intel_iommu=on to the kernel command line)" : "");
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (r->items[i].verdict != VG_FAIL || strcmp(r->items[i].id, "cmdline-intel-iommu"))
            continue;
        const char *how = "your boot loader's configuration";
        switch (h->bootloader) {
        case VG_BOOT_GRUB:
            how = "GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then update-grub";
            break;
        case VG_BOOT_SYSTEMD_BOOT:
            how = "the options line of each loader entry";
            break;
        case VG_BOOT_KERNELSTUB:
            how = "kernelstub -a intel_iommu=on";
            break;
        case VG_BOOT_NONE:
            break;
        }
        r->next = vg_xasprintf("add intel_iommu=on to the kernel command line (%s), reboot, "
                               "then: vgapt-setup check",
                               how);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        const struct vg_finding *f = &r->items[i];
        if (f->verdict == VG_FAIL && (f->section == S_VIRT || f->section == S_IOMMU)) {
            r->next = vg_xstrdup("fix the failed checks above, reboot, then: vgapt-setup check");
            return;
        }
    }
    if (!r->guest_gpu[0]) {
        r->next = vg_xstrdup("vgapt-setup check (once a GPU is installed)");
        return;
    }
    const struct vg_pci_dev *gpu = vg_host_dev(h, r->guest_gpu);
    if (vg_group_judge(h, r->guest_gpu, NULL, NULL) == VG_GROUP_DIRTY)
        r->next = vg_xasprintf("split the IOMMU group of %s (see above), or pass the whole "
                               "group: vgapt-setup bind --gpu %s --force",
                               r->guest_gpu, r->guest_gpu);
    else if (r->single_gpu)
        r->next = vg_xasprintf("vgapt-setup hooks --domain %s --gpu %s", dom, r->guest_gpu);
    else if (gpu && strcmp(gpu->driver, "vfio-pci"))
        r->next = vg_xasprintf("vgapt-setup bind --gpu %s", r->guest_gpu);
    else
        r->next = vg_xasprintf("vgapt-setup --domain %s --gpu %s --ivshmem --hide-hypervisor", dom,
                               r->guest_gpu);
}

void vg_checks_run(const struct vg_host *h, const struct vg_check_input *in, struct vg_report *r)
{
    check_virt(h, r);
    check_iommu(h, r);
    check_gpus(h, r);
    check_guest_choice(h, r);
    check_vfio(h, r);
    check_display(h, in, r);
    check_vm(h, in, r);
    next_step(h, in, r);
}
