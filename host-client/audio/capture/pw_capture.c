#include "audio_capture.h"

#include <errno.h>
#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <stdlib.h>
#include <string.h>

#include "audio_pcm_queue.h"
#include "vg/log.h"
#include "vg/time.h"

struct vg_audio_capture {
    struct pw_thread_loop *loop;
    struct pw_stream *stream;
    struct spa_hook listener;
    struct vg_pcm_queue *q;
    uint32_t stride; /* bytes per frame */
};

static void on_process(void *data)
{
    struct vg_audio_capture *c = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(c->stream);
    if (!b)
        return;
    struct spa_buffer *buf = b->buffer;
    if (buf->n_datas > 0 && buf->datas[0].data && buf->datas[0].chunk) {
        const struct spa_chunk *ch = buf->datas[0].chunk;
        uint32_t maxsize = buf->datas[0].maxsize;
        uint32_t off = ch->offset < maxsize ? ch->offset : maxsize;
        uint32_t size = ch->size <= maxsize - off ? ch->size : maxsize - off;
        size -= size % c->stride;
        if (size)
            vg_pcm_queue_push(c->q, (const uint8_t *)buf->datas[0].data + off, size, vg_time_ns());
    }
    pw_stream_queue_buffer(c->stream, b);
}

static const struct pw_stream_events events = {
    PW_VERSION_STREAM_EVENTS,
    .process = on_process,
};

struct vg_audio_capture *vg_audio_capture_create(const char *target, uint32_t channels,
                                                 uint32_t rate, struct vg_pcm_queue *q)
{
    if (!q || channels < 1 || channels > SPA_AUDIO_MAX_CHANNELS || !rate)
        return NULL;
    struct vg_audio_capture *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    pw_init(NULL, NULL);
    c->q = q;
    c->stride = channels * 2;
    if (!vg_pcm_queue_start(q, 16, (int)channels, (int)rate)) {
        vg_err("microphone: the guest's format (%u ch, %u Hz) cannot be recorded", channels, rate);
        goto fail;
    }
    c->loop = pw_thread_loop_new("vgapt-mic", NULL);
    if (!c->loop)
        goto fail;
    struct pw_properties *props = pw_properties_new(
        PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture", PW_KEY_MEDIA_ROLE,
        "Communication", PW_KEY_NODE_NAME, "vgapt-mic", PW_KEY_NODE_DESCRIPTION,
        "vgapt guest microphone", PW_KEY_APP_NAME, "vgapt", NULL);
    if (!props)
        goto fail;
    if (target && target[0])
        pw_properties_set(props, PW_KEY_TARGET_OBJECT, target);
    pw_thread_loop_lock(c->loop);
    c->stream = pw_stream_new_simple(pw_thread_loop_get_loop(c->loop), "vgapt guest microphone",
                                     props, &events, c); /* takes props */
    int r = -ENOMEM;
    if (c->stream) {
        uint8_t pod[1024];
        struct spa_pod_builder b = SPA_POD_BUILDER_INIT(pod, sizeof(pod));
        struct spa_audio_info_raw info = {
            .format = SPA_AUDIO_FORMAT_S16_LE, .rate = rate, .channels = channels};
        if (channels == 1) {
            info.position[0] = SPA_AUDIO_CHANNEL_MONO;
        } else {
            info.position[0] = SPA_AUDIO_CHANNEL_FL;
            info.position[1] = SPA_AUDIO_CHANNEL_FR;
            for (uint32_t i = 2; i < channels; i++)
                info.position[i] = SPA_AUDIO_CHANNEL_AUX0 + i - 2;
        }
        const struct spa_pod *params[1] = {
            spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info)};
        r = pw_stream_connect(c->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
                              PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
    }
    if (r >= 0)
        r = pw_thread_loop_start(c->loop);
    pw_thread_loop_unlock(c->loop);
    if (r < 0) {
        vg_err("microphone: cannot open a PipeWire capture stream: %s (is PipeWire running?)",
               strerror(-r));
        goto fail;
    }
    vg_info("microphone: recording %u ch %u Hz from %s for the guest", channels, rate,
            target && target[0] ? target : "the default source");
    return c;
fail:
    vg_audio_capture_destroy(c);
    return NULL;
}

void vg_audio_capture_destroy(struct vg_audio_capture *c)
{
    if (!c)
        return;
    if (c->loop)
        pw_thread_loop_stop(c->loop);
    if (c->stream)
        pw_stream_destroy(c->stream);
    if (c->loop)
        pw_thread_loop_destroy(c->loop);
    vg_pcm_queue_stop(c->q);
    free(c);
    pw_deinit();
}
