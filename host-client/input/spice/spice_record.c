#include "spice_record.h"

#include <stdio.h>
#include <stdlib.h>

#include "audio_pcm_queue.h"
#include "vg/log.h"
#include "vg/time.h"

/* How often the captured PCM is sent: well under a 20 ms chunk. */
#define DRAIN_MS 5
/* The guest's recording formats we feed; more channels than 2 is no microphone. */
#define MAX_CHANNELS 2

struct vg_spice_rec {
    SpiceRecordChannel *ch;
    char where[300];
    vg_spice_rec_fn fn;
    void *data;
    struct vg_pcm_queue *q;
    bool open;
    int channels, rate;
    guint timer;
    uint8_t buf[VG_PCM_MAX_CHUNK_BYTES];
};

static void set_open(struct vg_spice_rec *r, bool open, int channels, int rate)
{
    if (r->open == open && r->channels == channels && r->rate == rate)
        return;
    r->open = open;
    r->channels = channels;
    r->rate = rate;
    r->fn(r->data, open, channels, rate);
}

/* Sends every whole chunk the capture queued, in the guest's format; others are dropped. */
static gboolean drain(gpointer data)
{
    struct vg_spice_rec *r = data;
    if (!r->q || !r->open)
        return G_SOURCE_CONTINUE;
    for (int i = 0; i < 64; i++) {
        struct vg_audio_read rd;
        uint64_t at;
        int res = vg_pcm_queue_read(r->q, r->buf, sizeof(r->buf), &rd, &at);
        if (res == VG_AUDIO_READ_NONE)
            break;
        if (res != VG_AUDIO_READ_CHUNK)
            continue;
        if (rd.fmt.channels != (uint32_t)r->channels || rd.fmt.rate != (uint32_t)r->rate ||
            rd.fmt.bits != 16)
            continue;
        guint32 ms = (guint32)(vg_time_ns() / VG_NS_PER_MS);
        spice_record_channel_send_data(r->ch, r->buf, rd.len, ms);
    }
    return G_SOURCE_CONTINUE;
}

static void on_start(SpiceRecordChannel *ch, gint format, gint channels, gint freq, gpointer data)
{
    struct vg_spice_rec *r = data;
    struct vg_audio_format fmt;
    size_t chunk;
    char why[200] = "";
    if (format != SPICE_AUDIO_FMT_S16 || channels < 1 || channels > MAX_CHANNELS ||
        !vg_pcm_format_check(16, channels, freq, &fmt, &chunk, why, sizeof(why))) {
        vg_warn("SPICE %s: the guest records in a format we do not feed (format %d, %d ch, "
                "%d Hz%s%s): it gets no microphone",
                r->where, format, channels, freq,
                why[0] && format == SPICE_AUDIO_FMT_S16 ? ": " : "",
                format == SPICE_AUDIO_FMT_S16 ? why : "");
        set_open(r, false, 0, 0);
        return;
    }
    vg_debug("SPICE %s: the guest records %d ch %d Hz", r->where, channels, freq);
    set_open(r, true, channels, freq);
}

static void on_stop(SpiceRecordChannel *ch, gpointer data)
{
    struct vg_spice_rec *r = data;
    vg_debug("SPICE %s: the guest stopped recording", r->where);
    set_open(r, false, 0, 0);
}

static void on_event(SpiceChannel *ch, SpiceChannelEvent ev, gpointer data)
{
    if (ev >= SPICE_CHANNEL_CLOSED)
        set_open(data, false, 0, 0);
}

struct vg_spice_rec *vg_spice_rec_create(SpiceRecordChannel *ch, const char *where,
                                         vg_spice_rec_fn fn, void *data)
{
    struct vg_spice_rec *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->ch = SPICE_RECORD_CHANNEL(g_object_ref(ch));
    snprintf(r->where, sizeof(r->where), "%s", where);
    r->fn = fn;
    r->data = data;
    g_signal_connect(ch, "record-start", G_CALLBACK(on_start), r);
    g_signal_connect(ch, "record-stop", G_CALLBACK(on_stop), r);
    g_signal_connect(ch, "channel-event", G_CALLBACK(on_event), r);
    r->timer = g_timeout_add(DRAIN_MS, drain, r);
    return r;
}

void vg_spice_rec_destroy(struct vg_spice_rec *r)
{
    if (!r)
        return;
    if (r->timer)
        g_source_remove(r->timer);
    g_signal_handlers_disconnect_by_data(r->ch, r);
    set_open(r, false, 0, 0);
    g_object_unref(r->ch);
    free(r);
}

void vg_spice_rec_set_queue(struct vg_spice_rec *r, struct vg_pcm_queue *q)
{
    r->q = q;
}
