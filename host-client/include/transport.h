/* Transport: reads a guest application's shared memory and yields frames and cursor updates.
 * One backend per guest protocol (transport/vgfp: our frame protocol; Looking Glass B7 LGMP
 * follows), chosen by the magic found in the region. The link (transport/link.c) owns the
 * mapping, probes the backends and recreates them when the guest restarts.
 *
 * Context: all calls from the client's main thread. The mapping is read-write (LGMP clients
 * must write subscription fields) and stays mapped for the backend's lifetime. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct vg_transport;

struct vg_transport_status {
    bool ready;           /* frames can be read */
    bool new_session;     /* the guest application restarted: drop renderer state */
    char reason[160];     /* when !ready: why, in words a user can act on */
};

struct vg_guest_message {
    enum { VG_GUEST_MSG_CURSOR_POS } type;
    int32_t x, y;
};

struct vg_transport_ops {
    const char *name;        /* "vgfp", "lgmp" */
    const char *description;
    size_t min_size;         /* smallest region the backend can use */

    /* Whether head (a private copy of the region's first head_len bytes) carries this
     * backend's magic. Pure. */
    bool (*probe)(const uint8_t *head, size_t head_len);

    /* base/size: the mapping (borrowed, read-write). NULL on error (logged). */
    struct vg_transport *(*create)(void *base, size_t size, uint64_t stall_ns);
    void (*destroy)(struct vg_transport *t);

    /* Reads the guest's state; cheap, once per loop iteration. Returns st->ready. */
    bool (*poll)(struct vg_transport *t, uint64_t now_ns, struct vg_transport_status *st);

    /* 1 and *info filled when a new frame is available, 0 if none, negative errno on a
     * protocol error (the frame is skipped; the reason is logged once). */
    int (*next_frame)(struct vg_transport *t, struct vg_frame_info *info);

    /* Copies rects of the frame (all of it when n == 0) into dst, laid out like the frame with
     * dst_stride bytes per row, then verifies the guest did not rewrite it meanwhile.
     * 0, or -EAGAIN: torn or incomplete, drop it and wait for the next frame. */
    int (*copy_frame)(struct vg_transport *t, const struct vg_frame_info *info, void *dst,
                      size_t dst_stride, const struct vg_rect *rects, uint32_t n);

    /* Done with the frame from next_frame (after copy_frame or to skip it). */
    void (*release_frame)(struct vg_transport *t);

    /* Cursor stream, independent of frames. Bitmask: 1 position/visibility changed, 2 new
     * shape copied into shape (cap >= 256*256*4 bytes); 0 nothing; negative errno. */
    int (*next_cursor)(struct vg_transport *t, struct vg_cursor_info *ci, void *shape,
                       size_t cap);

    /* [optional] A message back to the guest; -ENOTSUP where the guest cannot take it. */
    int (*send_message)(struct vg_transport *t, const struct vg_guest_message *msg);
};

extern const struct vg_transport_ops vg_transport_vgfp;

/* NULL-terminated table of built backends, in probe order. */
extern const struct vg_transport_ops *const vg_transports[];
