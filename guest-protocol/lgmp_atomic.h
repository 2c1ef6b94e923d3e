/* Private to guest-protocol's LGMP code (client and host): the atomic accesses both sides
 * make to the region's shared words (spec §1: lock-prefixed read-modify-writes and aligned
 * loads and stores, sequentially consistent, on 32- and 64-bit words). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

static inline uint32_t vg_lgmp_ld32(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static inline uint64_t vg_lgmp_ld64(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static inline void vg_lgmp_st32(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static inline void vg_lgmp_st64(uint64_t *p, uint64_t v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* One attempt at a spin-lock word: CAS 0 -> 1. */
static inline bool vg_lgmp_try_lock(uint32_t *l)
{
    uint32_t expected = 0;
    return __atomic_compare_exchange_n(l, &expected, 1u, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

static inline void vg_lgmp_unlock(uint32_t *l)
{
    vg_lgmp_st32(l, 0);
}
