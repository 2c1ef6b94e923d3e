#include "audio_ring.h"

#include <stdlib.h>
#include <string.h>

bool vg_audio_ring_init(struct vg_audio_ring *r, size_t chunk_bytes, uint32_t bytes_per_frame,
                        uint32_t cap_chunks, uint32_t rate)
{
    memset(r, 0, sizeof(*r));
    size_t cap;
    if (!chunk_bytes || !bytes_per_frame || chunk_bytes % bytes_per_frame ||
        __builtin_mul_overflow(chunk_bytes, (size_t)cap_chunks, &cap) || cap == 0)
        return false;
    r->buf = calloc(1, cap);
    if (!r->buf)
        return false;
    r->cap = cap;
    r->chunk_bytes = chunk_bytes;
    r->bytes_per_frame = bytes_per_frame;
    r->rate = rate;
    atomic_init(&r->start_bytes, chunk_bytes);
    atomic_init(&r->window_bytes, cap);
    r->win_min = UINT64_MAX;
    return true;
}

void vg_audio_ring_finish(struct vg_audio_ring *r)
{
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

static uint64_t clamp_bytes(const struct vg_audio_ring *r, uint64_t frames)
{
    uint64_t b = frames * r->bytes_per_frame;
    return b > r->cap ? r->cap : b;
}

void vg_audio_ring_set_levels(struct vg_audio_ring *r, uint64_t start_frames,
                              uint64_t window_frames)
{
    atomic_store_explicit(&r->start_bytes, clamp_bytes(r, start_frames), memory_order_relaxed);
    uint64_t w = window_frames * r->bytes_per_frame;
    atomic_store_explicit(&r->window_bytes, w ? w : r->bytes_per_frame, memory_order_relaxed);
}

void vg_audio_ring_request_drop(struct vg_audio_ring *r, uint64_t n_frames)
{
    atomic_store_explicit(&r->drop_request, n_frames * r->bytes_per_frame,
                          memory_order_relaxed);
}

static void count(_Atomic uint64_t *c, uint64_t n)
{
    /* One writer per counter: a relaxed load + store is enough and never a locked op. */
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

void *vg_audio_ring_chunk_slot(struct vg_audio_ring *r)
{
    uint64_t w = atomic_load_explicit(&r->wpos, memory_order_relaxed);
    uint64_t rd = atomic_load_explicit(&r->rpos, memory_order_acquire);
    if (w - rd + r->chunk_bytes > r->cap)
        return NULL;
    return r->buf + (size_t)(w % r->cap);
}

void vg_audio_ring_count_full(struct vg_audio_ring *r)
{
    count(&r->full_chunks, 1);
}

void vg_audio_ring_commit(struct vg_audio_ring *r, uint64_t now_ns)
{
    atomic_store_explicit(&r->commit_ns, now_ns, memory_order_relaxed);
    uint64_t w = atomic_load_explicit(&r->wpos, memory_order_relaxed);
    atomic_store_explicit(&r->wpos, w + r->chunk_bytes, memory_order_release);
}

/* Drops up to n bytes of the oldest audio, never what this call of want bytes needs. */
static uint64_t drop_oldest(struct vg_audio_ring *r, uint64_t *rd, uint64_t *fill, size_t want,
                            uint64_t n)
{
    uint64_t keep = *fill < want ? *fill : want;
    if (n > *fill - keep)
        n = *fill - keep;
    n -= n % r->bytes_per_frame;
    *rd += n;
    *fill -= n;
    return n;
}

void vg_audio_ring_late(struct vg_audio_ring *r, uint64_t n_frames)
{
    if (!atomic_load_explicit(&r->playing, memory_order_relaxed) || !n_frames)
        return;
    count(&r->late_frames, n_frames);
    count(&r->stalls, 1);
}

uint32_t vg_audio_ring_consume(struct vg_audio_ring *r, void *dst, uint32_t n_frames,
                               uint64_t now_ns)
{
    uint8_t *out = dst;
    size_t want = (size_t)n_frames * r->bytes_per_frame;
    uint64_t rd = atomic_load_explicit(&r->rpos, memory_order_relaxed);
    uint64_t w = atomic_load_explicit(&r->wpos, memory_order_acquire);
    uint64_t fill = w - rd;
    bool playing = atomic_load_explicit(&r->playing, memory_order_relaxed);

    if (!playing) {
        /* The start level is the top of the chunks' sawtooth: the fill as a chunk comes in
         * (the player sets it half a chunk above the target). What played since the last chunk
         * came in comes off it, and this call on top: then the mean fill after the calls that
         * follow is the target, whatever the quantum (at 2048 frames a call takes two chunks'
         * worth, and when it comes in a chunk's period matters). */
        uint64_t start = atomic_load_explicit(&r->start_bytes, memory_order_relaxed);
        uint64_t at = atomic_load_explicit(&r->commit_ns, memory_order_relaxed);
        if (at && now_ns > at) {
            uint64_t since = (now_ns - at) / 1000 * r->rate / 1000000 * r->bytes_per_frame;
            start = since < start ? start - since : 0;
        }
        start += want;
        if (fill < start) {
            memset(out, 0, want);
            count(&r->silence_frames, n_frames);
            return 0;
        }
        /* Chunks arrive 20 ms at a time: start from the start level exactly, not from
         * wherever the last chunk left the fill. */
        uint64_t skip = (fill - start) - (fill - start) % r->bytes_per_frame;
        rd += skip;
        fill -= skip;
        count(&r->dropped_frames, skip / r->bytes_per_frame);
        atomic_store_explicit(&r->playing, true, memory_order_relaxed);
        r->win_played = 0;
        r->win_min = UINT64_MAX;
    }
    if (atomic_load_explicit(&r->drop_request, memory_order_relaxed)) {
        uint64_t req = atomic_exchange_explicit(&r->drop_request, 0, memory_order_relaxed);
        count(&r->dropped_frames, drop_oldest(r, &rd, &fill, want, req) / r->bytes_per_frame);
        count(&r->trims, 1);
    }
    size_t take = fill < want ? (size_t)fill : want;
    size_t pos = (size_t)(rd % r->cap);
    size_t first = take < r->cap - pos ? take : r->cap - pos;
    memcpy(out, r->buf + pos, first);
    memcpy(out + first, r->buf, take - first);
    if (take < want) {
        /* Underrun: silence, and wait for the start level again so that the next chunk does
         * not run dry at once (no crackle, no spiral). */
        memset(out + take, 0, want - take);
        count(&r->silence_frames, (want - take) / r->bytes_per_frame);
        count(&r->underruns, 1);
        atomic_store_explicit(&r->playing, false, memory_order_relaxed);
    }
    atomic_store_explicit(&r->rpos, rd + take, memory_order_release);
    count(&r->played_frames, take / r->bytes_per_frame);
    if (take == want) {
        uint64_t left = fill - take;
        count(&r->fill_sum, left / r->bytes_per_frame);
        count(&r->fill_n, 1);
        if (left == 0)
            count(&r->zero_fill_calls, 1);
        if (left < r->win_min)
            r->win_min = left;
        r->win_played += take;
        if (r->win_played >= atomic_load_explicit(&r->window_bytes, memory_order_relaxed)) {
            atomic_store_explicit(&r->window_min, r->win_min / r->bytes_per_frame,
                                  memory_order_relaxed);
            count(&r->windows, 1);
            r->win_played = 0;
            r->win_min = UINT64_MAX;
        }
    }
    return (uint32_t)(take / r->bytes_per_frame);
}

uint64_t vg_audio_ring_fill(struct vg_audio_ring *r)
{
    uint64_t rd = atomic_load_explicit(&r->rpos, memory_order_acquire);
    uint64_t w = atomic_load_explicit(&r->wpos, memory_order_acquire);
    return w >= rd ? (w - rd) / r->bytes_per_frame : 0;
}

bool vg_audio_ring_playing(struct vg_audio_ring *r)
{
    return atomic_load_explicit(&r->playing, memory_order_relaxed);
}

void vg_audio_ring_counters(struct vg_audio_ring *r, struct vg_audio_ring_counters *o)
{
#define LOAD(x) o->x = atomic_load_explicit(&r->x, memory_order_relaxed)
    LOAD(underruns);
    LOAD(silence_frames);
    LOAD(dropped_frames);
    LOAD(trims);
    LOAD(full_chunks);
    LOAD(played_frames);
    LOAD(fill_sum);
    LOAD(fill_n);
    LOAD(zero_fill_calls);
    LOAD(windows);
    LOAD(window_min);
    LOAD(late_frames);
    LOAD(stalls);
#undef LOAD
}
