/* The client's Looking Glass B7 transport backend over a region the input is, and its seeds
 * (lgmp_transport_fuzz.h). */
#include "lgmp_transport_fuzz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lgmp_fuzz.h"
#include "transport.h"
#include "vg/lgmp.h"
#include "vg/time.h"

#define HEADER_SIZE sizeof(struct vg_lgmp_header)
#define STEP_NS (50 * VG_NS_PER_MS)   /* the backend's session init retry interval */
#define STALL_NS (200 * VG_NS_PER_MS) /* the smallest --stall-ms the client takes */
#define HEARTBEAT_MS 10u
#define MAX_ERRNO 4095
#define DAMAGE_CHECK_BYTES (256u << 10)
#define GUARD 0xA5

static const struct vg_transport_ops *const ops = &vg_transport_lgmp;

/* Stops the run where an answer of the backend breaks its contract. */
static void require(bool cond)
{
    if (!cond)
        abort();
}

static bool is_errno(int ret)
{
    return ret < 0 && ret >= -MAX_ERRNO;
}

struct run {
    uint8_t *region;
    size_t size;
    struct vg_lgmp_header *h;
    struct vg_lgmp_header input; /* the input's header, for RESTORE */
    const uint8_t *script;       /* LGMP_TRANSPORT_FUZZ_TAIL bytes, or NULL */
    uint8_t ctl;
    struct vg_transport *t;
    uint64_t now_ns;
    int frozen; /* iterations left without a heartbeat */
    bool had_ready;
    bool have_serial; /* last_serial is of this session */
    uint64_t last_serial;
    bool first_frame; /* the next frame is the session's first */
    struct lgmp_transport_fuzz_stats st;
};

static void clear_locks(struct vg_lgmp_header *h)
{
    for (uint32_t i = 0; i < VG_LGMP_MAX_QUEUES; i++) {
        h->queues[i].lock = 0;
        h->queues[i].cmsg_lock = 0;
    }
}

/* Every lock the backend took, it released (calls are synchronous, one thread). */
static void require_unlocked(const struct vg_lgmp_header *h)
{
    for (uint32_t i = 0; i < VG_LGMP_MAX_QUEUES; i++)
        require(h->queues[i].lock == 0 && h->queues[i].cmsg_lock == 0);
}

static void apply_step(struct run *r, int i)
{
    if (!r->script)
        return;
    const struct lgmp_transport_fuzz_step s = {r->script[4 * i], r->script[4 * i + 1],
                                               r->script[4 * i + 2], r->script[4 * i + 3]};
    struct vg_lgmp_header *h = r->h;
    const uint32_t at = (uint32_t)s.a << 8 | s.b;
    switch (s.op % 16) {
    case LGMP_TRANSPORT_FUZZ_BYTE:
        r->region[at % HEADER_SIZE] = s.v;
        break;
    case LGMP_TRANSPORT_FUZZ_WORD: {
        static const uint32_t edges[16] = {
            0, 1, 2, 3, 5, 6, 20, 21, 1024, 1025, 5756, 5760, 4096, 1088, 0x80000000, 0xFFFFFFFF};
        const uint32_t v = s.v < 16 ? edges[s.v] : s.v * UINT32_C(0x01010101);
        memcpy(r->region + 4 * (at % (HEADER_SIZE / 4)), &v, sizeof(v));
        break;
    }
    case LGMP_TRANSPORT_FUZZ_SESSION:
        h->session_id += 1u + s.v;
        break;
    case LGMP_TRANSPORT_FUZZ_ZERO:
        memset(h, 0, HEADER_SIZE);
        break;
    case LGMP_TRANSPORT_FUZZ_RESTORE: {
        const uint32_t session = r->input.session_id + 1u + (uint32_t)i + s.v;
        const uint64_t stamp = h->timestamp;
        memcpy(h, &r->input, HEADER_SIZE);
        h->session_id = session;
        h->timestamp = stamp;
        break;
    }
    case LGMP_TRANSPORT_FUZZ_FREEZE:
        r->frozen = s.v % 8 + 1;
        break;
    case LGMP_TRANSPORT_FUZZ_EXPEL:
        h->queues[s.v % VG_LGMP_MAX_QUEUES].subs |= UINT32_MAX;
        break;
    case LGMP_TRANSPORT_FUZZ_POST: {
        struct vg_lgmp_queue *q = &h->queues[s.v % VG_LGMP_MAX_QUEUES];
        if (q->num_messages)
            q->position = (uint32_t)(((uint64_t)q->position + s.a % 4 + 1) % q->num_messages);
        break;
    }
    default:
        break;
    }
    clear_locks(h);
}

/* The host finishing a frame: wp of every frame descriptor the harness can place set to
 * "all written". Only past the header, so no lock word is touched. */
static bool complete_wp(struct run *r)
{
    bool any = false;
    for (uint32_t i = 0; i < VG_LGMP_MAX_QUEUES; i++) {
        const struct vg_lgmp_queue *q = &r->h->queues[i];
        if (q->queue_id != VG_KVMFR_QUEUE_FRAME)
            continue;
        const uint32_t n = q->num_messages < VG_LGMP_MAX_QUEUE_MESSAGES
                               ? q->num_messages
                               : VG_LGMP_MAX_QUEUE_MESSAGES;
        const uint64_t descs = q->messages_offset;
        if (descs + (uint64_t)n * sizeof(struct vg_lgmp_message) > r->size)
            continue;
        for (uint32_t k = 0; k < n; k++) {
            struct vg_lgmp_message m;
            memcpy(&m, r->region + descs + k * sizeof(m), sizeof(m));
            uint32_t fb;
            if ((uint64_t)m.offset + sizeof(struct vg_kvmfr_frame) > r->size)
                continue;
            memcpy(&fb, r->region + m.offset + offsetof(struct vg_kvmfr_frame, offset), sizeof(fb));
            const uint64_t wp = (uint64_t)m.offset + fb;
            if (wp % 4 != 0 || wp < HEADER_SIZE || wp + 4 > r->size)
                continue;
            const uint32_t all = UINT32_MAX;
            memcpy(r->region + wp, &all, sizeof(all));
            any = true;
        }
    }
    return any;
}

/* copy_frame as the client calls it, VG_COPY_NOT_YET included. */
static int copy(struct run *r, const struct vg_frame_info *info, uint8_t *dst, size_t stride,
                const struct vg_rect *rects, uint32_t n)
{
    for (int tries = 0;; tries++) {
        const int ret = ops->copy_frame(r->t, info, dst, stride, rects, n);
        require(ret == 0 || is_errno(ret));
        if (ret == VG_COPY_TORN)
            r->st.torn++;
        if (ret != VG_COPY_NOT_YET) {
            if (ret == 0) {
                r->st.copies++;
                r->st.damage += n > 0;
            }
            return ret;
        }
        r->st.not_yet++;
        if (tries > 0 || (r->ctl & LGMP_TRANSPORT_FUZZ_CTL_GIVE_UP) || !complete_wp(r))
            return ret;
    }
}

/* The damage copy: besides copying, it leaves every byte outside the rects as it was (the
 * renderer's buffer keeps the previous frame there). Checked for frames up to
 * DAMAGE_CHECK_BYTES. */
static int copy_damage(struct run *r, const struct vg_frame_info *info, uint8_t *dst, size_t stride,
                       size_t bytes)
{
    uint8_t *mask = bytes <= DAMAGE_CHECK_BYTES ? calloc(1, bytes) : NULL;
    if (mask) {
        const size_t bpp = vg_pixfmt_bpp(info->format);
        memset(dst, GUARD, bytes);
        for (uint32_t i = 0; i < info->n_damage; i++) {
            const struct vg_rect *d = &info->damage[i];
            for (uint32_t y = d->y; y < d->y + d->h; y++)
                memset(mask + y * stride + d->x * bpp, 1, d->w * bpp);
        }
    }
    const int ret = copy(r, info, dst, stride, info->damage, info->n_damage);
    if (mask && ret == 0) {
        for (size_t i = 0; i < bytes; i++)
            require(mask[i] || dst[i] == GUARD);
    }
    free(mask);
    return ret;
}

static void check_info(struct run *r, const struct vg_frame_info *info)
{
    require(info->width >= 1 && info->width <= VG_LGMP_MAX_DIM);
    require(info->height >= 1 && info->height <= VG_LGMP_MAX_DIM);
    require(info->data_height >= 1 && info->data_height <= info->height);
    require(info->screen_width >= 1 && info->screen_width <= VG_LGMP_MAX_DIM);
    require(info->screen_height >= 1 && info->screen_height <= VG_LGMP_MAX_DIM);
    require((unsigned)info->format < VG_PIXFMT_COUNT);
    require((unsigned)info->rotation <= VG_ROTATE_270);
    require(info->n_damage <= VG_FRAME_MAX_DAMAGE);
    /* A row of the source holds the row's pixels, and the rows lie in the region. */
    const uint64_t row = (uint64_t)info->width * vg_pixfmt_bpp(info->format);
    require(info->stride >= row);
    require((uint64_t)info->stride * info->data_height <= r->size);
    for (uint32_t i = 0; i < info->n_damage; i++) {
        const struct vg_rect *d = &info->damage[i];
        require(d->w >= 1 && d->h >= 1);
        require((uint64_t)d->x + d->w <= info->width);
        require((uint64_t)d->y + d->h <= info->data_height);
    }
    /* Serials only grow within a session; its first frame is whole (the renderer dropped
     * what it had). */
    if (r->have_serial)
        require(info->serial >= r->last_serial);
    if (r->first_frame)
        require(info->n_damage == 0);
    r->have_serial = true;
    r->last_serial = info->serial;
    r->first_frame = false;
}

/* One frame: next_frame, the copies, release. Returns whether a frame was open and kept
 * (destroy with it open). */
static bool take_frame(struct run *r, bool keep)
{
    struct vg_frame_info info;
    memset(&info, 0, sizeof(info));
    const int ret = ops->next_frame(r->t, &info);
    require(ret == 0 || ret == 1 || is_errno(ret));
    if (ret != 1)
        return false;
    r->st.frames++;
    check_info(r, &info);

    const size_t stride = ((size_t)info.width * vg_pixfmt_bpp(info.format) + 3) & ~(size_t)3;
    const size_t bytes = stride * info.data_height;
    uint8_t *dst = malloc(bytes);
    if (dst) {
        const bool damage_first = (r->ctl & LGMP_TRANSPORT_FUZZ_CTL_DAMAGE_FIRST) != 0;
        int c = 0;
        if (damage_first && info.n_damage)
            c = copy_damage(r, &info, dst, stride, bytes);
        if (c == 0)
            c = copy(r, &info, dst, stride, NULL, 0);
        if (c == 0 && !damage_first && info.n_damage)
            copy_damage(r, &info, dst, stride, bytes);
        free(dst);
    }
    if (keep)
        return true;
    ops->release_frame(r->t);
    return false;
}

static void take_cursor(struct run *r)
{
    struct vg_cursor_info ci;
    memset(&ci, 0, sizeof(ci));
    const int bits = ops->next_cursor(r->t, &ci);
    require(is_errno(bits) ||
            (bits >= 0 && (bits & ~(VG_CURSOR_NEW_POS | VG_CURSOR_NEW_SHAPE)) == 0));
    if (bits <= 0)
        return;
    if (bits & VG_CURSOR_NEW_POS)
        r->st.cursors++;
    if (bits & VG_CURSOR_NEW_SHAPE) {
        r->st.shapes++;
        require(ci.shape_serial != 0); /* 0 means "no shape" (frame.h) */
        require(ci.shape.pixels != NULL);
        const uint64_t bytes = vg_cursor_shape_bytes(&ci.shape);
        require(bytes > 0 && bytes <= VG_KVMFR_CURSOR_SHAPE_MAX);
        /* What the renderer uploads: every byte of the shape. */
        uint8_t sum = 0;
        for (uint64_t i = 0; i < bytes; i++)
            sum ^= ci.shape.pixels[i];
        volatile uint8_t sink = sum;
        (void)sink;
    }
}

static void poll_once(struct run *r)
{
    struct vg_lgmp_header *h = r->h;
    uint32_t position[VG_LGMP_MAX_QUEUES];
    for (uint32_t i = 0; i < VG_LGMP_MAX_QUEUES; i++) {
        position[i] = h->queues[i].position;
        h->queues[i].position = h->queues[i].start;
    }
    struct vg_transport_status st;
    memset(&st, 0x5A, sizeof(st));
    const bool ready = ops->poll(r->t, r->now_ns, &st);
    for (uint32_t i = 0; i < VG_LGMP_MAX_QUEUES; i++)
        h->queues[i].position = position[i];

    require(ready == st.ready);
    if (!ready) {
        require(!st.new_session);
        require(memchr(st.reason, 0, sizeof(st.reason)) != NULL && st.reason[0] != 0);
        return;
    }
    r->st.ready++;
    if (!r->had_ready)
        require(st.new_session); /* the first session is new to the renderer too */
    r->had_ready = true;
    if (st.new_session) {
        r->st.sessions++;
        r->have_serial = false;
        r->first_frame = true;
    }
}

static void talk(struct run *r, int i)
{
    const char *w = ops->warning ? ops->warning(r->t) : NULL;
    if (w && w[0]) {
        require(strlen(w) < 200);
        r->st.warnings++;
    }
    if (!ops->send_message)
        return;
    const uint8_t *s = r->script ? r->script + 4 * i : NULL;
    struct vg_guest_message m = {
        .type = VG_GUEST_MSG_CURSOR_POS,
        .x = s ? (int8_t)s[1] * 37 : 100,
        .y = s ? (int8_t)s[2] * 23 : -7,
    };
    int ret = ops->send_message(r->t, &m);
    require(ret == 0 || is_errno(ret));
    r->st.sent += ret == 0;
    m = (struct vg_guest_message){.type = VG_GUEST_MSG_WINDOW_SIZE, .x = 1280, .y = 720};
    ret = ops->send_message(r->t, &m);
    require(ret == 0 || is_errno(ret));
}

int lgmp_transport_fuzz_run(const uint8_t *data, size_t len,
                            struct lgmp_transport_fuzz_stats *stats)
{
    struct run r;
    memset(&r, 0, sizeof(r));
    r.size = len < HEADER_SIZE ? HEADER_SIZE : len;
    r.region = malloc(r.size); /* malloc's alignment is at least 8 */
    if (!r.region)
        return 0;
    memset(r.region, 0, r.size);
    if (len)
        memcpy(r.region, data, len);
    r.h = (struct vg_lgmp_header *)r.region;
    memcpy(&r.input, r.region, HEADER_SIZE);
    if (len >= LGMP_TRANSPORT_FUZZ_TAIL) {
        r.script = data + len - LGMP_TRANSPORT_FUZZ_TAIL;
        r.ctl = data[len - 1];
    }
    clear_locks(r.h);

    const struct vg_transport_map map = {
        .base = r.region,
        .size = r.size,
        .writable = true,
        .kind = VG_MAP_SHM_FILE,
        .fd = -1,
        .path = "fuzz input",
    };
    require(r.size >= ops->min_size);
    require(ops->probe(r.region, r.size) == (r.h->magic == VG_LGMP_MAGIC));
    r.t = ops->create(&map, STALL_NS);
    require(r.t != NULL);
    /* The backend measures its retry gaps and the wait on wp with the real clock: start
     * there and run ahead of it. */
    r.now_ns = vg_time_ns();

    for (int i = 0; i < LGMP_TRANSPORT_FUZZ_STEPS; i++) {
        apply_step(&r, i);
        if (r.frozen > 0)
            r.frozen--;
        else
            r.h->timestamp += HEARTBEAT_MS;
        r.now_ns += STEP_NS;
        poll_once(&r);
        take_cursor(&r);
        const bool last = i == LGMP_TRANSPORT_FUZZ_STEPS - 1;
        const bool keep = last && (r.ctl & LGMP_TRANSPORT_FUZZ_CTL_DESTROY_OPEN);
        const bool drain = (r.ctl & LGMP_TRANSPORT_FUZZ_CTL_DRAIN) != 0;
        if (!take_frame(&r, keep && !drain) && drain)
            take_frame(&r, keep);
        talk(&r, i);
        require_unlocked(r.h);
    }
    ops->destroy(r.t);
    require_unlocked(r.h);
    free(r.region);
    if (stats)
        *stats = r.st;
    return r.st.frames + r.st.cursors;
}

/* ---- Seeds ---- */

static void put_script(uint8_t *tail, const struct lgmp_transport_fuzz_step *steps, int n,
                       const int *at, uint8_t ctl)
{
    memset(tail, 0, LGMP_TRANSPORT_FUZZ_TAIL);
    for (int k = 0; k < n; k++)
        memcpy(tail + 4 * at[k], &steps[k], 4);
    tail[LGMP_TRANSPORT_FUZZ_TAIL - 1] = ctl;
}

/* Hand-built region m (lgmp_fuzz.h) and a script. */
static size_t hand_seed(int m, uint8_t *out, size_t cap,
                        const struct lgmp_transport_fuzz_step *steps, int n, const int *at,
                        uint8_t ctl)
{
    if (cap < LGMP_FUZZ_REGION_SIZE + LGMP_TRANSPORT_FUZZ_TAIL)
        return 0;
    const size_t len = lgmp_fuzz_seed(m, out, cap);
    if (len == 0)
        return 0;
    put_script(out + len, steps, n, at, ctl);
    return len + LGMP_TRANSPORT_FUZZ_TAIL;
}

struct producer_seed {
    uint32_t features;
    struct vg_kvmfr_frame_params frame[2];
    uint32_t n_frames;
    struct vg_kvmfr_damage_rect damage[2]; /* the second frame's */
    struct vg_kvmfr_cursor_shape shape;
};

static void fill(uint8_t *px, size_t n, uint32_t salt)
{
    for (size_t i = 0; i < n; i++)
        px[i] = (uint8_t)(i * 7 + (i >> 8) * 13 + salt);
}

/* A region as the KVMFR producer leaves it for a client that subscribed to both queues before
 * the frames and cursor updates were posted. */
static bool producer_region(uint8_t *b, uint32_t session, const struct producer_seed *ps)
{
    bool ok = false;
    uint8_t *px = NULL, *shape = NULL;
    struct vg_lgmp_client *c = NULL;
    struct vg_lgmp_sub *fs = NULL, *cs = NULL;
    const struct vg_kvmfr_producer_config cfg = {
        .features = ps->features,
        .capture = "DXGI",
        .os = VG_KVMFR_OS_WINDOWS,
        .os_name = "Windows 11 Pro",
        .session_id = session,
    };
    uint64_t now = 1000;
    struct vg_kvmfr_producer *p =
        vg_kvmfr_producer_create(b, LGMP_TRANSPORT_FUZZ_PRODUCER_SIZE, &cfg, now);
    if (!p)
        goto cleanup;
    c = vg_lgmp_client_create(b, LGMP_TRANSPORT_FUZZ_PRODUCER_SIZE);
    if (!c)
        goto cleanup;
    vg_lgmp_client_session_init(c, now, NULL);
    vg_kvmfr_producer_tick(p, now += HEARTBEAT_MS);
    if (vg_lgmp_client_session_init(c, now, NULL) != VG_LGMP_OK ||
        vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_FRAME, &fs, NULL) != VG_LGMP_OK ||
        vg_lgmp_client_subscribe(c, VG_KVMFR_QUEUE_POINTER, &cs, NULL) != VG_LGMP_OK)
        goto cleanup;
    vg_kvmfr_producer_tick(p, now += HEARTBEAT_MS); /* the new client's cursor state */

    const size_t shape_bytes = (size_t)ps->shape.pitch * ps->shape.height *
                               (ps->shape.type == VG_KVMFR_CURSOR_MONOCHROME ? 2 : 1);
    shape = malloc(shape_bytes);
    if (!shape)
        goto cleanup;
    fill(shape, shape_bytes, 3);
    struct vg_kvmfr_cursor_shape s = ps->shape;
    s.pixels = shape;
    if (vg_kvmfr_producer_cursor(p, 200, 150, true, &s, now) != 0 ||
        vg_kvmfr_producer_cursor(p, 210, 155, true, NULL, now) != 0)
        goto cleanup;

    for (uint32_t i = 0; i < ps->n_frames; i++) {
        const struct vg_kvmfr_frame_params *fp = &ps->frame[i];
        const size_t pitch = (size_t)fp->frame_width * vg_kvmfr_bytes_per_texel(fp->type);
        px = malloc(pitch * fp->frame_height);
        if (!px)
            goto cleanup;
        fill(px, pitch * fp->frame_height, 11 * i);
        vg_kvmfr_producer_tick(p, now += HEARTBEAT_MS);
        if (vg_kvmfr_producer_submit(p, fp, px, pitch, i ? ps->damage : NULL, i ? 2 : 0, now) != 0)
            goto cleanup;
        free(px);
        px = NULL;
    }
    ok = true;
cleanup:
    /* The subscriber stays in the region as another client would; its id tag is made
     * reproducible. */
    vg_lgmp_client_unsubscribe(fs, false);
    vg_lgmp_client_unsubscribe(cs, false);
    vg_lgmp_client_destroy(c);
    vg_kvmfr_producer_destroy(p);
    struct vg_lgmp_header *h = (struct vg_lgmp_header *)b;
    for (uint32_t i = 0; i < VG_LGMP_MAX_QUEUES; i++) {
        if (h->queues[i].client_id[0])
            h->queues[i].client_id[0] = 0x5EED;
    }
    free(px);
    free(shape);
    return ok;
}

static size_t producer_seed(int n, uint8_t *out, size_t cap, const struct producer_seed *ps,
                            const struct lgmp_transport_fuzz_step *steps, int ns, const int *at,
                            uint8_t ctl)
{
    if (cap < LGMP_TRANSPORT_FUZZ_SEED_CAP)
        return 0;
    /* Built in an aligned buffer (the producer and client need 8) and copied out. */
    uint8_t *b = calloc(1, LGMP_TRANSPORT_FUZZ_PRODUCER_SIZE);
    if (!b)
        return 0;
    const bool ok = producer_region(b, 0x5EED0100u + (uint32_t)n, ps);
    if (ok) {
        memcpy(out, b, LGMP_TRANSPORT_FUZZ_PRODUCER_SIZE);
        put_script(out + LGMP_TRANSPORT_FUZZ_PRODUCER_SIZE, steps, ns, at, ctl);
    }
    free(b);
    return ok ? LGMP_TRANSPORT_FUZZ_SEED_CAP : 0;
}

#define STEP(op, a, b, v)                                                                          \
    {                                                                                              \
        LGMP_TRANSPORT_FUZZ_##op, a, b, v                                                          \
    }

size_t lgmp_transport_fuzz_seed(int n, uint8_t *out, size_t cap)
{
    if (n < 0 || n >= LGMP_TRANSPORT_FUZZ_SEEDS)
        return 0;
    if (n < LGMP_FUZZ_SEEDS)
        return hand_seed(n, out, cap, NULL, 0, NULL, 0);

    static const struct vg_kvmfr_frame_params bgra = {.type = VG_KVMFR_FRAME_BGRA,
                                                      .frame_width = 64,
                                                      .frame_height = 32,
                                                      .stop_after = UINT64_MAX};
    switch (n - LGMP_FUZZ_SEEDS) {
    case 0: { /* expelled from the frame queue, then a restart, a wiped header, a new host */
        static const struct lgmp_transport_fuzz_step s[] = {
            STEP(EXPEL, 0, 0, 0), STEP(SESSION, 0, 0, 0), STEP(ZERO, 0, 0, 0),
            STEP(RESTORE, 0, 0, 0)};
        static const int at[] = {3, 6, 9, 11};
        return hand_seed(0, out, cap, s, 4, at, 0);
    }
    case 1: { /* the heartbeat stops for 300 ms, then the pointer queue's position is absurd;
               * NOT_YET gives up; destroyed with a frame open */
        static const struct lgmp_transport_fuzz_step s[] = {
            STEP(FREEZE, 0, 0, 5), STEP(WORD, 1, 42, 15), STEP(BYTE, 0, 25, 9)};
        static const int at[] = {3, 12, 14};
        return hand_seed(2, out, cap, s, 3, at,
                         LGMP_TRANSPORT_FUZZ_CTL_GIVE_UP | LGMP_TRANSPORT_FUZZ_CTL_DESTROY_OPEN);
    }
    case 2: { /* BGRA whole then with damage; a colour cursor */
        const struct producer_seed ps = {
            .features = VG_KVMFR_FEATURE_SETCURSORPOS,
            .frame = {bgra, bgra},
            .n_frames = 2,
            .damage = {{3, 4, 10, 6}, {40, 20, 24, 12}},
            .shape = {.type = VG_KVMFR_CURSOR_COLOR,
                      .width = 32,
                      .height = 32,
                      .hx = 4,
                      .hy = 2,
                      .pitch = 128},
        };
        return producer_seed(n, out, cap, &ps, NULL, 0, NULL, 0);
    }
    case 3: { /* BGR_32 at an odd width whose wp stops after 3 rows; a monochrome cursor; no
               * SETCURSORPOS; damage copied first, next_frame twice */
        struct producer_seed ps = {
            .frame = {{.type = VG_KVMFR_FRAME_BGR_32,
                       .frame_width = 99,
                       .frame_height = 20,
                       .stop_after = 3 * 300}},
            .n_frames = 1,
            .shape = {.type = VG_KVMFR_CURSOR_MONOCHROME,
                      .width = 32,
                      .height = 32,
                      .hx = -3,
                      .pitch = 4},
        };
        return producer_seed(n, out, cap, &ps, NULL, 0, NULL,
                             LGMP_TRANSPORT_FUZZ_CTL_DAMAGE_FIRST | LGMP_TRANSPORT_FUZZ_CTL_DRAIN);
    }
    default: { /* a frame larger than its slot (TRUNCATED) in RGBA16F, then BGRA; a
                * masked-colour cursor; the host expels us from the pointer queue, posts an
                * empty descriptor there and scribbles on the frame queue's geometry */
        const struct producer_seed ps = {
            .features = VG_KVMFR_FEATURE_SETCURSORPOS,
            .frame = {{.type = VG_KVMFR_FRAME_RGBA16F,
                       .frame_width = 320,
                       .frame_height = 256,
                       .stop_after = UINT64_MAX},
                      bgra},
            .n_frames = 2,
            .shape = {.type = VG_KVMFR_CURSOR_MASKED_COLOR, .width = 16, .height = 16, .pitch = 64},
        };
        static const struct lgmp_transport_fuzz_step s[] = {
            STEP(EXPEL, 0, 0, 1), STEP(POST, 0, 0, 1), STEP(BYTE, 0, 36, 0xFF)};
        static const int at[] = {5, 10, 12};
        return producer_seed(n, out, cap, &ps, s, 3, at, 0);
    }
    }
}
