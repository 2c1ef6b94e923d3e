#include "apply/remember.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/apply.h"
#include "libvirt/ivshmem_size.h"
#include "util/fsroot.h"
#include "util/sbuf.h"
#include "vg/log.h"

#define HEADER                                                                                     \
    "# vgapt-setup: the largest mode last seen on each guest GPU's display, for --ivshmem once\n"  \
    "# vfio-pci has the GPU. GPU MODE CONNECTOR SEEN (UTC)\n"

void vg_seen_modes_path(const char *root, char *out, size_t size)
{
    char plans[4096];
    vg_state_dir(root, plans, sizeof(plans));
    char *slash = strrchr(plans, '/');
    if (slash && !strcmp(slash, "/plans"))
        *slash = 0;
    snprintf(out, size, "%s/displays", plans);
}

/* One line of the file into m; false for comments and malformed lines. */
static bool parse_line(const char *line, struct vg_seen_mode *m)
{
    char gpu[32], conn[64], when[32];
    unsigned w, h;
    if (sscanf(line, "%31s %ux%u %63s %31s", gpu, &w, &h, conn, when) != 5 || gpu[0] == '#' || !w ||
        !h || w > VG_MAX_RESOLUTION || h > VG_MAX_RESOLUTION || strlen(gpu) >= sizeof(m->gpu) ||
        strlen(conn) >= sizeof(m->connector) || strlen(when) >= sizeof(m->when))
        return false;
    snprintf(m->gpu, sizeof(m->gpu), "%s", gpu);
    snprintf(m->connector, sizeof(m->connector), "%s", conn);
    snprintf(m->when, sizeof(m->when), "%s", when);
    m->w = w;
    m->h = h;
    return true;
}

bool vg_recall_mode(const char *root, const char *gpu, struct vg_seen_mode *out)
{
    char path[4200];
    vg_seen_modes_path(root, path, sizeof(path));
    char *text = vg_root_read(root, path, NULL);
    bool found = false;
    char *save = NULL;
    for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l && !found;
         l = strtok_r(NULL, "\n", &save))
        found = parse_line(l, out) && vg_dev_same_slot(out->gpu, gpu);
    free(text);
    return found;
}

/* Whether the nearest existing directory of path (under root) lets us create files. */
static bool creatable(const char *root, const char *path)
{
    char full[4400];
    if (!vg_root_path(root, path, full, sizeof(full)))
        return false;
    char *slash;
    while ((slash = strrchr(full, '/')) && slash != full) {
        *slash = 0;
        if (access(full, F_OK) == 0)
            return access(full, W_OK | X_OK) == 0;
    }
    return access("/", W_OK | X_OK) == 0;
}

bool vg_remember_mode(const char *root, const struct vg_host *h, const char *gpu,
                      struct vg_seen_mode *out)
{
    const struct vg_drm_connector *best = vg_host_display(h, gpu);
    if (!best)
        return false;
    struct vg_seen_mode m = {.w = best->best_w, .h = best->best_h};
    snprintf(m.gpu, sizeof(m.gpu), "%s", gpu);
    snprintf(m.connector, sizeof(m.connector), "%s", best->name);
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(m.when, sizeof(m.when), "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(m.when, sizeof(m.when), "unknown");
    if (out)
        *out = m;

    char path[4200];
    vg_seen_modes_path(root, path, sizeof(path));
    char *old = vg_root_read(root, path, NULL);
    struct vg_sbuf text = {0};
    vg_sbuf_puts(&text, HEADER);
    vg_sbuf_printf(&text, "%s %ux%u %s %s\n", m.gpu, m.w, m.h, m.connector, m.when);
    char *save = NULL;
    for (char *l = old ? strtok_r(old, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
        struct vg_seen_mode other;
        if (parse_line(l, &other) && !vg_dev_same_slot(other.gpu, gpu))
            vg_sbuf_printf(&text, "%s\n", l);
    }
    free(old);
    bool ok = creatable(root, path) && vg_write_atomic(root, path, text.data, text.len, 0644, NULL);
    if (!ok)
        vg_debug("cannot keep the mode seen on %s in %s: %s", gpu, path, strerror(errno));
    vg_sbuf_free(&text);
    return ok;
}
