/* What every vgapt-guest subcommand does alike: open its shared region and stop on a signal. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "vg/shm.h"

/* Set by SIGINT/SIGTERM once vg_guest_catch_signals ran; loops check it after each sleep. */
extern volatile sig_atomic_t vg_guest_stop_requested;
/* Without SA_RESTART, so that sleeps end early. */
void vg_guest_catch_signals(void);

enum vg_guest_region {
    VG_GUEST_REGION_ERROR = -1, /* logged */
    VG_GUEST_REGION_CREATE,     /* missing or an empty regular file: create/size it */
    VG_GUEST_REGION_USE,        /* a device, or a regular file of at least `need` bytes */
    VG_GUEST_REGION_TOO_SMALL,  /* a regular file of *have < need bytes: the caller says so */
};

enum vg_guest_region vg_guest_region_probe(const char *path, uint64_t need, uint64_t *have);

/* Maps path read-write, creating it at create_size bytes when create. Logs vg_shm's message
 * (what is wrong and what to do) on failure. */
bool vg_guest_region_map(const char *path, bool create, uint64_t create_size, struct vg_shm *shm);
