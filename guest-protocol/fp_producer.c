/* Producer of the frame protocol. It owns the region and never waits for the consumer: the
 * reader hint only steers the choice of slot, and every slot always ends up holding a complete
 * frame, so a consumer may take whichever slot is published. */
#include "vg/fp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "vg/log.h"
#include "vg/time.h"

/* Damage lists kept to bring an older slot up to date; a slot older than this is copied
 * whole. At least VG_FP_MAX_SLOTS so that round-robin use never needs a full copy. */
#define HISTORY 16u
_Static_assert(HISTORY >= VG_FP_MAX_SLOTS, "history shorter than the slot ring");
#define MAX_COPY_RECTS ((HISTORY + 1u) * VG_FP_MAX_DAMAGE)

struct damage_entry {
    uint64_t serial; /* the frame this damage belongs to; 0 = empty */
    bool full;       /* the whole frame changed (no damage given, or a new geometry) */
    uint32_t n;
    struct vg_fp_rect rects[VG_FP_MAX_DAMAGE];
};

struct slot_state {
    uint32_t seq;    /* the value in shared memory (we are its only writer) */
    uint64_t serial; /* frame it holds; 0 = none in this session */
    uint32_t format, width, height;
};

struct vg_fp_producer {
    uint8_t *base;
    size_t size;
    uint32_t slot_count;
    uint64_t slot_size;
    uint64_t serial;                /* last published frame */
    uint32_t latest_slot;           /* VG_FP_NO_SLOT before the first frame */
    uint32_t format, width, height; /* geometry of the last published frame */
    uint64_t heartbeat;
    struct slot_state slots[VG_FP_MAX_SLOTS];
    struct damage_entry history[HISTORY];
    struct vg_fp_rect copy_rects[MAX_COPY_RECTS];
    uint32_t pos_seq, pos_serial;
    uint32_t shape_seq, shape_serial;
    /* The last geometry refused with -ENOSPC, logged once. */
    uint32_t nospc_format, nospc_width, nospc_height;
};

static struct vg_fp_header *shared_header(const struct vg_fp_producer *p)
{
    return (struct vg_fp_header *)p->base;
}

static struct vg_fp_slot *shared_slot(const struct vg_fp_producer *p, uint32_t slot)
{
    return (struct vg_fp_slot *)(p->base + VG_FP_SLOTS_OFFSET + (uint64_t)slot * p->slot_size);
}

static uint64_t new_session(uint64_t previous)
{
    uint64_t v = 0;
    while (v == 0 || v == previous) {
        if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
            /* No entropy source: time and pid still differ between two starts. */
            v ^= vg_time_ns() * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)getpid();
        }
    }
    return v;
}

/* A seqlock value that a reader holding an older even value will see change. */
static uint32_t next_even(uint32_t seq)
{
    return (seq + 1u) & ~1u;
}

struct vg_fp_producer *vg_fp_producer_create(void *base, size_t size,
                                             const struct vg_fp_producer_config *cfg)
{
    const uint32_t slot_count = cfg && cfg->slot_count ? cfg->slot_count : VG_FP_MIN_SLOTS;
    const uint32_t clock = cfg ? cfg->clock : VG_FP_CLOCK_GUEST;
    if (slot_count < VG_FP_MIN_SLOTS || slot_count > VG_FP_MAX_SLOTS) {
        vg_err("frame protocol: slot count %" PRIu32 " outside %u..%u", slot_count, VG_FP_MIN_SLOTS,
               VG_FP_MAX_SLOTS);
        return NULL;
    }
    if (clock > VG_FP_CLOCK_HOST_MONOTONIC) {
        vg_err("frame protocol: unknown capture clock %" PRIu32, clock);
        return NULL;
    }
    if (!base || (uintptr_t)base % VG_FP_PAGE != 0) {
        vg_err("frame protocol: shared memory mapping %p is not page aligned", base);
        return NULL;
    }
    const uint64_t min_size = VG_FP_SLOTS_OFFSET + (uint64_t)slot_count * 2u * VG_FP_PAGE;
    if (size < min_size) {
        vg_err("frame protocol: shared memory of %zu bytes is too small for %" PRIu32
               " slots: it needs at least %" PRIu64 " bytes; give the VM a larger ivshmem "
               "device",
               size, slot_count, min_size);
        return NULL;
    }

    struct vg_fp_producer *p = calloc(1, sizeof(*p));
    if (!p) {
        vg_err("frame protocol: out of memory");
        return NULL;
    }
    p->base = base;
    p->size = size;
    p->slot_count = slot_count;
    p->slot_size = ((size - VG_FP_SLOTS_OFFSET) / slot_count) & ~(uint64_t)(VG_FP_PAGE - 1u);
    p->latest_slot = VG_FP_NO_SLOT;

    struct vg_fp_header *sh = shared_header(p);
    /* Continue every seqlock from the value left behind, so that a reader still holding a
     * value from the previous producer sees it change. */
    for (uint32_t i = 0; i < slot_count; i++)
        p->slots[i].seq = next_even(__atomic_load_n(&shared_slot(p, i)->seq, __ATOMIC_RELAXED));
    p->pos_seq = next_even(__atomic_load_n(&sh->cursor.pos_seq, __ATOMIC_RELAXED));
    p->shape_seq = next_even(__atomic_load_n(&sh->cursor.shape_seq, __ATOMIC_RELAXED));
    const uint64_t previous = __atomic_load_n(&sh->session, __ATOMIC_RELAXED);
    const uint64_t session = cfg && cfg->session ? cfg->session : new_session(previous);

    /* A consumer that copies the header while we rewrite it sees the magic gone, or a
     * session different from the one it read before its copy. */
    __atomic_store_n(&sh->magic, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&sh->state, VG_FP_STATE_STARTING, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);

    p->heartbeat = vg_time_ns();
    struct vg_fp_header h = {
        .version = VG_FP_VERSION,
        .header_size = sizeof(struct vg_fp_header),
        .region_size = size,
        .session = session,
        .heartbeat = p->heartbeat,
        .state = VG_FP_STATE_STARTING,
        .clock = clock,
        .slot_count = slot_count,
        .slot_size = p->slot_size,
        .reader_slot = VG_FP_NO_SLOT,
    };
    for (uint32_t i = 0; i < slot_count; i++)
        h.slot_offset[i] = VG_FP_SLOTS_OFFSET + (uint64_t)i * p->slot_size;
    h.cursor.pos_seq = p->pos_seq;
    h.cursor.shape_seq = p->shape_seq;
    memcpy((uint8_t *)sh + sizeof(h.magic), (const uint8_t *)&h + sizeof(h.magic),
           sizeof(h) - sizeof(h.magic));

    __atomic_store_n(&sh->magic, VG_FP_MAGIC, __ATOMIC_RELEASE);
    __atomic_store_n(&sh->state, VG_FP_STATE_RUNNING, __ATOMIC_RELEASE);
    return p;
}

void vg_fp_producer_destroy(struct vg_fp_producer *p)
{
    if (!p)
        return;
    vg_fp_producer_set_state(p, VG_FP_STATE_STOPPED);
    free(p);
}

uint64_t vg_fp_producer_slot_capacity(const struct vg_fp_producer *p)
{
    return p->slot_size - VG_FP_SLOT_DATA_OFFSET;
}

void vg_fp_producer_heartbeat(struct vg_fp_producer *p, uint64_t now_ns)
{
    /* The consumer only compares for inequality: the value must move at every beat. */
    if (now_ns == p->heartbeat)
        now_ns++;
    p->heartbeat = now_ns;
    __atomic_store_n(&shared_header(p)->heartbeat, now_ns, __ATOMIC_RELEASE);
}

void vg_fp_producer_set_state(struct vg_fp_producer *p, enum vg_fp_state state)
{
    if ((unsigned)state > VG_FP_STATE_STOPPED)
        return;
    __atomic_store_n(&shared_header(p)->state, (uint32_t)state, __ATOMIC_RELEASE);
}

static void log_nospc(struct vg_fp_producer *p, const struct vg_fp_frame_desc *d)
{
    if (p->nospc_format == d->format && p->nospc_width == d->width && p->nospc_height == d->height)
        return;
    p->nospc_format = d->format;
    p->nospc_width = d->width;
    p->nospc_height = d->height;
    const double mib = 1024.0 * 1024.0;
    const uint64_t need = vg_fp_region_size_for(d->width, d->height, d->format, p->slot_count);
    vg_err("frame %" PRIu32 "x%" PRIu32 " %s needs a region of %.1f MiB (%" PRIu64
           " bytes, vg_fp_region_size_for), this one is %.1f MiB: enlarge the ivshmem device "
           "or lower the resolution",
           d->width, d->height, vg_fp_format_name(d->format), (double)need / mib, need,
           (double)p->size / mib);
}

/* The least recently written slot that is neither the latest nor the reader's: it gives a
 * reader that has not yet announced itself the longest time before its slot is reused. */
static uint32_t choose_slot(const struct vg_fp_producer *p, uint32_t reader)
{
    uint32_t best = VG_FP_NO_SLOT;
    for (uint32_t i = 0; i < p->slot_count; i++) {
        if (i == p->latest_slot || i == reader)
            continue;
        if (best == VG_FP_NO_SLOT || p->slots[i].serial < p->slots[best].serial)
            best = i;
    }
    return best;
}

/* Collects the rects that bring slot k from the frame it holds to frame serial; returns the
 * count, or 0 when the whole frame has to be copied. */
static uint32_t collect_copy_rects(struct vg_fp_producer *p, uint32_t k, uint64_t serial, bool full,
                                   const struct vg_fp_rect *damage, uint32_t n_damage)
{
    const struct slot_state *s = &p->slots[k];
    if (full || s->serial == 0 || s->format != p->format || s->width != p->width ||
        s->height != p->height || serial - s->serial - 1u > HISTORY)
        return 0;
    uint32_t n = 0;
    uint64_t area = 0;
    for (uint64_t q = s->serial + 1u; q < serial; q++) {
        const struct damage_entry *e = &p->history[q % HISTORY];
        if (e->serial != q || e->full)
            return 0;
        for (uint32_t i = 0; i < e->n; i++) {
            p->copy_rects[n++] = e->rects[i];
            area += (uint64_t)e->rects[i].w * e->rects[i].h;
        }
    }
    for (uint32_t i = 0; i < n_damage; i++) {
        p->copy_rects[n++] = damage[i];
        area += (uint64_t)damage[i].w * damage[i].h;
    }
    /* Overlapping rects are copied twice; past a whole frame's worth, one copy is cheaper. */
    if (area >= (uint64_t)p->width * p->height)
        return 0;
    return n;
}

/* The bytes per pixel of a frame that submit accepts; 0 if an argument is invalid. */
static uint32_t frame_bpp(const struct vg_fp_frame_desc *desc, const void *pixels,
                          size_t src_stride, const struct vg_fp_rect *damage, uint32_t n_damage)
{
    if (!desc || !pixels)
        return 0;
    const uint32_t bpp = vg_fp_format_bpp(desc->format);
    if (bpp == 0 || desc->width == 0 || desc->width > VG_FP_MAX_DIM || desc->height == 0 ||
        desc->height > VG_FP_MAX_DIM)
        return 0;
    const size_t row = (size_t)desc->width * bpp;
    if (src_stride < row || n_damage > VG_FP_MAX_DAMAGE || (n_damage > 0 && !damage))
        return 0;
    for (uint32_t i = 0; i < n_damage; i++) {
        if (!vg_fp_rect_inside(&damage[i], desc->width, desc->height))
            return 0;
    }
    return bpp;
}

/* Makes desc's geometry the current one; true if this frame is to be described as changed
 * whole (a new geometry, or no damage given). */
static bool take_geometry(struct vg_fp_producer *p, const struct vg_fp_frame_desc *desc,
                          uint32_t n_damage)
{
    const bool new_geometry = p->serial == 0 || desc->format != p->format ||
                              desc->width != p->width || desc->height != p->height;
    p->format = desc->format;
    p->width = desc->width;
    p->height = desc->height;
    return new_geometry || n_damage == 0;
}

static void copy_frame(uint8_t *dst, const uint8_t *src, size_t src_stride, size_t row,
                       uint32_t height, uint64_t frame_bytes)
{
    if (src_stride == row) {
        memcpy(dst, src, frame_bytes);
    } else {
        for (uint32_t y = 0; y < height; y++)
            memcpy(dst + (size_t)y * row, src + (size_t)y * src_stride, row);
    }
}

static void copy_rects(uint8_t *dst, const uint8_t *src, size_t src_stride, size_t row,
                       uint32_t bpp, const struct vg_fp_rect *rects, uint32_t n_rects)
{
    for (uint32_t i = 0; i < n_rects; i++) {
        const struct vg_fp_rect *r = &rects[i];
        const size_t x_bytes = (size_t)r->x * bpp;
        const size_t w_bytes = (size_t)r->w * bpp;
        for (uint32_t y = r->y; y < r->y + r->h; y++)
            memcpy(dst + (size_t)y * row + x_bytes, src + (size_t)y * src_stride + x_bytes,
                   w_bytes);
    }
}

/* Everything in the slot but its seq, which the caller stores around this. */
static void write_slot_header(struct vg_fp_slot *ss, const struct vg_fp_frame_desc *desc,
                              uint64_t serial, size_t row, bool full,
                              const struct vg_fp_rect *damage, uint32_t n_damage)
{
    struct vg_fp_slot s = {
        .format = desc->format,
        .serial = serial,
        .width = desc->width,
        .height = desc->height,
        .stride = (uint32_t)row,
        .data_offset = VG_FP_SLOT_DATA_OFFSET,
        .capture_ns = desc->capture_ns,
        .damage_count = full ? 0 : n_damage,
    };
    if (!full)
        memcpy(s.damage, damage, n_damage * sizeof(*damage));
    memcpy((uint8_t *)ss + sizeof(s.seq), (const uint8_t *)&s + sizeof(s.seq),
           sizeof(s) - sizeof(s.seq));
}

/* Keeps the damage of frame serial for collect_copy_rects. */
static void record_damage(struct vg_fp_producer *p, uint64_t serial, bool full,
                          const struct vg_fp_rect *damage, uint32_t n_damage)
{
    struct damage_entry *e = &p->history[serial % HISTORY];
    e->serial = serial;
    e->full = full;
    e->n = full ? 0 : n_damage;
    if (!full)
        memcpy(e->rects, damage, n_damage * sizeof(*damage));
}

int vg_fp_producer_submit(struct vg_fp_producer *p, const struct vg_fp_frame_desc *desc,
                          const void *pixels, size_t src_stride, const struct vg_fp_rect *damage,
                          uint32_t n_damage)
{
    const uint32_t bpp = frame_bpp(desc, pixels, src_stride, damage, n_damage);
    if (bpp == 0)
        return -EINVAL;
    const size_t row = (size_t)desc->width * bpp;
    /* width, height <= 16384 and bpp <= 8: no overflow in 64 bits. */
    const uint64_t frame_bytes = (uint64_t)row * desc->height;
    if (frame_bytes > p->slot_size - VG_FP_SLOT_DATA_OFFSET) {
        log_nospc(p, desc);
        return -ENOSPC;
    }

    struct vg_fp_header *sh = shared_header(p);
    const uint32_t reader = __atomic_load_n(&sh->reader_slot, __ATOMIC_SEQ_CST);
    const uint32_t k = choose_slot(p, reader);
    if (k == VG_FP_NO_SLOT)
        return -EAGAIN; /* impossible with three slots or more */

    const bool full = take_geometry(p, desc, n_damage);
    const uint64_t serial = p->serial + 1u;
    const uint32_t n_copy = collect_copy_rects(p, k, serial, full, damage, n_damage);

    struct vg_fp_slot *ss = shared_slot(p, k);
    uint8_t *dst = (uint8_t *)ss + VG_FP_SLOT_DATA_OFFSET;

    /* Seqlock write side: odd seq visible before any pixel or header store. */
    const uint32_t seq = p->slots[k].seq + 1u;
    __atomic_store_n(&ss->seq, seq, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);

    if (n_copy == 0)
        copy_frame(dst, pixels, src_stride, row, desc->height, frame_bytes);
    else
        copy_rects(dst, pixels, src_stride, row, bpp, p->copy_rects, n_copy);
    write_slot_header(ss, desc, serial, row, full, damage, n_damage);

    __atomic_store_n(&ss->seq, seq + 1u, __ATOMIC_RELEASE);
    __atomic_store_n(&sh->latest, VG_FP_LATEST(serial, k), __ATOMIC_RELEASE);

    p->slots[k] = (struct slot_state){
        .seq = seq + 1u,
        .serial = serial,
        .format = desc->format,
        .width = desc->width,
        .height = desc->height,
    };
    record_damage(p, serial, full, damage, n_damage);
    p->serial = serial;
    p->latest_slot = k;

    vg_fp_producer_heartbeat(p, vg_time_ns());
    return 0;
}

int vg_fp_producer_cursor_pos(struct vg_fp_producer *p, int32_t x, int32_t y, bool visible)
{
    struct vg_fp_cursor *sc = &shared_header(p)->cursor;
    const uint32_t seq = p->pos_seq + 1u;
    __atomic_store_n(&sc->pos_seq, seq, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    p->pos_serial++;
    __atomic_store_n(&sc->pos_serial, p->pos_serial, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->x, x, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->y, y, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->visible, visible ? 1u : 0u, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->pos_seq, seq + 1u, __ATOMIC_RELEASE);
    p->pos_seq = seq + 1u;
    return 0;
}

int vg_fp_producer_cursor_shape(struct vg_fp_producer *p, uint32_t w, uint32_t h, uint32_t hot_x,
                                uint32_t hot_y, const void *argb, size_t stride)
{
    if (!argb || w == 0 || w > VG_FP_CURSOR_MAX_DIM || h == 0 || h > VG_FP_CURSOR_MAX_DIM ||
        hot_x >= w || hot_y >= h || stride < (size_t)w * 4u)
        return -EINVAL;

    struct vg_fp_cursor *sc = &shared_header(p)->cursor;
    uint8_t *dst = p->base + VG_FP_CURSOR_SHAPE_OFFSET;
    const uint8_t *src = argb;
    const size_t row = (size_t)w * 4u;

    const uint32_t seq = p->shape_seq + 1u;
    __atomic_store_n(&sc->shape_seq, seq, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    for (uint32_t y = 0; y < h; y++)
        memcpy(dst + y * row, src + (size_t)y * stride, row);
    if (++p->shape_serial == 0)
        p->shape_serial = 1; /* 0 means "no shape" */
    __atomic_store_n(&sc->shape_serial, p->shape_serial, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->width, w, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->height, h, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->stride, (uint32_t)row, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->hot_x, hot_x, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->hot_y, hot_y, __ATOMIC_RELAXED);
    __atomic_store_n(&sc->shape_seq, seq + 1u, __ATOMIC_RELEASE);
    p->shape_seq = seq + 1u;
    return 0;
}
