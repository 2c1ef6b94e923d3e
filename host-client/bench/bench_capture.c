/* The audio benches' capture on test-sink's monitor: see bench_capture.h. */
#include "bench_capture.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <spa/node/io.h>
#include <spa/param/audio/format-utils.h>

#include "vg/time.h"

#define MARK_LEVEL 0.85f /* a mark is full scale; the tone is at 0.3 */
#define MARK_GAP_NS (100 * VG_NS_PER_MS)
#define SILENT 1e-4f  /* a sample under this is silence: the tone's s16 steps are far larger */
#define GAP_FRAMES 3u /* a silence this long inside the tone is a gap a listener hears */

/* now_ns: when the sink got x[0] (0: not known). */
static void gaps_feed(struct vg_bench_gaps *g, const float *x, uint32_t n, uint64_t now_ns)
{
    for (uint32_t i = 0; i < n; i++) {
        if (fabsf(x[i]) < SILENT) {
            g->run++;
            continue;
        }
        if (g->sounded && g->run >= GAP_FRAMES) {
            if (g->gaps < VG_BENCH_MAX_GAPS) {
                g->end_ns[g->gaps] = now_ns ? now_ns + (uint64_t)i * VG_NS_PER_S / 48000u : 0;
                g->len[g->gaps] = g->run;
            }
            g->gaps++;
            g->gap_frames += g->run;
        }
        g->sounded = true;
        g->run = 0;
    }
}

/* The detector against the cleanest input: the guest's tone (440 Hz left, 880 Hz right at 0.3,
 * s16, marks every 250 ms) mixed to mono as the capture receives it, in cycles of 1024. A gap
 * found here would be the detector's, not the client's. */
bool vg_bench_gaps_self_check(void)
{
    struct vg_bench_gaps g = {0};
    float cycle[1024];
    for (uint32_t f = 0; f < 10 * 48000;) {
        uint32_t n = 0;
        for (; n < 1024; n++, f++) {
            double t = (double)f / 48000;
            bool mark = f % 12000 < 96;
            double l = mark ? 1 : 0.3 * sin(2 * M_PI * 440 * t);
            double r = mark ? 1 : 0.3 * sin(2 * M_PI * 880 * t);
            cycle[n] = ((float)lrint(l * 32767) + (float)lrint(r * 32767)) / 2 / 32768.0f;
        }
        gaps_feed(&g, cycle, n, 0);
    }
    if (g.gaps)
        fprintf(stderr, "vgapt-bench: the gap detector finds %llu gaps in a clean tone\n",
                (unsigned long long)g.gaps);
    return g.gaps == 0;
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
    struct vg_bench_capture *c = data;
    if (id == SPA_IO_Position)
        atomic_store(&c->position, area && size >= sizeof(struct spa_io_position) ? area : NULL);
}

static void on_capture(void *data)
{
    struct vg_bench_capture *c = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(c->stream);
    if (!b)
        return;
    struct spa_io_position *pos = atomic_load(&c->position);
    struct spa_data *d = &b->buffer->datas[0];
    struct pw_time t;
    if (d->data && pw_stream_get_time_n(c->stream, &t, sizeof(t)) == 0) {
        const float *x = (const float *)((uint8_t *)d->data + d->chunk->offset);
        uint32_t n = d->chunk->size / sizeof(float);
        gaps_feed(&c->gaps, x, n, (uint64_t)t.now);
        /* The cycles that carry sound: before the tone and after it the graph runs for the
         * capture alone, at its own quantum. */
        if (pos && c->gaps.sounded && c->gaps.run < n) {
            uint64_t q = pos->clock.duration;
            c->quantum_min = !c->quantum_min || q < c->quantum_min ? q : c->quantum_min;
            c->quantum_max = q > c->quantum_max ? q : c->quantum_max;
            c->quantum_last = q;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (fabsf(x[i]) < MARK_LEVEL)
                continue;
            /* The cycle's time plus the sample's place in it: when the sink got it. */
            uint64_t at = (uint64_t)t.now + (uint64_t)i * VG_NS_PER_S / 48000u;
            if (at - c->last_mark_ns > MARK_GAP_NS) {
                unsigned k = atomic_load(&c->n);
                if (k < VG_BENCH_MAX_MARKS) {
                    c->played[k] = at;
                    atomic_store(&c->n, k + 1);
                }
            }
            c->last_mark_ns = at;
        }
    }
    pw_stream_queue_buffer(c->stream, b);
}

static const struct pw_stream_events capture_events = {
    PW_VERSION_STREAM_EVENTS,
    .io_changed = on_io_changed,
    .process = on_capture,
};

/* Runs in the capture's data thread (invoked there): raises it to SCHED_FIFO *priority. */
static int raise_data_thread(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
                             size_t size, void *user_data)
{
    struct vg_bench_capture *c = user_data;
    struct sched_param sp = {.sched_priority = *(const int *)data};
    int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    atomic_store(&c->raised, err ? -err : 1);
    return 0;
}

/* PipeWire sets the data thread to SCHED_FIFO 88 through module-rt. */
bool vg_bench_capture_start(struct vg_bench_capture *c, int listener_priority)
{
    memset(c, 0, sizeof(*c));
    c->loop = pw_thread_loop_new("bench-capture", NULL);
    c->context = c->loop ? pw_context_new(pw_thread_loop_get_loop(c->loop), NULL, 0) : NULL;
    if (!c->context || pw_thread_loop_start(c->loop) < 0)
        return false;
    pw_thread_loop_lock(c->loop);
    c->core = pw_context_connect(c->context, NULL, 0);
    bool ok = c->core != NULL;
    if (ok && listener_priority > 0) {
        /* Not blocking: the data thread may start only with the stream. */
        struct pw_loop *data = pw_data_loop_get_loop(pw_context_get_data_loop(c->context));
        pw_loop_invoke(data, raise_data_thread, 0, &listener_priority, sizeof(listener_priority),
                       false, c);
    }
    if (ok) {
        /* No node.latency: a listener must not set the graph's quantum that it measures (the
         * graph runs the smallest latency asked); the client's request and --quantum do. */
        struct pw_properties *props = pw_properties_new(
            PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture", PW_KEY_MEDIA_ROLE,
            "Production", PW_KEY_STREAM_CAPTURE_SINK, "true", PW_KEY_TARGET_OBJECT, "test-sink",
            PW_KEY_NODE_NAME, "vgapt-bench-capture", NULL);
        c->stream = pw_stream_new(c->core, "vgapt-bench capture", props);
        ok = c->stream != NULL;
    }
    if (ok) {
        pw_stream_add_listener(c->stream, &c->listener, &capture_events, c);
        uint8_t buf[512];
        struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
        struct spa_audio_info_raw info = {.format = SPA_AUDIO_FORMAT_F32,
                                          .rate = 48000,
                                          .channels = 1,
                                          .position = {SPA_AUDIO_CHANNEL_MONO}};
        const struct spa_pod *params[1] = {
            spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info)};
        ok = pw_stream_connect(c->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
                               PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                                   PW_STREAM_FLAG_RT_PROCESS,
                               params, 1) == 0;
    }
    pw_thread_loop_unlock(c->loop);
    return ok;
}

void vg_bench_capture_stop(struct vg_bench_capture *c)
{
    if (c->loop)
        pw_thread_loop_stop(c->loop);
    if (c->stream)
        pw_stream_destroy(c->stream);
    if (c->core)
        pw_core_disconnect(c->core);
    if (c->context)
        pw_context_destroy(c->context);
    if (c->loop)
        pw_thread_loop_destroy(c->loop);
    c->loop = NULL;
    c->stream = NULL;
    c->core = NULL;
    c->context = NULL;
}
