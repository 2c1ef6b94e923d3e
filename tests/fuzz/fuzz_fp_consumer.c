/* libFuzzer target: the frame protocol consumer over a region the input describes
 * (fp_fuzz.h). Any read outside the region or outside a buffer sized from the validated frame
 * is a bug in the consumer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fp_fuzz.h"
#include "vg/fp.h"
#include "vg/time.h"

/* Stops the run where an invariant of the consumer's answers fails. */
static void require(int cond)
{
    if (!cond)
        abort();
}

static int take_frame(struct vg_fp_consumer *c, size_t region_size)
{
    struct vg_fp_frame f;
    enum vg_fp_error err = VG_FP_OK;
    const int r = vg_fp_consumer_next_frame(c, &f, &err);
    require(r >= 0 || err != VG_FP_OK);
    if (r != 1)
        return 0;
    const uint32_t bpp = vg_fp_format_bpp(f.format);
    require(bpp != 0 && f.width >= 1 && f.height >= 1 && f.damage_count <= VG_FP_MAX_DAMAGE);
    require(f.data_offset + f.data_size <= region_size);

    int copied = 0;
    /* A tight destination, then one laid out with the frame's own stride. */
    const size_t row = (size_t)f.width * bpp;
    uint8_t *dst = malloc(row * f.height);
    if (dst) {
        copied += vg_fp_consumer_copy(c, &f, dst, row, NULL, 0) == 0;
        if (f.damage_count)
            require(vg_fp_consumer_copy(c, &f, dst, row, f.damage, f.damage_count) != -EINVAL);
        const struct vg_fp_rect outside = {0, 0, f.width + 1, 1};
        require(vg_fp_consumer_copy(c, &f, dst, row, &outside, 1) == -EINVAL);
        free(dst);
    }
    dst = malloc(f.data_size);
    if (dst) {
        vg_fp_consumer_copy(c, &f, dst, f.stride, NULL, 0);
        free(dst);
    }
    vg_fp_consumer_done(c);
    return copied;
}

int fp_fuzz_run(const uint8_t *data, size_t len)
{
    size_t size;
    uint8_t *region = fp_fuzz_build_region(data, len, &size);
    if (!region)
        return 0;
    int frames = 0;
    struct vg_fp_consumer *c = vg_fp_consumer_create(region, size, true, 500 * VG_NS_PER_MS);
    if (c) {
        static uint8_t shape[VG_FP_CURSOR_SHAPE_BYTES];
        const uint64_t times[3] = {VG_NS_PER_S, VG_NS_PER_S + 100 * VG_NS_PER_MS, 3 * VG_NS_PER_S};
        for (int i = 0; i < 3; i++) {
            struct vg_fp_status_info info;
            const enum vg_fp_status st = vg_fp_consumer_poll(c, times[i], &info);
            require(memchr(info.reason, '\0', sizeof(info.reason)) != NULL);
            require(st != VG_FP_READY || info.session != 0);
            frames += take_frame(c, size);
            struct vg_fp_cursor_state cs = {0};
            const int cr = vg_fp_consumer_cursor(c, &cs, shape, sizeof(shape));
            if (cr > 0 && (cr & 2))
                require(cs.width >= 1 && cs.width <= 256 && cs.height >= 1 && cs.height <= 256 &&
                        cs.hot_x < cs.width && cs.hot_y < cs.height);
        }
        vg_fp_consumer_destroy(c);
    }
    free(region);
    return frames;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fp_fuzz_run(data, len);
    return 0;
}
