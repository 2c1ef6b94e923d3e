#include "apply/apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsroot.h"
#include "util/sbuf.h"
#include "vg/log.h"

static bool is_live(const char *root)
{
    return root[strspn(root, "/")] == 0;
}

#define MAX_LINES 256

/* Splits a manifest line into tab-separated fields in place. */
static int fields(char *line, char **f, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, "\t", &save); t && n < max; t = strtok_r(NULL, "\t", &save))
        f[n++] = t;
    return n;
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

bool vg_undo(const char *root, const struct vg_apply_opts *o, struct vg_sbuf *report)
{
    char state[4096], dir[4200], path[4400];
    vg_state_dir(root, state, sizeof(state));
    int last = last_plan(root, state);
    if (last == 0) {
        vg_err("nothing to undo: no applied plan under %s", state);
        return false;
    }
    snprintf(dir, sizeof(dir), "%s/%04d", state, last);
    snprintf(path, sizeof(path), "%s/manifest", dir);
    char *manifest = vg_root_read(root, path, NULL);
    if (!manifest) {
        vg_err("cannot read %s%s: undo it by hand from the backups there", root, path);
        return false;
    }
    char *lines[MAX_LINES];
    int nl = 0;
    char *save = NULL;
    for (char *l = strtok_r(manifest, "\n", &save); l && nl < MAX_LINES;
         l = strtok_r(NULL, "\n", &save))
        lines[nl++] = l;
    bool ok = true;
    const char *title = "?";
    /* Files, directories and domains in reverse order, then commands in their order: the
     * initramfs and boot loader are regenerated from the restored files. */
    for (int i = nl; i-- > 0;) {
        char *f[4];
        char copy[4096];
        snprintf(copy, sizeof(copy), "%s", lines[i]);
        int nf = fields(copy, f, 4);
        if (nf >= 4 && !strcmp(f[0], "file")) {
            if (!strcmp(f[2], "-")) {
                char full[4096];
                vg_root_path(root, f[1], full, sizeof(full));
                if (unlink(full) != 0)
                    vg_warn("%s was already gone", f[1]);
                vg_sbuf_printf(report, "removed %s\n", f[1]);
            } else {
                size_t len;
                snprintf(path, sizeof(path), "%s/%s", dir, f[2]);
                char *data = vg_root_read(root, path, &len);
                unsigned mode = (unsigned)strtoul(f[3], NULL, 8);
                if (!data || !vg_write_atomic(root, f[1], data, len, mode, NULL)) {
                    vg_err("cannot restore %s from %s%s", f[1], root, path);
                    ok = false;
                } else {
                    char full[4096];
                    vg_root_path(root, f[1], full, sizeof(full));
                    if (chmod(full, mode) != 0)
                        ok = false;
                    vg_sbuf_printf(report, "restored %s\n", f[1]);
                }
                free(data);
            }
        } else if (nf >= 3 && !strcmp(f[0], "domain")) {
            snprintf(path, sizeof(path), "%s/%s", dir, f[2]);
            char *xml = vg_root_read(root, path, NULL);
            if (!o->domain) {
                vg_err("domain %s: no libvirt connection to restore it (backup %s%s)", f[1],
                       is_live(root) ? "" : root, path);
                ok = false;
            } else if (!xml || !o->domain->define(o->domain->ctx, f[1], xml)) {
                vg_err("domain %s: cannot restore the backup %s", f[1], path);
                ok = false;
            } else {
                vg_sbuf_printf(report, "restored domain %s\n", f[1]);
            }
            free(xml);
        } else if (nf >= 2 && !strcmp(f[0], "plan")) {
            title = lines[i] + 5;
        }
    }
    /* Directories the plan created, once the files in them are gone (deepest last in the
     * manifest, so reverse order removes children first). */
    for (int i = nl; i-- > 0;) {
        char full[4096];
        if (!strncmp(lines[i], "dir\t", 4) && vg_root_path(root, lines[i] + 4, full, sizeof(full)))
            rmdir(full);
    }
    for (int i = 0; i < nl && ok; i++) {
        if (strncmp(lines[i], "run\t", 4))
            continue;
        char *argv[32];
        char copy[4096];
        snprintf(copy, sizeof(copy), "%s", lines[i] + 4);
        int na = fields(copy, argv, 31);
        argv[na] = NULL;
        if (na == 0)
            continue;
        if (!is_live(root) && !o->run_under_root) {
            vg_sbuf_printf(report, "not run (root is not the live system): %s\n", argv[0]);
            continue;
        }
        if (!vg_run_argv(argv))
            ok = false;
        else
            vg_sbuf_printf(report, "ran %s\n", argv[0]);
    }
    if (ok) {
        /* Keep the record, out of the way of the next undo. */
        char full[4200], done[4300];
        vg_root_path(root, dir, full, sizeof(full));
        snprintf(done, sizeof(done), "%s-undone", full);
        if (rename(full, done) != 0)
            vg_warn("cannot rename %s: the next undo would repeat this one", full);
        vg_sbuf_printf(report, "undone: %s\n", title);
    }
    free(manifest);
    return ok;
}
