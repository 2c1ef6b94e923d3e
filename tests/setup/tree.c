#include "tree.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakeroot.h"

static struct {
    char **lines;
    size_t n;
    const char *root, *skip;
    size_t rootlen;
} s;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    const char *rel = path + s.rootlen;
    if (s.skip && !strncmp(rel, s.skip, strlen(s.skip)))
        return 0;
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    fprintf(f, "%s %o", *rel ? rel : "/", (unsigned)st->st_mode);
    if (S_ISLNK(st->st_mode)) {
        char t[4096];
        ssize_t n = readlink(path, t, sizeof(t) - 1);
        t[n > 0 ? n : 0] = 0;
        fprintf(f, " -> %s", t);
    } else if (S_ISREG(st->st_mode)) {
        char *c = fr_read("", path);
        fprintf(f, "\n%s", c ? c : "(unreadable)");
        free(c);
    }
    fclose(f);
    s.lines = realloc(s.lines, (s.n + 1) * sizeof(*s.lines));
    s.lines[s.n++] = line;
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *tree_snapshot(const char *root, const char *skip)
{
    s.lines = NULL;
    s.n = 0;
    s.root = root;
    s.skip = skip;
    s.rootlen = strlen(root);
    nftw(root, visit, 32, FTW_PHYS);
    qsort(s.lines, s.n, sizeof(*s.lines), cmp);
    size_t total = 1;
    for (size_t i = 0; i < s.n; i++)
        total += strlen(s.lines[i]) + 1;
    char *out = malloc(total);
    out[0] = 0;
    for (size_t i = 0; i < s.n; i++) {
        strcat(out, s.lines[i]);
        strcat(out, "\n");
        free(s.lines[i]);
    }
    free(s.lines);
    return out;
}
