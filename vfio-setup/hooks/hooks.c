#include "plan/builders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checks.h"
#include "util/fsroot.h"
#include "vg/log.h"

#define DISPATCHER "/etc/libvirt/hooks/qemu"
#define MARKER "# libvirt hook dispatcher installed by vgapt-setup"

static const char dispatcher[] =
    "#!/bin/sh\n" MARKER "\n"
    "# Runs the executable files in /etc/libvirt/hooks/qemu.d/GUEST/OPERATION/SUB-OPERATION/\n"
    "# with libvirt's arguments (GUEST OPERATION SUB-OPERATION EXTRA). VGAPT_ROOT prefixes\n"
    "# the path (testing).\n"
    "set -eu\n"
    "guest=\"$1\"\n"
    "operation=\"$2\"\n"
    "sub=\"$3\"\n"
    "dir=\"${VGAPT_ROOT:-}/etc/libvirt/hooks/qemu.d/$guest/$operation/$sub\"\n"
    "[ -d \"$dir\" ] || exit 0\n"
    "for hook in \"$dir\"/*; do\n"
    "    if [ -f \"$hook\" ] && [ -x \"$hook\" ]; then\n"
    "        \"$hook\" \"$@\"\n"
    "    fi\n"
    "done\n";

/* The GPU's kernel modules, in unload order (users first). Reload is the reverse. */
static size_t gpu_modules(const struct vg_host *h, const struct vg_pci_dev *gpu, const char **mods)
{
    const char *drv = gpu->driver;
    if (!drv[0] || !strcmp(drv, "vfio-pci")) {
        /* Not bound to its own driver right now: go by vendor and what is installed. */
        if (gpu->vendor == 0x10de)
            drv = vg_root_exists(h->root, "/sys/module/nvidia") ? "nvidia" : "nouveau";
        else if (gpu->vendor == 0x1002)
            drv = "amdgpu";
        else
            drv = "";
    }
    size_t n = 0;
    if (!strcmp(drv, "nvidia")) {
        mods[n++] = "nvidia_drm";
        mods[n++] = "nvidia_modeset";
        mods[n++] = "nvidia_uvm";
        mods[n++] = "nvidia";
    } else if (!strcmp(drv, "nouveau") || !strcmp(drv, "amdgpu") || !strcmp(drv, "radeon") ||
               !strcmp(drv, "i915")) {
        mods[n++] = drv;
    }
    return n;
}

static void header(struct vg_sbuf *s, const char *what, const char *domain, const char *bdf,
                   const char *mode)
{
    vg_sbuf_printf(s,
                   "#!/bin/sh\n"
                   "# vgapt-setup: %s GPU %s for domain %s (%s mode).\n"
                   "# Generated from this host's devices; regenerate with vgapt-setup hooks.\n"
                   "# VGAPT_ROOT prefixes every sysfs path (testing); the log survives a black "
                   "screen.\n"
                   "set -eu\n"
                   "root=\"${VGAPT_ROOT:-}\"\n"
                   "logfile=\"${VGAPT_LOG:-/var/log/libvirt/vgapt-hooks.log}\"\n"
                   "log() {\n"
                   "    printf '%%s %%s\\n' \"$(date '+%%Y-%%m-%%d %%H:%%M:%%S')\" \"$*\" "
                   ">>\"$logfile\"\n"
                   "}\n"
                   "on_exit() {\n"
                   "    status=$?\n"
                   "    if [ \"$status\" -ne 0 ]; then\n"
                   "        log \"FAILED (exit $status); the last line above is the step that "
                   "failed\"\n"
                   "    fi\n"
                   "}\n"
                   "trap on_exit EXIT\n\n",
                   what, bdf, domain, mode);
}

static void single_bind(struct vg_sbuf *s, const struct vg_host *h, const char *const *mods,
                        size_t nm)
{
    const char *dm = h->display_manager[0] ? h->display_manager : "display-manager";
    vg_sbuf_printf(s,
                   "log \"stopping the display manager (%s)\"\n"
                   "systemctl stop %s.service\n"
                   "sleep 2\n\n",
                   dm, dm);
    vg_sbuf_puts(s, "log \"unbinding the virtual consoles\"\n"
                    "for vt in \"$root\"/sys/class/vtconsole/vtcon*; do\n"
                    "    if [ -e \"$vt/bind\" ]; then\n"
                    "        echo 0 >\"$vt/bind\"\n"
                    "    fi\n"
                    "done\n\n");
    static const char *const fbs[] = {"efi-framebuffer", "simple-framebuffer"};
    for (size_t i = 0; i < 2; i++)
        vg_sbuf_printf(s,
                       "if [ -e \"$root/sys/bus/platform/drivers/%s/%s.0\" ]; then\n"
                       "    log \"unbinding %s.0\"\n"
                       "    echo %s.0 >\"$root/sys/bus/platform/drivers/%s/unbind\"\n"
                       "fi\n",
                       fbs[i], fbs[i], fbs[i], fbs[i], fbs[i]);
    vg_sbuf_puts(s, "\n");
    for (size_t i = 0; i < nm; i++)
        vg_sbuf_printf(s, "log \"unloading %s\"\nmodprobe -r %s\n", mods[i], mods[i]);
    if (nm)
        vg_sbuf_puts(s, "\n");
}

static void single_release(struct vg_sbuf *s, const struct vg_host *h, const char *const *mods,
                           size_t nm)
{
    for (size_t i = nm; i-- > 0;)
        vg_sbuf_printf(s, "log \"loading %s\"\nmodprobe %s\n", mods[i], mods[i]);
    if (nm)
        vg_sbuf_puts(s, "\n");
    static const char *const fbs[] = {"efi-framebuffer", "simple-framebuffer"};
    for (size_t i = 0; i < 2; i++)
        vg_sbuf_printf(s,
                       "if [ -e \"$root/sys/bus/platform/devices/%s.0\" ]; then\n"
                       "    log \"binding %s.0\"\n"
                       "    echo %s.0 >\"$root/sys/bus/platform/drivers/%s/bind\" || "
                       "log \"%s.0 did not bind (harmless once the GPU driver is back)\"\n"
                       "fi\n",
                       fbs[i], fbs[i], fbs[i], fbs[i], fbs[i]);
    vg_sbuf_puts(s, "\nlog \"binding the virtual consoles\"\n"
                    "for vt in \"$root\"/sys/class/vtconsole/vtcon*; do\n"
                    "    if [ -e \"$vt/bind\" ]; then\n"
                    "        echo 1 >\"$vt/bind\"\n"
                    "    fi\n"
                    "done\n\n");
    const char *dm = h->display_manager[0] ? h->display_manager : "display-manager";
    vg_sbuf_printf(s,
                   "log \"starting the display manager (%s)\"\n"
                   "systemctl start %s.service\n",
                   dm, dm);
}

static const char to_vfio_fn[] =
    "to_vfio() {\n"
    "    dev=\"$root/sys/bus/pci/devices/$1\"\n"
    "    if [ -e \"$dev/driver\" ]; then\n"
    "        log \"$1: unbinding from $(basename \"$(readlink \"$dev/driver\")\")\"\n"
    "        echo \"$1\" >\"$dev/driver/unbind\"\n"
    "    fi\n"
    "    echo vfio-pci >\"$dev/driver_override\"\n"
    "    echo \"$1\" >\"$root/sys/bus/pci/drivers_probe\"\n"
    "    log \"$1: vfio-pci\"\n"
    "}\n\n";

static const char from_vfio_fn[] = "from_vfio() {\n"
                                   "    dev=\"$root/sys/bus/pci/devices/$1\"\n"
                                   "    if [ -e \"$dev/driver\" ]; then\n"
                                   "        echo \"$1\" >\"$dev/driver/unbind\"\n"
                                   "    fi\n"
                                   "    echo >\"$dev/driver_override\"\n"
                                   "    echo \"$1\" >\"$root/sys/bus/pci/drivers_probe\"\n"
                                   "    log \"$1: back to the host driver\"\n"
                                   "}\n\n";

bool vg_plan_hooks(struct vg_plan *p, const struct vg_host *h, const char *domain, const char *bdf,
                   enum vg_hooks_mode mode, bool force)
{
    if (!vg_valid_hook_domain_name(domain)) {
        struct vg_sbuf q = {0};
        vg_shell_quote(domain, &q);
        vg_err("domain '%s': the hook scripts live in /etc/libvirt/hooks/qemu.d/NAME/ and name "
               "the domain in shell code, so they need a name of letters, digits and ._+@:- "
               "(not starting with - or .): rename it while it is shut off (virsh domrename "
               "%s NEW-NAME), then run this again with the new name",
               domain, q.data);
        vg_sbuf_free(&q);
        return false;
    }
    if (!vg_gpu_passable(h, bdf, force, false))
        return false;
    const struct vg_pci_dev *gpu = vg_host_dev(h, bdf);
    const struct vg_pci_dev *funcs[16];
    size_t nf = vg_group_functions(h, bdf, funcs, 16);
    const char *mods[8];
    size_t nm = gpu_modules(h, gpu, mods);
    const char *mode_name = mode == VG_HOOKS_SINGLE ? "single-GPU" : "dynamic";
    if (mode == VG_HOOKS_DYNAMIC && gpu->boot_vga)
        vg_warn("%s is the boot GPU: dynamic mode keeps the desktop running on it, which "
                "fails; use --mode single",
                bdf);

    char *existing = vg_root_read(h->root, DISPATCHER, NULL);
    if (existing && !strstr(existing, MARKER) && !force) {
        vg_err("%s exists and is not vgapt-setup's dispatcher: move it into "
               "/etc/libvirt/hooks/qemu.d/ or give --force to replace it",
               DISPATCHER);
        free(existing);
        return false;
    }
    free(existing);
    vg_plan_write(p, DISPATCHER, dispatcher, 0755,
                  "libvirt runs this on every VM event; it calls the per-domain scripts");

    struct vg_sbuf bind = {0}, rel = {0};
    header(&bind, "hand over", domain, bdf, mode_name);
    vg_sbuf_puts(&bind, to_vfio_fn);
    vg_sbuf_printf(&bind, "log \"prepare/begin: %s to domain %s\"\n", bdf, domain);
    if (mode == VG_HOOKS_SINGLE)
        single_bind(&bind, h, mods, nm);
    vg_sbuf_puts(&bind, "modprobe vfio-pci\n");
    for (size_t i = 0; i < nf; i++)
        vg_sbuf_printf(&bind, "to_vfio %s\n", funcs[i]->bdf);
    vg_sbuf_puts(&bind, "log \"prepare/begin: done\"\n");

    header(&rel, "give back", domain, bdf, mode_name);
    vg_sbuf_puts(&rel, from_vfio_fn);
    vg_sbuf_printf(&rel, "log \"release/end: %s back from domain %s\"\n", bdf, domain);
    for (size_t i = nf; i-- > 0;)
        vg_sbuf_printf(&rel, "from_vfio %s\n", funcs[i]->bdf);
    vg_sbuf_puts(&rel, "\n");
    if (mode == VG_HOOKS_SINGLE)
        single_release(&rel, h, mods, nm);
    vg_sbuf_puts(&rel, "log \"release/end: done\"\n");

    char path[512];
    snprintf(path, sizeof(path), "/etc/libvirt/hooks/qemu.d/%s/prepare/begin/vgapt-gpu.sh", domain);
    vg_plan_write(p, path, bind.data, 0755,
                  mode == VG_HOOKS_SINGLE
                      ? "before the VM starts: stop the desktop, free the GPU from the console "
                        "and its driver, give every group function to vfio-pci (sysfs "
                        "driver_override: virsh nodedev-detach can deadlock inside a hook)"
                      : "before the VM starts: give every group function to vfio-pci (sysfs "
                        "driver_override), the desktop stays up on the other GPU");
    snprintf(path, sizeof(path), "/etc/libvirt/hooks/qemu.d/%s/release/end/vgapt-gpu.sh", domain);
    vg_plan_write(p, path, rel.data, 0755,
                  "after the VM stops: the exact reverse, the GPU back to the host");
    vg_sbuf_printf(&p->notes,
                   "After --apply: restart libvirtd once so that it sees a new hook "
                   "(systemctl restart libvirtd). The scripts log to "
                   "/var/log/libvirt/vgapt-hooks.log.\n"
                   "The domain's definition needs the GPU too: vgapt-setup --domain %s --gpu %s\n",
                   domain, bdf);
    vg_sbuf_free(&bind);
    vg_sbuf_free(&rel);
    return true;
}
