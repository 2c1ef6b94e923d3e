/* Test hooks of the frame protocol consumer: for tests that need a producer to act at an exact
 * point of a consumer's read, which no timing can hit reliably. Not for production code. */
#pragma once

#include <stddef.h>

#include "vg/fp.h"

/* Replaces the copy of the shared header in vg_fp_consumer_poll (a memcpy of n bytes from src,
 * the region, to dst, the consumer's private header) with copy, called with arg (borrowed). The
 * hook must fill all n bytes of dst; it may change the region in between (a producer restart in
 * the middle of the copy). NULL restores memcpy. */
void vg_fp_consumer_set_header_copy(struct vg_fp_consumer *c,
                                    void (*copy)(void *dst, const void *src, size_t n, void *arg),
                                    void *arg);
