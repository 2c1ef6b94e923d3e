/* vgapt-bench SUBCOMMAND [OPTIONS]: see --help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "vg/log.h"
#include "vg/version.h"

static const struct vg_bench_cmd cmds[] = {
    {"video", "frame ingest cost against memcpy + glTexSubImage2D, and capture-to-present "
              "latency",
     vg_bench_video},
#ifdef VG_BENCH_AUDIO
    {"audio", "guest chunk written -> played latency, drift at +-1000 ppm, client CPU per "
              "second of audio against pw-play",
     vg_bench_audio},
#endif
#ifdef VG_BENCH_INPUT
    {"input", "key press in the client's window -> event in a TCG guest's evdev, against the "
              "serial console's round trip",
     vg_bench_input},
#endif
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double vg_bench_percentile(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(double), cmp_double);
    return v[(size_t)((double)(n - 1) * p + 0.5)];
}

/* name beside this executable (installed), else build_path relative to its directory (the
 * build tree), else name alone. */
static char *sibling(const char *name, const char *build_path, char *buf, size_t size)
{
    char dir[4096];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
    char *slash = n > 0 ? memrchr(dir, '/', (size_t)n) : NULL;
    if (slash) {
        *slash = 0;
        const char *const tries[] = {name, build_path};
        for (size_t i = 0; i < 2; i++) {
            int r = snprintf(buf, size, "%s/%s", dir, tries[i]);
            if (r > 0 && (size_t)r < size && access(buf, X_OK) == 0)
                return buf;
        }
    }
    snprintf(buf, size, "%s", name);
    return buf;
}

char *vg_bench_client(void)
{
    static char path[4200];
    return path[0] ? path : sibling("vgapt-client", VG_BENCH_CLIENT, path, sizeof(path));
}

char *vg_bench_guest(void)
{
    static char path[4200];
    return path[0] ? path : sibling("vgapt-guest", VG_BENCH_GUEST, path, sizeof(path));
}

#ifdef VG_BENCH_INPUT
char *vg_bench_evdev(void)
{
    static char path[4200];
    return path[0] ? path
                   : sibling(VG_BENCH_EVDEV_INSTALLED, "vgapt-bench-evdev", path, sizeof(path));
}
#endif

static void usage(FILE *f)
{
    fprintf(f, "Usage: vgapt-bench SUBCOMMAND [OPTIONS]\n\nSubcommands:\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
    fprintf(f, "\n  %-12s %s\n  %-12s %s\n\nvgapt-bench SUBCOMMAND --help shows its options.\n",
            "-h, --help", "show this help", "--version", "show the version");
}

int main(int argc, char **argv)
{
    vg_log_init("vgapt-bench", VG_LOG_WARN);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vgapt-bench %s\n", VG_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "vgapt-bench: unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
