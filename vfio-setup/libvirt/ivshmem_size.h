/* The IVSHMEM sizing rule shared by the check report and the domain edit. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The largest frame side the rule sizes for. */
#define VG_MAX_RESOLUTION 16384u

/* The frame region for W x H frames (4 bytes a pixel, 8 with HDR), in MiB: the larger of what
 * the two guest programs need, rounded up to a power of two. Looking Glass B7: two frames,
 * rounded up to MiB, plus 10 MiB for its queues and cursor. vgapt-guest: three frame slots
 * and the header (vg_fp_region_size_for). 1080p 32, 1440p 64, 4K 128; 3840x1600 128 (three
 * 23.4 MiB slots do not fit in 64). w, h: 1..VG_MAX_RESOLUTION. */
uint32_t vg_ivshmem_size_mib(uint32_t w, uint32_t h, bool hdr);
