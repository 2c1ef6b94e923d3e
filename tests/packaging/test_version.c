/* One version everywhere: every program and subcommand prints the same --version, and it is the
 * project's (a bug report that quotes it names the build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static const char *project_version;
static char **programs;
static int n_programs;
static const char *dir;
static char first[256];    /* the version the first program printed */
static char first_of[256]; /* and who printed it */

/* Runs "PATH [SUB] --version"; it must print "NAME[ SUB] VERSION" and nothing else. */
static void check_version(const char *path, const char *sub)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char name[256], out[1024], err[1024];
    snprintf(name, sizeof(name), "%s%s%s", base, sub ? " " : "", sub ? sub : "");
    const char *with_sub[] = {sub, "--version", NULL};
    const char *alone[] = {"--version", NULL};
    int st = vg_test_run_capture(path, sub ? with_sub : alone, dir, 10000, out, sizeof(out), err,
                                 sizeof(err));
    CHECK_MSG(st == 0, "%s --version: exit %d: %s", name, st, err);
    size_t len = strlen(name);
    CHECK_MSG(strncmp(out, name, len) == 0 && out[len] == ' ', "%s --version printed '%s'", name,
              out);
    if (strncmp(out, name, len) != 0 || out[len] != ' ')
        return;
    char *version = out + len + 1;
    char *nl = strchr(version, '\n');
    CHECK_MSG(nl && nl[1] == 0, "%s --version: one line, not '%s'", name, out);
    if (nl)
        *nl = 0;
    /* The project version, alone or followed by " (git DESCRIBE)". */
    size_t pv = strlen(project_version);
    CHECK_MSG(strncmp(version, project_version, pv) == 0 &&
                  (version[pv] == 0 || strncmp(version + pv, " (git ", 6) == 0),
              "%s: '%s' is not project version %s", name, version, project_version);
    if (!first[0]) {
        snprintf(first, sizeof(first), "%s", version);
        snprintf(first_of, sizeof(first_of), "%s", name);
    }
    CHECK_MSG(strcmp(version, first) == 0, "%s says '%s', %s says '%s'", name, version, first_of,
              first);
}

static void every_program_prints_the_project_version(void)
{
    char **paths = programs;
    for (int i = 0; i < n_programs; i++) {
        check_version(paths[i], NULL);
        const char *base = strrchr(paths[i], '/') ? strrchr(paths[i], '/') + 1 : paths[i];
        /* Subcommands have --version of their own. */
        if (strcmp(base, "vgapt-guest") == 0) {
            check_version(paths[i], "pattern");
            check_version(paths[i], "tone");
            check_version(paths[i], "lgmp-pattern");
        } else if (strcmp(base, "vgapt-bench") == 0) {
            check_version(paths[i], "video");
        }
    }
}

/* argv: PROJECT_VERSION PROGRAM... */
int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PROJECT_VERSION PROGRAM...\n", argv[0]);
        return 2;
    }
    project_version = argv[1];
    programs = argv + 2;
    n_programs = argc - 2;
    dir = vg_test_tmpdir();
    RUN(every_program_prints_the_project_version);
    return vg_test_finish();
}
