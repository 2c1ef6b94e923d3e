/* The SPICE backend: a spice-glib session whose inputs channel takes our keys and mouse, and
 * whose playback channel, when set_audio gave a PCM queue, feeds the guest's audio to the
 * player (the "spice" audio source) without spice-gtk's own audio output.
 * spice-glib is not thread-safe and runs its channels as coroutines on GLib's global default
 * main context, so a thread of ours runs that context's loop: it creates the session, and every
 * call from the client is queued to it as an idle source (which keeps their order). */
#include "input.h"

#include <spice-client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_pcm_queue.h"
#include "clipboard.h"
#include "spice_clipboard.h"
#include "spice_record.h"
#include "vg/log.h"
#include "vg/time.h"

/* How long destroy waits for the channels to close before leaving the loop. */
#define CLOSE_TIMEOUT_MS 1000

enum msg_kind {
    MSG_KEY_PRESS,
    MSG_KEY_RELEASE,
    MSG_POSITION,
    MSG_MOTION,
    MSG_BUTTON_PRESS,
    MSG_BUTTON_RELEASE,
    MSG_MOUSE_MODE,
    MSG_AUDIO,
    MSG_CLIPBOARD,
    MSG_CLIPBOARD_CHANGED,
    MSG_MIC,
    MSG_STOP,
};

struct vg_input;

struct msg {
    struct vg_input *in;
    enum msg_kind kind;
    int32_t a, b;
    uint32_t buttons;
    void *ptr;
};

struct vg_input {
    struct vg_input_addr addr;
    char where[300]; /* the address, for messages */
    GMainLoop *loop;
    GThread *thread;

    /* Loop thread only. */
    SpiceSession *session;
    SpiceMainChannel *main;
    SpiceInputsChannel *inputs;
    SpicePlaybackChannel *playback;
    struct vg_pcm_queue *pcm; /* [optional] where the playback stream goes */
    /* The guest's recording device, our side of it, and the host's microphone for it. */
    SpiceRecordChannel *record;
    struct vg_spice_rec *rec;
    struct vg_pcm_queue *mic;    /* [optional] */
    struct vg_clipboard *clip;   /* [optional] the clipboard exchange (set_clipboard) */
    struct vg_spice_clip *sclip; /* its side on the main channel */
    bool inputs_open;
    bool stopping;
    guint stop_timer;

    /* Shared: the status the client polls. */
    GMutex lock;
    struct vg_input_status status;
};

static void set_status(struct vg_input *in, enum vg_input_state state, const char *message)
{
    g_mutex_lock(&in->lock);
    if (in->status.state != state || (message && strcmp(message, in->status.message) != 0)) {
        in->status.state = state;
        snprintf(in->status.message, sizeof(in->status.message), "%s", message ? message : "");
        in->status.serial++;
    }
    g_mutex_unlock(&in->lock);
}

static void set_mouse_mode(struct vg_input *in, enum vg_input_mouse_mode mode)
{
    g_mutex_lock(&in->lock);
    if (in->status.mouse_mode != mode) {
        in->status.mouse_mode = mode;
        in->status.serial++;
    }
    g_mutex_unlock(&in->lock);
}

static const char *event_words(SpiceChannelEvent ev)
{
    switch (ev) {
    case SPICE_CHANNEL_ERROR_CONNECT:
        return "cannot connect";
    case SPICE_CHANNEL_ERROR_TLS:
        return "TLS error";
    case SPICE_CHANNEL_ERROR_LINK:
        return "the server refused the link";
    case SPICE_CHANNEL_ERROR_AUTH:
        return "authentication failed (vgapt-client has no password support yet: give the VM "
               "disable-ticketing=on, or libvirt <graphics type='spice'> no passwd)";
    case SPICE_CHANNEL_ERROR_IO:
        return "connection lost";
    case SPICE_CHANNEL_CLOSED:
        return "the server closed the connection";
    default:
        return "channel error";
    }
}

/* A channel failed or closed: input is off from now on (the video goes on). */
static void channel_failed(struct vg_input *in, SpiceChannel *channel, SpiceChannelEvent ev)
{
    if (in->stopping)
        return;
    const GError *err = spice_channel_get_error(channel);
    char msg[1024];
    snprintf(msg, sizeof(msg), "SPICE %s: %s%s%s%s", in->where, event_words(ev), err ? " (" : "",
             err ? err->message : "", err ? ")" : "");
    if (ev == SPICE_CHANNEL_ERROR_CONNECT && in->addr.kind == VG_INPUT_ADDR_FD)
        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
                 ": does the domain run with <graphics type='spice'>?");
    else if (ev == SPICE_CHANNEL_ERROR_CONNECT && in->addr.kind == VG_INPUT_ADDR_UNIX)
        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
                 ": is the VM running with -spice unix=on,addr=%s?", in->addr.path);
    else if (ev == SPICE_CHANNEL_ERROR_CONNECT)
        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
                 ": is the VM running with a SPICE server on that port?");
    /* The client logs it: it retries, and says so once. */
    set_status(in, VG_INPUT_FAILED, msg);
}

static void on_main_event(SpiceChannel *channel, SpiceChannelEvent ev, gpointer data)
{
    if (ev >= SPICE_CHANNEL_CLOSED)
        channel_failed(data, channel, ev);
}

static void on_inputs_event(SpiceChannel *channel, SpiceChannelEvent ev, gpointer data)
{
    struct vg_input *in = data;
    if (ev == SPICE_CHANNEL_OPENED) {
        in->inputs_open = true;
        if (in->addr.audio_only)
            vg_info("SPICE %s: connected for the guest's audio", in->where);
        else
            vg_info("SPICE %s: keyboard and mouse connected", in->where);
        set_status(in, VG_INPUT_READY, NULL);
    } else if (ev >= SPICE_CHANNEL_CLOSED) {
        in->inputs_open = false;
        channel_failed(in, channel, ev);
    }
}

static void on_mouse_mode(GObject *obj, GParamSpec *pspec, gpointer data)
{
    struct vg_input *in = data;
    int mode = 0;
    g_object_get(obj, "mouse-mode", &mode, NULL);
    vg_debug("SPICE mouse mode %s", mode == SPICE_MOUSE_MODE_CLIENT ? "client" : "server");
    set_mouse_mode(in,
                   mode == SPICE_MOUSE_MODE_CLIENT ? VG_INPUT_MOUSE_CLIENT : VG_INPUT_MOUSE_SERVER);
}

/* Our hold on a channel whose signals we take: dropped with our handlers, so that a channel
 * spice-glib keeps alive a little longer never calls into a freed backend. */
static void forget_channel(struct vg_input *in, gpointer channel)
{
    g_signal_handlers_disconnect_by_data(channel, in);
    g_object_unref(channel);
}

static void forget_main(struct vg_input *in)
{
    vg_spice_clip_destroy(in->sclip);
    in->sclip = NULL;
    forget_channel(in, in->main);
}

static void on_playback_start(SpicePlaybackChannel *ch, gint format, gint channels, gint freq,
                              gpointer data)
{
    struct vg_input *in = data;
    if (!in->pcm)
        return;
    /* Any other sample format reads as an invalid bit depth, refused by the queue. */
    int bits = format == SPICE_AUDIO_FMT_S16 ? 16 : -format;
    if (vg_pcm_queue_start(in->pcm, bits, channels, freq))
        vg_debug("SPICE %s: playback %d ch %d Hz", in->where, channels, freq);
}

static void on_playback_data(SpicePlaybackChannel *ch, gpointer pcm, gint size, gpointer data)
{
    struct vg_input *in = data;
    if (in->pcm && size >= 0 && (pcm || size == 0))
        vg_pcm_queue_push(in->pcm, pcm, (size_t)size, vg_time_ns());
}

static void on_playback_stop(SpicePlaybackChannel *ch, gpointer data)
{
    struct vg_input *in = data;
    if (in->pcm)
        vg_pcm_queue_stop(in->pcm);
}

static void playback_gone(struct vg_input *in)
{
    if (in->pcm)
        vg_pcm_queue_disconnected(in->pcm, "waiting for guest audio: the SPICE connection "
                                           "ended");
}

static void on_playback_event(SpiceChannel *channel, SpiceChannelEvent ev, gpointer data)
{
    if (ev >= SPICE_CHANNEL_CLOSED)
        playback_gone(data);
}

/* VG_INPUT_ADDR_FD: each channel asks for a socket of its own when it connects. */
static void on_open_fd(SpiceChannel *channel, gint with_tls, gpointer data)
{
    struct vg_input *in = data;
    int fd = in->addr.open_fd(in->addr.open_fd_ctx);
    if (fd < 0 || !spice_channel_open_fd(channel, fd)) {
        char msg[512];
        snprintf(msg, sizeof(msg), "SPICE %s: no connection for a channel (see the log)",
                 in->where);
        set_status(in, VG_INPUT_FAILED, msg);
    }
}

/* The record channel's state, for the client's --mic policy. */
static void on_record(void *data, bool open, int channels, int rate)
{
    struct vg_input *in = data;
    g_mutex_lock(&in->lock);
    in->status.record_channels = open ? (uint32_t)channels : 0;
    in->status.record_rate = open ? (uint32_t)rate : 0;
    in->status.serial++;
    g_mutex_unlock(&in->lock);
}

static void forget_record(struct vg_input *in)
{
    vg_spice_rec_destroy(in->rec);
    in->rec = NULL;
    if (in->record)
        g_object_unref(in->record);
    in->record = NULL;
}

static void on_channel_new(SpiceSession *s, SpiceChannel *channel, gpointer data)
{
    struct vg_input *in = data;
    if (in->addr.kind == VG_INPUT_ADDR_FD)
        g_signal_connect(channel, "open-fd", G_CALLBACK(on_open_fd), in);
    if (SPICE_IS_PLAYBACK_CHANNEL(channel)) {
        if (in->playback)
            forget_channel(in, in->playback);
        in->playback = SPICE_PLAYBACK_CHANNEL(g_object_ref(channel));
        g_signal_connect(channel, "playback-start", G_CALLBACK(on_playback_start), in);
        g_signal_connect(channel, "playback-data", G_CALLBACK(on_playback_data), in);
        g_signal_connect(channel, "playback-stop", G_CALLBACK(on_playback_stop), in);
        g_signal_connect(channel, "channel-event", G_CALLBACK(on_playback_event), in);
    }
    if (SPICE_IS_RECORD_CHANNEL(channel)) {
        forget_record(in);
        in->record = SPICE_RECORD_CHANNEL(g_object_ref(channel));
        in->rec = vg_spice_rec_create(in->record, in->where, on_record, in);
        if (in->rec)
            vg_spice_rec_set_queue(in->rec, in->mic);
    }
    if (SPICE_IS_MAIN_CHANNEL(channel)) {
        /* The session connects the main channel itself. */
        if (in->main)
            forget_main(in);
        in->main = SPICE_MAIN_CHANNEL(g_object_ref(channel));
        if (in->clip)
            in->sclip = vg_spice_clip_create(in->main, in->clip, in->where);
        g_signal_connect(channel, "channel-event", G_CALLBACK(on_main_event), in);
        g_signal_connect(channel, "notify::mouse-mode", G_CALLBACK(on_mouse_mode), in);
        return;
    }
    if (SPICE_IS_INPUTS_CHANNEL(channel)) {
        if (in->inputs)
            forget_channel(in, in->inputs);
        in->inputs = SPICE_INPUTS_CHANNEL(g_object_ref(channel));
        g_signal_connect(channel, "channel-event", G_CALLBACK(on_inputs_event), in);
    }
    /* Every channel the server offers: QEMU allows the client (absolute) mouse mode only while
     * a display channel is connected. */
    spice_channel_connect(channel);
}

static void on_channel_destroy(SpiceSession *s, SpiceChannel *channel, gpointer data)
{
    struct vg_input *in = data;
    g_signal_handlers_disconnect_by_func(channel, G_CALLBACK(on_open_fd), in);
    if ((gpointer)channel == (gpointer)in->main) {
        forget_main(in);
        in->main = NULL;
    }
    if ((gpointer)channel == (gpointer)in->inputs) {
        forget_channel(in, in->inputs);
        in->inputs = NULL;
        in->inputs_open = false;
    }
    if ((gpointer)channel == (gpointer)in->playback) {
        forget_channel(in, in->playback);
        in->playback = NULL;
        playback_gone(in);
    }
    if ((gpointer)channel == (gpointer)in->record)
        forget_record(in);
}

static gboolean quit_loop(gpointer data)
{
    struct vg_input *in = data;
    in->stop_timer = 0;
    g_main_loop_quit(in->loop);
    return G_SOURCE_REMOVE;
}

static void on_disconnected(SpiceSession *s, gpointer data)
{
    struct vg_input *in = data;
    if (in->stopping) {
        if (in->stop_timer)
            g_source_remove(in->stop_timer);
        quit_loop(in);
    }
}

static gboolean start_session(gpointer data)
{
    struct vg_input *in = data;
    in->session = spice_session_new();
    if (in->addr.kind == VG_INPUT_ADDR_FD) {
        /* No address: the sockets come from open_fd. */
    } else if (in->addr.kind == VG_INPUT_ADDR_UNIX) {
        g_object_set(in->session, "unix-path", in->addr.path, NULL);
    } else {
        char port[8];
        snprintf(port, sizeof(port), "%u", in->addr.port);
        g_object_set(in->session, "host", in->addr.host, "port", port, NULL);
    }
    g_object_set(in->session, "enable-usbredir", FALSE, NULL);
    g_signal_connect(in->session, "channel-new", G_CALLBACK(on_channel_new), in);
    g_signal_connect(in->session, "channel-destroy", G_CALLBACK(on_channel_destroy), in);
    g_signal_connect(in->session, "disconnected", G_CALLBACK(on_disconnected), in);
    bool started;
    if (in->addr.kind == VG_INPUT_ADDR_FD) {
        /* The main channel's socket now; the session asks for the others (on_open_fd). */
        int fd = in->addr.open_fd(in->addr.open_fd_ctx);
        started = fd >= 0 && spice_session_open_fd(in->session, fd);
    } else {
        started = spice_session_connect(in->session);
    }
    if (!started) {
        char msg[1024];
        snprintf(msg, sizeof(msg), "SPICE %s: cannot start the connection%s", in->where,
                 in->addr.kind == VG_INPUT_ADDR_FD ? " (see the log)" : "");
        set_status(in, VG_INPUT_FAILED, msg);
    }
    return G_SOURCE_REMOVE;
}

static void run_msg(struct msg *m)
{
    struct vg_input *in = m->in;
    if (m->kind == MSG_STOP) {
        in->stopping = true;
        if (in->session) {
            /* "disconnected" follows once every channel is gone. */
            in->stop_timer = g_timeout_add(CLOSE_TIMEOUT_MS, quit_loop, in);
            spice_session_disconnect(in->session);
        } else {
            g_main_loop_quit(in->loop);
        }
        return;
    }
    if (m->kind == MSG_AUDIO) {
        if (in->pcm && in->pcm != m->ptr)
            playback_gone(in);
        in->pcm = m->ptr;
        return;
    }
    if (m->kind == MSG_CLIPBOARD) {
        vg_spice_clip_destroy(in->sclip);
        in->sclip = NULL;
        in->clip = m->ptr;
        if (in->clip && in->main && !in->stopping)
            in->sclip = vg_spice_clip_create(in->main, in->clip, in->where);
        return;
    }
    if (m->kind == MSG_MIC) {
        in->mic = m->ptr;
        if (in->rec)
            vg_spice_rec_set_queue(in->rec, in->mic);
        return;
    }
    if (m->kind == MSG_CLIPBOARD_CHANGED) {
        if (!in->stopping)
            vg_spice_clip_host_changed(in->sclip);
        return;
    }
    if (m->kind == MSG_MOUSE_MODE) {
        if (in->main && !in->stopping)
            spice_main_channel_request_mouse_mode(in->main, m->a == VG_INPUT_MOUSE_CLIENT
                                                                ? SPICE_MOUSE_MODE_CLIENT
                                                                : SPICE_MOUSE_MODE_SERVER);
        return;
    }
    if (!in->inputs || !in->inputs_open || in->stopping)
        return;
    SpiceInputsChannel *ch = in->inputs;
    switch (m->kind) {
    case MSG_KEY_PRESS:
        spice_inputs_channel_key_press(ch, (guint)m->a);
        break;
    case MSG_KEY_RELEASE:
        spice_inputs_channel_key_release(ch, (guint)m->a);
        break;
    case MSG_POSITION:
        spice_inputs_channel_position(ch, m->a, m->b, 0, (gint)m->buttons);
        break;
    case MSG_MOTION:
        spice_inputs_channel_motion(ch, m->a, m->b, (gint)m->buttons);
        break;
    case MSG_BUTTON_PRESS:
        spice_inputs_channel_button_press(ch, m->a, (gint)m->buttons);
        break;
    case MSG_BUTTON_RELEASE:
        spice_inputs_channel_button_release(ch, m->a, (gint)m->buttons);
        break;
    default:
        break;
    }
}

static gboolean dispatch_msg(gpointer data)
{
    run_msg(data);
    return G_SOURCE_REMOVE;
}

/* Queues work for the loop thread. An idle source rather than g_main_context_invoke: the
 * latter runs the function right here when this thread can acquire the context (before the
 * loop thread first does), and spice-glib must stay on one thread. */
static void post_msg(const struct msg *tmpl)
{
    struct msg *m = g_new(struct msg, 1);
    *m = *tmpl;
    GSource *src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, dispatch_msg, m, g_free);
    g_source_attach(src, NULL);
    g_source_unref(src);
}

static void post(struct vg_input *in, enum msg_kind kind, int32_t a, int32_t b, uint32_t buttons)
{
    post_msg(&(struct msg){.in = in, .kind = kind, .a = a, .b = b, .buttons = buttons});
}

static gpointer loop_thread(gpointer data)
{
    struct vg_input *in = data;
    g_main_loop_run(in->loop);
    if (in->main)
        forget_main(in);
    if (in->inputs)
        forget_channel(in, in->inputs);
    if (in->playback)
        forget_channel(in, in->playback);
    playback_gone(in);
    forget_record(in);
    in->main = NULL;
    in->inputs = NULL;
    in->playback = NULL;
    if (in->session) {
        g_signal_handlers_disconnect_by_data(in->session, in);
        g_object_unref(in->session);
        in->session = NULL;
    }
    /* Let the closing channels' last sources run. */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    return NULL;
}

static struct vg_input *spice_create(const struct vg_input_addr *addr)
{
    if (addr->kind == VG_INPUT_ADDR_NONE || (addr->kind == VG_INPUT_ADDR_FD && !addr->open_fd))
        return NULL;
    struct vg_input *in = calloc(1, sizeof(*in));
    if (!in)
        return NULL;
    in->addr = *addr;
    if (addr->kind == VG_INPUT_ADDR_FD)
        snprintf(in->where, sizeof(in->where), "%s", addr->host);
    else if (addr->kind == VG_INPUT_ADDR_UNIX)
        snprintf(in->where, sizeof(in->where), "unix:%s", addr->path);
    else
        snprintf(in->where, sizeof(in->where), "%s:%u", addr->host, addr->port);
    g_mutex_init(&in->lock);
    in->status.state = VG_INPUT_CONNECTING;
    in->loop = g_main_loop_new(NULL, FALSE);
    /* Queued before the thread starts, so the session is created on it. */
    GSource *src = g_idle_source_new();
    g_source_set_callback(src, start_session, in, NULL);
    g_source_attach(src, NULL);
    GError *err = NULL;
    in->thread = g_thread_try_new("vg-spice", loop_thread, in, &err);
    if (!in->thread)
        g_source_destroy(src);
    g_source_unref(src);
    if (!in->thread) {
        vg_err("SPICE: cannot start its thread: %s", err ? err->message : "unknown error");
        g_clear_error(&err);
        g_main_loop_unref(in->loop);
        g_mutex_clear(&in->lock);
        free(in);
        return NULL;
    }
    vg_debug("SPICE %s: connecting", in->where);
    return in;
}

static void spice_destroy(struct vg_input *in)
{
    if (!in)
        return;
    post(in, MSG_STOP, 0, 0, 0);
    g_thread_join(in->thread);
    g_main_loop_unref(in->loop);
    g_mutex_clear(&in->lock);
    free(in);
}

static void spice_poll_status(struct vg_input *in, struct vg_input_status *st)
{
    g_mutex_lock(&in->lock);
    *st = in->status;
    g_mutex_unlock(&in->lock);
}

static void spice_key_press(struct vg_input *in, uint32_t scancode)
{
    post(in, MSG_KEY_PRESS, (int32_t)scancode, 0, 0);
}

static void spice_key_release(struct vg_input *in, uint32_t scancode)
{
    post(in, MSG_KEY_RELEASE, (int32_t)scancode, 0, 0);
}

static void spice_mouse_position(struct vg_input *in, int32_t x, int32_t y, uint32_t buttons)
{
    post(in, MSG_POSITION, x, y, buttons);
}

static void spice_mouse_motion(struct vg_input *in, int32_t dx, int32_t dy, uint32_t buttons)
{
    post(in, MSG_MOTION, dx, dy, buttons);
}

/* Our button numbers and masks are SPICE's. */
_Static_assert((int)VG_INPUT_BUTTON_LEFT == (int)SPICE_MOUSE_BUTTON_LEFT &&
                   (int)VG_INPUT_BUTTON_WHEEL_UP == (int)SPICE_MOUSE_BUTTON_UP &&
                   (int)VG_INPUT_BUTTON_EXTRA == (int)SPICE_MOUSE_BUTTON_EXTRA,
               "button numbers");
_Static_assert(VG_INPUT_BUTTON_MASK(VG_INPUT_BUTTON_SIDE) == SPICE_MOUSE_BUTTON_MASK_SIDE &&
                   VG_INPUT_BUTTON_MASK(VG_INPUT_BUTTON_WHEEL_DOWN) == SPICE_MOUSE_BUTTON_MASK_DOWN,
               "button masks");

static void spice_button_press(struct vg_input *in, enum vg_input_button b, uint32_t buttons)
{
    post(in, MSG_BUTTON_PRESS, (int32_t)b, 0, buttons);
}

static void spice_button_release(struct vg_input *in, enum vg_input_button b, uint32_t buttons)
{
    post(in, MSG_BUTTON_RELEASE, (int32_t)b, 0, buttons);
}

static void spice_request_mouse_mode(struct vg_input *in, enum vg_input_mouse_mode mode)
{
    post(in, MSG_MOUSE_MODE, (int32_t)mode, 0, 0);
}

static void spice_set_audio(struct vg_input *in, struct vg_pcm_queue *q)
{
    post_msg(&(struct msg){.in = in, .kind = MSG_AUDIO, .ptr = q});
}

static void spice_set_mic(struct vg_input *in, struct vg_pcm_queue *q)
{
    post_msg(&(struct msg){.in = in, .kind = MSG_MIC, .ptr = q});
}

static void spice_set_clipboard(struct vg_input *in, struct vg_clipboard *cb)
{
    post_msg(&(struct msg){.in = in, .kind = MSG_CLIPBOARD, .ptr = cb});
}

static void spice_clipboard_changed(struct vg_input *in)
{
    post(in, MSG_CLIPBOARD_CHANGED, 0, 0, 0);
}

const struct vg_input_ops vg_input_spice = {
    .name = "spice",
    .create = spice_create,
    .destroy = spice_destroy,
    .poll_status = spice_poll_status,
    .key_press = spice_key_press,
    .key_release = spice_key_release,
    .mouse_position = spice_mouse_position,
    .mouse_motion = spice_mouse_motion,
    .button_press = spice_button_press,
    .button_release = spice_button_release,
    .request_mouse_mode = spice_request_mouse_mode,
    .set_audio = spice_set_audio,
    .set_mic = spice_set_mic,
    .set_clipboard = spice_set_clipboard,
    .clipboard_changed = spice_clipboard_changed,
};
