#include "hooks/hooks.h"

#include <stdio.h>
#include <string.h>

#include "util/fsroot.h"
#include "util/sbuf.h"

const char vg_hook_dispatcher[] =
    "#!/bin/sh\n" VG_HOOK_MARKER "\n"
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

char *vg_hook_script_begin(const struct vg_host *h, const char *domain,
                           const struct vg_pci_dev *gpu, const struct vg_pci_dev *const *funcs,
                           size_t n_funcs, enum vg_hooks_mode mode)
{
    const char *mods[8];
    size_t nm = gpu_modules(h, gpu, mods);
    struct vg_sbuf bind = {0};
    header(&bind, "hand over", domain, gpu->bdf, vg_hooks_mode_name(mode));
    vg_sbuf_puts(&bind, to_vfio_fn);
    vg_sbuf_printf(&bind, "log \"prepare/begin: %s to domain %s\"\n", gpu->bdf, domain);
    if (mode == VG_HOOKS_SINGLE)
        single_bind(&bind, h, mods, nm);
    vg_sbuf_puts(&bind, "modprobe vfio-pci\n");
    for (size_t i = 0; i < n_funcs; i++)
        vg_sbuf_printf(&bind, "to_vfio %s\n", funcs[i]->bdf);
    vg_sbuf_puts(&bind, "log \"prepare/begin: done\"\n");
    return vg_sbuf_take(&bind);
}

char *vg_hook_script_end(const struct vg_host *h, const char *domain, const struct vg_pci_dev *gpu,
                         const struct vg_pci_dev *const *funcs, size_t n_funcs,
                         enum vg_hooks_mode mode)
{
    const char *mods[8];
    size_t nm = gpu_modules(h, gpu, mods);
    struct vg_sbuf rel = {0};
    header(&rel, "give back", domain, gpu->bdf, vg_hooks_mode_name(mode));
    vg_sbuf_puts(&rel, from_vfio_fn);
    vg_sbuf_printf(&rel, "log \"release/end: %s back from domain %s\"\n", gpu->bdf, domain);
    for (size_t i = n_funcs; i-- > 0;)
        vg_sbuf_printf(&rel, "from_vfio %s\n", funcs[i]->bdf);
    vg_sbuf_puts(&rel, "\n");
    if (mode == VG_HOOKS_SINGLE)
        single_release(&rel, h, mods, nm);
    vg_sbuf_puts(&rel, "log \"release/end: done\"\n");
    return vg_sbuf_take(&rel);
}

const char *vg_hooks_mode_name(enum vg_hooks_mode mode)
{
    return mode == VG_HOOKS_SINGLE ? "single-GPU" : "dynamic";
}
