/* Option parsing shared by all programs: one table describes every option once; it feeds the
 * command line (--name VALUE, --name=VALUE, --flag, --no-flag), the INI file
 * ([section] name = value) and --help (every option with its default). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum vg_opt_type {
    VG_OPT_FLAG,   /* bool; "--x" sets, "--no-x" clears; INI: true/false/yes/no/on/off/1/0 */
    VG_OPT_INT,    /* int64 within [min, max] */
    VG_OPT_DOUBLE, /* double within [min, max] */
    VG_OPT_STRING, /* char * (owned by the vg_opts; freed by vg_opts_free) */
    VG_OPT_CHOICE, /* int index into choices[] (NULL-terminated) */
    VG_OPT_SIZE,   /* two uint32 "WxH" (e.g. 1920x1080); dest is uint32_t[2] */
};

struct vg_opt {
    const char *name;    /* long name without dashes; also the INI key */
    char short_name;     /* 0 for none */
    enum vg_opt_type type;
    void *dest;          /* bool*, int64_t*, double*, char**, int*, uint32_t[2]; borrowed */
    double min, max;     /* for INT and DOUBLE */
    const char *const *choices; /* for CHOICE */
    const char *arg;     /* placeholder shown in --help, e.g. "FILE" */
    const char *help;    /* one line */
    const char *section; /* INI section, NULL for the top level */
    /* [optional] the default --help shows for an option whose default is worked out at run
     * time ("the user running sudo"); NULL: the option's current value */
    const char *default_text;
};

struct vg_opts_program {
    const char *name;      /* e.g. "vgapt-client" */
    const char *usage;     /* e.g. "[OPTIONS]" */
    const char *summary;   /* one paragraph */
    const char *version;   /* printed by --version */
};

enum vg_opts_result {
    VG_OPTS_OK = 0,
    VG_OPTS_EXIT_OK,    /* --help or --version was printed: exit 0 */
    VG_OPTS_ERROR,      /* a message was printed to stderr: exit 2 */
};

/* Sets an option from its textual value; source names where it came from for errors
 * ("command line", "client.ini:12"). Prints the error (what was wrong, what is accepted). */
bool vg_opt_set(const struct vg_opt *opt, const char *value, const char *source);

/* Loads an INI file into opts. A missing file is not an error when optional is true.
 * Unknown keys are warnings (a typo must not stop the program), bad values errors. */
enum vg_opts_result vg_opts_load_ini(const struct vg_opt *opts, size_t n, const char *path,
                                     bool optional);

/* Parses argv into opts. Non-option arguments are returned through positional (borrowed
 * pointers into argv) up to max_positional; extra ones are an error. --help and --version are
 * handled here. */
enum vg_opts_result vg_opts_parse(const struct vg_opts_program *prog, const struct vg_opt *opts,
                                  size_t n, int argc, char **argv, const char **positional,
                                  size_t max_positional, size_t *n_positional);

/* vg_opts_parse for a program without positional arguments, as a main() uses it: -1 to go on,
 * else the exit status (0 after --help or --version, 2 after an error, already printed). */
int vg_opts_parse_or_exit(const struct vg_opts_program *prog, const struct vg_opt *opts, size_t n,
                          int argc, char **argv);

/* Writes --help: usage, summary and every option with its default_text, else its current
 * value, as default. */
void vg_opts_help(FILE *f, const struct vg_opts_program *prog, const struct vg_opt *opts,
                  size_t n);

/* Frees the STRING values the table owns. */
void vg_opts_free(const struct vg_opt *opts, size_t n);

/* Copies a default string into an option's storage (owned thereafter). */
bool vg_opts_set_string(char **dest, const char *value);

/* "$XDG_CONFIG_HOME/vgapt/NAME" or "$HOME/.config/vgapt/NAME"; false if neither is set. */
bool vg_config_path(const char *name, char *out, size_t out_size);

/* Loads the config file NAME the XDG way, each copy over the one before: DIR/vgapt/NAME for
 * every absolute DIR of $XDG_CONFIG_DIRS (default /etc/xdg) from the last listed to the first
 * (the first is the most important), then vg_config_path(NAME), so the user's keys override
 * the system's. Copies that do not exist are skipped; one that fails to load stops the rest. */
enum vg_opts_result vg_opts_load_config(const struct vg_opt *opts, size_t n, const char *name);

/* Parses "WxH" with 1 <= W,H <= max. */
bool vg_parse_size(const char *s, uint32_t max, uint32_t *w, uint32_t *h);
