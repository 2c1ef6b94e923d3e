#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsroot.h"
#include "util/sbuf.h"

/* The largest mode the connector offers: with a dummy plug that is the plug's EDID. */
static void best_mode(const char *root, const char *conn, uint32_t *w, uint32_t *h)
{
    char path[256];
    snprintf(path, sizeof(path), "/sys/class/drm/%s/modes", conn);
    char *modes = vg_root_read(root, path, NULL);
    *w = *h = 0;
    if (!modes)
        return;
    char *save = NULL;
    for (char *line = strtok_r(modes, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned a, b;
        if (sscanf(line, "%ux%u", &a, &b) == 2 && (uint64_t)a * b > (uint64_t)*w * *h) {
            *w = a;
            *h = b;
        }
    }
    free(modes);
}

void vg_model_drm(struct vg_host *h)
{
    char **names;
    int n = vg_root_list(h->root, "/sys/class/drm", &names);
    for (int i = 0; i < n; i++) {
        const char *name = names[i];
        const char *dash = strchr(name, '-');
        if (strncmp(name, "card", 4) || !dash)
            continue;
        char card[32], path[256];
        snprintf(card, sizeof(card), "%.*s", (int)(dash - name), name);
        struct vg_drm_connector c;
        memset(&c, 0, sizeof(c));
        snprintf(c.name, sizeof(c.name), "%s", name);
        snprintf(path, sizeof(path), "/sys/class/drm/%s/device", card);
        if (!vg_root_link_base(h->root, path, c.bdf, sizeof(c.bdf)))
            continue;
        snprintf(path, sizeof(path), "/sys/class/drm/%s/status", name);
        if (!vg_root_line(h->root, path, c.status, sizeof(c.status)))
            snprintf(c.status, sizeof(c.status), "unknown");
        best_mode(h->root, name, &c.best_w, &c.best_h);
        h->conns = vg_xrealloc(h->conns, h->n_conns + 1, sizeof(*h->conns));
        h->conns[h->n_conns++] = c;
    }
    vg_root_names_free(names, n);
}

const struct vg_drm_connector *vg_host_display(const struct vg_host *h, const char *gpu)
{
    const struct vg_drm_connector *best = NULL;
    const struct vg_pci_dev *d = vg_host_dev(h, gpu);
    if (d && !strcmp(d->driver, "vfio-pci"))
        return NULL; /* what the connectors say is no longer about this GPU */
    for (size_t i = 0; i < h->n_conns; i++) {
        const struct vg_drm_connector *c = &h->conns[i];
        if (vg_dev_same_slot(c->bdf, gpu) && !strcmp(c->status, "connected") && c->best_w &&
            (!best || (uint64_t)c->best_w * c->best_h > (uint64_t)best->best_w * best->best_h))
            best = c;
    }
    return best;
}
