/* Private to common/: the SIGBUS guard over shared mappings (shm_guard.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Guards [base, base + size): a SIGBUS there replaces the mapping with zero pages and flags
 * the slot. Returns the slot (> 0), or -1 when all are taken (the mapping is then unguarded). */
int vg_shm_guard_add(void *base, size_t size);
/* Accepts 0 and -1. */
void vg_shm_guard_remove(int slot);
bool vg_shm_guard_lost(int slot);
