/* A producer thread and a consumer thread on one region. Every frame's pixels are a function
 * of its serial, so the consumer can check, after every accepted copy, that the whole image it
 * keeps (built from full copies and damage copies) is exactly the frame it was told about. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_test_util.h"
#include "testlib.h"
#include "vg/fp.h"
#include "vg/time.h"

#define W 64
#define H 48

struct config {
    const char *name;
    uint32_t format;
    uint32_t slots;
    uint64_t frames;
    bool slow_reader; /* read-only (no reader hint) and dawdles before copying */
};

/* The damage of frame `serial` relative to serial - 1: a pure function of the serial, so both
 * threads agree on it. n = 0: the whole frame. */
static uint32_t damage_of(uint64_t serial, struct vg_fp_rect *r)
{
    if (serial == 1 || serial % 7 == 0)
        return 0;
    uint64_t rng = fpt_mix(serial) | 1;
    const uint32_t n = 1 + (uint32_t)(fpt_rand(&rng) % 3);
    for (uint32_t i = 0; i < n; i++) {
        r[i].x = (uint32_t)(fpt_rand(&rng) % W);
        r[i].y = (uint32_t)(fpt_rand(&rng) % H);
        r[i].w = 1 + (uint32_t)(fpt_rand(&rng) % (W - r[i].x));
        r[i].h = 1 + (uint32_t)(fpt_rand(&rng) % (H - r[i].y));
    }
    return n;
}

/* Advances a reference image from frame `from` to frame `to`. */
static void advance(uint8_t *img, uint32_t bpp, uint64_t from, uint64_t to)
{
    for (uint64_t s = from + 1; s <= to; s++) {
        struct vg_fp_rect r[VG_FP_MAX_DAMAGE];
        const uint32_t n = damage_of(s, r);
        if (n == 0)
            fpt_paint(img, W * bpp, bpp, W, H, s, NULL);
        for (uint32_t i = 0; i < n; i++)
            fpt_paint(img, W * bpp, bpp, W, H, s, &r[i]);
    }
}

struct producer_args {
    uint8_t *region;
    size_t size;
    const struct config *cfg;
    int failures;
    uint64_t consumer_last; /* atomic: newest serial the consumer took */
};

static void *producer_main(void *arg)
{
    struct producer_args *a = arg;
    const uint32_t bpp = vg_fp_format_bpp(a->cfg->format);
    struct vg_fp_producer_config pc = {.slot_count = a->cfg->slots};
    struct vg_fp_producer *p = vg_fp_producer_create(a->region, a->size, &pc);
    if (!p) {
        a->failures++;
        return NULL;
    }
    uint8_t *frame = calloc(1, (size_t)W * H * bpp);
    for (uint64_t s = 1; s <= a->cfg->frames; s++) {
        advance(frame, bpp, s - 1, s);
        struct vg_fp_rect r[VG_FP_MAX_DAMAGE];
        const uint32_t n = damage_of(s, r);
        struct vg_fp_frame_desc d = {a->cfg->format, W, H, s};
        if (vg_fp_producer_submit(p, &d, frame, (size_t)W * bpp, n ? r : NULL, n) != 0)
            a->failures++;
        /* Mostly paced so the consumer sees runs of consecutive frames, with bursts that
         * overrun it and tear its copies. */
        if (s % 1000 >= 200)
            vg_sleep_ns(50 * VG_NS_PER_US);
        else if (s % 8 == 0)
            sched_yield();
    }
    /* Stay alive (beating) until the consumer has taken the last frame: a stopped producer's
     * frames are not offered any more. */
    const uint64_t until = vg_time_ns() + 10 * VG_NS_PER_S;
    while (__atomic_load_n(&a->consumer_last, __ATOMIC_ACQUIRE) < a->cfg->frames &&
           vg_time_ns() < until) {
        vg_fp_producer_heartbeat(p, vg_time_ns());
        vg_sleep_ns(VG_NS_PER_MS);
    }
    free(frame);
    vg_fp_producer_destroy(p);
    return NULL;
}

static void run(const struct config *cfg)
{
    const uint32_t bpp = vg_fp_format_bpp(cfg->format);
    const size_t size = vg_fp_region_size_for(W, H, cfg->format, cfg->slots);
    uint8_t *region = fpt_region_alloc(size);
    CHECK(region != NULL);
    if (!region)
        return;
    struct vg_fp_consumer *c = vg_fp_consumer_create(region, size, !cfg->slow_reader, 0);
    CHECK(c != NULL);

    struct producer_args pa = {region, size, cfg, 0, 0};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, producer_main, &pa) == 0);

    const size_t row = (size_t)W * bpp;
    uint8_t *mine = calloc(1, row * H);   /* the consumer's image */
    uint8_t *expect = calloc(1, row * H); /* the reference, advanced to each serial seen */
    uint64_t expect_serial = 0;
    uint64_t have = 0; /* serial `mine` holds completely; 0 = none (after a torn copy) */
    uint64_t last = 0, accepted = 0, torn = 0, damage_copies = 0, mismatches = 0;
    uint64_t not_increasing = 0, proto_errors = 0, bad_status = 0;
    const uint64_t deadline = vg_time_ns() + 60 * VG_NS_PER_S;

    while (vg_time_ns() < deadline) {
        struct vg_fp_status_info info;
        const enum vg_fp_status st = vg_fp_consumer_poll(c, vg_time_ns(), &info);
        if (st == VG_FP_WAIT_STOPPED)
            break;
        if (st != VG_FP_READY) {
            if (st != VG_FP_WAIT_NO_MAGIC && st != VG_FP_WAIT_NO_FRAME &&
                st != VG_FP_WAIT_STARTING && st != VG_FP_WAIT_STOPPED)
                bad_status++;
            sched_yield();
            continue;
        }
        struct vg_fp_frame f;
        enum vg_fp_error err;
        const int r = vg_fp_consumer_next_frame(c, &f, &err);
        if (r < 0) {
            fprintf(stderr, "next_frame: %s\n", vg_fp_error_str(err));
            proto_errors++;
            continue;
        }
        if (r == 0) {
            sched_yield();
            continue;
        }
        if (f.serial <= last)
            not_increasing++;
        last = f.serial;
        __atomic_store_n(&pa.consumer_last, last, __ATOMIC_RELEASE);

        /* Without the hint the producer is free to reuse the slot under a slow reader. */
        if (cfg->slow_reader && f.serial % 3 == 0)
            vg_sleep_ns(100 * VG_NS_PER_US);

        const bool partial = have != 0 && f.serial == have + 1 && f.damage_count > 0;
        int cr;
        if (partial)
            cr = vg_fp_consumer_copy(c, &f, mine, row, f.damage, f.damage_count);
        else
            cr = vg_fp_consumer_copy(c, &f, mine, row, NULL, 0);
        vg_fp_consumer_done(c);
        if (cr == -EAGAIN) {
            torn++;
            have = 0; /* part of `mine` may come from another frame */
            continue;
        }
        CHECK(cr == 0);
        accepted++;
        damage_copies += partial;
        have = f.serial;

        if (f.serial < expect_serial) {
            memset(expect, 0, row * H);
            expect_serial = 0;
        }
        advance(expect, bpp, expect_serial, f.serial);
        expect_serial = f.serial;
        if (memcmp(mine, expect, row * H) != 0) {
            if (mismatches++ < 5)
                fprintf(stderr, "%s: frame %llu differs from the producer's (%s copy)\n", cfg->name,
                        (unsigned long long)f.serial, partial ? "damage" : "full");
            have = 0;
        }
    }
    pthread_join(thread, NULL);

    fprintf(stderr, "%s: %llu frames, %llu accepted (%llu by damage), %llu torn, last %llu\n",
            cfg->name, (unsigned long long)cfg->frames, (unsigned long long)accepted,
            (unsigned long long)damage_copies, (unsigned long long)torn, (unsigned long long)last);
    CHECK(pa.failures == 0);
    CHECK_MSG(mismatches == 0, "%llu accepted frames differ", (unsigned long long)mismatches);
    CHECK(proto_errors == 0);
    CHECK(bad_status == 0);
    CHECK(not_increasing == 0);
    CHECK(accepted > 0);
    CHECK(accepted >= cfg->frames / 50);
    CHECK(damage_copies > 0);
    CHECK_MSG(last == cfg->frames, "last frame seen %llu", (unsigned long long)last);
    if (cfg->slow_reader)
        CHECK_MSG(torn > 0, "a slow reader without the hint was never overrun");

    free(mine);
    free(expect);
    vg_fp_consumer_destroy(c);
    fpt_region_free(region, size);
}

static void bgra8_three_slots(void)
{
    static const struct config cfg = {"BGRA8/3 slots", VG_FP_FORMAT_BGRA8, 3, 6000, false};
    run(&cfg);
}

static void rgba16f_five_slots(void)
{
    static const struct config cfg = {"RGBA16F/5 slots", VG_FP_FORMAT_RGBA16F, 5, 3000, false};
    run(&cfg);
}

/* Torn copies must be detected: a reader that gives the producer no hint and is slow. */
static void slow_reader_without_hint_detects_torn_copies(void)
{
    static const struct config cfg = {"BGRA8/3 slots, slow reader", VG_FP_FORMAT_BGRA8, 3, 5000,
                                      true};
    run(&cfg);
}

int main(void)
{
    RUN(bgra8_three_slots);
    RUN(rgba16f_five_slots);
    RUN(slow_reader_without_hint_detects_torn_copies);
    return vg_test_finish();
}
