#include "vg/opts.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vg/log.h"

bool vg_opts_set_string(char **dest, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return false;
    free(*dest);
    *dest = copy;
    return true;
}

bool vg_parse_size(const char *s, uint32_t max, uint32_t *w, uint32_t *h)
{
    char *end;
    errno = 0;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X') || errno || s[0] == '-')
        return false;
    const char *t = end + 1;
    unsigned long b = strtoul(t, &end, 10);
    if (end == t || *end || errno || t[0] == '-')
        return false;
    if (a < 1 || b < 1 || a > max || b > max)
        return false;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return true;
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return (*out = true), true;
        if (strcasecmp(v, no[i]) == 0)
            return (*out = false), true;
    }
    return false;
}

static void list_choices(const struct vg_opt *opt, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; opt->choices[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", opt->choices[i]);
}

bool vg_opt_set(const struct vg_opt *opt, const char *value, const char *source)
{
    char *end;
    switch (opt->type) {
    case VG_OPT_FLAG:
        if (!parse_bool(value, opt->dest)) {
            vg_err("%s: --%s takes yes or no (true/false, on/off, 1/0), not '%s'", source,
                   opt->name, value);
            return false;
        }
        return true;
    case VG_OPT_INT: {
        errno = 0;
        long long v = strtoll(value, &end, 0);
        if (end == value || *end || errno || (double)v < opt->min || (double)v > opt->max) {
            vg_err("%s: --%s takes a whole number from %.0f to %.0f, not '%s'", source,
                   opt->name, opt->min, opt->max, value);
            return false;
        }
        *(int64_t *)opt->dest = v;
        return true;
    }
    case VG_OPT_DOUBLE: {
        errno = 0;
        double v = strtod(value, &end);
        if (end == value || *end || errno || !isfinite(v) || v < opt->min || v > opt->max) {
            vg_err("%s: --%s takes a number from %g to %g, not '%s'", source, opt->name,
                   opt->min, opt->max, value);
            return false;
        }
        *(double *)opt->dest = v;
        return true;
    }
    case VG_OPT_STRING:
        if (!vg_opts_set_string(opt->dest, value)) {
            vg_err("out of memory");
            return false;
        }
        return true;
    case VG_OPT_CHOICE:
        for (int i = 0; opt->choices[i]; i++) {
            if (strcasecmp(opt->choices[i], value) == 0) {
                *(int *)opt->dest = i;
                return true;
            }
        }
        char list[256];
        list_choices(opt, list, sizeof(list));
        vg_err("%s: --%s takes one of %s, not '%s'", source, opt->name, list, value);
        return false;
    case VG_OPT_SIZE: {
        uint32_t *wh = opt->dest;
        if (!vg_parse_size(value, (uint32_t)opt->max, &wh[0], &wh[1])) {
            vg_err("%s: --%s takes WIDTHxHEIGHT, each 1 to %.0f (e.g. 1920x1080), not '%s'",
                   source, opt->name, opt->max, value);
            return false;
        }
        return true;
    }
    }
    return false;
}

static const struct vg_opt *find_long(const struct vg_opt *opts, size_t n, const char *name,
                                      size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    }
    return NULL;
}

static const struct vg_opt *find_short(const struct vg_opt *opts, size_t n, char c)
{
    for (size_t i = 0; i < n; i++) {
        if (opts[i].short_name && opts[i].short_name == c)
            return &opts[i];
    }
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                   s[len - 1] == '\n'))
        s[--len] = 0;
    return s;
}

static bool same_section(const char *want, const char *have)
{
    if (!want)
        return have[0] == 0;
    return strcmp(want, have) == 0;
}

enum vg_opts_result vg_opts_load_ini(const struct vg_opt *opts, size_t n, const char *path,
                                     bool optional)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT && optional)
            return VG_OPTS_OK;
        vg_err("cannot read config file %s: %s", path, strerror(errno));
        return VG_OPTS_ERROR;
    }
    enum vg_opts_result res = VG_OPTS_OK;
    char line[1024], section[64] = "";
    for (unsigned lineno = 1; fgets(line, sizeof(line), f); lineno++) {
        char where[4200];
        snprintf(where, sizeof(where), "%s:%u", path, lineno);
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || close[1]) {
                vg_err("%s: a section header looks like [name], not '%s'", where, s);
                res = VG_OPTS_ERROR;
                continue;
            }
            *close = 0;
            snprintf(section, sizeof(section), "%s", trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            vg_err("%s: expected 'name = value', got '%s'", where, s);
            res = VG_OPTS_ERROR;
            continue;
        }
        *eq = 0;
        char *key = trim(s), *value = trim(eq + 1);
        const struct vg_opt *opt = find_long(opts, n, key, strlen(key));
        if (!opt || !same_section(opt->section, section)) {
            vg_warn("%s: unknown option '%s'%s%s%s (ignored; --help lists them)", where, key,
                    section[0] ? " in [" : "", section, section[0] ? "]" : "");
            continue;
        }
        if (!vg_opt_set(opt, value, where))
            res = VG_OPTS_ERROR;
    }
    fclose(f);
    return res;
}

enum vg_opts_result vg_opts_parse(const struct vg_opts_program *prog, const struct vg_opt *opts,
                                  size_t n, int argc, char **argv, const char **positional,
                                  size_t max_positional, size_t *n_positional)
{
    size_t npos = 0;
    bool only_positional = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (only_positional || arg[0] != '-' || arg[1] == 0) {
            if (npos == max_positional) {
                vg_err("unexpected argument '%s' (try --help)", arg);
                return VG_OPTS_ERROR;
            }
            positional[npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            vg_opts_help(stdout, prog, opts, n);
            return VG_OPTS_EXIT_OK;
        }
        if (strcmp(arg, "--version") == 0) {
            printf("%s %s\n", prog->name, prog->version);
            return VG_OPTS_EXIT_OK;
        }
        const struct vg_opt *opt;
        const char *value = NULL;
        bool negated = false;
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            opt = find_long(opts, n, name, len);
            if (!opt && strncmp(name, "no-", 3) == 0) {
                opt = find_long(opts, n, name + 3, len - 3);
                negated = opt && opt->type == VG_OPT_FLAG;
                if (!negated)
                    opt = NULL;
            }
            if (eq)
                value = eq + 1;
        } else {
            opt = arg[2] ? NULL : find_short(opts, n, arg[1]);
        }
        if (!opt) {
            vg_err("unknown option '%s' (try --help)", arg);
            return VG_OPTS_ERROR;
        }
        if (opt->type == VG_OPT_FLAG && !value) {
            *(bool *)opt->dest = !negated;
            continue;
        }
        if (negated) {
            vg_err("--no-%s takes no value", opt->name);
            return VG_OPTS_ERROR;
        }
        if (!value) {
            if (i + 1 >= argc) {
                vg_err("option '%s' needs a value (%s)", arg, opt->arg ? opt->arg : "VALUE");
                return VG_OPTS_ERROR;
            }
            value = argv[++i];
        }
        if (!vg_opt_set(opt, value, "command line"))
            return VG_OPTS_ERROR;
    }
    if (n_positional)
        *n_positional = npos;
    return VG_OPTS_OK;
}

int vg_opts_parse_or_exit(const struct vg_opts_program *prog, const struct vg_opt *opts, size_t n,
                          int argc, char **argv)
{
    switch (vg_opts_parse(prog, opts, n, argc, argv, NULL, 0, NULL)) {
    case VG_OPTS_OK:
        return -1;
    case VG_OPTS_EXIT_OK:
        return 0;
    default:
        return 2;
    }
}

static void format_default(const struct vg_opt *opt, char *buf, size_t size)
{
    switch (opt->type) {
    case VG_OPT_FLAG:
        snprintf(buf, size, "%s", *(bool *)opt->dest ? "on" : "off");
        break;
    case VG_OPT_INT:
        snprintf(buf, size, "%" PRId64, *(int64_t *)opt->dest);
        break;
    case VG_OPT_DOUBLE:
        snprintf(buf, size, "%g", *(double *)opt->dest);
        break;
    case VG_OPT_STRING: {
        const char *s = *(char **)opt->dest;
        snprintf(buf, size, "%s", s && *s ? s : "none");
        break;
    }
    case VG_OPT_CHOICE:
        snprintf(buf, size, "%s", opt->choices[*(int *)opt->dest]);
        break;
    case VG_OPT_SIZE: {
        const uint32_t *wh = opt->dest;
        snprintf(buf, size, "%ux%u", wh[0], wh[1]);
        break;
    }
    }
}

void vg_opts_help(FILE *f, const struct vg_opts_program *prog, const struct vg_opt *opts,
                  size_t n)
{
    fprintf(f, "Usage: %s %s\n\n%s\n\nOptions:\n", prog->name, prog->usage, prog->summary);
    for (size_t i = 0; i < n; i++) {
        const struct vg_opt *opt = &opts[i];
        char left[96], def[256], choices[256] = "";
        const char *arg = opt->arg ? opt->arg : "VALUE";
        char short_part[8] = "";
        if (opt->short_name)
            snprintf(short_part, sizeof(short_part), "-%c, ", opt->short_name);
        if (opt->type == VG_OPT_FLAG)
            snprintf(left, sizeof(left), "%s--[no-]%s", short_part, opt->name);
        else
            snprintf(left, sizeof(left), "%s--%s %s", short_part, opt->name, arg);
        if (opt->default_text)
            snprintf(def, sizeof(def), "%s", opt->default_text);
        else
            format_default(opt, def, sizeof(def));
        if (opt->type == VG_OPT_CHOICE) {
            char list[200];
            list_choices(opt, list, sizeof(list));
            snprintf(choices, sizeof(choices), " One of: %s.", list);
        }
        fprintf(f, "  %-30s %s%s (default: %s)\n", left, opt->help, choices, def);
    }
    fprintf(f, "  %-30s %s\n  %-30s %s\n", "-h, --help", "show this help",
            "--version", "show the version");
}

void vg_opts_free(const struct vg_opt *opts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (opts[i].type == VG_OPT_STRING) {
            free(*(char **)opts[i].dest);
            *(char **)opts[i].dest = NULL;
        }
    }
}

bool vg_config_path(const char *name, char *out, size_t out_size)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    int r;
    if (xdg && *xdg) {
        r = snprintf(out, out_size, "%s/vgapt/%s", xdg, name);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return false;
        r = snprintf(out, out_size, "%s/.config/vgapt/%s", home, name);
    }
    return r > 0 && (size_t)r < out_size;
}

enum vg_opts_result vg_opts_load_config(const struct vg_opt *opts, size_t n, const char *name)
{
    /* $XDG_CONFIG_DIRS lists the most important directory first, so it is read last and its
     * keys win over the ones after it; relative entries are invalid by the spec. */
    const char *env = getenv("XDG_CONFIG_DIRS");
    char dirs[4096];
    snprintf(dirs, sizeof(dirs), "%s", env && *env ? env : "/etc/xdg");
    const char *dir[64];
    size_t ndirs = 0;
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d && ndirs < 64;
         d = strtok_r(NULL, ":", &save)) {
        if (d[0] == '/')
            dir[ndirs++] = d;
    }
    char path[4200];
    for (size_t i = ndirs; i-- > 0;) {
        int r = snprintf(path, sizeof(path), "%s/vgapt/%s", dir[i], name);
        if (r > 0 && (size_t)r < sizeof(path) &&
            vg_opts_load_ini(opts, n, path, true) != VG_OPTS_OK)
            return VG_OPTS_ERROR;
    }
    if (vg_config_path(name, path, sizeof(path)))
        return vg_opts_load_ini(opts, n, path, true);
    return VG_OPTS_OK;
}
