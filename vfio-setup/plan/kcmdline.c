#include "plan/kcmdline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsroot.h"

static bool same_key(const char *tok, size_t n, const char *want)
{
    const char *eq = strchr(want, '=');
    if (!eq)
        return false;
    size_t k = (size_t)(eq - want) + 1;
    return n >= k && !strncmp(tok, want, k);
}

char *vg_cmdline_edit(const char *value, const char *const *add, const char *drop_prefix)
{
    struct vg_sbuf out = {0};
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, " \t");
        if (!n)
            break;
        bool keep = !(drop_prefix && n >= strlen(drop_prefix) &&
                      !strncmp(p, drop_prefix, strlen(drop_prefix)));
        for (const char *const *a = add; keep && a && *a; a++)
            if (same_key(p, n, *a) && !(strlen(*a) == n && !strncmp(p, *a, n)))
                keep = false;
        if (keep) {
            if (out.len)
                vg_sbuf_puts(&out, " ");
            vg_sbuf_putn(&out, p, n);
        }
        p += n;
    }
    for (const char *const *a = add; a && *a; a++) {
        if (vg_cmdline_has(out.data ? out.data : "", *a))
            continue;
        if (out.len)
            vg_sbuf_puts(&out, " ");
        vg_sbuf_puts(&out, *a);
    }
    return vg_sbuf_take(&out);
}

/* The shell word at s[0..n) (a KEY=value's value) without its quotes, into out; *used gets
 * its length. $ stays as it is (an expansion such as "$GRUB_CMDLINE_LINUX_DEFAULT ..." keeps
 * working). False for what cannot be rewritten safely: an unterminated quote (a value
 * continued on the next line), a backquote, an escaped $ or a trailing backslash. */
static bool shell_word(const char *s, size_t n, struct vg_sbuf *out, size_t *used)
{
    size_t i = 0;
    vg_sbuf_puts(out, "");
    while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != ';' && s[i] != '&' && s[i] != '|') {
        char c = s[i];
        if (c == '\'') {
            const char *close = memchr(s + i + 1, '\'', n - i - 1);
            if (!close)
                return false;
            vg_sbuf_putn(out, s + i + 1, (size_t)(close - s - i - 1));
            i = (size_t)(close - s) + 1;
        } else if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++) {
                if (s[i] == '`' || (s[i] == '\\' && (i + 1 == n || s[i + 1] == '$')))
                    return false;
                if (s[i] == '\\' && strchr("\"\\`", s[i + 1]))
                    i++;
                vg_sbuf_putn(out, s + i, 1);
            }
            if (i == n)
                return false;
            i++;
        } else if (c == '\\') {
            if (i + 1 == n || s[i + 1] == '$')
                return false;
            vg_sbuf_putn(out, s + i + 1, 1);
            i += 2;
        } else if (c == '`') {
            return false;
        } else {
            vg_sbuf_putn(out, s + i, 1);
            i++;
        }
    }
    *used = i;
    return true;
}

/* value in double quotes for a shell: ", \ and ` escaped, $ left to expand as before. */
static void shell_quote_value(const char *value, struct vg_sbuf *out)
{
    vg_sbuf_puts(out, "\"");
    for (const char *c = value; *c; c++) {
        if (*c == '"' || *c == '\\' || *c == '`')
            vg_sbuf_puts(out, "\\");
        vg_sbuf_putn(out, c, 1);
    }
    vg_sbuf_puts(out, "\"");
}

static bool line_has_key(const char *line, size_t n, const char *key, int style)
{
    size_t kl = strlen(key);
    return n >= kl && !strncmp(line, key, kl) &&
           (style == 0 || line[kl] == ' ' || line[kl] == '\t');
}

/* Rewrites the line that sets key with edit applied to its value. style 0: KEY=value, a shell
 * assignment (GRUB): the last one counts, as when the shell reads the file; the quoting is
 * parsed and whatever follows the value (a comment) is kept. style 1: "key value"
 * (systemd-boot entry): the first one. A missing line is appended. NULL (nothing to edit)
 * when the value's quoting cannot be rewritten safely. */
static char *edit_file(const char *text, const char *key, int style, const char *const *add,
                       const char *drop)
{
    struct vg_sbuf out = {0};
    const char *p = text ? text : "", *target = NULL;
    size_t kl = strlen(key);
    for (const char *l = p; *l;) {
        size_t n = strcspn(l, "\n");
        if (line_has_key(l, n, key, style) && (style == 0 || !target))
            target = l;
        l += n + (l[n] == '\n');
    }
    while (*p) {
        size_t n = strcspn(p, "\n");
        const char *line = p;
        p += n;
        if (*p == '\n')
            p++;
        if (line != target) {
            vg_sbuf_putn(&out, line, (size_t)(p - line));
            continue;
        }
        char *value;
        if (style == 0) {
            struct vg_sbuf word = {0};
            size_t used = 0;
            if (!shell_word(line + kl, n - kl, &word, &used)) {
                vg_sbuf_free(&word);
                vg_sbuf_free(&out);
                return NULL;
            }
            value = vg_cmdline_edit(word.data, add, drop);
            if (!strcmp(word.data, value)) {
                vg_sbuf_putn(&out, line, (size_t)(p - line));
            } else {
                vg_sbuf_puts(&out, key);
                shell_quote_value(value, &out);
                vg_sbuf_putn(&out, line + kl + used, (size_t)(p - line) - kl - used);
            }
            vg_sbuf_free(&word);
        } else {
            char *orig = vg_xasprintf("%.*s", (int)(n - kl), line + kl);
            value = vg_cmdline_edit(orig, add, drop);
            char *trimmed = orig + strspn(orig, " \t");
            if (!strcmp(trimmed, value))
                vg_sbuf_putn(&out, line, (size_t)(p - line));
            else
                vg_sbuf_printf(&out, "%s %s\n", key, value);
            free(orig);
        }
        free(value);
    }
    if (!target && add && *add) {
        char *value = vg_cmdline_edit("", add, drop);
        if (out.len && out.data[out.len - 1] != '\n')
            vg_sbuf_puts(&out, "\n");
        if (style == 0)
            vg_sbuf_printf(&out, "%s\"%s\"\n", key, value);
        else
            vg_sbuf_printf(&out, "%s %s\n", key, value);
        free(value);
    }
    vg_sbuf_puts(&out, "");
    return vg_sbuf_take(&out);
}

static void join(const char *const *add, struct vg_sbuf *b)
{
    for (const char *const *a = add; *a; a++)
        vg_sbuf_printf(b, "%s%s", b->len ? " " : "", *a);
}

bool vg_plan_kernel_cmdline(struct vg_plan *p, const struct vg_host *h, const char *const *add,
                            const char *drop_prefix, const char *why)
{
    switch (h->bootloader) {
    case VG_BOOT_GRUB: {
        const char *path = "/etc/default/grub";
        char *old = vg_root_read(h->root, path, NULL);
        char *text = edit_file(old, "GRUB_CMDLINE_LINUX_DEFAULT=", 0, add, drop_prefix);
        if (!text) {
            struct vg_sbuf b = {0};
            join(add, &b);
            vg_sbuf_printf(&p->notes,
                           "%s: GRUB_CMDLINE_LINUX_DEFAULT's quoting is more than vgapt-setup "
                           "rewrites safely (a value over several lines, a backquote or an "
                           "escaped $): edit it by hand (add \"%s\"%s%s), then run "
                           "update-grub.\n",
                           path, b.len ? b.data : "", drop_prefix ? ", drop " : "",
                           drop_prefix ? drop_prefix : "");
            vg_sbuf_free(&b);
            free(old);
            return false;
        }
        bool changed = vg_plan_write(p, path, text, 0644, why);
        free(old);
        free(text);
        if (changed) {
            if (h->have_update_grub) {
                const char *argv[] = {"update-grub", NULL};
                vg_plan_run(p, argv, NULL, "regenerate grub.cfg from /etc/default/grub");
            } else {
                bool grub2 = vg_root_is_dir(h->root, "/boot/grub2");
                const char *argv[] = {grub2 ? "grub2-mkconfig" : "grub-mkconfig", "-o",
                                      grub2 ? "/boot/grub2/grub.cfg" : "/boot/grub/grub.cfg", NULL};
                vg_plan_run(p, argv, NULL, "regenerate grub.cfg from /etc/default/grub");
            }
        }
        return true;
    }
    case VG_BOOT_SYSTEMD_BOOT: {
        char **names;
        int n = vg_root_list(h->root, h->systemd_boot_dir, &names);
        for (int i = 0; i < n; i++) {
            size_t l = strlen(names[i]);
            if (l < 6 || strcmp(names[i] + l - 5, ".conf"))
                continue;
            char path[256];
            snprintf(path, sizeof(path), "%s/%s", h->systemd_boot_dir, names[i]);
            char *old = vg_root_read(h->root, path, NULL);
            char *text = edit_file(old, "options", 1, add, drop_prefix);
            vg_plan_write(p, path, text, 0644, why);
            free(old);
            free(text);
        }
        vg_root_names_free(names, n);
        return true;
    }
    case VG_BOOT_KERNELSTUB: {
        struct vg_sbuf missing = {0}, drop = {0};
        for (const char *const *a = add; *a; a++)
            if (!vg_cmdline_has(h->cmdline, *a))
                vg_sbuf_printf(&missing, "%s%s", missing.len ? " " : "", *a);
        if (drop_prefix) {
            const char *q = strstr(h->cmdline, drop_prefix);
            if (q)
                vg_sbuf_printf(&drop, "%.*s", (int)strcspn(q, " \n"), q);
        }
        if (missing.len) {
            const char *argv[] = {"kernelstub", "--add-options", missing.data, NULL};
            const char *uargv[] = {"kernelstub", "--delete-options", missing.data, NULL};
            vg_plan_run(p, argv, uargv, why);
        }
        if (drop.len) {
            const char *argv[] = {"kernelstub", "--delete-options", drop.data, NULL};
            const char *uargv[] = {"kernelstub", "--add-options", drop.data, NULL};
            vg_plan_run(p, argv, uargv, why);
        }
        vg_sbuf_free(&missing);
        vg_sbuf_free(&drop);
        return true;
    }
    case VG_BOOT_NONE:
        break;
    }
    if (!*add)
        return false;
    struct vg_sbuf b = {0};
    join(add, &b);
    vg_sbuf_printf(&p->notes,
                   "No boot loader configuration found: add \"%s\" to the kernel "
                   "command line by hand.\n",
                   b.data ? b.data : "");
    vg_sbuf_free(&b);
    return false;
}
