/* Consumer of the frame protocol. The region is written by another program, possibly another
 * machine, that may stop, restart or scribble at any moment: each shared field is read once
 * into a local, validated, and only the local is used afterwards. No call waits or loops on
 * the producer. */
#include "vg/fp.h"
#include "vg/fp_clock.h"
#include "vg/fp_testing.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg/log.h"
#include "vg/time.h"

#define DEFAULT_STALL_NS (500 * VG_NS_PER_MS)
/* A producer that declares the host's clock but whose heartbeat is further than this from
 * ours runs in a VM after all (vgapt-guest before --clock always declared the host's): its
 * timestamps are related to ours like a guest's. Real host producers are within microseconds;
 * this leaves room for a heartbeat that is a stall timeout (at most 1 s) old. */
#define HOST_CLOCK_TOLERANCE_NS (2 * VG_NS_PER_S)

typedef void header_copy_fn(void *dst, const void *src, size_t n, void *arg);

struct vg_fp_consumer {
    uint8_t *base;
    size_t size;
    bool writable;
    uint64_t stall_ns;

    /* From the last poll. */
    bool header_ok; /* layout below is valid */
    bool ready;
    struct vg_fp_layout layout;

    /* The session followed; everything below it belongs to that session. */
    uint64_t session;
    uint64_t ready_session;             /* session of the last READY, to flag a restart */
    uint64_t heartbeat;                 /* last heartbeat value seen */
    uint64_t heartbeat_seen_ns;         /* our clock when it last changed */
    uint64_t poll_ns;                   /* our clock at the last poll */
    struct vg_fp_clock_sync clock_sync; /* the producer's clock against ours, from heartbeats */

    uint64_t last_serial; /* newest frame returned by next_frame */
    bool have_frame;      /* frame/frame_seq describe the frame being read */
    struct vg_fp_frame frame;
    uint32_t frame_seq;         /* even; odd marks a frame dropped by a producer restart */
    uint64_t frame_slot_offset; /* where its seq lives, in the layout it was read with */

    bool pos_known;
    uint32_t pos_serial;
    uint32_t shape_serial;
    uint8_t *shape_tmp; /* VG_FP_CURSOR_SHAPE_BYTES: the shape is only handed out untorn */

    header_copy_fn *copy_header; /* a test's replacement for memcpy (vg/fp_testing.h) */
    void *copy_header_arg;
};

static struct vg_fp_header *shared_header(const struct vg_fp_consumer *c)
{
    return (struct vg_fp_header *)c->base;
}

static struct vg_fp_slot *shared_slot(const struct vg_fp_consumer *c, uint32_t slot)
{
    return (struct vg_fp_slot *)(c->base + c->layout.slot_offset[slot]);
}

struct vg_fp_consumer *vg_fp_consumer_create(void *base, size_t size, bool writable,
                                             uint64_t stall_ns)
{
    if (!base || (uintptr_t)base % 8 != 0) {
        vg_err("frame protocol: shared memory mapping %p is not 8-byte aligned", base);
        return NULL;
    }
    if (size < VG_FP_SLOTS_OFFSET) {
        vg_err("frame protocol: shared memory of %zu bytes is smaller than the protocol's "
               "minimum of %u bytes; give the VM a larger ivshmem device",
               size, VG_FP_SLOTS_OFFSET);
        return NULL;
    }
    struct vg_fp_consumer *c = calloc(1, sizeof(*c));
    if (!c)
        goto fail;
    c->shape_tmp = malloc(VG_FP_CURSOR_SHAPE_BYTES);
    if (!c->shape_tmp)
        goto fail;
    c->base = base;
    c->size = size;
    c->writable = writable;
    c->stall_ns = stall_ns ? stall_ns : DEFAULT_STALL_NS;
    return c;

fail:
    vg_err("frame protocol: out of memory");
    if (c)
        free(c->shape_tmp);
    free(c);
    return NULL;
}

void vg_fp_consumer_destroy(struct vg_fp_consumer *c)
{
    if (!c)
        return;
    if (c->have_frame)
        vg_fp_consumer_done(c);
    free(c->shape_tmp);
    free(c);
}

/* Forgets everything learnt about the previous session. */
static void follow_session(struct vg_fp_consumer *c, uint64_t session, uint64_t heartbeat,
                           uint64_t now_ns)
{
    c->session = session;
    c->heartbeat = heartbeat;
    c->heartbeat_seen_ns = now_ns;
    vg_fp_clock_sync_reset(&c->clock_sync);
    vg_fp_clock_sync_sample(&c->clock_sync, heartbeat, now_ns);
    c->last_serial = 0;
    c->frame_seq = 1; /* a frame still held belongs to the old session: its copy fails */
    c->pos_known = false;
    c->pos_serial = 0;
    c->shape_serial = 0;
}

/* Copies the header into h once, with the fields the producer changes while it runs taken
 * from their own atomic loads; true unless the copy overlapped a restart. */
static bool snapshot_header(const struct vg_fp_consumer *c, struct vg_fp_header *h)
{
    struct vg_fp_header *sh = shared_header(c);

    /* The producer zeroes the magic before rewriting the header and stores it (release) last,
     * with a session that differs from the previous one. The session is read before the copy
     * and again after it: a copy that overlapped a restart sees it change, even one that took
     * the new session with the old layout. It is read before the magic and after magic_after
     * so that a restart's session store, once seen, orders the magic loads behind it. */
    const uint64_t session = __atomic_load_n(&sh->session, __ATOMIC_ACQUIRE);
    const uint64_t magic = __atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE);
    const uint64_t heartbeat = __atomic_load_n(&sh->heartbeat, __ATOMIC_ACQUIRE);
    const uint32_t state = __atomic_load_n(&sh->state, __ATOMIC_ACQUIRE);
    const uint64_t latest = __atomic_load_n(&sh->latest, __ATOMIC_ACQUIRE);
    if (c->copy_header)
        c->copy_header(h, sh, sizeof(*h), c->copy_header_arg);
    else
        memcpy(h, sh, sizeof(*h));
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    const uint64_t magic_after = __atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE);
    const uint64_t session_after = __atomic_load_n(&sh->session, __ATOMIC_RELAXED);
    h->magic = magic;
    h->session = session;
    h->heartbeat = heartbeat;
    h->state = state;
    h->latest = latest;
    return magic_after == magic && session_after == session;
}

/* Judges the copy h; false, with info filled in, if it does not describe a usable region. */
static bool check_header(const struct vg_fp_consumer *c, const struct vg_fp_header *h, bool steady,
                         struct vg_fp_layout *layout, struct vg_fp_status_info *info)
{
    if (h->magic != VG_FP_MAGIC) {
        info->status = VG_FP_WAIT_NO_MAGIC;
        info->error = VG_FP_ERR_MAGIC;
        snprintf(info->reason, sizeof(info->reason),
                 "waiting for the guest: no vgapt producer in the shared memory yet");
        return false;
    }
    if (h->version != VG_FP_VERSION) {
        info->status = VG_FP_WAIT_VERSION;
        info->error = VG_FP_ERR_VERSION;
        info->found_version = h->version;
        snprintf(info->reason, sizeof(info->reason),
                 "unsupported protocol version %" PRIu32 " (this client speaks %u): "
                 "install the same vgapt version on host and guest",
                 h->version, VG_FP_VERSION);
        return false;
    }
    if (!steady) {
        info->status = VG_FP_WAIT_STARTING;
        snprintf(info->reason, sizeof(info->reason), "guest producer is restarting");
        return false;
    }

    const enum vg_fp_error err = vg_fp_validate_header(h, c->size, layout);
    if (err != VG_FP_OK) {
        info->status = VG_FP_WAIT_INVALID;
        info->error = err;
        snprintf(info->reason, sizeof(info->reason),
                 "guest wrote an invalid header (%s); restart vgapt-guest", vg_fp_error_str(err));
        return false;
    }
    return true;
}

/* Follows a new session or a new heartbeat; returns how long the heartbeat has not moved. */
static uint64_t note_heartbeat(struct vg_fp_consumer *c, const struct vg_fp_header *h,
                               uint64_t now_ns)
{
    if (h->session != c->session)
        follow_session(c, h->session, h->heartbeat, now_ns);
    else if (h->heartbeat != c->heartbeat) {
        c->heartbeat = h->heartbeat;
        c->heartbeat_seen_ns = now_ns;
        vg_fp_clock_sync_sample(&c->clock_sync, h->heartbeat, now_ns);
    }
    return now_ns > c->heartbeat_seen_ns ? now_ns - c->heartbeat_seen_ns : 0;
}

/* The status of a valid header, from the producer's state, its heartbeat and latest. */
static void judge_state(struct vg_fp_consumer *c, const struct vg_fp_header *h, uint64_t silent,
                        struct vg_fp_status_info *info)
{
    if (h->state == VG_FP_STATE_STOPPED) {
        info->status = VG_FP_WAIT_STOPPED;
        snprintf(info->reason, sizeof(info->reason), "guest stopped its producer");
    } else if (silent >= c->stall_ns) {
        info->status = VG_FP_WAIT_STALLED;
        snprintf(info->reason, sizeof(info->reason),
                 "producer not responding (no heartbeat for %" PRIu64 " ms)",
                 silent / VG_NS_PER_MS);
    } else if (h->state == VG_FP_STATE_STARTING) {
        info->status = VG_FP_WAIT_STARTING;
        snprintf(info->reason, sizeof(info->reason), "guest producer is starting");
    } else if (h->state == VG_FP_STATE_PAUSED) {
        info->status = VG_FP_WAIT_PAUSED;
        snprintf(info->reason, sizeof(info->reason), "guest paused its producer");
    } else if (h->latest == 0) {
        info->status = VG_FP_WAIT_NO_FRAME;
        snprintf(info->reason, sizeof(info->reason),
                 "guest producer running, no frame published yet");
    } else {
        info->status = VG_FP_READY;
        info->new_session = c->ready_session != h->session;
        c->ready_session = h->session;
        c->ready = true;
    }
}

enum vg_fp_status vg_fp_consumer_poll(struct vg_fp_consumer *c, uint64_t now_ns,
                                      struct vg_fp_status_info *info)
{
    struct vg_fp_status_info scratch;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof(*info));

    struct vg_fp_header h;
    const bool steady = snapshot_header(c, &h);
    c->poll_ns = now_ns;

    c->header_ok = false;
    c->ready = false;

    struct vg_fp_layout layout;
    if (!check_header(c, &h, steady, &layout, info))
        return info->status;

    c->layout = layout;
    c->header_ok = true;
    info->session = h.session;

    const uint64_t silent = note_heartbeat(c, &h, now_ns);

    if (c->writable) {
        struct vg_fp_header *sh = shared_header(c);
        __atomic_store_n(&sh->reader_session, h.session, __ATOMIC_RELAXED);
        __atomic_store_n(&sh->reader_heartbeat, now_ns, __ATOMIC_RELEASE);
    }

    judge_state(c, &h, silent, info);
    return info->status;
}

static void set_reader_slot(struct vg_fp_consumer *c, uint32_t slot)
{
    /* Sequentially consistent so that the slot's seq, loaded next, is not read before the hint
     * is visible to the producer; the hint only narrows the window, the seqlock decides. */
    if (c->writable)
        __atomic_store_n(&shared_header(c)->reader_slot, slot, __ATOMIC_SEQ_CST);
}

int vg_fp_consumer_next_frame(struct vg_fp_consumer *c, struct vg_fp_frame *out,
                              enum vg_fp_error *err)
{
    enum vg_fp_error scratch;
    if (!err)
        err = &scratch;
    *err = VG_FP_OK;
    if (!c->ready)
        return 0;

    const uint64_t latest = __atomic_load_n(&shared_header(c)->latest, __ATOMIC_ACQUIRE);
    if (latest == 0)
        return 0;
    const uint64_t serial = VG_FP_LATEST_SERIAL(latest);
    const uint32_t slot = VG_FP_LATEST_SLOT(latest);
    if (serial == 0 || slot >= c->layout.slot_count) {
        *err = VG_FP_ERR_LATEST;
        return -EPROTO;
    }
    if (serial <= c->last_serial)
        return 0;

    c->have_frame = false;
    set_reader_slot(c, slot);

    struct vg_fp_slot *ss = shared_slot(c, slot);
    const uint32_t seq = __atomic_load_n(&ss->seq, __ATOMIC_ACQUIRE);
    if (seq & 1u)
        goto retry;
    struct vg_fp_slot s;
    memcpy(&s, ss, sizeof(s));
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&ss->seq, __ATOMIC_RELAXED) != seq)
        goto retry; /* rewritten while we read its header: a newer frame is on its way */

    if (s.serial > serial)
        goto retry; /* the slot was reused after latest was read; latest moved on */
    if (s.serial < serial) {
        *err = VG_FP_ERR_LATEST;
        goto protocol_error;
    }
    *err = vg_fp_validate_slot(&s, &c->layout, slot, &c->frame);
    if (*err != VG_FP_OK)
        goto protocol_error;

    c->frame_seq = seq;
    c->frame_slot_offset = c->layout.slot_offset[slot];
    c->have_frame = true;
    c->last_serial = serial;
    if (out)
        *out = c->frame;
    return 1;

protocol_error:
    /* Not retried: the same frame would fail again. */
    c->last_serial = serial;
    set_reader_slot(c, VG_FP_NO_SLOT);
    return -EPROTO;
retry:
    set_reader_slot(c, VG_FP_NO_SLOT);
    return 0;
}

int vg_fp_consumer_copy(struct vg_fp_consumer *c, const struct vg_fp_frame *f, void *dst,
                        size_t dst_stride, const struct vg_fp_rect *rects, uint32_t n_rects)
{
    /* The geometry comes from our own validated copy, never from the caller's struct. */
    if (!c->have_frame || !f || f->serial != c->frame.serial || f->slot != c->frame.slot)
        return -EINVAL;
    if (c->frame_seq & 1u)
        return -EAGAIN;
    const struct vg_fp_frame *fr = &c->frame;
    const size_t bpp = vg_fp_format_bpp(fr->format);
    const size_t row_bytes = (size_t)fr->width * bpp;
    if (!dst || (n_rects > 0 && !rects))
        return -EINVAL;
    for (uint32_t i = 0; i < n_rects; i++) {
        if (!vg_fp_rect_inside(&rects[i], fr->width, fr->height))
            return -EINVAL;
    }
    if (n_rects == 0 && dst_stride < row_bytes)
        return -EINVAL;

    const uint8_t *src = c->base + fr->data_offset;
    uint8_t *out = dst;
    if (n_rects == 0) {
        if (dst_stride == fr->stride) {
            memcpy(out, src, (size_t)fr->stride * (fr->height - 1) + row_bytes);
        } else {
            for (uint32_t y = 0; y < fr->height; y++)
                memcpy(out + (size_t)y * dst_stride, src + (size_t)y * fr->stride, row_bytes);
        }
    } else {
        for (uint32_t i = 0; i < n_rects; i++) {
            const struct vg_fp_rect *r = &rects[i];
            const size_t x_bytes = (size_t)r->x * bpp;
            const size_t w_bytes = (size_t)r->w * bpp;
            for (uint32_t y = r->y; y < r->y + r->h; y++)
                memcpy(out + (size_t)y * dst_stride + x_bytes,
                       src + (size_t)y * fr->stride + x_bytes, w_bytes);
        }
    }

    /* Seqlock read side: the copy above must be complete before seq is read again. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    const struct vg_fp_slot *ss = (const struct vg_fp_slot *)(c->base + c->frame_slot_offset);
    const uint32_t seq = __atomic_load_n(&ss->seq, __ATOMIC_RELAXED);
    return seq == c->frame_seq ? 0 : -EAGAIN;
}

uint32_t vg_fp_consumer_clock(const struct vg_fp_consumer *c)
{
    return c->header_ok ? c->layout.clock : VG_FP_CLOCK_GUEST;
}

bool vg_fp_consumer_capture_time(const struct vg_fp_consumer *c, uint64_t capture_ns,
                                 uint64_t *local_ns)
{
    if (!c->header_ok || !local_ns)
        return false;
    uint64_t t = 0;
    bool known = false;
    int64_t offset;
    /* One sample is enough to tell a false claim: it is off by the clocks' offset. */
    if (c->layout.clock == VG_FP_CLOCK_HOST_MONOTONIC &&
        vg_fp_clock_sync_offset(&c->clock_sync, 1, &offset) &&
        offset <= (int64_t)HOST_CLOCK_TOLERANCE_NS && offset >= -(int64_t)HOST_CLOCK_TOLERANCE_NS) {
        t = capture_ns;
        known = true;
    } else {
        known =
            vg_fp_clock_sync_to_local(&c->clock_sync, VG_FP_CLOCK_SYNC_MIN_SAMPLES, capture_ns, &t);
    }
    if (!known)
        return false;
    /* Nothing is captured after we saw it: a latency is never negative. */
    *local_ns = t > c->poll_ns ? c->poll_ns : t;
    return true;
}

void vg_fp_consumer_done(struct vg_fp_consumer *c)
{
    if (!c)
        return;
    /* Only into a header we validated: the region may hold another protocol by now. */
    if (c->header_ok)
        set_reader_slot(c, VG_FP_NO_SLOT);
    c->have_frame = false;
}

/* Reads the position block; 1 if it changed, 0 if not or torn, -EPROTO if invalid. */
static int read_cursor_pos(struct vg_fp_consumer *c, struct vg_fp_cursor_state *st)
{
    struct vg_fp_cursor *sc = &shared_header(c)->cursor;
    const uint32_t seq = __atomic_load_n(&sc->pos_seq, __ATOMIC_ACQUIRE);
    if (seq & 1u)
        return 0;
    struct vg_fp_cursor cur;
    memcpy(&cur, sc, sizeof(cur));
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&sc->pos_seq, __ATOMIC_RELAXED) != seq)
        return 0;
    if (c->pos_known && cur.pos_serial == c->pos_serial)
        return 0;
    c->pos_known = true;
    c->pos_serial = cur.pos_serial;
    if (vg_fp_validate_cursor_pos(&cur) != VG_FP_OK)
        return -EPROTO;
    st->pos_serial = cur.pos_serial;
    st->x = cur.x;
    st->y = cur.y;
    st->visible = cur.visible != 0;
    return 1;
}

/* Reads the shape; 2 if a new one was copied, 0 if none is new, -EAGAIN if torn (retried on
 * the next call), -EPROTO if invalid (not retried), -ENOBUFS if shape_cap is too small. */
static int read_cursor_shape(struct vg_fp_consumer *c, struct vg_fp_cursor_state *st, void *shape,
                             size_t shape_cap)
{
    struct vg_fp_cursor *sc = &shared_header(c)->cursor;
    const uint32_t seq = __atomic_load_n(&sc->shape_seq, __ATOMIC_ACQUIRE);
    if (seq & 1u)
        return -EAGAIN;
    struct vg_fp_cursor cur;
    memcpy(&cur, sc, sizeof(cur));
    if (cur.shape_serial == 0 || cur.shape_serial == c->shape_serial)
        return 0;

    const enum vg_fp_error err = vg_fp_validate_cursor_shape(&cur);
    if (err == VG_FP_OK) {
        const uint8_t *src = c->base + VG_FP_CURSOR_SHAPE_OFFSET;
        const size_t row = (size_t)cur.width * 4u;
        for (uint32_t y = 0; y < cur.height; y++)
            memcpy(c->shape_tmp + y * row, src + (size_t)y * cur.stride, row);
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&sc->shape_seq, __ATOMIC_RELAXED) != seq)
        return -EAGAIN;
    if (err != VG_FP_OK) {
        c->shape_serial = cur.shape_serial;
        return -EPROTO;
    }
    const size_t bytes = (size_t)cur.width * cur.height * 4u;
    if (!shape || shape_cap < bytes)
        return -ENOBUFS;
    memcpy(shape, c->shape_tmp, bytes);
    c->shape_serial = cur.shape_serial;
    st->shape_serial = cur.shape_serial;
    st->width = cur.width;
    st->height = cur.height;
    st->hot_x = cur.hot_x;
    st->hot_y = cur.hot_y;
    return 2;
}

int vg_fp_consumer_cursor(struct vg_fp_consumer *c, struct vg_fp_cursor_state *st, void *shape,
                          size_t shape_cap)
{
    if (!c->header_ok || !st)
        return 0;
    const int pos = read_cursor_pos(c, st);
    const int shp = read_cursor_shape(c, st, shape, shape_cap);
    const int bits = (pos > 0 ? pos : 0) | (shp > 0 ? shp : 0);
    if (bits)
        return bits;
    if (shp < 0)
        return shp;
    return pos < 0 ? pos : 0;
}

void vg_fp_consumer_set_header_copy(struct vg_fp_consumer *c,
                                    void (*copy)(void *dst, const void *src, size_t n, void *arg),
                                    void *arg)
{
    c->copy_header = copy;
    c->copy_header_arg = arg;
}
