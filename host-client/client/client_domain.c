#include "client_domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "input.h"
#include "vg/log.h"
#include "vg/opts.h"

struct vg_client_domain {
    struct vg_domain *dom;
    struct vg_input_addr addr;
};

/* A region given to an option that was left at its default ("/dev/shm/" + the name that
 * vgapt-setup gives it). */
static bool take_region(char **opt, const char *name, const char *what,
                        const struct vg_domain_region *r, const char *domain)
{
    char def[64];
    snprintf(def, sizeof(def), "/dev/shm/%s", name);
    if (*opt && strcmp(*opt, def) != 0) {
        vg_info("--domain %s: %s from %s (given), not from its <shmem name='%s'>", domain, what,
                *opt, r->name);
        return true;
    }
    vg_info("--domain %s: %s from %s (%llu MiB)", domain, what, r->path,
            (unsigned long long)(r->size >> 20));
    return vg_opts_set_string(opt, r->path);
}

bool vg_client_domain_apply(struct vg_client_config *cfg, struct vg_client_domain **out)
{
    *out = NULL;
    if (!cfg->domain || !cfg->domain[0])
        return true;
    struct vg_client_domain *d = calloc(1, sizeof(*d));
    if (!d) {
        vg_err("--domain: out of memory");
        return false;
    }
    struct vg_domain_info info;
    char err[1024];
    const char *name = cfg->domain;
    d->dom = vg_domain_open(cfg->connect, name, &info, err, sizeof(err));
    if (!d->dom) {
        vg_err("%s", err);
        goto fail;
    }
    if (!info.frames.found && !cfg->audio_only) {
        vg_err("--domain %s has no shared memory region for frames (<shmem name='%s'> "
               "ivshmem-plain): add it with vgapt-setup --ivshmem --domain %s, then restart the "
               "VM, or run --audio-only",
               name, VG_DOMAIN_SHM_FRAMES, name);
        goto fail;
    }
    if (info.frames.found &&
        !take_region(&cfg->shm, VG_DOMAIN_SHM_FRAMES, "frames", &info.frames, name))
        goto fail;
    if (info.scream.found &&
        !take_region(&cfg->scream, VG_DOMAIN_SHM_SCREAM, "Scream audio", &info.scream, name))
        goto fail;
    if (!info.scream.found && cfg->audio)
        vg_info("--domain %s has no <shmem name='%s'>: no Scream audio (vgapt-setup --ivshmem "
                "--domain %s adds it)",
                name, VG_DOMAIN_SHM_SCREAM, name);

    struct vg_input_addr given;
    if (!vg_input_parse_addr(cfg->spice, &given, err, sizeof(err))) {
        vg_err("%s", err);
        goto fail;
    }
    if (given.kind != VG_INPUT_ADDR_NONE) {
        vg_info("--domain %s: SPICE through --spice %s (given)", name, cfg->spice);
    } else if (info.spice_index < 0 &&
               (cfg->input || strcmp(vg_client_audio_sources[cfg->audio_source], "scream") != 0)) {
        vg_warn("--domain %s has no SPICE graphics: keyboard, mouse and SPICE audio stay off; "
                "add them with vgapt-setup --spice --domain %s, then restart the VM",
                name, name);
    } else if (info.spice_index >= 0) {
        d->addr.kind = VG_INPUT_ADDR_FD;
        snprintf(d->addr.host, sizeof(d->addr.host), "domain %s", name);
        d->addr.open_fd = vg_domain_open_spice_fd;
        d->addr.open_fd_ctx = d->dom;
        cfg->spice_addr = &d->addr;
    }
    *out = d;
    return true;
fail:
    vg_client_domain_destroy(d);
    return false;
}

void vg_client_domain_destroy(struct vg_client_domain *d)
{
    if (!d)
        return;
    vg_domain_close(d->dom);
    free(d);
}
