/* The LGMP 6 host (spec §2, §6): header and queue initialisation in B7's order, the bump
 * allocator, the 10 ms pass that beats the heartbeat, expels stragglers and releases messages,
 * posting, and the host side of the client->host ring.
 *
 * Clients share every queue word, so each one is accessed atomically, and the host keeps its
 * own copies of what only it writes (geometry, write index, ring read index) instead of
 * trusting the region. Lock waits are bounded: a client that died holding a lock costs a
 * tick 100 ms, never the producer. */
#include "vg/lgmp.h"

#include "lgmp_atomic.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "vg/log.h"
#include "vg/time.h"

#define LOCK_TIMEOUT_NS (100 * VG_NS_PER_MS)
#define LOCK_FAST_SPINS 256u
#define LOCK_SLEEP_NS (20 * VG_NS_PER_US)
#define FIRST_FREE(udata_size)                                                                     \
    (((uint64_t)sizeof(struct vg_lgmp_header) + (udata_size) + 3u) & ~3ull)

struct host_queue {
    uint32_t num_messages;
    uint32_t max_time;
    uint32_t messages_offset;
    uint32_t position;  /* our write index; the region's copy is only for clients */
    uint32_t cmsg_read; /* private read index into cMsgs (§2.3) */
    bool lock_stuck;    /* a timeout was reported; cleared when the lock is taken again */
};

struct vg_lgmp_host {
    uint8_t *base;
    uint64_t size;
    uint32_t session_id;
    uint64_t next_free;
    uint32_t num_queues;
    struct host_queue queues[VG_LGMP_MAX_QUEUES];
};

static struct vg_lgmp_header *header(const struct vg_lgmp_host *h)
{
    return (struct vg_lgmp_header *)h->base;
}

static struct vg_lgmp_queue *shared_queue(const struct vg_lgmp_host *h, int queue)
{
    return &header(h)->queues[queue];
}

static struct vg_lgmp_message *descriptor(const struct vg_lgmp_host *h, const struct host_queue *q,
                                          uint32_t index)
{
    return (struct vg_lgmp_message *)(h->base + q->messages_offset) + index;
}

static bool valid_queue(const struct vg_lgmp_host *h, int queue)
{
    return h && queue >= 0 && (uint32_t)queue < h->num_queues;
}

/* CAS 0 -> 1 as the reference library does, but given up after LOCK_TIMEOUT_NS. */
static bool lock_take(uint32_t *lock)
{
    uint64_t deadline = 0;
    for (uint32_t spins = 0;; spins++) {
        if (vg_lgmp_try_lock(lock))
            return true;
        if (spins < LOCK_FAST_SPINS)
            continue;
        uint64_t now = vg_time_ns();
        if (deadline == 0)
            deadline = now + LOCK_TIMEOUT_NS;
        else if (now >= deadline)
            return false;
        vg_sleep_ns(LOCK_SLEEP_NS);
    }
}


static bool queue_lock(struct vg_lgmp_host *h, int queue, uint32_t *lock, const char *which)
{
    struct host_queue *q = &h->queues[queue];
    if (lock_take(lock)) {
        q->lock_stuck = false;
        return true;
    }
    if (!q->lock_stuck) {
        vg_warn("LGMP queue %" PRIu32 ": %s stayed held for %" PRIu64 " ms (a client died "
                "holding it?); carrying on without it",
                header(h)->queues[queue].queue_id, which, LOCK_TIMEOUT_NS / VG_NS_PER_MS);
        q->lock_stuck = true;
    }
    return false;
}

static uint32_t new_session_id(uint32_t previous)
{
    uint32_t v = 0;
    for (int tries = 0; v == 0 || v == previous; tries++) {
        if (tries > 8 || getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
            v ^= (uint32_t)(vg_time_ns() * UINT64_C(0x9E3779B97F4A7C15) >> 32) ^
                 (uint32_t)getpid() ^ (previous + 1u);
    }
    return v;
}

struct vg_lgmp_host *vg_lgmp_host_create(void *base, size_t size, const void *udata,
                                         uint32_t udata_size, uint32_t session_id, uint64_t now_ms)
{
    if (!base || (uintptr_t)base % 8 != 0) {
        vg_err("LGMP host: region %p is not 8-byte aligned", base);
        return NULL;
    }
    if (udata_size && !udata) {
        vg_err("LGMP host: %" PRIu32 " bytes of user data without a buffer", udata_size);
        return NULL;
    }
    uint64_t first_free = FIRST_FREE(udata_size);
    if ((uint64_t)size < first_free) {
        vg_err("LGMP host: a region of %zu bytes cannot hold the header and %" PRIu32
               " bytes of user data (%" PRIu64 " bytes needed); give the VM a larger ivshmem "
               "device",
               size, udata_size, first_free);
        return NULL;
    }

    struct vg_lgmp_host *h = calloc(1, sizeof(*h));
    if (!h) {
        vg_err("LGMP host: out of memory");
        return NULL;
    }
    h->base = base;
    h->size = size;
    h->next_free = first_free;

    struct vg_lgmp_header *sh = header(h);
    uint32_t previous = vg_lgmp_ld32(&sh->session_id);
    h->session_id = session_id && session_id != previous ? session_id : new_session_id(previous);

    /* B7's order (§2.2): the session first, then magic and heartbeat, then the rest. A client
     * can therefore see a valid magic over half-written user data (P3); that is the protocol. */
    vg_lgmp_st32(&sh->session_id, h->session_id);
    vg_lgmp_st32(&sh->magic, VG_LGMP_MAGIC);
    vg_lgmp_st64(&sh->timestamp, now_ms);
    vg_lgmp_st32(&sh->version, VG_LGMP_VERSION);
    vg_lgmp_st32(&sh->num_queues, 0);
    vg_lgmp_st32(&sh->udata_size, udata_size);
    if (udata_size)
        memcpy(h->base + VG_LGMP_UDATA_OFFSET, udata, udata_size);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    return h;
}

void vg_lgmp_host_destroy(struct vg_lgmp_host *h)
{
    free(h);
}

int64_t vg_lgmp_host_alloc(struct vg_lgmp_host *h, uint32_t size, uint32_t align)
{
    if (!h || align < 4 || (align & (align - 1)) != 0)
        return -EINVAL;
    uint64_t mask = (uint64_t)align - 1;
    uint64_t start = (h->next_free + mask) & ~mask;
    uint64_t len = ((uint64_t)size + mask) & ~mask;
    /* Offsets travel in 32-bit descriptor fields. */
    if (start > h->size || len > h->size - start || start + len > UINT32_MAX + UINT64_C(1))
        return -ENOSPC;
    h->next_free = start + len;
    return (int64_t)start;
}

uint64_t vg_lgmp_host_free_bytes(const struct vg_lgmp_host *h)
{
    return h && h->next_free < h->size ? h->size - h->next_free : 0;
}

int vg_lgmp_host_add_queue(struct vg_lgmp_host *h, uint32_t queue_id, uint32_t length,
                           uint32_t max_time_ms)
{
    if (!h || length == 0 || length >= VG_LGMP_MAX_QUEUE_MESSAGES)
        return -EINVAL;
    if (h->num_queues >= VG_LGMP_MAX_QUEUES)
        return -E2BIG;
    uint32_t n = length + 1;
    int64_t off = vg_lgmp_host_alloc(h, n * (uint32_t)sizeof(struct vg_lgmp_message), 4);
    if (off < 0)
        return (int)off;

    int index = (int)h->num_queues;
    struct host_queue *q = &h->queues[index];
    *q = (struct host_queue){
        .num_messages = n,
        .max_time = max_time_ms,
        .messages_offset = (uint32_t)off,
    };
    memset(h->base + off, 0, (size_t)n * sizeof(struct vg_lgmp_message));

    /* §2.3's initial values; timeout[] and clientID[] are left as they are, as B7 does: they
     * mean something only for ids with a bit in subs. */
    struct vg_lgmp_queue *sq = shared_queue(h, index);
    vg_lgmp_st32(&sq->lock, 0);
    vg_lgmp_st32(&sq->queue_id, queue_id);
    vg_lgmp_st32(&sq->num_messages, n);
    vg_lgmp_st32(&sq->new_sub_count, 0);
    vg_lgmp_st32(&sq->max_time, max_time_ms);
    vg_lgmp_st32(&sq->position, 0);
    vg_lgmp_st32(&sq->messages_offset, (uint32_t)off);
    vg_lgmp_st64(&sq->subs, 0);
    vg_lgmp_st32(&sq->start, 0);
    vg_lgmp_st64(&sq->msg_timeout, 0);
    vg_lgmp_st32(&sq->count, 0);
    vg_lgmp_st32(&sq->cmsg_lock, 0);
    vg_lgmp_st32(&sq->cmsg_avail, VG_LGMP_MSGS_MAX);
    vg_lgmp_st32(&sq->cmsg_wpos, 0);
    vg_lgmp_st32(&sq->cmsg_wserial, 0);
    vg_lgmp_st32(&sq->cmsg_rserial, 0);

    h->num_queues++;
    vg_lgmp_st32(&header(h)->num_queues, h->num_queues);
    return index;
}

/* Releases what can be released at start, expelling the stragglers of an overdue message
 * (§6.2 step 3). Called with the queue locked. */
static void process_queue(struct vg_lgmp_host *h, int queue, uint64_t now_ms)
{
    struct host_queue *q = &h->queues[queue];
    struct vg_lgmp_queue *sq = shared_queue(h, queue);
    uint64_t subs = vg_lgmp_ld64(&sq->subs);
    uint32_t count = vg_lgmp_ld32(&sq->count);
    uint32_t start = vg_lgmp_ld32(&sq->start);

    if (count > 0 && (start >= q->num_messages || count >= q->num_messages)) {
        /* A client scribbled on the ring state: forget what is in flight rather than index
         * descriptors with it. */
        vg_warn("LGMP queue %" PRIu32 ": ring state start %" PRIu32 " count %" PRIu32
                " is invalid for %" PRIu32 " messages; dropping the messages in flight",
                sq->queue_id, start, count, q->num_messages);
        vg_lgmp_st32(&sq->start, q->position);
        vg_lgmp_st32(&sq->count, 0);
        count = 0;
    }

    while (count > 0) {
        struct vg_lgmp_message *m = descriptor(h, q, start);
        uint32_t on = (uint32_t)(subs >> 32), bad = (uint32_t)subs;
        uint32_t live_pending = __atomic_load_n(&m->pending_subs, __ATOMIC_ACQUIRE) & on & ~bad;
        if (live_pending && now_ms > vg_lgmp_ld64(&sq->msg_timeout)) {
            for (uint32_t id = 0; id < VG_LGMP_MAX_SUBS; id++) {
                if (live_pending & (1u << id))
                    vg_lgmp_st64(&sq->timeout[id], now_ms + q->max_time);
            }
            subs |= live_pending;
            vg_lgmp_st32(&m->pending_subs, 0);
            live_pending = 0;
        }
        if (live_pending)
            break;
        start = start + 1 == q->num_messages ? 0 : start + 1;
        vg_lgmp_st32(&sq->start, start);
        count = __atomic_sub_fetch(&sq->count, 1u, __ATOMIC_SEQ_CST);
        if (count == 0 || count >= q->num_messages)
            break;
        vg_lgmp_st64(&sq->msg_timeout, now_ms + q->max_time);
    }
    vg_lgmp_st64(&sq->subs, subs);
}

bool vg_lgmp_host_tick(struct vg_lgmp_host *h, uint64_t now_ms)
{
    if (!h || vg_lgmp_ld32(&header(h)->magic) != VG_LGMP_MAGIC)
        return false;
    vg_lgmp_st64(&header(h)->timestamp, now_ms);
    for (int i = 0; i < (int)h->num_queues; i++) {
        struct vg_lgmp_queue *sq = shared_queue(h, i);
        if (!queue_lock(h, i, &sq->lock, "its lock"))
            continue;
        process_queue(h, i, now_ms);
        vg_lgmp_unlock(&sq->lock);
    }
    return true;
}

int vg_lgmp_host_post(struct vg_lgmp_host *h, int queue, uint32_t udata, uint32_t offset,
                      uint32_t size, uint64_t now_ms)
{
    if (!valid_queue(h, queue) || (uint64_t)offset + size > h->size)
        return -EINVAL;
    struct host_queue *q = &h->queues[queue];
    struct vg_lgmp_queue *sq = shared_queue(h, queue);
    if (!queue_lock(h, queue, &sq->lock, "its lock"))
        return -ETIMEDOUT;

    int ret = 0;
    uint64_t subs = vg_lgmp_ld64(&sq->subs);
    uint32_t live = (uint32_t)(subs >> 32) & ~(uint32_t)subs;
    if (!live) {
        ret = 1;
        goto unlock;
    }
    if (vg_lgmp_ld32(&sq->count) >= q->num_messages - 1) {
        ret = -ENOBUFS;
        goto unlock;
    }
    struct vg_lgmp_message *m = descriptor(h, q, q->position);
    vg_lgmp_st32(&m->udata, udata);
    vg_lgmp_st32(&m->size, size);
    vg_lgmp_st32(&m->offset, offset);
    vg_lgmp_st32(&m->pending_subs, live);
    if (__atomic_fetch_add(&sq->count, 1u, __ATOMIC_SEQ_CST) == 0)
        vg_lgmp_st64(&sq->msg_timeout, now_ms + q->max_time);
    q->position = q->position + 1 == q->num_messages ? 0 : q->position + 1;
    vg_lgmp_st32(&sq->position, q->position);

unlock:
    vg_lgmp_unlock(&sq->lock);
    return ret;
}

uint32_t vg_lgmp_host_pending(const struct vg_lgmp_host *h, int queue)
{
    return valid_queue(h, queue) ? vg_lgmp_ld32(&shared_queue(h, queue)->count) : 0;
}

uint32_t vg_lgmp_host_subscribers(const struct vg_lgmp_host *h, int queue)
{
    if (!valid_queue(h, queue))
        return 0;
    uint64_t subs = vg_lgmp_ld64(&shared_queue(h, queue)->subs);
    return (uint32_t)(subs >> 32) & ~(uint32_t)subs;
}

uint32_t vg_lgmp_host_bad(const struct vg_lgmp_host *h, int queue)
{
    return valid_queue(h, queue) ? (uint32_t)vg_lgmp_ld64(&shared_queue(h, queue)->subs) : 0;
}

uint32_t vg_lgmp_host_take_new_subs(struct vg_lgmp_host *h, int queue)
{
    if (!valid_queue(h, queue))
        return 0;
    return __atomic_exchange_n(&shared_queue(h, queue)->new_sub_count, 0u, __ATOMIC_SEQ_CST);
}

int vg_lgmp_host_read_message(struct vg_lgmp_host *h, int queue, void *data, uint32_t cap)
{
    if (!valid_queue(h, queue) || !data)
        return -EINVAL;
    struct host_queue *q = &h->queues[queue];
    struct vg_lgmp_queue *sq = shared_queue(h, queue);
    /* cMsgAvail above 10 is a scribbling client: nothing there to read. */
    if (vg_lgmp_ld32(&sq->cmsg_avail) >= VG_LGMP_MSGS_MAX)
        return -ENOENT;
    if (!queue_lock(h, queue, &sq->cmsg_lock, "its client-message lock"))
        return -ETIMEDOUT;
    const struct vg_lgmp_client_msg *m = &sq->cmsgs[q->cmsg_read];
    uint32_t size = vg_lgmp_ld32(&m->size);
    if (size > VG_LGMP_MSGS_SIZE)
        size = VG_LGMP_MSGS_SIZE;
    memcpy(data, m->data, size < cap ? size : cap);
    q->cmsg_read = q->cmsg_read + 1 == VG_LGMP_MSGS_MAX ? 0 : q->cmsg_read + 1;
    __atomic_fetch_add(&sq->cmsg_avail, 1u, __ATOMIC_SEQ_CST);
    vg_lgmp_unlock(&sq->cmsg_lock);
    return (int)size;
}

void vg_lgmp_host_ack_message(struct vg_lgmp_host *h, int queue)
{
    if (valid_queue(h, queue))
        __atomic_fetch_add(&shared_queue(h, queue)->cmsg_rserial, 1u, __ATOMIC_SEQ_CST);
}

uint32_t vg_lgmp_host_session_id(const struct vg_lgmp_host *h)
{
    return h ? h->session_id : 0;
}
