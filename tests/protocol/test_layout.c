/* The wire layout docs/protocol.md promises, checked at run time, and a fresh producer region
 * that the validator accepts. */
#include <stddef.h>
#include <string.h>

#include "fp_test_util.h"
#include "testlib.h"
#include "vg/fp.h"

static void region_map_matches_the_spec(void)
{
    CHECK(VG_FP_PAGE == 4096);
    CHECK(VG_FP_HEADER_OFFSET == 0);
    CHECK(VG_FP_CURSOR_SHAPE_OFFSET == 4096);
    CHECK(VG_FP_CURSOR_SHAPE_BYTES == 256u * 256u * 4u);
    CHECK(VG_FP_SLOTS_OFFSET == 266240);
    CHECK(VG_FP_SLOT_DATA_OFFSET == 4096);
    CHECK(VG_FP_MIN_SLOTS == 3 && VG_FP_MAX_SLOTS == 8);
    CHECK(VG_FP_MAX_DAMAGE == 16);
    CHECK(VG_FP_MAX_DIM == 16384);
    CHECK(VG_FP_NO_SLOT == 0xFFFFFFFFu);
    CHECK(VG_FP_VERSION == 1);
}

static void magic_reads_vgaptfrm_in_memory(void)
{
    uint64_t m = VG_FP_MAGIC;
    CHECK(memcmp(&m, "VGAPTFRM", 8) == 0);
}

static void header_offsets_match_the_spec(void)
{
    CHECK(sizeof(struct vg_fp_header) == 512);
    CHECK(offsetof(struct vg_fp_header, magic) == 0);
    CHECK(offsetof(struct vg_fp_header, version) == 8);
    CHECK(offsetof(struct vg_fp_header, header_size) == 12);
    CHECK(offsetof(struct vg_fp_header, region_size) == 16);
    CHECK(offsetof(struct vg_fp_header, session) == 24);
    CHECK(offsetof(struct vg_fp_header, heartbeat) == 32);
    CHECK(offsetof(struct vg_fp_header, state) == 40);
    CHECK(offsetof(struct vg_fp_header, clock) == 44);
    CHECK(offsetof(struct vg_fp_header, slot_count) == 48);
    CHECK(offsetof(struct vg_fp_header, reserved0) == 52);
    CHECK(offsetof(struct vg_fp_header, slot_size) == 56);
    CHECK(offsetof(struct vg_fp_header, slot_offset) == 64);
    CHECK(offsetof(struct vg_fp_header, latest) == 128);
    CHECK(offsetof(struct vg_fp_header, reserved1) == 136);
    CHECK(offsetof(struct vg_fp_header, reader_slot) == 192);
    CHECK(offsetof(struct vg_fp_header, reserved2) == 196);
    CHECK(offsetof(struct vg_fp_header, reader_session) == 200);
    CHECK(offsetof(struct vg_fp_header, reader_heartbeat) == 208);
    CHECK(offsetof(struct vg_fp_header, reserved3) == 216);
    CHECK(offsetof(struct vg_fp_header, cursor) == 256);
    CHECK(offsetof(struct vg_fp_header, reserved4) == 320);
}

static void cursor_offsets_match_the_spec(void)
{
    const size_t base = offsetof(struct vg_fp_header, cursor);
    CHECK(sizeof(struct vg_fp_cursor) == 64);
    CHECK(base + offsetof(struct vg_fp_cursor, pos_seq) == 256);
    CHECK(base + offsetof(struct vg_fp_cursor, pos_serial) == 260);
    CHECK(base + offsetof(struct vg_fp_cursor, x) == 264);
    CHECK(base + offsetof(struct vg_fp_cursor, y) == 268);
    CHECK(base + offsetof(struct vg_fp_cursor, visible) == 272);
    CHECK(base + offsetof(struct vg_fp_cursor, shape_seq) == 280);
    CHECK(base + offsetof(struct vg_fp_cursor, shape_serial) == 284);
    CHECK(base + offsetof(struct vg_fp_cursor, width) == 288);
    CHECK(base + offsetof(struct vg_fp_cursor, height) == 292);
    CHECK(base + offsetof(struct vg_fp_cursor, stride) == 296);
    CHECK(base + offsetof(struct vg_fp_cursor, hot_x) == 300);
    CHECK(base + offsetof(struct vg_fp_cursor, hot_y) == 304);
}

static void slot_offsets_match_the_spec(void)
{
    CHECK(sizeof(struct vg_fp_slot) == 320);
    CHECK(sizeof(struct vg_fp_rect) == 16);
    CHECK(offsetof(struct vg_fp_slot, seq) == 0);
    CHECK(offsetof(struct vg_fp_slot, format) == 4);
    CHECK(offsetof(struct vg_fp_slot, serial) == 8);
    CHECK(offsetof(struct vg_fp_slot, width) == 16);
    CHECK(offsetof(struct vg_fp_slot, height) == 20);
    CHECK(offsetof(struct vg_fp_slot, stride) == 24);
    CHECK(offsetof(struct vg_fp_slot, data_offset) == 28);
    CHECK(offsetof(struct vg_fp_slot, capture_ns) == 32);
    CHECK(offsetof(struct vg_fp_slot, damage_count) == 40);
    CHECK(offsetof(struct vg_fp_slot, flags) == 44);
    CHECK(offsetof(struct vg_fp_slot, damage) == 48);
    CHECK(offsetof(struct vg_fp_slot, reserved) == 304);
}

static void latest_packs_serial_and_slot(void)
{
    const uint64_t v = VG_FP_LATEST(UINT64_C(123456789), 7);
    CHECK(v == (UINT64_C(123456789) << 4 | 7));
    CHECK(VG_FP_LATEST_SERIAL(v) == 123456789);
    CHECK(VG_FP_LATEST_SLOT(v) == 7);
}

static void formats_have_names_and_sizes(void)
{
    CHECK(vg_fp_format_bpp(VG_FP_FORMAT_BGRA8) == 4);
    CHECK(vg_fp_format_bpp(VG_FP_FORMAT_RGBA8) == 4);
    CHECK(vg_fp_format_bpp(VG_FP_FORMAT_RGB10A2) == 4);
    CHECK(vg_fp_format_bpp(VG_FP_FORMAT_RGBA16F) == 8);
    CHECK(vg_fp_format_bpp(VG_FP_FORMAT_INVALID) == 0);
    CHECK(vg_fp_format_bpp(VG_FP_FORMAT_COUNT) == 0);
    CHECK(vg_fp_format_bpp(UINT32_MAX) == 0);
    CHECK(strcmp(vg_fp_format_name(VG_FP_FORMAT_RGB10A2), "RGB10A2") == 0);
    CHECK(vg_fp_format_name(0) == NULL);
    CHECK(vg_fp_format_name(99) == NULL);
    CHECK(vg_fp_format_parse("bgra8") == VG_FP_FORMAT_BGRA8);
    CHECK(vg_fp_format_parse("RGBA16F") == VG_FP_FORMAT_RGBA16F);
    CHECK(vg_fp_format_parse("rgba") == VG_FP_FORMAT_INVALID);
    CHECK(vg_fp_format_parse(NULL) == VG_FP_FORMAT_INVALID);
}

/* The sizes the documentation quotes for common modes. */
static void region_sizes_match_the_documented_examples(void)
{
    CHECK(vg_fp_region_size_for(1920, 1080, VG_FP_FORMAT_BGRA8, 3) == UINT64_C(25161728));
    CHECK(vg_fp_region_size_for(3840, 2160, VG_FP_FORMAT_BGRA8, 3) == UINT64_C(99811328));
    CHECK(vg_fp_region_size_for(3840, 2160, VG_FP_FORMAT_RGBA16F, 3) == UINT64_C(199344128));
    /* 1 pixel: one page of header plus one page of data per slot. */
    CHECK(vg_fp_region_size_for(1, 1, VG_FP_FORMAT_BGRA8, 3) == VG_FP_SLOTS_OFFSET + 3 * 8192);
    CHECK(vg_fp_region_size_for(0, 1, VG_FP_FORMAT_BGRA8, 3) == 0);
    CHECK(vg_fp_region_size_for(16385, 1, VG_FP_FORMAT_BGRA8, 3) == 0);
    CHECK(vg_fp_region_size_for(1, 1, 0, 3) == 0);
    CHECK(vg_fp_region_size_for(1, 1, VG_FP_FORMAT_BGRA8, 2) == 0);
    CHECK(vg_fp_region_size_for(1, 1, VG_FP_FORMAT_BGRA8, 9) == 0);
}

static void fresh_producer_region_validates(void)
{
    for (uint32_t slots = VG_FP_MIN_SLOTS; slots <= VG_FP_MAX_SLOTS; slots++) {
        const size_t size = vg_fp_region_size_for(640, 480, VG_FP_FORMAT_RGBA16F, slots);
        uint8_t *region = fpt_region_alloc(size);
        CHECK(region != NULL);
        if (!region)
            return;
        struct vg_fp_producer_config cfg = {.slot_count = slots};
        struct vg_fp_producer *p = vg_fp_producer_create(region, size, &cfg);
        CHECK(p != NULL);

        struct vg_fp_header h;
        memcpy(&h, region, sizeof(h));
        struct vg_fp_layout l;
        CHECK(vg_fp_validate_header(&h, size, &l) == VG_FP_OK);
        CHECK(h.magic == VG_FP_MAGIC);
        CHECK(h.version == 1);
        CHECK(h.header_size == 512);
        CHECK(h.region_size == size);
        CHECK(h.state == VG_FP_STATE_RUNNING);
        CHECK(h.session != 0);
        CHECK(h.latest == 0);
        CHECK(h.reader_slot == VG_FP_NO_SLOT);
        CHECK(l.slot_count == slots);
        CHECK(l.slot_size % VG_FP_PAGE == 0);
        CHECK(l.slot_offset[0] == VG_FP_SLOTS_OFFSET);
        for (uint32_t i = 0; i < slots; i++)
            CHECK(l.slot_offset[i] + l.slot_size <= size);
        CHECK(vg_fp_producer_slot_capacity(p) >= 640u * 480u * 8u);

        vg_fp_producer_destroy(p);
        CHECK(((struct vg_fp_header *)region)->state == VG_FP_STATE_STOPPED);
        fpt_region_free(region, size);
    }
}

int main(void)
{
    RUN(region_map_matches_the_spec);
    RUN(magic_reads_vgaptfrm_in_memory);
    RUN(header_offsets_match_the_spec);
    RUN(cursor_offsets_match_the_spec);
    RUN(slot_offsets_match_the_spec);
    RUN(latest_packs_serial_and_slot);
    RUN(formats_have_names_and_sizes);
    RUN(region_sizes_match_the_documented_examples);
    RUN(fresh_producer_region_validates);
    return vg_test_finish();
}
