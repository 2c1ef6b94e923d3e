/* A reproducible noise load for the audio path's tests and vgapt-bench audio: real-time
 * spinners, one pinned to each CPU, that take the CPU away in bursts at a SCHED_FIFO priority
 * above PipeWire's data thread (module-rt gives it 88), and normal-priority busy loops that
 * keep every CPU loaded in between, as a compile job does. The burst lengths and the pauses
 * between them come from a PRNG per thread seeded from seed + the thread's index: the same
 * seed gives the same sequence (the timing around it is the machine's).
 *
 * The kernel's real-time throttling (/proc/sys/kernel/sched_rt_runtime_us, 950 ms in every
 * second by default) keeps the machine responsive; with it off (-1) the spinners refuse
 * SCHED_FIFO. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct audio_noise_options {
    uint64_t seed;
    unsigned rt_threads;                     /* spinners; 0: none */
    int rt_priority;                         /* their SCHED_FIFO priority */
    double burst_min_ms, burst_max_ms;       /* each burst's length, uniform in the range */
    double interval_min_ms, interval_max_ms; /* between a spinner's bursts, uniform */
    unsigned busy_threads;                   /* normal-priority busy loops; 0: none */
    double duration_s;                       /* the load ends by itself after this; 0: at stop */
};

struct audio_noise_stats {
    uint64_t bursts; /* bursts the spinners ran, all of them together */
    double burst_ms; /* their total length */
};

/* Fills o with the defaults: seed 1, one spinner per CPU this process may run on at
 * SCHED_FIFO 90, bursts of 2-30 ms every 20-200 ms, one busy loop per CPU, no duration. */
void audio_noise_options_default(struct audio_noise_options *o);

/* Starts the load (o borrowed). When SCHED_FIFO is refused (no privilege, or throttling off)
 * that is said on stderr and the spinners run at normal priority: audio_noise_realtime tells
 * which. NULL (and the reason on stderr) when no thread could start. */
struct audio_noise *audio_noise_start(const struct audio_noise_options *o);
/* Stops the load now (or after its duration ran out) and frees n; NULL is accepted. */
void audio_noise_stop(struct audio_noise *n);

/* Whether the spinners run at SCHED_FIFO (false also when there are none). */
bool audio_noise_realtime(const struct audio_noise *n);
/* A line for people: the threads, their priority (granted or not), the burst ranges, the
 * seed, e.g. "2 spinners at SCHED_FIFO 90 (granted), bursts 2-30 ms every 20-200 ms, 2 busy
 * loops, seed 1". */
void audio_noise_describe(const struct audio_noise *n, char *buf, size_t size);
/* The bursts run so far. */
void audio_noise_stats(const struct audio_noise *n, struct audio_noise_stats *s);
