/* Source backend "scream": the Scream driver's IVSHMEM ring, mapped read-only. The reader
 * (scream_reader.c) interprets it; this file maps the region, follows its re-creation and
 * decides when to look again: when the writer's next 20 ms chunk is due, not on a fixed poll. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_source.h"
#include "scream_reader.h"
#include "vg/log.h"
#include "vg/shm.h"
#include "vg/time.h"

#define MISSING_RETRY_NS (500 * VG_NS_PER_MS)  /* region absent: look again */
#define CLOSED_POLL_NS (20 * VG_NS_PER_MS)     /* no stream: the writer opens within a chunk */
#define INVALID_POLL_NS (100 * VG_NS_PER_MS)   /* a bad header: no spinning on it */
#define EARLY_NS (1 * VG_NS_PER_MS)            /* wake this much before the chunk is due */
#define LATE_POLL_NS (1 * VG_NS_PER_MS)        /* a chunk is late: look this often... */
#define LATE_WINDOW_NS (10 * VG_NS_PER_MS)     /* ...for this long, then */
#define STALL_POLL_NS (5 * VG_NS_PER_MS)       /* a stalled writer: this often */
#define RECHECK_NS (250 * VG_NS_PER_MS)        /* quiet region: has the file been replaced? */
#define REARM_NS (1 * VG_NS_PER_S)             /* a state is logged again after this long good */

struct vg_audio_source {
    char path[4096];
    uint32_t max_behind;
    struct vg_shm shm;
    bool mapped;
    struct vg_scream_reader reader;
    uint64_t next_map_ns;
    uint64_t last_chunk_ns; /* when the last chunk was seen */
    uint64_t last_check_ns;
    uint64_t period_ns;     /* the writer's chunk period (20 ms) */
    enum vg_scream_error last_error;
    char last_reason[4400];
    uint64_t good_since_ns; /* a stream is followed since (0: in a state logged by reason) */
};

static struct vg_audio_source *scream_create(const struct vg_audio_source_args *a)
{
    struct vg_audio_source *s = calloc(1, sizeof(*s));
    if (!s) {
        vg_err("audio: out of memory");
        return NULL;
    }
    snprintf(s->path, sizeof(s->path), "%s", a->path ? a->path : "");
    s->max_behind = a->max_behind;
    s->period_ns = VG_SCREAM_CHUNK_MS * VG_NS_PER_MS;
    s->last_error = VG_SCREAM_OK;
    return s;
}

static void unmap(struct vg_audio_source *s)
{
    if (s->mapped)
        vg_shm_unmap(&s->shm);
    s->mapped = false;
}

static void scream_destroy(struct vg_audio_source *s)
{
    if (!s)
        return;
    unmap(s);
    free(s);
}

static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* Logs a state once, when it changes. */
static void set_reason(struct vg_audio_source *s, struct vg_audio_read *out, const char *text)
{
    s->good_since_ns = 0;
    copy_str(out->reason, sizeof(out->reason), text);
    if (strcmp(text, s->last_reason) != 0) {
        vg_info("audio: %s", text);
        copy_str(s->last_reason, sizeof(s->last_reason), text);
    }
}

static bool map_region(struct vg_audio_source *s, uint64_t now, struct vg_audio_read *out)
{
    char err[512];
    int r = vg_shm_map(&s->shm, s->path, 0, VG_SCREAM_HEADER_SIZE, 0, err, sizeof(err));
    if (r < 0) {
        set_reason(s, out, err);
        s->next_map_ns = now + MISSING_RETRY_NS;
        return false;
    }
    s->mapped = true;
    s->last_check_ns = now;
    vg_scream_reader_init(&s->reader, s->shm.base, s->shm.size, s->max_behind);
    vg_debug("audio: mapped %s (%zu bytes)", s->path, s->shm.size);
    return true;
}

/* The file shrank under the mapping (seen by its size, or by a read past its new end that
 * vg/shm.h caught): say so, and map it again when it is sized again. */
static void report_shrunk(struct vg_audio_source *s, uint64_t now, struct vg_audio_read *out)
{
    size_t was = s->shm.size, size = 0;
    vg_shm_current_size(&s->shm, &size);
    unmap(s);
    char text[4400];
    snprintf(text, sizeof(text),
             "region shrank to %zu bytes (was %zu): %s was truncated while in use; waiting "
             "until it is sized again",
             size, was, s->path);
    set_reason(s, out, text);
    s->next_map_ns = now + RECHECK_NS;
    out->wake_ns = s->next_map_ns;
}

static bool shrank(struct vg_audio_source *s, uint64_t now, struct vg_audio_read *out)
{
    if (!vg_shm_lost(&s->shm))
        return false;
    report_shrunk(s, now, out);
    return true;
}

/* A stream is followed again. The state last logged is forgotten (so that it is logged when it
 * comes back) only once the stream has stayed good for REARM_NS: a guest that closes its stream
 * every few ms is told of once, not each time. */
static void stream_good(struct vg_audio_source *s, uint64_t now)
{
    if (!s->good_since_ns) {
        s->good_since_ns = now ? now : 1;
    } else if (now - s->good_since_ns >= REARM_NS) {
        s->last_error = VG_SCREAM_OK;
        s->last_reason[0] = 0;
    }
}

static void to_format(const struct vg_scream_layout *l, struct vg_audio_read *out)
{
    out->fmt.rate = l->rate;
    out->fmt.bits = l->bits;
    out->fmt.channels = l->channels;
    out->fmt.channel_map = l->channel_map;
    out->chunk_bytes = l->chunk_size;
}

static int scream_read(struct vg_audio_source *s, uint64_t now, void *dst, size_t cap,
                       struct vg_audio_read *out)
{
    memset(out, 0, sizeof(*out));
    if (!s->mapped) {
        if (now < s->next_map_ns || !map_region(s, now, out)) {
            out->wake_ns = s->next_map_ns;
            return VG_AUDIO_READ_NONE;
        }
    }
    if (shrank(s, now, out))
        return VG_AUDIO_READ_NONE;
    if (now - s->last_chunk_ns > RECHECK_NS && now - s->last_check_ns > RECHECK_NS) {
        s->last_check_ns = now;
        size_t size = 0;
        if (vg_shm_current_size(&s->shm, &size) == 0 && size < s->shm.size) {
            report_shrunk(s, now, out);
            return VG_AUDIO_READ_NONE;
        }
        if (vg_shm_replaced(&s->shm)) {
            vg_info("audio: %s was re-created; mapping it again", s->path);
            unmap(s);
            s->next_map_ns = now;
            out->wake_ns = now;
            return VG_AUDIO_READ_NONE;
        }
    }

    struct vg_scream_read_info info;
    enum vg_scream_read_status st = vg_scream_reader_next(&s->reader, dst, cap, &info);
    /* Truncated while we read: what was copied may be half zeros. */
    if (shrank(s, now, out))
        return VG_AUDIO_READ_NONE;
    out->dropped_chunks = info.dropped;
    out->torn_chunks = info.torn;
    switch (st) {
    case VG_SCREAM_READ_CHUNK:
        to_format(&info.layout, out);
        out->active = true;
        out->len = info.layout.chunk_size;
        s->last_chunk_ns = now;
        stream_good(s, now);
        return VG_AUDIO_READ_CHUNK;
    case VG_SCREAM_READ_FORMAT:
        to_format(&info.layout, out);
        out->active = true;
        out->restarted = info.restarted;
        stream_good(s, now);
        /* The first chunk is a period away at most. */
        s->last_chunk_ns = now;
        return VG_AUDIO_READ_FORMAT;
    case VG_SCREAM_READ_NONE: {
        out->active = true;
        if (info.torn) {
            out->wake_ns = now;
            return VG_AUDIO_READ_NONE;
        }
        uint64_t due = s->last_chunk_ns + s->period_ns - EARLY_NS;
        if (now < due)
            out->wake_ns = due;
        else if (now < due + LATE_WINDOW_NS)
            out->wake_ns = now + LATE_POLL_NS;
        else
            out->wake_ns = now + STALL_POLL_NS; /* stalled: silence, not an error */
        return VG_AUDIO_READ_NONE;
    }
    case VG_SCREAM_READ_CLOSED: {
        char text[4400];
        snprintf(text, sizeof(text), "waiting for guest audio: no stream open in %s (is the "
                 "Scream driver installed and a sound playing?)", s->path);
        set_reason(s, out, text);
        out->wake_ns = now + CLOSED_POLL_NS;
        return VG_AUDIO_READ_NONE;
    }
    case VG_SCREAM_READ_INVALID:
    default: {
        char text[4400];
        snprintf(text, sizeof(text), "ignoring the Scream ring in %s: invalid header (%s)",
                 s->path, vg_scream_error_str(info.error));
        if (info.error != s->last_error)
            s->last_reason[0] = 0;
        s->last_error = info.error;
        set_reason(s, out, text);
        out->wake_ns = now + INVALID_POLL_NS;
        return VG_AUDIO_READ_NONE;
    }
    }
}

const struct vg_audio_source_ops vg_audio_source_scream = {
    .name = "scream",
    .description = "Scream virtual audio driver, IVSHMEM ring",
    .create = scream_create,
    .destroy = scream_destroy,
    .read = scream_read,
};
