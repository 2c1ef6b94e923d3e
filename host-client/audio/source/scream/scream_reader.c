#include "scream_reader.h"

#include <string.h>

void vg_scream_reader_init(struct vg_scream_reader *r, const void *base, size_t size,
                           uint32_t max_behind)
{
    memset(r, 0, sizeof(*r));
    r->base = base;
    r->size = size;
    r->max_behind = max_behind ? max_behind : 1;
}

void vg_scream_reader_reset(struct vg_scream_reader *r)
{
    r->have = false;
}

/* The writer stores magic last when it opens a stream and write_idx after each chunk, both
 * with plain x86 stores (release order); every field is loaded once, atomically. */
static bool snapshot(const struct vg_scream_reader *r, struct vg_scream_header *h)
{
    memset(h, 0, sizeof(*h));
    if (r->size < sizeof(*h))
        return false;
    const struct vg_scream_header *g = (const struct vg_scream_header *)(const void *)r->base;
    h->magic = __atomic_load_n(&g->magic, __ATOMIC_ACQUIRE);
    h->offset = __atomic_load_n(&g->offset, __ATOMIC_RELAXED);
    h->max_chunks = __atomic_load_n(&g->max_chunks, __ATOMIC_RELAXED);
    h->chunk_size = __atomic_load_n(&g->chunk_size, __ATOMIC_RELAXED);
    h->sample_rate = __atomic_load_n(&g->sample_rate, __ATOMIC_RELAXED);
    h->sample_size = __atomic_load_n(&g->sample_size, __ATOMIC_RELAXED);
    h->channels = __atomic_load_n(&g->channels, __ATOMIC_RELAXED);
    h->channel_map = __atomic_load_n(&g->channel_map, __ATOMIC_RELAXED);
    h->write_idx = __atomic_load_n(&g->write_idx, __ATOMIC_ACQUIRE);
    return true;
}

static bool same_stream(const struct vg_scream_layout *a, const struct vg_scream_layout *b)
{
    return a->rate == b->rate && a->bits == b->bits && a->channels == b->channels &&
           a->channel_map == b->channel_map && a->chunk_size == b->chunk_size &&
           a->offset == b->offset && a->max_chunks == b->max_chunks;
}

enum vg_scream_read_status vg_scream_reader_next(struct vg_scream_reader *r, void *dst,
                                                 size_t cap, struct vg_scream_read_info *info)
{
    memset(info, 0, sizeof(*info));
    struct vg_scream_header h;
    if (!snapshot(r, &h)) {
        info->error = VG_SCREAM_ERR_MAX_CHUNKS;
        return VG_SCREAM_READ_INVALID;
    }
    struct vg_scream_layout lay;
    enum vg_scream_error e = vg_scream_validate(&h, r->size, &lay);
    if (e == VG_SCREAM_ERR_MAGIC) {
        r->have = false;
        r->was_closed = true;
        return VG_SCREAM_READ_CLOSED;
    }
    if (e != VG_SCREAM_OK) {
        /* The writer fills the header before it stores magic; a bad one is a broken or
         * hostile writer. Follow nothing until it is valid again. */
        r->have = false;
        info->error = e;
        return VG_SCREAM_READ_INVALID;
    }
    uint32_t w = lay.write_idx;
    if (!r->have || !same_stream(&r->cur, &lay)) {
        info->restarted = r->was_closed;
        r->have = true;
        r->was_closed = false;
        r->cur = lay;
        r->read_idx = w;
        info->layout = lay;
        return VG_SCREAM_READ_FORMAT;
    }
    info->layout = r->cur;
    uint32_t m = r->cur.max_chunks;
    uint32_t pending = (w + m - r->read_idx) % m;
    if (pending == 0)
        return VG_SCREAM_READ_NONE;
    if (pending > r->max_behind || pending >= m - 1) {
        /* Far behind (a burst after a stall, or a writer restart we did not see close): only
         * the newest chunks are worth playing. */
        uint32_t keep = r->max_behind < m - 1 ? r->max_behind : m - 1;
        info->dropped = pending - keep;
        r->read_idx = (w + m - keep) % m;
    }
    if (r->cur.chunk_size > cap)
        return VG_SCREAM_READ_FORMAT;

    uint32_t idx = (r->read_idx + 1) % m;
    /* Validated: offset + max_chunks * chunk_size <= size, so this cannot overflow. */
    size_t off = (size_t)r->cur.offset + (size_t)idx * r->cur.chunk_size;
    memcpy(dst, r->base + off, r->cur.chunk_size);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);

    /* A second look: the chunk is good if the stream is the same and the writer has not come
     * round to it again (it writes index write_idx + 1 before publishing it). */
    struct vg_scream_header h2;
    snapshot(r, &h2);
    struct vg_scream_layout lay2;
    bool same = vg_scream_validate(&h2, r->size, &lay2) == VG_SCREAM_OK &&
                same_stream(&r->cur, &lay2);
    r->read_idx = idx;
    if (!same) {
        info->torn = 1;
        return VG_SCREAM_READ_NONE;
    }
    uint32_t ahead = (lay2.write_idx + m - idx) % m;
    if (ahead >= m - 1) {
        info->torn = 1;
        return VG_SCREAM_READ_NONE;
    }
    return VG_SCREAM_READ_CHUNK;
}
