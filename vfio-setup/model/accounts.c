#include "model/model.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
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

/* Field number field (0-based) of the line of file (passwd or group format) under root whose
 * field key_field is key, into out; false when no line has it. */
static bool field_of(const char *root, const char *file, int key_field, const char *key, int field,
                     char *out, size_t size)
{
    char *text = vg_root_read(root, file, NULL);
    bool found = false;
    for (const char *l = text; l && *l && !found; l += strcspn(l, "\n"), l += *l == '\n') {
        const char *f[8];
        size_t len[8];
        int n = 0;
        for (const char *p = l; n < 8;) {
            f[n] = p;
            len[n] = strcspn(p, ":\n");
            p += len[n];
            n++;
            if (*p != ':')
                break;
            p++;
        }
        if (n > key_field && n > field && len[key_field] == strlen(key) &&
            !strncmp(f[key_field], key, len[key_field])) {
            snprintf(out, size, "%.*s", (int)len[field], f[field]);
            found = true;
        }
    }
    free(text);
    return found;
}

void vg_host_group_name(const struct vg_host *h, unsigned gid, char *out, size_t size)
{
    out[0] = 0;
    if (live(h->root)) {
        struct group *gr = getgrgid((gid_t)gid);
        if (gr)
            snprintf(out, size, "%s", gr->gr_name);
        return;
    }
    char id[16];
    snprintf(id, sizeof(id), "%u", gid);
    if (!field_of(h->root, "/etc/group", 2, id, 0, out, size))
        out[0] = 0;
}

bool vg_account_home(const char *root, const char *user, char *out, size_t size)
{
    if (live(root)) {
        struct passwd *pw = getpwnam(user);
        if (!pw || !pw->pw_dir || !pw->pw_dir[0])
            return false;
        snprintf(out, size, "%s", pw->pw_dir);
        return true;
    }
    return field_of(root, "/etc/passwd", 0, user, 5, out, size) && out[0] == '/';
}

void vg_host_user_name(const struct vg_host *h, unsigned uid, char *out, size_t size)
{
    out[0] = 0;
    if (live(h->root)) {
        struct passwd *pw = getpwuid((uid_t)uid);
        if (pw)
            snprintf(out, size, "%s", pw->pw_name);
        return;
    }
    char *text = vg_root_read(h->root, "/etc/passwd", NULL);
    for (const char *l = text; l && *l && !out[0]; l += strcspn(l, "\n"), l += *l == '\n') {
        /* name:password:uid:... */
        size_t name_len = strcspn(l, ":\n");
        const char *pw = l[name_len] == ':' ? l + name_len + 1 : NULL;
        const char *id = pw && pw[strcspn(pw, ":\n")] == ':' ? pw + strcspn(pw, ":\n") + 1 : NULL;
        char *end;
        unsigned long v = id ? strtoul(id, &end, 10) : 0;
        if (id && end != id && *end == ':' && v == uid)
            snprintf(out, size, "%.*s", (int)name_len, l);
    }
    free(text);
}
