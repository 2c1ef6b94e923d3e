#include "vg/time.h"

#include <errno.h>
#include <time.h>

uint64_t vg_time_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * VG_NS_PER_S + (uint64_t)ts.tv_nsec;
}

void vg_sleep_ns(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / VG_NS_PER_S),
                          .tv_nsec = (long)(ns % VG_NS_PER_S)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void vg_sleep_until_ns(uint64_t deadline_ns)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline_ns / VG_NS_PER_S),
                          .tv_nsec = (long)(deadline_ns % VG_NS_PER_S)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}
