#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/fsroot.h"

void vg_model_cmdline(struct vg_host *h)
{
    if (!vg_root_line(h->root, "/proc/cmdline", h->cmdline, sizeof(h->cmdline)))
        h->cmdline[0] = 0;
    if (vg_root_line(h->root, "/proc/sys/kernel/osrelease", h->kernel_release,
                     sizeof(h->kernel_release))) {
        int maj = 0, min = 0;
        if (sscanf(h->kernel_release, "%d.%d", &maj, &min) == 2) {
            h->kernel_major = maj;
            h->kernel_minor = min;
        }
    }
}
