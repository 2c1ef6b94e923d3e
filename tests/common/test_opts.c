/* Options: one table feeds the command line, the INI file and --help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "vg/opts.h"

static bool fullscreen;
static int64_t fps;
static double gain;
static char *shm_path;
static int scale;
static uint32_t size[2];

static const char *const scales[] = {"fit", "integer", "stretch", "native", NULL};

static const struct vg_opt opts[] = {
    {"fullscreen", 'F', VG_OPT_FLAG, &fullscreen, 0, 0, NULL, NULL, "start fullscreen", NULL, NULL},
    {"fps", 0, VG_OPT_INT, &fps, 1, 1000, NULL, "N", "frames per second", NULL, NULL},
    {"gain", 0, VG_OPT_DOUBLE, &gain, 0, 2, NULL, "X", "gain", "audio", NULL},
    {"shm", 's', VG_OPT_STRING, &shm_path, 0, 0, NULL, "FILE", "shared memory file", NULL, NULL},
    {"scale", 0, VG_OPT_CHOICE, &scale, 0, 0, scales, "MODE", "scaling mode", NULL, NULL},
    {"size", 0, VG_OPT_SIZE, size, 0, 16384, NULL, "WxH", "size", NULL, NULL},
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

static const struct vg_opts_program prog = {"vgapt-test", "[OPTIONS]", "A test.", "1.2.3"};

static void defaults(void)
{
    fullscreen = false;
    fps = 60;
    gain = 1.0;
    vg_opts_set_string(&shm_path, "/dev/shm/looking-glass");
    scale = 0;
    size[0] = 1920;
    size[1] = 1080;
}

static enum vg_opts_result parse(int argc, char **argv)
{
    return vg_opts_parse(&prog, opts, N_OPTS, argc, argv, NULL, 0, NULL);
}

static void command_line_forms(void)
{
    defaults();
    char *argv[] = {"x", "--fullscreen", "--fps=144", "-s", "/tmp/a", "--scale", "INTEGER",
                    "--size", "2560x1440", NULL};
    CHECK(parse(9, argv) == VG_OPTS_OK);
    CHECK(fullscreen && fps == 144 && scale == 1 && size[0] == 2560 && size[1] == 1440);
    CHECK(strcmp(shm_path, "/tmp/a") == 0);
    char *argv2[] = {"x", "--no-fullscreen", NULL};
    CHECK(parse(2, argv2) == VG_OPTS_OK && !fullscreen);
}

static void bad_values_are_errors(void)
{
    defaults();
    char *a1[] = {"x", "--fps", "0", NULL};
    CHECK(parse(3, a1) == VG_OPTS_ERROR && fps == 60);
    char *a2[] = {"x", "--fps", "12abc", NULL};
    CHECK(parse(3, a2) == VG_OPTS_ERROR);
    char *a3[] = {"x", "--scale", "zoom", NULL};
    CHECK(parse(3, a3) == VG_OPTS_ERROR);
    char *a4[] = {"x", "--size", "1920", NULL};
    CHECK(parse(3, a4) == VG_OPTS_ERROR);
    char *a5[] = {"x", "--size", "0x10", NULL};
    CHECK(parse(3, a5) == VG_OPTS_ERROR);
    char *a6[] = {"x", "--bogus", NULL};
    CHECK(parse(2, a6) == VG_OPTS_ERROR);
    char *a7[] = {"x", "--fps", NULL};
    CHECK(parse(2, a7) == VG_OPTS_ERROR);
    char *a8[] = {"x", "stray", NULL};
    CHECK(parse(2, a8) == VG_OPTS_ERROR);
    char *a9[] = {"x", "--no-fps", NULL};
    CHECK(parse(2, a9) == VG_OPTS_ERROR);
}

static void ini_then_command_line_wins(void)
{
    defaults();
    char path[600];
    snprintf(path, sizeof(path), "%s/client.ini", vg_test_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("# comment\nfps = 30\nfullscreen = yes\nscale=stretch\nunknown = 1\n"
          "[audio]\ngain = 0.5\n",
          f);
    fclose(f);
    CHECK(vg_opts_load_ini(opts, N_OPTS, path, false) == VG_OPTS_OK);
    CHECK(fps == 30 && fullscreen && scale == 2 && gain == 0.5);
    char *argv[] = {"x", "--fps", "75", NULL};
    CHECK(parse(3, argv) == VG_OPTS_OK);
    CHECK(fps == 75 && fullscreen);

    f = fopen(path, "w");
    fputs("fps = fast\n", f);
    fclose(f);
    CHECK(vg_opts_load_ini(opts, N_OPTS, path, false) == VG_OPTS_ERROR);
    /* gain belongs in [audio]: at top level it is unknown, not applied. */
    f = fopen(path, "w");
    fputs("gain = 2\n", f);
    fclose(f);
    gain = 1.0;
    CHECK(vg_opts_load_ini(opts, N_OPTS, path, false) == VG_OPTS_OK && gain == 1.0);
    CHECK(vg_opts_load_ini(opts, N_OPTS, "/nonexistent/client.ini", true) == VG_OPTS_OK);
    CHECK(vg_opts_load_ini(opts, N_OPTS, "/nonexistent/client.ini", false) == VG_OPTS_ERROR);
}

static void help_lists_every_option_with_default(void)
{
    defaults();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    vg_opts_help(f, &prog, opts, N_OPTS);
    fclose(f);
    for (size_t i = 0; i < N_OPTS; i++)
        CHECK_MSG(strstr(buf, opts[i].name) != NULL, "%s missing", opts[i].name);
    CHECK(strstr(buf, "(default: 60)") && strstr(buf, "(default: /dev/shm/looking-glass)"));
    CHECK(strstr(buf, "(default: 1920x1080)") && strstr(buf, "One of: fit, integer"));
    free(buf);
}

/* A flag's short name works (-F), so --help shows it. */
static void help_shows_a_flags_short_name(void)
{
    defaults();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    vg_opts_help(f, &prog, opts, N_OPTS);
    fclose(f);
    CHECK(strstr(buf, "  -F, --[no-]fullscreen ") != NULL);
    free(buf);
}

/* A default worked out at run time reads as its description, whatever the value is now. */
static void help_shows_a_computed_default_as_its_text(void)
{
    char *user = NULL;
    vg_opts_set_string(&user, "alice");
    const struct vg_opt t[] = {{"user", 'u', VG_OPT_STRING, &user, 0, 0, NULL, "USER", "owner",
                                NULL, "the user who ran sudo"}};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    vg_opts_help(f, &prog, t, 1);
    fclose(f);
    CHECK(strstr(buf, "owner (default: the user who ran sudo)\n") != NULL);
    CHECK(strstr(buf, "alice") == NULL);
    free(buf);
    vg_opts_free(t, 1);
}

static void config_path_follows_xdg(void)
{
    char out[512];
    setenv("XDG_CONFIG_HOME", "/cfg", 1);
    CHECK(vg_config_path("client.ini", out, sizeof(out)) &&
          strcmp(out, "/cfg/vgapt/client.ini") == 0);
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    CHECK(vg_config_path("client.ini", out, sizeof(out)) &&
          strcmp(out, "/home/u/.config/vgapt/client.ini") == 0);
}

int main(void)
{
    RUN(command_line_forms);
    RUN(bad_values_are_errors);
    RUN(ini_then_command_line_wins);
    RUN(help_lists_every_option_with_default);
    RUN(help_shows_a_flags_short_name);
    RUN(help_shows_a_computed_default_as_its_text);
    RUN(config_path_follows_xdg);
    vg_opts_free(opts, N_OPTS);
    return vg_test_finish();
}
