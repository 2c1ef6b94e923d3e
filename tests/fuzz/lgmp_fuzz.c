/* The Looking Glass B7 client harness and its seeds (lgmp_fuzz.h). */
#include "lgmp_fuzz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vg/lgmp.h"

/* Stops the run where an invariant of the client's answers fails. */
static void require(bool cond)
{
    if (!cond)
        abort();
}

static uint8_t shape_copy[VG_KVMFR_CURSOR_SHAPE_MAX];

/* The damage rect r of a validated frame as a byte range of each of its rows. */
static void rect_bytes(const struct vg_kvmfr_frame_info *fi, const struct vg_kvmfr_damage_rect *r,
                       uint64_t *b0, uint64_t *b1)
{
    const uint64_t x0 = r->x, x1 = (uint64_t)r->x + r->width;
    switch (fi->type) {
    case VG_KVMFR_FRAME_BGR_32: /* pixel columns to packed texels (§3.5) */
        *b0 = x0 * 3 / 4 * 4;
        *b1 = (x1 * 3 + 3) / 4 * 4;
        break;
    case VG_KVMFR_FRAME_RGB_24:
        *b0 = x0 * 3;
        *b1 = x1 * 3;
        break;
    default:
        *b0 = x0 * vg_kvmfr_bytes_per_texel(fi->type);
        *b1 = x1 * vg_kvmfr_bytes_per_texel(fi->type);
        break;
    }
}

static int take_frames(struct vg_lgmp_sub *s, const uint8_t *region, uint64_t size, uint64_t floor)
{
    int frames = 0;
    for (int k = 0; k < LGMP_FUZZ_MAX_MSGS; k++) {
        struct vg_lgmp_payload p;
        enum vg_lgmp_error err = VG_LGMP_E_OK;
        enum vg_lgmp_status st = vg_lgmp_client_process(s, VG_KVMFR_FRAME_MIN_SIZE, &p, &err);
        require((st == VG_LGMP_ERR_CORRUPTED) == (err != VG_LGMP_E_OK));
        if (st != VG_LGMP_OK)
            break;
        require(p.offset + p.size <= size && p.size >= VG_KVMFR_FRAME_MIN_SIZE);
        require(p.offset >= floor);

        struct vg_kvmfr_frame f;
        memcpy(&f, region + p.offset, sizeof(f));
        struct vg_kvmfr_frame_info fi;
        if (vg_kvmfr_validate_frame(&f, &p, size, &fi) == VG_LGMP_E_OK) {
            const uint64_t slot_end = p.offset + p.size;
            require(fi.wp_offset % 4 == 0 && fi.wp_offset + 4 == fi.data_offset);
            require(fi.data_offset + fi.data_size <= slot_end);
            require(fi.data_height >= 1 && fi.data_height <= f.data_height);
            require(fi.data_size == (uint64_t)fi.data_height * fi.pitch);
            require(fi.row_bytes <= fi.pitch && fi.n_damage <= VG_KVMFR_MAX_DAMAGE_RECTS);
            const uint32_t wp =
                __atomic_load_n((const uint32_t *)(region + fi.wp_offset), __ATOMIC_ACQUIRE);
            const uint64_t ready = wp < fi.data_size ? wp : fi.data_size;
            uint8_t *dst = malloc(fi.data_size);
            if (dst) {
                memcpy(dst, region + fi.data_offset, ready);
                const uint32_t rows =
                    fi.data_height < fi.frame_height ? fi.data_height : fi.frame_height;
                for (uint32_t i = 0; i < fi.n_damage; i++) {
                    const struct vg_kvmfr_damage_rect *r = &fi.damage[i];
                    require(r->width >= 1 && r->height >= 1);
                    require((uint64_t)r->x + r->width <= fi.frame_width);
                    require((uint64_t)r->y + r->height <= rows);
                    uint64_t b0, b1;
                    rect_bytes(&fi, r, &b0, &b1);
                    require(b0 < b1 && b1 <= fi.pitch);
                    for (uint32_t y = r->y; y < r->y + r->height; y++) {
                        const uint64_t off = (uint64_t)y * fi.pitch;
                        if (off + b1 > ready)
                            break;
                        memcpy(dst + off + b0, region + fi.data_offset + off + b0, b1 - b0);
                    }
                }
                free(dst);
            }
            frames++;
        }
        st = vg_lgmp_client_message_done(s, &err);
        require((st == VG_LGMP_ERR_CORRUPTED) == (err != VG_LGMP_E_OK));
        if (st != VG_LGMP_OK)
            break;
    }
    return frames;
}

static int take_cursors(struct vg_lgmp_sub *s, const uint8_t *region, uint64_t size, uint64_t floor,
                        int *shapes)
{
    int cursors = 0;
    for (int k = 0; k < LGMP_FUZZ_MAX_MSGS; k++) {
        struct vg_lgmp_payload p;
        enum vg_lgmp_error err = VG_LGMP_E_OK;
        enum vg_lgmp_status st = vg_lgmp_client_process(s, VG_KVMFR_CURSOR_MIN_SIZE, &p, &err);
        require((st == VG_LGMP_ERR_CORRUPTED) == (err != VG_LGMP_E_OK));
        if (st != VG_LGMP_OK)
            break;
        require(p.offset + p.size <= size && p.size >= VG_KVMFR_CURSOR_MIN_SIZE);
        require(p.offset >= floor);

        struct vg_kvmfr_cursor h;
        memcpy(&h, region + p.offset, sizeof(h));
        struct vg_kvmfr_cursor_info ci;
        if (vg_kvmfr_validate_cursor(&h, p.udata, &p, &ci) == VG_LGMP_E_OK) {
            if (ci.flags & VG_KVMFR_CURSOR_FLAG_SHAPE) {
                const uint64_t rows =
                    ci.type == VG_KVMFR_CURSOR_MONOCHROME ? 2 * (uint64_t)ci.height : ci.height;
                require(ci.width >= 1 && ci.width <= VG_LGMP_CURSOR_MAX_DIM);
                require(ci.height >= 1 && ci.height <= VG_LGMP_CURSOR_MAX_DIM);
                require(rows * ci.pitch == ci.shape_bytes);
                require(ci.shape_bytes <= sizeof(shape_copy));
                require(ci.shape_offset == p.offset + VG_KVMFR_CURSOR_MIN_SIZE);
                require(ci.shape_offset + ci.shape_bytes <= p.offset + p.size);
                /* P11: copied right after process, before the acknowledgement. */
                memcpy(shape_copy, region + ci.shape_offset, ci.shape_bytes);
                (*shapes)++;
            } else {
                require(ci.shape_bytes == 0);
            }
            cursors++;
        }
        st = vg_lgmp_client_message_done(s, &err);
        require((st == VG_LGMP_ERR_CORRUPTED) == (err != VG_LGMP_E_OK));
        if (st != VG_LGMP_OK)
            break;
    }
    return cursors;
}

/* Subscribes with the queue's position moved to the input's start for the moment, so that
 * start .. position are messages posted after we subscribed. */
static struct vg_lgmp_sub *subscribe(struct vg_lgmp_client *c, struct vg_lgmp_header *h,
                                     uint32_t queue_id, struct vg_lgmp_queue **found)
{
    struct vg_lgmp_queue *q = NULL;
    const uint32_t n = h->num_queues < VG_LGMP_MAX_QUEUES ? h->num_queues : VG_LGMP_MAX_QUEUES;
    for (uint32_t i = 0; i < n && !q; i++) {
        if (h->queues[i].queue_id == queue_id)
            q = &h->queues[i];
    }
    const uint32_t position = q ? q->position : 0;
    if (q)
        q->position = q->start;
    struct vg_lgmp_sub *s = NULL;
    enum vg_lgmp_error err = VG_LGMP_E_OK;
    const enum vg_lgmp_status st = vg_lgmp_client_subscribe(c, queue_id, &s, &err);
    require((st == VG_LGMP_OK) == (s != NULL));
    require(st != VG_LGMP_ERR_CORRUPTED || err != VG_LGMP_E_OK);
    require(st != VG_LGMP_ERR_NO_SUCH_QUEUE || !q);
    if (s)
        require(vg_lgmp_sub_id(s) < VG_LGMP_MAX_SUBS);
    if (q)
        q->position = position;
    *found = q;
    return s;
}

int lgmp_fuzz_run(const uint8_t *data, size_t len, struct lgmp_fuzz_stats *stats)
{
    struct lgmp_fuzz_stats st = {0};
    const size_t size = len < sizeof(struct vg_lgmp_header) ? sizeof(struct vg_lgmp_header) : len;
    uint8_t *region = malloc(size); /* malloc's alignment is at least 8 */
    if (!region)
        return 0;
    memset(region, 0, size);
    if (len)
        memcpy(region, data, len);
    struct vg_lgmp_header *h = (struct vg_lgmp_header *)region;
    for (uint32_t i = 0; i < VG_LGMP_MAX_QUEUES; i++) {
        h->queues[i].lock = 0;
        h->queues[i].cmsg_lock = 0;
    }

    struct vg_lgmp_client *c = vg_lgmp_client_create(region, size);
    require(c != NULL);
    enum vg_lgmp_error err = VG_LGMP_E_OK;
    require(vg_lgmp_client_session_init(c, 1000, &err) != VG_LGMP_OK);
    h->timestamp++;
    const enum vg_lgmp_status init = vg_lgmp_client_session_init(c, 1010, &err);
    require(init != VG_LGMP_ERR_INVALID_SIZE || err != VG_LGMP_E_OK);
    if (init == VG_LGMP_OK) {
        st.session = 1;
        uint32_t usize = 0;
        const uint8_t *udata = vg_lgmp_client_udata(c, &usize);
        require(udata && usize >= sizeof(struct vg_kvmfr) &&
                VG_LGMP_UDATA_OFFSET + (uint64_t)usize <= size);
        struct vg_kvmfr_info info;
        vg_kvmfr_parse_udata(udata, usize, &info);
        require(memchr(info.hostver, 0, sizeof(info.hostver)) &&
                memchr(info.capture, 0, sizeof(info.capture)) &&
                memchr(info.cpu_model, 0, sizeof(info.cpu_model)) &&
                memchr(info.os_name, 0, sizeof(info.os_name)));
        require(vg_lgmp_client_session_valid(c, 1020, 0));

        /* Payloads lie past the header and user data at least. */
        const uint64_t floor = VG_LGMP_UDATA_OFFSET + (uint64_t)usize;
        struct vg_lgmp_queue *pq = NULL, *fq = NULL;
        struct vg_lgmp_sub *pointer = subscribe(c, h, VG_KVMFR_QUEUE_POINTER, &pq);
        struct vg_lgmp_sub *frames = subscribe(c, h, VG_KVMFR_QUEUE_FRAME, &fq);
        st.subscribed = (pointer != NULL) + (frames != NULL);
        if (frames) {
            st.frames = take_frames(frames, region, size, floor);
            require(fq->lock == 0); /* every lock the client took, it released */
        }
        if (pointer) {
            st.cursors = take_cursors(pointer, region, size, floor, &st.shapes);
            const struct vg_kvmfr_set_cursor_pos m = {VG_KVMFR_MSG_SETCURSORPOS, 100, -7};
            uint32_t serial = 0;
            const enum vg_lgmp_status sst =
                vg_lgmp_client_send(pointer, &m, sizeof(m), &serial, &err);
            require((sst == VG_LGMP_ERR_CORRUPTED) == (err != VG_LGMP_E_OK));
            if (sst == VG_LGMP_OK) {
                require(serial == pq->cmsg_wserial);
                st.sent = 1;
            }
            vg_lgmp_client_get_serial(pointer, &serial);
            require(pq->lock == 0 && pq->cmsg_lock == 0);
        }
        /* The heartbeat frozen for 4 s: the session is over, the calls say so. */
        require(!vg_lgmp_client_session_valid(c, 5000, 0));
        if (frames)
            take_frames(frames, region, size, floor);
        const bool write = len == 0 || (data[len - 1] & 1) == 0;
        vg_lgmp_client_unsubscribe(pointer, write);
        vg_lgmp_client_unsubscribe(frames, write);
    }
    vg_lgmp_client_destroy(c);
    free(region);
    if (stats)
        *stats = st;
    return st.frames + st.cursors;
}

/* ---- Seeds: B7-like regions, built by hand ---- */

static const char seed_model[] = "Intel(R) Core(TM) i9-9900K"; /* VMINFO size 78 */
static const char seed_os[] =
    "Microsoft Windows Server 2025 Datacenter Evaluation (Build 26100.32194)"; /* OSINFO 73 */

static void seed_udata(uint8_t *u)
{
    struct vg_kvmfr k = {.version = VG_KVMFR_VERSION, .features = VG_KVMFR_FEATURE_SETCURSORPOS};
    memcpy(k.magic, VG_KVMFR_MAGIC, 8);
    strcpy(k.hostver, "B7");
    memcpy(u, &k, sizeof(k));
    struct vg_kvmfr_record r = {
        VG_KVMFR_RECORD_VMINFO, {0xDE, 0xAD, 0xBE}, VG_KVMFR_VMINFO_FIXED + sizeof(seed_model)};
    memcpy(u + 48, &r, sizeof(r));
    struct vg_kvmfr_vminfo vm = {.cpus = 8, .cores = 4, .sockets = 1};
    strcpy(vm.capture, "DXGI");
    memcpy(u + 56, &vm, sizeof(vm));
    memcpy(u + 56 + VG_KVMFR_VMINFO_FIXED, seed_model, sizeof(seed_model));
    r = (struct vg_kvmfr_record){VG_KVMFR_RECORD_OSINFO, {1, 2, 3}, 1 + sizeof(seed_os)};
    memcpy(u + 134, &r, sizeof(r));
    u[142] = VG_KVMFR_OS_WINDOWS;
    memcpy(u + 143, seed_os, sizeof(seed_os));
}

static void seed_queue(struct vg_lgmp_queue *q, uint32_t id, uint32_t n, uint32_t descs)
{
    q->queue_id = id;
    q->num_messages = n;
    q->max_time = 1000;
    q->messages_offset = descs;
    q->cmsg_avail = VG_LGMP_MSGS_MAX;
}

/* Descriptors k .. of queue q posted for the live set `live`: start, position and count. */
static void seed_post(uint8_t *b, struct vg_lgmp_queue *q, uint32_t start, uint32_t live,
                      const uint32_t (*msgs)[3], uint32_t n_msgs)
{
    q->start = start;
    q->count = n_msgs;
    for (uint32_t i = 0; i < n_msgs; i++) {
        const uint32_t k = (start + i) % q->num_messages;
        const struct vg_lgmp_message m = {msgs[i][0], msgs[i][1], msgs[i][2], live};
        memcpy(b + q->messages_offset + 16 * k, &m, sizeof(m));
    }
    q->position = (start + n_msgs) % q->num_messages;
    q->msg_timeout = 2000;
}

struct seed_frame {
    uint32_t type, fw, fh, dw, dh, stride, pitch, rotation, flags, serial, wp;
    uint32_t n_damage;
};

static void seed_slot(uint8_t *b, uint32_t slot, const struct seed_frame *s)
{
    static const struct vg_kvmfr_frame zero;
    struct vg_kvmfr_frame f = zero;
    f.format_ver = 1;
    f.frame_serial = s->serial;
    f.type = s->type;
    f.screen_width = s->fw;
    f.screen_height = s->fh;
    f.frame_width = s->fw;
    f.frame_height = s->fh;
    f.data_width = s->dw;
    f.data_height = s->dh;
    f.rotation = s->rotation;
    f.stride = s->stride;
    f.pitch = s->pitch;
    f.offset = 4092;
    f.flags = s->flags;
    f.damage_rects_count = s->n_damage;
    for (uint32_t i = 0; i < s->n_damage && i < VG_KVMFR_MAX_DAMAGE_RECTS; i++)
        f.damage_rects[i] = (struct vg_kvmfr_damage_rect){i % s->fw, (i * 3) % s->fh, 5, 3};
    memcpy(b + slot, &f, sizeof(f));
    memcpy(b + slot + 4092, &s->wp, 4);
    for (uint32_t i = 0; i < LGMP_FUZZ_SLOT_SIZE - 4096; i++)
        b[slot + 4096 + i] = (uint8_t)(i * 7 + s->serial);
}

static void seed_cursor(uint8_t *b, uint32_t off, uint32_t type, uint32_t w, uint32_t h,
                        uint32_t pitch, int8_t hx)
{
    const struct vg_kvmfr_cursor c = {
        .x = 100,
        .y = -3,
        .type = type,
        .hx = hx,
        .hy = 2,
        .width = w,
        .height = h,
        .pitch = pitch,
    };
    memcpy(b + off, &c, sizeof(c));
    for (uint32_t i = 0; i < h * pitch && 24 + i < LGMP_FUZZ_SHAPE_SIZE; i++)
        b[off + 24 + i] = (uint8_t)(i * 13);
}

size_t lgmp_fuzz_seed(int n, uint8_t *out, size_t cap)
{
    if (cap < LGMP_FUZZ_REGION_SIZE)
        return 0;
    uint8_t *b = out;
    memset(b, 0, LGMP_FUZZ_REGION_SIZE);
    /* Built in a private, aligned header and copied, so out need not be aligned. */
    static struct vg_lgmp_header h;
    memset(&h, 0, sizeof(h));
    h.magic = VG_LGMP_MAGIC;
    h.version = VG_LGMP_VERSION;
    h.session_id = 0x5EED0000u + (uint32_t)n;
    h.timestamp = 1000 + (uint64_t)n;
    h.num_queues = 2;
    h.udata_size = LGMP_FUZZ_UDATA_SIZE;
    struct vg_lgmp_queue *fq = &h.queues[0], *pq = &h.queues[1];
    seed_queue(fq, VG_KVMFR_QUEUE_FRAME, 3, LGMP_FUZZ_FRAME_DESCS);
    seed_queue(pq, VG_KVMFR_QUEUE_POINTER, 21, LGMP_FUZZ_POINTER_DESCS);

    const uint32_t pos[4] = {LGMP_FUZZ_POS_BUFS, LGMP_FUZZ_POS_BUFS + 24, LGMP_FUZZ_POS_BUFS + 48,
                             LGMP_FUZZ_POS_BUFS + 72};
    for (int i = 0; i < 4; i++) {
        const struct vg_kvmfr_cursor c = {.x = (int16_t)(10 * i), .y = (int16_t)(-i)};
        memcpy(b + pos[i], &c, sizeof(c));
    }
    const struct seed_frame bgra = {VG_KVMFR_FRAME_BGRA, 64, 32, 64, 32, 64, 256, 0, 0, 1, 8192, 0};
    switch (n) {
    case 0: { /* one whole BGRA frame; a COLOR shape, then a position */
        seed_slot(b, LGMP_FUZZ_SLOT0, &bgra);
        const uint32_t fm[1][3] = {{0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT0}};
        seed_post(b, fq, 0, 1, fm, 1);
        seed_cursor(b, LGMP_FUZZ_SHAPE0, VG_KVMFR_CURSOR_COLOR, 16, 16, 64, 1);
        const uint32_t pm[2][3] = {{7, LGMP_FUZZ_SHAPE_SIZE, LGMP_FUZZ_SHAPE0}, {3, 24, pos[0]}};
        seed_post(b, pq, 0, 1, pm, 2);
        break;
    }
    case 1: { /* BGR_32 (60 px = 45 texels, rounded to 64) in both slots with damage; a
               * MONOCHROME shape and a hidden position */
        struct seed_frame f = {VG_KVMFR_FRAME_BGR_32, 60, 32, 64, 32, 64, 256, 0, 0, 5, 8192, 2};
        seed_slot(b, LGMP_FUZZ_SLOT0, &f);
        f.serial = 6;
        seed_slot(b, LGMP_FUZZ_SLOT1, &f);
        const uint32_t fm[2][3] = {{0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT0},
                                   {0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT1}};
        seed_post(b, fq, 0, 1, fm, 2);
        seed_cursor(b, LGMP_FUZZ_SHAPE1, VG_KVMFR_CURSOR_MONOCHROME, 32, 64, 4, 0);
        const uint32_t pm[2][3] = {{7, LGMP_FUZZ_SHAPE_SIZE, LGMP_FUZZ_SHAPE1}, {1, 24, pos[1]}};
        seed_post(b, pq, 0, 1, pm, 2);
        break;
    }
    case 2: { /* RGB_24, TRUNCATED, claiming 2 rows more than slot 1 holds (P10) with wp at
               * one row (P13); rings that wrap; a MASKED_COLOR shape; the client ring with
               * one free slot */
        const struct seed_frame f = {VG_KVMFR_FRAME_RGB_24,         64, 48,  64, 44, 64, 192, 0,
                                     VG_KVMFR_FRAME_FLAG_TRUNCATED, 9,  192, 1};
        seed_slot(b, LGMP_FUZZ_SLOT1, &f);
        seed_slot(b, LGMP_FUZZ_SLOT0, &bgra);
        const uint32_t fm[2][3] = {{0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT1},
                                   {0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT0}};
        seed_post(b, fq, 2, 1, fm, 2);
        seed_cursor(b, LGMP_FUZZ_SHAPE0, VG_KVMFR_CURSOR_MASKED_COLOR, 32, 32, 128, 3);
        const uint32_t pm[4][3] = {{7, LGMP_FUZZ_SHAPE_SIZE, LGMP_FUZZ_SHAPE0},
                                   {3, 24, pos[2]},
                                   {2, 24, pos[3]},
                                   {6, LGMP_FUZZ_SHAPE_SIZE, LGMP_FUZZ_SHAPE0}};
        seed_post(b, pq, 19, 1, pm, 4);
        pq->cmsg_avail = 1;
        pq->cmsg_wpos = 9;
        pq->cmsg_wserial = 9;
        pq->cmsg_rserial = 8;
        break;
    }
    case 3: { /* RGBA16F rotated, HDR, 65 damage rects (= full), re-posted (same serial
               * twice); ids to reap on the frame queue, 31 of 32 taken on the pointer queue */
        const struct seed_frame f = {
            VG_KVMFR_FRAME_RGBA16F,  32, 16,   32, 16, 32, 256, VG_KVMFR_ROT_90,
            VG_KVMFR_FRAME_FLAG_HDR, 12, 4096, 65};
        seed_slot(b, LGMP_FUZZ_SLOT0, &f);
        const uint32_t fm[2][3] = {{0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT0},
                                   {0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT0}};
        fq->subs = (UINT64_C(1) << 32) | 1 | (UINT64_C(1) << 33) | (UINT64_C(1) << 34) | 4;
        fq->timeout[0] = h.timestamp - 5;
        fq->client_id[0] = 0xAAAA;
        fq->client_id[1] = 0x1234;
        fq->timeout[2] = h.timestamp + 500;
        seed_post(b, fq, 0, 3, fm, 2);
        pq->subs = UINT64_C(0x7FFFFFFF) << 32;
        seed_cursor(b, LGMP_FUZZ_SHAPE1, VG_KVMFR_CURSOR_COLOR, 32, 32, 128, -1);
        const uint32_t pm[1][3] = {{7, LGMP_FUZZ_SHAPE_SIZE, LGMP_FUZZ_SHAPE1}};
        seed_post(b, pq, 0, UINT32_MAX, pm, 1);
        break;
    }
    default: { /* RGBA10 with padded rows and 64 damage rects, then RGBA; positions only */
        const struct seed_frame f = {
            VG_KVMFR_FRAME_RGBA10, 64, 32, 64, 28, 72, 288, 0, 0, 20, 28 * 288, 64};
        seed_slot(b, LGMP_FUZZ_SLOT0, &f);
        struct seed_frame g = bgra;
        g.type = VG_KVMFR_FRAME_RGBA;
        g.serial = 21;
        g.n_damage = 3;
        seed_slot(b, LGMP_FUZZ_SLOT1, &g);
        const uint32_t fm[2][3] = {{0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT0},
                                   {0, LGMP_FUZZ_SLOT_SIZE, LGMP_FUZZ_SLOT1}};
        seed_post(b, fq, 1, 1, fm, 2);
        const uint32_t pm[3][3] = {{0, 24, pos[0]}, {1, 24, pos[1]}, {3, 24, pos[2]}};
        seed_post(b, pq, 5, 1, pm, 3);
        break;
    }
    }
    memcpy(b, &h, sizeof(h));
    seed_udata(b + VG_LGMP_UDATA_OFFSET);
    return LGMP_FUZZ_REGION_SIZE;
}
