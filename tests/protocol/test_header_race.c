/* A producer restart in the middle of the consumer's copy of the header, at the exact byte that
 * matters (through the consumer's header-copy hook): a copy that mixes the two producers'
 * headers is never used, and the frame shown next is the new producer's, read at the place its
 * own layout names. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fp_test_util.h"
#include "testlib.h"
#include "vg/fp.h"
#include "vg/fp_testing.h"
#include "vg/time.h"

#define REGION_SIZE (16u << 20)
#define W 64
#define H 48
/* Pixels of frame serial s: tag OLD_TAG + s for the first producer, NEW_TAG + s for the next. */
#define OLD_TAG 100u
#define NEW_TAG 200u
#define OLD_SESSION UINT64_C(0x1111111111111111)
#define NEW_SESSION UINT64_C(0x2222222222222222)

/* The bytes before `heartbeat`: magic, version, header_size, region_size, session. */
#define HEAD_BYTES offsetof(struct vg_fp_header, heartbeat)
_Static_assert(offsetof(struct vg_fp_header, session) < HEAD_BYTES, "session in the head");
_Static_assert(offsetof(struct vg_fp_header, slot_size) >= HEAD_BYTES, "layout in the tail");

enum order {
    LAYOUT_FIRST,  /* the old layout is copied, then the restart, then the new session */
    SESSION_FIRST, /* the old session is copied, then the restart, then the new layout */
};

struct race {
    uint8_t *region;
    struct vg_fp_producer *producer;
    enum order order;
    bool fired;
};

static uint8_t frame[W * H * 4];

static void publish(struct vg_fp_producer *p, uint64_t tag)
{
    fpt_paint(frame, W * 4, 4, W, H, tag, NULL);
    const struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, W, H, vg_time_ns()};
    CHECK(vg_fp_producer_submit(p, &d, frame, W * 4, NULL, 0) == 0);
}

/* The old producer dies and a new one takes the region over, with another slot count (so
 * another layout) and two frames: its frame 2 lies in its slot 1, at an offset where the old
 * layout's slot 1 still holds the old producer's frame 2. */
static void restart(struct race *r)
{
    vg_fp_producer_destroy(r->producer);
    const struct vg_fp_producer_config cfg = {
        .slot_count = 4, .clock = VG_FP_CLOCK_HOST_MONOTONIC, .session = NEW_SESSION};
    r->producer = vg_fp_producer_create(r->region, REGION_SIZE, &cfg);
    CHECK(r->producer != NULL);
    if (!r->producer)
        return;
    publish(r->producer, NEW_TAG + 1);
    publish(r->producer, NEW_TAG + 2);
}

static void copy_across_a_restart(void *dst, const void *src, size_t n, void *arg)
{
    struct race *r = arg;
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (r->fired) {
        memcpy(dst, src, n);
        return;
    }
    r->fired = true;
    if (r->order == LAYOUT_FIRST) {
        memcpy(d + HEAD_BYTES, s + HEAD_BYTES, n - HEAD_BYTES);
        restart(r);
        memcpy(d, s, HEAD_BYTES);
    } else {
        memcpy(d, s, HEAD_BYTES);
        restart(r);
        memcpy(d + HEAD_BYTES, s + HEAD_BYTES, n - HEAD_BYTES);
    }
}

/* Takes the newest frame if there is one: 1 with its serial and whether its pixels are those
 * of tag, 0 if none. */
static int take(struct vg_fp_consumer *c, uint64_t tag_base, uint64_t *serial, bool *pixels_ok)
{
    static uint8_t got[W * H * 4], want[W * H * 4];
    struct vg_fp_frame f;
    if (vg_fp_consumer_next_frame(c, &f, NULL) != 1)
        return 0;
    const bool geometry = f.width == W && f.height == H && f.format == VG_FP_FORMAT_BGRA8;
    CHECK(geometry);
    const int r = geometry ? vg_fp_consumer_copy(c, &f, got, W * 4, NULL, 0) : -1;
    vg_fp_consumer_done(c);
    CHECK(r == 0);
    fpt_paint(want, W * 4, 4, W, H, tag_base + f.serial, NULL);
    *serial = f.serial;
    *pixels_ok = r == 0 && memcmp(got, want, sizeof(got)) == 0;
    return 1;
}

static void run_race(enum order order, const char *what)
{
    struct race r = {.region = fpt_region_alloc(REGION_SIZE), .order = order};
    CHECK(r.region != NULL);
    if (!r.region)
        return;
    const struct vg_fp_producer_config cfg = {
        .slot_count = 3, .clock = VG_FP_CLOCK_HOST_MONOTONIC, .session = OLD_SESSION};
    r.producer = vg_fp_producer_create(r.region, REGION_SIZE, &cfg);
    struct vg_fp_consumer *c = vg_fp_consumer_create(r.region, REGION_SIZE, true, 0);
    CHECK(r.producer && c);
    if (!r.producer || !c)
        goto cleanup;
    publish(r.producer, OLD_TAG + 1);
    publish(r.producer, OLD_TAG + 2);

    /* The old producer's frame 2, read normally. */
    struct vg_fp_status_info info;
    uint64_t serial = 0;
    bool pixels_ok = false;
    CHECK(vg_fp_consumer_poll(c, vg_time_ns(), &info) == VG_FP_READY);
    CHECK(info.session == OLD_SESSION);
    CHECK(take(c, OLD_TAG, &serial, &pixels_ok) == 1 && serial == 2 && pixels_ok);

    /* The first poll's copy spans the restart: it must not be used. Then, as a client does,
     * each poll that says READY is followed by taking the newest frame: every frame taken is
     * the new producer's, with its pixels. */
    vg_fp_consumer_set_header_copy(c, copy_across_a_restart, &r);
    int taken = 0, wrong = 0;
    for (int i = 0; i < 4; i++) {
        const enum vg_fp_status st = vg_fp_consumer_poll(c, vg_time_ns(), &info);
        if (i == 0) {
            CHECK(r.fired);
            CHECK_MSG(st == VG_FP_WAIT_STARTING, "%s: a copy across a restart gave status %d (%s)",
                      what, (int)st, info.reason);
        }
        if (st != VG_FP_READY)
            continue;
        CHECK(info.session == NEW_SESSION);
        if (take(c, NEW_TAG, &serial, &pixels_ok) == 1) {
            taken++;
            if (!pixels_ok || serial != 2) {
                wrong++;
                fprintf(stderr, "  %s: poll %d took frame %llu, not the new producer's\n", what, i,
                        (unsigned long long)serial);
            }
        }
    }
    CHECK_MSG(taken == 1 && wrong == 0, "%s: %d frames taken, %d of them wrong", what, taken,
              wrong);

cleanup:
    vg_fp_consumer_destroy(c);
    vg_fp_producer_destroy(r.producer);
    fpt_region_free(r.region, REGION_SIZE);
}

static void a_copy_of_the_new_session_with_the_old_layout_is_refused(void)
{
    run_race(LAYOUT_FIRST, "old layout, new session");
}

static void a_copy_of_the_old_session_with_the_new_layout_is_refused(void)
{
    run_race(SESSION_FIRST, "old session, new layout");
}

int main(void)
{
    RUN(a_copy_of_the_new_session_with_the_old_layout_is_refused);
    RUN(a_copy_of_the_old_session_with_the_new_layout_is_refused);
    return vg_test_finish();
}
