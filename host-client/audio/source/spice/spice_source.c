/* Source backend "spice": the chunks of a SPICE playback stream, from the PCM queue the SPICE
 * session's thread fills (audio_pcm_queue.h). This file decides when to look again: when the
 * next 20 ms chunk is due after the last one, as the Scream source does, so the player sees
 * each chunk within a millisecond of its arrival and the guest's clock through it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_pcm_queue.h"
#include "audio_source.h"
#include "vg/log.h"
#include "vg/time.h"

#define IDLE_POLL_NS (20 * VG_NS_PER_MS)   /* no stream: a start shows within a chunk */
#define EARLY_NS (1 * VG_NS_PER_MS)        /* wake this much before the chunk is due */
#define LATE_POLL_NS (1 * VG_NS_PER_MS)    /* a chunk is late: look this often... */
#define LATE_WINDOW_NS (10 * VG_NS_PER_MS) /* ...for this long, then */
#define STALL_POLL_NS (5 * VG_NS_PER_MS)   /* a stalled stream: this often */

struct vg_audio_source {
    struct vg_pcm_queue *q;
    uint64_t last_chunk_ns;
    uint32_t error_serial;
    char last_reason[256];
};

static struct vg_audio_source *spice_create(const struct vg_audio_source_args *a)
{
    if (!a->pcm) {
        vg_err("audio: --audio-source spice needs --spice URI (the VM's SPICE server)");
        return NULL;
    }
    struct vg_audio_source *s = calloc(1, sizeof(*s));
    if (!s) {
        vg_err("audio: out of memory");
        return NULL;
    }
    s->q = a->pcm;
    vg_pcm_queue_set_max_behind(s->q, a->max_behind);
    return s;
}

static void spice_destroy(struct vg_audio_source *s)
{
    free(s);
}

/* What the producer refused, logged here (a normal thread) once per new kind. */
static void log_refusals(struct vg_audio_source *s)
{
    char text[256];
    uint32_t serial = vg_pcm_queue_last_error(s->q, text, sizeof(text));
    if (serial == s->error_serial)
        return;
    s->error_serial = serial;
    struct vg_pcm_queue_counters n;
    vg_pcm_queue_counters(s->q, &n);
    vg_warn("audio: %s (so far %llu formats and %llu packets refused)", text,
            (unsigned long long)n.bad_formats, (unsigned long long)n.bad_packets);
}

static int spice_read(struct vg_audio_source *s, uint64_t now, void *dst, size_t cap,
                      struct vg_audio_read *out)
{
    log_refusals(s);
    uint64_t chunk_at = 0;
    int r = vg_pcm_queue_read(s->q, dst, cap, out, &chunk_at);
    if (r == VG_AUDIO_READ_FORMAT) {
        s->last_chunk_ns = now; /* the first chunk is a period away at most */
        s->last_reason[0] = 0;
        return r;
    }
    if (r == VG_AUDIO_READ_CHUNK) {
        s->last_chunk_ns = now;
        return r;
    }
    if (!out->active) {
        if (strcmp(out->reason, s->last_reason) != 0) {
            vg_info("audio: %s", out->reason);
            snprintf(s->last_reason, sizeof(s->last_reason), "%s", out->reason);
        }
        out->wake_ns = now + IDLE_POLL_NS;
        return r;
    }
    uint64_t due = s->last_chunk_ns + VG_PCM_CHUNK_MS * VG_NS_PER_MS - EARLY_NS;
    if (now < due)
        out->wake_ns = due;
    else if (now < due + LATE_WINDOW_NS)
        out->wake_ns = now + LATE_POLL_NS;
    else
        out->wake_ns = now + STALL_POLL_NS; /* paused: silence, not an error */
    return r;
}

const struct vg_audio_source_ops vg_audio_source_spice = {
    .name = "spice",
    .description = "SPICE playback channel (--spice)",
    .create = spice_create,
    .destroy = spice_destroy,
    .read = spice_read,
};
