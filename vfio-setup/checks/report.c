#include "checks/checks.h"

#include <string.h>

static const char *const names[] = {"ok", "warn", "fail"};
static const char *const colours[] = {"\033[32m", "\033[33m", "\033[1;31m"};

/* Wraps hint text under the message, indented, at about 96 columns. */
static void wrap(struct vg_sbuf *out, const char *text, int indent)
{
    int col = indent;
    vg_sbuf_printf(out, "%*s", indent, "");
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (col > indent && col + 1 + (int)n > 96) {
            vg_sbuf_printf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            vg_sbuf_puts(out, " ");
            col++;
        }
        vg_sbuf_putn(out, p, n);
        col += (int)n;
        p += n;
        while (*p == ' ')
            p++;
    }
    vg_sbuf_puts(out, "\n");
}

void vg_report_text(const struct vg_report *r, bool colour, struct vg_sbuf *out)
{
    const char *section = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const struct vg_finding *f = &r->items[i];
        if (f->section != section) {
            vg_sbuf_printf(out, "%s%s\n", section ? "\n" : "", f->section);
            section = f->section;
        }
        if (colour)
            vg_sbuf_printf(out, "  %s%-4s\033[0m  %s\n", colours[f->verdict], names[f->verdict],
                           f->message);
        else
            vg_sbuf_printf(out, "  %-4s  %s\n", names[f->verdict], f->message);
        if (f->hint)
            wrap(out, f->hint, 8);
    }
    if (r->next)
        vg_sbuf_printf(out, "\nNext: %s\n", r->next);
}

void vg_report_json(const struct vg_report *r, struct vg_sbuf *out)
{
    vg_sbuf_puts(out, "{\n  \"checks\": [");
    for (size_t i = 0; i < r->n; i++) {
        const struct vg_finding *f = &r->items[i];
        vg_sbuf_printf(out, "%s\n    {\"section\": ", i ? "," : "");
        vg_sbuf_json_str(out, f->section);
        vg_sbuf_puts(out, ", \"id\": ");
        vg_sbuf_json_str(out, f->id);
        vg_sbuf_printf(out, ", \"verdict\": \"%s\"", names[f->verdict]);
        if (f->subject[0]) {
            vg_sbuf_puts(out, ", \"device\": ");
            vg_sbuf_json_str(out, f->subject);
        }
        vg_sbuf_puts(out, ", \"message\": ");
        vg_sbuf_json_str(out, f->message);
        if (f->hint) {
            vg_sbuf_puts(out, ", \"hint\": ");
            vg_sbuf_json_str(out, f->hint);
        }
        vg_sbuf_puts(out, "}");
    }
    vg_sbuf_puts(out, "\n  ],\n  \"guest_gpu\": ");
    if (r->guest_gpu[0])
        vg_sbuf_json_str(out, r->guest_gpu);
    else
        vg_sbuf_puts(out, "null");
    vg_sbuf_printf(out, ",\n  \"mode\": \"%s\"",
                   !r->guest_gpu[0] ? "none"
                   : r->single_gpu  ? "single-gpu"
                                    : "dual-gpu");
    if (r->res_w)
        vg_sbuf_printf(out, ",\n  \"resolution\": \"%ux%u\"", r->res_w, r->res_h);
    vg_sbuf_printf(out, ",\n  \"ok\": %s,\n  \"next\": ", vg_report_has_fail(r) ? "false" : "true");
    vg_sbuf_json_str(out, r->next);
    vg_sbuf_puts(out, "\n}\n");
}
