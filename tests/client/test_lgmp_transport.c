/* The client's Looking Glass B7 transport (host-client/transport/lgmp) against the KVMFR
 * producer (guest-protocol's B7 host), in one process on a shared mapping: frames of every
 * KVMFR format arrive byte for byte, damage copies only the rects, duplicates are skipped, a
 * frame still being written is copied again, and the client recovers from a restarted host, a
 * stopped heartbeat, its own stall past the host's timeout and a zeroed region. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "testlib.h"
#include "transport.h"
#include "vg/lgmp.h"
#include "vg/time.h"

#define MIB (UINT64_C(1) << 20)
#define STALL_NS (1000 * VG_NS_PER_MS)

static const struct vg_transport_ops *ops = &vg_transport_lgmp;

struct rig {
    uint8_t *region;
    size_t size;
    struct vg_kvmfr_producer *p;
    struct vg_transport *t;
    int32_t moved_x, moved_y;
    int moves;
};

static uint64_t now_ms(void)
{
    return vg_time_ns() / VG_NS_PER_MS;
}

static void on_move(void *opaque, int32_t x, int32_t y)
{
    struct rig *r = opaque;
    r->moved_x = x;
    r->moved_y = y;
    r->moves++;
}

static struct vg_kvmfr_producer *start_host(struct rig *r, uint32_t features)
{
    const struct vg_kvmfr_producer_config cfg = {
        .features = features,
        .capture = "test",
        .os = VG_KVMFR_OS_WINDOWS,
        .os_name = "Windows 11",
        .on_set_cursor_pos = on_move,
        .opaque = r,
    };
    r->p = vg_kvmfr_producer_create(r->region, r->size, &cfg, now_ms());
    return r->p;
}

static struct vg_transport *open_client(struct rig *r)
{
    const struct vg_transport_map map = {
        .base = r->region, .size = r->size, .writable = true, .kind = VG_MAP_SHM_FILE, .fd = -1};
    return ops->create(&map, STALL_NS);
}

static bool rig_open(struct rig *r, size_t size, uint32_t features)
{
    *r = (struct rig){.size = size};
    r->region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(r->region != MAP_FAILED);
    if (r->region == MAP_FAILED)
        return false;
    CHECK(start_host(r, features) != NULL);
    r->t = r->p ? open_client(r) : NULL;
    CHECK(r->t != NULL);
    return r->t != NULL;
}

static void rig_close(struct rig *r)
{
    if (r->t)
        ops->destroy(r->t);
    vg_kvmfr_producer_destroy(r->p);
    if (r->region && r->region != MAP_FAILED)
        munmap(r->region, r->size);
}

/* One step of both sides: the host's 10 ms timer (when it runs) and the client's poll. */
static bool step(struct rig *r, struct vg_transport *t, bool host, struct vg_transport_status *st)
{
    if (host && r->p)
        vg_kvmfr_producer_tick(r->p, now_ms());
    struct vg_transport_status tmp;
    return ops->poll(t, vg_time_ns(), st ? st : &tmp);
}

static bool wait_ready(struct rig *r, struct vg_transport *t, int timeout_ms)
{
    uint64_t end = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    while (vg_time_ns() < end) {
        if (step(r, t, true, NULL))
            return true;
        vg_sleep_ns(5 * VG_NS_PER_MS);
    }
    return false;
}

/* Pixels that differ in every byte position and per frame. */
static void fill(uint8_t *px, size_t pitch, uint32_t rows, uint32_t seed)
{
    for (uint32_t y = 0; y < rows; y++) {
        for (size_t x = 0; x < pitch; x++)
            px[y * pitch + x] = (uint8_t)(x * 7 + y * 13 + seed * 31);
    }
}

static int submit(struct rig *r, const struct vg_kvmfr_frame_params *fp, const uint8_t *px,
                  size_t pitch, const struct vg_kvmfr_damage_rect *d, uint32_t n)
{
    /* Two frames may be outstanding: the host waits until the client released one. */
    for (int i = 0; i < 200; i++) {
        int ret = vg_kvmfr_producer_submit(r->p, fp, px, pitch, d, n, now_ms());
        if (ret != -EBUSY)
            return ret;
        vg_kvmfr_producer_tick(r->p, now_ms());
        vg_sleep_ns(VG_NS_PER_MS);
    }
    return -EBUSY;
}

/* Takes the next new frame within timeout_ms and copies it (rects as the frame says unless
 * full) into dst; returns copy_frame's result, or -ETIMEDOUT with nothing. */
static int take(struct rig *r, struct vg_transport *t, struct vg_frame_info *info, uint8_t *dst,
                size_t dst_stride, bool full, int timeout_ms)
{
    uint64_t end = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    while (vg_time_ns() < end) {
        if (step(r, t, true, NULL) && ops->next_frame(t, info) == 1) {
            int ret;
            while ((ret = ops->copy_frame(t, info, dst, dst_stride, info->damage,
                                          full ? 0 : info->n_damage)) == VG_COPY_NOT_YET) {
                vg_kvmfr_producer_tick(r->p, now_ms());
                vg_sleep_ns(VG_NS_PER_MS);
            }
            ops->release_frame(t);
            return ret;
        }
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    return -ETIMEDOUT;
}

static bool rows_equal(const uint8_t *dst, size_t dst_stride, const uint8_t *src, size_t pitch,
                       uint32_t rows, size_t row_bytes)
{
    for (uint32_t y = 0; y < rows; y++) {
        if (memcmp(dst + y * dst_stride, src + y * pitch, row_bytes) != 0)
            return false;
    }
    return true;
}

struct fmt_case {
    uint32_t type;
    enum vg_pixfmt want;
    uint32_t bytes_per_pixel; /* of the displayed image */
};

static const struct fmt_case fmt_cases[] = {
    {VG_KVMFR_FRAME_BGRA, VG_PIXFMT_BGRA8, 4},      {VG_KVMFR_FRAME_RGBA, VG_PIXFMT_RGBA8, 4},
    {VG_KVMFR_FRAME_RGBA10, VG_PIXFMT_RGB10A2, 4},  {VG_KVMFR_FRAME_RGBA16F, VG_PIXFMT_RGBA16F, 8},
    {VG_KVMFR_FRAME_BGR_32, VG_PIXFMT_BGR8, 3},     {VG_KVMFR_FRAME_RGB_24, VG_PIXFMT_RGB8, 3},
};

static void every_format_and_rotation_arrives_byte_for_byte(void)
{
    struct rig r;
    if (!rig_open(&r, 32 * MIB, 0))
        goto out;
    CHECK(wait_ready(&r, r.t, 2000));
    const uint32_t w = 100, h = 60; /* 100 * 3 is a multiple of 4 */
    const size_t pitch = (size_t)w * 8;
    uint8_t *src = malloc(pitch * h), *dst = malloc(pitch * h);
    for (size_t i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
        for (uint32_t rot = 0; rot < 4; rot++) {
            const struct fmt_case *c = &fmt_cases[i];
            fill(src, pitch, h, (uint32_t)(i * 4 + rot));
            memset(dst, 0xEE, pitch * h);
            struct vg_kvmfr_frame_params fp = {.type = c->type, .frame_width = w,
                                               .frame_height = h, .rotation = rot,
                                               .stop_after = UINT64_MAX};
            CHECK(submit(&r, &fp, src, pitch, NULL, 0) == 0);
            struct vg_frame_info info;
            size_t stride = ((size_t)w * c->bytes_per_pixel + 3) & ~(size_t)3;
            int ret = take(&r, r.t, &info, dst, stride, true, 2000);
            CHECK_MSG(ret == 0, "type %u rotation %u: copy %d", c->type, rot, ret);
            if (ret != 0)
                continue;
            CHECK(info.format == c->want);
            CHECK(info.width == w && info.height == h && info.data_height == h);
            CHECK(info.rotation == (enum vg_rotation)rot);
            CHECK(info.screen_width == w && info.screen_height == h);
            CHECK(!(info.flags & VG_FRAME_TRUNCATED));
            CHECK_MSG(rows_equal(dst, stride, src, pitch, h, (size_t)w * c->bytes_per_pixel),
                      "type %u: pixels differ from what the host wrote", c->type);
            CHECK_MSG(info.stride >= (size_t)w * c->bytes_per_pixel, "stride %u", info.stride);
        }
    }
    free(src);
    free(dst);
out:
    rig_close(&r);
}

static void damage_copies_only_the_rects_and_duplicates_are_skipped(void)
{
    struct rig r;
    if (!rig_open(&r, 32 * MIB, 0))
        goto out;
    CHECK(wait_ready(&r, r.t, 2000));
    const uint32_t w = 256, h = 128;
    const size_t pitch = (size_t)w * 4;
    uint8_t *src = malloc(pitch * h), *dst = malloc(pitch * h);
    struct vg_kvmfr_frame_params fp = {.type = VG_KVMFR_FRAME_BGRA, .frame_width = w,
                                       .frame_height = h, .stop_after = UINT64_MAX};
    fill(src, pitch, h, 1);
    CHECK(submit(&r, &fp, src, pitch, NULL, 0) == 0);
    struct vg_frame_info info;
    CHECK(take(&r, r.t, &info, dst, pitch, false, 2000) == 0);
    CHECK_MSG(info.n_damage == 0, "the first frame after subscribing is whole (P9)");
    uint64_t first = info.serial;

    /* Change one rect; the client copies it alone. */
    const struct vg_kvmfr_damage_rect d = {40, 20, 30, 10};
    for (uint32_t y = d.y; y < d.y + d.height; y++)
        memset(src + y * pitch + d.x * 4, 0x5A, d.width * 4);
    CHECK(submit(&r, &fp, src, pitch, &d, 1) == 0);
    memset(dst, 0xEE, pitch * h);
    CHECK(take(&r, r.t, &info, dst, pitch, false, 2000) == 0);
    CHECK(info.serial == first + 1);
    CHECK(info.n_damage == 1 && info.damage[0].x == d.x && info.damage[0].y == d.y &&
          info.damage[0].w == d.width && info.damage[0].h == d.height);
    CHECK(dst[(d.y + 2) * pitch + (d.x + 3) * 4] == 0x5A);
    CHECK_MSG(dst[0] == 0xEE && dst[(d.y + d.height) * pitch + d.x * 4] == 0xEE,
              "bytes outside the damage must not be copied");

    /* A second client subscribes: the host re-posts the last frame unchanged (same serial).
     * The newcomer shows it; the first client skips it as a duplicate (P8). */
    struct vg_transport *t2 = open_client(&r);
    CHECK(t2 != NULL);
    CHECK(wait_ready(&r, t2, 2000));
    int reposted = 0;
    for (int i = 0; i < 50 && reposted <= 0; i++) {
        step(&r, t2, true, NULL);
        reposted = vg_kvmfr_producer_repost(r.p, now_ms());
        vg_sleep_ns(5 * VG_NS_PER_MS);
    }
    CHECK_MSG(reposted == 1, "repost %d", reposted);
    struct vg_frame_info info2;
    uint8_t *dst2 = malloc(pitch * h);
    CHECK(take(&r, t2, &info2, dst2, pitch, false, 2000) == 0);
    CHECK(info2.n_damage == 0);
    CHECK(rows_equal(dst2, pitch, src, pitch, h, pitch));
    CHECK_MSG(take(&r, r.t, &info, dst, pitch, false, 300) == -ETIMEDOUT,
              "the re-post is a duplicate for the first client");
    ops->destroy(t2);
    free(dst2);
    free(src);
    free(dst);
out:
    rig_close(&r);
}

static void a_frame_still_being_written_is_copied_again_then_shown_partial(void)
{
    struct rig r;
    if (!rig_open(&r, 32 * MIB, 0))
        goto out;
    CHECK(wait_ready(&r, r.t, 2000));
    const uint32_t w = 128, h = 64;
    const size_t pitch = (size_t)w * 4;
    uint8_t *src = malloc(pitch * h), *dst = malloc(pitch * h);
    fill(src, pitch, h, 3);
    /* The host stops after one row, as B7's XCB backend does (P13). */
    struct vg_kvmfr_frame_params fp = {.type = VG_KVMFR_FRAME_BGRA, .frame_width = w,
                                       .frame_height = h, .stop_after = pitch};
    CHECK(submit(&r, &fp, src, pitch, NULL, 0) == 0);
    struct vg_frame_info info;
    bool got = false;
    for (int i = 0; i < 400 && !got; i++) {
        got = step(&r, r.t, true, NULL) && ops->next_frame(r.t, &info) == 1;
        if (!got)
            vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    CHECK(got);
    if (got) {
        uint64_t t0 = vg_time_ns();
        int ret = ops->copy_frame(r.t, &info, dst, pitch, NULL, 0);
        CHECK_MSG(ret == VG_COPY_NOT_YET, "an unwritten frame is not dropped: %d", ret);
        int calls = 1;
        while ((ret = ops->copy_frame(r.t, &info, dst, pitch, NULL, 0)) == VG_COPY_NOT_YET) {
            vg_kvmfr_producer_tick(r.p, now_ms());
            vg_sleep_ns(VG_NS_PER_MS);
            calls++;
        }
        double waited = vg_ns_to_ms(vg_time_ns() - t0);
        CHECK_MSG(ret == 0, "after the bound the partial frame is shown: %d", ret);
        CHECK_MSG(waited >= 200 && waited < 900, "waited %.0f ms (%d calls)", waited, calls);
        CHECK(memcmp(dst, src, pitch) == 0);
        ops->release_frame(r.t);
    }
    /* The next frame has damage, but the texture holds a partial frame: it comes whole. */
    fp.stop_after = UINT64_MAX;
    const struct vg_kvmfr_damage_rect d = {0, 0, 8, 8};
    CHECK(submit(&r, &fp, src, pitch, &d, 1) == 0);
    CHECK(take(&r, r.t, &info, dst, pitch, false, 2000) == 0);
    CHECK_MSG(info.n_damage == 0, "after a partial frame the next is copied whole");
    CHECK(rows_equal(dst, pitch, src, pitch, h, pitch));
    free(src);
    free(dst);
out:
    rig_close(&r);
}

static void truncated_frames_warn_with_the_size_needed(void)
{
    struct rig r;
    if (!rig_open(&r, 16 * MIB, 0))
        goto out;
    CHECK(wait_ready(&r, r.t, 2000));
    const uint32_t w = 1920, h = 1080;
    const size_t pitch = (size_t)w * 4;
    uint8_t *src = malloc(pitch * h), *dst = malloc(pitch * h);
    fill(src, pitch, h, 9);
    struct vg_kvmfr_frame_params fp = {.type = VG_KVMFR_FRAME_BGRA, .frame_width = w,
                                       .frame_height = h, .stop_after = UINT64_MAX};
    CHECK(submit(&r, &fp, src, pitch, NULL, 0) == 0);
    struct vg_frame_info info;
    CHECK(take(&r, r.t, &info, dst, pitch, false, 2000) == 0);
    CHECK(info.flags & VG_FRAME_TRUNCATED);
    CHECK(info.data_height > 0 && info.data_height < h);
    CHECK(rows_equal(dst, pitch, src, pitch, info.data_height, pitch));
    const char *warn = ops->warning(r.t);
    CHECK_MSG(warn && strstr(warn, "region too small for 1920x1080 (needs 32 MiB)") &&
                  strstr(warn, "vgapt-setup --ivshmem --resolution 1920x1080"),
              "warning: '%s'", warn ? warn : "(none)");
    free(src);
    free(dst);
out:
    rig_close(&r);
}

static void cursor_shapes_positions_and_moves(void)
{
    struct rig r;
    if (!rig_open(&r, 32 * MIB, VG_KVMFR_FEATURE_SETCURSORPOS))
        goto out;
    CHECK(wait_ready(&r, r.t, 2000));
    uint8_t color[16 * 16 * 4], mono[2 * 16 * 4];
    fill(color, 64, 16, 5);
    fill(mono, 4, 32, 6);
    const struct vg_kvmfr_cursor_shape shapes[] = {
        {VG_KVMFR_CURSOR_COLOR, 16, 16, 2, -3, 64, color},
        {VG_KVMFR_CURSOR_MONOCHROME, 16, 16, 0, 0, 4, mono},
        {VG_KVMFR_CURSOR_MASKED_COLOR, 16, 16, 5, 5, 64, color},
    };
    const enum vg_cursor_type want[] = {VG_CURSOR_COLOR_PREMUL, VG_CURSOR_MONOCHROME,
                                        VG_CURSOR_MASKED_COLOR};
    for (int i = 0; i < 3; i++) {
        CHECK(vg_kvmfr_producer_cursor(r.p, 100 + i, 50, true, &shapes[i], now_ms()) == 0);
        struct vg_cursor_info ci = {0};
        int bits = 0;
        for (int k = 0; k < 100 && !(bits & VG_CURSOR_NEW_SHAPE); k++) {
            step(&r, r.t, true, NULL);
            bits |= ops->next_cursor(r.t, &ci);
            vg_sleep_ns(2 * VG_NS_PER_MS);
        }
        CHECK_MSG(bits & VG_CURSOR_NEW_SHAPE, "shape %d not received", i);
        CHECK(ci.shape.type == want[i]);
        CHECK(ci.shape.width == 16 && ci.shape.height == 16);
        CHECK(ci.shape.hot_x == shapes[i].hx && ci.shape.hot_y == shapes[i].hy);
        uint64_t bytes = (uint64_t)shapes[i].pitch * (i == 1 ? 32 : 16);
        CHECK(ci.shape.pixels && memcmp(ci.shape.pixels, shapes[i].pixels, bytes) == 0);
        CHECK(ci.visible);
        CHECK_MSG(ci.x == 100 + i + shapes[i].hx && ci.y == 50 + shapes[i].hy,
                  "hotspot at %d,%d", ci.x, ci.y);
    }
    /* A position update, then hidden. */
    CHECK(vg_kvmfr_producer_cursor(r.p, 300, 200, false, NULL, now_ms()) == 0);
    struct vg_cursor_info ci = {0};
    int bits = 0;
    for (int k = 0; k < 100 && !(bits & VG_CURSOR_NEW_POS); k++) {
        step(&r, r.t, true, NULL);
        bits |= ops->next_cursor(r.t, &ci);
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    CHECK(bits == VG_CURSOR_NEW_POS);
    CHECK(ci.x == 305 && ci.y == 205 && !ci.visible);

    /* SETCURSORPOS reaches the host; the window size has no KVMFR message. */
    const struct vg_guest_message mv = {.type = VG_GUEST_MSG_CURSOR_POS, .x = 640, .y = 360};
    CHECK(ops->send_message(r.t, &mv) == 0);
    for (int k = 0; k < 100 && r.moves == 0; k++) {
        step(&r, r.t, true, NULL);
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    CHECK(r.moves == 1 && r.moved_x == 640 && r.moved_y == 360);
    const struct vg_guest_message ws = {.type = VG_GUEST_MSG_WINDOW_SIZE, .x = 800, .y = 600};
    CHECK(ops->send_message(r.t, &ws) == -ENOTSUP);
out:
    rig_close(&r);

    /* A host without the feature (the Linux one) is not sent moves. */
    if (!rig_open(&r, 32 * MIB, 0))
        goto out2;
    CHECK(wait_ready(&r, r.t, 2000));
    CHECK(ops->send_message(r.t, &mv) == -ENOTSUP);
out2:
    rig_close(&r);
}

static void heartbeat_stop_is_detected_within_1100_ms(void)
{
    struct rig r;
    if (!rig_open(&r, 32 * MIB, 0))
        goto out;
    CHECK(wait_ready(&r, r.t, 2000));
    uint64_t t0 = vg_time_ns();
    struct vg_transport_status st;
    bool ready = true;
    while (ready && vg_time_ns() - t0 < 3 * VG_NS_PER_S) {
        ready = step(&r, r.t, false, &st);
        vg_sleep_ns(5 * VG_NS_PER_MS);
    }
    double ms = vg_ns_to_ms(vg_time_ns() - t0);
    CHECK(!ready);
    CHECK_MSG(ms >= 950 && ms <= 1100, "detected after %.0f ms", ms);
    CHECK_MSG(strstr(st.reason, "Looking Glass host application"), "reason '%s'", st.reason);
    /* The heartbeat resumes (a paused VM continues): the client comes back by itself. */
    CHECK(wait_ready(&r, r.t, 2000));
out:
    rig_close(&r);
}

static void restarted_host_and_zeroed_region_are_recovered(void)
{
    struct rig r;
    if (!rig_open(&r, 32 * MIB, 0))
        goto out;
    CHECK(wait_ready(&r, r.t, 2000));
    struct vg_transport_status st;
    step(&r, r.t, true, &st);

    /* The host application restarts: a new session. */
    vg_kvmfr_producer_destroy(r.p);
    CHECK(start_host(&r, 0) != NULL);
    bool renewed = false;
    for (int i = 0; i < 400 && !renewed; i++) {
        renewed = step(&r, r.t, true, &st) && st.new_session;
        vg_sleep_ns(5 * VG_NS_PER_MS);
    }
    CHECK_MSG(renewed, "a restarted host is a new session");
    const uint32_t w = 64, h = 32;
    uint8_t src[64 * 4 * 32], dst[64 * 4 * 32];
    fill(src, w * 4, h, 7);
    struct vg_kvmfr_frame_params fp = {.type = VG_KVMFR_FRAME_RGBA, .frame_width = w,
                                       .frame_height = h, .stop_after = UINT64_MAX};
    CHECK(submit(&r, &fp, src, w * 4, NULL, 0) == 0);
    struct vg_frame_info info;
    CHECK(take(&r, r.t, &info, dst, w * 4, false, 2000) == 0);
    CHECK(memcmp(src, dst, sizeof(src)) == 0);

    /* The VM reboots: the region reads zero. Never ready, never a crash; a host that starts
     * again is picked up. */
    vg_kvmfr_producer_destroy(r.p);
    r.p = NULL;
    memset(r.region, 0, r.size);
    bool ready = true;
    for (int i = 0; i < 40; i++) {
        ready = step(&r, r.t, false, &st);
        vg_sleep_ns(5 * VG_NS_PER_MS);
    }
    CHECK(!ready);
    CHECK_MSG(strstr(st.reason, "region was cleared"), "reason '%s'", st.reason);
    CHECK(start_host(&r, 0) != NULL);
    CHECK(wait_ready(&r, r.t, 2000));
out:
    rig_close(&r);
}

static void a_client_stalled_past_the_host_timeout_resubscribes(void)
{
    struct rig r;
    if (!rig_open(&r, 32 * MIB, 0))
        goto out;
    CHECK(wait_ready(&r, r.t, 2000));
    const uint32_t w = 64, h = 32;
    uint8_t src[64 * 4 * 32], dst[64 * 4 * 32];
    struct vg_kvmfr_frame_params fp = {.type = VG_KVMFR_FRAME_BGRA, .frame_width = w,
                                       .frame_height = h, .stop_after = UINT64_MAX};
    fill(src, w * 4, h, 1);
    CHECK(submit(&r, &fp, src, w * 4, NULL, 0) == 0);
    /* The client takes no frame for 1.3 s while the host goes on (as SIGSTOP would do). */
    uint64_t t0 = vg_time_ns();
    while (vg_time_ns() - t0 < 1300 * VG_NS_PER_MS) {
        vg_kvmfr_producer_tick(r.p, now_ms());
        vg_sleep_ns(10 * VG_NS_PER_MS);
    }
    CHECK_MSG(vg_lgmp_host_bad(vg_kvmfr_producer_host(r.p), 0) != 0,
              "the host marked the stalled client bad");
    /* Resumed: the client notices, subscribes again and shows new frames, whole. */
    fill(src, w * 4, h, 2);
    struct vg_frame_info info;
    int ret = -ETIMEDOUT;
    uint64_t t1 = vg_time_ns();
    while (ret != 0 && vg_time_ns() - t1 < 3 * VG_NS_PER_S) {
        int s = vg_kvmfr_producer_submit(r.p, &fp, src, w * 4, NULL, 0, now_ms());
        (void)s;
        ret = take(&r, r.t, &info, dst, w * 4, false, 50);
    }
    CHECK_MSG(ret == 0, "frames flow again after the client was expelled: %d", ret);
    CHECK(memcmp(src, dst, sizeof(src)) == 0);
out:
    rig_close(&r);
}

static void a_read_only_region_is_refused_by_the_link_not_the_backend(void)
{
    /* The backend says it needs write access; the link refuses a read-only mapping for it. */
    CHECK(ops->needs_write);
    CHECK(ops->probe((const uint8_t *)"LGMP\x06\0\0\0", 8));
    CHECK(!ops->probe((const uint8_t *)"VGAPTFRM", 8));
}

int main(void)
{
    RUN(every_format_and_rotation_arrives_byte_for_byte);
    RUN(damage_copies_only_the_rects_and_duplicates_are_skipped);
    RUN(a_frame_still_being_written_is_copied_again_then_shown_partial);
    RUN(truncated_frames_warn_with_the_size_needed);
    RUN(cursor_shapes_positions_and_moves);
    RUN(heartbeat_stop_is_detected_within_1100_ms);
    RUN(restarted_host_and_zeroed_region_are_recovered);
    RUN(a_client_stalled_past_the_host_timeout_resubscribes);
    RUN(a_read_only_region_is_refused_by_the_link_not_the_backend);
    return vg_test_finish();
}
