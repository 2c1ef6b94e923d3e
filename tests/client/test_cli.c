/* vgapt-client's command line and config file: what a user types wrong is explained. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "image.h"
#include "testlib.h"

static char *client;
static char log_path[600];
static char cfg_dir[512];
static char no_system_cfg[600]; /* $XDG_CONFIG_DIRS: the machine's /etc/xdg stays out */

static bool mkdir_p(const char *path)
{
    char tmp[700];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) == 0;
}

static char *run(int expect_status, char *const args[])
{
    char *argv[16] = {client};
    int n = 1;
    for (; args[n - 1] && n < 15; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    remove(log_path);
    int st = run_logged(argv, log_path, 20000);
    CHECK_MSG(st == expect_status, "%s ...: exit %d, expected %d", args[0] ? args[0] : "",
              st, expect_status);
    char *out = vg_test_slurp(log_path);
    return out ? out : calloc(1, 1);
}

static void help_lists_every_option_with_defaults(void)
{
    char *out = run(0, (char *[]){"--help", NULL});
    const char *names[] = {"--shm", "--config", "--[no-]fullscreen", "--size", "--scale", "--filter",
                           "--[no-]vsync", "--[no-]overlay", "--[no-]pbo", "--[no-]stats", "--poll-us", "--stall-ms",
                           "--seconds", "--log-level", "--screenshot"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        CHECK_MSG(strstr(out, names[i]) != NULL, "--help lacks %s", names[i]);
    CHECK(strstr(out, "(default: /dev/shm/looking-glass)") != NULL);
    CHECK(strstr(out, "(default: fit)") != NULL);
    CHECK(strstr(out, "F11") != NULL);
    free(out);
    out = run(0, (char *[]){"--version", NULL});
    CHECK(strncmp(out, "vgapt-client ", 13) == 0);
    free(out);
}

static void bad_options_say_what_is_wrong(void)
{
    char *out = run(2, (char *[]){"--scale", "zoom", NULL});
    CHECK_MSG(strstr(out, "fit, integer, stretch, native") && strstr(out, "zoom"), "%s", out);
    free(out);
    out = run(2, (char *[]){"--bogus", NULL});
    CHECK_MSG(strstr(out, "unknown option '--bogus'") != NULL, "%s", out);
    free(out);
    out = run(2, (char *[]){"--size", "big", NULL});
    CHECK_MSG(strstr(out, "WIDTHxHEIGHT") != NULL, "%s", out);
    free(out);
}

static void config_file_is_read_and_command_line_wins(void)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/vgapt", cfg_dir);
    CHECK(mkdir_p(path));
    snprintf(path, sizeof(path), "%s/vgapt/client.ini", cfg_dir);
    FILE *f = fopen(path, "w");
    fputs("# user settings\nscale = stretch\nshm = /dev/shm/from-ini\n", f);
    fclose(f);
    setenv("XDG_CONFIG_HOME", cfg_dir, 1);
    char *out = run(0, (char *[]){"--help", NULL});
    CHECK_MSG(strstr(out, "(default: stretch)") && strstr(out, "(default: /dev/shm/from-ini)"),
              "%s", out);
    free(out);
    out = run(0, (char *[]){"--scale", "native", "--help", NULL});
    CHECK(strstr(out, "(default: native)") && !strstr(out, "(default: stretch)"));
    free(out);
    f = fopen(path, "w");
    fputs("scale = huge\n", f);
    fclose(f);
    out = run(2, (char *[]){"--help", NULL});
    CHECK_MSG(strstr(out, "client.ini:1") && strstr(out, "huge"), "%s", out);
    free(out);
    unsetenv("XDG_CONFIG_HOME");
}

static void write_ini(const char *dir, const char *text)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/vgapt", dir);
    CHECK(mkdir_p(path) || errno == EEXIST);
    snprintf(path, sizeof(path), "%s/vgapt/client.ini", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* An administrator's /etc/xdg/vgapt/client.ini sets defaults; a user's own file overrides them
 * key by key, and of several $XDG_CONFIG_DIRS the first listed wins. */
static void system_config_is_read_before_the_users(void)
{
    char sys1[600], sys2[600], user[600];
    snprintf(sys1, sizeof(sys1), "%s/xdg-first", cfg_dir);
    snprintf(sys2, sizeof(sys2), "%s/xdg-second", cfg_dir);
    snprintf(user, sizeof(user), "%s/xdg-home", cfg_dir);
    write_ini(sys2, "filter = nearest\nscale = stretch\npoll-us = 2000\n");
    write_ini(sys1, "scale = integer\npoll-us = 3000\n");
    write_ini(user, "poll-us = 4000\n");
    char dirs[1300];
    snprintf(dirs, sizeof(dirs), "relative/ignored:%s:%s", sys1, sys2);
    setenv("XDG_CONFIG_DIRS", dirs, 1);
    setenv("XDG_CONFIG_HOME", user, 1);
    char *out = run(0, (char *[]){"--help", NULL});
    CHECK_MSG(strstr(out, "(default: nearest)"), "a key only the last system file sets: %s", out);
    CHECK_MSG(strstr(out, "(default: integer)"), "the first of XDG_CONFIG_DIRS wins: %s", out);
    CHECK_MSG(strstr(out, "(default: 4000)"), "the user's file wins over the system's: %s", out);
    free(out);
    out = run(0, (char *[]){"--poll-us", "5000", "--help", NULL});
    CHECK(strstr(out, "(default: 5000)") && strstr(out, "(default: integer)"));
    free(out);

    /* --config FILE is the whole configuration: the system files are not read with it. */
    char path[700];
    snprintf(path, sizeof(path), "%s/vgapt/client.ini", user);
    char arg[720];
    snprintf(arg, sizeof(arg), "--config=%s", path);
    out = run(0, (char *[]){arg, "--help", NULL});
    CHECK_MSG(strstr(out, "(default: 4000)") && strstr(out, "(default: fit)") &&
                  strstr(out, "(default: linear)"),
              "%s", out);
    free(out);

    /* A broken system file is reported with its path and line, like the user's. */
    write_ini(sys2, "scale = huge\n");
    out = run(2, (char *[]){"--help", NULL});
    CHECK_MSG(strstr(out, "xdg-second/vgapt/client.ini:1") && strstr(out, "huge"), "%s", out);
    free(out);
    setenv("XDG_CONFIG_DIRS", no_system_cfg, 1);
    unsetenv("XDG_CONFIG_HOME");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    client = argv[1];
    const char *dir = vg_test_tmpdir();
    snprintf(log_path, sizeof(log_path), "%s/out.log", dir);
    snprintf(cfg_dir, sizeof(cfg_dir), "%s/config", dir);
    snprintf(no_system_cfg, sizeof(no_system_cfg), "%s/no-system-config", dir);
    setenv("XDG_CONFIG_DIRS", no_system_cfg, 1);
    RUN(help_lists_every_option_with_defaults);
    RUN(bad_options_say_what_is_wrong);
    RUN(config_file_is_read_and_command_line_wins);
    RUN(system_config_is_read_before_the_users);
    return vg_test_finish();
}
