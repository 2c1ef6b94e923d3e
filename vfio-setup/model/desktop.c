#include "model/model.h"

#include <stdio.h>
#include <string.h>

#include "util/fsroot.h"

/* The display manager the single-GPU hooks stop and start again. */
void vg_model_desktop(struct vg_host *h)
{
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
}
