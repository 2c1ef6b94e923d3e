#include "libvirt/ivshmem_size.h"

#include "vg/fp.h"

uint32_t vg_ivshmem_size_mib(uint32_t w, uint32_t h, bool hdr)
{
    /* w, h <= 16384 (validated by the caller) keeps this well inside 64 bits. */
    const uint64_t mib = 1u << 20;
    uint64_t lg = ((uint64_t)w * h * (hdr ? 8 : 4) * 2 + mib - 1) / mib + 10;
    uint64_t fp_bytes = vg_fp_region_size_for(w, h, hdr ? VG_FP_FORMAT_RGBA16F : VG_FP_FORMAT_BGRA8,
                                              VG_FP_MIN_SLOTS);
    uint64_t fp = (fp_bytes + mib - 1) / mib;
    uint64_t need = fp > lg ? fp : lg, size = 1;
    while (size < need)
        size <<= 1;
    return (uint32_t)size;
}
