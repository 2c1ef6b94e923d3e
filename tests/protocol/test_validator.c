/* Every validator error: a good header, slot or cursor with exactly one field broken yields
 * exactly that error; the consumer turns them into status and a line a user can read. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fp_test_util.h"
#include "testlib.h"
#include "vg/fp.h"

#define SLOT_SIZE (8u * VG_FP_PAGE)
#define MAP_SIZE ((uint64_t)VG_FP_SLOTS_OFFSET + 3u * SLOT_SIZE)

static struct vg_fp_header good_header(void)
{
    struct vg_fp_header h = {
        .magic = VG_FP_MAGIC,
        .version = VG_FP_VERSION,
        .header_size = sizeof(struct vg_fp_header),
        .region_size = MAP_SIZE,
        .session = 0x1234,
        .heartbeat = 1,
        .state = VG_FP_STATE_RUNNING,
        .clock = VG_FP_CLOCK_GUEST,
        .slot_count = 3,
        .slot_size = SLOT_SIZE,
        .latest = VG_FP_LATEST(5, 1),
        .reader_slot = VG_FP_NO_SLOT,
    };
    for (uint32_t i = 0; i < 3; i++)
        h.slot_offset[i] = VG_FP_SLOTS_OFFSET + (uint64_t)i * SLOT_SIZE;
    return h;
}

static struct vg_fp_layout good_layout(void)
{
    struct vg_fp_header h = good_header();
    struct vg_fp_layout l;
    vg_fp_validate_header(&h, MAP_SIZE, &l);
    return l;
}

static struct vg_fp_slot good_slot(void)
{
    struct vg_fp_slot s = {
        .format = VG_FP_FORMAT_BGRA8,
        .serial = 5,
        .width = 64,
        .height = 48,
        .stride = 256,
        .data_offset = VG_FP_SLOT_DATA_OFFSET,
        .capture_ns = 99,
        .damage_count = 1,
        .damage = {{0, 0, 8, 8}},
    };
    return s;
}

static struct vg_fp_cursor good_cursor(void)
{
    struct vg_fp_cursor c = {
        .pos_serial = 1,
        .visible = 1,
        .shape_serial = 1,
        .width = 32,
        .height = 32,
        .stride = 128,
        .hot_x = 1,
        .hot_y = 2,
    };
    return c;
}

#define HDR_CASE(field_stmt, want)                                                                 \
    do {                                                                                           \
        struct vg_fp_header h = good_header();                                                     \
        field_stmt;                                                                                \
        enum vg_fp_error got = vg_fp_validate_header(&h, MAP_SIZE, NULL);                          \
        CHECK_MSG(got == (want), "%s: got %s, want %s", #field_stmt, vg_fp_error_str(got),         \
                  vg_fp_error_str(want));                                                          \
    } while (0)

#define SLOT_CASE(field_stmt, want)                                                                \
    do {                                                                                           \
        struct vg_fp_layout l = good_layout();                                                     \
        struct vg_fp_slot s = good_slot();                                                         \
        field_stmt;                                                                                \
        enum vg_fp_error got = vg_fp_validate_slot(&s, &l, 1, NULL);                               \
        CHECK_MSG(got == (want), "%s: got %s, want %s", #field_stmt, vg_fp_error_str(got),         \
                  vg_fp_error_str(want));                                                          \
    } while (0)

#define CURSOR_CASE(field_stmt, want)                                                              \
    do {                                                                                           \
        struct vg_fp_cursor c = good_cursor();                                                     \
        field_stmt;                                                                                \
        enum vg_fp_error got = vg_fp_validate_cursor_shape(&c);                                    \
        CHECK_MSG(got == (want), "%s: got %s, want %s", #field_stmt, vg_fp_error_str(got),         \
                  vg_fp_error_str(want));                                                          \
    } while (0)

static void good_header_slot_and_cursor_pass(void)
{
    struct vg_fp_header h = good_header();
    struct vg_fp_layout l;
    CHECK(vg_fp_validate_header(&h, MAP_SIZE, &l) == VG_FP_OK);
    CHECK(l.session == 0x1234 && l.slot_count == 3 && l.slot_size == SLOT_SIZE);
    CHECK(l.slot_offset[2] == VG_FP_SLOTS_OFFSET + 2u * SLOT_SIZE);

    struct vg_fp_slot s = good_slot();
    struct vg_fp_frame f;
    CHECK(vg_fp_validate_slot(&s, &l, 1, &f) == VG_FP_OK);
    CHECK(f.serial == 5 && f.slot == 1 && f.width == 64 && f.height == 48 && f.stride == 256);
    CHECK(f.data_offset == VG_FP_SLOTS_OFFSET + SLOT_SIZE + VG_FP_SLOT_DATA_OFFSET);
    CHECK(f.data_size == 256u * 48u);
    CHECK(f.damage_count == 1 && f.damage[0].w == 8);
    CHECK(f.capture_ns == 99);

    struct vg_fp_cursor c = good_cursor();
    CHECK(vg_fp_validate_cursor_shape(&c) == VG_FP_OK);
    CHECK(vg_fp_validate_cursor_pos(&c) == VG_FP_OK);
}

static void each_header_field_has_its_error(void)
{
    HDR_CASE(h.magic = VG_FP_MAGIC ^ 1, VG_FP_ERR_MAGIC);
    HDR_CASE(h.magic = 0, VG_FP_ERR_MAGIC);
    HDR_CASE(h.version = 7, VG_FP_ERR_VERSION);
    HDR_CASE(h.version = 0, VG_FP_ERR_VERSION);
    HDR_CASE(h.header_size = 511, VG_FP_ERR_HEADER_SIZE);
    HDR_CASE(h.region_size = MAP_SIZE + VG_FP_PAGE, VG_FP_ERR_REGION_SIZE);
    HDR_CASE(h.region_size = UINT64_MAX, VG_FP_ERR_REGION_SIZE);
    HDR_CASE(h.region_size = VG_FP_SLOTS_OFFSET - 1, VG_FP_ERR_REGION_SIZE);
    HDR_CASE(h.session = 0, VG_FP_ERR_SESSION);
    HDR_CASE(h.state = 4, VG_FP_ERR_STATE);
    HDR_CASE(h.state = UINT32_MAX, VG_FP_ERR_STATE);
    HDR_CASE(h.clock = 2, VG_FP_ERR_CLOCK);
    HDR_CASE(h.slot_count = 2, VG_FP_ERR_SLOT_COUNT);
    HDR_CASE(h.slot_count = 9, VG_FP_ERR_SLOT_COUNT);
    HDR_CASE(h.slot_count = 0, VG_FP_ERR_SLOT_COUNT);
    HDR_CASE(h.slot_size = UINT64_MAX, VG_FP_ERR_SLOT_SIZE);
    HDR_CASE(h.slot_size = UINT64_MAX & ~(uint64_t)(VG_FP_PAGE - 1), VG_FP_ERR_SLOT_SIZE);
    HDR_CASE(h.slot_size = SLOT_SIZE + 1, VG_FP_ERR_SLOT_SIZE);
    HDR_CASE(h.slot_size = VG_FP_PAGE, VG_FP_ERR_SLOT_SIZE); /* no room for pixels */
    HDR_CASE(h.slot_size = 0, VG_FP_ERR_SLOT_SIZE);
    /* Slot offsets: past the end, straddling it, overflowing, misaligned, overlapping, inside
     * the header or the cursor shape. */
    HDR_CASE(h.slot_offset[2] = MAP_SIZE, VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.slot_offset[2] = MAP_SIZE - VG_FP_PAGE, VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.slot_offset[2] = UINT64_MAX & ~(uint64_t)(VG_FP_PAGE - 1), VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.slot_offset[1] += 8, VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.slot_offset[1] = h.slot_offset[0] + VG_FP_PAGE, VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.slot_offset[2] = h.slot_offset[0], VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.slot_offset[0] = 0, VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.slot_offset[0] = VG_FP_CURSOR_SHAPE_OFFSET, VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.slot_offset[0] = VG_FP_SLOTS_OFFSET - VG_FP_PAGE, VG_FP_ERR_SLOT_OFFSET);
    /* A region_size smaller than the mapping bounds the slots, not the mapping. */
    HDR_CASE(h.region_size = MAP_SIZE - VG_FP_PAGE, VG_FP_ERR_SLOT_OFFSET);
    HDR_CASE(h.latest = VG_FP_LATEST(5, 3), VG_FP_ERR_LATEST);
    HDR_CASE(h.latest = VG_FP_LATEST(5, 15), VG_FP_ERR_LATEST);
    HDR_CASE(h.latest = VG_FP_LATEST(0, 1), VG_FP_ERR_LATEST);
}

static void header_edge_values_pass(void)
{
    HDR_CASE(h.latest = 0, VG_FP_OK);
    HDR_CASE(h.latest = VG_FP_LATEST(1, 2), VG_FP_OK);
    HDR_CASE(h.state = VG_FP_STATE_STARTING, VG_FP_OK);
    HDR_CASE(h.state = VG_FP_STATE_STOPPED, VG_FP_OK);
    HDR_CASE(h.clock = VG_FP_CLOCK_HOST_MONOTONIC, VG_FP_OK);
    /* Offsets of unused slots are ignored; slots need not be in order or adjacent. */
    HDR_CASE(h.slot_offset[5] = UINT64_MAX, VG_FP_OK);
    HDR_CASE((h.slot_offset[0] = VG_FP_SLOTS_OFFSET + 2u * SLOT_SIZE,
              h.slot_offset[2] = VG_FP_SLOTS_OFFSET),
             VG_FP_OK);
    HDR_CASE(
        (h.slot_size = 2u * VG_FP_PAGE, h.slot_offset[1] = VG_FP_SLOTS_OFFSET + 4u * VG_FP_PAGE),
        VG_FP_OK);
    /* Slot ending exactly at region_size is inside. */
    HDR_CASE(h.slot_offset[2] = MAP_SIZE - SLOT_SIZE, VG_FP_OK);
}

static void each_slot_field_has_its_error(void)
{
    SLOT_CASE(s.format = 0, VG_FP_ERR_FORMAT);
    SLOT_CASE(s.format = 99, VG_FP_ERR_FORMAT);
    SLOT_CASE(s.format = VG_FP_FORMAT_COUNT, VG_FP_ERR_FORMAT);
    SLOT_CASE(s.width = 0, VG_FP_ERR_DIMENSIONS);
    SLOT_CASE(s.width = 16385, VG_FP_ERR_DIMENSIONS);
    SLOT_CASE(s.height = 0, VG_FP_ERR_DIMENSIONS);
    SLOT_CASE(s.height = 16385, VG_FP_ERR_DIMENSIONS);
    SLOT_CASE(s.stride = 255, VG_FP_ERR_STRIDE);
    SLOT_CASE(s.format = VG_FP_FORMAT_RGBA16F, VG_FP_ERR_STRIDE); /* 64 * 8 > 256 */
    SLOT_CASE((s.width = 16384, s.stride = 16384 * 4 - 1), VG_FP_ERR_STRIDE);
    /* stride * height beyond 32 bits: caught as too large, not wrapped. */
    SLOT_CASE((s.stride = 0xFFFFFFFFu, s.height = 16384), VG_FP_ERR_FRAME_SIZE);
    SLOT_CASE((s.stride = 0xFFFFFFFFu, s.height = 0xFFFFFFFFu), VG_FP_ERR_DIMENSIONS);
    SLOT_CASE((s.width = 16384, s.height = 16384, s.stride = 65536), VG_FP_ERR_FRAME_SIZE);
    /* 4096 + 256 * 113 = 33024 > 32768 */
    SLOT_CASE(s.height = 113, VG_FP_ERR_FRAME_SIZE);
    SLOT_CASE(s.data_offset = 0, VG_FP_ERR_DATA_OFFSET);
    SLOT_CASE(s.data_offset = 2 * VG_FP_PAGE, VG_FP_ERR_DATA_OFFSET);
    SLOT_CASE(s.data_offset = UINT32_MAX, VG_FP_ERR_DATA_OFFSET);
    SLOT_CASE(s.damage_count = 17, VG_FP_ERR_DAMAGE_COUNT);
    SLOT_CASE(s.damage_count = UINT32_MAX, VG_FP_ERR_DAMAGE_COUNT);
    SLOT_CASE(s.damage[0] = ((struct vg_fp_rect){60, 0, 5, 1}), VG_FP_ERR_DAMAGE_RECT);
    SLOT_CASE(s.damage[0] = ((struct vg_fp_rect){0, 40, 1, 9}), VG_FP_ERR_DAMAGE_RECT);
    SLOT_CASE(s.damage[0] = ((struct vg_fp_rect){UINT32_MAX - 1, 0, 4, 1}), VG_FP_ERR_DAMAGE_RECT);
    SLOT_CASE(s.damage[0] = ((struct vg_fp_rect){0, UINT32_MAX, 1, 2}), VG_FP_ERR_DAMAGE_RECT);
    SLOT_CASE(s.damage[0] = ((struct vg_fp_rect){64, 0, 0, 1}), VG_FP_ERR_DAMAGE_RECT);
    SLOT_CASE(s.damage[0] = ((struct vg_fp_rect){0, 0, 1, 0}), VG_FP_ERR_DAMAGE_RECT);
    /* Only the first damage_count rects count; a bad one after them is ignored, a bad one
     * within them is not. */
    SLOT_CASE(s.damage[1] = ((struct vg_fp_rect){0, 0, 0, 0}), VG_FP_OK);
    SLOT_CASE((s.damage_count = 2, s.damage[1] = ((struct vg_fp_rect){0, 0, 0, 0})),
              VG_FP_ERR_DAMAGE_RECT);
    SLOT_CASE(s.flags = 1, VG_FP_ERR_FLAGS);
    SLOT_CASE(s.flags = 0x80000000u, VG_FP_ERR_FLAGS);
}

static void slot_edge_values_pass(void)
{
    SLOT_CASE(s.height = 112, VG_FP_OK); /* exactly fills the slot */
    SLOT_CASE(s.stride = 300, VG_FP_OK); /* padded rows */
    SLOT_CASE(s.damage[0] = ((struct vg_fp_rect){0, 0, 64, 48}), VG_FP_OK);
    SLOT_CASE(s.damage[0] = ((struct vg_fp_rect){63, 47, 1, 1}), VG_FP_OK);
    SLOT_CASE(s.damage_count = 0, VG_FP_OK);
    SLOT_CASE((s.damage_count = 16, memset(s.damage, 0, sizeof(s.damage)),
               s.damage[15] = (struct vg_fp_rect){0, 0, 1, 1}),
              VG_FP_ERR_DAMAGE_RECT);
    struct vg_fp_layout l = good_layout();
    struct vg_fp_slot s = good_slot();
    s.damage_count = 16;
    for (uint32_t i = 0; i < 16; i++)
        s.damage[i] = (struct vg_fp_rect){i, i, 1, 1};
    CHECK(vg_fp_validate_slot(&s, &l, 1, NULL) == VG_FP_OK);
    /* A slot index the layout does not have. */
    s = good_slot();
    CHECK(vg_fp_validate_slot(&s, &l, 3, NULL) == VG_FP_ERR_LATEST);
}

static void each_cursor_field_has_its_error(void)
{
    CURSOR_CASE(c.width = 0, VG_FP_ERR_CURSOR_SIZE);
    CURSOR_CASE(c.width = 257, VG_FP_ERR_CURSOR_SIZE);
    CURSOR_CASE(c.height = 0, VG_FP_ERR_CURSOR_SIZE);
    CURSOR_CASE(c.height = 257, VG_FP_ERR_CURSOR_SIZE);
    CURSOR_CASE(c.stride = 127, VG_FP_ERR_CURSOR_SIZE);
    CURSOR_CASE((c.height = 256, c.stride = 1028), VG_FP_ERR_CURSOR_SIZE);
    CURSOR_CASE((c.height = 256, c.stride = 0xFFFFFFFFu), VG_FP_ERR_CURSOR_SIZE);
    CURSOR_CASE((c.width = 256, c.height = 256, c.stride = 1024), VG_FP_OK);
    CURSOR_CASE(c.hot_x = 32, VG_FP_ERR_CURSOR_HOTSPOT);
    CURSOR_CASE(c.hot_y = 32, VG_FP_ERR_CURSOR_HOTSPOT);
    CURSOR_CASE(c.hot_x = UINT32_MAX, VG_FP_ERR_CURSOR_HOTSPOT);
    CURSOR_CASE((c.hot_x = 31, c.hot_y = 31), VG_FP_OK);

    struct vg_fp_cursor c = good_cursor();
    c.visible = 2;
    CHECK(vg_fp_validate_cursor_pos(&c) == VG_FP_ERR_CURSOR_VISIBLE);
    c.visible = UINT32_MAX;
    CHECK(vg_fp_validate_cursor_pos(&c) == VG_FP_ERR_CURSOR_VISIBLE);
    c.visible = 0;
    CHECK(vg_fp_validate_cursor_pos(&c) == VG_FP_OK);
}

static void every_error_has_its_own_message(void)
{
    for (int i = 0; i < VG_FP_ERR_COUNT; i++) {
        const char *a = vg_fp_error_str((enum vg_fp_error)i);
        CHECK_MSG(a != NULL && a[0] != '\0', "error %d has no message", i);
        for (int j = 0; j < i; j++)
            CHECK_MSG(strcmp(a, vg_fp_error_str((enum vg_fp_error)j)) != 0,
                      "errors %d and %d share a message", i, j);
    }
    CHECK(strstr(vg_fp_error_str(VG_FP_ERR_COUNT), "unknown") != NULL);
    CHECK(strstr(vg_fp_error_str((enum vg_fp_error) - 1), "unknown") != NULL);
}

/* The consumer reports the found version and the error as a line. */
static void consumer_reports_version_and_invalid_header(void)
{
    uint8_t *region = fpt_region_alloc(MAP_SIZE);
    CHECK(region != NULL);
    if (!region)
        return;
    struct vg_fp_consumer *c = vg_fp_consumer_create(region, MAP_SIZE, false, 0);
    CHECK(c != NULL);
    struct vg_fp_status_info info;

    CHECK(vg_fp_consumer_poll(c, 1000, &info) == VG_FP_WAIT_NO_MAGIC);
    CHECK(info.reason[0] != '\0');

    struct vg_fp_header h = good_header();
    h.version = 7;
    memcpy(region, &h, sizeof(h));
    CHECK(vg_fp_consumer_poll(c, 2000, &info) == VG_FP_WAIT_VERSION);
    CHECK(info.error == VG_FP_ERR_VERSION);
    CHECK(info.found_version == 7);
    CHECK_MSG(strstr(info.reason, "version 7") && strstr(info.reason, "speaks 1"), "reason: %s",
              info.reason);

    h = good_header();
    h.slot_offset[1] += 8;
    memcpy(region, &h, sizeof(h));
    CHECK(vg_fp_consumer_poll(c, 3000, &info) == VG_FP_WAIT_INVALID);
    CHECK(info.error == VG_FP_ERR_SLOT_OFFSET);
    CHECK_MSG(strstr(info.reason, vg_fp_error_str(VG_FP_ERR_SLOT_OFFSET)) != NULL, "reason: %s",
              info.reason);

    /* A header valid in itself but larger than this mapping. */
    h = good_header();
    memcpy(region, &h, sizeof(h));
    struct vg_fp_consumer *small = vg_fp_consumer_create(region, MAP_SIZE - VG_FP_PAGE, false, 0);
    CHECK(vg_fp_consumer_poll(small, 3000, &info) == VG_FP_WAIT_INVALID);
    CHECK(info.error == VG_FP_ERR_REGION_SIZE);
    vg_fp_consumer_destroy(small);

    /* Too small to ever hold the protocol. */
    CHECK(vg_fp_consumer_create(region, VG_FP_SLOTS_OFFSET - 1, false, 0) == NULL);

    vg_fp_consumer_destroy(c);
    fpt_region_free(region, MAP_SIZE);
}

/* A slot that fails validation makes next_frame fail with the error, once. */
static void consumer_rejects_an_invalid_slot(void)
{
    uint8_t *region = fpt_region_alloc(MAP_SIZE);
    CHECK(region != NULL);
    if (!region)
        return;
    struct vg_fp_header h = good_header();
    h.latest = VG_FP_LATEST(5, 1);
    memcpy(region, &h, sizeof(h));
    struct vg_fp_slot s = good_slot();
    s.damage[0] = (struct vg_fp_rect){UINT32_MAX - 1, 0, 4, 1};
    memcpy(region + h.slot_offset[1], &s, sizeof(s));

    struct vg_fp_consumer *c = vg_fp_consumer_create(region, MAP_SIZE, true, 0);
    CHECK(vg_fp_consumer_poll(c, 1000, NULL) == VG_FP_READY);
    struct vg_fp_frame f;
    enum vg_fp_error err;
    CHECK(vg_fp_consumer_next_frame(c, &f, &err) == -EPROTO);
    CHECK(err == VG_FP_ERR_DAMAGE_RECT);
    CHECK(vg_fp_consumer_next_frame(c, &f, &err) == 0);
    CHECK(((struct vg_fp_header *)region)->reader_slot == VG_FP_NO_SLOT);

    /* The slot holds an older frame than latest claims. */
    s = good_slot();
    s.serial = 5;
    memcpy(region + h.slot_offset[1], &s, sizeof(s));
    ((struct vg_fp_header *)region)->latest = VG_FP_LATEST(6, 1);
    CHECK(vg_fp_consumer_poll(c, 1100, NULL) == VG_FP_READY);
    CHECK(vg_fp_consumer_next_frame(c, &f, &err) == -EPROTO);
    CHECK(err == VG_FP_ERR_LATEST);

    /* Repaired: the next frame is taken, with the consumer's reader hint set. */
    s.serial = 7;
    memcpy(region + h.slot_offset[1], &s, sizeof(s));
    ((struct vg_fp_header *)region)->latest = VG_FP_LATEST(7, 1);
    CHECK(vg_fp_consumer_poll(c, 1200, NULL) == VG_FP_READY);
    CHECK(vg_fp_consumer_next_frame(c, &f, &err) == 1);
    CHECK(err == VG_FP_OK && f.serial == 7 && f.slot == 1);
    CHECK(((struct vg_fp_header *)region)->reader_slot == 1);
    /* A rect the caller made up outside the frame is refused. */
    uint8_t dst[256 * 48];
    struct vg_fp_rect bad = {0, 0, 65, 1};
    CHECK(vg_fp_consumer_copy(c, &f, dst, 256, &bad, 1) == -EINVAL);
    CHECK(vg_fp_consumer_copy(c, &f, dst, 256, NULL, 0) == 0);
    vg_fp_consumer_done(c);
    CHECK(((struct vg_fp_header *)region)->reader_slot == VG_FP_NO_SLOT);

    vg_fp_consumer_destroy(c);
    fpt_region_free(region, MAP_SIZE);
}

int main(void)
{
    RUN(good_header_slot_and_cursor_pass);
    RUN(each_header_field_has_its_error);
    RUN(header_edge_values_pass);
    RUN(each_slot_field_has_its_error);
    RUN(slot_edge_values_pass);
    RUN(each_cursor_field_has_its_error);
    RUN(every_error_has_its_own_message);
    RUN(consumer_reports_version_and_invalid_header);
    RUN(consumer_rejects_an_invalid_slot);
    return vg_test_finish();
}
