#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fsroot.h"

static unsigned long meminfo_field(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

static void shm_file(const struct vg_host *h, const char *path, unsigned *uid, unsigned *gid,
                     unsigned *mode, bool *exists)
{
    char full[4096];
    struct stat st;
    *exists = vg_root_path(h->root, path, full, sizeof(full)) && stat(full, &st) == 0;
    if (*exists) {
        *uid = st.st_uid;
        *gid = st.st_gid;
        *mode = st.st_mode & 07777;
    }
}

void vg_model_memory(struct vg_host *h)
{
    char *mi = vg_root_read(h->root, "/proc/meminfo", NULL);
    if (mi) {
        h->mem_total_kib = meminfo_field(mi, "MemTotal:");
        h->hugepages_total = meminfo_field(mi, "HugePages_Total:");
        h->hugepage_kib = meminfo_field(mi, "Hugepagesize:");
        free(mi);
    }
    /* libvirt backs <hugepages/> with a file on a hugetlbfs mount; systemd mounts one at
     * /dev/hugepages, other inits may not. */
    char *mounts = vg_root_read(h->root, "/proc/mounts", NULL);
    h->mounts_known = mounts != NULL;
    h->hugetlbfs[0] = 0;
    for (const char *l = mounts; l && *l && !h->hugetlbfs[0];
         l += strcspn(l, "\n"), l += *l == '\n') {
        char dev[64], dir[128], type[32];
        if (sscanf(l, "%63s %127s %31s", dev, dir, type) == 3 && !strcmp(type, "hugetlbfs"))
            snprintf(h->hugetlbfs, sizeof(h->hugetlbfs), "%s", dir);
    }
    free(mounts);
    shm_file(h, "/dev/shm/looking-glass", &h->shm_lg.uid, &h->shm_lg.gid, &h->shm_lg.mode,
             &h->shm_lg.exists);
    shm_file(h, "/dev/shm/scream-ivshmem", &h->shm_scream.uid, &h->shm_scream.gid,
             &h->shm_scream.mode, &h->shm_scream.exists);

    /* Desktop pieces the single-GPU hooks have to stop and restore. */
    h->display_manager[0] = 0;
    char dm[64];
    if (vg_root_link_base(h->root, "/etc/systemd/system/display-manager.service", dm, sizeof(dm))) {
        char *dot = strstr(dm, ".service");
        if (dot)
            *dot = 0;
        snprintf(h->display_manager, sizeof(h->display_manager), "%s", dm);
    } else if (vg_root_line(h->root, "/etc/X11/default-display-manager", dm, sizeof(dm))) {
        const char *base = strrchr(dm, '/');
        snprintf(h->display_manager, sizeof(h->display_manager), "%s", base ? base + 1 : dm);
    }
    /* It ends up in generated shell scripts: anything but a plain unit name is ignored. */
    if (strspn(h->display_manager, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_@.") != strlen(h->display_manager))
        h->display_manager[0] = 0;
    h->efi_framebuffer =
        vg_root_exists(h->root, "/sys/bus/platform/drivers/efi-framebuffer/efi-framebuffer.0");
    h->simple_framebuffer = vg_root_exists(
        h->root, "/sys/bus/platform/drivers/simple-framebuffer/simple-framebuffer.0");
}
