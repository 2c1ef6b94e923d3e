/* --domain in a build without libvirt (VG_CLIENT_LIBVIRT off): it says so. */
#include "domain.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct vg_domain *vg_domain_open(const char *uri, const char *name, struct vg_domain_info *info,
                                 char *err, size_t err_size)
{
    (void)uri;
    (void)name;
    memset(info, 0, sizeof(*info));
    info->spice_index = -1;
    snprintf(err, err_size,
             "--domain: this vgapt-client was built without libvirt (install libvirt-dev and "
             "libxml2-dev, rebuild with -DVG_CLIENT_LIBVIRT=ON), or give --shm, --scream and "
             "--spice instead");
    return NULL;
}

int vg_domain_open_spice_fd(void *ctx)
{
    (void)ctx;
    return -ENOSYS;
}

void vg_domain_close(struct vg_domain *d)
{
    (void)d;
}
