#include "plan/builders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checks.h"
#include "hooks/hooks.h"
#include "util/fsroot.h"
#include "vg/log.h"

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
    if (mode == VG_HOOKS_DYNAMIC && gpu->boot_vga)
        vg_warn("%s is the boot GPU: dynamic mode keeps the desktop running on it, which "
                "fails; use --mode single",
                bdf);

    char *existing = vg_root_read(h->root, VG_HOOK_DISPATCHER, NULL);
    if (existing && !strstr(existing, VG_HOOK_MARKER) && !force) {
        vg_err("%s exists and is not vgapt-setup's dispatcher: move it into "
               "/etc/libvirt/hooks/qemu.d/ or give --force to replace it",
               VG_HOOK_DISPATCHER);
        free(existing);
        return false;
    }
    free(existing);
    vg_plan_write(p, VG_HOOK_DISPATCHER, vg_hook_dispatcher, 0755,
                  "libvirt runs this on every VM event; it calls the per-domain scripts");

    char *bind = vg_hook_script_begin(h, domain, gpu, funcs, nf, mode);
    char *rel = vg_hook_script_end(h, domain, gpu, funcs, nf, mode);

    char path[512];
    snprintf(path, sizeof(path), "/etc/libvirt/hooks/qemu.d/%s/prepare/begin/vgapt-gpu.sh", domain);
    vg_plan_write(p, path, bind, 0755,
                  mode == VG_HOOKS_SINGLE
                      ? "before the VM starts: stop the desktop, free the GPU from the console "
                        "and its driver, give every group function to vfio-pci (sysfs "
                        "driver_override: virsh nodedev-detach can deadlock inside a hook)"
                      : "before the VM starts: give every group function to vfio-pci (sysfs "
                        "driver_override), the desktop stays up on the other GPU");
    snprintf(path, sizeof(path), "/etc/libvirt/hooks/qemu.d/%s/release/end/vgapt-gpu.sh", domain);
    vg_plan_write(p, path, rel, 0755,
                  "after the VM stops: the exact reverse, the GPU back to the host");
    vg_sbuf_printf(&p->notes,
                   "After --apply: restart libvirtd once so that it sees a new hook "
                   "(systemctl restart libvirtd). The scripts log to "
                   "/var/log/libvirt/vgapt-hooks.log.\n"
                   "The domain's definition needs the GPU too: vgapt-setup --domain %s --gpu %s\n",
                   domain, bdf);
    free(bind);
    free(rel);
    return true;
}
