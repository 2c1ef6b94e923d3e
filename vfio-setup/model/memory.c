#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsroot.h"

static unsigned long meminfo_field(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtoul(p + strlen(key), NULL, 10) : 0;
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
}
