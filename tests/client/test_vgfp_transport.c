/* The client's transport for our frame protocol (host-client/transport/vgfp) against the
 * producer in one process: cursor updates report only what changed, so a shape-only update
 * leaves the position alone (it used to copy an uninitialised position). */
#include <string.h>
#include <sys/mman.h>

#include "testlib.h"
#include "transport.h"
#include "vg/fp.h"
#include "vg/time.h"

static void a_shape_only_update_keeps_the_position(void)
{
    uint64_t size = vg_fp_region_size_for(64, 64, VG_FP_FORMAT_BGRA8, 3);
    void *region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(region != MAP_FAILED);
    if (region == MAP_FAILED)
        return;
    struct vg_fp_producer_config pc = {.slot_count = 3, .clock = VG_FP_CLOCK_HOST_MONOTONIC};
    struct vg_fp_producer *p = vg_fp_producer_create(region, size, &pc);
    const struct vg_transport_map map = {
        .base = region, .size = size, .writable = true, .kind = VG_MAP_SHM_FILE, .fd = -1};
    struct vg_transport *t = p ? vg_transport_vgfp.create(&map, VG_NS_PER_S) : NULL;
    CHECK(t != NULL);
    if (!t)
        goto out;
    struct vg_transport_status st;
    vg_fp_producer_heartbeat(p, vg_time_ns());
    vg_transport_vgfp.poll(t, vg_time_ns(), &st);

    uint8_t shape[8 * 8 * 4];
    memset(shape, 0xFF, sizeof(shape));
    CHECK(vg_fp_producer_cursor_pos(p, 10, 20, true) == 0);
    CHECK(vg_fp_producer_cursor_shape(p, 8, 8, 1, 2, shape, 32) == 0);
    struct vg_cursor_info ci;
    memset(&ci, 0, sizeof(ci));
    int r = vg_transport_vgfp.next_cursor(t, &ci);
    CHECK(r == (VG_CURSOR_NEW_POS | VG_CURSOR_NEW_SHAPE));
    CHECK(ci.x == 10 && ci.y == 20 && ci.visible);
    CHECK(ci.shape.type == VG_CURSOR_COLOR && ci.shape.width == 8 && ci.shape.hot_y == 2);

    /* Only the shape changes: the position fields are not touched (poisoned to prove it). */
    shape[0] = 0;
    CHECK(vg_fp_producer_cursor_shape(p, 8, 8, 3, 4, shape, 32) == 0);
    memset(&ci, 0x5E, sizeof(ci));
    r = vg_transport_vgfp.next_cursor(t, &ci);
    CHECK_MSG(r == VG_CURSOR_NEW_SHAPE, "bits %d", r);
    int32_t poison;
    memset(&poison, 0x5E, sizeof(poison));
    CHECK(ci.x == poison && ci.y == poison);
    CHECK(ci.shape.hot_x == 3 && ci.shape.hot_y == 4 && ci.shape.pixels[0] == 0);
out:
    if (t)
        vg_transport_vgfp.destroy(t);
    vg_fp_producer_destroy(p);
    munmap(region, size);
}

int main(void)
{
    RUN(a_shape_only_update_keeps_the_position);
    return vg_test_finish();
}
