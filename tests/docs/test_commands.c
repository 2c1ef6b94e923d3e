/* The documented command lines against the real programs: every vgapt-client, vgapt-guest
 * and vgapt-setup command in README.md and the .md files in docs/ (shell code blocks and inline
 * code) uses only options, subcommands and choices the program's --help lists, gives a value to
 * each option that takes one, and every default in an options table is the one --help prints.
 * vgapt-setup commands without placeholders also run, as dry runs on a fake root of a real machine
 * and on libvirt's test driver: they must not be usage errors. Nothing runs against the real
 * system. Usage: test-docs-commands SOURCE-DIR CLIENT GUEST SETUP (a program not built: "-") */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef VG_DOCS_HAVE_FAKEROOT
#include "fakeroot.h"
#endif
#include "testlib.h"

#define MAX_OPTS 64
#define MAX_TOKENS 64

struct opt {
    char name[48]; /* "shm", "no-vsync", or a short "s" */
    bool takes_value;
    char def[256];     /* what "(default: ...)" says */
    char choices[512]; /* ",a,b,c," from "One of: a, b, c." or an ARG like single|dynamic */
};

/* One program's --help, or one subcommand's. */
struct help {
    char key[64]; /* "vgapt-guest pattern" */
    bool ok;
    struct opt opts[MAX_OPTS];
    size_t n;
    char commands[256]; /* ",check,bind," for vgapt-setup; ",pattern,tone," for vgapt-guest */
};

static const char *src_dir, *tmp;
static const char *progs[3][2] = {
    {"vgapt-client", NULL}, {"vgapt-guest", NULL}, {"vgapt-setup", NULL}};
static struct help helps[16];
static size_t n_helps;
static int n_commands, n_runs, n_table_rows;

static const char *prog_path(const char *name)
{
    for (size_t i = 0; i < 3; i++)
        if (strcmp(progs[i][0], name) == 0)
            return progs[i][1];
    return NULL;
}

static void add_opt(struct help *h, const char *name, bool value, const char *def,
                    const char *choices)
{
    if (h->n >= MAX_OPTS)
        return;
    struct opt *o = &h->opts[h->n++];
    snprintf(o->name, sizeof(o->name), "%s", name);
    o->takes_value = value;
    snprintf(o->def, sizeof(o->def), "%s", def);
    snprintf(o->choices, sizeof(o->choices), "%s", choices);
}

/* One option line of --help: "  -s, --shm FILE    text One of: a, b. (default: X)", the left
 * column 30 wide unless longer. */
static void parse_help_line(struct help *h, const char *line)
{
    char left[128], right[1024];
    size_t len = strlen(line);
    size_t split = len > 32 && line[32] == ' ' ? 32 : strcspn(line + 2, " ") + 2;
    if (split != 32) { /* a left column longer than 30: up to the first space after 32 */
        const char *sp = len > 32 ? strchr(line + 32, ' ') : NULL;
        split = sp ? (size_t)(sp - line) : len;
    }
    snprintf(left, sizeof(left), "%.*s", (int)(split - 2), line + 2);
    snprintf(right, sizeof(right), "%s", split < len ? line + split : "");
    vg_test_trim(left);
    vg_test_trim(right);

    char def[256] = "", choices[512] = ",";
    const char *d = strstr(right, "(default: ");
    if (d) {
        snprintf(def, sizeof(def), "%s", d + strlen("(default: "));
        size_t dl = strlen(def);
        if (dl && def[dl - 1] == ')')
            def[dl - 1] = 0;
    }
    const char *c = strstr(right, "One of: ");
    if (c) {
        c += strlen("One of: ");
        size_t cl = strcspn(c, ".");
        for (size_t i = 0; i < cl; i++) {
            size_t used = strlen(choices);
            if (used + 2 >= sizeof(choices))
                break;
            if (c[i] == ' ')
                continue;
            choices[used] = c[i];
            choices[used + 1] = 0;
        }
        snprintf(choices + strlen(choices), sizeof(choices) - strlen(choices), ",");
    }

    /* Names and the ARG after them. */
    char *names[4];
    size_t nn = 0;
    bool value = false;
    char arg[128] = "";
    for (char *save = NULL, *tok = strtok_r(left, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        size_t tl = strlen(tok);
        if (tl && tok[tl - 1] == ',')
            tok[--tl] = 0;
        if (tok[0] == '-' && nn < 4)
            names[nn++] = tok;
        else if (tok[0] != '-') {
            value = true;
            snprintf(arg, sizeof(arg), "%s", tok);
        }
    }
    if (!c && strchr(arg, '|')) {
        snprintf(choices, sizeof(choices), ",%s,", arg);
        for (char *p = choices; *p; p++)
            if (*p == '|')
                *p = ',';
    }
    if (choices[1] == 0)
        choices[0] = 0;
    for (size_t i = 0; i < nn; i++) {
        const char *n = names[i];
        if (strncmp(n, "--[no-]", 7) == 0) {
            char neg[64];
            add_opt(h, n + 7, false, def, "");
            snprintf(neg, sizeof(neg), "no-%s", n + 7);
            add_opt(h, neg, false, def, "");
        } else if (strncmp(n, "--", 2) == 0) {
            add_opt(h, n + 2, value, def, choices);
        } else {
            add_opt(h, n + 1, value, def, choices);
        }
    }
}

/* --help of "prog" or "prog sub", run once and kept. NULL when the program is not built. */
static struct help *help_of(const char *prog, const char *sub)
{
    char key[64];
    snprintf(key, sizeof(key), "%s%s%s", prog, sub ? " " : "", sub ? sub : "");
    for (size_t i = 0; i < n_helps; i++)
        if (strcmp(helps[i].key, key) == 0)
            return helps[i].ok ? &helps[i] : NULL;
    const char *path = prog_path(prog);
    if (!path || n_helps >= sizeof(helps) / sizeof(helps[0]))
        return NULL;
    struct help *h = &helps[n_helps++];
    memset(h, 0, sizeof(*h));
    snprintf(h->key, sizeof(h->key), "%s", key);

    static char out[65536], err[16384];
    const char *args[] = {sub ? sub : "--help", sub ? "--help" : NULL, NULL};
    int rc = vg_test_run_capture(path, args, tmp, 10000, out, sizeof(out), err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "%s --help: exit status %d: %s\n", key, rc, err);
        return NULL;
    }
    h->ok = true;
    bool in_commands = false;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "Usage: vgapt-setup [", 20) == 0) {
            /* Usage: vgapt-setup [check|bind|...] [OPTIONS] */
            size_t cl = strcspn(line + 20, "]");
            snprintf(h->commands, sizeof(h->commands), ",%.*s,", (int)cl, line + 20);
            for (char *p = h->commands; *p; p++)
                if (*p == '|')
                    *p = ',';
        } else if (strcmp(line, "Commands:") == 0) {
            in_commands = true;
            snprintf(h->commands, sizeof(h->commands), ",");
        } else if (in_commands && line[0] == ' ' && line[2] != '-' && line[2] != ' ') {
            size_t used = strlen(h->commands);
            snprintf(h->commands + used, sizeof(h->commands) - used, "%.*s,",
                     (int)strcspn(line + 2, " "), line + 2);
        } else if (strncmp(line, "  -", 3) == 0) {
            in_commands = false;
            parse_help_line(h, line);
        }
    }
    return h;
}

static const struct opt *find_opt(const struct help *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->opts[i].name, name) == 0)
            return &h->opts[i];
    return NULL;
}

static bool in_list(const char *list, const char *item)
{
    char needle[128];
    snprintf(needle, sizeof(needle), ",%s,", item);
    return list[0] && strstr(list, needle) != NULL;
}

/* A stand-in the reader replaces (FILE, WxH, N, BDF, USER, ...): capitals, with at most the x
 * of WxH in lower case. */
static bool is_placeholder(const char *t)
{
    if (strstr(t, "...") || strstr(t, "\xe2\x80\xa6") || strchr(t, '$'))
        return true;
    bool upper = false;
    for (const char *p = t; *p; p++) {
        if (isupper((unsigned char)*p))
            upper = true;
        else if (islower((unsigned char)*p) &&
                 !(*p == 'x' && p > t && isupper((unsigned char)p[-1])))
            return false;
    }
    return upper;
}

/* Where a command was found, for messages. */
struct where {
    const char *file;
    int line;
};

#ifdef VG_DOCS_HAVE_FAKEROOT
static const char node_xml[] =
    "<node>\n"
    "  <domain type='kvm'>\n"
    "    <name>win11</name>\n"
    "    <uuid>6695eb01-f6a4-8304-79aa-97f2502e1911</uuid>\n"
    "    <memory unit='KiB'>16777216</memory>\n"
    "    <vcpu>8</vcpu>\n"
    "    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "    <features><acpi/><apic/></features>\n"
    "    <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>\n"
    "  </domain>\n"
    "</node>\n";

/* A fake root of the machine whose guest GPU the command names (the dual-GPU X399 unless
 * another machine has a GPU at that address), built once. */
static bool has_gpu(const struct fr_machine *m, const char *gpu)
{
    size_t gl = strlen(gpu);
    for (size_t d = 0; d < sizeof(m->devs) / sizeof(m->devs[0]); d++) {
        const char *bdf = m->devs[d].bdf;
        if (bdf && m->devs[d].cls == 0x030000 && strlen(bdf) >= gl &&
            strcmp(bdf + strlen(bdf) - gl, gpu) == 0)
            return true;
    }
    return false;
}

static const char *root_for(const char *gpu)
{
    static char roots[16][600];
    size_t idx = 0;
    while (idx < fr_count && fr_all[idx] != &fr_x399)
        idx++;
    if (gpu && !has_gpu(&fr_x399, gpu)) {
        for (size_t i = 0; i < fr_count && i < 16; i++) {
            if (has_gpu(fr_all[i], gpu)) {
                idx = i;
                break;
            }
        }
    }
    if (!roots[idx][0]) {
        snprintf(roots[idx], sizeof(roots[idx]), "%s/root-%zu", tmp, idx);
        mkdir(roots[idx], 0755);
        fr_build(roots[idx], fr_all[idx]);
    }
    return roots[idx];
}

static bool find_token(char **tok, size_t n, const char *t)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tok[i], t) == 0)
            return true;
    return false;
}

/* Runs a vgapt-setup command as a dry run on a fake root and the test driver. */
static void run_setup(const struct where *w, const char *cmdline, char **tok, size_t n)
{
    const char *gpu = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (strcmp(tok[i], "--gpu") == 0 || strcmp(tok[i], "-g") == 0)
            gpu = tok[i + 1];
    static char uri[700];
    if (!uri[0]) {
        char xml[650];
        snprintf(xml, sizeof(xml), "%s/node.xml", tmp);
        fr_write("", xml, node_xml);
        snprintf(uri, sizeof(uri), "test://%s", xml);
    }
    const char *args[MAX_TOKENS + 8];
    size_t a = 0;
    for (size_t i = 1; i < n && a < MAX_TOKENS; i++) {
        if (strcmp(tok[i], "--apply") == 0)
            continue; /* a dry run, always */
        if ((strcmp(tok[i], "--root") == 0 || strcmp(tok[i], "--connect") == 0 ||
             strcmp(tok[i], "-c") == 0) &&
            i + 1 < n) {
            i++;
            continue;
        }
        args[a++] = tok[i];
    }
    args[a++] = "--root";
    args[a++] = root_for(gpu);
    args[a++] = "--connect";
    args[a++] = uri;
    args[a] = NULL;
    static char out[65536], err[16384];
    int rc = vg_test_run_capture(prog_path("vgapt-setup"), args, tmp, 30000, out, sizeof(out), err,
                                 sizeof(err));
    n_runs++;
    if (getenv("VG_TEST_VERBOSE"))
        fprintf(stderr, "%s:%d: `%s`: exit status %d\n%s%s", w->file, w->line, cmdline, rc, out,
                err);
    /* check may find failures and undo nothing to undo (1); a documented bind, hooks or VM
     * edit on the machine it is written for makes its plan. */
    const char *cmd = n > 1 && tok[1][0] != '-' ? tok[1] : "";
    bool may_fail = strcmp(cmd, "undo") == 0 || strcmp(cmd, "check") == 0 ||
                    (!cmd[0] && !find_token(tok, n, "--domain") && !find_token(tok, n, "-d"));
    CHECK_MSG(rc == 0 || (may_fail && rc == 1),
              "%s:%d: `%s` as a dry run on a fake root: exit status %d: %s", w->file, w->line,
              cmdline, rc, err);
}
#endif

/* Checks one command line: prog [sub] options. */
static void check_command(const struct where *w, const char *cmdline, char **tok, size_t n)
{
    const char *prog = tok[0];
    if (!prog_path(prog)) {
        return; /* not built */
    }
    n_commands++;
    const char *sub = NULL;
    size_t first = 1;
    if (strcmp(prog, "vgapt-guest") == 0 && n > 1 && tok[1][0] != '-') {
        struct help *top = help_of(prog, NULL);
        CHECK_MSG(top && in_list(top->commands, tok[1]),
                  "%s:%d: `%s`: vgapt-guest has no command '%s'", w->file, w->line, cmdline,
                  tok[1]);
        if (!top || !in_list(top->commands, tok[1]))
            return;
        sub = tok[1];
        first = 2;
    }
    struct help *h = help_of(prog, sub);
    CHECK_MSG(h != NULL, "%s:%d: no --help for `%s`", w->file, w->line, cmdline);
    if (!h)
        return;
    bool placeholder = false;
    size_t positional = 0;
    for (size_t i = first; i < n; i++) {
        const char *t = tok[i];
        if (is_placeholder(t)) {
            placeholder = true;
            continue;
        }
        if (t[0] != '-' || t[1] == 0) {
            positional++;
            bool known =
                strcmp(prog, "vgapt-setup") == 0 && positional == 1 && in_list(h->commands, t);
            CHECK_MSG(known, "%s:%d: `%s`: %s takes no argument '%s'", w->file, w->line, cmdline,
                      h->key, t);
            continue;
        }
        char name[64];
        const char *value = NULL;
        if (t[1] == '-') {
            const char *nm = t + 2;
            if (strncmp(nm, "[no-]", 5) == 0)
                nm += 5;
            size_t len = strcspn(nm, "=");
            snprintf(name, sizeof(name), "%.*s", (int)len, nm);
            if (nm[len] == '=')
                value = nm + len + 1;
        } else {
            snprintf(name, sizeof(name), "%s", t + 1);
        }
        if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0 || strcmp(name, "version") == 0)
            continue;
        const struct opt *o = find_opt(h, name);
        CHECK_MSG(o != NULL, "%s:%d: `%s`: %s has no option '%s' (see its --help)", w->file,
                  w->line, cmdline, h->key, t);
        if (!o)
            continue;
        if (!o->takes_value) {
            CHECK_MSG(!value, "%s:%d: `%s`: %s takes no value", w->file, w->line, cmdline, t);
            continue;
        }
        if (!value) {
            CHECK_MSG(i + 1 < n && tok[i + 1][0] != '-', "%s:%d: `%s`: %s needs a value", w->file,
                      w->line, cmdline, t);
            if (i + 1 >= n || tok[i + 1][0] == '-')
                continue;
            value = tok[++i];
        }
        if (is_placeholder(value)) {
            placeholder = true;
            continue;
        }
        if (o->choices[0]) {
            /* a|b|c in a synopsis: each alternative must be a choice */
            char alt[256];
            snprintf(alt, sizeof(alt), "%s", value);
            for (char *save = NULL, *v = strtok_r(alt, "|", &save); v;
                 v = strtok_r(NULL, "|", &save))
                CHECK_MSG(in_list(o->choices, v), "%s:%d: `%s`: --%s has no choice '%s' (%s)",
                          w->file, w->line, cmdline, name, v, o->choices);
        }
    }
#ifdef VG_DOCS_HAVE_FAKEROOT
    if (strcmp(prog, "vgapt-setup") == 0 && !placeholder)
        run_setup(w, cmdline, tok, n);
#else
    (void)placeholder;
#endif
}

static bool is_our_program(const char *base)
{
    return strcmp(base, "vgapt-client") == 0 || strcmp(base, "vgapt-guest") == 0 ||
           strcmp(base, "vgapt-setup") == 0;
}

/* One command of a shell line: checked when it starts with one of our programs (after sudo,
 * environment assignments, a wrapper like xvfb-run, or a path). */
static void scan_command(const struct where *w, char **tok, size_t n)
{
    size_t s = 0;
    for (; s < n; s++) {
        const char *base = strrchr(tok[s], '/');
        base = base ? base + 1 : tok[s];
        if (is_our_program(base)) {
            tok[s] = (char *)base;
            break;
        }
    }
    if (s >= n)
        return;
    char cmdline[2048] = "";
    for (size_t i = s; i < n; i++)
        snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), "%s%s",
                 i > s ? " " : "", tok[i]);
    check_command(w, cmdline, tok + s, n - s);
}

/* Splits a shell line into words and commands (at && || ; | &); quotes group words, # starts
 * a comment, and the brackets of a synopsis ([--format a|b]) are dropped. */
static void scan_line(const struct where *w, const char *line)
{
    static char buf[4096];
    char *tok[MAX_TOKENS];
    size_t n = 0, o = 0;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == 0 || *p == '#' || *p == ';' || *p == '&' || *p == '|') {
            scan_command(w, tok, n);
            n = 0;
            if (*p == 0 || *p == '#')
                return;
            while (*p == ';' || *p == '&' || *p == '|')
                p++;
            continue;
        }
        char *start = buf + o;
        char quote = 0;
        while (*p && o + 1 < sizeof(buf) && (quote || (*p != ' ' && *p != '\t'))) {
            if (quote && *p == quote)
                quote = 0;
            else if (!quote && (*p == '\'' || *p == '"'))
                quote = *p;
            else if (!quote && *p == '|' && (p[1] == ' ' || p[1] == 0))
                break; /* a pipe written without a space before it */
            else
                buf[o++] = *p;
            p++;
        }
        buf[o++] = 0;
        if (start[0] == '[')
            memmove(start, start + 1, strlen(start));
        size_t sl = strlen(start);
        while (sl && start[sl - 1] == ']')
            start[--sl] = 0;
        if (sl && n < MAX_TOKENS)
            tok[n++] = start;
    }
}

/* Removes markdown's backticks and table escapes from a cell. */
static void unmark(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '`')
            continue;
        if (*p == '\\' && p[1] == '|')
            continue;
        *o++ = *p;
    }
    *o = 0;
    vg_test_trim(s);
}

/* Splits a table row at unescaped |. */
static size_t split_row(char *row, char **cells, size_t max)
{
    size_t n = 0;
    char *p = row;
    if (*p == '|')
        p++;
    char *start = p;
    for (; *p; p++) {
        if (*p == '\\' && p[1] == '|') {
            p++;
            continue;
        }
        if (*p == '|') {
            *p = 0;
            if (n < max)
                cells[n++] = start;
            start = p + 1;
        }
    }
    return n;
}

/* The program whose options the table lists: the one that knows most of them. */
static struct help *table_program(char **opt_cells, size_t rows)
{
    static const char *const candidates[][2] = {
        {"vgapt-client", NULL},          {"vgapt-setup", NULL},   {"vgapt-guest", "pattern"},
        {"vgapt-guest", "lgmp-pattern"}, {"vgapt-guest", "tone"},
    };
    struct help *best = NULL;
    size_t best_known = 0;
    for (size_t c = 0; c < sizeof(candidates) / sizeof(candidates[0]); c++) {
        struct help *h = help_of(candidates[c][0], candidates[c][1]);
        if (!h)
            continue;
        size_t known = 0;
        for (size_t r = 0; r < rows; r++) {
            char name[64];
            const char *s = strstr(opt_cells[r], "--");
            if (!s)
                continue;
            s += 2;
            if (strncmp(s, "[no-]", 5) == 0)
                s += 5;
            snprintf(name, sizeof(name), "%.*s", (int)strcspn(s, " =`,"), s);
            known += find_opt(h, name) != NULL;
        }
        if (known > best_known) {
            best_known = known;
            best = h;
        }
    }
    return best;
}

/* Options tables (a header with "option" and "default" columns): each option exists, and a
 * default given is the one --help prints (or begins with it, then explains). */
static void check_table(const struct where *w, char **lines, size_t n)
{
    char *cells[16];
    char header[2048];
    snprintf(header, sizeof(header), "%s", lines[0]);
    size_t nc = split_row(header, cells, 16);
    int oc = -1, dc = -1;
    for (size_t i = 0; i < nc; i++) {
        vg_test_trim(cells[i]);
        if (strcmp(cells[i], "option") == 0)
            oc = (int)i;
        if (strcmp(cells[i], "default") == 0)
            dc = (int)i;
    }
    if (oc < 0 || dc < 0 || n < 3)
        return;
    static char rows[64][2048];
    char *opt_cells[64], *def_cells[64];
    size_t nr = 0;
    for (size_t l = 2; l < n && nr < 64; l++) {
        snprintf(rows[nr], sizeof(rows[nr]), "%s", lines[l]);
        size_t k = split_row(rows[nr], cells, 16);
        if ((size_t)oc >= k || (size_t)dc >= k)
            continue;
        opt_cells[nr] = cells[oc];
        def_cells[nr] = cells[dc];
        nr++;
    }
    size_t with_options = 0;
    for (size_t r = 0; r < nr; r++)
        with_options += strstr(opt_cells[r], "--") != NULL;
    if (!with_options)
        return; /* a table of build options, not of a program's */
    struct help *h = table_program(opt_cells, nr);
    CHECK_MSG(h != NULL, "%s:%d: an options table of no known program", w->file, w->line);
    if (!h)
        return;
    for (size_t r = 0; r < nr; r++) {
        n_table_rows++;
        char def[512];
        snprintf(def, sizeof(def), "%s", def_cells[r]);
        unmark(def);
        /* every option named in the cell, the first one's default */
        const struct opt *first = NULL;
        for (const char *s = strstr(opt_cells[r], "--"); s; s = strstr(s, "--")) {
            s += 2;
            if (strncmp(s, "[no-]", 5) == 0)
                s += 5;
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)strcspn(s, " =`,\\"), s);
            const struct opt *o = find_opt(h, name);
            CHECK_MSG(o != NULL, "%s:%d: options table: %s has no option --%s", w->file,
                      w->line + (int)r + 2, h->key, name);
            if (!first)
                first = o;
        }
        if (!first || !def[0])
            continue;
        size_t hl = strlen(first->def);
        bool same = strcmp(def, first->def) == 0 ||
                    (strncmp(def, first->def, hl) == 0 && strchr(" (:,;", def[hl]));
        CHECK_MSG(same, "%s:%d: options table: --%s's default is '%s' here, '%s' in %s --help",
                  w->file, w->line + (int)r + 2, first->name, def, first->def, h->key);
    }
}

/* Inline code that starts with one of our programs. */
static void scan_inline(const char *file, int line_no, const char *line)
{
    for (const char *p = strchr(line, '`'); p; p = strchr(p, '`')) {
        const char *end = strchr(p + 1, '`');
        if (!end)
            break;
        char span[1024];
        snprintf(span, sizeof(span), "%.*s", (int)(end - p - 1), p + 1);
        const char *s = span;
        if (strncmp(s, "sudo ", 5) == 0)
            s += 5;
        if (strncmp(s, "vgapt-client", 12) == 0 || strncmp(s, "vgapt-guest", 11) == 0 ||
            strncmp(s, "vgapt-setup", 11) == 0) {
            const struct where w = {file, line_no};
            scan_line(&w, span);
        }
        p = end + 1;
    }
}

static void scan_doc(const char *path, const char *name)
{
    char *text = vg_test_slurp(path);
    CHECK_MSG(text != NULL, "cannot read %s", path);
    if (!text)
        return;
    char **lines = NULL;
    size_t n = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lines = realloc(lines, (n + 1) * sizeof(*lines));
        lines[n++] = l;
    }
    /* strtok_r skips empty lines; line numbers count from the text itself */
    bool in_code = false, shell = false;
    char joined[4096] = "";
    int joined_line = 0;
    for (size_t i = 0; i < n; i++) {
        int line_no = 1;
        for (const char *c = text; c < lines[i]; c++)
            line_no += *c == '\n' || *c == 0;
        const char *l = lines[i];
        if (strncmp(l, "```", 3) == 0) {
            in_code = !in_code;
            const char *info = l + 3;
            shell = in_code && (strcmp(info, "sh") == 0 || strcmp(info, "bash") == 0 ||
                                strcmp(info, "shell") == 0 || strcmp(info, "console") == 0);
            continue;
        }
        if (in_code) {
            if (!shell)
                continue;
            if (!joined[0])
                joined_line = line_no;
            size_t len = strlen(l);
            bool cont = len && l[len - 1] == '\\';
            snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%.*s ",
                     (int)(cont ? len - 1 : len), l);
            if (!cont) {
                const struct where w = {name, joined_line};
                const char *s = joined;
                if (strncmp(s, "$ ", 2) == 0)
                    s += 2;
                scan_line(&w, s);
                joined[0] = 0;
            }
            continue;
        }
        if (l[0] == '|' && i + 1 < n && strncmp(lines[i + 1], "|---", 4) == 0) {
            size_t k = i;
            while (k < n && lines[k][0] == '|')
                k++;
            const struct where w = {name, line_no};
            check_table(&w, lines + i, k - i);
        }
        scan_inline(name, line_no, l);
    }
    free(lines);
    free(text);
}

static void documented_commands_match_the_programs(void)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/README.md", src_dir);
    scan_doc(path, "README.md");
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/docs", src_dir);
    DIR *d = opendir(dir);
    CHECK_MSG(d != NULL, "cannot open %s", dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
            continue;
        char name[300];
        snprintf(name, sizeof(name), "docs/%s", e->d_name);
        snprintf(path, sizeof(path), "%s/%s", src_dir, name);
        scan_doc(path, name);
    }
    closedir(d);
    fprintf(stderr, "%d documented commands checked, %d vgapt-setup dry runs, %d table rows\n",
            n_commands, n_runs, n_table_rows);
    /* The docs do show commands: finding none means this scan is broken. */
    CHECK(n_commands >= 20);
    if (prog_path("vgapt-client"))
        CHECK(n_table_rows >= 20);
}

/* The checker itself: a made-up option, a wrong choice and a wrong default are caught. */
static void the_checks_catch_mistakes(void)
{
    if (!prog_path("vgapt-client"))
        return;
    int before = vg_test_failures;
    /* the planted mistakes' messages are expected: keep them out of the log */
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        dup2(fileno(null), STDERR_FILENO);
        fclose(null);
    }
    const struct where w = {"(self-test)", 1};
    scan_line(&w, "vgapt-client --no-such-option");
    scan_line(&w, "vgapt-client --scale sideways");
    scan_line(&w, "vgapt-client --shm");
    char l0[] = "| option | default | meaning |", l1[] = "|---|---|---|",
         l2[] = "| `--size WxH` | 640x480 | size |", l3[] = "| `--vsync` | on | v |";
    char *table[] = {l0, l1, l2, l3};
    check_table(&w, table, 4);
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    int caught = vg_test_failures - before;
    vg_test_failures = before;
    CHECK_MSG(caught == 4, "the checker caught %d of 4 planted mistakes", caught);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s SOURCE-DIR CLIENT GUEST SETUP\n", argv[0]);
        return 2;
    }
    src_dir = argv[1];
    for (size_t i = 0; i < 3; i++)
        progs[i][1] = strcmp(argv[2 + i], "-") ? argv[2 + i] : NULL;
    static char tmpdir[4096];
    snprintf(tmpdir, sizeof(tmpdir), "%s", vg_test_tmpdir());
    tmp = tmpdir;
    /* Whatever a command might write stays in the temporary folder. */
    char home[4200];
    snprintf(home, sizeof(home), "%s/home", tmp);
    mkdir(home, 0700);
    setenv("HOME", home, 1);
    setenv("XDG_STATE_HOME", home, 1);
    setenv("XDG_CONFIG_HOME", home, 1);
    setenv("NO_COLOR", "1", 1);
    unsetenv("SUDO_USER");
    RUN(the_checks_catch_mistakes);
    RUN(documented_commands_match_the_programs);
    return vg_test_finish();
}
