/* The KVMFR 20 producer: what the B7 host application does on top of LGMP (spec §3, §6).
 * One thread (the caller's) runs capture, cursor and the 10 ms timer, so waiting for room on
 * the pointer queue ticks the LGMP host itself. */
#include "vg/lgmp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vg/log.h"
#include "vg/time.h"

#define MIB (UINT64_C(1) << 20)
#define FRAME_SLOTS 2u
#define CURSOR_POS_SIZE ((uint32_t)sizeof(struct vg_kvmfr_cursor))
#define CURSOR_SHAPE_SIZE (CURSOR_POS_SIZE + VG_KVMFR_CURSOR_SHAPE_MAX) /* 1,048,600 */
#define CURSOR_RETRY_NS (50 * VG_NS_PER_MS)
#define CURSOR_RETRY_SLEEP_NS (100 * VG_NS_PER_US)
/* A slot can miss the damage of the frame before it and bring it in with its own. */
#define MISSED_MAX (2u * VG_KVMFR_MAX_DAMAGE_RECTS)
/* 26 characters: with it the VMINFO record is 78 bytes, as on the measured B7 host (§3.1). */
#define CPU_MODEL "vgapt synthetic guest vCPU"
#define OS_NAME_MAX 255u
#define RECORD_PAD_FILL 0xA5 /* real hosts leave garbage there (P17) */

/* What a slot's pixels are laid out as; two frames with equal geometry can share damage. */
struct geometry {
    uint32_t type;
    uint32_t frame_width, frame_height;
    uint32_t data_width, data_height; /* data_height: rows sent (after truncation) */
    uint32_t stride, pitch;
    uint32_t row_bytes; /* meaningful bytes of a source and slot row */
    uint32_t bpt;       /* bytes per texel */
    bool truncated;
};

struct slot {
    uint32_t offset, size; /* region offset of the KVMFRFrame, allocation size */
    bool valid;            /* holds a complete image of geom */
    struct geometry geom;
    bool missed_full; /* damage it missed cannot be listed: copy it whole */
    uint32_t n_missed;
    struct vg_kvmfr_damage_rect missed[MISSED_MAX];
};

struct vg_kvmfr_producer {
    uint8_t *base;
    size_t size;
    struct vg_lgmp_host *host;
    int q_frame, q_pointer;
    uint32_t align;
    uint64_t max_frame;
    struct slot slots[FRAME_SLOTS];
    int last_slot;             /* -1 before the first frame */
    struct geometry last_geom; /* of the last frame submitted */
    uint32_t serial;

    uint32_t pos_offset[VG_KVMFR_CURSOR_POS_BUFFERS];
    uint32_t shape_offset[VG_KVMFR_CURSOR_SHAPE_BUFFERS];
    uint32_t next_pos;
    int last_shape; /* -1 while no shape is known */
    int16_t cursor_x, cursor_y;
    bool cursor_visible;

    void (*on_set_cursor_pos)(void *opaque, int32_t x, int32_t y);
    void *opaque;
};

static uint64_t align_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) & ~(align - 1);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (s && n < max && s[n])
        n++;
    return n;
}

/* The KVMFR block and its VMINFO + OSINFO records, back to back and unaligned (§3.1). Returns
 * the size written into out (which holds at least udata_capacity() bytes). */
static uint32_t build_udata(const struct vg_kvmfr_producer_config *cfg, uint8_t *out)
{
    struct vg_kvmfr k = {.version = VG_KVMFR_VERSION, .features = cfg->features};
    memcpy(k.magic, VG_KVMFR_MAGIC, sizeof(k.magic));
    const char *hostver = cfg->hostver ? cfg->hostver : "B7";
    memcpy(k.hostver, hostver, bounded_len(hostver, sizeof(k.hostver) - 1));
    memcpy(out, &k, sizeof(k));
    uint32_t n = sizeof(k);

    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint8_t ncpu = cpus < 1 ? 1 : cpus > 255 ? 255 : (uint8_t)cpus;
    struct vg_kvmfr_vminfo vm = {.cpus = ncpu, .cores = ncpu, .sockets = 1};
    const char *capture = cfg->capture ? cfg->capture : "vgapt";
    memcpy(vm.capture, capture, bounded_len(capture, sizeof(vm.capture) - 1));
    const uint32_t model_size = (uint32_t)sizeof(CPU_MODEL);
    struct vg_kvmfr_record rec = {.type = VG_KVMFR_RECORD_VMINFO,
                                  .pad = {RECORD_PAD_FILL, RECORD_PAD_FILL, RECORD_PAD_FILL},
                                  .size = VG_KVMFR_VMINFO_FIXED + model_size};
    memcpy(out + n, &rec, sizeof(rec));
    n += sizeof(rec);
    memcpy(out + n, &vm, VG_KVMFR_VMINFO_FIXED);
    n += VG_KVMFR_VMINFO_FIXED;
    memcpy(out + n, CPU_MODEL, model_size);
    n += model_size;

    size_t name_len = bounded_len(cfg->os_name, OS_NAME_MAX);
    rec.type = VG_KVMFR_RECORD_OSINFO;
    rec.size = (uint32_t)(1 + name_len + 1);
    memcpy(out + n, &rec, sizeof(rec));
    n += sizeof(rec);
    out[n++] = cfg->os;
    if (name_len)
        memcpy(out + n, cfg->os_name, name_len);
    n += (uint32_t)name_len;
    out[n++] = 0;
    return n;
}

#define UDATA_CAPACITY                                                                             \
    (sizeof(struct vg_kvmfr) + 2 * sizeof(struct vg_kvmfr_record) + VG_KVMFR_VMINFO_FIXED +        \
     sizeof(CPU_MODEL) + 2 + OS_NAME_MAX)

static bool alloc_into(struct vg_kvmfr_producer *p, uint32_t size, uint32_t align, uint32_t *out)
{
    int64_t off = vg_lgmp_host_alloc(p->host, size, align);
    if (off < 0)
        return false;
    *out = (uint32_t)off;
    return true;
}

/* Two slots of maxFrameSize rounded up to align (§6.1). When the start padding leaves no room
 * for the rounding, the slots shrink to what fits rather than fail as B7 would. */
static bool alloc_slots(struct vg_kvmfr_producer *p)
{
    const uint64_t align = p->align;
    uint64_t free_bytes = vg_lgmp_host_free_bytes(p->host);
    if (free_bytes < align)
        return false;
    uint64_t max_frame = ((free_bytes - (align - 1)) & ~(align - 1)) / 2;
    uint64_t slot = align_up(max_frame, align);
    uint64_t first = align_up(p->size - free_bytes, align);
    if (first + 2 * slot > p->size) {
        slot = ((p->size - min_u64(first, p->size)) / 2) & ~(align - 1);
        max_frame = slot;
    }
    if (slot < 2 * align || slot > UINT32_MAX)
        return false;
    p->max_frame = max_frame;
    for (uint32_t i = 0; i < FRAME_SLOTS; i++) {
        if (!alloc_into(p, (uint32_t)slot, (uint32_t)align, &p->slots[i].offset))
            return false;
        p->slots[i].size = (uint32_t)slot;
        /* The header's offset is written once per session; wp starts at 0. */
        struct vg_kvmfr_frame *f = (struct vg_kvmfr_frame *)(p->base + p->slots[i].offset);
        memset(f, 0, sizeof(*f));
        f->offset = p->align - 4;
        __atomic_store_n((uint32_t *)(p->base + p->slots[i].offset + f->offset), 0u,
                         __ATOMIC_RELEASE);
    }
    return true;
}

struct vg_kvmfr_producer *vg_kvmfr_producer_create(void *base, size_t size,
                                                   const struct vg_kvmfr_producer_config *cfg,
                                                   uint64_t now_ms)
{
    static const struct vg_kvmfr_producer_config defaults = {0};
    if (!cfg)
        cfg = &defaults;
    uint32_t align = cfg->align ? cfg->align : 4096;
    /* The header and wp sit before the pixels in the slot's first align bytes. */
    if ((align & (align - 1)) != 0 || align < 2048 || align > (1u << 30)) {
        vg_err("KVMFR: frame alignment %" PRIu32 " is not a power of two from 2048 to 2^30", align);
        return NULL;
    }

    struct vg_kvmfr_producer *p = calloc(1, sizeof(*p));
    if (!p) {
        vg_err("KVMFR: out of memory");
        return NULL;
    }
    p->base = base;
    p->size = size;
    p->align = align;
    p->last_slot = -1;
    p->last_shape = -1;
    p->on_set_cursor_pos = cfg->on_set_cursor_pos;
    p->opaque = cfg->opaque;

    uint8_t udata[UDATA_CAPACITY];
    uint32_t udata_size = build_udata(cfg, udata);
    p->host = vg_lgmp_host_create(base, size, udata, udata_size, cfg->session_id, now_ms);
    if (!p->host)
        goto fail;
    /* B7 creates the frame queue first (§3.2). */
    p->q_frame = vg_lgmp_host_add_queue(p->host, VG_KVMFR_QUEUE_FRAME, VG_KVMFR_FRAME_QUEUE_LEN,
                                        VG_KVMFR_QUEUE_TIMEOUT_MS);
    p->q_pointer = vg_lgmp_host_add_queue(p->host, VG_KVMFR_QUEUE_POINTER,
                                          VG_KVMFR_POINTER_QUEUE_LEN, VG_KVMFR_QUEUE_TIMEOUT_MS);
    if (p->q_frame < 0 || p->q_pointer < 0)
        goto too_small;
    for (uint32_t i = 0; i < VG_KVMFR_CURSOR_POS_BUFFERS; i++) {
        if (!alloc_into(p, CURSOR_POS_SIZE, 4, &p->pos_offset[i]))
            goto too_small;
        memset(p->base + p->pos_offset[i], 0, CURSOR_POS_SIZE);
    }
    for (uint32_t i = 0; i < VG_KVMFR_CURSOR_SHAPE_BUFFERS; i++) {
        if (!alloc_into(p, CURSOR_SHAPE_SIZE, 4, &p->shape_offset[i]))
            goto too_small;
        memset(p->base + p->shape_offset[i], 0, CURSOR_POS_SIZE);
    }
    if (!alloc_slots(p))
        goto too_small;
    return p;

too_small:
    vg_err("KVMFR: a region of %zu bytes is too small for the queues, the cursor buffers "
           "(%" PRIu32 " bytes) and two frame slots; give the VM a larger ivshmem device "
           "(32 MiB for 1920x1080)",
           size,
           VG_KVMFR_CURSOR_POS_BUFFERS * CURSOR_POS_SIZE +
               VG_KVMFR_CURSOR_SHAPE_BUFFERS * CURSOR_SHAPE_SIZE);
fail:
    vg_kvmfr_producer_destroy(p);
    return NULL;
}

void vg_kvmfr_producer_destroy(struct vg_kvmfr_producer *p)
{
    if (!p)
        return;
    vg_lgmp_host_destroy(p->host);
    free(p);
}

struct vg_lgmp_host *vg_kvmfr_producer_host(struct vg_kvmfr_producer *p)
{
    return p ? p->host : NULL;
}

uint64_t vg_kvmfr_producer_max_frame(const struct vg_kvmfr_producer *p)
{
    return p ? p->max_frame : 0;
}

uint32_t vg_kvmfr_producer_serial(const struct vg_kvmfr_producer *p)
{
    return p ? p->serial : 0;
}

/* ---- Frames ---- */


/* Dimensions as §3.4 gives them. Rows of the other types are padded to 64 texels, as BGR_32's
 * are and as capture textures usually are, so that a client meets stride > width. */
static bool frame_geometry(const struct vg_kvmfr_producer *p,
                           const struct vg_kvmfr_frame_params *fp, struct geometry *g)
{
    uint32_t w = fp->frame_width, h = fp->frame_height;
    *g = (struct geometry){
        .type = fp->type, .frame_width = w, .frame_height = h, .bpt = vg_kvmfr_bytes_per_texel(fp->type)};
    if (fp->type == VG_KVMFR_FRAME_BGR_32) {
        uint32_t packed = (uint32_t)align_up((uint64_t)w * 3, 4);
        g->data_width = (uint32_t)align_up(packed / 4, 64);
        g->data_height = (uint32_t)((uint64_t)w * h / (packed / 3));
        g->stride = g->data_width;
        g->row_bytes = w * 3;
    } else {
        g->data_width = w;
        g->data_height = h;
        g->stride = (uint32_t)align_up(w, 64);
        g->row_bytes = w * g->bpt;
    }
    g->pitch = g->stride * g->bpt;
    if ((uint64_t)g->data_height * g->pitch > p->max_frame) {
        g->data_height = (uint32_t)(p->max_frame / g->pitch);
        g->truncated = true;
    }
    return g->data_height > 0;
}

static bool same_geometry(const struct geometry *a, const struct geometry *b)
{
    return a->type == b->type && a->frame_width == b->frame_width &&
           a->frame_height == b->frame_height && a->data_height == b->data_height &&
           a->pitch == b->pitch;
}

/* The rect clipped to the image's rows that are sent; false when nothing is left. */
static bool clip_rect(const struct geometry *g, const struct vg_kvmfr_damage_rect *in,
                      struct vg_kvmfr_damage_rect *out)
{
    uint32_t rows = g->data_height < g->frame_height ? g->data_height : g->frame_height;
    if (in->x >= g->frame_width || in->y >= rows || in->width == 0 || in->height == 0)
        return false;
    out->x = in->x;
    out->y = in->y;
    out->width = (uint32_t)min_u64(in->width, g->frame_width - in->x);
    out->height = (uint32_t)min_u64(in->height, rows - in->y);
    return true;
}

/* Bytes [*b0, *b1) of a row that hold the rect's columns. BGR_32 rects cover the packed texels
 * a client copies (§3.5); either way bounded by the meaningful bytes of the row. */
static void rect_bytes(const struct geometry *g, const struct vg_kvmfr_damage_rect *r, uint32_t *b0,
                       uint32_t *b1)
{
    uint64_t x0 = r->x, x1 = (uint64_t)r->x + r->width;
    if (g->type == VG_KVMFR_FRAME_BGR_32) {
        x0 = x0 * 3 / 4 * 4;
        x1 = (x1 * 3 + 3) / 4 * 4;
    } else {
        x0 *= g->bpt;
        x1 *= g->bpt;
    }
    *b0 = (uint32_t)min_u64(x0, g->row_bytes);
    *b1 = (uint32_t)min_u64(x1, g->row_bytes);
}

/* Where writing stops: the rows claimed, the slot's data area (a truncated frame can claim up
 * to align bytes more than the slot holds, P10: never written here), and stop_after. */
struct write_limits {
    uint64_t claimed;   /* data_height * pitch: wp's final value */
    uint64_t write_end; /* no pixel byte at or past this offset is written */
    uint64_t wp_end;    /* wp never passes this */
};

static void copy_span(uint8_t *dst, const uint8_t *src, uint64_t off, uint64_t len,
                      const struct write_limits *lim)
{
    if (off >= lim->write_end)
        return;
    memcpy(dst + off, src, (size_t)min_u64(len, lim->write_end - off));
}

static void store_wp(uint32_t *wp, uint64_t value, const struct write_limits *lim)
{
    __atomic_store_n(wp, (uint32_t)min_u64(value, lim->wp_end), __ATOMIC_RELEASE);
}

/* Streaming copy: wp every 1 MiB, then the total (§3.3). */
static void copy_full(const struct geometry *g, uint8_t *dst, uint32_t *wp, const uint8_t *src,
                      size_t src_pitch, const struct write_limits *lim)
{
    uint64_t pitch = g->pitch;
    if (src_pitch == pitch) {
        /* One run; the source's last row may end after its meaningful bytes. */
        uint64_t total = (uint64_t)(g->data_height - 1) * pitch + g->row_bytes;
        for (uint64_t off = 0; off < total && off < lim->write_end; off += MIB) {
            copy_span(dst, src + off, off, min_u64(MIB, total - off), lim);
            store_wp(wp, min_u64(off + MIB, total), lim);
        }
    } else {
        uint64_t last_wp = 0;
        for (uint32_t y = 0; y < g->data_height; y++) {
            uint64_t off = (uint64_t)y * pitch;
            if (off >= lim->write_end)
                break;
            copy_span(dst, src + (size_t)y * src_pitch, off, g->row_bytes, lim);
            if (off + pitch - last_wp >= MIB) {
                last_wp = off + pitch;
                store_wp(wp, last_wp, lim);
            }
        }
    }
    store_wp(wp, lim->claimed, lim);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Damage copy: the rects' bytes band by band, wp = row * pitch at each band's end (§3.3). */
static void copy_damage(const struct geometry *g, uint8_t *dst, uint32_t *wp, const uint8_t *src,
                        size_t src_pitch, const struct vg_kvmfr_damage_rect *rects, uint32_t n,
                        const struct write_limits *lim)
{
    uint32_t edges[2 * MISSED_MAX];
    uint32_t n_edges = 0;
    for (uint32_t i = 0; i < n; i++) {
        edges[n_edges++] = rects[i].y;
        edges[n_edges++] = rects[i].y + rects[i].height;
    }
    qsort(edges, n_edges, sizeof(edges[0]), cmp_u32);
    for (uint32_t e = 0; e + 1 < n_edges; e++) {
        uint32_t b0 = edges[e], b1 = edges[e + 1];
        if (b0 == b1)
            continue;
        for (uint32_t i = 0; i < n; i++) {
            const struct vg_kvmfr_damage_rect *r = &rects[i];
            uint32_t y0 = r->y > b0 ? r->y : b0;
            uint32_t y1 = r->y + r->height < b1 ? r->y + r->height : b1;
            if (y1 > g->data_height)
                y1 = g->data_height;
            uint32_t x0, x1;
            rect_bytes(g, r, &x0, &x1);
            for (uint32_t y = y0; y < y1 && x1 > x0; y++)
                copy_span(dst, src + (size_t)y * src_pitch + x0, (uint64_t)y * g->pitch + x0,
                          x1 - x0, lim);
        }
        store_wp(wp, (uint64_t)b1 * g->pitch, lim);
    }
    store_wp(wp, lim->claimed, lim);
}

/* Every slot learns this frame's damage. True when `target` can be brought up to date from
 * the rects it missed (this frame's included), false when it needs a full copy. */
static bool collect_damage(struct vg_kvmfr_producer *p, int target, const struct geometry *g,
                           const struct vg_kvmfr_damage_rect *rects, uint32_t n, bool full)
{
    for (uint32_t i = 0; i < FRAME_SLOTS; i++) {
        struct slot *s = &p->slots[i];
        if (full || s->missed_full || s->n_missed + n > MISSED_MAX) {
            s->missed_full = true;
            continue;
        }
        memcpy(s->missed + s->n_missed, rects, n * sizeof(*rects));
        s->n_missed += n;
    }
    const struct slot *t = &p->slots[target];
    return t->valid && !t->missed_full && same_geometry(&t->geom, g);
}

static bool valid_params(const struct vg_kvmfr_frame_params *fp, const void *pixels,
                         size_t src_pitch, const struct vg_kvmfr_damage_rect *damage,
                         uint32_t n_damage)
{
    return fp && pixels && vg_kvmfr_bytes_per_texel(fp->type) && fp->frame_width >= 1 &&
           fp->frame_width <= VG_LGMP_MAX_DIM && fp->frame_height >= 1 &&
           fp->frame_height <= VG_LGMP_MAX_DIM && fp->rotation <= VG_KVMFR_ROT_270 &&
           fp->screen_width <= VG_LGMP_MAX_DIM && fp->screen_height <= VG_LGMP_MAX_DIM &&
           (n_damage == 0 || damage) &&
           src_pitch >= (size_t)fp->frame_width *
                            (fp->type == VG_KVMFR_FRAME_BGR_32 ? 3 : vg_kvmfr_bytes_per_texel(fp->type));
}

int vg_kvmfr_producer_submit(struct vg_kvmfr_producer *p, const struct vg_kvmfr_frame_params *fp,
                             const void *pixels, size_t src_pitch,
                             const struct vg_kvmfr_damage_rect *damage, uint32_t n_damage,
                             uint64_t now_ms)
{
    if (!p || !valid_params(fp, pixels, src_pitch, damage, n_damage))
        return -EINVAL;
    struct geometry g;
    if (!frame_geometry(p, fp, &g)) {
        vg_err("KVMFR: one %" PRIu32 "-byte row of a %" PRIu32 "x%" PRIu32
               " frame is larger than the %" PRIu64 "-byte frame slot",
               g.pitch, fp->frame_width, fp->frame_height, p->max_frame);
        return -EINVAL;
    }
    /* The two slots alternate; the one about to be rewritten is free once at most one frame
     * message is outstanding (§6.4). */
    if (vg_lgmp_host_pending(p->host, p->q_frame) >= FRAME_SLOTS)
        return -EBUSY;

    struct vg_kvmfr_damage_rect rects[VG_KVMFR_MAX_DAMAGE_RECTS];
    uint32_t n = 0;
    bool full = n_damage == 0 || n_damage > VG_KVMFR_MAX_DAMAGE_RECTS;
    for (uint32_t i = 0; !full && i < n_damage; i++) {
        if (clip_rect(&g, &damage[i], &rects[n]))
            n++;
    }
    if (n == 0)
        full = true;
    /* Damage across a format change means nothing to the slots' older contents. */
    bool copy_all = full || p->last_slot < 0 || !same_geometry(&p->last_geom, &g);
    p->last_geom = g;

    int target = p->last_slot < 0 ? 0 : (p->last_slot + 1) % (int)FRAME_SLOTS;
    struct slot *s = &p->slots[target];
    bool partial = collect_damage(p, target, &g, rects, copy_all ? 0 : n, copy_all) && !copy_all;

    /* 1. the header, 2. wp = 0, 3. post, 4. the pixels (§6.4). */
    p->serial++;
    uint8_t *slot_base = p->base + s->offset;
    struct vg_kvmfr_frame *f = (struct vg_kvmfr_frame *)slot_base;
    uint32_t flags = fp->flags & ~(uint32_t)VG_KVMFR_FRAME_FLAG_TRUNCATED;
    if (g.truncated)
        flags |= VG_KVMFR_FRAME_FLAG_TRUNCATED;
    if (fp->type == VG_KVMFR_FRAME_RGBA16F)
        flags |= VG_KVMFR_FRAME_FLAG_HDR;
    f->format_ver = fp->format_ver;
    f->frame_serial = p->serial;
    f->type = fp->type;
    f->screen_width = fp->screen_width ? fp->screen_width : fp->frame_width;
    f->screen_height = fp->screen_height ? fp->screen_height : fp->frame_height;
    f->data_width = g.data_width;
    f->data_height = g.data_height;
    f->frame_width = g.frame_width;
    f->frame_height = g.frame_height;
    f->rotation = fp->rotation;
    f->stride = g.stride;
    f->pitch = g.pitch;
    f->damage_rects_count = full ? 0 : n;
    memcpy(f->damage_rects, rects, (full ? 0 : n) * sizeof(rects[0]));
    f->flags = flags;
    uint32_t *wp = (uint32_t *)(slot_base + p->align - 4);
    __atomic_store_n(wp, 0u, __ATOMIC_RELEASE);

    /* The new frame serves whoever subscribed since the last one (§6.5). */
    vg_lgmp_host_take_new_subs(p->host, p->q_frame);
    s->valid = false;
    int r = vg_lgmp_host_post(p->host, p->q_frame, 0, s->offset, s->size, now_ms);
    if (r < 0) {
        /* Not posted: the other slot may still be read, so the next frame comes here again. */
        s->missed_full = true;
        return r;
    }
    p->last_slot = target;

    struct write_limits lim;
    lim.claimed = (uint64_t)g.data_height * g.pitch;
    lim.write_end = min_u64(min_u64(lim.claimed, (uint64_t)s->size - p->align), fp->stop_after);
    lim.wp_end = min_u64(lim.claimed, fp->stop_after);
    uint8_t *dst = slot_base + p->align;
    if (partial) {
        copy_damage(&g, dst, wp, pixels, src_pitch, s->missed, s->n_missed, &lim);
    } else {
        copy_full(&g, dst, wp, pixels, src_pitch, &lim);
    }
    s->geom = g;
    s->n_missed = 0;
    s->missed_full = false;
    s->valid = lim.wp_end == lim.claimed;
    return 0;
}

int vg_kvmfr_producer_repost(struct vg_kvmfr_producer *p, uint64_t now_ms)
{
    if (!p)
        return -EINVAL;
    if (p->last_slot < 0)
        return 0;
    /* Leave the counter for later when there is no room for the re-post. */
    if (vg_lgmp_host_pending(p->host, p->q_frame) >= VG_KVMFR_FRAME_QUEUE_LEN)
        return 0;
    if (vg_lgmp_host_take_new_subs(p->host, p->q_frame) == 0)
        return 0;
    const struct slot *s = &p->slots[p->last_slot];
    int r = vg_lgmp_host_post(p->host, p->q_frame, 0, s->offset, s->size, now_ms);
    return r < 0 ? r : r == 0;
}

/* ---- Cursor ---- */

static int16_t clamp_i16(int32_t v)
{
    return v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : (int16_t)v;
}

/* Posts, ticking the host while the queue is full (B7 retries until there is room; we give
 * up after CURSOR_RETRY_NS). The host clock advances with real time from the caller's now. */
static int post_cursor(struct vg_kvmfr_producer *p, uint32_t offset, uint32_t size, uint32_t flags,
                       uint64_t now_ms)
{
    uint64_t t0 = vg_time_ns();
    for (;;) {
        uint64_t elapsed = vg_time_ns() - t0;
        int r = vg_lgmp_host_post(p->host, p->q_pointer, flags, offset, size,
                                  now_ms + elapsed / VG_NS_PER_MS);
        if (r != -ENOBUFS)
            return r < 0 ? r : 0;
        if (elapsed >= CURSOR_RETRY_NS)
            return -ENOBUFS;
        vg_sleep_ns(CURSOR_RETRY_SLEEP_NS);
        elapsed = vg_time_ns() - t0;
        if (!vg_lgmp_host_tick(p->host, now_ms + elapsed / VG_NS_PER_MS))
            return -ENOBUFS;
    }
}

static uint32_t cursor_flags(const struct vg_kvmfr_producer *p, bool shape)
{
    return VG_KVMFR_CURSOR_FLAG_POSITION | (p->cursor_visible ? VG_KVMFR_CURSOR_FLAG_VISIBLE : 0) |
           (shape ? VG_KVMFR_CURSOR_FLAG_SHAPE : 0);
}

/* A position in the next of the 20 position buffers. */
static int post_position(struct vg_kvmfr_producer *p, uint64_t now_ms)
{
    uint32_t off = p->pos_offset[p->next_pos];
    p->next_pos = (p->next_pos + 1) % VG_KVMFR_CURSOR_POS_BUFFERS;
    struct vg_kvmfr_cursor c = {.x = p->cursor_x, .y = p->cursor_y};
    memcpy(p->base + off, &c, sizeof(c));
    return post_cursor(p, off, CURSOR_POS_SIZE, cursor_flags(p, false), now_ms);
}

static bool valid_shape(const struct vg_kvmfr_cursor_shape *s, uint64_t *bytes, uint32_t *rows)
{
    if (!s->pixels || s->type > VG_KVMFR_CURSOR_MASKED_COLOR || s->width == 0 ||
        s->width > VG_LGMP_CURSOR_MAX_DIM || s->height == 0 || s->height > VG_LGMP_CURSOR_MAX_DIM)
        return false;
    uint64_t min_pitch =
        s->type == VG_KVMFR_CURSOR_MONOCHROME ? (s->width + 7u) / 8u : (uint64_t)s->width * 4u;
    *rows = s->type == VG_KVMFR_CURSOR_MONOCHROME ? 2 * s->height : s->height;
    *bytes = (uint64_t)*rows * s->pitch;
    return s->pitch >= min_pitch && *bytes <= VG_KVMFR_CURSOR_SHAPE_MAX;
}

int vg_kvmfr_producer_cursor(struct vg_kvmfr_producer *p, int32_t x, int32_t y, bool visible,
                             const struct vg_kvmfr_cursor_shape *shape, uint64_t now_ms)
{
    if (!p)
        return -EINVAL;
    uint64_t bytes = 0;
    uint32_t rows = 0;
    if (shape && !valid_shape(shape, &bytes, &rows))
        return -EINVAL;
    p->cursor_x = clamp_i16(x);
    p->cursor_y = clamp_i16(y);
    p->cursor_visible = visible;
    if (!shape)
        return post_position(p, now_ms);

    p->last_shape = (p->last_shape + 1) % (int)VG_KVMFR_CURSOR_SHAPE_BUFFERS;
    uint32_t off = p->shape_offset[p->last_shape];
    struct vg_kvmfr_cursor c = {
        .x = p->cursor_x,
        .y = p->cursor_y,
        .type = shape->type,
        /* Signed 8-bit on the wire: a hotspot >= 128 wraps as on B7 (P12). */
        .hx = (int8_t)(uint8_t)shape->hx,
        .hy = (int8_t)(uint8_t)shape->hy,
        .width = shape->width,
        .height = rows,
        .pitch = shape->pitch,
    };
    memcpy(p->base + off, &c, sizeof(c));
    memcpy(p->base + off + sizeof(c), shape->pixels, (size_t)bytes);
    return post_cursor(p, off, CURSOR_SHAPE_SIZE, cursor_flags(p, true), now_ms);
}

/* A new pointer subscriber gets the whole cursor state (§6.5, §6.7): x and y rewritten in
 * place in the last shape buffer, or a fresh position buffer when no shape is known. */
static void post_full_cursor(struct vg_kvmfr_producer *p, uint64_t now_ms)
{
    int r;
    if (p->last_shape >= 0) {
        uint32_t off = p->shape_offset[p->last_shape];
        struct vg_kvmfr_cursor *c = (struct vg_kvmfr_cursor *)(p->base + off);
        c->x = p->cursor_x;
        c->y = p->cursor_y;
        r = post_cursor(p, off, CURSOR_SHAPE_SIZE, cursor_flags(p, true), now_ms);
    } else {
        r = post_position(p, now_ms);
    }
    if (r < 0)
        vg_warn("KVMFR: cannot post the cursor for a new client: %s", strerror(-r));
}

/* ---- Timer ---- */

static void drain_client_messages(struct vg_kvmfr_producer *p)
{
    /* The ring holds 10; a client refilling it as fast as we read waits for the next tick. */
    for (uint32_t i = 0; i < 2 * VG_LGMP_MSGS_MAX; i++) {
        uint8_t msg[VG_LGMP_MSGS_SIZE];
        int n = vg_lgmp_host_read_message(p->host, p->q_pointer, msg, sizeof(msg));
        if (n < 0)
            break;
        struct vg_kvmfr_set_cursor_pos m;
        if ((size_t)n >= sizeof(m)) {
            memcpy(&m, msg, sizeof(m));
            if (m.type == VG_KVMFR_MSG_SETCURSORPOS && p->on_set_cursor_pos)
                p->on_set_cursor_pos(p->opaque, m.x, m.y);
        }
        vg_lgmp_host_ack_message(p->host, p->q_pointer);
    }
}

bool vg_kvmfr_producer_tick(struct vg_kvmfr_producer *p, uint64_t now_ms)
{
    if (!p || !vg_lgmp_host_tick(p->host, now_ms))
        return false;
    drain_client_messages(p);
    if (vg_lgmp_host_take_new_subs(p->host, p->q_pointer) > 0)
        post_full_cursor(p, now_ms);
    return true;
}
