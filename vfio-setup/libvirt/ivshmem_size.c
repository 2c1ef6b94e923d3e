#include "libvirt/ivshmem_size.h"

uint32_t vg_ivshmem_size_mib(uint32_t w, uint32_t h, bool hdr)
{
    /* w, h <= 16384 (validated by the caller) keeps this well inside 64 bits. */
    uint64_t bytes = (uint64_t)w * h * 4 * (hdr ? 2 : 1) * 2;
    uint64_t mib = (bytes + (1u << 20) - 1) >> 20;
    mib += 10;
    uint64_t size = 1;
    while (size < mib)
        size <<= 1;
    return (uint32_t)size;
}
