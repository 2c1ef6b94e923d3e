/* Sink backend "pipewire": a native pw_stream playback stream on its own pw_thread_loop. The
 * process callback runs on PipeWire's data thread (PW_STREAM_FLAG_RT_PROCESS) and only moves
 * frames out of the vg_audio_ring; everything else happens with the thread loop locked from the
 * player thread. Rate matching uses the stream's own adaptive resampler (SPA_PROP_rate).
 *
 * What the user is told, from the thread loop: the server going away and coming back, a stream
 * that no session manager links, and a target sink that does not exist. WirePlumber 0.4 links a
 * stream whose target.object does not exist to the default sink after one rescan, and from
 * then on keeps it following the default (as PulseAudio does), also when the target appears;
 * so when it does, we ask for the move as pavucontrol would: target.object in the "default"
 * metadata for our node. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/extensions/metadata.h>
#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/param/props.h>
#include <spa/pod/builder.h>
#include <spa/support/thread.h>
#include <spa/utils/dict.h>

#include "audio_ring.h"
#include "audio_sink.h"
#include "vg/log.h"
#include "vg/time.h"

struct vg_audio_sink {
    struct pw_thread_loop *loop;
    struct pw_context *context;
    struct pw_core *core;
    struct spa_hook core_listener;
    struct pw_registry *registry; /* only with a target: to tell whether it exists */
    struct spa_hook registry_listener;
    struct pw_metadata *metadata; /* "default": to move the stream to the target */
    uint32_t metadata_id;
    struct spa_source *link_timer; /* warns when the stream stays unlinked */
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    struct vg_audio_ring *ring;  /* borrowed while open */
    uint32_t stride;
    uint32_t rate;
    char target[256];
    char role[64];
    uint32_t quantum_ms;
    double last_ratio;
    /* thread loop only */
    uint32_t target_id;          /* registry id of the target sink; SPA_ID_INVALID: none */
    char target_serial[32];      /* its object.serial */
    bool target_warned;          /* said the target is missing */
    bool link_warned;            /* said the stream is not linked */
    /* the graph's position (io_changed) and, on the data thread only, the last cycle's */
    _Atomic(struct spa_io_position *) position;
    uint64_t last_pos, last_dur;
    uint64_t skipped;            /* frames of cycles skipped, confirmed by the next call */
    uint32_t last_clock;         /* the driver's clock id */
    bool have_pos;
    _Atomic uint64_t quantum;    /* the graph's cycle in frames of the graph rate (data thread) */
    _Atomic uint32_t quantum_rate;
    atomic_bool dead;            /* the server went away */
    atomic_bool streaming;
    _Atomic uint64_t errors;     /* real-time callback errors */
};

#define LINK_WAIT_S 5 /* a stream unlinked this long after opening: say so */
#define START_RATE (1.0 - 1e-7)

static atomic_int pw_users;

/* Across connections, so that a server that stays away is reported once, not every retry. */
enum { SERVER_UP, SERVER_LOST, SERVER_REPORTED };
static atomic_int server_state = SERVER_UP;

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
    struct vg_audio_sink *s = data;
    /* Context: the thread loop (not real-time). */
    if (id == PW_ID_CORE && res == -EPIPE) {
        atomic_store(&s->dead, true);
        atomic_store(&server_state, SERVER_LOST);
        vg_warn("audio: the PipeWire server went away (%s); reconnecting", message);
    } else {
        vg_debug("audio: PipeWire error on object %u: %s (%s)", id, message, strerror(-res));
    }
}

static const struct pw_core_events core_events = {
    PW_VERSION_CORE_EVENTS,
    .error = on_core_error,
};

/* The target as WirePlumber matches target.object: node.name, object.serial or object.path of
 * a node that takes audio in. */
static bool is_target(const struct vg_audio_sink *s, const struct spa_dict *props)
{
    const char *cls = spa_dict_lookup(props, PW_KEY_MEDIA_CLASS);
    if (!cls || (strncmp(cls, "Audio/Sink", 10) != 0 && strcmp(cls, "Audio/Duplex") != 0))
        return false;
    const char *keys[] = {PW_KEY_NODE_NAME, PW_KEY_OBJECT_SERIAL, PW_KEY_OBJECT_PATH};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = spa_dict_lookup(props, keys[i]);
        if (v && strcmp(v, s->target) == 0)
            return true;
    }
    return false;
}

/* The stream plays elsewhere (we warned) and the target is here: move it there. */
static void move_to_target(struct vg_audio_sink *s)
{
    uint32_t node = s->stream ? pw_stream_get_node_id(s->stream) : SPA_ID_INVALID;
    if (!s->metadata || node == SPA_ID_INVALID || !s->target_serial[0]) {
        vg_info("audio: sink '%s' is here; the stream moves to it when it opens again",
                s->target);
        return;
    }
    vg_info("audio: sink '%s' is here; moving the stream to it", s->target);
    pw_metadata_set_property(s->metadata, node, "target.object", "Spa:Id", s->target_serial);
}

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type,
                      uint32_t version, const struct spa_dict *props)
{
    struct vg_audio_sink *s = data;
    if (!props)
        return;
    if (!s->metadata && strcmp(type, PW_TYPE_INTERFACE_Metadata) == 0) {
        const char *name = spa_dict_lookup(props, PW_KEY_METADATA_NAME);
        if (name && strcmp(name, "default") == 0) {
            s->metadata = pw_registry_bind(s->registry, id, type, PW_VERSION_METADATA, 0);
            s->metadata_id = id;
        }
        return;
    }
    if (s->target_id != SPA_ID_INVALID || strcmp(type, PW_TYPE_INTERFACE_Node) != 0 ||
        !is_target(s, props))
        return;
    s->target_id = id;
    const char *serial = spa_dict_lookup(props, PW_KEY_OBJECT_SERIAL);
    snprintf(s->target_serial, sizeof(s->target_serial), "%s", serial ? serial : "");
    if (s->target_warned)
        move_to_target(s);
    s->target_warned = false;
}

static void on_global_remove(void *data, uint32_t id)
{
    struct vg_audio_sink *s = data;
    if (s->metadata && id == s->metadata_id) {
        pw_proxy_destroy((struct pw_proxy *)s->metadata);
        s->metadata = NULL;
    }
    if (id != s->target_id)
        return;
    s->target_id = SPA_ID_INVALID;
    s->target_warned = true;
    vg_warn("audio: sink '%s' went away; playing on the default sink until it is back",
            s->target);
}

static const struct pw_registry_events registry_events = {
    PW_VERSION_REGISTRY_EVENTS,
    .global = on_global,
    .global_remove = on_global_remove,
};

static void on_link_timer(void *data, uint64_t expirations)
{
    struct vg_audio_sink *s = data;
    if (!s->stream || atomic_load(&s->streaming) || atomic_load(&s->dead))
        return;
    s->link_warned = true;
    vg_warn("audio: the stream is open but not linked to a sink after %d s; is the session "
            "manager running (systemctl --user status wireplumber)? `wpctl status` shows the "
            "sinks and streams. Still waiting.",
            LINK_WAIT_S);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
                             const char *error)
{
    struct vg_audio_sink *s = data;
    atomic_store(&s->streaming, state == PW_STREAM_STATE_STREAMING);
    if (state == PW_STREAM_STATE_ERROR)
        vg_warn("audio: PipeWire stream error: %s", error ? error : "unknown");
    else
        vg_debug("audio: stream %s", pw_stream_state_as_string(state));
    if (state != PW_STREAM_STATE_STREAMING)
        return;
    if (s->link_warned)
        vg_info("audio: the stream is linked and playing now");
    s->link_warned = false;
    /* Linked, so the session manager has decided; the registry's events came before this. */
    if (s->registry && s->target_id == SPA_ID_INVALID && !s->target_warned) {
        s->target_warned = true;
        vg_warn("audio: no sink '%s' (the audio target) here; playing on the default sink "
                "until it appears. The sinks' names: `pw-cli ls Node` (node.name of each "
                "Audio/Sink), or `wpctl status`.",
                s->target);
    }
}

static void count_error(struct vg_audio_sink *s)
{
    atomic_store_explicit(&s->errors, atomic_load_explicit(&s->errors, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

/* Real-time: no allocation, lock, log or blocking call. */
static void on_process(void *data)
{
    struct vg_audio_sink *s = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(s->stream);
    if (!b) {
        count_error(s);
        return;
    }
    struct spa_data *d = &b->buffer->datas[0];
    if (!d->data || s->stride == 0) {
        count_error(s);
        pw_stream_queue_buffer(s->stream, b);
        return;
    }
    uint32_t n = d->maxsize / s->stride;
    if (b->requested && b->requested < n)
        n = (uint32_t)b->requested;
    /* Cycles the graph ran without us (this thread was late) played nothing of ours: counted
     * (the fill is that much higher, and the rate control brings it back). A call that runs
     * late can read the next cycle's position, and the next call then reads the same one
     * again: a skip counts only when the following call moves on. Another driver (the stream
     * moved to another device) has a position of its own. */
    struct spa_io_position *pos = atomic_load_explicit(&s->position, memory_order_acquire);
    if (pos) {
        uint64_t p = pos->clock.position, next = s->last_pos + s->last_dur;
        struct spa_fraction r = pos->clock.rate;
        if (pos->clock.id != s->last_clock || (pos->clock.flags & SPA_IO_CLOCK_FLAG_FREEWHEEL))
            s->have_pos = false;
        if (s->have_pos && s->skipped && p != s->last_pos)
            vg_audio_ring_late(s->ring, s->skipped);
        s->skipped = 0;
        if (s->have_pos && p > next && p - next < r.denom && r.num)
            s->skipped = (p - next) * s->rate * r.num / r.denom;
        s->last_pos = p;
        s->last_dur = pos->clock.duration;
        atomic_store_explicit(&s->quantum, pos->clock.duration, memory_order_relaxed);
        atomic_store_explicit(&s->quantum_rate, r.denom, memory_order_relaxed);
        s->last_clock = pos->clock.id;
        s->have_pos = true;
    }
    /* The cycle's start on CLOCK_MONOTONIC: when what it takes starts to play. */
    vg_audio_ring_consume(s->ring, d->data, n, pos ? pos->clock.nsec : vg_time_ns());
    d->chunk->offset = 0;
    d->chunk->stride = (int32_t)s->stride;
    d->chunk->size = n * s->stride;
    pw_stream_queue_buffer(s->stream, b);
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
    struct vg_audio_sink *s = data;
    if (id == SPA_IO_Position)
        atomic_store_explicit(&s->position,
                              size >= sizeof(struct spa_io_position) ? area : NULL,
                              memory_order_release);
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state_changed,
    .io_changed = on_io_changed,
    .process = on_process,
};

static void pw_sink_destroy(struct vg_audio_sink *s);

static struct vg_audio_sink *pw_sink_create(const struct vg_audio_sink_options *o)
{
    if (atomic_fetch_add(&pw_users, 1) == 0)
        pw_init(NULL, NULL);
    struct vg_audio_sink *s = calloc(1, sizeof(*s));
    if (!s) {
        vg_err("audio: out of memory");
        atomic_fetch_sub(&pw_users, 1);
        return NULL;
    }
    snprintf(s->target, sizeof(s->target), "%s", o->target ? o->target : "");
    snprintf(s->role, sizeof(s->role), "%s", o->role ? o->role : "Game");
    s->quantum_ms = o->quantum_ms;
    s->last_ratio = 1.0;
    s->target_id = SPA_ID_INVALID;
    s->loop = pw_thread_loop_new("vgapt-audio", NULL);
    if (!s->loop)
        goto fail;
    /* client-rt.conf loads module-rt: the data thread that runs on_process gets real-time
     * priority (rtkit, or RLIMIT_RTPRIO), as pw-play's does; under load a normal-priority one
     * misses graph cycles, and every cycle missed adds a quantum of latency. */
    s->context = pw_context_new(pw_thread_loop_get_loop(s->loop),
                                pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
    if (!s->context)
        goto fail;
    if (pw_thread_loop_start(s->loop) < 0)
        goto fail;
    pw_thread_loop_lock(s->loop);
    s->core = pw_context_connect(s->context, NULL, 0);
    int err = errno;
    if (s->core) {
        pw_core_add_listener(s->core, &s->core_listener, &core_events, s);
        if (s->target[0]) {
            s->registry = pw_core_get_registry(s->core, PW_VERSION_REGISTRY, 0);
            if (s->registry)
                pw_registry_add_listener(s->registry, &s->registry_listener, &registry_events,
                                         s);
        }
        s->link_timer = pw_loop_add_timer(pw_thread_loop_get_loop(s->loop), on_link_timer, s);
    }
    pw_thread_loop_unlock(s->loop);
    if (!s->core) {
        if (atomic_exchange(&server_state, SERVER_REPORTED) != SERVER_REPORTED)
            vg_warn("audio: cannot connect to PipeWire: %s; is the pipewire service running "
                    "for this user (systemctl --user status pipewire)? Retrying until it is; "
                    "the sound starts then.",
                    strerror(err));
        goto fail;
    }
    if (atomic_exchange(&server_state, SERVER_UP) != SERVER_UP)
        vg_info("audio: connected to the PipeWire server");
    return s;
fail:
    pw_sink_destroy(s);
    return NULL;
}

static void pw_sink_close(struct vg_audio_sink *s)
{
    if (!s->stream)
        return;
    pw_thread_loop_lock(s->loop);
    if (s->link_timer)
        pw_loop_update_timer(pw_thread_loop_get_loop(s->loop), s->link_timer, NULL, NULL, false);
    pw_stream_destroy(s->stream);
    s->stream = NULL; /* under the lock: the loop's callbacks look at it */
    pw_thread_loop_unlock(s->loop);
    s->ring = NULL;
    atomic_store(&s->streaming, false);
}

static void pw_sink_destroy(struct vg_audio_sink *s)
{
    if (!s)
        return;
    pw_sink_close(s);
    if (s->loop)
        pw_thread_loop_stop(s->loop);
    if (s->link_timer)
        pw_loop_destroy_source(pw_thread_loop_get_loop(s->loop), s->link_timer);
    if (s->metadata)
        pw_proxy_destroy((struct pw_proxy *)s->metadata);
    if (s->registry) {
        spa_hook_remove(&s->registry_listener);
        pw_proxy_destroy((struct pw_proxy *)s->registry);
    }
    if (s->core) {
        spa_hook_remove(&s->core_listener);
        pw_core_disconnect(s->core);
    }
    if (s->context)
        pw_context_destroy(s->context);
    if (s->loop)
        pw_thread_loop_destroy(s->loop);
    free(s);
    if (atomic_fetch_sub(&pw_users, 1) == 1)
        pw_deinit();
}

static enum spa_audio_format spa_format(uint32_t bits)
{
    switch (bits) {
    case 16:
        return SPA_AUDIO_FORMAT_S16_LE;
    case 24:
        return SPA_AUDIO_FORMAT_S24_LE; /* packed, 3 bytes */
    case 32:
        return SPA_AUDIO_FORMAT_S32_LE;
    default:
        return SPA_AUDIO_FORMAT_UNKNOWN;
    }
}

static uint32_t spa_position(int speaker, uint32_t channels)
{
    static const uint32_t map[] = {
        SPA_AUDIO_CHANNEL_FL,  SPA_AUDIO_CHANNEL_FR,  SPA_AUDIO_CHANNEL_FC,
        SPA_AUDIO_CHANNEL_LFE, SPA_AUDIO_CHANNEL_RL,  SPA_AUDIO_CHANNEL_RR,
        SPA_AUDIO_CHANNEL_FLC, SPA_AUDIO_CHANNEL_FRC, SPA_AUDIO_CHANNEL_RC,
        SPA_AUDIO_CHANNEL_SL,  SPA_AUDIO_CHANNEL_SR,
    };
    if (speaker < 0 || (size_t)speaker >= sizeof(map) / sizeof(map[0]))
        return SPA_AUDIO_CHANNEL_UNKNOWN;
    if (channels == 1 && speaker == 2)
        return SPA_AUDIO_CHANNEL_MONO;
    return map[speaker];
}

/* node.latency for a period of ms at rate: the power of two nearest it; "" for none. */
static void latency_str(uint32_t ms, uint32_t rate, char *buf, size_t size)
{
    buf[0] = 0;
    if (!ms)
        return;
    uint32_t want = rate * ms / 1000, quantum = 32;
    while (quantum * 2 <= want + want / 2 && quantum < 8192)
        quantum *= 2;
    snprintf(buf, size, "%u/%u", quantum, rate);
}

static int pw_sink_open(struct vg_audio_sink *s, const struct vg_audio_format *fmt,
                        struct vg_audio_ring *ring)
{
    pw_sink_close(s);
    if (atomic_load(&s->dead))
        return -EPIPE; /* said when it happened; the player creates the sink again */
    struct spa_audio_info_raw info = {
        .format = spa_format(fmt->bits),
        .rate = fmt->rate,
        .channels = fmt->channels,
    };
    if (info.format == SPA_AUDIO_FORMAT_UNKNOWN || fmt->channels == 0 ||
        fmt->channels > VG_AUDIO_MAX_CHANNELS)
        return -EINVAL;
    int pos[VG_AUDIO_MAX_CHANNELS];
    vg_audio_positions(fmt, pos);
    for (uint32_t c = 0; c < fmt->channels; c++)
        info.position[c] = spa_position(pos[c], fmt->channels);

    /* The graph runs power-of-two quanta: ask for the one nearest the wanted period, if any. A
     * request lowers the quantum of the whole graph (every stream on the desktop), so it is
     * a modest one; without one the graph runs its default or what others ask for. */
    char latency[32];
    latency_str(s->quantum_ms, fmt->rate, latency, sizeof(latency));
    struct pw_properties *props = pw_properties_new(
        PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Playback", PW_KEY_MEDIA_ROLE,
        s->role, PW_KEY_NODE_NAME, "vgapt-audio", PW_KEY_NODE_DESCRIPTION, "vgapt guest audio",
        PW_KEY_MEDIA_NAME, "guest audio", PW_KEY_APP_NAME, "vgapt", PW_KEY_APP_ICON_NAME,
        "computer", "resample.disable", "false", NULL);
    if (!props)
        return -ENOMEM;
    if (latency[0])
        pw_properties_set(props, PW_KEY_NODE_LATENCY, latency);
    if (s->target[0])
        pw_properties_set(props, PW_KEY_TARGET_OBJECT, s->target);

    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *params[1];
    params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);

    s->ring = ring;
    s->stride = vg_audio_bytes_per_frame(fmt);
    s->rate = fmt->rate;
    s->last_ratio = 1.0;
    s->have_pos = false;
    s->skipped = 0;
    atomic_store(&s->position, NULL);
    atomic_store(&s->quantum, 0);
    pw_thread_loop_lock(s->loop);
    s->stream = pw_stream_new(s->core, "vgapt guest audio", props); /* takes props */
    int r = s->stream ? 0 : -errno;
    if (s->stream) {
        pw_stream_add_listener(s->stream, &s->stream_listener, &stream_events, s);
        r = pw_stream_connect(s->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                              PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                                  PW_STREAM_FLAG_RT_PROCESS,
                              params, 1);
    }
    if (r == 0) {
        /* The adaptive resampler from the first sample: a rate of exactly 1 leaves it out
         * (passthrough) until the first correction switches it in, which shifts the audio by
         * its filter's delay: a click. A rate 1e-7 off (inaudible) keeps it in. */
        float value = (float)START_RATE;
        pw_stream_set_control(s->stream, SPA_PROP_rate, 1, &value, 0);
        s->last_ratio = START_RATE;
    }
    if (r == 0 && s->link_timer) {
        struct timespec t = {.tv_sec = LINK_WAIT_S};
        pw_loop_update_timer(pw_thread_loop_get_loop(s->loop), s->link_timer, &t, NULL, false);
    }
    pw_thread_loop_unlock(s->loop);
    if (r < 0) {
        vg_warn("audio: cannot create a PipeWire stream: %s", strerror(-r));
        pw_sink_close(s);
        return r;
    }
    return 0;
}

static int pw_sink_set_rate(struct vg_audio_sink *s, double ratio)
{
    if (!s->stream)
        return -ENOTCONN;
    if (ratio == s->last_ratio)
        return 0;
    float value = (float)ratio;
    pw_thread_loop_lock(s->loop);
    int r = pw_stream_set_control(s->stream, SPA_PROP_rate, 1, &value, 0);
    pw_thread_loop_unlock(s->loop);
    if (r == 0)
        s->last_ratio = ratio;
    return r;
}

static int pw_sink_set_quantum(struct vg_audio_sink *s, uint32_t quantum_ms)
{
    s->quantum_ms = quantum_ms;
    if (!s->stream || !s->rate)
        return 0;
    char latency[32];
    latency_str(quantum_ms, s->rate, latency, sizeof(latency));
    /* An empty value lifts the request. */
    struct spa_dict_item items[] = {SPA_DICT_ITEM_INIT(PW_KEY_NODE_LATENCY, latency)};
    struct spa_dict dict = SPA_DICT_INIT(items, 1);
    pw_thread_loop_lock(s->loop);
    int r = pw_stream_update_properties(s->stream, &dict);
    pw_thread_loop_unlock(s->loop);
    return r < 0 ? r : 0;
}

static void pw_sink_query(struct vg_audio_sink *s, struct vg_audio_sink_state *out)
{
    memset(out, 0, sizeof(*out));
    out->alive = !atomic_load(&s->dead);
    out->streaming = atomic_load(&s->streaming);
    out->errors = atomic_load_explicit(&s->errors, memory_order_relaxed);
    if (!s->stream)
        return;
    uint64_t q = atomic_load_explicit(&s->quantum, memory_order_relaxed);
    uint32_t qrate = atomic_load_explicit(&s->quantum_rate, memory_order_relaxed);
    if (q && qrate)
        out->quantum_ms = (double)q * 1000.0 / qrate;
    struct pw_time t;
    if (pw_stream_get_time_n(s->stream, &t, sizeof(t)) == 0 && t.rate.denom) {
        out->delay_ms = (double)t.delay * 1000.0 * t.rate.num / t.rate.denom;
        if (s->rate)
            out->delay_ms += ((double)t.queued / s->stride + (double)t.buffered) * 1000.0 /
                             s->rate;
    }
    /* What the stream gives a cycle plays over the next at the earliest: a driver that
     * reports no delay of its own (a null sink) still has that one. */
    if (out->delay_ms < out->quantum_ms)
        out->delay_ms = out->quantum_ms;
}

static int pw_sink_acquire_rt(struct vg_audio_sink *s, int priority)
{
    /* Present when client-rt.conf's module-rt loaded: it could use rtkit or the rlimits. */
    struct spa_thread_utils *u = pw_context_get_object(s->context,
                                                       SPA_TYPE_INTERFACE_ThreadUtils);
    if (!u)
        return -ENOTSUP;
    return spa_thread_utils_acquire_rt(u, (struct spa_thread *)pthread_self(), priority);
}

const struct vg_audio_sink_ops vg_audio_sink_pipewire = {
    .name = "pipewire",
    .description = "native PipeWire stream",
    .create = pw_sink_create,
    .destroy = pw_sink_destroy,
    .open = pw_sink_open,
    .close = pw_sink_close,
    .set_rate = pw_sink_set_rate,
    .set_quantum = pw_sink_set_quantum,
    .query = pw_sink_query,
    .acquire_rt = pw_sink_acquire_rt,
};
