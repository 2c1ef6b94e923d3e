/* Plan builders: from the host model and the user's choice to a plan. They read files only
 * through the plan (to diff against what is there) and never change anything. Each returns
 * false with the reason logged when the request cannot be planned. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "apply/apply.h"
#include "hooks/hooks.h"
#include "model/model.h"
#include "plan/plan.h"

struct vg_vm_request {
    const char *domain; /* borrowed, validated */
    const char *xml;    /* borrowed: the domain's inactive XML */
    bool ivshmem;
    uint32_t width, height;      /* frame size for the IVSHMEM rule */
    bool resolution_given;       /* the user chose it: an existing larger region shrinks to fit */
    const char *resolution_from; /* borrowed or NULL: where width x height came from */
    bool hdr;
    bool audio;      /* the Scream region beside the frame region */
    const char *gpu; /* borrowed BDF or NULL */
    const char *rom; /* borrowed or NULL */
    bool hide_hypervisor;
    const char *vendor_id; /* borrowed */
    bool hugepages;
    bool spice;               /* keyboard and mouse for vgapt-client --spice */
    const char *spice_listen; /* borrowed or NULL (a unix socket): TCP address, autoport */
    bool spice_audio;         /* with spice: ich9 sound on SPICE's audio */
    const char *user;         /* borrowed or NULL: owner of the /dev/shm files (tmpfiles.d) */
    bool force;               /* pass a dirty group anyway */
    /* [optional] borrowed: with its preview, the plan shows the definition as libvirt will
     * hold it (controllers and addresses it adds included) and apply defines exactly that.
     * The preview defines a renamed copy for a moment; nothing else here touches libvirt. */
    const struct vg_domain_ops *libvirt;
};

bool vg_plan_vm(struct vg_plan *p, const struct vg_host *h, const struct vg_vm_request *r);

/* Boot-time binding of bdf's group to vfio-pci (bind) and its reversal (unbind). */
bool vg_plan_bind(struct vg_plan *p, const struct vg_host *h, const char *bdf, bool force);
bool vg_plan_unbind(struct vg_plan *p, const struct vg_host *h);

/* The dispatcher and domain's hand-over scripts for bdf (hooks/hooks.h). */
bool vg_plan_hooks(struct vg_plan *p, const struct vg_host *h, const char *domain, const char *bdf,
                   enum vg_hooks_mode mode, bool force);

/* Input validation shared by the CLI and the builders. */
/* Every name libvirt takes (it refuses '/'), less control characters, which the undo records
 * cannot hold. The name only ever goes through libvirt's API, never a shell. */
bool vg_valid_domain_name(const char *s);
/* The names a hook script can carry in its path and its shell code: letters, digits and
 * ._+@:-, not starting with '-' or '.', at most 64. */
bool vg_valid_hook_domain_name(const char *s);
bool vg_valid_user_name(const char *s);
bool vg_valid_vendor_id(const char *s);
bool vg_valid_path(const char *s); /* absolute, printable, no quotes */
/* A numeric IPv4 or IPv6 address; *loopback (may be NULL) says whether it is 127.0.0.0/8 or
 * ::1. */
bool vg_valid_ip_address(const char *s, bool *loopback);

/* Checks that bdf names a GPU function of h whose group may be passed (dirty groups only
 * with force, the boot GPU only with force when refuse_boot). Logs why not. */
bool vg_gpu_passable(const struct vg_host *h, const char *bdf, bool force, bool refuse_boot);
