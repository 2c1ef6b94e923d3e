#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "libvirt/domain_edit.h"

static void print_argv(char *const *argv, struct vg_sbuf *out)
{
    for (char *const *a = argv; *a; a++) {
        if (a != argv)
            vg_sbuf_puts(out, " ");
        vg_shell_quote(*a, out);
    }
}

void vg_plan_print(const struct vg_plan *p, struct vg_sbuf *out)
{
    vg_sbuf_printf(out, "Plan: %s\n", p->title);
    if (p->n == 0)
        vg_sbuf_puts(out, "Nothing to change: the system already matches.\n");
    for (size_t i = 0; i < p->n; i++) {
        const struct vg_step *s = &p->steps[i];
        vg_sbuf_printf(out, "\n[%zu] ", i + 1);
        switch (s->kind) {
        case VG_STEP_WRITE:
            vg_sbuf_printf(out, "%s %s", s->old_content ? "edit" : "create", s->path);
            if (!s->old_content)
                vg_sbuf_printf(out, " (mode %04o)", s->mode);
            break;
        case VG_STEP_REMOVE:
            vg_sbuf_printf(out, "remove %s", s->path);
            break;
        case VG_STEP_RUN:
            vg_sbuf_puts(out, "run ");
            print_argv(s->argv, out);
            break;
        case VG_STEP_DOMAIN:
            vg_sbuf_printf(out, "define domain %s", s->domain);
            break;
        }
        vg_sbuf_printf(out, "\n    why: %s\n", s->why);
        if (s->kind == VG_STEP_RUN && s->undo_argv) {
            vg_sbuf_puts(out, "    undo: ");
            print_argv(s->undo_argv, out);
            vg_sbuf_puts(out, "\n");
        } else if (s->kind == VG_STEP_RUN && s->kept) {
            vg_sbuf_printf(out, "    undo: nothing to run (%s)\n", s->kept);
        }
        if (s->kind == VG_STEP_WRITE || s->kind == VG_STEP_REMOVE) {
            char *la = vg_xasprintf("%s%s", s->old_content ? "a" : "",
                                    s->old_content ? s->path : "/dev/null");
            char *lb = vg_xasprintf("%s%s", s->kind == VG_STEP_WRITE ? "b" : "",
                                    s->kind == VG_STEP_WRITE ? s->path : "/dev/null");
            vg_diff_unified(s->old_content, s->kind == VG_STEP_WRITE ? s->content : "", la, lb,
                            out);
            free(la);
            free(lb);
        } else if (s->kind == VG_STEP_DOMAIN) {
            /* A plan ends up in bug reports: the diff shows no password or secret, while
             * the step defines (and backs up) the XML as it is. */
            char *la = vg_xasprintf("domain %s (defined)", s->domain);
            char *lb = vg_xasprintf("domain %s (planned)", s->domain);
            char *ma = vg_domain_masked(s->old_xml), *mb = vg_domain_masked(s->new_xml);
            if (ma && mb)
                vg_diff_unified(ma, mb, la, lb, out);
            else
                vg_sbuf_puts(out, "    (the XML does not parse: its diff is not shown)\n");
            free(ma);
            free(mb);
            free(la);
            free(lb);
        }
    }
    if (p->notes.len)
        vg_sbuf_printf(out, "\n%s", p->notes.data);
}
