/* Region building, encoding and seeds for the frame protocol consumer harness. */
#include "fp_fuzz.h"

#include <stdlib.h>
#include <string.h>

uint8_t *fp_fuzz_build_region(const uint8_t *data, size_t len, size_t *size)
{
    if (len >= VG_FP_SLOTS_OFFSET) {
        /* Exactly the input's size, so that any read past it is caught by ASan. */
        uint8_t *region = malloc(len);
        if (region)
            memcpy(region, data, len);
        *size = len;
        return region;
    }

    uint8_t *region = calloc(1, FP_FUZZ_REGION_SIZE);
    if (!region)
        return NULL;
    *size = FP_FUZZ_REGION_SIZE;
    struct vg_fp_header h = {0};
    const size_t head = len < sizeof(h) ? len : sizeof(h);
    memcpy(&h, data, head);
    memcpy(region, &h, sizeof(h));
    size_t pos = head;
    for (uint32_t i = 0; i < VG_FP_MAX_SLOTS && pos < len; i++) {
        const size_t n =
            len - pos < sizeof(struct vg_fp_slot) ? len - pos : sizeof(struct vg_fp_slot);
        const uint64_t off = h.slot_offset[i];
        if (off >= sizeof(h) && off <= FP_FUZZ_REGION_SIZE - sizeof(struct vg_fp_slot))
            memcpy(region + off, data + pos, n);
        pos += n;
    }
    if (pos < len) {
        const size_t n =
            len - pos < VG_FP_CURSOR_SHAPE_BYTES ? len - pos : VG_FP_CURSOR_SHAPE_BYTES;
        memcpy(region + VG_FP_CURSOR_SHAPE_OFFSET, data + pos, n);
    }
    return region;
}

size_t fp_fuzz_encode(const uint8_t *region, uint8_t *out, size_t cap)
{
    const size_t need = sizeof(struct vg_fp_header) + VG_FP_MAX_SLOTS * sizeof(struct vg_fp_slot);
    if (cap < need)
        return 0;
    struct vg_fp_header h;
    memcpy(&h, region, sizeof(h));
    memcpy(out, &h, sizeof(h));
    size_t pos = sizeof(h);
    for (uint32_t i = 0; i < VG_FP_MAX_SLOTS; i++) {
        const uint64_t off = h.slot_offset[i];
        if (i < h.slot_count && off >= sizeof(h) &&
            off <= FP_FUZZ_REGION_SIZE - sizeof(struct vg_fp_slot))
            memcpy(out + pos, region + off, sizeof(struct vg_fp_slot));
        else
            memset(out + pos, 0, sizeof(struct vg_fp_slot));
        pos += sizeof(struct vg_fp_slot);
    }
    return pos;
}

size_t fp_fuzz_seed(int n, uint8_t *out, size_t cap)
{
    uint8_t *region = aligned_alloc(VG_FP_PAGE, FP_FUZZ_REGION_SIZE);
    if (!region)
        return 0;
    memset(region, 0, FP_FUZZ_REGION_SIZE);
    struct vg_fp_producer_config cfg = {
        .slot_count = n == 3 ? 5 : 3,
        .clock = n == 4 ? VG_FP_CLOCK_HOST_MONOTONIC : VG_FP_CLOCK_GUEST,
        .session = 0x5EED0000u + (uint64_t)n,
    };
    struct vg_fp_producer *p = vg_fp_producer_create(region, FP_FUZZ_REGION_SIZE, &cfg);
    size_t len = 0;
    if (!p)
        goto cleanup;

    static uint8_t pixels[32 * 32 * 8];
    for (size_t i = 0; i < sizeof(pixels); i++)
        pixels[i] = (uint8_t)(i * 31);
    const struct vg_fp_rect damage[2] = {{1, 2, 3, 4}, {10, 10, 6, 6}};
    struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, 32, 24, 1000};
    switch (n) {
    case 0: /* running, no frame yet */
        break;
    case 1: /* one whole frame */
        vg_fp_producer_submit(p, &d, pixels, 32 * 4, NULL, 0);
        break;
    case 2: /* frames with damage */
        for (int i = 0; i < 5; i++)
            vg_fp_producer_submit(p, &d, pixels, 32 * 4, i ? damage : NULL, i ? 2 : 0);
        break;
    case 3: /* a deep format, five slots */
        d.format = VG_FP_FORMAT_RGBA16F;
        vg_fp_producer_submit(p, &d, pixels, 32 * 8, NULL, 0);
        vg_fp_producer_submit(p, &d, pixels, 32 * 8, damage, 1);
        break;
    case 4: /* a cursor, host clock */
        vg_fp_producer_submit(p, &d, pixels, 32 * 4, NULL, 0);
        vg_fp_producer_cursor_pos(p, 5, 6, true);
        vg_fp_producer_cursor_shape(p, 8, 8, 1, 1, pixels, 8 * 4);
        break;
    case 5: /* paused */
        vg_fp_producer_submit(p, &d, pixels, 32 * 4, NULL, 0);
        vg_fp_producer_set_state(p, VG_FP_STATE_PAUSED);
        break;
    default: /* stopped */
        vg_fp_producer_submit(p, &d, pixels, 32 * 4, NULL, 0);
        vg_fp_producer_set_state(p, VG_FP_STATE_STOPPED);
        break;
    }
    len = fp_fuzz_encode(region, out, cap);
    /* The compact form has room for the cursor shape after the slot headers. */
    if (n == 4 && len && cap - len >= 8 * 8 * 4) {
        memcpy(out + len, region + VG_FP_CURSOR_SHAPE_OFFSET, 8 * 8 * 4);
        len += 8 * 8 * 4;
    }
    vg_fp_producer_destroy(p);
cleanup:
    free(region);
    return len;
}
