#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "util/fsroot.h"

void vg_plan_init(struct vg_plan *p, const char *title, const char *root)
{
    memset(p, 0, sizeof(*p));
    p->title = vg_xstrdup(title);
    p->root = vg_xstrdup(root);
}

static char **copy_argv(const char *const *argv)
{
    if (!argv)
        return NULL;
    size_t n = 0;
    while (argv[n])
        n++;
    char **v = vg_xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = vg_xstrdup(argv[i]);
    return v;
}

static void free_argv(char **v)
{
    if (!v)
        return;
    for (char **a = v; *a; a++)
        free(*a);
    free(v);
}

void vg_plan_finish(struct vg_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        struct vg_step *s = &p->steps[i];
        free(s->why);
        free(s->path);
        free(s->old_content);
        free(s->content);
        free_argv(s->argv);
        free_argv(s->undo_argv);
        free(s->kept);
        free(s->domain);
        free(s->old_xml);
        free(s->new_xml);
    }
    free(p->steps);
    free(p->title);
    free(p->root);
    free(p->uri);
    vg_sbuf_free(&p->notes);
    memset(p, 0, sizeof(*p));
}

static struct vg_step *add(struct vg_plan *p, enum vg_step_kind kind, const char *why)
{
    p->steps = vg_xrealloc(p->steps, p->n + 1, sizeof(*p->steps));
    struct vg_step *s = &p->steps[p->n++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->why = vg_xstrdup(why);
    return s;
}

const char *vg_plan_pending(const struct vg_plan *p, const char *path)
{
    const char *found = NULL;
    for (size_t i = 0; i < p->n; i++) {
        const struct vg_step *s = &p->steps[i];
        if (s->path && !strcmp(s->path, path))
            found = s->kind == VG_STEP_WRITE ? s->content : NULL;
    }
    return found;
}

bool vg_plan_write(struct vg_plan *p, const char *path, const char *content, unsigned mode,
                   const char *why)
{
    size_t old_len = 0;
    char *old = vg_root_read(p->root, path, &old_len);
    if (old && old_len == strlen(content) && !memcmp(old, content, old_len)) {
        free(old);
        return false;
    }
    struct vg_step *s = add(p, VG_STEP_WRITE, why);
    s->path = vg_xstrdup(path);
    s->old_content = old;
    s->old_len = old_len;
    s->content = vg_xstrdup(content);
    s->len = strlen(content);
    s->mode = mode;
    return true;
}

bool vg_plan_remove(struct vg_plan *p, const char *path, const char *why)
{
    size_t old_len = 0;
    char *old = vg_root_read(p->root, path, &old_len);
    if (!old)
        return false;
    struct vg_step *s = add(p, VG_STEP_REMOVE, why);
    s->path = vg_xstrdup(path);
    s->old_content = old;
    s->old_len = old_len;
    return true;
}

void vg_plan_run(struct vg_plan *p, const char *const *argv, const char *const *undo_argv,
                 const char *why)
{
    struct vg_step *s = add(p, VG_STEP_RUN, why);
    s->argv = copy_argv(argv);
    s->undo_argv = copy_argv(undo_argv);
}

void vg_plan_run_kept(struct vg_plan *p, const char *const *argv, const char *why,
                      const char *kept)
{
    struct vg_step *s = add(p, VG_STEP_RUN, why);
    s->argv = copy_argv(argv);
    s->kept = vg_xstrdup(kept);
}

bool vg_plan_domain(struct vg_plan *p, const char *name, const char *old_xml, const char *new_xml,
                    const char *why)
{
    if (!strcmp(old_xml, new_xml))
        return false;
    struct vg_step *s = add(p, VG_STEP_DOMAIN, why);
    s->domain = vg_xstrdup(name);
    s->old_xml = vg_xstrdup(old_xml);
    s->new_xml = vg_xstrdup(new_xml);
    return true;
}
