#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg/log.h"
#include "vg/time.h"

void vg_stats_init(struct vg_stats *s, uint64_t now_ns)
{
    memset(s, 0, sizeof(*s));
    s->window_start_ns = now_ns;
}

void vg_stats_frame_received(struct vg_stats *s)
{
    s->received++;
    s->total_received++;
}

void vg_stats_frame_presented(struct vg_stats *s, float ingest_ms, float latency_ms)
{
    struct vg_overlay_stats *v = &s->view;
    s->presented++;
    s->total_presented++;
    if (v->n == VG_OVERLAY_SAMPLES) {
        memmove(v->ingest_ms, v->ingest_ms + 1, sizeof(float) * (VG_OVERLAY_SAMPLES - 1));
        memmove(v->latency_ms, v->latency_ms + 1, sizeof(float) * (VG_OVERLAY_SAMPLES - 1));
        v->n--;
    }
    v->ingest_ms[v->n] = ingest_ms;
    v->latency_ms[v->n] = latency_ms;
    v->n++;
    if (s->ingest_hist) {
        s->ingest_hist[s->n_hist % VG_STATS_HISTORY] = ingest_ms;
        s->n_hist++;
        if (latency_ms >= 0)
            s->latency_hist[s->n_latency++ % VG_STATS_HISTORY] = latency_ms;
    }
}

void vg_stats_tick(struct vg_stats *s, uint64_t now_ns)
{
    uint64_t elapsed = now_ns - s->window_start_ns;
    if (elapsed < VG_NS_PER_S)
        return;
    s->view.fps_received = (double)s->received * 1e9 / (double)elapsed;
    s->view.fps_presented = (double)s->presented * 1e9 / (double)elapsed;
    s->received = s->presented = 0;
    s->window_start_ns = now_ns;
}

bool vg_stats_keep_history(struct vg_stats *s)
{
    s->ingest_hist = calloc(VG_STATS_HISTORY, sizeof(float));
    s->latency_hist = calloc(VG_STATS_HISTORY, sizeof(float));
    return s->ingest_hist && s->latency_hist;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* p50, p99 and max of the kept samples. */
static void percentiles(const float *v, uint64_t count, float out[3])
{
    size_t n = count < VG_STATS_HISTORY ? (size_t)count : VG_STATS_HISTORY;
    out[0] = out[1] = out[2] = 0;
    float *c = n ? malloc(n * sizeof(float)) : NULL;
    if (!c)
        return;
    memcpy(c, v, n * sizeof(float));
    qsort(c, n, sizeof(float), cmp_float);
    out[0] = c[n / 2];
    out[1] = c[(size_t)((double)(n - 1) * 0.99)];
    out[2] = c[n - 1];
    free(c);
}

void vg_stats_summary(const struct vg_stats *s, double seconds)
{
    float in[3], lat[3];
    percentiles(s->ingest_hist, s->n_hist, in);
    percentiles(s->latency_hist, s->n_latency, lat);
    /* No frame whose capture time is on our clock: no figure rather than a wrong one. */
    char latency[128] = "capture-to-present n/a (0 samples)";
    if (s->n_latency > 0)
        snprintf(latency, sizeof(latency),
                 "capture-to-present ms p50 %.3f p99 %.3f max %.3f (%llu samples)", lat[0], lat[1],
                 lat[2], (unsigned long long)s->n_latency);
    vg_info("stats: %.1f s, frames received %llu, presented %llu; ingest ms p50 %.3f p99 %.3f "
            "max %.3f; %s",
            seconds, (unsigned long long)s->total_received, (unsigned long long)s->total_presented,
            in[0], in[1], in[2], latency);
}

void vg_stats_finish(struct vg_stats *s)
{
    free(s->ingest_hist);
    free(s->latency_hist);
    s->ingest_hist = s->latency_hist = NULL;
}
