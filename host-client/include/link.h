/* The link to the guest: maps the shared region when it appears, picks the transport backend
 * by the magic found in it, and recovers without a restart when the guest application stops,
 * restarts, switches protocol, or the region is re-created. Context: main thread. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "transport.h"

struct vg_link;

struct vg_link_status {
    bool ready;
    bool new_session;   /* a (new) guest session became ready: drop renderer state */
    char reason[512];   /* when !ready: why, and what to do */
};

/* path: borrowed (copied). stall_ns: heartbeat silence that means the guest is gone. */
struct vg_link *vg_link_create(const char *path, uint64_t stall_ns);
/* Accepts NULL. */
void vg_link_destroy(struct vg_link *l);

/* Advances the link; returns the ready backend (borrowed until the next poll) or NULL with
 * st->reason set. *ops receives the backend's ops when one is chosen. */
struct vg_transport *vg_link_poll(struct vg_link *l, uint64_t now_ns, struct vg_link_status *st,
                                  const struct vg_transport_ops **ops);
