#include "stats.h"

#include <string.h>

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
