#include "audio_noise.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg/time.h"

#define BUSY_BYTES (1u << 20)        /* a busy loop's working set: more than a core's L2 */
#define SLICE_NS (20 * VG_NS_PER_MS) /* a sleeping spinner looks at the stop flag this often */

struct worker {
    struct audio_noise *owner;
    pthread_t thread;
    bool started;
    unsigned index;
    int cpu; /* the spinner's CPU; -1: not pinned */
    uint64_t rng;
    unsigned char *memory; /* a busy loop's working set */
};

struct audio_noise {
    struct audio_noise_options o;
    bool realtime;
    uint64_t end_ns; /* UINT64_MAX: until stop */
    atomic_bool stop;
    atomic_uint_fast64_t bursts, burst_ns;
    struct worker *workers; /* rt_threads spinners, then busy_threads busy loops */
    unsigned n_workers;
};

/* splitmix64: small, fast and good enough to spread bursts; one state per thread. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t uniform_ns(uint64_t *state, double min_ms, double max_ms)
{
    double u = (double)(next_random(state) >> 11) * 0x1p-53;
    return (uint64_t)((min_ms + (max_ms - min_ms) * u) * 1e6);
}

static bool stopping(struct audio_noise *n, uint64_t now)
{
    return atomic_load_explicit(&n->stop, memory_order_relaxed) || now >= n->end_ns;
}

static void *spinner(void *arg)
{
    struct worker *w = arg;
    struct audio_noise *n = w->owner;
    if (w->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        int err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
        if (err)
            fprintf(stderr, "audio-noise: spinner %u cannot be pinned to CPU %d: %s\n", w->index,
                    w->cpu, strerror(err));
    }
    for (uint64_t now = vg_time_ns(); !stopping(n, now); now = vg_time_ns()) {
        /* Burst first: the load is there as soon as start returns. */
        uint64_t burst = uniform_ns(&w->rng, n->o.burst_min_ms, n->o.burst_max_ms);
        uint64_t until = now + burst < n->end_ns ? now + burst : n->end_ns;
        uint64_t t = now;
        while (t < until && !atomic_load_explicit(&n->stop, memory_order_relaxed))
            t = vg_time_ns();
        atomic_fetch_add(&n->bursts, 1);
        atomic_fetch_add(&n->burst_ns, t - now);
        uint64_t wake = t + uniform_ns(&w->rng, n->o.interval_min_ms, n->o.interval_max_ms);
        while ((t = vg_time_ns()) < wake && !stopping(n, t))
            vg_sleep_until_ns(wake - t > SLICE_NS ? t + SLICE_NS : wake);
    }
    return NULL;
}

static void *busy_loop(void *arg)
{
    struct worker *w = arg;
    struct audio_noise *n = w->owner;
    uint64_t x = w->rng;
    while (!stopping(n, vg_time_ns())) {
        /* Strided writes over the working set: the cache pressure of real work, not just a
         * spinning core. */
        for (size_t i = 0; i < BUSY_BYTES; i += 64) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            w->memory[i] = (unsigned char)(x >> 56);
        }
    }
    return NULL;
}

void audio_noise_options_default(struct audio_noise_options *o)
{
    cpu_set_t set;
    unsigned cpus = 1;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        cpus = (unsigned)CPU_COUNT(&set);
    *o = (struct audio_noise_options){
        .seed = 1,
        .rt_threads = cpus,
        .rt_priority = 90,
        .burst_min_ms = 2,
        .burst_max_ms = 30,
        .interval_min_ms = 20,
        .interval_max_ms = 200,
        .busy_threads = cpus,
    };
}

/* false, with the reason on stderr, when the spinners must not run at SCHED_FIFO. */
static bool rt_allowed(int priority)
{
    FILE *f = fopen("/proc/sys/kernel/sched_rt_runtime_us", "r");
    long runtime = 0;
    bool known = f && fscanf(f, "%ld", &runtime) == 1;
    if (f)
        fclose(f);
    if (known && runtime < 0) {
        fprintf(stderr, "audio-noise: warning: real-time throttling is off "
                        "(/proc/sys/kernel/sched_rt_runtime_us is -1): SCHED_FIFO spinners could "
                        "hang the machine, so they run at normal priority (write 950000 there to "
                        "allow them)\n");
        return false;
    }
    int lo = sched_get_priority_min(SCHED_FIFO), hi = sched_get_priority_max(SCHED_FIFO);
    if (priority < lo || priority > hi) {
        fprintf(stderr,
                "audio-noise: SCHED_FIFO priority %d is outside %d..%d: the spinners "
                "run at normal priority\n",
                priority, lo, hi);
        return false;
    }
    return true;
}

static int start_worker(struct worker *w, void *(*fn)(void *), const pthread_attr_t *attr)
{
    int err = pthread_create(&w->thread, attr, fn, w);
    w->started = err == 0;
    return err;
}

/* The CPU of spinner i: the i-th (modulo their number) of those this process may run on. */
static int nth_cpu(const cpu_set_t *set, unsigned i)
{
    int count = CPU_COUNT(set);
    if (count <= 0)
        return -1;
    unsigned want = i % (unsigned)count;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, set) && want-- == 0)
            return cpu;
    }
    return -1;
}

struct audio_noise *audio_noise_start(const struct audio_noise_options *o)
{
    struct audio_noise *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->o = *o;
    if (n->o.burst_max_ms < n->o.burst_min_ms)
        n->o.burst_max_ms = n->o.burst_min_ms;
    if (n->o.interval_max_ms < n->o.interval_min_ms)
        n->o.interval_max_ms = n->o.interval_min_ms;
    n->end_ns = o->duration_s > 0 ? vg_time_ns() + (uint64_t)(o->duration_s * 1e9) : UINT64_MAX;
    n->n_workers = o->rt_threads + o->busy_threads;
    n->workers = calloc(n->n_workers ? n->n_workers : 1, sizeof(*n->workers));
    if (!n->workers)
        goto fail;
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
        CPU_ZERO(&cpus);
    for (unsigned i = 0; i < n->n_workers; i++) {
        struct worker *w = &n->workers[i];
        w->owner = n;
        w->index = i;
        uint64_t seed = o->seed + i;
        w->rng = next_random(&seed); /* seed + index, mixed: neighbours' sequences unrelated */
        w->cpu = i < o->rt_threads ? nth_cpu(&cpus, i) : -1;
        if (i >= o->rt_threads && !(w->memory = calloc(1, BUSY_BYTES)))
            goto fail;
    }

    unsigned i = 0;
    if (o->rt_threads && rt_allowed(o->rt_priority)) {
        pthread_attr_t attr;
        struct sched_param sp = {.sched_priority = o->rt_priority};
        pthread_attr_init(&attr);
        pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
        pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
        pthread_attr_setschedparam(&attr, &sp);
        int err = start_worker(&n->workers[0], spinner, &attr);
        if (err == 0) {
            n->realtime = true;
            for (i = 1; i < o->rt_threads && err == 0; i++)
                err = start_worker(&n->workers[i], spinner, &attr);
            if (err) {
                fprintf(stderr, "audio-noise: spinner %u: pthread_create: %s\n", i - 1,
                        strerror(err));
                pthread_attr_destroy(&attr);
                goto fail;
            }
        } else {
            fprintf(stderr,
                    "audio-noise: SCHED_FIFO %d refused (%s): the spinners run at "
                    "normal priority (running as root, with CAP_SYS_NICE or an rtprio "
                    "limit in /etc/security/limits.conf grants it)\n",
                    o->rt_priority, strerror(err));
        }
        pthread_attr_destroy(&attr);
    }
    for (; i < n->n_workers; i++) {
        int err = start_worker(&n->workers[i], i < o->rt_threads ? spinner : busy_loop, NULL);
        if (err) {
            fprintf(stderr, "audio-noise: thread %u: pthread_create: %s\n", i, strerror(err));
            goto fail;
        }
    }
    return n;
fail:
    audio_noise_stop(n);
    return NULL;
}

void audio_noise_stop(struct audio_noise *n)
{
    if (!n)
        return;
    atomic_store(&n->stop, true);
    for (unsigned i = 0; n->workers && i < n->n_workers; i++) {
        if (n->workers[i].started)
            pthread_join(n->workers[i].thread, NULL);
        free(n->workers[i].memory);
    }
    free(n->workers);
    free(n);
}

bool audio_noise_realtime(const struct audio_noise *n)
{
    return n && n->realtime;
}

void audio_noise_describe(const struct audio_noise *n, char *buf, size_t size)
{
    const struct audio_noise_options *o = &n->o;
    char prio[64] = "", until[48] = "";
    if (o->rt_threads && n->realtime)
        snprintf(prio, sizeof(prio), " at SCHED_FIFO %d (granted)", o->rt_priority);
    else if (o->rt_threads)
        snprintf(prio, sizeof(prio), " at normal priority (SCHED_FIFO %d refused)", o->rt_priority);
    if (o->duration_s > 0)
        snprintf(until, sizeof(until), ", for %g s", o->duration_s);
    snprintf(buf, size,
             "%u spinner%s%s, bursts %g-%g ms every %g-%g ms, %u busy loop%s, seed %llu%s",
             o->rt_threads, o->rt_threads == 1 ? "" : "s", prio, o->burst_min_ms, o->burst_max_ms,
             o->interval_min_ms, o->interval_max_ms, o->busy_threads,
             o->busy_threads == 1 ? "" : "s", (unsigned long long)o->seed, until);
}

void audio_noise_stats(const struct audio_noise *n, struct audio_noise_stats *s)
{
    s->bursts = atomic_load(&n->bursts);
    s->burst_ms = (double)atomic_load(&n->burst_ns) / 1e6;
}
