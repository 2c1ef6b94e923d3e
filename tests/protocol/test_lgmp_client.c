/* The LGMP 6 client (spec §4) against a tiny host written here by hand (header, queues,
 * descriptors, heartbeat; what a B7 host does, §6), so each case can put the region in exactly
 * the state it needs: the session rules (P2, P3, P7), subscribe and its reaping, the
 * acknowledgement protocol, the client->host ring, and what a broken or hostile host gets:
 * a specific error, never a hang or a write where none is allowed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "vg/lgmp.h"
#include "vg/time.h"

#define REGION (256u * 1024u)
#define ON(id) (UINT64_C(1) << (32 + (id)))
#define BAD(id) (UINT64_C(1) << (id))

/* ---- The hand-written host ---- */

struct host {
    uint8_t *base;
    struct vg_lgmp_header *h;
    uint64_t now; /* host ms */
    uint32_t next_free;
    uint32_t udata_size;
};

static uint8_t *region_alloc(void)
{
    uint8_t *p = aligned_alloc(4096, REGION);
    if (p)
        memset(p, 0, REGION);
    return p;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* The KVMFR block and one OSINFO record. */
static uint32_t write_udata(uint8_t *u)
{
    struct vg_kvmfr k = {.version = VG_KVMFR_VERSION, .features = VG_KVMFR_FEATURE_SETCURSORPOS};
    memcpy(k.magic, VG_KVMFR_MAGIC, 8);
    strcpy(k.hostver, "B7");
    memcpy(u, &k, sizeof(k));
    const struct vg_kvmfr_record r = {.type = VG_KVMFR_RECORD_OSINFO, .size = 6};
    memcpy(u + 48, &r, sizeof(r));
    memcpy(u + 56, "\003Linux", 6);
    return 62;
}

/* §2.2 steps 1-3: session id, magic and timestamp, version, no queues yet, the user data. */
static void host_begin(struct host *t, uint8_t *base, uint32_t session)
{
    t->base = base;
    t->h = (struct vg_lgmp_header *)base;
    t->now = t->now ? t->now + 10 : 1;
    t->h->session_id = session;
    t->h->magic = VG_LGMP_MAGIC;
    t->h->timestamp = t->now;
    t->h->version = VG_LGMP_VERSION;
    t->h->num_queues = 0;
    t->udata_size = write_udata(base + VG_LGMP_UDATA_OFFSET);
    t->h->udata_size = t->udata_size;
    t->next_free = align_up(sizeof(struct vg_lgmp_header) + t->udata_size, 4);
}

static uint32_t host_alloc(struct host *t, uint32_t size, uint32_t align)
{
    const uint32_t off = align_up(t->next_free, align);
    t->next_free = off + align_up(size, align);
    return off;
}

static void host_add_queue(struct host *t, uint32_t id, uint32_t len)
{
    struct vg_lgmp_queue *q = &t->h->queues[t->h->num_queues];
    memset(q, 0, offsetof(struct vg_lgmp_queue, timeout)); /* timeout[], clientID[] stay */
    q->queue_id = id;
    q->num_messages = len + 1;
    q->max_time = 1000;
    q->messages_offset = host_alloc(t, (len + 1) * 16, 4);
    q->lock = 0;
    q->subs = 0;
    q->start = q->count = 0;
    q->msg_timeout = 0;
    q->cmsg_lock = 0;
    q->cmsg_avail = VG_LGMP_MSGS_MAX;
    q->cmsg_wpos = q->cmsg_wserial = q->cmsg_rserial = 0;
    t->h->num_queues++;
}

static void host_tick(struct host *t)
{
    t->now += 10;
    __atomic_store_n(&t->h->timestamp, t->now, __ATOMIC_SEQ_CST);
}

static struct vg_lgmp_message *desc(struct host *t, int qi, uint32_t k)
{
    return (struct vg_lgmp_message *)(t->base + t->h->queues[qi].messages_offset) + k;
}

/* §6.3: to the live set ON & ~BAD; dropped when there is none. */
static void host_post(struct host *t, int qi, uint32_t udata, uint32_t offset, uint32_t size)
{
    struct vg_lgmp_queue *q = &t->h->queues[qi];
    const uint32_t live = (uint32_t)(q->subs >> 32) & ~(uint32_t)q->subs;
    if (!live)
        return;
    *desc(t, qi, q->position) = (struct vg_lgmp_message){
        .udata = udata, .size = size, .offset = offset, .pending_subs = live};
    if (q->count++ == 0)
        q->msg_timeout = t->now + q->max_time;
    q->position = (q->position + 1) % q->num_messages;
}

/* A complete B7-like layout: frame queue (id 2) first, pointer queue (id 1) second, then a
 * cursor buffer and two 8 KiB frame slots. */
struct layout {
    uint32_t cursor;
    uint32_t slot[2];
};

static struct layout host_b7(struct host *t, uint8_t *base, uint32_t session)
{
    host_begin(t, base, session);
    host_add_queue(t, VG_KVMFR_QUEUE_FRAME, 2);
    host_add_queue(t, VG_KVMFR_QUEUE_POINTER, 20);
    struct layout l;
    l.cursor = host_alloc(t, 24 + 16 * 16 * 4, 4);
    l.slot[0] = host_alloc(t, 8192, 4096);
    l.slot[1] = host_alloc(t, 8192, 4096);
    host_tick(t);
    return l;
}

/* Session init the way a viewer does it: record, let the host tick, init. */
static struct vg_lgmp_client *connect_client(struct host *t, uint64_t now_ms)
{
    struct vg_lgmp_client *c = vg_lgmp_client_create(t->base, REGION);
    CHECK(c != NULL);
    if (!c)
        return NULL;
    CHECK(vg_lgmp_client_session_init(c, now_ms, NULL) == VG_LGMP_ERR_INVALID_SESSION);
    host_tick(t);
    CHECK(vg_lgmp_client_session_init(c, now_ms, NULL) == VG_LGMP_OK);
    return c;
}

static struct vg_lgmp_sub *subscribe(struct vg_lgmp_client *c, uint32_t queue_id)
{
    struct vg_lgmp_sub *s = NULL;
    enum vg_lgmp_error err = VG_LGMP_E_OK;
    const enum vg_lgmp_status st = vg_lgmp_client_subscribe(c, queue_id, &s, &err);
    CHECK_MSG(st == VG_LGMP_OK && s, "subscribe %u: %s (%s)", queue_id, vg_lgmp_status_str(st),
              vg_lgmp_error_str(err));
    return s;
}

#define EXPECT(call, want_st, want_err)                                                            \
    do {                                                                                           \
        enum vg_lgmp_error err_ = VG_LGMP_E_OK;                                                    \
        const enum vg_lgmp_status st_ = (call);                                                    \
        CHECK_MSG(st_ == (want_st) && err_ == (want_err), "%s: got %s (%s), want %s (%s)", #call,  \
                  vg_lgmp_status_str(st_), vg_lgmp_error_str(err_), vg_lgmp_status_str(want_st),   \
                  vg_lgmp_error_str(want_err));                                                    \
    } while (0)

/* ---- Session ---- */

static void session_init_needs_a_moving_heartbeat_and_a_later_change(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    struct vg_lgmp_client *c = vg_lgmp_client_create(base, REGION);
    CHECK(c != NULL);

    /* Nothing there yet. */
    EXPECT(vg_lgmp_client_session_init(c, 0, &err_), VG_LGMP_ERR_INVALID_MAGIC, VG_LGMP_E_MAGIC);

    /* P3: magic and timestamp are valid while the host is still setting up (no queues, the
     * heartbeat not started). Seeing the magic only records the timestamp; without a change
     * it stays not ready however often we ask. */
    host_begin(&t, base, 0x1111);
    CHECK(vg_lgmp_client_session_init(c, 10, NULL) == VG_LGMP_ERR_INVALID_SESSION);
    CHECK(vg_lgmp_client_session_init(c, 20, NULL) == VG_LGMP_ERR_INVALID_SESSION);
    CHECK(vg_lgmp_client_udata(c, NULL) == NULL);

    /* Setup completes, the heartbeat starts: the next call is ready, with all of it. */
    host_add_queue(&t, VG_KVMFR_QUEUE_FRAME, 2);
    host_add_queue(&t, VG_KVMFR_QUEUE_POINTER, 20);
    host_tick(&t);
    EXPECT(vg_lgmp_client_session_init(c, 30, &err_), VG_LGMP_OK, VG_LGMP_E_OK);
    CHECK(vg_lgmp_client_session_id(c) == 0x1111);
    uint32_t usize = 0;
    const uint8_t *u = vg_lgmp_client_udata(c, &usize);
    CHECK(u && usize == t.udata_size && memcmp(u, base + VG_LGMP_UDATA_OFFSET, usize) == 0);
    CHECK(u != base + VG_LGMP_UDATA_OFFSET); /* a private copy */
    struct vg_kvmfr_info info;
    CHECK(vg_kvmfr_parse_udata(u, usize, &info) == VG_LGMP_E_OK);
    CHECK(info.have_osinfo && strcmp(info.os_name, "Linux") == 0);
    /* The copy does not follow later scribbles in the region. */
    base[VG_LGMP_UDATA_OFFSET] = 'X';
    CHECK(vg_lgmp_client_udata(c, NULL)[0] == 'K');
    vg_lgmp_client_destroy(c);

    /* A host whose heartbeat never moves is never ready. */
    c = vg_lgmp_client_create(base, REGION);
    for (int i = 0; i < 5; i++)
        CHECK(vg_lgmp_client_session_init(c, (uint64_t)i * 1000, NULL) ==
              VG_LGMP_ERR_INVALID_SESSION);
    vg_lgmp_client_destroy(c);

    /* A restart over a region that still holds a dead session's magic: the new session id is
     * seen with the new timestamp before setup is done, which only records it. */
    memset(base, 0, REGION);
    host_b7(&t, base, 0x2222);
    c = vg_lgmp_client_create(base, REGION);
    CHECK(vg_lgmp_client_session_init(c, 0, NULL) == VG_LGMP_ERR_INVALID_SESSION);
    host_begin(&t, base, 0x3333); /* restart: numQueues back to 0, new timestamp */
    CHECK(vg_lgmp_client_session_init(c, 10, NULL) == VG_LGMP_ERR_INVALID_SESSION);
    host_add_queue(&t, VG_KVMFR_QUEUE_FRAME, 2);
    host_tick(&t);
    CHECK(vg_lgmp_client_session_init(c, 20, NULL) == VG_LGMP_OK);
    CHECK(vg_lgmp_client_session_id(c) == 0x3333);

    /* Wrong version: reported with what was found; a moving heartbeat does not help. */
    t.h->version = 10;
    host_tick(&t);
    EXPECT(vg_lgmp_client_session_init(c, 30, &err_), VG_LGMP_ERR_INVALID_VERSION,
           VG_LGMP_E_VERSION);
    CHECK(vg_lgmp_client_found_version(c) == 10);
    host_tick(&t);
    CHECK(vg_lgmp_client_session_init(c, 40, NULL) == VG_LGMP_ERR_INVALID_VERSION);
    t.h->version = VG_LGMP_VERSION;

    /* A header that cannot be right: the reason says which field. */
    CHECK(vg_lgmp_client_session_init(c, 50, NULL) == VG_LGMP_ERR_INVALID_SESSION);
    t.h->udata_size = 47;
    host_tick(&t);
    EXPECT(vg_lgmp_client_session_init(c, 60, &err_), VG_LGMP_ERR_INVALID_SIZE,
           VG_LGMP_E_UDATA_SIZE);
    t.h->udata_size = REGION;
    host_tick(&t);
    EXPECT(vg_lgmp_client_session_init(c, 70, &err_), VG_LGMP_ERR_INVALID_SIZE,
           VG_LGMP_E_UDATA_SIZE);
    t.h->udata_size = t.udata_size;
    t.h->num_queues = 6;
    host_tick(&t);
    EXPECT(vg_lgmp_client_session_init(c, 80, &err_), VG_LGMP_ERR_INVALID_SIZE,
           VG_LGMP_E_NUM_QUEUES);
    vg_lgmp_client_destroy(c);

    /* Too small for the header, or misaligned for the 64-bit atomics. */
    CHECK(vg_lgmp_client_create(base, 5759) == NULL);
    CHECK(vg_lgmp_client_create(base + 4, REGION - 4) == NULL);
    CHECK(vg_lgmp_client_create(NULL, REGION) == NULL);
    vg_lgmp_client_destroy(NULL);
    free(base);
}

static void session_becomes_invalid_after_a_frozen_second_or_a_new_session_id(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    host_b7(&t, base, 0x4444);
    struct vg_lgmp_client *c = connect_client(&t, 5000);

    /* The client's clock, not the host's: host ms are never compared with it (P2). */
    CHECK(vg_lgmp_client_session_valid(c, 5500, 0));
    CHECK(vg_lgmp_client_session_valid(c, 6000, 0));  /* exactly 1000 ms: still valid */
    CHECK(!vg_lgmp_client_session_valid(c, 6001, 0)); /* frozen for more than 1 s */
    host_tick(&t);
    CHECK(vg_lgmp_client_session_valid(c, 6002, 0)); /* it moved again */
    /* Host time running backwards (a host restart near 0) is still a change. */
    t.h->timestamp = 3;
    CHECK(vg_lgmp_client_session_valid(c, 6900, 0));
    CHECK(vg_lgmp_client_session_valid(c, 7900, 0));
    CHECK(!vg_lgmp_client_session_valid(c, 7901, 0));
    /* A caller's timeout. */
    host_tick(&t);
    CHECK(vg_lgmp_client_session_valid(c, 8000, 100));
    CHECK(!vg_lgmp_client_session_valid(c, 8101, 100));

    /* A new session id: invalid at once, however lively the heartbeat. */
    host_tick(&t);
    CHECK(vg_lgmp_client_session_valid(c, 8102, 0));
    t.h->session_id = 0x4445;
    host_tick(&t);
    CHECK(!vg_lgmp_client_session_valid(c, 8103, 0));
    host_tick(&t);
    CHECK(!vg_lgmp_client_session_valid(c, 8104, 0));

    /* Before any session: never valid. */
    struct vg_lgmp_client *fresh = vg_lgmp_client_create(base, REGION);
    CHECK(!vg_lgmp_client_session_valid(fresh, 0, 0));
    vg_lgmp_client_destroy(fresh);
    vg_lgmp_client_destroy(c);
    free(base);
}

/* A heartbeat that stopped ends the session; a new one needs the heartbeat to move again, not
 * just to differ from what it was when the old session began (the client would otherwise take
 * a frozen host for a live one at once). */
static void after_a_frozen_heartbeat_a_new_session_waits_for_it_to_move(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    host_b7(&t, base, 0x5555);
    struct vg_lgmp_client *c = connect_client(&t, 1000);
    host_tick(&t);
    CHECK(vg_lgmp_client_session_valid(c, 1100, 0));
    /* Frozen from here on. */
    CHECK(!vg_lgmp_client_session_valid(c, 2200, 0));
    CHECK(vg_lgmp_client_session_init(c, 2210, NULL) == VG_LGMP_ERR_INVALID_SESSION);
    CHECK(vg_lgmp_client_session_init(c, 2300, NULL) == VG_LGMP_ERR_INVALID_SESSION);
    /* Thawed. */
    host_tick(&t);
    CHECK(vg_lgmp_client_session_init(c, 2400, NULL) == VG_LGMP_OK);
    CHECK(vg_lgmp_client_session_valid(c, 2401, 0));
    vg_lgmp_client_destroy(c);
    free(base);
}

/* ---- Subscribe ---- */

static void subscribe_finds_queues_by_id_not_index(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    /* The pointer queue first this time; and a queue id 7 nobody asks for. */
    host_begin(&t, base, 0x5555);
    host_add_queue(&t, 7, 4);
    host_add_queue(&t, VG_KVMFR_QUEUE_POINTER, 20);
    host_add_queue(&t, VG_KVMFR_QUEUE_FRAME, 2);
    const uint32_t cur = host_alloc(&t, 24, 4);
    const uint32_t slot = host_alloc(&t, 8192, 4096);
    host_tick(&t);
    struct vg_lgmp_client *c = connect_client(&t, 0);

    struct vg_lgmp_sub *frames = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    struct vg_lgmp_sub *pointer = subscribe(c, VG_KVMFR_QUEUE_POINTER);
    CHECK(t.h->queues[2].subs == ON(0) && t.h->queues[1].subs == ON(0));
    CHECK(t.h->queues[0].subs == 0);
    host_post(&t, 2, 0, slot, 8192);
    host_post(&t, 1, 7, cur, 24);
    struct vg_lgmp_payload p;
    EXPECT(vg_lgmp_client_process(frames, VG_KVMFR_FRAME_MIN_SIZE, &p, &err_), VG_LGMP_OK,
           VG_LGMP_E_OK);
    CHECK(p.offset == slot && p.size == 8192 && p.udata == 0);
    EXPECT(vg_lgmp_client_process(pointer, VG_KVMFR_CURSOR_MIN_SIZE, &p, &err_), VG_LGMP_OK,
           VG_LGMP_E_OK);
    CHECK(p.offset == cur && p.size == 24 && p.udata == 7);

    struct vg_lgmp_sub *none = NULL;
    EXPECT(vg_lgmp_client_subscribe(c, 3, &none, &err_), VG_LGMP_ERR_NO_SUCH_QUEUE, VG_LGMP_E_OK);
    CHECK(none == NULL);
    /* A queue that is in memory but not yet counted in numQueues does not exist (P3). */
    t.h->num_queues = 2;
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_FRAME, &none, &err_),
           VG_LGMP_ERR_NO_SUCH_QUEUE, VG_LGMP_E_OK);
    t.h->num_queues = 0;
    EXPECT(vg_lgmp_client_subscribe(c, 7, &none, &err_), VG_LGMP_ERR_NO_SUCH_QUEUE, VG_LGMP_E_OK);
    t.h->num_queues = 6;
    EXPECT(vg_lgmp_client_subscribe(c, 7, &none, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_NUM_QUEUES);
    t.h->num_queues = 3;

    vg_lgmp_client_unsubscribe(frames, true);
    vg_lgmp_client_unsubscribe(pointer, true);
    vg_lgmp_client_destroy(c);
    free(base);
}

static void subscribe_takes_the_lowest_free_id_and_counts_itself(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    host_b7(&t, base, 0x6666);
    struct vg_lgmp_client *c = connect_client(&t, 0);
    struct vg_lgmp_queue *q = &t.h->queues[1];
    /* Ids 0, 1 and 3 taken; a stale timeout and client id in slot 2 from an earlier session. */
    q->subs = ON(0) | ON(1) | ON(3);
    q->timeout[2] = 999999;
    q->client_id[2] = 0xDEAD;
    q->position = 5;

    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_POINTER);
    CHECK(vg_lgmp_sub_id(s) == 2);
    CHECK(q->subs == (ON(0) | ON(1) | ON(2) | ON(3)));
    CHECK(q->timeout[2] == 0 && q->client_id[2] != 0 && q->client_id[2] != 0xDEAD);
    CHECK(q->new_sub_count == 1);
    CHECK(q->lock == 0);
    /* It starts at the host's position: messages already in the ring are not ours. */
    EXPECT(vg_lgmp_client_process(s, 24, NULL, &err_), VG_LGMP_ERR_QUEUE_EMPTY, VG_LGMP_E_OK);

    struct vg_lgmp_sub *s2 = subscribe(c, VG_KVMFR_QUEUE_POINTER);
    CHECK(vg_lgmp_sub_id(s2) == 4 && q->new_sub_count == 2);
    CHECK(q->client_id[4] == q->client_id[2]); /* one client, one id */

    /* A BAD id keeps its slot until reaped: with all 32 taken, full. */
    q->subs = UINT64_C(0xFFFFFFFF00000000) | BAD(9);
    q->timeout[9] = t.now + 1000;
    struct vg_lgmp_sub *none = NULL;
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_POINTER, &none, &err_),
           VG_LGMP_ERR_QUEUE_FULL, VG_LGMP_E_OK);
    CHECK(none == NULL && q->lock == 0 && q->new_sub_count == 2);
    CHECK(q->subs == (UINT64_C(0xFFFFFFFF00000000) | BAD(9)));

    vg_lgmp_client_unsubscribe(s, false);
    vg_lgmp_client_unsubscribe(s2, false);
    vg_lgmp_client_destroy(c);
    free(base);
}

static void subscribe_reaps_an_expired_bad_id(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    host_b7(&t, base, 0x7777);
    struct vg_lgmp_client *c = connect_client(&t, 0);
    struct vg_lgmp_queue *q = &t.h->queues[0];
    const uint64_t now = t.h->timestamp;
    /* 0: BAD, deadline passed. 1: BAD, deadline now (not yet: strictly after). 2: live.
     * 5: BAD, deadline passed, its ON bit already gone (hostile, reaped too). */
    q->subs = ON(0) | BAD(0) | ON(1) | BAD(1) | ON(2) | BAD(5);
    q->timeout[0] = now - 1;
    q->client_id[0] = 0xBEEF;
    q->timeout[1] = now;
    q->client_id[1] = 0xCAFE;
    q->timeout[5] = 1;
    q->client_id[5] = 0xF00D;

    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    CHECK(vg_lgmp_sub_id(s) == 0);
    CHECK(q->subs == (ON(0) | ON(1) | BAD(1) | ON(2)));
    CHECK(q->timeout[0] == 0 && q->client_id[0] != 0xBEEF);
    CHECK(q->timeout[1] == now && q->client_id[1] == 0xCAFE); /* not expired: kept */
    CHECK(q->timeout[5] == 0 && q->client_id[5] == 0);
    CHECK(q->new_sub_count == 1);

    /* Once its deadline has passed, id 1 is reaped and reused by the next subscribe. */
    host_tick(&t);
    struct vg_lgmp_sub *s2 = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    CHECK(vg_lgmp_sub_id(s2) == 1);
    CHECK(q->subs == (ON(0) | ON(1) | ON(2)));
    CHECK(q->new_sub_count == 2);

    vg_lgmp_client_unsubscribe(s, true);
    vg_lgmp_client_unsubscribe(s2, true);
    CHECK(q->subs == ON(2));
    vg_lgmp_client_destroy(c);
    free(base);
}

/* ---- Process and message-done ---- */

static void messages_are_processed_and_released_in_order(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    const struct layout l = host_b7(&t, base, 0x8888);
    struct vg_lgmp_client *c = connect_client(&t, 0);
    struct vg_lgmp_queue *q = &t.h->queues[0];
    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    host_post(&t, 0, 0, l.slot[0], 8192);
    host_post(&t, 0, 0, l.slot[1], 8192);
    CHECK(q->count == 2 && q->position == 2);

    struct vg_lgmp_payload p;
    CHECK(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, NULL) == VG_LGMP_OK);
    CHECK(p.offset == l.slot[0]);
    /* Peeking writes nothing: the same message again, still pending. */
    CHECK(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, NULL) == VG_LGMP_OK);
    CHECK(p.offset == l.slot[0] && desc(&t, 0, 0)->pending_subs == 1);

    host_tick(&t);
    const uint64_t now = t.now;
    EXPECT(vg_lgmp_client_message_done(s, &err_), VG_LGMP_OK, VG_LGMP_E_OK);
    CHECK(desc(&t, 0, 0)->pending_subs == 0);
    CHECK(q->start == 1 && q->count == 1 && q->lock == 0);
    CHECK(q->msg_timeout == now + 1000); /* the next oldest's deadline, in host ms */

    CHECK(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, NULL) == VG_LGMP_OK);
    CHECK(p.offset == l.slot[1]);
    CHECK(vg_lgmp_client_message_done(s, NULL) == VG_LGMP_OK);
    CHECK(q->start == 2 && q->count == 0);
    EXPECT(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, &err_), VG_LGMP_ERR_QUEUE_EMPTY,
           VG_LGMP_E_OK);
    EXPECT(vg_lgmp_client_message_done(s, &err_), VG_LGMP_ERR_QUEUE_EMPTY, VG_LGMP_E_OK);

    /* The ring wraps (3 entries). */
    host_post(&t, 0, 0, l.slot[0], 8192);
    CHECK(q->position == 0);
    CHECK(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, NULL) == VG_LGMP_OK);
    CHECK(vg_lgmp_client_message_done(s, NULL) == VG_LGMP_OK);
    CHECK(q->start == 0 && q->count == 0);

    /* Two subscribers: only the last to acknowledge releases. */
    struct vg_lgmp_client *c2 = connect_client(&t, 0);
    struct vg_lgmp_sub *s2 = subscribe(c2, VG_KVMFR_QUEUE_FRAME);
    /* c2's session init started a new generation for c2 only; c's subscription stays. */
    host_post(&t, 0, 0, l.slot[1], 8192);
    CHECK(desc(&t, 0, 0)->pending_subs == 3);
    CHECK(vg_lgmp_client_message_done(s2, NULL) == VG_LGMP_OK);
    CHECK(desc(&t, 0, 0)->pending_subs == 1 && q->start == 0 && q->count == 1);
    CHECK(vg_lgmp_client_message_done(s, NULL) == VG_LGMP_OK);
    CHECK(desc(&t, 0, 0)->pending_subs == 0 && q->start == 1 && q->count == 0);

    /* The lock is busy (the host is posting): the message stays counted for the host's next
     * pass to release, and the client moves on. */
    host_post(&t, 0, 0, l.slot[0], 8192);
    q->lock = 1;
    CHECK(vg_lgmp_client_message_done(s, NULL) == VG_LGMP_OK);
    CHECK(vg_lgmp_client_message_done(s2, NULL) == VG_LGMP_OK);
    CHECK(desc(&t, 0, 1)->pending_subs == 0 && q->start == 1 && q->count == 1 && q->lock == 1);
    CHECK(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, NULL) == VG_LGMP_ERR_QUEUE_EMPTY);
    q->lock = 0;
    /* The host already released it (start moved on): the client must not release again. */
    host_post(&t, 0, 0, l.slot[1], 8192);
    q->start = 0;
    q->count = 1;
    CHECK(vg_lgmp_client_message_done(s, NULL) == VG_LGMP_OK);
    CHECK(vg_lgmp_client_message_done(s2, NULL) == VG_LGMP_OK);
    CHECK(q->start == 0 && q->count == 1);

    vg_lgmp_client_unsubscribe(s, true);
    vg_lgmp_client_unsubscribe(s2, true);
    vg_lgmp_client_destroy(c);
    vg_lgmp_client_destroy(c2);
    free(base);
}

static void count_underflow_is_corrupted(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    const struct layout l = host_b7(&t, base, 0x9999);
    struct vg_lgmp_client *c = connect_client(&t, 0);
    struct vg_lgmp_queue *q = &t.h->queues[0];
    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    host_post(&t, 0, 0, l.slot[0], 8192);
    q->count = 0; /* a host that lost count */
    EXPECT(vg_lgmp_client_message_done(s, &err_), VG_LGMP_ERR_CORRUPTED, VG_LGMP_E_COUNT_UNDERFLOW);
    CHECK(q->count == 0 && q->lock == 0); /* not wrapped to 2^32 - 1 */
    /* The local position did not advance. */
    struct vg_lgmp_payload p;
    CHECK(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, NULL) == VG_LGMP_OK);
    CHECK(p.offset == l.slot[0]);
    vg_lgmp_client_unsubscribe(s, true);
    vg_lgmp_client_destroy(c);
    free(base);
}

static void expelled_or_unsubscribed_subscribers_are_told_so(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    const struct layout l = host_b7(&t, base, 0xAAAA);
    struct vg_lgmp_client *c = connect_client(&t, 100);
    struct vg_lgmp_queue *q = &t.h->queues[1];
    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_POINTER);
    host_post(&t, 1, 3, l.cursor, 24);

    /* BAD: every per-queue call says QUEUE_TIMEOUT, and unsubscribe leaves ON + BAD. */
    q->subs |= BAD(0);
    q->timeout[0] = t.now + 1000;
    const uint32_t msg[3] = {0, 1, 2};
    uint32_t serial = 0;
    EXPECT(vg_lgmp_client_process(s, 24, NULL, &err_), VG_LGMP_ERR_QUEUE_TIMEOUT, VG_LGMP_E_OK);
    EXPECT(vg_lgmp_client_message_done(s, &err_), VG_LGMP_ERR_QUEUE_TIMEOUT, VG_LGMP_E_OK);
    EXPECT(vg_lgmp_client_send(s, msg, 12, &serial, &err_), VG_LGMP_ERR_QUEUE_TIMEOUT,
           VG_LGMP_E_OK);
    CHECK(vg_lgmp_client_get_serial(s, &serial) == VG_LGMP_ERR_QUEUE_TIMEOUT);
    CHECK(q->cmsg_wserial == 0 && desc(&t, 1, 0)->pending_subs == 1);
    vg_lgmp_client_unsubscribe(s, true);
    CHECK(q->subs == (ON(0) | BAD(0)) && q->timeout[0] == t.now + 1000);

    /* The id reaped and handed to another client while we were not looking: not ours. */
    s = subscribe(c, VG_KVMFR_QUEUE_POINTER);
    CHECK(vg_lgmp_sub_id(s) == 1);
    const uint32_t ours = q->client_id[1];
    q->client_id[1] = ours ^ 0x5A5A;
    EXPECT(vg_lgmp_client_process(s, 24, NULL, &err_), VG_LGMP_ERR_QUEUE_TIMEOUT, VG_LGMP_E_OK);
    vg_lgmp_client_unsubscribe(s, true);
    CHECK((q->subs & ON(1)) && q->client_id[1] == (ours ^ 0x5A5A)); /* theirs, left alone */

    /* ON bit gone with the session valid: unsubscribed; with the heartbeat stopped: the
     * session is invalid. */
    q->subs = 0;
    s = subscribe(c, VG_KVMFR_QUEUE_POINTER);
    q->subs = 0;
    CHECK(vg_lgmp_client_session_valid(c, 200, 0));
    EXPECT(vg_lgmp_client_process(s, 24, NULL, &err_), VG_LGMP_ERR_QUEUE_UNSUBSCRIBED,
           VG_LGMP_E_OK);
    CHECK(!vg_lgmp_client_session_valid(c, 5000, 0));
    EXPECT(vg_lgmp_client_process(s, 24, NULL, &err_), VG_LGMP_ERR_INVALID_SESSION, VG_LGMP_E_OK);
    EXPECT(vg_lgmp_client_message_done(s, &err_), VG_LGMP_ERR_INVALID_SESSION, VG_LGMP_E_OK);
    vg_lgmp_client_unsubscribe(s, false);
    vg_lgmp_client_destroy(c);
    free(base);
}

static void broken_indices_geometry_and_descriptors_are_corrupted(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    const struct layout l = host_b7(&t, base, 0xBBBB);
    struct vg_lgmp_client *c = connect_client(&t, 0);
    struct vg_lgmp_queue *q = &t.h->queues[0];
    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    struct vg_lgmp_payload p;
    const uint32_t n = q->num_messages;

    /* Ring indices out of range. */
    host_post(&t, 0, 0, l.slot[0], 8192);
    q->position = n;
    EXPECT(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_INDEX);
    q->position = UINT32_MAX;
    EXPECT(vg_lgmp_client_message_done(s, &err_), VG_LGMP_ERR_CORRUPTED, VG_LGMP_E_INDEX);
    q->position = 1;
    q->start = n;
    EXPECT(vg_lgmp_client_message_done(s, &err_), VG_LGMP_ERR_CORRUPTED, VG_LGMP_E_INDEX);
    CHECK(q->start == n && q->count == 1 && q->lock == 0);
    q->start = 0;
    CHECK(vg_lgmp_client_message_done(s, NULL) == VG_LGMP_OK);
    q->position = n + 1;
    struct vg_lgmp_sub *none = NULL;
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_FRAME, &none, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_INDEX);
    CHECK(none == NULL && q->subs == ON(0) && q->new_sub_count == 1 && q->lock == 0);
    q->position = 1;

    /* Geometry changed since subscribe. */
    host_post(&t, 0, 0, l.slot[1], 8192);
    q->num_messages = 4;
    EXPECT(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_QUEUE_CHANGED);
    q->num_messages = n;
    q->messages_offset += 16;
    EXPECT(vg_lgmp_client_message_done(s, &err_), VG_LGMP_ERR_CORRUPTED, VG_LGMP_E_QUEUE_CHANGED);
    q->messages_offset -= 16;
    q->queue_id = 9;
    EXPECT(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_QUEUE_CHANGED);
    q->queue_id = VG_KVMFR_QUEUE_FRAME;
    CHECK(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, NULL) == VG_LGMP_OK);

    /* Descriptors: past the region, inside the header, inside the pointer queue's descriptor
     * array (the floor covers every queue's array, not just this one's), too small. */
    struct vg_lgmp_message *d = desc(&t, 0, 1);
    d->offset = REGION - 4096;
    EXPECT(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_MSG_BOUNDS);
    d->offset = 0;
    EXPECT(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_MSG_OVERLAP);
    d->offset = t.h->queues[1].messages_offset;
    d->size = 24 * 16;
    EXPECT(vg_lgmp_client_process(s, 24, &p, &err_), VG_LGMP_ERR_CORRUPTED, VG_LGMP_E_MSG_OVERLAP);
    d->offset = l.slot[1];
    d->size = 1087;
    EXPECT(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_MSG_SIZE);
    d->size = 8192;
    CHECK(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, NULL) == VG_LGMP_OK);
    vg_lgmp_client_unsubscribe(s, true);

    /* Geometry that is wrong at subscribe: this queue's or another's. */
    q->num_messages = 1;
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_FRAME, &none, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_QUEUE_MESSAGES);
    q->num_messages = n;
    t.h->queues[1].messages_offset = 64;
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_FRAME, &none, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_QUEUE_OFFSET);
    t.h->queues[1].messages_offset = REGION - 16;
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_POINTER, &none, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_QUEUE_OFFSET);
    CHECK(none == NULL && t.h->queues[1].subs == 0 && t.h->queues[0].subs == 0);
    vg_lgmp_client_destroy(c);
    free(base);
}

/* ---- Locks ---- */

struct ticker {
    struct host *t;
    volatile int stop;
    int session_change_after_ms; /* 0: never */
};

static void *tick_thread(void *arg)
{
    struct ticker *k = arg;
    const uint64_t start = vg_time_ns();
    while (!k->stop) {
        __atomic_store_n(&k->t->h->timestamp,
                         __atomic_load_n(&k->t->h->timestamp, __ATOMIC_SEQ_CST) + 5,
                         __ATOMIC_SEQ_CST);
        if (k->session_change_after_ms &&
            vg_time_ns() - start > (uint64_t)k->session_change_after_ms * VG_NS_PER_MS)
            __atomic_store_n(&k->t->h->session_id, 0xD1ED, __ATOMIC_SEQ_CST);
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    return NULL;
}

static double ms_since(uint64_t start)
{
    return vg_ns_to_ms(vg_time_ns() - start);
}

static void a_lock_held_forever_fails_in_bounded_time(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    host_b7(&t, base, 0xCCCC);
    struct vg_lgmp_client *c = connect_client(&t, 0);
    struct vg_lgmp_queue *q = &t.h->queues[1];
    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_POINTER);
    struct vg_lgmp_sub *none = NULL;

    /* A dead holder, and the host's heartbeat stopped behind it. */
    q->lock = 1;
    uint64_t start = vg_time_ns();
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_POINTER, &none, &err_),
           VG_LGMP_ERR_INVALID_SESSION, VG_LGMP_E_LOCK_TIMEOUT);
    double ms = ms_since(start);
    CHECK_MSG(ms >= 50 && ms < 600, "subscribe gave up after %.0f ms", ms);
    CHECK(none == NULL && q->new_sub_count == 1);
    /* Unsubscribe gives up as well, writing nothing. */
    const uint64_t subs = q->subs;
    start = vg_time_ns();
    vg_lgmp_client_unsubscribe(s, true);
    ms = ms_since(start);
    CHECK_MSG(ms < 600, "unsubscribe gave up after %.0f ms", ms);
    CHECK(q->subs == subs && q->lock == 1);
    q->lock = 0;

    /* The heartbeat keeps moving (a host alive, but the lock never freed): the full bound. */
    s = subscribe(c, VG_KVMFR_QUEUE_POINTER);
    struct ticker k = {.t = &t};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, tick_thread, &k) == 0);
    q->cmsg_lock = 1;
    const uint32_t msg[3] = {0, 10, 20};
    uint32_t serial = 0;
    start = vg_time_ns();
    EXPECT(vg_lgmp_client_send(s, msg, sizeof(msg), &serial, &err_), VG_LGMP_ERR_INVALID_SESSION,
           VG_LGMP_E_LOCK_TIMEOUT);
    ms = ms_since(start);
    CHECK_MSG(ms >= 150 && ms < 800, "send gave up after %.0f ms", ms);
    CHECK(q->cmsg_avail == VG_LGMP_MSGS_MAX && q->cmsg_wserial == 0 && q->cmsg_wpos == 0);
    q->cmsg_lock = 0;
    q->lock = 1;
    start = vg_time_ns();
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_POINTER, &none, &err_),
           VG_LGMP_ERR_INVALID_SESSION, VG_LGMP_E_LOCK_TIMEOUT);
    ms = ms_since(start);
    CHECK_MSG(ms >= 150 && ms < 800, "subscribe gave up after %.0f ms", ms);
    k.stop = 1;
    pthread_join(th, NULL);

    /* The session changes while we spin: we stop at once, without claiming a timeout. */
    k = (struct ticker){.t = &t, .session_change_after_ms = 20};
    CHECK(pthread_create(&th, NULL, tick_thread, &k) == 0);
    start = vg_time_ns();
    EXPECT(vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_POINTER, &none, &err_),
           VG_LGMP_ERR_INVALID_SESSION, VG_LGMP_E_OK);
    ms = ms_since(start);
    CHECK_MSG(ms < 150, "subscribe noticed the new session after %.0f ms", ms);
    k.stop = 1;
    pthread_join(th, NULL);

    vg_lgmp_client_unsubscribe(s, false);
    vg_lgmp_client_destroy(c);
    free(base);
}

/* ---- Unsubscribe ---- */

static void unsubscribe_without_write_leaves_the_region_untouched(void)
{
    uint8_t *base = region_alloc();
    uint8_t *before = malloc(REGION);
    struct host t = {0};
    const struct layout l = host_b7(&t, base, 0xDDDD);
    struct vg_lgmp_client *c = connect_client(&t, 0);
    struct vg_lgmp_queue *q = &t.h->queues[0];
    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    host_post(&t, 0, 0, l.slot[0], 8192);

    memcpy(before, base, REGION);
    vg_lgmp_client_unsubscribe(s, false);
    CHECK(memcmp(before, base, REGION) == 0);

    /* P7: after a session change even write = true writes nothing: the id may be someone
     * else's in the new session. */
    s = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    CHECK(vg_lgmp_sub_id(s) == 1);
    t.h->session_id = 0xDDDE;
    memcpy(before, base, REGION);
    vg_lgmp_client_unsubscribe(s, true);
    CHECK(memcmp(before, base, REGION) == 0);
    t.h->session_id = 0xDDDD;

    /* An older subscription after a new session init is stale the same way. */
    s = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    CHECK(vg_lgmp_sub_id(s) == 2);
    host_tick(&t);
    CHECK(vg_lgmp_client_session_init(c, 10, NULL) == VG_LGMP_OK);
    EXPECT(vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, NULL, &err_),
           VG_LGMP_ERR_INVALID_SESSION, VG_LGMP_E_OK);
    memcpy(before, base, REGION);
    vg_lgmp_client_unsubscribe(s, true);
    CHECK(memcmp(before, base, REGION) == 0);

    /* In a valid session, write = true clears our bits, timeout and id, nothing else; our
     * stale pending bit stays for the host's next pass (§4.8 step 4). */
    s = subscribe(c, VG_KVMFR_QUEUE_FRAME);
    const uint32_t id = vg_lgmp_sub_id(s);
    CHECK(id == 3 && q->client_id[id] != 0);
    host_post(&t, 0, 0, l.slot[1], 8192);
    memcpy(before, base, REGION);
    vg_lgmp_client_unsubscribe(s, true);
    CHECK((q->subs & ON(id)) == 0 && q->client_id[id] == 0 && q->timeout[id] == 0);
    CHECK(desc(&t, 0, 1)->pending_subs & (1u << id));
    /* Only subs and clientID changed. */
    memcpy(before + ((uint8_t *)&q->subs - base), &q->subs, sizeof(q->subs));
    memcpy(before + ((uint8_t *)&q->client_id[id] - base), &q->client_id[id], 4);
    CHECK(memcmp(before, base, REGION) == 0);
    vg_lgmp_client_unsubscribe(NULL, true);

    vg_lgmp_client_destroy(c);
    free(before);
    free(base);
}

/* ---- Client -> host messages ---- */

static void send_fills_the_ring_and_returns_serials(void)
{
    uint8_t *base = region_alloc();
    struct host t = {0};
    host_b7(&t, base, 0xEEEE);
    struct vg_lgmp_client *c = connect_client(&t, 0);
    struct vg_lgmp_queue *q = &t.h->queues[1];
    struct vg_lgmp_sub *s = subscribe(c, VG_KVMFR_QUEUE_POINTER);

    const struct vg_kvmfr_set_cursor_pos m = {.type = VG_KVMFR_MSG_SETCURSORPOS, .x = -4, .y = 9};
    uint32_t serial = 0;
    EXPECT(vg_lgmp_client_send(s, &m, sizeof(m), &serial, &err_), VG_LGMP_OK, VG_LGMP_E_OK);
    CHECK(serial == 1);
    CHECK(q->cmsgs[0].size == 12 && memcmp(q->cmsgs[0].data, &m, 12) == 0);
    CHECK(q->cmsg_avail == 9 && q->cmsg_wpos == 1 && q->cmsg_wserial == 1);
    CHECK(q->cmsg_lock == 0);

    for (uint32_t i = 2; i <= 10; i++) {
        CHECK(vg_lgmp_client_send(s, &m, sizeof(m), &serial, NULL) == VG_LGMP_OK);
        CHECK(serial == i);
    }
    CHECK(q->cmsg_avail == 0 && q->cmsg_wpos == 0 && q->cmsg_wserial == 10);
    EXPECT(vg_lgmp_client_send(s, &m, sizeof(m), &serial, &err_), VG_LGMP_ERR_QUEUE_FULL,
           VG_LGMP_E_OK);
    CHECK(q->cmsg_wserial == 10);

    /* The host reads two and acknowledges them. */
    q->cmsg_avail = 2;
    q->cmsg_rserial = 2;
    CHECK(vg_lgmp_client_get_serial(s, &serial) == VG_LGMP_OK && serial == 2);
    const uint8_t big[64] = {1, 2, 3};
    CHECK(vg_lgmp_client_send(s, big, 64, &serial, NULL) == VG_LGMP_OK && serial == 11);
    CHECK(q->cmsgs[0].size == 64 && q->cmsgs[0].data[2] == 3 && q->cmsg_wpos == 1);
    CHECK(vg_lgmp_client_send(s, NULL, 0, &serial, NULL) == VG_LGMP_OK && serial == 12);
    CHECK(q->cmsgs[1].size == 0 && q->cmsg_avail == 0);

    /* Bad arguments and a ring in a state no host leaves it in. */
    q->cmsg_avail = 5;
    EXPECT(vg_lgmp_client_send(s, big, 65, &serial, &err_), VG_LGMP_ERR_INVALID_SIZE, VG_LGMP_E_OK);
    EXPECT(vg_lgmp_client_send(s, NULL, 4, &serial, &err_), VG_LGMP_ERR_INVALID_ARGUMENT,
           VG_LGMP_E_OK);
    q->cmsg_avail = 11;
    EXPECT(vg_lgmp_client_send(s, &m, sizeof(m), &serial, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_CMSG_STATE);
    q->cmsg_avail = UINT32_MAX;
    EXPECT(vg_lgmp_client_send(s, &m, sizeof(m), &serial, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_CMSG_STATE);
    q->cmsg_avail = 5;
    q->cmsg_wpos = 10;
    EXPECT(vg_lgmp_client_send(s, &m, sizeof(m), &serial, &err_), VG_LGMP_ERR_CORRUPTED,
           VG_LGMP_E_CMSG_STATE);
    CHECK(q->cmsg_avail == 5 && q->cmsg_wserial == 12 && q->cmsg_lock == 0);
    q->cmsg_wpos = 9;
    CHECK(vg_lgmp_client_send(s, &m, sizeof(m), &serial, NULL) == VG_LGMP_OK && serial == 13);
    CHECK(q->cmsg_wpos == 0 && q->cmsgs[9].size == 12 && q->cmsg_avail == 4);

    /* Not into another session's ring. */
    t.h->session_id ^= 1;
    EXPECT(vg_lgmp_client_send(s, &m, sizeof(m), &serial, &err_), VG_LGMP_ERR_INVALID_SESSION,
           VG_LGMP_E_OK);
    CHECK(vg_lgmp_client_get_serial(s, &serial) == VG_LGMP_ERR_INVALID_SESSION);
    CHECK(q->cmsg_wserial == 13);
    vg_lgmp_client_unsubscribe(s, false);
    vg_lgmp_client_destroy(c);
    free(base);
}

int main(void)
{
    RUN(session_init_needs_a_moving_heartbeat_and_a_later_change);
    RUN(session_becomes_invalid_after_a_frozen_second_or_a_new_session_id);
    RUN(after_a_frozen_heartbeat_a_new_session_waits_for_it_to_move);
    RUN(subscribe_finds_queues_by_id_not_index);
    RUN(subscribe_takes_the_lowest_free_id_and_counts_itself);
    RUN(subscribe_reaps_an_expired_bad_id);
    RUN(messages_are_processed_and_released_in_order);
    RUN(count_underflow_is_corrupted);
    RUN(expelled_or_unsubscribed_subscribers_are_told_so);
    RUN(broken_indices_geometry_and_descriptors_are_corrupted);
    RUN(a_lock_held_forever_fails_in_bounded_time);
    RUN(unsubscribe_without_write_leaves_the_region_untouched);
    RUN(send_fills_the_ring_and_returns_serials);
    return vg_test_finish();
}
