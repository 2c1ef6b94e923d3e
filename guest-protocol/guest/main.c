/* vgapt-guest: the guest-side programs of vgapt behind one executable, one subcommand each. */
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "vg/log.h"
#include "vg/version.h"

struct command {
    const char *name;
    const char *summary;
    int (*main)(int argc, char **argv);
};

/* New subcommands (tone, capture) add one line here. */
static const struct command commands[] = {
    {"pattern", "publish a moving test pattern through a shared-memory file",
     vg_guest_pattern_main},
    {"tone", "write sine tones into a Scream IVSHMEM ring as the Scream driver does",
     vg_guest_tone_main},
    {"lgmp-pattern", "publish the test pattern as a Looking Glass B7 host (LGMP 6 / KVMFR 20)",
     vg_guest_lgmp_pattern_main},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    fprintf(f, "Usage: vgapt-guest COMMAND [OPTIONS]\n\n"
               "The guest side of vgapt: producers that write into the shared memory a vgapt "
               "client reads.\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\n  %-12s %s\n  %-12s %s\n\n"
            "Run 'vgapt-guest COMMAND --help' for the options of a command.\n",
            "-h, --help", "show this help", "--version", "show the version");
}

int main(int argc, char **argv)
{
    vg_log_init("vgapt-guest", VG_LOG_INFO);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        printf("vgapt-guest %s\n", VG_VERSION);
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].main(argc - 1, argv + 1);
    }
    vg_err("unknown command '%s' (run 'vgapt-guest --help' for the list)", name);
    return 2;
}
