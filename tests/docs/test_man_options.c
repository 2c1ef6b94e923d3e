/* The man pages (docs/man/NAME.scd) against the programs: for vgapt-client, vgapt-guest,
 * vgapt-setup and vgapt-bench, and for each command of those that have commands, the page lists
 * exactly the options the built program's --help lists (every name, short ones too), each with
 * the argument and the default --help prints, and no option the program lacks; the page's
 * COMMANDS are the program's commands; vgapt-client.ini(5) has a key for every client option
 * (but --config, --help and --version), with the same default.
 *
 * What the pages must look like for this to read them (scdoc):
 *   # OPTIONS                 the program's own options; "## CMD ..." starts those of CMD
 *   *-s*, *--shm* _FILE_      an option: its names and argument, as --help writes them
 *   <tab>text ...             its description; one line of it "Default: VALUE." when --help
 *                             prints a default
 *   # COMMANDS / *name*       a command; # KEYS / *key* = _ARG_ in the INI page
 * -h, --help and --version, listed once for the program, stand for each command's too.
 *
 * A command that this build lacks (one that needs an optional feature) is passed after the
 * programs as "PROGRAM COMMAND"; its section of the page is then not checked.
 * Usage: test-docs-man-options SOURCE-DIR CLIENT GUEST SETUP BENCH [NOT-BUILT-COMMAND...]
 * (a program not built: "-") */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

#define MAX_OPTS 48
#define MAX_SETS 24

struct opt {
    char name[64];  /* the long name ("shm", "fullscreen" for --[no-]fullscreen) */
    char names[96]; /* every name: ",s,shm," */
    char arg[64];   /* "FILE", "" for none */
    char def[1024]; /* the default */
    bool has_def;
    int line; /* in the page; 0 for --help */
};

/* The options of one program or one command: "vgapt-guest tone". */
struct optset {
    char key[64];
    struct opt opts[MAX_OPTS];
    size_t n;
    bool seen; /* the page has a section for it */
};

/* What one page says. */
struct page {
    const char *file; /* "docs/man/vgapt-guest.1.scd", for messages */
    struct optset sets[MAX_SETS];
    size_t n_sets;
    char commands[512]; /* ",pattern,tone," */
    int n_commands;
};

struct program {
    const char *name;
    const char *page; /* under docs/man */
    bool per_command; /* each command has options of its own (COMMAND --help) */
    const char *path; /* the built program, NULL when not built */
};

static struct program programs[] = {
    {"vgapt-client", "vgapt-client.1.scd", false, NULL},
    {"vgapt-guest", "vgapt-guest.1.scd", true, NULL},
    {"vgapt-setup", "vgapt-setup.1.scd", false, NULL},
    {"vgapt-bench", "vgapt-bench.1.scd", true, NULL},
};
#define N_PROGRAMS (sizeof(programs) / sizeof(programs[0]))

static const char *src_dir, *tmp;
static char **not_built;
static int n_not_built;
static int n_options_checked;

static bool is_not_built(const char *key)
{
    for (int i = 0; i < n_not_built; i++)
        if (strcmp(not_built[i], key) == 0)
            return true;
    return false;
}

static bool in_list(const char *list, const char *item)
{
    char needle[128];
    snprintf(needle, sizeof(needle), ",%s,", item);
    return strstr(list, needle) != NULL;
}

static void list_add(char *list, size_t size, const char *item)
{
    if (!list[0])
        snprintf(list, size, ",");
    size_t used = strlen(list);
    snprintf(list + used, size - used, "%s,", item);
}

/* scdoc's markup off: *bold*, _underline_ (an underscore inside a word is a letter, as scdoc
 * reads it) and \ escapes. */
static void unmark(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            *o++ = *++p;
            continue;
        }
        if (*p == '*')
            continue;
        if (*p == '_' && !(p > s && isalnum((unsigned char)p[-1]) && isalnum((unsigned char)p[1])))
            continue;
        *o++ = *p;
    }
    *o = 0;
}

static struct optset *set_of(struct optset *sets, size_t *n, size_t max, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(sets[i].key, key) == 0)
            return &sets[i];
    if (*n == max)
        return NULL;
    struct optset *s = &sets[(*n)++];
    memset(s, 0, sizeof(*s));
    snprintf(s->key, sizeof(s->key), "%s", key);
    return s;
}

/* "-s, --shm FILE rest" or "--[no-]still rest": the names into o, the rest of the line after
 * them returned; *takes_arg says whether an argument can follow (not after a flag, --help or
 * --version). */
static const char *parse_names(const char *line, struct opt *o, bool *takes_arg)
{
    *takes_arg = true;
    const char *p = line;
    for (;;) {
        p += strspn(p, " ");
        if (*p != '-')
            break;
        size_t len = strcspn(p, " ");
        char tok[64];
        snprintf(tok, sizeof(tok), "%.*s", (int)len, p);
        size_t tl = strlen(tok);
        if (tl && tok[tl - 1] == ',')
            tok[--tl] = 0;
        const char *name = tok + 1;
        if (strncmp(tok, "--[no-]", 7) == 0)
            name = tok + 7;
        else if (strncmp(tok, "--", 2) == 0)
            name = tok + 2;
        if (!o->names[0])
            snprintf(o->names, sizeof(o->names), ",");
        size_t used = strlen(o->names);
        snprintf(o->names + used, sizeof(o->names) - used, "%s,", name);
        if (tok[1] == '-' || !o->name[0])
            snprintf(o->name, sizeof(o->name), "%s", name);
        p += len;
        /* a flag, or the long name of --help and --version: no argument follows */
        if (strncmp(tok, "--[no-]", 7) == 0 || strcmp(tok, "--help") == 0 ||
            strcmp(tok, "--version") == 0) {
            *takes_arg = false;
            return p + strspn(p, " ");
        }
    }
    return p;
}

/* An option line of --help: "  -s, --shm FILE    text (default: X)". */
static void parse_help_option(struct optset *s, const char *line)
{
    if (s->n == MAX_OPTS)
        return;
    struct opt *o = &s->opts[s->n++];
    memset(o, 0, sizeof(*o));
    bool takes_arg;
    const char *rest = parse_names(line, o, &takes_arg);
    if (takes_arg && *rest) {
        size_t al = strcspn(rest, " ");
        snprintf(o->arg, sizeof(o->arg), "%.*s", (int)al, rest);
    }
    const char *d = NULL;
    for (const char *f = strstr(line, "(default: "); f; f = strstr(f + 1, "(default: "))
        d = f;
    size_t ll = strlen(line);
    if (d && ll && line[ll - 1] == ')') {
        d += strlen("(default: ");
        snprintf(o->def, sizeof(o->def), "%.*s", (int)(line + ll - 1 - d), d);
        o->has_def = true;
    }
}

/* A --help text: its options into s, its commands (if any) into commands. */
static void parse_help(const char *text, struct optset *s, char *commands, size_t csize)
{
    char *copy = strdup(text);
    bool in_commands = false;
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "Usage: ", 7) == 0) {
            /* Usage: vgapt-setup [check|bind|...] [OPTIONS]: commands that share the options */
            const char *b = strchr(line, '[');
            if (b && strchr(b, '|') && strchr(b, '|') < strchr(b, ']')) {
                char list[256];
                snprintf(list, sizeof(list), "%.*s", (int)strcspn(b + 1, "]"), b + 1);
                for (char *s2 = NULL, *c = strtok_r(list, "|", &s2); c;
                     c = strtok_r(NULL, "|", &s2))
                    list_add(commands, csize, c);
            }
        } else if (strcmp(line, "Commands:") == 0 || strcmp(line, "Subcommands:") == 0) {
            in_commands = true;
        } else if (in_commands && line[0] == ' ' && line[2] != '-' && line[2] != ' ') {
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)strcspn(line + 2, " "), line + 2);
            list_add(commands, csize, name);
        } else if (strncmp(line, "  -", 3) == 0) {
            in_commands = false;
            parse_help_option(s, line);
        } else if (line[0] != ' ') {
            in_commands = false;
        }
    }
    free(copy);
}

/* A page's text: the option sets of # OPTIONS (key: program, or "program CMD" under a
 * "## CMD ..." heading), the entries of # COMMANDS, and with keys_key the keys of # KEYS (as the
 * set keys_key). */
static void parse_page(struct page *pg, const char *program, const char *keys_key, const char *text)
{
    enum { OTHER, OPTIONS, COMMANDS, KEYS } where = OTHER;
    char key[64] = "";
    struct opt *cur = NULL; /* the entry whose description is being read */
    int line_no = 0;
    for (const char *l = text; *l;) {
        size_t len = strcspn(l, "\n");
        char line[1024];
        snprintf(line, sizeof(line), "%.*s", (int)len, l);
        l += len + (l[len] == '\n');
        line_no++;

        if (line[0] == '#') {
            cur = NULL;
            bool subsection = strncmp(line, "## ", 3) == 0;
            char *title = line + strspn(line, "#");
            vg_test_trim(title);
            if (subsection) {
                if (where == OPTIONS) {
                    snprintf(key, sizeof(key), "%s %.*s", program, (int)strcspn(title, " "), title);
                }
                continue;
            }
            where = strcmp(title, "OPTIONS") == 0    ? OPTIONS
                    : strcmp(title, "COMMANDS") == 0 ? COMMANDS
                    : strcmp(title, "KEYS") == 0     ? KEYS
                                                     : OTHER;
            snprintf(key, sizeof(key), "%s", where == KEYS && keys_key ? keys_key : program);
            continue;
        }
        if (line[0] == '\t') {
            char *t = line;
            vg_test_trim(t);
            if (cur && strncmp(t, "Default: ", 9) == 0) {
                CHECK_MSG(!cur->has_def, "%s:%d: a second Default line for --%s", pg->file, line_no,
                          cur->name);
                snprintf(cur->def, sizeof(cur->def), "%s", t + 9);
                unmark(cur->def);
                size_t dl = strlen(cur->def);
                if (dl && cur->def[dl - 1] == '.')
                    cur->def[--dl] = 0;
                cur->has_def = true;
            }
            continue;
        }
        if (!line[0])
            continue;
        cur = NULL;
        /* an entry: a line in bold, its description indented on the next line (prose that
         * happens to begin with a bold word is none) */
        if (line[0] != '*' || where == OTHER || *l != '\t')
            continue;
        char plain[1024];
        snprintf(plain, sizeof(plain), "%s", line);
        unmark(plain);
        vg_test_trim(plain);
        if (where == COMMANDS) {
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)strcspn(plain, " "), plain);
            CHECK_MSG(!in_list(pg->commands, name), "%s:%d: command %s twice", pg->file, line_no,
                      name);
            list_add(pg->commands, sizeof(pg->commands), name);
            pg->n_commands++;
            continue;
        }
        bool is_option = plain[0] == '-';
        if ((where == OPTIONS) != is_option || (where == KEYS && !keys_key))
            continue; /* the client's page has # KEYS too: the keys it reacts to */
        struct optset *s = set_of(pg->sets, &pg->n_sets, MAX_SETS, key);
        CHECK_MSG(s && s->n < MAX_OPTS, "%s:%d: too many options for this test", pg->file, line_no);
        if (!s || s->n == MAX_OPTS)
            continue;
        cur = &s->opts[s->n++];
        memset(cur, 0, sizeof(*cur));
        cur->line = line_no;
        if (where == OPTIONS) {
            bool takes_arg;
            const char *rest = parse_names(plain, cur, &takes_arg);
            snprintf(cur->arg, sizeof(cur->arg), "%s", rest);
            vg_test_trim(cur->arg);
        } else { /* "key = ARG" */
            int kl = (int)strcspn(plain, " =");
            snprintf(cur->name, sizeof(cur->name), "%.*s", kl, plain);
            snprintf(cur->names, sizeof(cur->names), ",%.*s,", kl, plain);
            const char *eq = strchr(plain, '=');
            snprintf(cur->arg, sizeof(cur->arg), "%s", eq ? eq + 1 : "");
            vg_test_trim(cur->arg);
        }
    }
}

static const struct opt *find(const struct optset *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->opts[i].name, name) == 0)
            return &s->opts[i];
    return NULL;
}

/* The page's set against --help's, both ways. */
static void compare(const char *file, const struct optset *help, const struct optset *man)
{
    for (size_t i = 0; i < help->n; i++) {
        const struct opt *h = &help->opts[i];
        const struct opt *m = find(man, h->name);
        n_options_checked++;
        CHECK_MSG(m != NULL, "%s: --%s of %s (its --help lists it) is missing from the page", file,
                  h->name, help->key);
        if (!m)
            continue;
        CHECK_MSG(strcmp(h->names, m->names) == 0,
                  "%s:%d: %s --%s: the page names it %s, --help %s", file, m->line, help->key,
                  h->name, m->names, h->names);
        CHECK_MSG(strcmp(h->arg, m->arg) == 0,
                  "%s:%d: %s --%s: the page's argument is '%s', --help's '%s'", file, m->line,
                  help->key, h->name, m->arg, h->arg);
        if (h->has_def)
            CHECK_MSG(m->has_def, "%s:%d: %s --%s: no 'Default: %s.' line, which --help prints",
                      file, m->line, help->key, h->name, h->def);
        else
            CHECK_MSG(!m->has_def, "%s:%d: %s --%s: 'Default: %s.', but --help prints none", file,
                      m->line, help->key, h->name, m->def);
        if (h->has_def && m->has_def)
            CHECK_MSG(strcmp(h->def, m->def) == 0,
                      "%s:%d: %s --%s: the page's default is '%s', --help's '%s'", file, m->line,
                      help->key, h->name, m->def, h->def);
    }
    for (size_t i = 0; i < man->n; i++) {
        const struct opt *m = &man->opts[i];
        CHECK_MSG(find(help, m->name) != NULL,
                  "%s:%d: the page lists --%s for %s, which has no such option (--help)", file,
                  m->line, m->name, help->key);
        for (size_t k = 0; k < i; k++)
            CHECK_MSG(strcmp(man->opts[k].name, m->name) != 0, "%s:%d: --%s listed twice", file,
                      m->line, m->name);
    }
}

static const struct optset *page_set(const struct page *pg, const char *key)
{
    for (size_t i = 0; i < pg->n_sets; i++)
        if (strcmp(pg->sets[i].key, key) == 0)
            return &pg->sets[i];
    static const struct optset none;
    return &none;
}

/* --help of "prog" or "prog cmd" into s and commands; false (reported) when it fails. */
static bool run_help(const struct program *p, const char *cmd, struct optset *s, char *commands,
                     size_t csize)
{
    static char out[65536], err[16384];
    const char *args[] = {cmd ? cmd : "--help", cmd ? "--help" : NULL, NULL};
    int rc = vg_test_run_capture(p->path, args, tmp, 10000, out, sizeof(out), err, sizeof(err));
    CHECK_MSG(rc == 0, "%s%s%s --help: exit status %d: %s", p->name, cmd ? " " : "", cmd ? cmd : "",
              rc, err);
    if (rc != 0)
        return false;
    memset(s, 0, sizeof(*s));
    snprintf(s->key, sizeof(s->key), "%s%s%s", p->name, cmd ? " " : "", cmd ? cmd : "");
    parse_help(out, s, commands, csize);
    return true;
}

static struct page *read_page(const char *name, const char *program, const char *keys_key)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/docs/man/%s", src_dir, name);
    char *text = vg_test_slurp(path);
    CHECK_MSG(text != NULL, "cannot read %s", path);
    if (!text)
        return NULL;
    struct page *pg = calloc(1, sizeof(*pg));
    static char files[8][128];
    static int n_files;
    char *file = files[n_files++ % 8];
    snprintf(file, sizeof(files[0]), "docs/man/%s", name);
    pg->file = file;
    parse_page(pg, program, keys_key, text);
    free(text);
    return pg;
}

/* One program's page: its options (per command where it has them) and its commands. */
static void check_program(const struct program *p)
{
    struct page *pg = read_page(p->page, p->name, NULL);
    if (!pg)
        return;
    struct optset *help = calloc(1, sizeof(*help)), *sub = calloc(1, sizeof(*sub));
    struct optset *page_cmd = calloc(1, sizeof(*page_cmd));
    char commands[512] = "", ignored[512] = "";
    if (!run_help(p, NULL, help, commands, sizeof(commands)))
        goto out;
    compare(pg->file, help, page_set(pg, p->name));

    /* The commands, both ways; one this build lacks may stay in the page. */
    for (const char *c = commands; *c && c[1];) {
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(c + 1, ","), c + 1);
        c += strlen(name) + 1;
        CHECK_MSG(in_list(pg->commands, name), "%s: %s has the command %s, # COMMANDS lacks it",
                  pg->file, p->name, name);
        if (!p->per_command)
            continue;
        char key[128];
        snprintf(key, sizeof(key), "%s %s", p->name, name);
        CHECK_MSG(page_set(pg, key)->n > 0, "%s: no '## %s options' section for %s", pg->file, name,
                  key);
        if (run_help(p, name, sub, ignored, sizeof(ignored))) {
            /* -h, --help and --version are documented once, for the program and its
             * commands alike */
            *page_cmd = *page_set(pg, key);
            const struct optset *page_prog = page_set(pg, p->name);
            for (size_t i = 0; i < page_prog->n && page_cmd->n < MAX_OPTS; i++) {
                const struct opt *o = &page_prog->opts[i];
                if (find(help, o->name) && find(sub, o->name) && !find(page_cmd, o->name))
                    page_cmd->opts[page_cmd->n++] = *o;
            }
            compare(pg->file, sub, page_cmd);
        }
    }
    for (const char *c = pg->commands; *c && c[1];) {
        char name[64], key[128];
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(c + 1, ","), c + 1);
        c += strlen(name) + 1;
        snprintf(key, sizeof(key), "%s %s", p->name, name);
        CHECK_MSG(in_list(commands, name) || is_not_built(key),
                  "%s: # COMMANDS lists %s, which %s --help does not", pg->file, name, p->name);
    }
    /* Every options section names a command of the program. */
    for (size_t i = 0; i < pg->n_sets; i++) {
        const char *k = pg->sets[i].key;
        if (strcmp(k, p->name) == 0)
            continue;
        const char *name = k + strlen(p->name) + 1;
        CHECK_MSG(in_list(commands, name) || is_not_built(k),
                  "%s: options for '%s', which is no command of %s", pg->file, name, p->name);
    }
out:
    free(page_cmd);
    free(sub);
    free(help);
    free(pg);
}

/* vgapt-client.ini(5): a key per client option, the file's own choice aside. */
static void check_ini_page(const struct program *client)
{
    struct page *pg = read_page("vgapt-client.ini.5.scd", client->name, "client.ini");
    if (!pg)
        return;
    struct optset *help = calloc(1, sizeof(*help));
    char commands[64] = "";
    if (run_help(client, NULL, help, commands, sizeof(commands))) {
        /* config, help and version exist on the command line only; flags take yes or no */
        struct optset *keys = calloc(1, sizeof(*keys));
        snprintf(keys->key, sizeof(keys->key), "%s", client->name);
        for (size_t i = 0; i < help->n; i++) {
            const struct opt *o = &help->opts[i];
            if (!strcmp(o->name, "config") || !strcmp(o->name, "help") ||
                !strcmp(o->name, "version"))
                continue;
            struct opt *k = &keys->opts[keys->n++];
            *k = *o;
            snprintf(k->names, sizeof(k->names), ",%s,", o->name);
            if (!o->arg[0])
                snprintf(k->arg, sizeof(k->arg), "yes|no");
        }
        compare(pg->file, keys, page_set(pg, "client.ini"));
        free(keys);
    }
    free(help);
    free(pg);
}

/* The checker itself: an option missing from a page, one the program lacks, a wrong default, a
 * wrong argument and a missing short name are all caught. */
static void the_checks_catch_mistakes(void)
{
    static const char help_text[] =
        "Usage: x [OPTIONS]\n\nSummary.\n\nOptions:\n"
        "  -s, --shm FILE                 shared memory (default: /dev/shm/a)\n"
        "  --[no-]vsync                   vsync (default: on)\n"
        "  --size WxH                     size (default: 1280x720)\n"
        "  --gone N                       removed from the page (default: 1)\n"
        "  -h, --help                     show this help\n";
    static const char page_text[] = "x(1)\n\n# OPTIONS\n\n"
                                    "*--shm* _FILE_\n\tShared memory.\n\tDefault: _/dev/shm/a_.\n\n"
                                    "*--[no-]vsync*\n\tVsync.\n\tDefault: off.\n\n"
                                    "*--size* _W_\n\tSize.\n\tDefault: 1280x720.\n\n"
                                    "*--extra*\n\tNot in the program.\n\n"
                                    "*-h*, *--help*\n\tHelp.\n";
    struct optset *h = calloc(1, sizeof(*h));
    struct page *pg = calloc(1, sizeof(*pg));
    char commands[64] = "";
    snprintf(h->key, sizeof(h->key), "x");
    parse_help(help_text, h, commands, sizeof(commands));
    pg->file = "(self-test)";
    parse_page(pg, "x", NULL, page_text);

    int before = vg_test_failures;
    /* the planted mistakes' messages are expected: keep them out of the log */
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        dup2(fileno(null), STDERR_FILENO);
        fclose(null);
    }
    compare(pg->file, h, page_set(pg, "x"));
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    int caught = vg_test_failures - before;
    vg_test_failures = before;
    /* -s missing, vsync's default, --size's argument, --gone missing, --extra unknown */
    CHECK_MSG(caught == 5, "the checker caught %d of 5 planted mistakes", caught);
    CHECK(h->n == 5 && find(h, "shm") && strcmp(find(h, "shm")->arg, "FILE") == 0);
    CHECK(find(h, "help") && find(h, "help")->arg[0] == 0 && !find(h, "help")->has_def);
    free(pg);
    free(h);
}

static void pages_list_every_option_with_its_default(void)
{
    int programs_checked = 0;
    for (size_t i = 0; i < N_PROGRAMS; i++) {
        if (!programs[i].path)
            continue;
        check_program(&programs[i]);
        programs_checked++;
    }
    if (programs[0].path)
        check_ini_page(&programs[0]);
    fprintf(stderr, "%d programs, %d options checked against their pages\n", programs_checked,
            n_options_checked);
    /* The programs do have options: finding few means this scan is broken. */
    if (programs[0].path)
        CHECK(n_options_checked >= 40);
}

int main(int argc, char **argv)
{
    if (argc < 2 + (int)N_PROGRAMS) {
        fprintf(stderr, "usage: %s SOURCE-DIR CLIENT GUEST SETUP BENCH [NOT-BUILT-COMMAND...]\n",
                argv[0]);
        return 2;
    }
    src_dir = argv[1];
    for (size_t i = 0; i < N_PROGRAMS; i++)
        programs[i].path = strcmp(argv[2 + i], "-") ? argv[2 + i] : NULL;
    not_built = argv + 2 + N_PROGRAMS;
    n_not_built = argc - 2 - (int)N_PROGRAMS;
    static char tmpdir[4096];
    snprintf(tmpdir, sizeof(tmpdir), "%s", vg_test_tmpdir());
    tmp = tmpdir;
    /* --help prints the defaults as this environment makes them: none of the caller's. */
    char home[4200];
    snprintf(home, sizeof(home), "%s/home", tmp);
    setenv("HOME", home, 1);
    setenv("XDG_CONFIG_HOME", home, 1);
    setenv("XDG_CONFIG_DIRS", home, 1);
    setenv("XDG_STATE_HOME", home, 1);
    unsetenv("SUDO_USER");
    RUN(the_checks_catch_mistakes);
    RUN(pages_list_every_option_with_its_default);
    return vg_test_finish();
}
