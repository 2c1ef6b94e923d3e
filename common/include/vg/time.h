/* Monotonic time helpers. All values are CLOCK_MONOTONIC nanoseconds. */
#pragma once

#include <stdint.h>

#define VG_NS_PER_US UINT64_C(1000)
#define VG_NS_PER_MS UINT64_C(1000000)
#define VG_NS_PER_S UINT64_C(1000000000)

uint64_t vg_time_ns(void);
/* Sleeps for ns nanoseconds (restarts on EINTR). */
void vg_sleep_ns(uint64_t ns);
/* Sleeps until the absolute monotonic time deadline_ns; returns at once if it has passed. */
void vg_sleep_until_ns(uint64_t deadline_ns);

static inline double vg_ns_to_ms(uint64_t ns)
{
    return (double)ns / 1e6;
}
