/* vgapt-bench: performance figures, each as a ratio against a baseline measured in the same
 * run. Not a test: it never fails because a machine is slow. */
#pragma once

#include <stdbool.h>
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

/* An audio case's figures after the client's lock-in (marks from 2 s on): written -> played
 * latency in ms, the marks heard, the gaps heard in the tone. */
struct vg_bench_audio_case {
    double p50, p99, max;
    size_t marks;
    uint64_t gaps;
    double gap_ms;
};

/* vgapt-bench audio's first case, once, on the PipeWire daemon this process started
 * (tests/audio/audio_env.h; pw_init done): vgapt-guest tone into a Scream region in dir ->
 * vgapt-client --audio-only at its default target -> test-sink, for `seconds`. The baseline
 * that vgapt-bench input's SPICE audio figure is printed beside. false when no mark was heard. */
bool vg_bench_audio_scream(const char *dir, double seconds, struct vg_bench_audio_case *out);

/* Median and 99th percentile of n samples (sorted in place). */
double vg_bench_percentile(double *v, size_t n, double p);
