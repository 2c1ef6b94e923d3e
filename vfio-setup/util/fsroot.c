#include "util/fsroot.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/sbuf.h"

bool vg_root_path(const char *root, const char *path, char *out, size_t size)
{
    size_t rl = strlen(root);
    while (rl > 0 && root[rl - 1] == '/')
        rl--;
    int n = snprintf(out, size, "%.*s%s%s", (int)rl, root, path[0] == '/' ? "" : "/", path);
    return n > 0 && (size_t)n < size;
}

char *vg_root_read(const char *root, const char *path, size_t *len)
{
    char full[4096];
    if (!vg_root_path(root, path, full, sizeof(full)))
        return NULL;
    FILE *f = fopen(full, "rb");
    if (!f)
        return NULL;
    struct vg_sbuf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        vg_sbuf_putn(&b, chunk, n);
    bool err = ferror(f);
    fclose(f);
    if (err) {
        vg_sbuf_free(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    return vg_sbuf_take(&b);
}

bool vg_root_line(const char *root, const char *path, char *out, size_t size)
{
    char *text = vg_root_read(root, path, NULL);
    if (!text)
        return false;
    char *s = text;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strcspn(s, "\n");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    snprintf(out, size, "%.*s", (int)n, s);
    free(text);
    return true;
}

bool vg_root_ulong(const char *root, const char *path, unsigned long *out)
{
    char line[64];
    if (!vg_root_line(root, path, line, sizeof(line)) || !line[0])
        return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(line, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool vg_root_exists(const char *root, const char *path)
{
    char full[4096];
    struct stat st;
    return vg_root_path(root, path, full, sizeof(full)) && lstat(full, &st) == 0;
}

bool vg_root_is_dir(const char *root, const char *path)
{
    char full[4096];
    struct stat st;
    return vg_root_path(root, path, full, sizeof(full)) && stat(full, &st) == 0 &&
           S_ISDIR(st.st_mode);
}

bool vg_root_link_base(const char *root, const char *path, char *out, size_t size)
{
    char full[4096], target[4096];
    if (!vg_root_path(root, path, full, sizeof(full)))
        return false;
    ssize_t n = readlink(full, target, sizeof(target) - 1);
    if (n <= 0)
        return false;
    target[n] = 0;
    const char *base = strrchr(target, '/');
    snprintf(out, size, "%s", base ? base + 1 : target);
    return true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int vg_root_list(const char *root, const char *path, char ***names)
{
    char full[4096];
    *names = NULL;
    if (!vg_root_path(root, path, full, sizeof(full)))
        return -1;
    DIR *d = opendir(full);
    if (!d)
        return -1;
    int n = 0;
    char **v = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        v = vg_xrealloc(v, (size_t)n + 1, sizeof(*v));
        v[n++] = vg_xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(v, (size_t)n, sizeof(*v), cmp_names);
    *names = v;
    return n;
}

void vg_root_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
