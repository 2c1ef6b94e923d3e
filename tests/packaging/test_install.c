/* `cmake --install` into a temporary prefix: every file lands where a distribution looks for it,
 * and what a user meets there works (the desktop entry validates, the example client.ini holds
 * every option at its default, the completion completes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "testlib.h"

static const char *cmake, *build_dir, *features, *unit_dir, *completion_dir;
static char root[512]; /* the prefix installed into */
static char work[512]; /* scratch for the programs' output */
static bool installed;

static bool has_feature(const char *name)
{
    char padded[256], want[64];
    snprintf(padded, sizeof(padded), ",%s,", features);
    snprintf(want, sizeof(want), ",%s,", name);
    return strstr(padded, want) != NULL;
}

static bool in_path(const char *prog)
{
    const char *path = getenv("PATH");
    char dirs[4096], file[4200];
    snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(file, sizeof(file), "%s/%s", d, prog);
        if (access(file, X_OK) == 0)
            return true;
    }
    return false;
}

static void at(char *out, size_t size, const char *rel)
{
    snprintf(out, size, "%s/%s", root, rel);
}

/* Runs prog with args (NULL-terminated), stdout into out; returns the exit status. */
static int run(const char *prog, const char *const *args, char *out, size_t out_size)
{
    static char err[8192];
    int st = vg_test_run_capture(prog, args, work, 60000, out, out_size, err, sizeof(err));
    if (st != 0)
        fprintf(stderr, "%s: exit %d\n%s%s\n", prog, st, out, err);
    return st;
}

static void install_puts_every_file_in_its_place(void)
{
    static char out[65536];
    const char *args[] = {"--install", build_dir, "--prefix", root, NULL};
    CHECK_MSG(run(cmake, args, out, sizeof(out)) == 0, "cmake --install failed");
    installed = true;

    struct {
        const char *feature; /* NULL: always */
        const char *dir;
        const char *name;
    } files[] = {
        {"client", "bin", "vgapt-client"},
        {NULL, "bin", "vgapt-guest"},
        {"setup", "bin", "vgapt-setup"},
        {"bench", "bin", "vgapt-bench"},
        {"audio", unit_dir, "vgapt-audio.service"},
        {"client", "share/applications", "vgapt-client.desktop"},
        {"client", "share/icons/hicolor/scalable/apps", "vgapt-client.svg"},
        {NULL, completion_dir, "vgapt-client"},
        {NULL, completion_dir, "vgapt-guest"},
        {NULL, completion_dir, "vgapt-setup"},
        {NULL, completion_dir, "vgapt-bench"},
        {"client", "share/doc/vgapt/examples", "client.ini"},
        {NULL, "share/doc/vgapt/examples", "tmpfiles-vgapt.conf"},
        {NULL, "share/doc/vgapt/examples", "60-vgapt-kvmfr.rules"},
        {NULL, "share/doc/vgapt", "copyright"},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (files[i].feature && !has_feature(files[i].feature))
            continue;
        char rel[512], path[1100];
        snprintf(rel, sizeof(rel), "%s/%s", files[i].dir, files[i].name);
        at(path, sizeof(path), rel);
        struct stat st;
        bool there = stat(path, &st) == 0 && S_ISREG(st.st_mode);
        CHECK_MSG(there, "%s is not installed", rel);
        if (!there)
            continue;
        if (strcmp(files[i].dir, "bin") == 0)
            CHECK_MSG((st.st_mode & 0111) == 0111, "%s is not executable", rel);
        else
            CHECK_MSG((st.st_mode & 0777) == 0644, "%s has mode %o, not 0644", rel,
                      (unsigned)(st.st_mode & 0777));
    }

    /* Nothing that changes the system by being there: the rules are examples only. */
    char path[1100];
    at(path, sizeof(path), "lib/tmpfiles.d");
    CHECK_MSG(access(path, F_OK) != 0, "a tmpfiles.d rule is installed for real");
    at(path, sizeof(path), "lib/udev");
    CHECK_MSG(access(path, F_OK) != 0, "a udev rule is installed for real");

    if (has_feature("audio")) {
        char rel[512];
        snprintf(rel, sizeof(rel), "%s/vgapt-audio.service", unit_dir);
        at(path, sizeof(path), rel);
        char *unit = vg_test_slurp(path);
        const char *exec = unit ? strstr(unit, "\nExecStart=/") : NULL;
        CHECK_MSG(exec && strstr(exec, "/bin/vgapt-client --audio-only\n"),
                  "the unit does not start vgapt-client --audio-only by its path: %s",
                  unit ? unit : "(unreadable)");
        free(unit);
    }
}

static void desktop_entry_validates(void)
{
    if (!installed || !has_feature("client"))
        return;
    char path[1100];
    at(path, sizeof(path), "share/applications/vgapt-client.desktop");
    char *entry = vg_test_slurp(path);
    CHECK(entry && strstr(entry, "\nExec=vgapt-client\n") &&
          strstr(entry, "\nIcon=vgapt-client\n"));
    free(entry);
    static char out[8192];
    if (in_path("desktop-file-validate")) {
        const char *args[] = {path, NULL};
        CHECK_MSG(run("desktop-file-validate", args, out, sizeof(out)) == 0 && !out[0],
                  "desktop-file-validate: %s", out);
    } else {
        fprintf(stderr, "note: desktop-file-validate not found (apt-get install "
                        "desktop-file-utils), the entry is not validated\n");
    }
    at(path, sizeof(path), "share/icons/hicolor/scalable/apps/vgapt-client.svg");
    if (in_path("xmllint")) {
        const char *args[] = {"--noout", path, NULL};
        CHECK_MSG(run("xmllint", args, out, sizeof(out)) == 0, "the icon is not well-formed XML");
    }
}

/* Every "--name" of the client's --help but --help and --version, space-separated. */
static void client_option_names(const char *help, char *names, size_t size)
{
    size_t used = 0;
    names[0] = 0;
    for (const char *line = help; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *dd = strstr(line, "--");
        const char *eol = strchr(line, '\n');
        if (!dd || (eol && dd > eol) || line[0] != ' ' || (dd[2] == ' '))
            continue;
        dd += 2;
        if (strncmp(dd, "[no-]", 5) == 0)
            dd += 5;
        size_t len = strcspn(dd, " \n");
        if ((len == 4 && strncmp(dd, "help", 4) == 0) || (len == 7 && !strncmp(dd, "version", 7)))
            continue;
        used += (size_t)snprintf(names + used, size - used, " %.*s", (int)len, dd);
        if (used >= size)
            break;
    }
}

/* A --help with the --config line left out (it shows the file given). */
static void without_config_line(char *help)
{
    char *line = strstr(help, "  --config ");
    char *eol = line ? strchr(line, '\n') : NULL;
    if (line && eol)
        memmove(line, eol + 1, strlen(eol + 1) + 1);
}

static void example_client_ini_has_every_option_at_its_default(void)
{
    if (!installed || !has_feature("client"))
        return;
    char client[1100], example[1100], uncommented[700], arg[800];
    at(client, sizeof(client), "bin/vgapt-client");
    at(example, sizeof(example), "share/doc/vgapt/examples/client.ini");
    snprintf(uncommented, sizeof(uncommented), "%s/uncommented.ini", work);
    static char defaults[65536], from_example[65536], names[4096];

    /* --config stands for every other file: neither the machine's nor the user's is read. */
    snprintf(arg, sizeof(arg), "--config=%s", "/dev/null");
    const char *plain[] = {arg, "--help", NULL};
    CHECK(run(client, plain, defaults, sizeof(defaults)) == 0);
    client_option_names(defaults, names, sizeof(names));
    CHECK_MSG(strstr(names, " shm") && strstr(names, " audio-report-s"), "options: %s", names);

    char *text = vg_test_slurp(example);
    CHECK_MSG(text != NULL, "cannot read %s", example);
    if (!text)
        return;
    FILE *f = fopen(uncommented, "w");
    CHECK(f != NULL);
    if (!f) {
        free(text);
        return;
    }
    /* Each "# name = value" line; the ones with a value make up the file that must change
     * nothing. */
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char key[64], value[256] = "";
        if (sscanf(line, "# %63[a-z0-9-] = %255[^\n]", key, value) < 1 ||
            strncmp(line + 2 + strlen(key), " =", 2) != 0)
            continue;
        char needle[80];
        snprintf(needle, sizeof(needle), " %s ", key);
        char padded[4200];
        snprintf(padded, sizeof(padded), "%s ", names);
        char *hit = strstr(padded, needle);
        CHECK_MSG(hit != NULL, "client.ini names '%s', which vgapt-client does not know", key);
        if (hit) { /* crossed off: what remains in names is missing from the example */
            size_t at_name = (size_t)(hit - padded);
            memmove(names + at_name, names + at_name + strlen(key) + 1,
                    strlen(names + at_name + strlen(key) + 1) + 1);
        }
        if (value[0])
            fprintf(f, "%s = %s\n", key, value);
    }
    fclose(f);
    free(text);
    CHECK_MSG(names[0] == 0, "client.ini lacks:%s", names);

    snprintf(arg, sizeof(arg), "--config=%s", uncommented);
    const char *with[] = {arg, "--help", NULL};
    CHECK(run(client, with, from_example, sizeof(from_example)) == 0);
    without_config_line(defaults);
    without_config_line(from_example);
    CHECK_MSG(strcmp(defaults, from_example) == 0,
              "a value in client.ini is not the default:\n--- defaults:\n%s\n--- example:\n%s",
              defaults, from_example);
}

static void bash_completion_completes_the_installed_programs(void)
{
    if (!installed)
        return;
    if (!in_path("bash")) {
        fprintf(stderr, "note: no bash, the completion is not tried\n");
        return;
    }
    /* Each program's file is loaded the way bash-completion loads it, alone. */
    char script[8192];
    snprintf(script, sizeof(script),
             "t() { local file=$1; shift; . \"$file\" || exit 1; COMP_WORDS=(\"$@\");"
             " COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _vgapt; echo \"[${COMP_WORDS[*]:1}] "
             "${COMPREPLY[*]}\"; }\n"
             "c=%1$s/%2$s b=%1$s/bin\n"
             "%3$s"
             "t $c/vgapt-guest $b/vgapt-guest ''\n"
             "t $c/vgapt-guest $b/vgapt-guest pattern --si\n",
             root, completion_dir,
             has_feature("client") ? "t $c/vgapt-client $b/vgapt-client --sc\n"
                                     "t $c/vgapt-client $b/vgapt-client --scale ''\n"
                                     "t $c/vgapt-client $b/vgapt-client --no-vs\n"
                                   : "");
    if (has_feature("setup"))
        strcat(script, "t $c/vgapt-setup $b/vgapt-setup ''\nt $c/vgapt-setup $b/vgapt-setup "
                       "--mode ''\n");
    if (has_feature("bench"))
        strcat(script, "t $c/vgapt-bench $b/vgapt-bench ''\n");
    static char out[16384];
    const char *args[] = {"-c", script, NULL};
    CHECK(run("bash", args, out, sizeof(out)) == 0);
    const char *expect[] = {
        "[''] pattern tone lgmp-pattern",
        "[pattern --si] --size",
        "[--sc] --scale --screenshot --screenshot-serial --scream",
        "[--scale ''] fit integer stretch native",
        "[--no-vs] --no-vsync",
        "[''] check bind unbind hooks undo",
        "[--mode ''] single dynamic",
        "[''] video",
    };
    const char *needs[] = {NULL, NULL, "client", "client", "client", "setup", "setup", "bench"};
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        if (needs[i] && !has_feature(needs[i]))
            continue;
        /* bash prints an empty word as nothing: compare without the quotes. */
        char want[256], *w = want;
        for (const char *s = expect[i]; *s && w < want + sizeof(want) - 1; s++)
            if (*s != '\'')
                *w++ = *s;
        *w = 0;
        CHECK_MSG(strstr(out, want) != NULL, "completion: no '%s' in\n%s", want, out);
    }
}

/* argv: CMAKE BUILD_DIR FEATURES(client,audio,setup,bench) UNIT_DIR COMPLETION_DIR */
int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s CMAKE BUILD_DIR FEATURES UNIT_DIR COMPLETION_DIR\n", argv[0]);
        return 2;
    }
    cmake = argv[1];
    build_dir = argv[2];
    features = argv[3];
    unit_dir = argv[4];
    completion_dir = argv[5];
    snprintf(root, sizeof(root), "%s/root", vg_test_tmpdir());
    snprintf(work, sizeof(work), "%s", vg_test_tmpdir());
    RUN(install_puts_every_file_in_its_place);
    RUN(desktop_entry_validates);
    RUN(example_client_ini_has_every_option_at_its_default);
    RUN(bash_completion_completes_the_installed_programs);
    return vg_test_finish();
}
