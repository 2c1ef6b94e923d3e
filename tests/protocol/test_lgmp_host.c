/* The LGMP 6 host and the KVMFR 20 producer, seen from the region as a B7 client sees it: the
 * measured B7 region map, header and queue initialisation, posting, the 10 ms pass (expelling,
 * releasing), the client->host ring, bounded locks, frames (header before pixels, wp, two
 * slots, damage history, truncation, packed formats, re-posts) and the cursor buffers.
 *
 * The subscriber side is written by hand (the few LGMP fields a client writes), so these cases
 * prove the host against the spec rather than against our own client; one last case runs our
 * client library against it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "testlib.h"
#include "vg/lgmp.h"
#include "vg/time.h"

#define MIB (UINT64_C(1) << 20)
#define SHAPE_SIZE 1048600u
#define Q_FRAME 0 /* B7 creates the frame queue first */
#define Q_POINTER 1

/* A zeroed region of exactly size bytes, so that AddressSanitizer sees any write past it. */
static uint8_t *region_new(size_t size)
{
    uint8_t *r = aligned_alloc(4096, size);
    if (r)
        memset(r, 0, size);
    return r;
}

static struct vg_lgmp_header *hdr(uint8_t *r)
{
    return (struct vg_lgmp_header *)r;
}

static struct vg_lgmp_queue *queue_at(uint8_t *r, int i)
{
    return &hdr(r)->queues[i];
}

static uint32_t ld32(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static struct vg_lgmp_message *desc(uint8_t *r, int queue, uint32_t index)
{
    return (struct vg_lgmp_message *)(r + queue_at(r, queue)->messages_offset) + index;
}

/* ---- A hand-written subscriber: exactly what §4.4-§4.6 have a client write ---- */

struct sub {
    uint8_t *base;
    int queue;
    uint32_t id;
    uint32_t pos;
};

static void sub_join(struct sub *s, uint8_t *base, int queue, uint32_t id)
{
    *s = (struct sub){.base = base, .queue = queue, .id = id};
    struct vg_lgmp_queue *q = queue_at(base, queue);
    __atomic_fetch_or(&q->subs, UINT64_C(1) << (32 + id), __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&q->new_sub_count, 1u, __ATOMIC_SEQ_CST);
    s->pos = ld32(&q->position);
}

static void sub_leave(struct sub *s)
{
    struct vg_lgmp_queue *q = queue_at(s->base, s->queue);
    __atomic_fetch_and(&q->subs, ~((UINT64_C(1) << (32 + s->id)) | (UINT64_C(1) << s->id)),
                       __ATOMIC_SEQ_CST);
}

/* The next message for us, copied; false when there is none. */
static bool sub_peek(struct sub *s, struct vg_lgmp_message *m)
{
    struct vg_lgmp_queue *q = queue_at(s->base, s->queue);
    if (ld32(&q->position) == s->pos)
        return false;
    memcpy(m, desc(s->base, s->queue, s->pos), sizeof(*m));
    return true;
}

/* Acknowledges the message at our position (the host's pass releases it). */
static void sub_done(struct sub *s)
{
    struct vg_lgmp_queue *q = queue_at(s->base, s->queue);
    __atomic_fetch_and(&desc(s->base, s->queue, s->pos)->pending_subs, ~(1u << s->id),
                       __ATOMIC_SEQ_CST);
    s->pos = (s->pos + 1) % q->num_messages;
}

/* Takes the next message and acknowledges it; false when there is none. */
static bool sub_take(struct sub *s, struct vg_lgmp_message *m)
{
    if (!sub_peek(s, m))
        return false;
    sub_done(s);
    return true;
}

/* §4.10 client send, without the checks a real client makes. */
static void client_send(uint8_t *base, int queue, const void *data, uint32_t size)
{
    struct vg_lgmp_queue *q = queue_at(base, queue);
    uint32_t w = q->cmsg_wpos;
    q->cmsgs[w].size = size;
    memcpy(q->cmsgs[w].data, data, size);
    __atomic_store_n(&q->cmsg_wpos, (w + 1) % VG_LGMP_MSGS_MAX, __ATOMIC_RELEASE);
    __atomic_fetch_sub(&q->cmsg_avail, 1u, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&q->cmsg_wserial, 1u, __ATOMIC_SEQ_CST);
}

/* ---- LGMP host ---- */

static void allocator_follows_b7_rules(void)
{
    const size_t size = 32 * MIB;
    uint8_t *r = region_new(size);
    uint8_t udata[215];
    memset(udata, 0x42, sizeof(udata));
    struct vg_lgmp_host *h = vg_lgmp_host_create(r, size, udata, sizeof(udata), 0, 1);
    CHECK(h != NULL);
    if (!h) {
        free(r);
        return;
    }
    /* nextFree starts at ALIGN4(sizeof(LGMPHeader) + udataSize) = ALIGN4(5975). */
    CHECK(vg_lgmp_host_add_queue(h, 2, 2, 1000) == 0);
    CHECK(vg_lgmp_host_add_queue(h, 1, 20, 1000) == 1);
    CHECK(queue_at(r, 0)->messages_offset == 5976);
    CHECK(queue_at(r, 1)->messages_offset == 6024);
    for (uint32_t i = 0; i < 20; i++)
        CHECK(vg_lgmp_host_alloc(h, 24, 4) == 6360 + 24 * (int64_t)i);
    CHECK(vg_lgmp_host_alloc(h, SHAPE_SIZE, 4) == 6840);
    CHECK(vg_lgmp_host_alloc(h, SHAPE_SIZE, 4) == 1055440);
    CHECK(vg_lgmp_host_alloc(h, SHAPE_SIZE, 4) == 2104040);
    CHECK(vg_lgmp_host_free_bytes(h) == size - 3152640);
    /* Aligned allocations round start and size up to the alignment. */
    CHECK(vg_lgmp_host_alloc(h, 15198208, 4096) == 3153920);
    CHECK(vg_lgmp_host_alloc(h, 15198208, 4096) == 18354176);
    CHECK(vg_lgmp_host_free_bytes(h) == 0);
    CHECK(vg_lgmp_host_alloc(h, 4, 4) == -ENOSPC);
    CHECK(vg_lgmp_host_alloc(h, 4, 6) == -EINVAL);
    CHECK(vg_lgmp_host_alloc(h, 4, 2) == -EINVAL);
    vg_lgmp_host_destroy(h);

    /* Plain allocations round start and size to 4. */
    h = vg_lgmp_host_create(r, size, udata, 1, 0, 1);
    CHECK(vg_lgmp_host_alloc(h, 5, 4) == 5764);
    CHECK(vg_lgmp_host_alloc(h, 1, 4) == 5772);
    CHECK(vg_lgmp_host_alloc(h, 1, 64) == 5824);
    CHECK(vg_lgmp_host_alloc(h, 0, 4) == 5888);
    CHECK(vg_lgmp_host_alloc(h, (uint32_t)size, 4) == -ENOSPC);
    vg_lgmp_host_destroy(h);

    CHECK(vg_lgmp_host_create(r, 5759, NULL, 0, 0, 1) == NULL);
    CHECK(vg_lgmp_host_create(r, 5760 + 100, udata, 101, 0, 1) == NULL);
    free(r);
}

static void header_and_queues_start_as_b7_writes_them(void)
{
    const size_t size = 1 * MIB;
    uint8_t *r = region_new(size);
    /* An earlier session's leftovers. */
    memset(r, 0x5A, 64 * 1024);
    hdr(r)->session_id = 1234;
    const char udata[] = "user data";

    struct vg_lgmp_host *h = vg_lgmp_host_create(r, size, udata, sizeof(udata), 1234, 777);
    CHECK(h != NULL);
    if (!h) {
        free(r);
        return;
    }
    CHECK(hdr(r)->session_id != 1234 && hdr(r)->session_id != 0);
    CHECK(vg_lgmp_host_session_id(h) == hdr(r)->session_id);
    CHECK(hdr(r)->magic == VG_LGMP_MAGIC && memcmp(r, "LGMP", 4) == 0);
    CHECK(hdr(r)->version == 6);
    CHECK(hdr(r)->timestamp == 777);
    CHECK(hdr(r)->num_queues == 0);
    CHECK(hdr(r)->udata_size == sizeof(udata));
    CHECK(memcmp(r + VG_LGMP_UDATA_OFFSET, udata, sizeof(udata)) == 0);

    CHECK(vg_lgmp_host_add_queue(h, 7, 4, 250) == 0);
    CHECK(hdr(r)->num_queues == 1);
    struct vg_lgmp_queue *q = queue_at(r, 0);
    CHECK(q->queue_id == 7 && q->num_messages == 5 && q->max_time == 250);
    CHECK(q->new_sub_count == 0 && q->position == 0 && q->lock == 0 && q->subs == 0);
    CHECK(q->start == 0 && q->msg_timeout == 0 && q->count == 0);
    CHECK(q->cmsg_lock == 0 && q->cmsg_avail == 10 && q->cmsg_wpos == 0);
    CHECK(q->cmsg_wserial == 0 && q->cmsg_rserial == 0);
    CHECK(q->messages_offset == ((5760 + sizeof(udata) + 3) & ~3u));
    /* timeout[] and clientID[] are not cleared at creation (§2.3). */
    CHECK(q->timeout[0] == UINT64_C(0x5A5A5A5A5A5A5A5A));
    CHECK(q->timeout[31] == UINT64_C(0x5A5A5A5A5A5A5A5A));
    CHECK(q->client_id[0] == 0x5A5A5A5Au && q->client_id[31] == 0x5A5A5A5Au);
    for (int i = 1; i < 5; i++)
        CHECK(vg_lgmp_host_add_queue(h, (uint32_t)i, 1, 1000) == i);
    CHECK(vg_lgmp_host_add_queue(h, 9, 1, 1000) == -E2BIG);
    CHECK(hdr(r)->num_queues == 5);
    uint32_t first = vg_lgmp_host_session_id(h);
    vg_lgmp_host_destroy(h);

    /* A random session id differs from the one in memory. */
    for (int i = 0; i < 20; i++) {
        uint32_t before = hdr(r)->session_id;
        h = vg_lgmp_host_create(r, size, NULL, 0, 0, 1);
        CHECK(h && hdr(r)->session_id != before && hdr(r)->session_id != 0);
        CHECK(hdr(r)->num_queues == 0 && hdr(r)->udata_size == 0);
        vg_lgmp_host_destroy(h);
    }
    CHECK(hdr(r)->session_id != first);
    free(r);
}

/* A host with one queue of `length` on a small region. */
static struct vg_lgmp_host *small_host(uint8_t **region, uint32_t length, uint32_t max_time)
{
    *region = region_new(MIB);
    struct vg_lgmp_host *h = vg_lgmp_host_create(*region, MIB, NULL, 0, 0, 1000);
    CHECK(h && vg_lgmp_host_add_queue(h, 5, length, max_time) == 0);
    return h;
}

static void post_without_live_subscribers_is_dropped(void)
{
    uint8_t *r;
    struct vg_lgmp_host *h = small_host(&r, 3, 1000);
    CHECK(vg_lgmp_host_post(h, 0, 11, 8192, 64, 1000) == 1);
    CHECK(queue_at(r, 0)->position == 0 && vg_lgmp_host_pending(h, 0) == 0);
    /* A subscriber marked BAD is not live either. */
    queue_at(r, 0)->subs = (UINT64_C(1) << 32) | 1u;
    CHECK(vg_lgmp_host_subscribers(h, 0) == 0 && vg_lgmp_host_bad(h, 0) == 1);
    CHECK(vg_lgmp_host_post(h, 0, 11, 8192, 64, 1000) == 1);
    CHECK(queue_at(r, 0)->position == 0 && vg_lgmp_host_pending(h, 0) == 0);
    CHECK(vg_lgmp_host_post(h, 0, 11, MIB - 8, 64, 1000) == -EINVAL);
    CHECK(vg_lgmp_host_post(h, 1, 11, 8192, 64, 1000) == -EINVAL);
    vg_lgmp_host_destroy(h);
    free(r);
}

static void post_fills_the_descriptor_and_reports_full_at_num_messages_minus_one(void)
{
    uint8_t *r;
    struct vg_lgmp_host *h = small_host(&r, 3, 1000);
    struct sub a, b;
    sub_join(&a, r, 0, 0);
    sub_join(&b, r, 0, 3);
    for (uint32_t i = 0; i < 3; i++)
        CHECK(vg_lgmp_host_post(h, 0, 100 + i, 8192 + 64 * i, 64, 1000 + i) == 0);
    CHECK(vg_lgmp_host_post(h, 0, 103, 8192, 64, 1003) == -ENOBUFS);
    struct vg_lgmp_queue *q = queue_at(r, 0);
    CHECK(q->count == 3 && q->position == 3);
    /* The deadline was set by the post that found the queue empty. */
    CHECK(q->msg_timeout == 2000);
    struct vg_lgmp_message *m = desc(r, 0, 1);
    CHECK(m->udata == 101 && m->offset == 8192 + 64 && m->size == 64);
    CHECK(m->pending_subs == ((1u << 0) | (1u << 3)));

    /* Both acknowledge the first: the next pass releases it and the ring wraps. */
    struct vg_lgmp_message got;
    CHECK(sub_take(&a, &got) && got.udata == 100);
    CHECK(sub_take(&b, &got) && got.udata == 100);
    CHECK(vg_lgmp_host_tick(h, 1010));
    CHECK(q->count == 2 && q->start == 1 && q->msg_timeout == 2010);
    CHECK(vg_lgmp_host_post(h, 0, 104, 8192, 64, 1011) == 0);
    CHECK(q->position == 0 && desc(r, 0, 3)->udata == 104);
    vg_lgmp_host_destroy(h);
    free(r);
}

static void tick_expels_a_straggler_after_max_time(void)
{
    uint8_t *r;
    struct vg_lgmp_host *h = small_host(&r, 2, 1000);
    struct vg_lgmp_queue *q = queue_at(r, 0);
    q->timeout[0] = 55;
    struct sub fast, slow;
    sub_join(&fast, r, 0, 0);
    sub_join(&slow, r, 0, 1);
    CHECK(vg_lgmp_host_post(h, 0, 1, 8192, 64, 1000) == 0);
    struct vg_lgmp_message got;
    CHECK(sub_take(&fast, &got));

    /* Not past the deadline yet (now > msgTimeout is needed). */
    CHECK(vg_lgmp_host_tick(h, 2000));
    CHECK(q->count == 1 && vg_lgmp_host_bad(h, 0) == 0);
    CHECK(hdr(r)->timestamp == 2000);

    CHECK(vg_lgmp_host_tick(h, 2001));
    CHECK(vg_lgmp_host_bad(h, 0) == 2u);
    CHECK(vg_lgmp_host_subscribers(h, 0) == 1u);
    CHECK(q->timeout[1] == 3001);
    CHECK(q->timeout[0] == 55);
    CHECK(desc(r, 0, 0)->pending_subs == 0);
    CHECK(q->count == 0 && q->start == 1);
    /* The BAD id keeps its ON bit until some client reaps it (§4.9). */
    CHECK((q->subs >> 32) == 3u);

    /* Posts now go to the live subscriber only. */
    CHECK(vg_lgmp_host_post(h, 0, 2, 8192, 64, 2002) == 0);
    CHECK(desc(r, 0, 1)->pending_subs == 1u);
    CHECK(q->msg_timeout == 3002);
    vg_lgmp_host_destroy(h);
    free(r);
}

static void tick_releases_acknowledged_messages_in_order(void)
{
    uint8_t *r;
    struct vg_lgmp_host *h = small_host(&r, 4, 500);
    struct vg_lgmp_queue *q = queue_at(r, 0);
    struct sub a;
    sub_join(&a, r, 0, 2);
    for (uint32_t i = 0; i < 3; i++)
        CHECK(vg_lgmp_host_post(h, 0, i, 8192, 64, 100) == 0);

    /* Acknowledging out of order does not release anything past the oldest. */
    __atomic_fetch_and(&desc(r, 0, 1)->pending_subs, ~(1u << 2), __ATOMIC_SEQ_CST);
    CHECK(vg_lgmp_host_tick(h, 200));
    CHECK(q->count == 3 && q->start == 0 && q->msg_timeout == 600);

    __atomic_fetch_and(&desc(r, 0, 0)->pending_subs, ~(1u << 2), __ATOMIC_SEQ_CST);
    CHECK(vg_lgmp_host_tick(h, 300));
    CHECK(q->count == 1 && q->start == 2);
    /* The release restarted the clock for the new oldest message. */
    CHECK(q->msg_timeout == 800);
    CHECK(vg_lgmp_host_bad(h, 0) == 0);

    /* A subscriber that left without acknowledging holds nothing up (§4.8). */
    sub_leave(&a);
    CHECK(vg_lgmp_host_tick(h, 310));
    CHECK(q->count == 0 && q->start == 3 && vg_lgmp_host_bad(h, 0) == 0);

    /* A scribbled ring state is dropped, never used as an index. */
    struct sub b;
    sub_join(&b, r, 0, 0);
    CHECK(vg_lgmp_host_post(h, 0, 9, 8192, 64, 400) == 0);
    q->start = 77;
    CHECK(vg_lgmp_host_tick(h, 410));
    CHECK(q->count == 0 && q->start == q->position);
    vg_lgmp_host_destroy(h);
    free(r);
}

static void new_subscriber_count_is_read_and_zeroed(void)
{
    uint8_t *r;
    struct vg_lgmp_host *h = small_host(&r, 2, 1000);
    queue_at(r, 0)->new_sub_count = 3;
    CHECK(vg_lgmp_host_take_new_subs(h, 0) == 3);
    CHECK(vg_lgmp_host_take_new_subs(h, 0) == 0);
    CHECK(queue_at(r, 0)->new_sub_count == 0);
    CHECK(vg_lgmp_host_take_new_subs(h, 4) == 0);
    vg_lgmp_host_destroy(h);
    free(r);
}

static void client_messages_are_read_in_order_and_acknowledged(void)
{
    uint8_t *r;
    struct vg_lgmp_host *h = small_host(&r, 2, 1000);
    struct vg_lgmp_queue *q = queue_at(r, 0);
    uint8_t buf[VG_LGMP_MSGS_SIZE];
    CHECK(vg_lgmp_host_read_message(h, 0, buf, sizeof(buf)) == -ENOENT);

    /* 25 messages through the 10-entry ring, a few at a time. */
    uint32_t sent = 0, got = 0;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 5; i++, sent++) {
            uint8_t msg[VG_LGMP_MSGS_SIZE];
            uint32_t len = 1 + sent % VG_LGMP_MSGS_SIZE;
            memset(msg, (int)sent, len);
            client_send(r, 0, msg, len);
        }
        CHECK(q->cmsg_avail == 5);
        int n;
        while ((n = vg_lgmp_host_read_message(h, 0, buf, sizeof(buf))) >= 0) {
            CHECK(n == (int)(1 + got % VG_LGMP_MSGS_SIZE));
            CHECK(buf[0] == (uint8_t)got && buf[n - 1] == (uint8_t)got);
            vg_lgmp_host_ack_message(h, 0);
            got++;
        }
        CHECK(n == -ENOENT);
        CHECK(q->cmsg_avail == 10 && q->cmsg_rserial == got);
    }
    CHECK(got == 25 && q->cmsg_wserial == 25);

    /* A size beyond 64 is cut to 64. */
    q->cmsgs[q->cmsg_wpos].size = 1000;
    q->cmsg_wpos = (q->cmsg_wpos + 1) % 10;
    q->cmsg_avail = 9;
    CHECK(vg_lgmp_host_read_message(h, 0, buf, sizeof(buf)) == 64);
    /* cMsgAvail above 10 reads as empty. */
    q->cmsg_avail = 200;
    CHECK(vg_lgmp_host_read_message(h, 0, buf, sizeof(buf)) == -ENOENT);
    vg_lgmp_host_destroy(h);
    free(r);
}

static void dead_client_holding_a_lock_does_not_hang_the_host(void)
{
    uint8_t *r;
    struct vg_lgmp_host *h = small_host(&r, 2, 1000);
    struct vg_lgmp_queue *q = queue_at(r, 0);
    struct sub a;
    sub_join(&a, r, 0, 0);
    q->lock = 1;

    uint64_t t0 = vg_time_ns();
    CHECK(vg_lgmp_host_post(h, 0, 1, 8192, 64, 5000) == -ETIMEDOUT);
    double ms = vg_ns_to_ms(vg_time_ns() - t0);
    CHECK_MSG(ms >= 50 && ms < 1000, "post gave up after %.0f ms", ms);

    /* The heartbeat still beats; the queue is skipped. */
    t0 = vg_time_ns();
    CHECK(vg_lgmp_host_tick(h, 5010));
    ms = vg_ns_to_ms(vg_time_ns() - t0);
    CHECK_MSG(ms < 1000, "tick took %.0f ms", ms);
    CHECK(hdr(r)->timestamp == 5010);

    q->cmsg_lock = 1;
    uint32_t m = 0;
    client_send(r, 0, &m, sizeof(m));
    uint8_t buf[VG_LGMP_MSGS_SIZE];
    CHECK(vg_lgmp_host_read_message(h, 0, buf, sizeof(buf)) == -ETIMEDOUT);

    q->lock = 0;
    q->cmsg_lock = 0;
    CHECK(vg_lgmp_host_post(h, 0, 1, 8192, 64, 5020) == 0);
    CHECK(vg_lgmp_host_read_message(h, 0, buf, sizeof(buf)) == 4);
    vg_lgmp_host_destroy(h);
    free(r);
}

static void wiped_magic_stops_the_tick(void)
{
    uint8_t *r;
    struct vg_lgmp_host *h = small_host(&r, 2, 1000);
    CHECK(vg_lgmp_host_tick(h, 1));
    memset(r, 0, 4096);
    CHECK(!vg_lgmp_host_tick(h, 2));
    CHECK(hdr(r)->timestamp == 0);
    vg_lgmp_host_destroy(h);
    free(r);

    const size_t size = 8 * MIB;
    r = region_new(size);
    struct vg_kvmfr_producer *p = vg_kvmfr_producer_create(r, size, NULL, 1);
    CHECK(p && vg_kvmfr_producer_tick(p, 2));
    memset(r, 0, 8);
    CHECK(!vg_kvmfr_producer_tick(p, 3));
    vg_kvmfr_producer_destroy(p);
    free(r);
}

/* ---- KVMFR producer: layout ---- */

static void region_map_matches_the_measured_b7_host(void)
{
    const size_t size = 32 * MIB;
    uint8_t *r = region_new(size);
    /* 71 characters: OSINFO 73 bytes, user data 215 as measured (§3.1, §3.8). */
    char os_name[72];
    memset(os_name, 'w', 71);
    os_name[71] = 0;
    struct vg_kvmfr_producer_config cfg = {
        .features = VG_KVMFR_FEATURE_SETCURSORPOS,
        .capture = "DXGI",
        .os = VG_KVMFR_OS_WINDOWS,
        .os_name = os_name,
    };
    struct vg_kvmfr_producer *p = vg_kvmfr_producer_create(r, size, &cfg, 10);
    CHECK(p != NULL);
    if (!p) {
        free(r);
        return;
    }
    CHECK(hdr(r)->udata_size == 215);
    CHECK(hdr(r)->num_queues == 2);
    struct vg_lgmp_queue *fq = queue_at(r, 0), *pq = queue_at(r, 1);
    CHECK(fq->queue_id == 2 && fq->num_messages == 3 && fq->max_time == 1000);
    CHECK(pq->queue_id == 1 && pq->num_messages == 21 && pq->max_time == 1000);
    CHECK(fq->messages_offset == 5976 && pq->messages_offset == 6024);

    /* The user data: the KVMFR block, then VMINFO and OSINFO back to back. */
    const uint8_t *u = r + VG_LGMP_UDATA_OFFSET;
    struct vg_kvmfr k;
    memcpy(&k, u, sizeof(k));
    CHECK(memcmp(k.magic, "KVMFR---", 8) == 0 && k.version == 20);
    CHECK(strcmp(k.hostver, "B7") == 0 && k.features == VG_KVMFR_FEATURE_SETCURSORPOS);
    struct vg_kvmfr_record rec;
    memcpy(&rec, u + 48, sizeof(rec));
    CHECK(rec.type == VG_KVMFR_RECORD_VMINFO && rec.size == 78);
    struct vg_kvmfr_vminfo vm;
    memcpy(&vm, u + 56, sizeof(vm));
    CHECK(strcmp(vm.capture, "DXGI") == 0 && vm.cpus >= 1 && vm.sockets == 1);
    CHECK(u[56 + 77] == 0 && strlen((const char *)u + 56 + 51) == 26);
    memcpy(&rec, u + 134, sizeof(rec));
    CHECK(rec.type == VG_KVMFR_RECORD_OSINFO && rec.size == 73);
    CHECK(u[142] == VG_KVMFR_OS_WINDOWS && memcmp(u + 143, os_name, 72) == 0);

    /* Two slots of maxFrameSize rounded to the page, the second ending at the region end. */
    CHECK(vg_kvmfr_producer_max_frame(p) == 15198208);
    struct sub fs, ps;
    sub_join(&fs, r, Q_FRAME, 0);
    sub_join(&ps, r, Q_POINTER, 0);
    static uint8_t px[64 * 64 * 4];
    struct vg_kvmfr_frame_params fp = {.type = VG_KVMFR_FRAME_BGRA,
                                       .frame_width = 64,
                                       .frame_height = 64,
                                       .stop_after = UINT64_MAX};
    struct vg_lgmp_message m;
    const uint32_t slot_at[2] = {3153920, 18354176};
    for (int i = 0; i < 3; i++) {
        CHECK(vg_kvmfr_producer_submit(p, &fp, px, 64 * 4, NULL, 0, 20) == 0);
        CHECK(sub_take(&fs, &m) && m.offset == slot_at[i % 2] && m.size == 15200256);
        CHECK(m.udata == 0);
        CHECK(vg_kvmfr_producer_tick(p, 21));
    }
    CHECK(slot_at[1] + 15200256u == size);
    for (int i = 0; i < 2; i++) {
        const struct vg_kvmfr_frame *f = (const void *)(r + slot_at[i]);
        CHECK(f->offset == 4092);
    }

    /* Cursor buffers: 20 x 24 bytes from 6360, 3 shapes from 6840. */
    CHECK(vg_kvmfr_producer_tick(p, 22));
    CHECK(sub_take(&ps, &m)); /* the new subscriber's full cursor message */
    CHECK(m.offset == 6360 && m.size == 24);
    for (uint32_t i = 1; i < 20; i++) {
        CHECK(vg_kvmfr_producer_cursor(p, (int32_t)i, 0, true, NULL, 23) == 0);
        CHECK(sub_take(&ps, &m) && m.offset == 6360 + 24 * i && m.size == 24);
        vg_kvmfr_producer_tick(p, 23);
    }
    static uint8_t shape[32 * 32 * 4];
    struct vg_kvmfr_cursor_shape s = {VG_KVMFR_CURSOR_COLOR, 32, 32, 0, 0, 128, shape};
    const uint32_t shape_at[3] = {6840, 1055440, 2104040};
    for (uint32_t i = 0; i < 3; i++) {
        CHECK(vg_kvmfr_producer_cursor(p, 0, 0, true, &s, 24) == 0);
        CHECK(sub_take(&ps, &m) && m.offset == shape_at[i] && m.size == SHAPE_SIZE);
        vg_kvmfr_producer_tick(p, 24);
    }
    vg_kvmfr_producer_destroy(p);
    free(r);
}

/* ---- Frames ---- */

struct fixture {
    uint8_t *r;
    size_t size;
    struct vg_kvmfr_producer *p;
    struct sub fs;
    uint64_t now;
};

static bool fixture_init(struct fixture *f, size_t size, bool subscribe)
{
    *f = (struct fixture){.size = size, .now = 1000};
    f->r = region_new(size);
    f->p = f->r ? vg_kvmfr_producer_create(f->r, size, NULL, f->now) : NULL;
    CHECK(f->p != NULL);
    if (f->p && subscribe)
        sub_join(&f->fs, f->r, Q_FRAME, 0);
    return f->p != NULL;
}

static void fixture_finish(struct fixture *f)
{
    vg_kvmfr_producer_destroy(f->p);
    free(f->r);
}

static void tick(struct fixture *f)
{
    f->now += 10;
    CHECK(vg_kvmfr_producer_tick(f->p, f->now));
}

static const struct vg_kvmfr_frame *frame_at(const struct fixture *f, uint32_t offset)
{
    return (const struct vg_kvmfr_frame *)(f->r + offset);
}

static uint32_t wp_at(const struct fixture *f, uint32_t offset)
{
    return __atomic_load_n((const uint32_t *)(f->r + offset + 4092), __ATOMIC_ACQUIRE);
}

static const uint8_t *data_at(const struct fixture *f, uint32_t offset)
{
    return f->r + offset + 4096;
}

static struct vg_kvmfr_frame_params params(uint32_t type, uint32_t w, uint32_t h)
{
    return (struct vg_kvmfr_frame_params){
        .type = type, .frame_width = w, .frame_height = h, .stop_after = UINT64_MAX};
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i])
            return false;
    }
    return true;
}

/* Rows of the slot at offset that differ from want (row_bytes meaningful bytes each). */
static uint32_t rows_differing(const struct fixture *f, uint32_t offset, const uint8_t *want,
                               size_t want_pitch, uint32_t row_bytes, uint32_t rows)
{
    const struct vg_kvmfr_frame *fr = frame_at(f, offset);
    uint32_t bad = 0;
    for (uint32_t y = 0; y < rows; y++)
        bad += memcmp(data_at(f, offset) + (size_t)y * fr->pitch, want + y * want_pitch,
                      row_bytes) != 0;
    return bad;
}

static void frame_header_is_posted_before_the_pixels(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, true))
        return;
    const uint32_t w = 320, h = 200, pitch = 1280;
    uint8_t *px = malloc((size_t)w * h * 4);
    vg_pattern_render(px, w * 4, VG_FP_FORMAT_BGRA8, w, h, 0, NULL);
    struct vg_kvmfr_frame_params fp = params(VG_KVMFR_FRAME_BGRA, w, h);
    fp.screen_width = 640;
    fp.screen_height = 400;
    fp.rotation = VG_KVMFR_ROT_90;
    fp.flags = VG_KVMFR_FRAME_FLAG_BLOCK_SCREENSAVER | VG_KVMFR_FRAME_FLAG_TRUNCATED;
    fp.format_ver = 3;
    /* stop_after 0 shows the moment right after the post: header final, wp 0, no pixels. */
    fp.stop_after = 0;
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, w * 4, NULL, 0, f.now) == 0);
    struct vg_lgmp_message m;
    CHECK(sub_peek(&f.fs, &m));
    const struct vg_kvmfr_frame *fr = frame_at(&f, m.offset);
    CHECK(fr->format_ver == 3 && fr->frame_serial == 1 && fr->type == VG_KVMFR_FRAME_BGRA);
    CHECK(fr->screen_width == 640 && fr->screen_height == 400);
    CHECK(fr->data_width == w && fr->data_height == h);
    CHECK(fr->frame_width == w && fr->frame_height == h);
    CHECK(fr->rotation == VG_KVMFR_ROT_90 && fr->stride == 320 && fr->pitch == pitch);
    CHECK(fr->offset == 4092 && fr->damage_rects_count == 0);
    /* TRUNCATED is the producer's to set. */
    CHECK(fr->flags == VG_KVMFR_FRAME_FLAG_BLOCK_SCREENSAVER);
    CHECK(wp_at(&f, m.offset) == 0);
    CHECK(all_zero(data_at(&f, m.offset), (size_t)pitch * h));
    sub_done(&f.fs);
    tick(&f);

    /* Stopped part-way: wp says how far, nothing after it is written. */
    fp.stop_after = 3 * pitch + 100;
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, w * 4, NULL, 0, f.now) == 0);
    CHECK(sub_take(&f.fs, &m));
    CHECK(frame_at(&f, m.offset)->frame_serial == 2);
    CHECK(wp_at(&f, m.offset) == 3 * pitch + 100);
    CHECK(rows_differing(&f, m.offset, px, w * 4, pitch, 3) == 0);
    CHECK(memcmp(data_at(&f, m.offset) + 3 * pitch, px + 3 * pitch, 100) == 0);
    CHECK(all_zero(data_at(&f, m.offset) + 3 * pitch + 100, (size_t)pitch * h - 3 * pitch - 100));
    tick(&f);

    fp.stop_after = UINT64_MAX;
    uint32_t first_slot = m.offset;
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, w * 4, NULL, 0, f.now) == 0);
    CHECK(sub_take(&f.fs, &m));
    CHECK(m.offset != first_slot);
    CHECK(wp_at(&f, m.offset) == pitch * h);
    CHECK(rows_differing(&f, m.offset, px, w * 4, pitch, h) == 0);
    CHECK(vg_kvmfr_producer_serial(f.p) == 3);

    /* Bad parameters publish nothing. */
    struct vg_kvmfr_frame_params bad = fp;
    bad.type = 7;
    CHECK(vg_kvmfr_producer_submit(f.p, &bad, px, w * 4, NULL, 0, f.now) == -EINVAL);
    bad = fp;
    bad.rotation = 4;
    CHECK(vg_kvmfr_producer_submit(f.p, &bad, px, w * 4, NULL, 0, f.now) == -EINVAL);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, w * 4 - 1, NULL, 0, f.now) == -EINVAL);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, w * 4, NULL, 2, f.now) == -EINVAL);
    CHECK(vg_kvmfr_producer_serial(f.p) == 3 && !sub_peek(&f.fs, &m));
    fixture_finish(&f);
    free(px);
}

static void submit_is_busy_while_two_frames_are_outstanding(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, true))
        return;
    static uint8_t px[64 * 32 * 4];
    struct vg_kvmfr_frame_params fp = params(VG_KVMFR_FRAME_RGBA, 64, 32);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == 0);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == 0);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == -EBUSY);
    tick(&f);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == -EBUSY);
    CHECK(vg_kvmfr_producer_serial(f.p) == 2);

    /* Once the older one is released, its slot is written again. */
    struct vg_lgmp_message first, second, third;
    CHECK(sub_take(&f.fs, &first));
    tick(&f);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == 0);
    CHECK(sub_take(&f.fs, &second) && sub_take(&f.fs, &third));
    CHECK(third.offset == first.offset && second.offset != first.offset);
    CHECK(frame_at(&f, third.offset)->frame_serial == 3);
    fixture_finish(&f);

    /* Without subscribers every frame is dropped but still counted (§6.6). */
    if (!fixture_init(&f, 8 * MIB, false))
        return;
    for (int i = 0; i < 5; i++)
        CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == 0);
    CHECK(vg_kvmfr_producer_serial(f.p) == 5);
    CHECK(vg_lgmp_host_pending(vg_kvmfr_producer_host(f.p), Q_FRAME) == 0);
    fixture_finish(&f);
}

/* A post that fails (a dead client holds the queue lock) must not make the producer rewrite
 * the slot a client may still be reading. */
static void failed_post_leaves_the_outstanding_slot_alone(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, true))
        return;
    static uint8_t px[64 * 32 * 4];
    struct vg_kvmfr_frame_params fp = params(VG_KVMFR_FRAME_RGBA, 64, 32);
    memset(px, 0x11, sizeof(px));
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == 0);
    struct vg_lgmp_message held;
    CHECK(sub_peek(&f.fs, &held)); /* read, not yet acknowledged */

    queue_at(f.r, Q_FRAME)->lock = 1;
    memset(px, 0x22, sizeof(px));
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == -ETIMEDOUT);
    queue_at(f.r, Q_FRAME)->lock = 0;
    memset(px, 0x33, sizeof(px));
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == 0);
    CHECK(frame_at(&f, held.offset)->frame_serial == 1);
    CHECK(data_at(&f, held.offset)[0] == 0x11);
    sub_done(&f.fs);
    struct vg_lgmp_message m;
    CHECK(sub_take(&f.fs, &m) && m.offset != held.offset);
    CHECK(frame_at(&f, m.offset)->frame_serial == 3 && data_at(&f, m.offset)[0] == 0x33);
    fixture_finish(&f);
}

struct format_case {
    const char *name;
    uint32_t type;
    uint32_t pattern_format;
    uint32_t src_bpp;
};

static const struct format_case formats[] = {
    {"BGRA", VG_KVMFR_FRAME_BGRA, VG_FP_FORMAT_BGRA8, 4},
    {"RGBA16F", VG_KVMFR_FRAME_RGBA16F, VG_FP_FORMAT_RGBA16F, 8},
    {"BGR_32", VG_KVMFR_FRAME_BGR_32, VG_PATTERN_FORMAT_BGR24, 3},
    {"RGB_24", VG_KVMFR_FRAME_RGB_24, VG_PATTERN_FORMAT_RGB24, 3},
};

/* Damage rects are relative to the previous frame, yet each slot is two frames old when it is
 * written again: it must also get the damage it missed (§3.5). */
static void every_slot_holds_the_complete_image_after_damage_updates(void)
{
    for (size_t c = 0; c < sizeof(formats) / sizeof(formats[0]); c++) {
        const struct format_case *fc = &formats[c];
        struct fixture f;
        if (!fixture_init(&f, 8 * MIB, true))
            return;
        const uint32_t w = 203, h = 150;
        const size_t src_pitch = (size_t)w * fc->src_bpp;
        uint8_t *live = calloc(h, src_pitch), *want = calloc(h, src_pitch);
        struct vg_fp_rect prev = {0};
        int bad_frames = 0;
        for (uint64_t n = 0; n < 16; n++) {
            struct vg_fp_rect box = vg_pattern_box(w, h, n);
            struct vg_kvmfr_damage_rect d[2] = {{prev.x, prev.y, prev.w, prev.h},
                                                {box.x, box.y, box.w, box.h}};
            if (n == 0) {
                vg_pattern_render(live, src_pitch, fc->pattern_format, w, h, n, NULL);
            } else {
                vg_pattern_render(live, src_pitch, fc->pattern_format, w, h, n, &prev);
                vg_pattern_render(live, src_pitch, fc->pattern_format, w, h, n, &box);
            }
            struct vg_kvmfr_frame_params fp = params(fc->type, w, h);
            /* One frame stops early: its slot is then copied whole the next time. */
            const bool cut = n == 6;
            if (cut)
                fp.stop_after = 1000;
            CHECK(vg_kvmfr_producer_submit(f.p, &fp, live, src_pitch, n ? d : NULL, n ? 2 : 0,
                                           f.now) == 0);
            struct vg_lgmp_message m;
            CHECK(sub_take(&f.fs, &m));
            const struct vg_kvmfr_frame *fr = frame_at(&f, m.offset);
            CHECK(fr->frame_serial == n + 1);
            CHECK(fr->damage_rects_count == (n ? 2u : 0u));
            if (n)
                CHECK(memcmp(fr->damage_rects, d, sizeof(d)) == 0);
            uint32_t rows = fr->data_height;
            if (cut) {
                CHECK(wp_at(&f, m.offset) == 1000);
            } else {
                CHECK(wp_at(&f, m.offset) == rows * fr->pitch);
                vg_pattern_render(want, src_pitch, fc->pattern_format, w, h, n, NULL);
                uint32_t row_bytes = w * fc->src_bpp;
                uint32_t diff = rows_differing(&f, m.offset, want, src_pitch, row_bytes, rows);
                if (diff)
                    fprintf(stderr, "%s frame %u: %u rows differ\n", fc->name, (unsigned)n, diff);
                bad_frames += diff != 0;
            }
            prev = box;
            tick(&f);
        }
        CHECK_MSG(bad_frames == 0, "%s: %d slots incomplete", fc->name, bad_frames);

        /* More than 64 rects: sent as full damage, and the slot is still complete. */
        struct vg_kvmfr_damage_rect many[65];
        for (uint32_t i = 0; i < 65; i++)
            many[i] = (struct vg_kvmfr_damage_rect){i, i, 1, 1};
        struct vg_kvmfr_frame_params fp = params(fc->type, w, h);
        vg_pattern_render(live, src_pitch, fc->pattern_format, w, h, 100, NULL);
        CHECK(vg_kvmfr_producer_submit(f.p, &fp, live, src_pitch, many, 65, f.now) == 0);
        struct vg_lgmp_message m;
        CHECK(sub_take(&f.fs, &m));
        const struct vg_kvmfr_frame *fr = frame_at(&f, m.offset);
        CHECK(fr->damage_rects_count == 0);
        CHECK(rows_differing(&f, m.offset, live, src_pitch, w * fc->src_bpp, fr->data_height) == 0);
        free(live);
        free(want);
        fixture_finish(&f);
    }
}

/* Damage given across a format change (G1, G1, G2, G1) is not replayed into a slot that still
 * holds a G1 frame: that slot is copied whole. */
static void damage_across_a_format_change_is_not_replayed(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, true))
        return;
    const uint32_t w = 203, h = 150;
    uint8_t *px = malloc((size_t)w * h * 4);
    const uint32_t sizes[4][2] = {{w, h}, {w, h}, {120, 90}, {w, h}};
    for (uint64_t n = 0; n < 4; n++) {
        uint32_t fw = sizes[n][0], fh = sizes[n][1];
        vg_pattern_render(px, (size_t)fw * 4, VG_FP_FORMAT_BGRA8, fw, fh, n, NULL);
        struct vg_fp_rect box = vg_pattern_box(fw, fh, n);
        struct vg_kvmfr_damage_rect d = {box.x, box.y, box.w, box.h};
        struct vg_kvmfr_frame_params fp = params(VG_KVMFR_FRAME_BGRA, fw, fh);
        CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, (size_t)fw * 4, &d, n ? 1 : 0, f.now) == 0);
        struct vg_lgmp_message m;
        CHECK(sub_take(&f.fs, &m));
        CHECK_MSG(rows_differing(&f, m.offset, px, (size_t)fw * 4, fw * 4, fh) == 0,
                  "frame %u is incomplete", (unsigned)n);
        tick(&f);
    }
    free(px);
    fixture_finish(&f);
}

static void too_large_a_frame_is_truncated_to_max_frame_rows(void)
{
    /* 4 MiB: maxFrameSize 518144, slots of 520192 (127 pages), the second ending at the end. */
    struct fixture f;
    if (!fixture_init(&f, 4 * MIB, true))
        return;
    CHECK(vg_kvmfr_producer_max_frame(f.p) == 518144);
    const uint32_t w = 640, h = 480, pitch = 2560;
    uint8_t *px = malloc((size_t)w * h * 4);
    vg_pattern_render(px, w * 4, VG_FP_FORMAT_BGRA8, w, h, 0, NULL);
    struct vg_kvmfr_frame_params fp = params(VG_KVMFR_FRAME_BGRA, w, h);
    uint32_t slot_end[2] = {0};
    for (int i = 0; i < 2; i++) {
        CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, w * 4, NULL, 0, f.now) == 0);
        struct vg_lgmp_message m;
        CHECK(sub_take(&f.fs, &m));
        const struct vg_kvmfr_frame *fr = frame_at(&f, m.offset);
        CHECK(fr->flags & VG_KVMFR_FRAME_FLAG_TRUNCATED);
        CHECK(fr->data_height == 518144 / pitch && fr->frame_height == h);
        CHECK(fr->data_width == w && fr->pitch == pitch);
        /* wp claims dataHeight * pitch as B7 does, though the slot holds 1024 bytes less
         * (P10); the rows that fit are there. */
        CHECK(wp_at(&f, m.offset) == fr->data_height * pitch);
        uint32_t capacity = m.size - 4096;
        CHECK(fr->data_height * pitch > capacity);
        CHECK(rows_differing(&f, m.offset, px, w * 4, pitch, capacity / pitch) == 0);
        slot_end[i] = m.offset + m.size;
        tick(&f);
    }
    CHECK(slot_end[1] == f.size);
    /* Slot 0's frame did not spill into slot 1's header. */
    CHECK(frame_at(&f, slot_end[0])->offset == 4092);
    CHECK(frame_at(&f, slot_end[0])->frame_serial == 2);

    /* A frame that fits is not truncated. */
    fp = params(VG_KVMFR_FRAME_BGRA, w, 200);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, w * 4, NULL, 0, f.now) == 0);
    struct vg_lgmp_message m;
    CHECK(sub_take(&f.fs, &m));
    CHECK(!(frame_at(&f, m.offset)->flags & VG_KVMFR_FRAME_FLAG_TRUNCATED));
    CHECK(frame_at(&f, m.offset)->data_height == 200);
    free(px);
    fixture_finish(&f);
}

struct geometry_case {
    uint32_t type, w, h;
    uint32_t data_width, data_height, stride, pitch, flags;
};

static void packed_and_wide_formats_use_the_spec_dimensions(void)
{
    static const struct geometry_case cases[] = {
        /* BGR_32: dataWidth = ALIGN4(3w) / 4 rounded up to 64, dataHeight = w*h/(ALIGN4(3w)/3) */
        {VG_KVMFR_FRAME_BGR_32, 101, 50, 128, 50, 128, 512, 0},
        {VG_KVMFR_FRAME_BGR_32, 102, 50, 128, 50, 128, 512, 0},
        {VG_KVMFR_FRAME_BGR_32, 103, 50, 128, 49, 128, 512, 0},
        {VG_KVMFR_FRAME_BGR_32, 1000, 40, 768, 40, 768, 3072, 0},
        {VG_KVMFR_FRAME_BGR_32, 1920, 40, 1472, 40, 1472, 5888, 0},
        {VG_KVMFR_FRAME_RGB_24, 100, 40, 100, 40, 128, 384, 0},
        {VG_KVMFR_FRAME_RGBA16F, 100, 40, 100, 40, 128, 1024, VG_KVMFR_FRAME_FLAG_HDR},
        {VG_KVMFR_FRAME_RGBA10, 70, 40, 70, 40, 128, 512, 0},
        {VG_KVMFR_FRAME_BGRA, 1920, 40, 1920, 40, 1920, 7680, 0},
    };
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, true))
        return;
    uint8_t *px = malloc(1920 * 40 * 8);
    for (size_t i = 0; i < 1920 * 40 * 8; i++)
        px[i] = (uint8_t)(i * 7 + i / 251);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const struct geometry_case *g = &cases[c];
        uint32_t src_bpp = g->type == VG_KVMFR_FRAME_RGBA16F ? 8
                           : g->type == VG_KVMFR_FRAME_BGR_32 || g->type == VG_KVMFR_FRAME_RGB_24
                               ? 3
                               : 4;
        struct vg_kvmfr_frame_params fp = params(g->type, g->w, g->h);
        CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, (size_t)g->w * src_bpp, NULL, 0, f.now) == 0);
        struct vg_lgmp_message m;
        CHECK(sub_take(&f.fs, &m));
        const struct vg_kvmfr_frame *fr = frame_at(&f, m.offset);
        CHECK_MSG(fr->data_width == g->data_width && fr->data_height == g->data_height &&
                      fr->stride == g->stride && fr->pitch == g->pitch && fr->frame_width == g->w &&
                      fr->frame_height == g->h && fr->flags == g->flags && fr->type == g->type,
                  "case %zu: data %ux%u stride %u pitch %u flags %#x", c, fr->data_width,
                  fr->data_height, fr->stride, fr->pitch, fr->flags);
        /* Each data row holds one image row of w * 3 bytes (BGR_32 and RGB_24). */
        CHECK(rows_differing(&f, m.offset, px, (size_t)g->w * src_bpp, g->w * src_bpp,
                             fr->data_height) == 0);
        CHECK(wp_at(&f, m.offset) == fr->data_height * fr->pitch);
        tick(&f);
    }
    free(px);
    fixture_finish(&f);
}

static void repost_sends_the_last_slot_again_with_its_serial(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, false))
        return;
    static uint8_t px[64 * 64 * 4];
    struct vg_kvmfr_frame_params fp = params(VG_KVMFR_FRAME_BGRA, 64, 64);
    struct sub a, b, c;
    /* Nothing to re-post before the first frame. */
    sub_join(&a, f.r, Q_FRAME, 0);
    CHECK(vg_kvmfr_producer_repost(f.p, f.now) == 0);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == 0);
    struct vg_lgmp_message m1, m;
    CHECK(sub_take(&a, &m1));
    tick(&f);
    /* The frame served the newcomer: the counter was zeroed. */
    CHECK(queue_at(f.r, Q_FRAME)->new_sub_count == 0);
    CHECK(vg_kvmfr_producer_repost(f.p, f.now) == 0);

    sub_join(&b, f.r, Q_FRAME, 1);
    CHECK(vg_kvmfr_producer_repost(f.p, f.now) == 1);
    CHECK(sub_take(&a, &m) && m.offset == m1.offset && m.size == m1.size && m.udata == 0);
    CHECK(sub_take(&b, &m) && m.offset == m1.offset && m.udata == 0);
    CHECK(frame_at(&f, m.offset)->frame_serial == 1 && vg_kvmfr_producer_serial(f.p) == 1);
    CHECK(wp_at(&f, m.offset) == 64 * 256);
    CHECK(vg_kvmfr_producer_repost(f.p, f.now) == 0);
    tick(&f);

    /* A new frame before the capture timeout zeroes the counter instead. */
    sub_join(&c, f.r, Q_FRAME, 2);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, 256, NULL, 0, f.now) == 0);
    CHECK(vg_kvmfr_producer_repost(f.p, f.now) == 0);
    CHECK(sub_take(&c, &m) && frame_at(&f, m.offset)->frame_serial == 2);
    fixture_finish(&f);
}

/* ---- Cursor ---- */

static const struct vg_kvmfr_cursor *cursor_at(const struct fixture *f, uint32_t offset)
{
    return (const struct vg_kvmfr_cursor *)(f->r + offset);
}

static void cursor_buffers_are_used_round_robin(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, false))
        return;
    struct sub ps;
    sub_join(&ps, f.r, Q_POINTER, 0);
    tick(&f);
    struct vg_lgmp_message m;
    CHECK(sub_take(&ps, &m)); /* the newcomer's message took the first position buffer */
    const uint32_t pos0 = m.offset;
    for (uint32_t i = 1; i <= 21; i++) {
        bool visible = i % 2;
        int32_t x = (int32_t)i * 10 - 50;
        CHECK(vg_kvmfr_producer_cursor(f.p, x, -7, visible, NULL, f.now) == 0);
        CHECK(sub_take(&ps, &m));
        CHECK(m.offset == pos0 + 24 * (i % 20) && m.size == 24);
        CHECK(m.udata == (VG_KVMFR_CURSOR_FLAG_POSITION |
                          (visible ? (uint32_t)VG_KVMFR_CURSOR_FLAG_VISIBLE : 0)));
        CHECK(cursor_at(&f, m.offset)->x == x && cursor_at(&f, m.offset)->y == -7);
        tick(&f);
    }
    CHECK(vg_kvmfr_producer_cursor(f.p, 40000, -40000, true, NULL, f.now) == 0);
    CHECK(sub_take(&ps, &m));
    CHECK(cursor_at(&f, m.offset)->x == 32767 && cursor_at(&f, m.offset)->y == -32768);

    uint8_t color[32 * 32 * 4], mono[VG_PATTERN_CURSOR_MONO_BYTES], masked[32 * 32 * 4];
    vg_pattern_cursor_shape(color);
    vg_pattern_cursor_mono(mono);
    vg_pattern_cursor_masked(masked);
    const struct vg_kvmfr_cursor_shape shapes[4] = {
        {VG_KVMFR_CURSOR_COLOR, 32, 32, 0, 0, 128, color},
        {VG_KVMFR_CURSOR_MONOCHROME, 32, 32, 1, 2, 4, mono},
        {VG_KVMFR_CURSOR_MASKED_COLOR, 32, 32, 3, 4, 128, masked},
        {VG_KVMFR_CURSOR_COLOR, 16, 8, 200, -3, 128, color},
    };
    uint32_t shape0 = 0;
    for (uint32_t i = 0; i < 4; i++) {
        const struct vg_kvmfr_cursor_shape *s = &shapes[i];
        CHECK(vg_kvmfr_producer_cursor(f.p, 5, 6, true, s, f.now) == 0);
        CHECK(sub_take(&ps, &m));
        if (i == 0)
            shape0 = m.offset;
        CHECK(m.offset == shape0 + SHAPE_SIZE * (i % 3) && m.size == SHAPE_SIZE);
        CHECK(m.udata == (VG_KVMFR_CURSOR_FLAG_POSITION | VG_KVMFR_CURSOR_FLAG_VISIBLE |
                          VG_KVMFR_CURSOR_FLAG_SHAPE));
        const struct vg_kvmfr_cursor *c = cursor_at(&f, m.offset);
        uint32_t rows = s->type == VG_KVMFR_CURSOR_MONOCHROME ? 2 * s->height : s->height;
        CHECK(c->x == 5 && c->y == 6 && c->type == s->type);
        CHECK(c->hx == (int8_t)(uint8_t)s->hx && c->hy == (int8_t)(uint8_t)s->hy);
        CHECK(c->width == s->width && c->height == rows && c->pitch == s->pitch);
        CHECK(memcmp(f.r + m.offset + 24, s->pixels, (size_t)rows * s->pitch) == 0);
        tick(&f);
    }
    /* A hotspot of 200 wraps to -56 on the wire (P12). */
    CHECK(cursor_at(&f, shape0)->hx == -56 && cursor_at(&f, shape0)->hy == -3);

    struct vg_kvmfr_cursor_shape bad = shapes[0];
    bad.type = 3;
    CHECK(vg_kvmfr_producer_cursor(f.p, 0, 0, true, &bad, f.now) == -EINVAL);
    bad = shapes[0];
    bad.width = 513;
    CHECK(vg_kvmfr_producer_cursor(f.p, 0, 0, true, &bad, f.now) == -EINVAL);
    bad = shapes[0];
    bad.pitch = 127;
    CHECK(vg_kvmfr_producer_cursor(f.p, 0, 0, true, &bad, f.now) == -EINVAL);
    static uint8_t big[512 * 2056];
    bad = (struct vg_kvmfr_cursor_shape){VG_KVMFR_CURSOR_COLOR, 512, 512, 0, 0, 2048, big};
    CHECK(vg_kvmfr_producer_cursor(f.p, 0, 0, true, &bad, f.now) == 0);
    CHECK(sub_take(&ps, &m));
    bad.pitch = 2052;
    CHECK(vg_kvmfr_producer_cursor(f.p, 0, 0, true, &bad, f.now) == -EINVAL);
    CHECK(!sub_peek(&ps, &m));
    fixture_finish(&f);
}

static void new_pointer_subscriber_gets_the_whole_cursor(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, false))
        return;
    struct sub a, b, c;
    struct vg_lgmp_message m;
    /* Nothing known yet: a position, hidden. */
    sub_join(&a, f.r, Q_POINTER, 0);
    tick(&f);
    CHECK(sub_take(&a, &m) && m.size == 24 && m.udata == VG_KVMFR_CURSOR_FLAG_POSITION);
    tick(&f);
    CHECK(!sub_peek(&a, &m));

    uint8_t color[32 * 32 * 4];
    vg_pattern_cursor_shape(color);
    struct vg_kvmfr_cursor_shape s = {VG_KVMFR_CURSOR_COLOR, 32, 32, 0, 0, 128, color};
    CHECK(vg_kvmfr_producer_cursor(f.p, 5, 6, true, &s, f.now) == 0);
    struct vg_lgmp_message shape_msg;
    CHECK(sub_take(&a, &shape_msg) && shape_msg.udata == 7);
    CHECK(vg_kvmfr_producer_cursor(f.p, 30, 40, true, NULL, f.now) == 0);
    CHECK(sub_take(&a, &m) && m.udata == 3 && m.size == 24);
    tick(&f);

    /* The newcomer's message goes to everyone: the last shape buffer, x and y rewritten. */
    sub_join(&b, f.r, Q_POINTER, 1);
    tick(&f);
    for (int i = 0; i < 2; i++) {
        CHECK(sub_take(i ? &b : &a, &m));
        CHECK(m.offset == shape_msg.offset && m.size == SHAPE_SIZE);
        CHECK(m.udata == (VG_KVMFR_CURSOR_FLAG_POSITION | VG_KVMFR_CURSOR_FLAG_VISIBLE |
                          VG_KVMFR_CURSOR_FLAG_SHAPE));
    }
    const struct vg_kvmfr_cursor *cur = cursor_at(&f, m.offset);
    CHECK(cur->x == 30 && cur->y == 40 && cur->width == 32 && cur->type == 0);
    CHECK(memcmp(f.r + m.offset + 24, color, sizeof(color)) == 0);
    tick(&f);

    /* Hidden: no VISIBLE bit. */
    CHECK(vg_kvmfr_producer_cursor(f.p, 1, 2, false, NULL, f.now) == 0);
    CHECK(sub_take(&a, &m) && sub_take(&b, &m) && m.udata == VG_KVMFR_CURSOR_FLAG_POSITION);
    tick(&f);
    sub_join(&c, f.r, Q_POINTER, 2);
    tick(&f);
    CHECK(sub_take(&c, &m) &&
          m.udata == (VG_KVMFR_CURSOR_FLAG_POSITION | VG_KVMFR_CURSOR_FLAG_SHAPE));
    CHECK(cursor_at(&f, m.offset)->x == 1 && cursor_at(&f, m.offset)->y == 2);
    fixture_finish(&f);
}

struct moves {
    int n;
    int32_t x[8], y[8];
};

static void record_move(void *opaque, int32_t x, int32_t y)
{
    struct moves *mv = opaque;
    if (mv->n < 8) {
        mv->x[mv->n] = x;
        mv->y[mv->n] = y;
    }
    mv->n++;
}

static void setcursorpos_is_handed_over_and_every_message_acknowledged(void)
{
    const size_t size = 8 * MIB;
    uint8_t *r = region_new(size);
    struct moves mv = {0};
    struct vg_kvmfr_producer_config cfg = {.on_set_cursor_pos = record_move, .opaque = &mv};
    struct vg_kvmfr_producer *p = vg_kvmfr_producer_create(r, size, &cfg, 1);
    CHECK(p != NULL);
    if (!p) {
        free(r);
        return;
    }
    struct vg_kvmfr_set_cursor_pos a = {VG_KVMFR_MSG_SETCURSORPOS, -5, 77};
    struct vg_kvmfr_set_cursor_pos unknown = {9, 1, 2};
    uint32_t short_msg = VG_KVMFR_MSG_SETCURSORPOS;
    struct vg_kvmfr_set_cursor_pos b = {VG_KVMFR_MSG_SETCURSORPOS, 10, 20};
    client_send(r, Q_POINTER, &a, sizeof(a));
    client_send(r, Q_POINTER, &unknown, sizeof(unknown));
    client_send(r, Q_POINTER, &short_msg, sizeof(short_msg));
    client_send(r, Q_POINTER, &b, sizeof(b));
    /* B7 never reads the frame queue's ring. */
    client_send(r, Q_FRAME, &a, sizeof(a));
    CHECK(mv.n == 0);
    CHECK(vg_kvmfr_producer_tick(p, 2));
    CHECK(mv.n == 2);
    CHECK(mv.x[0] == -5 && mv.y[0] == 77 && mv.x[1] == 10 && mv.y[1] == 20);
    CHECK(queue_at(r, Q_POINTER)->cmsg_rserial == 4);
    CHECK(queue_at(r, Q_POINTER)->cmsg_avail == 10);
    CHECK(queue_at(r, Q_FRAME)->cmsg_avail == 9 && queue_at(r, Q_FRAME)->cmsg_rserial == 0);
    CHECK(vg_kvmfr_producer_tick(p, 3));
    CHECK(mv.n == 2);
    vg_kvmfr_producer_destroy(p);
    free(r);
}

static void cursor_waits_for_room_then_gives_up(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, false))
        return;
    struct sub ps;
    sub_join(&ps, f.r, Q_POINTER, 0);
    tick(&f); /* the newcomer's message: 1 of 20 */
    for (int i = 1; i < 20; i++)
        CHECK(vg_kvmfr_producer_cursor(f.p, i, i, true, NULL, f.now) == 0);
    CHECK(vg_lgmp_host_pending(vg_kvmfr_producer_host(f.p), Q_POINTER) == 20);

    uint64_t t0 = vg_time_ns();
    CHECK(vg_kvmfr_producer_cursor(f.p, 99, 99, true, NULL, f.now) == -ENOBUFS);
    double ms = vg_ns_to_ms(vg_time_ns() - t0);
    CHECK_MSG(ms >= 45 && ms < 1000, "gave up after %.0f ms", ms);
    /* It ticked the host meanwhile: the heartbeat moved; nobody was expelled in 50 ms. */
    CHECK(hdr(f.r)->timestamp > f.now);
    CHECK(vg_lgmp_host_bad(vg_kvmfr_producer_host(f.p), Q_POINTER) == 0);

    /* Acknowledged messages are released by those ticks: the next post gets through. */
    struct vg_lgmp_message m;
    int taken = 0;
    while (sub_take(&ps, &m))
        taken++;
    CHECK(taken == 20);
    t0 = vg_time_ns();
    CHECK(vg_kvmfr_producer_cursor(f.p, 7, 8, true, NULL, f.now) == 0);
    CHECK(vg_ns_to_ms(vg_time_ns() - t0) < 45);
    CHECK(sub_take(&ps, &m) && cursor_at(&f, m.offset)->x == 7);
    fixture_finish(&f);
}

/* ---- Our client library against the host ---- */

static void client_library_reads_what_the_producer_writes(void)
{
    struct fixture f;
    if (!fixture_init(&f, 8 * MIB, false))
        return;
    struct vg_lgmp_client *c = vg_lgmp_client_create(f.r, f.size);
    CHECK(c != NULL);
    if (!c) {
        fixture_finish(&f);
        return;
    }
    enum vg_lgmp_error err = VG_LGMP_E_OK;
    CHECK(vg_lgmp_client_session_init(c, 0, &err) == VG_LGMP_ERR_INVALID_SESSION);
    tick(&f);
    enum vg_lgmp_status st = vg_lgmp_client_session_init(c, 20, &err);
    CHECK_MSG(st == VG_LGMP_OK, "session init: %s (%s)", vg_lgmp_status_str(st),
              vg_lgmp_error_str(err));
    uint32_t usize = 0;
    const uint8_t *udata = vg_lgmp_client_udata(c, &usize);
    struct vg_kvmfr_info info;
    CHECK(udata && vg_kvmfr_parse_udata(udata, usize, &info) == VG_LGMP_E_OK);
    CHECK(info.version == 20 && strcmp(info.hostver, "B7") == 0);
    CHECK(info.have_vminfo && info.have_osinfo);

    struct vg_lgmp_sub *fsub = NULL, *psub = NULL;
    CHECK(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_FRAME, &fsub, &err) == VG_LGMP_OK);
    CHECK(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_POINTER, &psub, &err) == VG_LGMP_OK);
    if (!fsub || !psub)
        goto done;
    tick(&f);

    const uint32_t w = 200, h = 120;
    uint8_t *px = malloc((size_t)w * h * 3);
    vg_pattern_render(px, w * 3, VG_PATTERN_FORMAT_BGR24, w, h, 4, NULL);
    struct vg_kvmfr_frame_params fp = params(VG_KVMFR_FRAME_BGR_32, w, h);
    CHECK(vg_kvmfr_producer_submit(f.p, &fp, px, w * 3, NULL, 0, f.now) == 0);
    struct vg_lgmp_payload pl;
    st = vg_lgmp_client_process(fsub, VG_KVMFR_FRAME_MIN_SIZE, &pl, &err);
    CHECK_MSG(st == VG_LGMP_OK, "process: %s (%s)", vg_lgmp_status_str(st), vg_lgmp_error_str(err));
    if (st == VG_LGMP_OK) {
        struct vg_kvmfr_frame copy;
        memcpy(&copy, f.r + pl.offset, sizeof(copy));
        struct vg_kvmfr_frame_info fi;
        enum vg_lgmp_error e = vg_kvmfr_validate_frame(&copy, &pl, f.size, &fi);
        CHECK_MSG(e == VG_LGMP_E_OK, "frame: %s", vg_lgmp_error_str(e));
        CHECK(fi.serial == 1 && fi.row_bytes == w * 3 && !fi.clamped);
        uint32_t bad = 0;
        for (uint32_t y = 0; y < fi.data_height; y++)
            bad += memcmp(f.r + fi.data_offset + (size_t)y * fi.pitch, px + (size_t)y * w * 3,
                          w * 3) != 0;
        CHECK(bad == 0);
        CHECK(vg_lgmp_client_message_done(fsub, &err) == VG_LGMP_OK);
    }
    free(px);

    st = vg_lgmp_client_process(psub, VG_KVMFR_CURSOR_MIN_SIZE, &pl, &err);
    CHECK_MSG(st == VG_LGMP_OK, "pointer: %s", vg_lgmp_status_str(st));
    if (st == VG_LGMP_OK) {
        struct vg_kvmfr_cursor cc;
        memcpy(&cc, f.r + pl.offset, sizeof(cc));
        struct vg_kvmfr_cursor_info ci;
        CHECK(vg_kvmfr_validate_cursor(&cc, pl.udata, &pl, &ci) == VG_LGMP_E_OK);
        CHECK(ci.flags & VG_KVMFR_CURSOR_FLAG_POSITION);
        CHECK(vg_lgmp_client_message_done(psub, &err) == VG_LGMP_OK);
    }
    tick(&f);
    CHECK(vg_lgmp_host_pending(vg_kvmfr_producer_host(f.p), Q_FRAME) == 0);
    CHECK(vg_lgmp_host_pending(vg_kvmfr_producer_host(f.p), Q_POINTER) == 0);
    CHECK(vg_lgmp_client_session_valid(c, 30, 0));

done:
    vg_lgmp_client_unsubscribe(fsub, true);
    vg_lgmp_client_unsubscribe(psub, true);
    CHECK(vg_lgmp_host_subscribers(vg_kvmfr_producer_host(f.p), Q_FRAME) == 0);
    vg_lgmp_client_destroy(c);
    fixture_finish(&f);
}

int main(void)
{
    RUN(allocator_follows_b7_rules);
    RUN(header_and_queues_start_as_b7_writes_them);
    RUN(post_without_live_subscribers_is_dropped);
    RUN(post_fills_the_descriptor_and_reports_full_at_num_messages_minus_one);
    RUN(tick_expels_a_straggler_after_max_time);
    RUN(tick_releases_acknowledged_messages_in_order);
    RUN(new_subscriber_count_is_read_and_zeroed);
    RUN(client_messages_are_read_in_order_and_acknowledged);
    RUN(dead_client_holding_a_lock_does_not_hang_the_host);
    RUN(wiped_magic_stops_the_tick);
    RUN(region_map_matches_the_measured_b7_host);
    RUN(frame_header_is_posted_before_the_pixels);
    RUN(submit_is_busy_while_two_frames_are_outstanding);
    RUN(failed_post_leaves_the_outstanding_slot_alone);
    RUN(every_slot_holds_the_complete_image_after_damage_updates);
    RUN(damage_across_a_format_change_is_not_replayed);
    RUN(too_large_a_frame_is_truncated_to_max_frame_rows);
    RUN(packed_and_wide_formats_use_the_spec_dimensions);
    RUN(repost_sends_the_last_slot_again_with_its_serial);
    RUN(cursor_buffers_are_used_round_robin);
    RUN(new_pointer_subscriber_gets_the_whole_cursor);
    RUN(setcursorpos_is_handed_over_and_every_message_acknowledged);
    RUN(cursor_waits_for_room_then_gives_up);
    RUN(client_library_reads_what_the_producer_writes);
    return vg_test_finish();
}
