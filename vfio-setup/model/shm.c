#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fsroot.h"

#define TMPFILES_DIR "/etc/tmpfiles.d"

static void stat_file(const struct vg_host *h, const char *path, struct vg_shm_file *f)
{
    char full[4096];
    struct stat st;
    f->exists = vg_root_path(h->root, path, full, sizeof(full)) && stat(full, &st) == 0;
    if (f->exists) {
        f->uid = st.st_uid;
        f->gid = st.st_gid;
        f->mode = st.st_mode & 07777;
    }
}

/* The first rule for path in the .conf files of /etc/tmpfiles.d, in the order systemd-tmpfiles
 * reads them (by name; it ignores later lines for a path it has seen). */
static void find_rule(const struct vg_host *h, const char *path, struct vg_shm_file *f)
{
    char **names;
    int n = vg_root_list(h->root, TMPFILES_DIR, &names);
    for (int i = 0; i < n && !f->rule_file[0]; i++) {
        size_t len = strlen(names[i]);
        if (len < 6 || strcmp(names[i] + len - 5, ".conf"))
            continue;
        char file[300];
        snprintf(file, sizeof(file), "%s/%s", TMPFILES_DIR, names[i]);
        char *text = vg_root_read(h->root, file, NULL);
        char *save = NULL;
        for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l && !f->rule_file[0];
             l = strtok_r(NULL, "\n", &save)) {
            char type[16], p[300], mode[16] = "-", user[64] = "-", group[64] = "-";
            if (sscanf(l, "%15s %299s %15s %63s %63s", type, p, mode, user, group) < 2 ||
                type[0] == '#' || strcmp(p, path))
                continue;
            snprintf(f->rule_file, sizeof(f->rule_file), "%s", file);
            snprintf(f->rule_mode, sizeof(f->rule_mode), "%s", mode);
            snprintf(f->rule_user, sizeof(f->rule_user), "%s", user);
            snprintf(f->rule_group, sizeof(f->rule_group), "%s", group);
        }
        free(text);
    }
    vg_root_names_free(names, n);
}

void vg_model_shm(struct vg_host *h)
{
    stat_file(h, "/dev/shm/looking-glass", &h->shm_lg);
    stat_file(h, "/dev/shm/scream-ivshmem", &h->shm_scream);
    find_rule(h, "/dev/shm/looking-glass", &h->shm_lg);
    find_rule(h, "/dev/shm/scream-ivshmem", &h->shm_scream);
}
