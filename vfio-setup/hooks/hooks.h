/* libvirt hook scripts for a GPU hand-over, as text (plan/hooks.c puts them in a plan): the
 * dispatcher libvirt runs on every VM event, and per domain the script that gives the GPU's
 * group to vfio-pci before the VM starts and the one that gives it back after it stops. */
#pragma once

#include <stddef.h>

#include "model/model.h"

#define VG_HOOK_DISPATCHER "/etc/libvirt/hooks/qemu"
#define VG_HOOK_MARKER "# libvirt hook dispatcher installed by vgapt-setup"

/* single: the only GPU, the desktop stops while the VM runs; dynamic: the host keeps another. */
enum vg_hooks_mode { VG_HOOKS_SINGLE, VG_HOOKS_DYNAMIC };

/* The dispatcher's text (it carries VG_HOOK_MARKER). */
extern const char vg_hook_dispatcher[];

/* prepare/begin and release/end for gpu (borrowed, a device of h) of domain (borrowed, a name
 * vg_valid_hook_domain_name takes), moving funcs (the group's functions, borrowed) in that order
 * and back in reverse. Owned by the caller. */
char *vg_hook_script_begin(const struct vg_host *h, const char *domain,
                           const struct vg_pci_dev *gpu, const struct vg_pci_dev *const *funcs,
                           size_t n_funcs, enum vg_hooks_mode mode);
char *vg_hook_script_end(const struct vg_host *h, const char *domain, const struct vg_pci_dev *gpu,
                         const struct vg_pci_dev *const *funcs, size_t n_funcs,
                         enum vg_hooks_mode mode);
/* "single-GPU" or "dynamic", as the scripts' comments name the mode. */
const char *vg_hooks_mode_name(enum vg_hooks_mode mode);
