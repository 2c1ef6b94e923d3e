/* vgapt-bench: performance figures, each as a ratio against a baseline measured in the same
 * run. Not a test: it never fails because a machine is slow. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct vg_bench_cmd {
    const char *name;
    const char *help;
    int (*run)(int argc, char **argv);
};

int vg_bench_video(int argc, char **argv);
int vg_bench_audio(int argc, char **argv);
int vg_bench_input(int argc, char **argv);

/* The vgapt-client and vgapt-guest to run: the ones beside this vgapt-bench (installed), else
 * the ones of its build tree, else the names for PATH. Static storage, valid until exit. */
char *vg_bench_client(void);
char *vg_bench_guest(void);
/* The static guest helper of vgapt-bench input (tests/e2e/guest_evdev.c): the installed one
 * (../libexec/vgapt/ from this vgapt-bench), else the build tree's. Static storage. */
char *vg_bench_evdev(void);

/* Median and 99th percentile of n samples (sorted in place). */
double vg_bench_percentile(double *v, size_t n, double p);
