/* The frame region vgapt-setup sizes holds a full frame for both guest programs: Looking
 * Glass B7's host (our KVMFR producer lays the region out as B7 does) and vgapt-guest (the
 * vgfp producer, three slots), for the common modes with and without HDR; the rounding stays
 * a power of two, and the sizes users know from the Looking Glass docs stay where they fit.
 * Usage: test-setup-ivshmem-size */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libvirt/ivshmem_size.h"
#include "testlib.h"
#include "vg/fp.h"
#include "vg/lgmp.h"
#include "vg/log.h"

static const uint32_t modes[][2] = {
    {1920, 1080}, {2560, 1440}, {3440, 1440}, {3840, 1600},
    {3840, 2160}, {5120, 1440}, {5120, 2160},
};

/* Anonymous memory: only the pages a producer touches are ever backed. */
static void *map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* vgapt-guest's producer publishes one full frame into a region of mib MiB. */
static bool vgfp_frame_fits(uint32_t mib, uint32_t w, uint32_t h, bool hdr)
{
    size_t size = (size_t)mib << 20, bpp = hdr ? 8 : 4;
    void *region = map(size), *pixels = map((size_t)w * h * bpp);
    bool fits = false;
    struct vg_fp_producer_config cfg = {0};
    struct vg_fp_producer *p = region ? vg_fp_producer_create(region, size, &cfg) : NULL;
    if (p && pixels) {
        struct vg_fp_frame_desc d = {
            .format = hdr ? VG_FP_FORMAT_RGBA16F : VG_FP_FORMAT_BGRA8, .width = w, .height = h};
        fits = vg_fp_producer_submit(p, &d, pixels, (size_t)w * bpp, NULL, 0) == 0;
    }
    vg_fp_producer_destroy(p);
    if (region)
        munmap(region, size);
    if (pixels)
        munmap(pixels, (size_t)w * h * bpp);
    return fits;
}

/* Looking Glass B7's layout (queues, cursor buffers, two frame slots) leaves room for one
 * frame of h rows of pitch w * bpp. */
static bool kvmfr_frame_fits(uint32_t mib, uint32_t w, uint32_t h, bool hdr)
{
    size_t size = (size_t)mib << 20;
    void *region = map(size);
    struct vg_kvmfr_producer_config cfg = {.os = VG_KVMFR_OS_WINDOWS};
    struct vg_kvmfr_producer *p = region ? vg_kvmfr_producer_create(region, size, &cfg, 1) : NULL;
    bool fits = p && vg_kvmfr_producer_max_frame(p) >= (uint64_t)h * w * (hdr ? 8 : 4);
    vg_kvmfr_producer_destroy(p);
    if (region)
        munmap(region, size);
    return fits;
}

static void every_common_mode_fits_both_producers(void)
{
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        for (int hdr = 0; hdr < 2; hdr++) {
            uint32_t w = modes[i][0], h = modes[i][1];
            uint32_t mib = vg_ivshmem_size_mib(w, h, hdr);
            CHECK_MSG((mib & (mib - 1)) == 0, "%ux%u%s: %u MiB", w, h, hdr ? " HDR" : "", mib);
            CHECK_MSG(vgfp_frame_fits(mib, w, h, hdr),
                      "%ux%u%s: vgapt-guest's frame does not fit "
                      "in %u MiB",
                      w, h, hdr ? " HDR" : "", mib);
            CHECK_MSG(kvmfr_frame_fits(mib, w, h, hdr),
                      "%ux%u%s: a Looking Glass frame does not "
                      "fit in %u MiB",
                      w, h, hdr ? " HDR" : "", mib);
            /* Not wasteful: half the size would not do for one of them. */
            CHECK_MSG(!vgfp_frame_fits(mib / 2, w, h, hdr) || !kvmfr_frame_fits(mib / 2, w, h, hdr),
                      "%ux%u%s: %u MiB is twice what is needed", w, h, hdr ? " HDR" : "", mib);
        }
    }
}

static void sizes_follow_the_rule(void)
{
    CHECK(vg_ivshmem_size_mib(1920, 1080, false) == 32);
    CHECK(vg_ivshmem_size_mib(2560, 1440, false) == 64);
    CHECK(vg_ivshmem_size_mib(3840, 2160, false) == 128);
    CHECK(vg_ivshmem_size_mib(1920, 1080, true) == 64);
    CHECK(vg_ivshmem_size_mib(3840, 2160, true) == 256);
    /* Where Looking Glass's rule alone fell short of vgapt-guest's three slots. */
    CHECK(vg_ivshmem_size_mib(3840, 1600, false) == 128);
    CHECK(vg_ivshmem_size_mib(3840, 1600, true) == 256);
    CHECK(vg_ivshmem_size_mib(5120, 1440, true) == 256);
    CHECK(vg_ivshmem_size_mib(1280, 720, false) == 32);
    CHECK(vg_ivshmem_size_mib(1, 1, false) == 16);
    CHECK(vg_ivshmem_size_mib(16384, 16384, true) == 8192);
}

int main(void)
{
    vg_log_init("test-setup-ivshmem-size", VG_LOG_ERROR);
    RUN(sizes_follow_the_rule);
    RUN(every_common_mode_fits_both_producers);
    return vg_test_finish();
}
