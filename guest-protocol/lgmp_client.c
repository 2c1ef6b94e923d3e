/* The LGMP 6 client algorithm (spec §4) over a region a possibly hostile host shares with us.
 *
 * Every shared word is read with one atomic load into a local and only the local is used; the
 * words the client writes are exactly those of the spec's list (§7.2). Lock spins are bounded
 * (LOCK_WAIT_NS) and give up early when the session changes or the host's heartbeat stops,
 * since a stopped heartbeat with the lock held means the host's timer is stuck behind the
 * same lock. Time for those bounds is CLOCK_MONOTONIC (vg_time_ns); the heartbeat rule of
 * session_valid uses the caller's now_ms instead, so the two never mix. */
#include "vg/lgmp.h"

#include "lgmp_atomic.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vg/log.h"
#include "vg/time.h"

#define LOCK_WAIT_NS (200 * VG_NS_PER_MS)
#define LOCK_STALL_NS (100 * VG_NS_PER_MS) /* heartbeat frozen this long while spinning */
#define LOCK_FAST_TRIES 64
#define LOCK_SLEEP_NS (50 * VG_NS_PER_US)

#define ON_BIT(id) (UINT64_C(1) << (32 + (id)))
#define BAD_BIT(id) (UINT64_C(1) << (id))

struct vg_lgmp_client {
    uint8_t *base;
    uint64_t size;
    struct vg_lgmp_header *hdr;

    /* Session init's observation (P3): the heartbeat must move between two calls that both
     * saw a valid magic and version and the same session id. */
    bool have_obs;
    uint32_t obs_session;
    uint64_t obs_time;
    uint32_t found_version;

    /* The session, once init succeeded. */
    bool in_session;
    uint32_t session_id;
    uint32_t generation; /* bumped at each successful init: older subscriptions go stale */
    uint32_t client_id;
    uint64_t saved_host_time;
    uint64_t last_heartbeat_ms;
    bool last_valid; /* what session_valid answered last */
    uint8_t *udata;
    uint32_t udata_size;
    uint64_t rng;
};

struct vg_lgmp_sub {
    struct vg_lgmp_client *c;
    uint32_t generation;
    uint32_t id;
    struct vg_lgmp_queue_geom geom;
    uint64_t payload_floor;
    uint32_t pos; /* local read position */
};

enum lock_result {
    LOCK_TAKEN,
    LOCK_TIMED_OUT,
    LOCK_SESSION_GONE,
};


static enum lock_result lock_bounded(struct vg_lgmp_client *c, uint32_t *l)
{
    for (int i = 0; i < LOCK_FAST_TRIES; i++) {
        if (vg_lgmp_try_lock(l))
            return LOCK_TAKEN;
    }
    const uint64_t start = vg_time_ns();
    uint64_t beat = vg_lgmp_ld64(&c->hdr->timestamp);
    uint64_t beat_ns = start;
    for (;;) {
        if (vg_lgmp_try_lock(l))
            return LOCK_TAKEN;
        if (vg_lgmp_ld32(&c->hdr->session_id) != c->session_id || vg_lgmp_ld32(&c->hdr->magic) != VG_LGMP_MAGIC)
            return LOCK_SESSION_GONE;
        const uint64_t now = vg_time_ns();
        const uint64_t t = vg_lgmp_ld64(&c->hdr->timestamp);
        if (t != beat) {
            beat = t;
            beat_ns = now;
        }
        if (now - start >= LOCK_WAIT_NS || now - beat_ns >= LOCK_STALL_NS)
            return LOCK_TIMED_OUT;
        vg_sleep_ns(LOCK_SLEEP_NS);
    }
}

static void set_err(enum vg_lgmp_error *err, enum vg_lgmp_error e)
{
    if (err)
        *err = e;
}

static uint32_t next_random(struct vg_lgmp_client *c)
{
    /* splitmix64: client ids need only differ between clients, not be secret (P16). */
    uint64_t z = (c->rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return (uint32_t)(z ^ (z >> 31));
}

struct vg_lgmp_client *vg_lgmp_client_create(void *base, size_t size)
{
    if (!base) {
        vg_err("lgmp: no shared memory to read");
        return NULL;
    }
    if (size < sizeof(struct vg_lgmp_header)) {
        vg_err("lgmp: shared memory of %zu bytes is smaller than the LGMP header (%zu): is the "
               "ivshmem size set in the VM?",
               size, sizeof(struct vg_lgmp_header));
        return NULL;
    }
    if ((uintptr_t)base % 8 != 0) {
        vg_err("lgmp: shared memory mapped at %p, not 8-byte aligned", base);
        return NULL;
    }
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        vg_err("lgmp: no monotonic clock");
        return NULL;
    }
    struct vg_lgmp_client *c = calloc(1, sizeof(*c));
    if (!c) {
        vg_err("lgmp: out of memory");
        return NULL;
    }
    c->base = base;
    c->size = size;
    c->hdr = base;
    c->rng = ((uint64_t)ts.tv_sec * VG_NS_PER_S + (uint64_t)ts.tv_nsec) ^ (uintptr_t)c;
    return c;
}

void vg_lgmp_client_destroy(struct vg_lgmp_client *c)
{
    if (!c)
        return;
    free(c->udata);
    free(c);
}

/* P3: the host stores sessionID, then magic and timestamp, then the user data and queues, and
 * starts its 10 ms heartbeat only when all that is done. A timestamp change seen between two
 * calls that both found the magic, the version and the same session id therefore means the
 * setup is complete. A call that finds a different session id only records it, so a restart
 * over a region that still has an old session's magic is not taken for ready. */
enum vg_lgmp_status vg_lgmp_client_session_init(struct vg_lgmp_client *c, uint64_t now_ms,
                                                enum vg_lgmp_error *err)
{
    set_err(err, VG_LGMP_E_OK);
    struct vg_lgmp_header *h = c->hdr;
    const uint32_t magic = vg_lgmp_ld32(&h->magic);
    if (magic != VG_LGMP_MAGIC) {
        c->have_obs = false;
        set_err(err, VG_LGMP_E_MAGIC);
        return VG_LGMP_ERR_INVALID_MAGIC;
    }
    const uint32_t version = vg_lgmp_ld32(&h->version);
    c->found_version = version;
    if (version != VG_LGMP_VERSION) {
        c->have_obs = false;
        set_err(err, VG_LGMP_E_VERSION);
        return VG_LGMP_ERR_INVALID_VERSION;
    }
    const uint32_t session = vg_lgmp_ld32(&h->session_id);
    const uint64_t stamp = vg_lgmp_ld64(&h->timestamp);
    const bool moved = c->have_obs && c->obs_session == session && c->obs_time != stamp;
    c->have_obs = true;
    c->obs_session = session;
    c->obs_time = stamp;
    if (!moved)
        return VG_LGMP_ERR_INVALID_SESSION;

    /* A private header with just the fields the validator reads, each read once. */
    static const struct vg_lgmp_header zero;
    struct vg_lgmp_header copy = zero;
    copy.magic = magic;
    copy.version = version;
    copy.session_id = session;
    copy.num_queues = vg_lgmp_ld32(&h->num_queues);
    copy.udata_size = vg_lgmp_ld32(&h->udata_size);
    const enum vg_lgmp_error e = vg_lgmp_validate_header(&copy, c->size);
    if (e != VG_LGMP_E_OK) {
        set_err(err, e);
        return VG_LGMP_ERR_INVALID_SIZE;
    }

    uint8_t *udata = malloc(copy.udata_size);
    if (!udata)
        return VG_LGMP_ERR_NO_MEM;
    memcpy(udata, c->base + VG_LGMP_UDATA_OFFSET, copy.udata_size);
    free(c->udata);
    c->udata = udata;
    c->udata_size = copy.udata_size;

    /* Subscriptions of an older session are forgotten: they see a stale generation and
     * never write again (P7). */
    c->generation++;
    c->in_session = true;
    c->session_id = session;
    c->saved_host_time = stamp;
    c->last_heartbeat_ms = now_ms;
    c->last_valid = true;
    do {
        c->client_id = next_random(c);
    } while (c->client_id == 0); /* 0 is what reaping writes */
    return VG_LGMP_OK;
}

const uint8_t *vg_lgmp_client_udata(const struct vg_lgmp_client *c, uint32_t *size)
{
    if (size)
        *size = c->in_session ? c->udata_size : 0;
    return c->in_session ? c->udata : NULL;
}

uint32_t vg_lgmp_client_found_version(const struct vg_lgmp_client *c)
{
    return c->found_version;
}

uint32_t vg_lgmp_client_session_id(const struct vg_lgmp_client *c)
{
    return c->session_id;
}

bool vg_lgmp_client_session_valid(struct vg_lgmp_client *c, uint64_t now_ms, uint64_t timeout_ms)
{
    if (!c->in_session)
        return false;
    if (timeout_ms == 0)
        timeout_ms = VG_LGMP_HEARTBEAT_TIMEOUT_MS;
    bool valid = true;
    if (vg_lgmp_ld32(&c->hdr->session_id) != c->session_id) {
        valid = false;
    } else {
        /* P2: inequality only; host time may restart near 0 or run backwards. */
        const uint64_t stamp = vg_lgmp_ld64(&c->hdr->timestamp);
        /* What session init compares against next (§4.2: savedHostTime): after the heartbeat
         * stops, a new session needs it to move again, not just to differ from the timestamp
         * of the last init. */
        c->have_obs = true;
        c->obs_session = c->session_id;
        c->obs_time = stamp;
        if (stamp != c->saved_host_time) {
            c->saved_host_time = stamp;
            c->last_heartbeat_ms = now_ms;
        } else if (now_ms > c->last_heartbeat_ms && now_ms - c->last_heartbeat_ms > timeout_ms) {
            valid = false;
        }
    }
    c->last_valid = valid;
    return valid;
}

static struct vg_lgmp_queue *queue_of(const struct vg_lgmp_sub *s)
{
    return &s->c->hdr->queues[s->geom.index];
}

/* The subscription belongs to the current session of its client. */
static bool sub_current(const struct vg_lgmp_sub *s)
{
    const struct vg_lgmp_client *c = s->c;
    return c->in_session && s->generation == c->generation &&
           vg_lgmp_ld32(&c->hdr->session_id) == c->session_id;
}

/* Reads queue i's geometry once and validates it. */
static enum vg_lgmp_error read_geom(const struct vg_lgmp_client *c, uint32_t i,
                                    struct vg_lgmp_queue_geom *g)
{
    struct vg_lgmp_queue *q = &c->hdr->queues[i];
    const uint32_t id = vg_lgmp_ld32(&q->queue_id);
    const uint32_t n = vg_lgmp_ld32(&q->num_messages);
    const uint32_t off = vg_lgmp_ld32(&q->messages_offset);
    const uint32_t max_time = vg_lgmp_ld32(&q->max_time);
    return vg_lgmp_validate_queue(i, id, n, off, max_time, c->udata_size, c->size, g);
}

enum vg_lgmp_status vg_lgmp_client_subscribe(struct vg_lgmp_client *c, uint32_t queue_id,
                                             struct vg_lgmp_sub **sub, enum vg_lgmp_error *err)
{
    set_err(err, VG_LGMP_E_OK);
    *sub = NULL;
    struct vg_lgmp_header *h = c->hdr;
    if (!c->in_session || vg_lgmp_ld32(&h->session_id) != c->session_id)
        return VG_LGMP_ERR_INVALID_SESSION;
    const uint32_t num_queues = vg_lgmp_ld32(&h->num_queues);
    if (num_queues > VG_LGMP_MAX_QUEUES) {
        set_err(err, VG_LGMP_E_NUM_QUEUES);
        return VG_LGMP_ERR_CORRUPTED;
    }
    uint32_t index = UINT32_MAX;
    for (uint32_t i = 0; i < num_queues && index == UINT32_MAX; i++) {
        if (vg_lgmp_ld32(&h->queues[i].queue_id) == queue_id)
            index = i;
    }
    if (index == UINT32_MAX)
        return VG_LGMP_ERR_NO_SUCH_QUEUE; /* P3: the host may still be creating queues */

    /* Snapshot of the geometry; the floor is past every queue's descriptor array. */
    struct vg_lgmp_queue_geom geom = {0};
    uint64_t floor = (uint64_t)VG_LGMP_UDATA_OFFSET + c->udata_size;
    for (uint32_t i = 0; i < num_queues; i++) {
        struct vg_lgmp_queue_geom g;
        const enum vg_lgmp_error e = read_geom(c, i, &g);
        if (e != VG_LGMP_E_OK) {
            set_err(err, e);
            return VG_LGMP_ERR_CORRUPTED;
        }
        const uint64_t end =
            (uint64_t)g.messages_offset + (uint64_t)g.num_messages * sizeof(struct vg_lgmp_message);
        if (end > floor)
            floor = end;
        if (i == index)
            geom = g;
    }
    if (geom.queue_id != queue_id) {
        set_err(err, VG_LGMP_E_QUEUE_CHANGED); /* rewritten between the two reads */
        return VG_LGMP_ERR_CORRUPTED;
    }

    struct vg_lgmp_sub *s = calloc(1, sizeof(*s));
    if (!s)
        return VG_LGMP_ERR_NO_MEM;

    struct vg_lgmp_queue *q = &h->queues[index];
    switch (lock_bounded(c, &q->lock)) {
    case LOCK_TAKEN:
        break;
    case LOCK_TIMED_OUT:
        set_err(err, VG_LGMP_E_LOCK_TIMEOUT);
        free(s);
        return VG_LGMP_ERR_INVALID_SESSION;
    case LOCK_SESSION_GONE:
        free(s);
        return VG_LGMP_ERR_INVALID_SESSION;
    }

    enum vg_lgmp_status st = VG_LGMP_OK;
    const uint32_t position = vg_lgmp_ld32(&q->position);
    if (position >= geom.num_messages) {
        set_err(err, VG_LGMP_E_INDEX);
        st = VG_LGMP_ERR_CORRUPTED;
        goto unlock;
    }
    uint64_t subs = vg_lgmp_ld64(&q->subs);
    if (subs >> 32) {
        /* Reap ids the host marked BAD at least maxTime ago (§4.4 step 4). */
        const uint64_t now = vg_lgmp_ld64(&h->timestamp);
        for (uint32_t id = 0; id < VG_LGMP_MAX_SUBS; id++) {
            if (!(subs & BAD_BIT(id)) || !(now > vg_lgmp_ld64(&q->timeout[id])))
                continue;
            vg_lgmp_st64(&q->timeout[id], 0);
            vg_lgmp_st32(&q->client_id[id], 0);
            subs &= ~(ON_BIT(id) | BAD_BIT(id));
        }
    }
    const uint32_t used = (uint32_t)(subs >> 32) | (uint32_t)subs;
    if (used == UINT32_MAX) {
        st = VG_LGMP_ERR_QUEUE_FULL; /* P15; the reaping above is not committed */
        goto unlock;
    }
    const uint32_t id = (uint32_t)__builtin_ctz(~used);
    vg_lgmp_st64(&q->timeout[id], 0);
    vg_lgmp_st32(&q->client_id[id], c->client_id);
    vg_lgmp_st64(&q->subs, subs | ON_BIT(id)); /* also commits the reaping */
    __atomic_fetch_add(&q->new_sub_count, 1, __ATOMIC_SEQ_CST);

    *s = (struct vg_lgmp_sub){
        .c = c,
        .generation = c->generation,
        .id = id,
        .geom = geom,
        .payload_floor = floor,
        .pos = position,
    };
unlock:
    vg_lgmp_unlock(&q->lock);
    if (st != VG_LGMP_OK) {
        free(s);
        return st;
    }
    *sub = s;
    return VG_LGMP_OK;
}

void vg_lgmp_client_unsubscribe(struct vg_lgmp_sub *s, bool write)
{
    if (!s)
        return;
    /* P7: after a session change our id may belong to someone else: drop without writing. */
    if (!write || !sub_current(s))
        goto cleanup;
    struct vg_lgmp_queue *q = queue_of(s);
    if (lock_bounded(s->c, &q->lock) != LOCK_TAKEN)
        goto cleanup;
    const uint64_t subs = vg_lgmp_ld64(&q->subs);
    /* BAD: nothing is cleared, the slot stays ON+BAD until reaped (§4.8 step 2). A clientID
     * that is not ours means the id was reaped and given to another client: not ours to
     * clear (the host never writes clientID). */
    if (!(subs & BAD_BIT(s->id)) && vg_lgmp_ld32(&q->client_id[s->id]) == s->c->client_id) {
        vg_lgmp_st64(&q->subs, subs & ~(ON_BIT(s->id) | BAD_BIT(s->id)));
        vg_lgmp_st64(&q->timeout[s->id], 0);
        vg_lgmp_st32(&q->client_id[s->id], 0);
    }
    vg_lgmp_unlock(&q->lock);
cleanup:
    free(s);
}

/* The checks process and message-done share (§4.5 steps 1-3), with the re-check of the
 * geometry. OK when a message is waiting at s->pos; *m points at its descriptor. */
static enum vg_lgmp_status check_next(struct vg_lgmp_sub *s, struct vg_lgmp_message **m,
                                      enum vg_lgmp_error *err)
{
    set_err(err, VG_LGMP_E_OK);
    if (!sub_current(s))
        return VG_LGMP_ERR_INVALID_SESSION;
    struct vg_lgmp_client *c = s->c;
    struct vg_lgmp_queue *q = queue_of(s);
    if (vg_lgmp_ld32(&q->queue_id) != s->geom.queue_id || vg_lgmp_ld32(&q->num_messages) != s->geom.num_messages ||
        vg_lgmp_ld32(&q->messages_offset) != s->geom.messages_offset) {
        set_err(err, VG_LGMP_E_QUEUE_CHANGED);
        return VG_LGMP_ERR_CORRUPTED;
    }
    const uint64_t subs = vg_lgmp_ld64(&q->subs);
    if (subs & BAD_BIT(s->id))
        return VG_LGMP_ERR_QUEUE_TIMEOUT;
    if (!(subs & ON_BIT(s->id)))
        return c->last_valid ? VG_LGMP_ERR_QUEUE_UNSUBSCRIBED : VG_LGMP_ERR_INVALID_SESSION;
    /* Reaped and given to another client (as advance-to-last checks, §4.7). */
    if (vg_lgmp_ld32(&q->client_id[s->id]) != c->client_id)
        return VG_LGMP_ERR_QUEUE_TIMEOUT;
    const uint32_t position = vg_lgmp_ld32(&q->position);
    if (position >= s->geom.num_messages) {
        set_err(err, VG_LGMP_E_INDEX);
        return VG_LGMP_ERR_CORRUPTED;
    }
    if (position == s->pos)
        return VG_LGMP_ERR_QUEUE_EMPTY;
    *m = (struct vg_lgmp_message *)(c->base + s->geom.messages_offset) + s->pos;
    return VG_LGMP_OK;
}

enum vg_lgmp_status vg_lgmp_client_process(struct vg_lgmp_sub *s, uint32_t min_size,
                                           struct vg_lgmp_payload *out, enum vg_lgmp_error *err)
{
    struct vg_lgmp_message *m = NULL;
    const enum vg_lgmp_status st = check_next(s, &m, err);
    if (st != VG_LGMP_OK)
        return st;
    const struct vg_lgmp_message copy = {
        .udata = vg_lgmp_ld32(&m->udata),
        .size = vg_lgmp_ld32(&m->size),
        .offset = vg_lgmp_ld32(&m->offset),
    };
    const enum vg_lgmp_error e =
        vg_lgmp_validate_message(&copy, s->payload_floor, s->c->size, min_size, out);
    if (e != VG_LGMP_E_OK) {
        set_err(err, e);
        return VG_LGMP_ERR_CORRUPTED;
    }
    return VG_LGMP_OK;
}

enum vg_lgmp_status vg_lgmp_client_message_done(struct vg_lgmp_sub *s, enum vg_lgmp_error *err)
{
    struct vg_lgmp_message *m = NULL;
    const enum vg_lgmp_status st = check_next(s, &m, err);
    if (st != VG_LGMP_OK)
        return st;
    struct vg_lgmp_client *c = s->c;
    struct vg_lgmp_queue *q = queue_of(s);
    const uint32_t n = s->geom.num_messages;
    const uint32_t bit = UINT32_C(1) << s->id;
    const uint32_t pending = __atomic_fetch_and(&m->pending_subs, ~bit, __ATOMIC_SEQ_CST);

    /* The last to acknowledge releases the message if the lock is free right now; otherwise
     * the host's next pass does (§4.6 step 4). */
    if ((pending & ~bit) == 0 && vg_lgmp_try_lock(&q->lock)) {
        const uint32_t start = vg_lgmp_ld32(&q->start);
        if (start >= n) {
            vg_lgmp_unlock(&q->lock);
            set_err(err, VG_LGMP_E_INDEX);
            return VG_LGMP_ERR_CORRUPTED;
        }
        if (start == s->pos) {
            vg_lgmp_st32(&q->start, (start + 1) % n);
            const uint32_t count = __atomic_fetch_sub(&q->count, 1, __ATOMIC_SEQ_CST);
            if (count == 0) {
                vg_lgmp_st32(&q->count, 0);
                vg_lgmp_unlock(&q->lock);
                set_err(err, VG_LGMP_E_COUNT_UNDERFLOW);
                return VG_LGMP_ERR_CORRUPTED;
            }
            uint64_t deadline;
            if (__builtin_add_overflow(vg_lgmp_ld64(&c->hdr->timestamp), (uint64_t)s->geom.max_time,
                                       &deadline))
                deadline = UINT64_MAX;
            vg_lgmp_st64(&q->msg_timeout, deadline);
        }
        vg_lgmp_unlock(&q->lock);
    }
    s->pos = (s->pos + 1) % n;
    return VG_LGMP_OK;
}

enum vg_lgmp_status vg_lgmp_client_send(struct vg_lgmp_sub *s, const void *data, uint32_t size,
                                        uint32_t *serial, enum vg_lgmp_error *err)
{
    set_err(err, VG_LGMP_E_OK);
    if (size > VG_LGMP_MSGS_SIZE)
        return VG_LGMP_ERR_INVALID_SIZE;
    if (size && !data)
        return VG_LGMP_ERR_INVALID_ARGUMENT;
    if (!sub_current(s))
        return VG_LGMP_ERR_INVALID_SESSION; /* the ring now belongs to another session */
    struct vg_lgmp_queue *q = queue_of(s);
    if (vg_lgmp_ld64(&q->subs) & BAD_BIT(s->id))
        return VG_LGMP_ERR_QUEUE_TIMEOUT;
    const uint32_t avail = vg_lgmp_ld32(&q->cmsg_avail);
    if (avail > VG_LGMP_MSGS_MAX) {
        set_err(err, VG_LGMP_E_CMSG_STATE);
        return VG_LGMP_ERR_CORRUPTED;
    }
    if (avail == 0)
        return VG_LGMP_ERR_QUEUE_FULL;

    switch (lock_bounded(s->c, &q->cmsg_lock)) {
    case LOCK_TAKEN:
        break;
    case LOCK_TIMED_OUT:
        set_err(err, VG_LGMP_E_LOCK_TIMEOUT);
        return VG_LGMP_ERR_INVALID_SESSION;
    case LOCK_SESSION_GONE:
        return VG_LGMP_ERR_INVALID_SESSION;
    }
    enum vg_lgmp_status st = VG_LGMP_OK;
    const uint32_t avail2 = vg_lgmp_ld32(&q->cmsg_avail);
    const uint32_t w = vg_lgmp_ld32(&q->cmsg_wpos);
    if (avail2 > VG_LGMP_MSGS_MAX || w >= VG_LGMP_MSGS_MAX) {
        set_err(err, VG_LGMP_E_CMSG_STATE);
        st = VG_LGMP_ERR_CORRUPTED;
        goto unlock;
    }
    if (avail2 == 0) {
        st = VG_LGMP_ERR_QUEUE_FULL;
        goto unlock;
    }
    struct vg_lgmp_client_msg *msg = &q->cmsgs[w];
    vg_lgmp_st32(&msg->size, size);
    if (size)
        memcpy(msg->data, data, size);
    vg_lgmp_st32(&q->cmsg_wpos, (w + 1) % VG_LGMP_MSGS_MAX);
    __atomic_fetch_sub(&q->cmsg_avail, 1, __ATOMIC_SEQ_CST);
    const uint32_t prev = __atomic_fetch_add(&q->cmsg_wserial, 1, __ATOMIC_SEQ_CST);
    if (serial)
        *serial = prev + 1;
unlock:
    vg_lgmp_unlock(&q->cmsg_lock);
    return st;
}

enum vg_lgmp_status vg_lgmp_client_get_serial(struct vg_lgmp_sub *s, uint32_t *serial)
{
    if (!sub_current(s))
        return VG_LGMP_ERR_INVALID_SESSION;
    struct vg_lgmp_queue *q = queue_of(s);
    if (vg_lgmp_ld64(&q->subs) & BAD_BIT(s->id))
        return VG_LGMP_ERR_QUEUE_TIMEOUT;
    *serial = vg_lgmp_ld32(&q->cmsg_rserial);
    return VG_LGMP_OK;
}

uint32_t vg_lgmp_sub_id(const struct vg_lgmp_sub *s)
{
    return s->id;
}
