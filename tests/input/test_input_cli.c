/* vgapt-client's keyboard and mouse options (and --audio-source spice, which needs --spice):
 * bad values are usage errors that say what to give, from the command line and from the INI
 * file; --help lists them. */
#include <stdio.h>
#include <string.h>

#include "testlib.h"

static const char *client;

static void a_bad_spice_address_is_a_usage_error(void)
{
    const char *dir = vg_test_tmpdir();
    const char *a1[] = {"--spice", "localhost", NULL};
    vg_test_expect_usage_error(client, a1, dir, "--spice 'localhost': not an address");
    const char *a2[] = {"--spice=host:99999", NULL};
    vg_test_expect_usage_error(client, a2, dir, "not a number from 1 to 65535");
    const char *a3[] = {"--spice", "unix:", NULL};
    vg_test_expect_usage_error(client, a3, dir, "the socket path is missing");
}

static void an_unknown_escape_key_is_a_usage_error(void)
{
    const char *dir = vg_test_tmpdir();
    const char *a[] = {"--escape-key", "Scroll-Lock", NULL};
    vg_test_expect_usage_error(client, a, dir, "not a key name SDL knows");
}

static void spice_audio_without_a_spice_server_is_a_usage_error(void)
{
    const char *dir = vg_test_tmpdir();
    const char *a[] = {"--audio-source", "spice", NULL};
    vg_test_expect_usage_error(client, a, dir, "--audio-source spice needs --spice URI");
    const char *b[] = {"--audio-source", "pulse", NULL};
    vg_test_expect_usage_error(client, b, dir, "--audio-source takes one of auto, scream, spice");
}

static void the_ini_file_is_checked_too(void)
{
    const char *dir = vg_test_tmpdir();
    char ini[600];
    snprintf(ini, sizeof(ini), "%s/client.ini", dir);
    FILE *f = fopen(ini, "w");
    CHECK(f);
    if (!f)
        return;
    fputs("spice = nowhere\n", f);
    fclose(f);
    const char *a[] = {"--config", ini, NULL};
    vg_test_expect_usage_error(client, a, dir, "--spice 'nowhere'");
}

static void help_lists_the_input_options(void)
{
    const char *dir = vg_test_tmpdir();
    static char out[65536], err[4096];
    const char *a[] = {"--help", NULL};
    int st = vg_test_run_capture(client, a, dir, 20000, out, sizeof(out), err, sizeof(err));
    CHECK(st == 0);
    const char *names[] = {"--spice URI",          "--[no-]input",
                           "--escape-key KEY",     "--[no-]capture-on-start",
                           "--[no-]grab-keyboard", "(default: ScrollLock)"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        CHECK_MSG(strstr(out, names[i]), "--help does not show %s", names[i]);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    client = argv[1];
    RUN(a_bad_spice_address_is_a_usage_error);
    RUN(an_unknown_escape_key_is_a_usage_error);
    RUN(spice_audio_without_a_spice_server_is_a_usage_error);
    RUN(the_ini_file_is_checked_too);
    RUN(help_lists_the_input_options);
    return vg_test_finish();
}
