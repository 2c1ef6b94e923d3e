/* The Scream ring writer: what the Scream driver does to the region, in the same order, so a
 * reader tested against it sees what it will see from a Windows guest. */
#include "vg/scream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RATE 384000u
#define RING_INDEX_MAX 0xFFFFu /* max_chunks and write_idx are u16 */

struct vg_scream_writer {
    uint8_t *base;
    size_t size;
    bool open;
    struct vg_scream_layout layout;
    uint32_t idx;
};

static struct vg_scream_header *header(struct vg_scream_writer *w)
{
    return (struct vg_scream_header *)w->base;
}

/* Magic goes first so that a reader stops trusting the fields before any of them changes. */
static void zero_header(struct vg_scream_writer *w)
{
    __atomic_store_n(&header(w)->magic, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    memset(w->base + sizeof(uint32_t), 0, VG_SCREAM_HEADER_SIZE - sizeof(uint32_t));
}

struct vg_scream_writer *vg_scream_writer_create(void *base, size_t size)
{
    if (!base || ((uintptr_t)base & 3) || size < VG_SCREAM_HEADER_SIZE)
        return NULL;
    struct vg_scream_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->base = base;
    w->size = size;
    return w;
}

void vg_scream_writer_destroy(struct vg_scream_writer *w)
{
    if (!w)
        return;
    vg_scream_writer_close(w);
    free(w);
}

int vg_scream_writer_open(struct vg_scream_writer *w, uint32_t rate, uint32_t bits,
                          uint32_t channels, uint32_t channel_map)
{
    uint8_t rate_byte;
    if (!vg_scream_rate_encode(rate, &rate_byte) || rate > MAX_RATE)
        return -EINVAL;
    if ((bits != 16 && bits != 24 && bits != 32) || channels == 0 ||
        channels > VG_SCREAM_MAX_CHANNELS)
        return -EINVAL;
    if (channel_map == 0)
        channel_map = vg_scream_default_channel_map(channels);
    if (channel_map > VG_SCREAM_MAX_CHANNEL_MAP)
        return -EINVAL;

    uint32_t chunk_size = bits / 8 * channels * (rate / (1000u / VG_SCREAM_CHUNK_MS));
    /* Unlike the driver, keep the header out of the count: the ring ends inside the region. */
    uint64_t max_chunks = (w->size - VG_SCREAM_HEADER_SIZE) / chunk_size;
    if (max_chunks > RING_INDEX_MAX)
        max_chunks = RING_INDEX_MAX;
    if (max_chunks < 2)
        return -EINVAL;

    struct vg_scream_header h = {
        .magic = VG_SCREAM_MAGIC,
        .write_idx = 0,
        .offset = VG_SCREAM_HEADER_SIZE,
        .max_chunks = (uint16_t)max_chunks,
        .chunk_size = chunk_size,
        .sample_rate = rate_byte,
        .sample_size = (uint8_t)bits,
        .channels = (uint8_t)channels,
        .channel_map = (uint16_t)channel_map,
    };
    struct vg_scream_layout layout;
    if (vg_scream_validate(&h, w->size, &layout) != VG_SCREAM_OK)
        return -EINVAL;

    zero_header(w);
    memcpy(w->base + sizeof(uint32_t), (const uint8_t *)&h + sizeof(uint32_t),
           VG_SCREAM_HEADER_SIZE - sizeof(uint32_t));
    __atomic_store_n(&header(w)->magic, VG_SCREAM_MAGIC, __ATOMIC_RELEASE);

    w->layout = layout;
    w->idx = 0;
    w->open = true;
    return 0;
}

int vg_scream_writer_write(struct vg_scream_writer *w, const void *chunk)
{
    if (!w->open)
        return -EINVAL;
    const struct vg_scream_layout *l = &w->layout;
    w->idx = (w->idx + 1) % l->max_chunks;
    /* Bounded by open: offset + max_chunks x chunk_size <= size. */
    memcpy(w->base + l->offset + (size_t)w->idx * l->chunk_size, chunk, l->chunk_size);
    __atomic_store_n(&header(w)->write_idx, (uint16_t)w->idx, __ATOMIC_RELEASE);
    return 0;
}

void vg_scream_writer_close(struct vg_scream_writer *w)
{
    if (!w->open)
        return;
    zero_header(w);
    w->open = false;
}

bool vg_scream_writer_layout(const struct vg_scream_writer *w, struct vg_scream_layout *out)
{
    if (!w->open)
        return false;
    *out = w->layout;
    out->write_idx = w->idx;
    return true;
}
