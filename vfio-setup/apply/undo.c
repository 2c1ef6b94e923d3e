#include "apply/apply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt/domain_edit.h"
#include "model/model.h"
#include "plan/plan.h"
#include "util/fsroot.h"
#include "util/sbuf.h"
#include "vg/log.h"

static bool is_live(const char *root)
{
    return root[strspn(root, "/")] == 0;
}

#define MAX_LINES 256
#define MAX_FIELDS 32

/* One manifest line, split at its tabs. */
struct item {
    char *copy; /* owned; f[] point into it */
    char *f[MAX_FIELDS];
    int nf;
    char *changed;  /* owned: how it changed since the apply (a sentence and maybe a diff) */
    bool unchecked; /* recorded by an older version: no copy of what the apply left */
};

struct undo {
    const char *root;
    char dir[4200];  /* the plan's state directory, under root */
    char full[4400]; /* the same on this machine */
    const char *title;
    char *manifest; /* owned */
    struct item items[MAX_LINES];
    int n;
    int n_changed, n_unchecked;
};

static bool is(const struct item *it, const char *kind, int min_fields)
{
    return it->nf >= min_fields && !strcmp(it->f[0], kind);
}

static char *read_state(const struct undo *u, const char *name, size_t *len)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", u->dir, name);
    return vg_root_read(u->root, path, len);
}

static int last_plan(const char *root, const char *state)
{
    char **names;
    int n = vg_root_list(root, state, &names), last = 0;
    for (int i = 0; i < n; i++)
        if (strspn(names[i], "0123456789") == strlen(names[i]) && atoi(names[i]) > last)
            last = atoi(names[i]);
    vg_root_names_free(names, n);
    return last;
}

char *vg_undo_uri(const char *root)
{
    char state[4096], path[4400];
    vg_state_dir(root, state, sizeof(state));
    int last = last_plan(root, state);
    if (!last)
        return NULL;
    snprintf(path, sizeof(path), "%s/%04d/manifest", state, last);
    char *m = vg_root_read(root, path, NULL);
    char *line = m ? strstr(m, "\nuri\t") : NULL;
    char *uri = NULL;
    if (line) {
        line += 5;
        uri = vg_xasprintf("%.*s", (int)strcspn(line, "\n"), line);
    }
    free(m);
    return uri;
}

/* Under sudo, the plans of the user who ran sudo: a domain-only --apply without sudo keeps its
 * plan in that user's home (vg_state_dir), where root's undo does not look. Says which command
 * undoes the last one. */
static void sudo_users_plans(const char *root, const struct vg_undo_opts *uo,
                             struct vg_sbuf *report)
{
    const char *user = getenv("SUDO_USER");
    char home[4096], state[4200], path[4400];
    if (!user || !*user || strchr(user, '/') || !vg_account_home(root, user, home, sizeof(home)))
        return;
    /* sudo drops XDG_STATE_HOME: the default place is the one there is to look. */
    snprintf(state, sizeof(state), "%s/.local/state/vgapt-setup/plans", home);
    int last = last_plan(root, state);
    if (!last)
        return;
    snprintf(path, sizeof(path), "%s/%04d/manifest", state, last);
    char *m = vg_root_read(root, path, NULL);
    const char *title = m && !strncmp(m, "plan\t", 5) ? m + 5 : "?";
    vg_sbuf_printf(report,
                   "%s applied a plan without sudo (%.*s), kept in %s/%04d: undo it as %s, "
                   "without sudo: vgapt-setup undo%s%s\n",
                   user, (int)strcspn(title, "\n"), title, state, last, user,
                   uo->apply ? " --apply" : "", uo->force ? " --force" : "");
    free(m);
}

static bool load(struct undo *u, const char *root, const struct vg_undo_opts *uo,
                 struct vg_sbuf *report)
{
    char state[4096], path[4400];
    memset(u, 0, sizeof(*u));
    u->root = root;
    u->title = "?";
    vg_state_dir(root, state, sizeof(state));
    int last = last_plan(root, state);
    if (last == 0) {
        vg_err("nothing to undo: no applied plan under %s", state);
        if (is_live(root) && geteuid() != 0)
            vg_info("plans applied with sudo are undone with sudo: sudo vgapt-setup undo");
        else
            sudo_users_plans(root, uo, report);
        return false;
    }
    snprintf(u->dir, sizeof(u->dir), "%s/%04d", state, last);
    vg_root_path(root, u->dir, u->full, sizeof(u->full));
    snprintf(path, sizeof(path), "%s/manifest", u->dir);
    u->manifest = vg_root_read(root, path, NULL);
    if (!u->manifest) {
        vg_err("cannot read %s/manifest: undo it by hand from the backups there", u->full);
        return false;
    }
    char *save = NULL;
    for (char *l = strtok_r(u->manifest, "\n", &save); l && u->n < MAX_LINES;
         l = strtok_r(NULL, "\n", &save)) {
        struct item *it = &u->items[u->n++];
        it->copy = vg_xstrdup(l);
        char *fsave = NULL;
        for (char *t = strtok_r(it->copy, "\t", &fsave); t && it->nf < MAX_FIELDS - 1;
             t = strtok_r(NULL, "\t", &fsave))
            it->f[it->nf++] = t;
        if (is(it, "plan", 2))
            u->title = l + 5;
    }
    return true;
}

static void finish(struct undo *u)
{
    for (int i = 0; i < u->n; i++) {
        free(u->items[i].copy);
        free(u->items[i].changed);
    }
    free(u->manifest);
}

static bool same(const char *a, size_t alen, const char *b, size_t blen)
{
    return (!a && !b) || (a && b && alen == blen && !memcmp(a, b, alen));
}

/* Compares what a step left (expect, NULL: absent) with what is there now. */
static char *describe_change(const char *what, const char *expect, size_t elen, const char *now,
                             size_t nlen, const char *gone)
{
    if (same(expect, elen, now, nlen))
        return NULL;
    if (!now)
        return vg_xasprintf("%s %s\n", what, gone);
    if (!expect)
        return vg_xasprintf("%s exists again since the apply removed it\n", what);
    struct vg_sbuf b = {0};
    vg_sbuf_printf(&b, "%s changed since the apply:\n", what);
    vg_diff_unified(expect, now, "as applied", "now", &b);
    return vg_sbuf_take(&b);
}

static void check_file(struct undo *u, int i)
{
    struct item *it = &u->items[i];
    /* Only the plan's last step on a path sees the file as it is now. */
    for (int j = i + 1; j < u->n; j++)
        if (is(&u->items[j], "file", 4) && !strcmp(u->items[j].f[1], it->f[1]))
            return;
    if (it->nf < 5) {
        it->unchecked = true;
        return;
    }
    size_t elen = 0, nlen = 0;
    char *expect = strcmp(it->f[4], "-") ? read_state(u, it->f[4], &elen) : NULL;
    char *now = vg_root_read(u->root, it->f[1], &nlen);
    it->changed = describe_change(it->f[1], expect, elen, now, nlen, "was removed since the apply");
    free(expect);
    free(now);
}

static void check_domain(struct undo *u, struct item *it, const struct vg_domain_ops *ops)
{
    if (!ops) {
        it->changed =
            vg_xasprintf("domain %s: no libvirt connection to define its backup\n", it->f[1]);
        return;
    }
    if (it->nf < 4 || !ops->get_xml) {
        it->unchecked = true;
        return;
    }
    char *expect = read_state(u, it->f[3], NULL);
    char *now = ops->get_xml(ops->ctx, it->f[1]);
    char *what = vg_xasprintf("domain %s", it->f[1]);
    /* Compared as they are, shown without passwords and secrets (see vg_domain_masked). */
    if (!same(expect, expect ? strlen(expect) : 0, now, now ? strlen(now) : 0)) {
        char *me = expect ? vg_domain_masked(expect) : NULL;
        char *mn = now ? vg_domain_masked(now) : NULL;
        if ((expect && !me) || (now && !mn))
            it->changed = vg_xasprintf("%s changed since the apply\n", what);
        else if (me && mn && !strcmp(me, mn))
            it->changed = vg_xasprintf("%s changed since the apply, in a password or secret "
                                       "(not shown)\n",
                                       what);
        else
            it->changed = describe_change(what, me, me ? strlen(me) : 0, mn, mn ? strlen(mn) : 0,
                                          "was undefined since the apply: undo would define it "
                                          "again");
        free(me);
        free(mn);
    }
    free(what);
    free(expect);
    free(now);
}

static void print_argv(struct vg_sbuf *out, char *const *f, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            vg_sbuf_puts(out, " ");
        vg_shell_quote(f[i], out);
    }
}

/* The undo plan, in the order it runs: files and domains last-done first, then commands. */
static void print_plan(const struct undo *u, struct vg_sbuf *out)
{
    vg_sbuf_printf(out, "Undo: %s (%s)\n", u->title, u->full);
    int k = 0;
    for (int i = u->n; i-- > 0;) {
        const struct item *it = &u->items[i];
        if (is(it, "file", 4)) {
            if (!strcmp(it->f[2], "-")) {
                vg_sbuf_printf(out, "\n[%d] remove %s (the plan created it)\n", ++k, it->f[1]);
            } else {
                vg_sbuf_printf(out, "\n[%d] restore %s from %s/%s\n", ++k, it->f[1], u->full,
                               it->f[2]);
                char *now = vg_root_read(u->root, it->f[1], NULL);
                char *backup = read_state(u, it->f[2], NULL);
                char *la = vg_xasprintf("a%s", it->f[1]), *lb = vg_xasprintf("b%s", it->f[1]);
                if (backup)
                    vg_diff_unified(now ? now : "", backup, la, lb, out);
                free(la);
                free(lb);
                free(now);
                free(backup);
            }
        } else if (is(it, "domain", 3)) {
            vg_sbuf_printf(out, "\n[%d] define domain %s from %s/%s\n", ++k, it->f[1], u->full,
                           it->f[2]);
        } else {
            continue;
        }
        if (it->changed)
            vg_sbuf_printf(out, "    CHANGED: %s", it->changed);
    }
    for (int i = 0; i < u->n; i++) {
        const struct item *it = &u->items[i];
        if (is(it, "run", 2)) {
            vg_sbuf_printf(out, "\n[%d] run ", ++k);
            print_argv(out, it->f + 1, it->nf - 1);
            vg_sbuf_puts(out, "\n");
        } else if (is(it, "kept", 3)) {
            vg_sbuf_puts(out, "\n    not reversed: ");
            print_argv(out, it->f + 2, it->nf - 2);
            vg_sbuf_printf(out, " (%s)\n", it->f[1]);
        }
    }
    if (u->n_unchecked)
        vg_sbuf_printf(out,
                       "\n%d step%s recorded by an older vgapt-setup: changes made since the "
                       "apply cannot be seen there.\n",
                       u->n_unchecked, u->n_unchecked == 1 ? " was" : "s were");
}

/* Reports a step that failed with what to do by hand (msg, owned). */
static void failed(struct vg_sbuf *report, int *n_failed, char *msg)
{
    vg_sbuf_printf(report, "FAILED: %s\n", msg);
    free(msg);
    (*n_failed)++;
}

static int run_files_and_domains(const struct undo *u, const struct vg_apply_opts *o,
                                 struct vg_sbuf *report)
{
    int n_failed = 0;
    for (int i = u->n; i-- > 0;) {
        const struct item *it = &u->items[i];
        char full[4096], backup[4600];
        if (is(it, "file", 4)) {
            vg_root_path(u->root, it->f[1], full, sizeof(full));
            if (!strcmp(it->f[2], "-")) {
                if (unlink(full) != 0 && errno != ENOENT)
                    failed(report, &n_failed,
                           vg_xasprintf("cannot remove %s (%s): remove it by hand", full,
                                        strerror(errno)));
                else
                    vg_sbuf_printf(report, "removed %s\n", it->f[1]);
                continue;
            }
            snprintf(backup, sizeof(backup), "%s/%s", u->full, it->f[2]);
            size_t len;
            char *data = read_state(u, it->f[2], &len);
            unsigned mode = (unsigned)strtoul(it->f[3], NULL, 8);
            if (!data || !vg_write_atomic(u->root, it->f[1], data, len, mode, NULL) ||
                chmod(full, mode) != 0)
                failed(report, &n_failed,
                       vg_xasprintf("cannot restore %s: copy %s there by hand", it->f[1], backup));
            else
                vg_sbuf_printf(report, "restored %s\n", it->f[1]);
            free(data);
        } else if (is(it, "domain", 3)) {
            snprintf(backup, sizeof(backup), "%s/%s", u->full, it->f[2]);
            char *xml = read_state(u, it->f[2], NULL);
            if (!o->domain || !xml || !o->domain->define(o->domain->ctx, it->f[1], xml))
                failed(report, &n_failed,
                       vg_xasprintf("domain %s not restored: virsh define %s", it->f[1], backup));
            else
                vg_sbuf_printf(report, "restored domain %s\n", it->f[1]);
            free(xml);
        }
    }
    return n_failed;
}

/* What of the report went to vg_undo_opts.live so far. */
struct live {
    FILE *f;
    size_t done;
};

static void emit(struct live *l, const struct vg_sbuf *report)
{
    if (!l->f || report->len <= l->done)
        return;
    fwrite(report->data + l->done, 1, report->len - l->done, l->f);
    fflush(l->f);
    l->done = report->len;
}

static int run_commands(const struct undo *u, const struct vg_apply_opts *o, struct vg_sbuf *report,
                        struct live *live)
{
    int n_failed = 0;
    /* Directories the plan created, once the files in them are gone (deepest last in the
     * manifest, so reverse order removes children first). */
    for (int i = u->n; i-- > 0;) {
        char full[4096];
        if (is(&u->items[i], "dir", 2) &&
            vg_root_path(u->root, u->items[i].f[1], full, sizeof(full)))
            rmdir(full);
    }
    /* In their order, each on its own: the initramfs and boot loader are regenerated from the
     * restored files, and one that fails does not keep the others from running. */
    for (int i = 0; i < u->n; i++) {
        const struct item *it = &u->items[i];
        if (!is(it, "run", 2))
            continue;
        if (!is_live(u->root) && !o->run_under_root) {
            vg_sbuf_printf(report, "not run (root is not the live system): %s\n", it->f[1]);
            continue;
        }
        char *argv[MAX_FIELDS];
        for (int k = 1; k < it->nf; k++)
            argv[k - 1] = it->f[k];
        argv[it->nf - 1] = NULL;
        emit(live, report);
        if (vg_run_argv(argv)) {
            vg_sbuf_printf(report, "ran %s\n", argv[0]);
            continue;
        }
        struct vg_sbuf cmd = {0};
        print_argv(&cmd, it->f + 1, it->nf - 1);
        failed(report, &n_failed,
               vg_xasprintf("%s: run it by hand once its cause is fixed", cmd.data));
        vg_sbuf_free(&cmd);
    }
    return n_failed;
}

bool vg_undo(const char *root, const struct vg_apply_opts *o, const struct vg_undo_opts *uo,
             struct vg_sbuf *report)
{
    struct undo *u = vg_xcalloc(1, sizeof(*u));
    struct live live = {.f = uo->live, .done = report->len};
    bool ok = false;
    if (!load(u, root, uo, report))
        goto cleanup;
    for (int i = u->n; i-- > 0;) {
        struct item *it = &u->items[i];
        if (is(it, "file", 4))
            check_file(u, i);
        else if (is(it, "domain", 3))
            check_domain(u, it, o->domain);
        u->n_changed += it->changed != NULL;
        u->n_unchecked += it->unchecked;
    }
    print_plan(u, report);
    if (u->n_changed && !uo->force) {
        vg_sbuf_printf(report,
                       "\nRefused: %d of these changed since the plan was applied, and undo "
                       "would overwrite %s. Look at the changes above; to undo all the same, "
                       "run the command again with --force.\n",
                       u->n_changed, u->n_changed == 1 ? "that change" : "those changes");
        goto cleanup;
    }
    if (!uo->apply) {
        vg_sbuf_puts(report, "\nDry run: nothing was changed. Run the same command with "
                             "--apply to do the above.\n");
        ok = true;
        goto cleanup;
    }
    vg_sbuf_puts(report, "\n");
    int n_failed = run_files_and_domains(u, o, report);
    n_failed += run_commands(u, o, report, &live);
    /* Marked undone even when a step failed: the report says what to finish by hand, and the
     * next undo goes on to the plan before this one. */
    char done[4500];
    snprintf(done, sizeof(done), "%s-undone", u->full);
    if (rename(u->full, done) != 0)
        vg_warn("cannot rename %s: %s: the next undo would repeat this one", u->full,
                strerror(errno));
    if (n_failed)
        vg_sbuf_printf(report,
                       "undone except %d failed step%s (see FAILED above; backups in %s): "
                       "%s\n",
                       n_failed, n_failed == 1 ? "" : "s", done, u->title);
    else
        vg_sbuf_printf(report, "undone: %s\n", u->title);
    ok = n_failed == 0;
cleanup:
    emit(&live, report);
    finish(u);
    free(u);
    return ok;
}
