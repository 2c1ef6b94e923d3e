/* The PCM queue: a byte ring of whole 20 ms chunks plus the one being filled. See
 * audio_pcm_queue.h. */
#include "audio_pcm_queue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg/log.h"

enum stream_state {
    STOPPED = 0,
    STARTED, /* FORMAT not yet taken by the consumer */
    STREAMING,
};

struct vg_pcm_queue {
    pthread_mutex_t lock;
    uint32_t max_behind;
    enum stream_state state;
    bool had_stream; /* a stream came before this one: FORMAT says restarted */
    struct vg_audio_format fmt;
    size_t chunk_bytes, frame_bytes;
    uint8_t *buf;            /* (max_behind + 1) chunks */
    size_t cap, head, fill;  /* bytes; head is on a chunk boundary */
    uint64_t chunk_at_ns;    /* when the newest whole chunk was completed */
    uint32_t dropped_unread; /* dropped since the consumer's last read */
    struct vg_pcm_queue_counters n;
    char reason[256]; /* why no stream (for !active) */
    char error[256];
    uint32_t error_serial;
};

/* Windows speaker masks of the usual layouts (FL FR FC LFE BL BR FLC FRC BC SL SR). */
static const uint32_t default_masks[VG_AUDIO_MAX_CHANNELS + 1] = {
    0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x13f, 0x63f,
};

bool vg_pcm_format_check(int bits, int channels, int rate, struct vg_audio_format *fmt,
                         size_t *chunk_bytes, char *why, size_t why_size)
{
    if (bits != 16) {
        snprintf(why, why_size, "sample format of %d bits (only 16-bit PCM is played)", bits);
        return false;
    }
    if (channels < 1 || channels > (int)VG_AUDIO_MAX_CHANNELS) {
        snprintf(why, why_size, "%d channels (1 to %u are played)", channels,
                 VG_AUDIO_MAX_CHANNELS);
        return false;
    }
    if (rate < (int)VG_PCM_MIN_RATE || rate > (int)VG_PCM_MAX_RATE || rate % 50 != 0) {
        snprintf(why, why_size, "a rate of %d Hz (%u to %u Hz in steps of 50 are played)", rate,
                 VG_PCM_MIN_RATE, VG_PCM_MAX_RATE);
        return false;
    }
    *fmt = (struct vg_audio_format){.rate = (uint32_t)rate,
                                    .bits = 16,
                                    .channels = (uint32_t)channels,
                                    .channel_map = default_masks[channels]};
    *chunk_bytes = (size_t)rate / (1000u / VG_PCM_CHUNK_MS) * vg_audio_bytes_per_frame(fmt);
    return true;
}

struct vg_pcm_queue *vg_pcm_queue_create(uint32_t max_behind)
{
    struct vg_pcm_queue *q = calloc(1, sizeof(*q));
    if (!q) {
        vg_err("audio: out of memory");
        return NULL;
    }
    pthread_mutex_init(&q->lock, NULL);
    q->max_behind = max_behind ? max_behind : 1;
    snprintf(q->reason, sizeof(q->reason), "waiting for guest audio: no SPICE playback yet");
    return q;
}

void vg_pcm_queue_destroy(struct vg_pcm_queue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    free(q->buf);
    free(q);
}

void vg_pcm_queue_set_max_behind(struct vg_pcm_queue *q, uint32_t max_behind)
{
    pthread_mutex_lock(&q->lock);
    q->max_behind = max_behind ? max_behind : 1;
    pthread_mutex_unlock(&q->lock);
}

/* Lock held. */
static void refuse(struct vg_pcm_queue *q, const char *text)
{
    if (strcmp(text, q->error) != 0) {
        snprintf(q->error, sizeof(q->error), "%s", text);
        q->error_serial++;
    }
}

bool vg_pcm_queue_start(struct vg_pcm_queue *q, int bits, int channels, int rate)
{
    struct vg_audio_format fmt;
    size_t chunk = 0;
    char why[160];
    bool ok = vg_pcm_format_check(bits, channels, rate, &fmt, &chunk, why, sizeof(why));
    pthread_mutex_lock(&q->lock);
    uint32_t behind = q->max_behind;
    pthread_mutex_unlock(&q->lock);
    /* Allocated outside the lock; swapped in under it. */
    size_t cap = ok ? ((size_t)behind + 1) * chunk : 0;
    uint8_t *buf = ok ? malloc(cap) : NULL;
    uint8_t *old = NULL;
    pthread_mutex_lock(&q->lock);
    q->fill = q->head = 0;
    q->dropped_unread = 0;
    q->chunk_at_ns = 0;
    if (!ok || !buf) {
        char text[256];
        snprintf(text, sizeof(text), "ignoring the SPICE playback stream: %s",
                 buf || !ok ? why : "out of memory");
        refuse(q, text);
        snprintf(q->reason, sizeof(q->reason), "%s", text);
        q->n.bad_formats++;
        q->state = STOPPED;
        old = q->buf;
        q->buf = NULL;
        q->cap = 0;
        pthread_mutex_unlock(&q->lock);
        free(old);
        return false;
    }
    old = q->buf;
    q->buf = buf;
    q->cap = cap;
    q->fmt = fmt;
    q->chunk_bytes = chunk;
    q->frame_bytes = vg_audio_bytes_per_frame(&fmt);
    q->state = STARTED;
    q->n.starts++;
    pthread_mutex_unlock(&q->lock);
    free(old);
    return true;
}

/* Lock held: drops whole chunks from the head. */
static void drop_head(struct vg_pcm_queue *q, size_t bytes)
{
    q->head = (q->head + bytes) % q->cap;
    q->fill -= bytes;
}

bool vg_pcm_queue_push(struct vg_pcm_queue *q, const void *data, size_t size, uint64_t now_ns)
{
    pthread_mutex_lock(&q->lock);
    bool ok = false;
    char text[256];
    if (q->state == STOPPED) {
        snprintf(text, sizeof(text),
                 "SPICE playback: %zu bytes of audio outside a stream "
                 "(ignored)",
                 size);
        goto refused;
    }
    uint64_t max = (uint64_t)q->fmt.rate * q->frame_bytes * VG_PCM_MAX_PACKET_MS / 1000u;
    if (size == 0 || size % q->frame_bytes != 0 || size > max) {
        snprintf(text, sizeof(text),
                 "SPICE playback: a packet of %zu bytes is not a whole "
                 "number of %zu-byte frames up to %u ms (ignored)",
                 size, q->frame_bytes, VG_PCM_MAX_PACKET_MS);
        goto refused;
    }
    const uint8_t *src = data;
    /* What does not fit goes in whole chunks from the oldest, the packet's start included
     * when it alone is longer than the queue: the chunk boundaries stay where they were. */
    if (q->fill + size > q->cap) {
        size_t excess = q->fill + size - q->cap;
        size_t chunks = (excess + q->chunk_bytes - 1) / q->chunk_bytes;
        size_t bytes = chunks * q->chunk_bytes;
        size_t from_old = bytes < q->fill ? bytes : q->fill;
        size_t whole_old = q->fill / q->chunk_bytes;
        drop_head(q, from_old);
        if (bytes > from_old) {
            src += bytes - from_old;
            size -= bytes - from_old;
        }
        /* A partial chunk dropped with the old ones is not counted as a chunk. */
        uint64_t lost = chunks < whole_old ? chunks : whole_old;
        lost += bytes > from_old ? (bytes - from_old + q->chunk_bytes - 1) / q->chunk_bytes : 0;
        q->dropped_unread += (uint32_t)lost;
        q->n.dropped_chunks += lost;
    }
    size_t before = q->fill / q->chunk_bytes;
    size_t tail = (q->head + q->fill) % q->cap;
    size_t first = size < q->cap - tail ? size : q->cap - tail;
    memcpy(q->buf + tail, src, first);
    memcpy(q->buf, src + first, size - first);
    q->fill += size;
    if (q->fill / q->chunk_bytes > before)
        q->chunk_at_ns = now_ns;
    ok = true;
    pthread_mutex_unlock(&q->lock);
    return ok;
refused:
    q->n.bad_packets++;
    refuse(q, text);
    pthread_mutex_unlock(&q->lock);
    return ok;
}

static void stop_locked(struct vg_pcm_queue *q, const char *why)
{
    if (q->state != STOPPED)
        q->n.stops++;
    q->state = STOPPED;
    if (q->chunk_bytes)
        q->fill -= q->fill % q->chunk_bytes;
    snprintf(q->reason, sizeof(q->reason), "%s", why);
}

void vg_pcm_queue_stop(struct vg_pcm_queue *q)
{
    pthread_mutex_lock(&q->lock);
    stop_locked(q, "waiting for guest audio: the SPICE playback stream stopped");
    pthread_mutex_unlock(&q->lock);
}

void vg_pcm_queue_disconnected(struct vg_pcm_queue *q, const char *why)
{
    pthread_mutex_lock(&q->lock);
    stop_locked(q, why);
    pthread_mutex_unlock(&q->lock);
}

int vg_pcm_queue_read(struct vg_pcm_queue *q, void *dst, size_t cap, struct vg_audio_read *out,
                      uint64_t *chunk_at_ns)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&q->lock);
    int r = VG_AUDIO_READ_NONE;
    *chunk_at_ns = q->chunk_at_ns;
    out->dropped_chunks = q->dropped_unread;
    q->dropped_unread = 0;
    out->active = q->state != STOPPED;
    if (q->state == STARTED) {
        q->state = STREAMING;
        out->restarted = q->had_stream;
        q->had_stream = true;
        r = VG_AUDIO_READ_FORMAT;
    } else if (q->chunk_bytes && q->fill >= q->chunk_bytes) {
        if (cap < q->chunk_bytes) {
            r = VG_AUDIO_READ_FORMAT;
        } else {
            size_t first = q->cap - q->head;
            if (first > q->chunk_bytes)
                first = q->chunk_bytes;
            memcpy(dst, q->buf + q->head, first);
            memcpy((uint8_t *)dst + first, q->buf, q->chunk_bytes - first);
            drop_head(q, q->chunk_bytes);
            out->len = q->chunk_bytes;
            out->active = true; /* chunks queued before a stop still play */
            r = VG_AUDIO_READ_CHUNK;
        }
    } else if (!out->active) {
        snprintf(out->reason, sizeof(out->reason), "%s", q->reason);
    }
    if (r != VG_AUDIO_READ_NONE) {
        out->fmt = q->fmt;
        out->chunk_bytes = q->chunk_bytes;
    }
    pthread_mutex_unlock(&q->lock);
    return r;
}

void vg_pcm_queue_counters(struct vg_pcm_queue *q, struct vg_pcm_queue_counters *out)
{
    pthread_mutex_lock(&q->lock);
    *out = q->n;
    pthread_mutex_unlock(&q->lock);
}

uint32_t vg_pcm_queue_last_error(struct vg_pcm_queue *q, char *buf, size_t size)
{
    pthread_mutex_lock(&q->lock);
    snprintf(buf, size, "%s", q->error);
    uint32_t s = q->error_serial;
    pthread_mutex_unlock(&q->lock);
    return s;
}
