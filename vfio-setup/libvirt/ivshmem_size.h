/* The IVSHMEM sizing rule shared by the check report and the domain edit. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Two frame buffers of W x H x 4 bytes (x2 for HDR), in MiB rounded up, plus 10 MiB for the
 * cursor and headers, rounded up to a power of two: 1080p 32, 1440p 64, 4K 128. */
uint32_t vg_ivshmem_size_mib(uint32_t w, uint32_t h, bool hdr);
