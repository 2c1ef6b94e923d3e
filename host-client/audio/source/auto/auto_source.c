/* Source backend "auto": whichever source the guest uses. Scream while its ring is live (a
 * chunk within LIVE_NS), else the SPICE playback stream while one plays. The source not
 * playing is still read when it says to look, its chunks discarded, so that a switch starts
 * with its current format and no stale backlog; a switch reports that format as a restart. */
#include <stdlib.h>
#include <string.h>

#include "audio_source.h"
#include "vg/log.h"
#include "vg/time.h"

#define LIVE_NS (1 * VG_NS_PER_S)
#define MAX_DRAIN 64 /* reads of the idle source per look */
#define SCRATCH_BYTES (384000u / 50u * 4u * 8u)

enum { SCREAM = 0, SPICE, COUNT };

struct child {
    const struct vg_audio_source_ops *ops;
    struct vg_audio_source *src;
    struct vg_audio_read fmt; /* the last FORMAT it reported */
    bool have_fmt, active;
    uint64_t wake_ns, last_chunk_ns;
};

struct vg_audio_source {
    struct child c[COUNT];
    int cur;
    uint8_t *scratch;
};

static void auto_destroy(struct vg_audio_source *s)
{
    if (!s)
        return;
    for (int i = 0; i < COUNT; i++)
        if (s->c[i].src)
            s->c[i].ops->destroy(s->c[i].src);
    free(s->scratch);
    free(s);
}

static struct vg_audio_source *auto_create(const struct vg_audio_source_args *a)
{
    struct vg_audio_source *s = calloc(1, sizeof(*s));
    if (!s || !(s->scratch = malloc(SCRATCH_BYTES))) {
        vg_err("audio: out of memory");
        free(s);
        return NULL;
    }
    s->c[SCREAM].ops = &vg_audio_source_scream;
    s->c[SPICE].ops = &vg_audio_source_spice;
    s->c[SCREAM].src = vg_audio_source_scream.create(a);
    /* Without --spice there is Scream alone. */
    if (a->pcm)
        s->c[SPICE].src = vg_audio_source_spice.create(a);
    if (!s->c[SCREAM].src || (a->pcm && !s->c[SPICE].src)) {
        auto_destroy(s);
        return NULL;
    }
    return s;
}

/* Follows what a source reports, whoever read it. */
static void note(struct child *c, int r, const struct vg_audio_read *rd, uint64_t now)
{
    c->active = rd->active;
    if (r == VG_AUDIO_READ_FORMAT) {
        c->fmt = *rd;
        c->have_fmt = true;
        c->last_chunk_ns = now;
    } else if (r == VG_AUDIO_READ_CHUNK) {
        c->last_chunk_ns = now;
    } else {
        c->wake_ns = rd->wake_ns;
    }
}

static bool live(const struct child *c, uint64_t now)
{
    return c->src && c->have_fmt && c->active && c->last_chunk_ns &&
           now - c->last_chunk_ns < LIVE_NS;
}

/* The source not playing: read what it has, to nothing. */
static void drain(struct vg_audio_source *s, struct child *c, uint64_t now)
{
    if (!c->src || now < c->wake_ns)
        return;
    for (int i = 0; i < MAX_DRAIN; i++) {
        struct vg_audio_read rd;
        int r = c->ops->read(c->src, now, s->scratch, SCRATCH_BYTES, &rd);
        note(c, r, &rd, now);
        if (r == VG_AUDIO_READ_NONE)
            return;
    }
    c->wake_ns = now;
}

static int auto_read(struct vg_audio_source *s, uint64_t now, void *dst, size_t cap,
                     struct vg_audio_read *out)
{
    int other = s->cur == SCREAM ? SPICE : SCREAM;
    drain(s, &s->c[other], now);
    int want = s->cur;
    if (s->cur == SPICE && live(&s->c[SCREAM], now))
        want = SCREAM;
    else if (s->cur == SCREAM && !live(&s->c[SCREAM], now) && live(&s->c[SPICE], now))
        want = SPICE;
    if (want != s->cur) {
        s->cur = want;
        vg_info("audio: playing the guest's %s",
                want == SPICE ? "SPICE playback stream" : "Scream ring");
        *out = s->c[want].fmt;
        out->restarted = true;
        out->active = true;
        out->dropped_chunks = out->torn_chunks = 0;
        return VG_AUDIO_READ_FORMAT;
    }
    struct child *c = &s->c[s->cur];
    int r = c->ops->read(c->src, now, dst, cap, out);
    note(c, r, out, now);
    if (r == VG_AUDIO_READ_NONE) {
        struct child *o = &s->c[other];
        if (o->src && o->wake_ns < out->wake_ns)
            out->wake_ns = o->wake_ns;
    }
    return r;
}

const struct vg_audio_source_ops vg_audio_source_auto = {
    .name = "auto",
    .description = "Scream while its ring is live, else SPICE playback (--spice)",
    .create = auto_create,
    .destroy = auto_destroy,
    .read = auto_read,
};
