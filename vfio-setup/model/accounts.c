#include "model/model.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsroot.h"

/* Whether file (passwd or group format) under root has an entry called name. */
static int listed(const char *root, const char *file, const char *name)
{
    char *text = vg_root_read(root, file, NULL);
    if (!text)
        return -1;
    size_t n = strlen(name);
    int found = 0;
    for (const char *l = text; *l && !found; l += strcspn(l, "\n"), l += *l == '\n')
        found = !strncmp(l, name, n) && l[n] == ':';
    free(text);
    return found;
}

static bool live(const char *root)
{
    return root[strspn(root, "/")] == 0;
}

int vg_host_user_known(const struct vg_host *h, const char *name)
{
    if (live(h->root))
        return getpwnam(name) != NULL;
    return listed(h->root, "/etc/passwd", name);
}

int vg_host_group_known(const struct vg_host *h, const char *name)
{
    if (live(h->root))
        return getgrnam(name) != NULL;
    return listed(h->root, "/etc/group", name);
}
