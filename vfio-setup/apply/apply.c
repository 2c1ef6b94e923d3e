#include "apply/apply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsroot.h"
#include "vg/log.h"

static bool is_live(const char *root)
{
    return root[strspn(root, "/")] == 0;
}

void vg_state_dir(const char *root, char *out, size_t size)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (is_live(root) && geteuid() != 0 && xdg && *xdg)
        snprintf(out, size, "%s/vgapt-setup/plans", xdg);
    else if (is_live(root) && geteuid() != 0 && home && *home)
        snprintf(out, size, "%s/.local/state/vgapt-setup/plans", home);
    else
        snprintf(out, size, "%s", VG_STATE_DIR);
}

bool vg_apply_permitted(const struct vg_plan *p)
{
    if (!is_live(p->root) || geteuid() == 0)
        return true;
    for (size_t i = 0; i < p->n; i++) {
        const struct vg_step *s = &p->steps[i];
        if (s->kind != VG_STEP_DOMAIN) {
            vg_err("step %zu (%s) changes the system and needs root: run the same command "
                   "with sudo; nothing was changed",
                   i + 1, s->path ? s->path : s->argv[0]);
            return false;
        }
    }
    return true;
}

static int last_plan_number(const char *root, const char *state)
{
    char **names;
    int n = vg_root_list(root, state, &names), best = 0;
    for (int i = 0; i < n; i++)
        if (names[i][0] >= '0' && names[i][0] <= '9' && atoi(names[i]) > best)
            best = atoi(names[i]);
    vg_root_names_free(names, n);
    return best;
}

static bool file_matches(const char *root, const struct vg_step *s)
{
    size_t len;
    char *cur = vg_root_read(root, s->path, &len);
    bool same = (!cur && !s->old_content) ||
                (cur && s->old_content && len == s->old_len && !memcmp(cur, s->old_content, len));
    free(cur);
    return same;
}

static unsigned file_mode(const char *root, const char *path)
{
    char full[4096];
    struct stat st;
    if (vg_root_path(root, path, full, sizeof(full)) && stat(full, &st) == 0)
        return st.st_mode & 07777;
    return 0;
}

static bool remove_file(const char *root, const char *path)
{
    char full[4096];
    if (!vg_root_path(root, path, full, sizeof(full)) || (unlink(full) != 0 && errno != ENOENT)) {
        vg_err("cannot remove %s: %s", full, strerror(errno));
        return false;
    }
    return true;
}

static void remove_dirs(const char *root, const char *list)
{
    /* Deepest first: the list is in creation order, parents before children. */
    char *copy = vg_xstrdup(list);
    char *lines[64];
    int n = 0;
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l && n < 64; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    while (n-- > 0) {
        char full[4096];
        if (vg_root_path(root, lines[n], full, sizeof(full)))
            rmdir(full);
    }
    free(copy);
}

/* One line of the manifest: fields separated by tabs. */
static void field(struct vg_sbuf *m, const char *s, bool last)
{
    vg_sbuf_puts(m, s);
    vg_sbuf_puts(m, last ? "\n" : "\t");
}

static void manifest_argv(struct vg_sbuf *m, char *const *argv)
{
    vg_sbuf_puts(m, "run");
    for (char *const *a = argv; *a; a++) {
        vg_sbuf_puts(m, "\t");
        vg_sbuf_puts(m, *a);
    }
    vg_sbuf_puts(m, "\n");
}

/* A command undo leaves alone, with the reason, for the undo plan to show. */
static void manifest_kept(struct vg_sbuf *m, const char *why, char *const *argv)
{
    vg_sbuf_printf(m, "kept\t%s", why);
    for (char *const *a = argv; *a; a++)
        vg_sbuf_printf(m, "\t%s", *a);
    vg_sbuf_puts(m, "\n");
}

struct done {
    const struct vg_step *s;
    struct vg_sbuf dirs;
    unsigned mode;
    bool ran;
};

static void rollback(const struct vg_plan *p, struct done *d, size_t n,
                     const struct vg_apply_opts *o)
{
    vg_warn("rolling back the %zu step%s already done", n, n == 1 ? "" : "s");
    for (size_t i = n; i-- > 0;) {
        const struct vg_step *s = d[i].s;
        if (s->kind == VG_STEP_WRITE || s->kind == VG_STEP_REMOVE) {
            if (s->old_content)
                vg_write_atomic(p->root, s->path, s->old_content, s->old_len, d[i].mode, NULL);
            else
                remove_file(p->root, s->path);
            if (d[i].dirs.len)
                remove_dirs(p->root, d[i].dirs.data);
        } else if (s->kind == VG_STEP_DOMAIN) {
            o->domain->define(o->domain->ctx, s->domain, s->old_xml);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (d[i].ran && !d[i].s->kept)
            vg_run_argv(d[i].s->undo_argv ? d[i].s->undo_argv : d[i].s->argv);
}

bool vg_apply(const struct vg_plan *p, const struct vg_apply_opts *o)
{
    if (p->n == 0)
        return true;
    if (!vg_apply_permitted(p))
        return false;
    char state[4096], dir[4200], path[4300];
    vg_state_dir(p->root, state, sizeof(state));
    snprintf(dir, sizeof(dir), "%s/%04d", state, last_plan_number(p->root, state) + 1);
    struct done *d = vg_xcalloc(p->n, sizeof(*d));
    struct vg_sbuf m = {0};
    size_t n_done = 0;
    bool ok = false;
    vg_sbuf_printf(&m, "plan\t%s\n", p->title);
    if (p->uri)
        vg_sbuf_printf(&m, "uri\t%s\n", p->uri);
    snprintf(path, sizeof(path), "%s/manifest", dir);
    if (!vg_write_atomic(p->root, path, m.data, m.len, 0600, NULL))
        goto fail;
    for (size_t i = 0; i < p->n; i++) {
        const struct vg_step *s = &p->steps[i];
        struct done *di = &d[i];
        di->s = s;
        if (o->fail_at == i + 1) {
            vg_err("step %zu: failure injected for testing", i + 1);
            goto fail;
        }
        switch (s->kind) {
        case VG_STEP_WRITE:
        case VG_STEP_REMOVE:
            if (!file_matches(p->root, s)) {
                vg_err("%s changed since the plan was made: run the command again to see a "
                       "fresh plan",
                       s->path);
                goto fail;
            }
            di->mode = file_mode(p->root, s->path);
            if (s->old_content) {
                snprintf(path, sizeof(path), "%s/%zu.orig", dir, i + 1);
                if (!vg_write_atomic(p->root, path, s->old_content, s->old_len, 0600, NULL))
                    goto fail;
            }
            if (s->kind == VG_STEP_WRITE) {
                /* What the step leaves, for undo to see later changes. */
                snprintf(path, sizeof(path), "%s/%zu.new", dir, i + 1);
                if (!vg_write_atomic(p->root, path, s->content, s->len, 0600, NULL))
                    goto fail;
                if (!vg_write_atomic(p->root, s->path, s->content, s->len, s->mode, &di->dirs))
                    goto fail_this;
            } else if (!remove_file(p->root, s->path)) {
                goto fail_this;
            }
            vg_sbuf_puts(&m, "file\t");
            field(&m, s->path, false);
            {
                char num[64];
                if (s->old_content)
                    snprintf(num, sizeof(num), "%zu.orig\t%04o", i + 1, di->mode);
                else
                    snprintf(num, sizeof(num), "-\t-");
                field(&m, num, false);
                if (s->kind == VG_STEP_WRITE)
                    snprintf(num, sizeof(num), "%zu.new", i + 1);
                else
                    snprintf(num, sizeof(num), "-");
                field(&m, num, true);
            }
            if (di->dirs.len) {
                char *copy = vg_xstrdup(di->dirs.data), *save = NULL;
                for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                    vg_sbuf_printf(&m, "dir\t%s\n", l);
                free(copy);
            }
            break;
        case VG_STEP_RUN:
            if (!is_live(p->root) && !o->run_under_root) {
                vg_info("step %zu: not running %s: --root is not the live system", i + 1,
                        s->argv[0]);
                break;
            }
            di->ran = true; /* a failed command may have done part of its work */
            if (!vg_run_argv(s->argv))
                goto fail_this;
            if (s->kept)
                manifest_kept(&m, s->kept, s->argv);
            else
                manifest_argv(&m, s->undo_argv ? s->undo_argv : s->argv);
            break;
        case VG_STEP_DOMAIN:
            if (!o->domain) {
                vg_err("step %zu: no libvirt connection for domain %s", i + 1, s->domain);
                goto fail;
            }
            snprintf(path, sizeof(path), "%s/%zu.xml", dir, i + 1);
            if (!vg_write_atomic(p->root, path, s->old_xml, strlen(s->old_xml), 0600, NULL))
                goto fail;
            if (!o->domain->define(o->domain->ctx, s->domain, s->new_xml))
                goto fail_this;
            vg_sbuf_printf(&m, "domain\t%s\t%zu.xml", s->domain, i + 1);
            {
                /* The definition as libvirt holds it, for undo to see later changes. */
                char *held =
                    o->domain->get_xml ? o->domain->get_xml(o->domain->ctx, s->domain) : NULL;
                snprintf(path, sizeof(path), "%s/%zu.defined.xml", dir, i + 1);
                if (held && vg_write_atomic(p->root, path, held, strlen(held), 0600, NULL))
                    vg_sbuf_printf(&m, "\t%zu.defined.xml", i + 1);
                free(held);
            }
            vg_sbuf_puts(&m, "\n");
            break;
        }
        n_done = i + 1;
        snprintf(path, sizeof(path), "%s/manifest", dir);
        if (!vg_write_atomic(p->root, path, m.data, m.len, 0600, NULL))
            goto fail;
    }
    ok = true;
    goto cleanup;
fail_this:
    /* The failed step may have half-done its work: undo it with the others. */
    n_done++;
fail:
    rollback(p, d, n_done, o);
    {
        char full[4300];
        char **names;
        int n = vg_root_list(p->root, dir, &names);
        for (int i = 0; i < n; i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            if (vg_root_path(p->root, path, full, sizeof(full)))
                unlink(full);
        }
        vg_root_names_free(names, n);
        if (vg_root_path(p->root, dir, full, sizeof(full)))
            rmdir(full);
    }
    vg_err("nothing was changed: every step already done was rolled back");
cleanup:
    for (size_t i = 0; i < p->n; i++)
        vg_sbuf_free(&d[i].dirs);
    free(d);
    vg_sbuf_free(&m);
    return ok;
}
