/* The producer: frames that do not fit, the choice of slot, every slot holding a complete
 * frame after partial updates, heartbeat and session, and the cursor channel end to end. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fp_test_util.h"
#include "testlib.h"
#include "vg/fp.h"

static struct vg_fp_header *hdr(void *region)
{
    return region;
}

static void frame_too_large_is_refused_with_the_size_needed(void)
{
    const uint64_t size = vg_fp_region_size_for(64, 48, VG_FP_FORMAT_BGRA8, 3);
    uint8_t *region = fpt_region_alloc(size);
    CHECK(region != NULL);
    if (!region)
        return;
    struct vg_fp_producer *p = vg_fp_producer_create(region, size, NULL);
    CHECK(p != NULL);
    CHECK(vg_fp_producer_slot_capacity(p) >= 64u * 48u * 4u);

    static uint8_t pixels[128 * 96 * 8];
    struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, 64, 48, 0};
    CHECK(vg_fp_producer_submit(p, &d, pixels, 64 * 4, NULL, 0) == 0);

    /* One more row than the slots hold. */
    const uint32_t rows = (uint32_t)(vg_fp_producer_slot_capacity(p) / (64 * 4));
    d.height = rows + 1;
    CHECK(vg_fp_producer_submit(p, &d, pixels, 64 * 4, NULL, 0) == -ENOSPC);
    d.height = rows;
    CHECK(vg_fp_producer_submit(p, &d, pixels, 64 * 4, NULL, 0) == 0);
    d = (struct vg_fp_frame_desc){VG_FP_FORMAT_RGBA16F, 64, 48, 0};
    CHECK(vg_fp_producer_submit(p, &d, pixels, 64 * 8, NULL, 0) == -ENOSPC);
    d = (struct vg_fp_frame_desc){VG_FP_FORMAT_BGRA8, 128, 96, 0};
    CHECK(vg_fp_producer_submit(p, &d, pixels, 128 * 4, NULL, 0) == -ENOSPC);
    /* Refusals publish nothing. */
    CHECK(VG_FP_LATEST_SERIAL(hdr(region)->latest) == 2);

    const uint64_t need = vg_fp_region_size_for(128, 96, VG_FP_FORMAT_BGRA8, 3);
    CHECK(need > size);
    uint8_t *big = fpt_region_alloc(need);
    struct vg_fp_producer *q = vg_fp_producer_create(big, need, NULL);
    CHECK(q != NULL);
    CHECK(vg_fp_producer_submit(q, &d, pixels, 128 * 4, NULL, 0) == 0);
    /* The formula is tight: a page less holds a slot too small. */
    uint8_t *tight = fpt_region_alloc(need);
    struct vg_fp_producer *t = vg_fp_producer_create(tight, need - VG_FP_PAGE, NULL);
    CHECK(t != NULL);
    CHECK(vg_fp_producer_submit(t, &d, pixels, 128 * 4, NULL, 0) == -ENOSPC);

    vg_fp_producer_destroy(t);
    vg_fp_producer_destroy(q);
    vg_fp_producer_destroy(p);
    fpt_region_free(tight, need);
    fpt_region_free(big, need);
    fpt_region_free(region, size);
}

static void bad_arguments_are_refused(void)
{
    const uint64_t size = vg_fp_region_size_for(64, 48, VG_FP_FORMAT_BGRA8, 3);
    uint8_t *region = fpt_region_alloc(size);
    CHECK(region != NULL);
    if (!region)
        return;
    struct vg_fp_producer_config cfg = {.slot_count = 2};
    CHECK(vg_fp_producer_create(region, size, &cfg) == NULL);
    cfg.slot_count = 9;
    CHECK(vg_fp_producer_create(region, size, &cfg) == NULL);
    cfg = (struct vg_fp_producer_config){.clock = 2};
    CHECK(vg_fp_producer_create(region, size, &cfg) == NULL);
    CHECK(vg_fp_producer_create(region, VG_FP_SLOTS_OFFSET + 5 * VG_FP_PAGE, NULL) == NULL);
    CHECK(vg_fp_producer_create(region + 8, size - VG_FP_PAGE, NULL) == NULL);
    /* Nothing above touched the region. */
    CHECK(hdr(region)->magic == 0);
    /* The smallest region: three slots of two pages. */
    struct vg_fp_producer *p =
        vg_fp_producer_create(region, VG_FP_SLOTS_OFFSET + 6 * VG_FP_PAGE, NULL);
    CHECK(p != NULL);
    CHECK(p && vg_fp_producer_slot_capacity(p) == VG_FP_PAGE);
    vg_fp_producer_destroy(p);

    p = vg_fp_producer_create(region, size, NULL);
    static uint8_t pixels[64 * 48 * 4];
    struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, 64, 48, 0};
    struct vg_fp_rect r = {60, 0, 5, 1};
    CHECK(vg_fp_producer_submit(p, &d, pixels, 256, &r, 1) == -EINVAL);
    r = (struct vg_fp_rect){0, 0, 0, 1};
    CHECK(vg_fp_producer_submit(p, &d, pixels, 256, &r, 1) == -EINVAL);
    r = (struct vg_fp_rect){UINT32_MAX, 0, 2, 1};
    CHECK(vg_fp_producer_submit(p, &d, pixels, 256, &r, 1) == -EINVAL);
    CHECK(vg_fp_producer_submit(p, &d, pixels, 255, NULL, 0) == -EINVAL);
    CHECK(vg_fp_producer_submit(p, &d, NULL, 256, NULL, 0) == -EINVAL);
    CHECK(vg_fp_producer_submit(p, &d, pixels, 256, NULL, 17) == -EINVAL);
    d.format = 0;
    CHECK(vg_fp_producer_submit(p, &d, pixels, 256, NULL, 0) == -EINVAL);
    d = (struct vg_fp_frame_desc){VG_FP_FORMAT_BGRA8, 0, 48, 0};
    CHECK(vg_fp_producer_submit(p, &d, pixels, 256, NULL, 0) == -EINVAL);
    CHECK(hdr(region)->latest == 0);
    CHECK(vg_fp_producer_cursor_shape(p, 0, 1, 0, 0, pixels, 4) == -EINVAL);
    CHECK(vg_fp_producer_cursor_shape(p, 257, 1, 0, 0, pixels, 257 * 4) == -EINVAL);
    CHECK(vg_fp_producer_cursor_shape(p, 4, 4, 4, 0, pixels, 16) == -EINVAL);
    CHECK(vg_fp_producer_cursor_shape(p, 4, 4, 0, 0, pixels, 15) == -EINVAL);
    CHECK(hdr(region)->cursor.shape_serial == 0);
    vg_fp_producer_destroy(p);
    vg_fp_producer_destroy(NULL);
    fpt_region_free(region, size);
}

/* The slot written is never the one published last nor the one the reader announced. */
static void slot_choice_avoids_latest_and_reader(void)
{
    for (uint32_t slots = 3; slots <= VG_FP_MAX_SLOTS; slots++) {
        const uint64_t size = vg_fp_region_size_for(16, 16, VG_FP_FORMAT_BGRA8, slots);
        uint8_t *region = fpt_region_alloc(size);
        CHECK(region != NULL);
        if (!region)
            return;
        struct vg_fp_producer_config cfg = {.slot_count = slots};
        struct vg_fp_producer *p = vg_fp_producer_create(region, size, &cfg);
        static uint8_t pixels[16 * 16 * 4];
        struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, 16, 16, 0};
        uint64_t rng = 42 + slots;
        uint32_t prev = VG_FP_NO_SLOT;
        int bad = 0;
        uint32_t used = 0;
        for (int i = 0; i < 2000; i++) {
            const uint64_t pick = fpt_rand(&rng) % (slots + 1);
            const uint32_t reader = pick == slots ? VG_FP_NO_SLOT : (uint32_t)pick;
            hdr(region)->reader_slot = reader;
            struct vg_fp_rect r = {(uint32_t)(i % 16), 0, 1, 1};
            CHECK(vg_fp_producer_submit(p, &d, pixels, 64, i % 3 ? &r : NULL, i % 3 ? 1 : 0) == 0);
            const uint64_t latest = hdr(region)->latest;
            const uint32_t slot = VG_FP_LATEST_SLOT(latest);
            if (slot == prev || slot == reader || slot >= slots ||
                VG_FP_LATEST_SERIAL(latest) != (uint64_t)i + 1)
                bad++;
            used |= 1u << slot;
            prev = slot;
        }
        CHECK_MSG(bad == 0, "%u slots: %d submits chose a forbidden slot", slots, bad);
        CHECK_MSG(used == (1u << slots) - 1, "%u slots: only used mask %#x", slots, used);
        vg_fp_producer_destroy(p);
        fpt_region_free(region, size);
    }
}

#define MAXW 40
#define MAXH 30
#define FRAMES 400

/* Reads every slot back and checks it holds exactly the frame its header names. */
static int slots_hold_complete_frames(const uint8_t *region, uint8_t (*ref)[MAXW * MAXH * 4],
                                      const uint32_t *ref_w, const uint32_t *ref_h)
{
    const struct vg_fp_header *h = (const void *)region;
    int bad = 0;
    for (uint32_t i = 0; i < h->slot_count; i++) {
        const struct vg_fp_slot *s = (const void *)(region + h->slot_offset[i]);
        if (s->serial == 0)
            continue;
        if (s->seq & 1u || s->width != ref_w[s->serial] || s->height != ref_h[s->serial]) {
            bad++;
            continue;
        }
        const uint8_t *px = (const uint8_t *)s + s->data_offset;
        if (!fpt_frames_equal(px, s->stride, ref[s->serial], MAXW * 4, s->width * 4u, s->height)) {
            fprintf(stderr, "slot %u: frame %llu differs from what was submitted\n", i,
                    (unsigned long long)s->serial);
            bad++;
        }
    }
    return bad;
}

static void every_slot_holds_a_complete_frame_after_partial_updates(void)
{
    const uint32_t slots = 4;
    const uint64_t size = vg_fp_region_size_for(MAXW, MAXH, VG_FP_FORMAT_BGRA8, slots);
    uint8_t *region = fpt_region_alloc(size);
    CHECK(region != NULL);
    if (!region)
        return;
    struct vg_fp_producer_config cfg = {.slot_count = slots};
    struct vg_fp_producer *p = vg_fp_producer_create(region, size, &cfg);

    static uint8_t ref[FRAMES + 1][MAXW * MAXH * 4];
    static uint32_t ref_w[FRAMES + 1], ref_h[FRAMES + 1];
    static uint8_t frame[MAXW * MAXH * 4];
    const size_t stride = MAXW * 4; /* the source keeps its rows at the widest stride */
    uint64_t rng = 7;
    uint32_t w = 32, h = 24;
    int bad = 0, partial = 0;

    for (uint64_t serial = 1; serial <= FRAMES; serial++) {
        struct vg_fp_rect damage[VG_FP_MAX_DAMAGE];
        uint32_t n = 0;
        if (serial == 150) { /* a mode change: new geometry, whole frame */
            w = MAXW;
            h = MAXH;
        }
        if (serial == 1 || serial == 150 || serial % 50 == 0) {
            fpt_paint(frame, stride, 4, w, h, serial, NULL);
        } else {
            n = 1 + (uint32_t)(fpt_rand(&rng) % 4);
            for (uint32_t i = 0; i < n; i++) {
                struct vg_fp_rect r;
                r.x = (uint32_t)(fpt_rand(&rng) % w);
                r.y = (uint32_t)(fpt_rand(&rng) % h);
                r.w = 1 + (uint32_t)(fpt_rand(&rng) % (w - r.x < 8 ? w - r.x : 8));
                r.h = 1 + (uint32_t)(fpt_rand(&rng) % (h - r.y < 8 ? h - r.y : 8));
                damage[i] = r;
                fpt_paint(frame, stride, 4, w, h, serial, &r);
            }
            partial++;
        }
        memcpy(ref[serial], frame, sizeof(frame));
        ref_w[serial] = w;
        ref_h[serial] = h;

        /* The reader pins a slot for long stretches: the slots it holds back fall further
         * behind than the damage history and must be refreshed whole. */
        const uint64_t phase = serial % 100;
        hdr(region)->reader_slot = phase < 40   ? 2
                                   : phase < 60 ? VG_FP_NO_SLOT
                                                : (uint32_t)(serial % slots);
        struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, w, h, serial * 1000};
        CHECK(vg_fp_producer_submit(p, &d, frame, stride, n ? damage : NULL, n) == 0);
        bad += slots_hold_complete_frames(region, ref, ref_w, ref_h);

        /* The published slot carries the damage as submitted. */
        const struct vg_fp_slot *s =
            (const void *)(region +
                           hdr(region)->slot_offset[VG_FP_LATEST_SLOT(hdr(region)->latest)]);
        if (s->serial != serial || s->damage_count != (serial == 150 ? 0 : n) ||
            (n && memcmp(s->damage, damage, n * sizeof(*damage)) != 0) ||
            s->capture_ns != serial * 1000)
            bad++;
    }
    CHECK(partial > 300);
    CHECK_MSG(bad == 0, "%d slot checks failed", bad);
    vg_fp_producer_destroy(p);
    fpt_region_free(region, size);
}

static void heartbeat_always_moves_and_sessions_differ(void)
{
    const uint64_t size = vg_fp_region_size_for(16, 16, VG_FP_FORMAT_BGRA8, 3);
    uint8_t *region = fpt_region_alloc(size);
    CHECK(region != NULL);
    if (!region)
        return;
    struct vg_fp_producer *p = vg_fp_producer_create(region, size, NULL);
    const uint64_t s1 = hdr(region)->session;
    CHECK(s1 != 0);
    vg_fp_producer_heartbeat(p, 5000);
    const uint64_t a = hdr(region)->heartbeat;
    vg_fp_producer_heartbeat(p, 5000);
    const uint64_t b = hdr(region)->heartbeat;
    CHECK(a == 5000);
    CHECK(b != a);
    vg_fp_producer_set_state(p, VG_FP_STATE_PAUSED);
    CHECK(hdr(region)->state == VG_FP_STATE_PAUSED);
    vg_fp_producer_destroy(p);
    CHECK(hdr(region)->state == VG_FP_STATE_STOPPED);

    for (int i = 0; i < 20; i++) {
        const uint64_t before = hdr(region)->session;
        p = vg_fp_producer_create(region, size, NULL);
        CHECK(hdr(region)->session != 0);
        CHECK(hdr(region)->session != before);
        vg_fp_producer_destroy(p);
    }
    struct vg_fp_producer_config cfg = {.session = 0xABCDEF};
    cfg.clock = VG_FP_CLOCK_HOST_MONOTONIC;
    p = vg_fp_producer_create(region, size, &cfg);
    CHECK(hdr(region)->session == 0xABCDEF);
    CHECK(hdr(region)->state == VG_FP_STATE_RUNNING);
    struct vg_fp_consumer *c = vg_fp_consumer_create(region, size, false, 0);
    CHECK(vg_fp_consumer_clock(c) == VG_FP_CLOCK_GUEST); /* nothing validated yet */
    CHECK(vg_fp_consumer_poll(c, 1, NULL) == VG_FP_WAIT_NO_FRAME);
    CHECK(vg_fp_consumer_clock(c) == VG_FP_CLOCK_HOST_MONOTONIC);
    vg_fp_consumer_destroy(c);
    vg_fp_producer_destroy(p);
    fpt_region_free(region, size);
}

static void cursor_reaches_the_consumer(void)
{
    const uint64_t size = vg_fp_region_size_for(16, 16, VG_FP_FORMAT_BGRA8, 3);
    uint8_t *region = fpt_region_alloc(size);
    CHECK(region != NULL);
    if (!region)
        return;
    struct vg_fp_producer *p = vg_fp_producer_create(region, size, NULL);
    struct vg_fp_consumer *c = vg_fp_consumer_create(region, size, true, 0);
    static uint8_t shape[VG_FP_CURSOR_SHAPE_BYTES];
    static uint8_t src[32 * 40];
    struct vg_fp_cursor_state st = {0};

    /* Before the first poll the consumer knows no header. */
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 0);
    CHECK(vg_fp_consumer_poll(c, 1000, NULL) == VG_FP_WAIT_NO_FRAME);
    CHECK(vg_fp_consumer_clock(c) == VG_FP_CLOCK_GUEST);

    /* The initial state is reported once (hidden, no shape). */
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 1);
    CHECK(!st.visible);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 0);

    CHECK(vg_fp_producer_cursor_pos(p, 10, -5, true) == 0);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 1);
    CHECK(st.x == 10 && st.y == -5 && st.visible);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 0);

    /* 8x10 shape from a source with padded rows (40 bytes per row). */
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)(i * 7 + 3);
    CHECK(vg_fp_producer_cursor_shape(p, 8, 10, 3, 4, src, 40) == 0);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 2);
    CHECK(st.width == 8 && st.height == 10 && st.hot_x == 3 && st.hot_y == 4);
    CHECK(st.shape_serial == 1);
    CHECK(fpt_frames_equal(shape, 32, src, 40, 32, 10));
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 0);

    /* Both at once. */
    vg_fp_producer_cursor_pos(p, 11, 12, false);
    vg_fp_producer_cursor_shape(p, 8, 10, 0, 0, src, 40);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 3);
    CHECK(st.x == 11 && !st.visible && st.shape_serial == 2);

    /* A shape caught mid-write is retried on the next call, not lost. */
    struct vg_fp_cursor *sc = &hdr(region)->cursor;
    vg_fp_producer_cursor_shape(p, 4, 4, 1, 1, src, 16);
    const uint32_t seq = sc->shape_seq;
    sc->shape_seq = seq + 1; /* as if the producer were writing */
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == -EAGAIN);
    CHECK(st.shape_serial == 2);
    sc->shape_seq = seq;
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 2);
    CHECK(st.shape_serial == 3 && st.width == 4);

    /* A shape that fails validation is reported once, then skipped. */
    sc->width = 300;
    sc->shape_serial = 100;
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == -EPROTO);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 0);
    CHECK(st.shape_serial == 3);
    /* A buffer too small for the shape. */
    vg_fp_producer_cursor_shape(p, 16, 16, 0, 0, src, 64);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, 16 * 16 * 4 - 1) == -ENOBUFS);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 2);

    /* A restart reports the cursor again. */
    vg_fp_producer_destroy(p);
    p = vg_fp_producer_create(region, size, NULL);
    vg_fp_producer_cursor_pos(p, 1, 2, true);
    vg_fp_producer_cursor_shape(p, 2, 2, 0, 0, src, 8);
    CHECK(vg_fp_consumer_poll(c, 2000, NULL) == VG_FP_WAIT_NO_FRAME);
    CHECK(vg_fp_consumer_cursor(c, &st, shape, sizeof(shape)) == 3);
    CHECK(st.x == 1 && st.shape_serial == 1 && st.width == 2);

    vg_fp_consumer_destroy(c);
    vg_fp_producer_destroy(p);
    fpt_region_free(region, size);
}

/* A frame whose slot is rewritten before the copy ends, or that belongs to a producer that
 * restarted meanwhile, is reported torn instead of being shown. */
static void rewritten_or_restarted_frames_are_dropped(void)
{
    const uint64_t size = vg_fp_region_size_for(16, 16, VG_FP_FORMAT_BGRA8, 3);
    uint8_t *region = fpt_region_alloc(size);
    CHECK(region != NULL);
    if (!region)
        return;
    static uint8_t pixels[16 * 16 * 4], dst[16 * 16 * 4];
    struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, 16, 16, 0};
    struct vg_fp_producer *p = vg_fp_producer_create(region, size, NULL);
    /* Read-only: the producer gets no hint and reuses the slot. */
    struct vg_fp_consumer *c = vg_fp_consumer_create(region, size, false, 0);
    struct vg_fp_frame f;

    CHECK(vg_fp_producer_submit(p, &d, pixels, 64, NULL, 0) == 0);
    CHECK(vg_fp_consumer_poll(c, 1000, NULL) == VG_FP_READY);
    CHECK(vg_fp_consumer_next_frame(c, &f, NULL) == 1);
    CHECK(vg_fp_consumer_copy(c, &f, dst, 64, NULL, 0) == 0);
    vg_fp_consumer_done(c);

    CHECK(vg_fp_producer_submit(p, &d, pixels, 64, NULL, 0) == 0);
    CHECK(vg_fp_consumer_next_frame(c, &f, NULL) == 1);
    for (int i = 0; i < 3; i++) /* three slots: the third submit reuses f's slot */
        CHECK(vg_fp_producer_submit(p, &d, pixels, 64, NULL, 0) == 0);
    CHECK(vg_fp_consumer_copy(c, &f, dst, 64, NULL, 0) == -EAGAIN);
    vg_fp_consumer_done(c);

    CHECK(vg_fp_consumer_next_frame(c, &f, NULL) == 1);
    CHECK(f.serial == 5);
    vg_fp_producer_destroy(p);
    p = vg_fp_producer_create(region, size, NULL);
    CHECK(vg_fp_producer_submit(p, &d, pixels, 64, NULL, 0) == 0);
    struct vg_fp_status_info info;
    CHECK(vg_fp_consumer_poll(c, 1100, &info) == VG_FP_READY);
    CHECK(info.new_session);
    CHECK(vg_fp_consumer_copy(c, &f, dst, 64, NULL, 0) == -EAGAIN);
    vg_fp_consumer_done(c);
    /* The new session's frame 1 is newer than nothing: serials start over. */
    CHECK(vg_fp_consumer_next_frame(c, &f, NULL) == 1);
    CHECK(f.serial == 1);
    CHECK(vg_fp_consumer_copy(c, &f, dst, 64, NULL, 0) == 0);
    vg_fp_consumer_done(c);

    vg_fp_consumer_destroy(c);
    vg_fp_producer_destroy(p);
    fpt_region_free(region, size);
}

int main(void)
{
    RUN(frame_too_large_is_refused_with_the_size_needed);
    RUN(bad_arguments_are_refused);
    RUN(slot_choice_avoids_latest_and_reader);
    RUN(every_slot_holds_a_complete_frame_after_partial_updates);
    RUN(heartbeat_always_moves_and_sessions_differ);
    RUN(cursor_reaches_the_consumer);
    RUN(rewritten_or_restarted_frames_are_dropped);
    return vg_test_finish();
}
