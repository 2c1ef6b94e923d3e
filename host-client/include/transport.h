/* Transport: reads a guest application's shared memory and yields frames and cursor updates.
 * One backend per guest protocol (transport/vgfp: our frame protocol; transport/lgmp: Looking
 * Glass B7, LGMP 6 / KVMFR 20), chosen by the magic found in the region. The link
 * (transport/link.c) owns the mapping, probes the backends and recreates them when the guest
 * restarts.
 *
 * Context: all calls from the client's main thread. The mapping stays mapped for the backend's
 * lifetime. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct vg_transport;

/* What the region is mapped from. A later zero-copy path imports frames from the kvmfr
 * device's DMA-BUFs through fd; the others are plain mappings. */
enum vg_map_kind {
    VG_MAP_SHM_FILE = 0, /* a regular file (/dev/shm/NAME from libvirt's <shmem>) */
    VG_MAP_PCI_BAR,      /* a PCI BAR through sysfs (resource2[_wc]): inside a guest */
    VG_MAP_KVMFR,        /* the kvmfr module's character device (/dev/kvmfrN) */
};

struct vg_transport_map {
    void *base;          /* the mapping (borrowed) */
    size_t size;
    bool writable;       /* mapped read-write */
    enum vg_map_kind kind;
    int fd;              /* the open object (borrowed, valid for the mapping's life); -1 if none */
    const char *path;    /* borrowed, for messages */
};

struct vg_transport_status {
    bool ready;           /* frames can be read */
    bool new_session;     /* the guest application restarted: drop renderer state */
    char reason[200];     /* when !ready: why, in words a user can act on */
    /* The guest refers to bytes past the mapping: the file may have grown since it was
     * mapped, so the link re-reads its size now rather than at its next periodic check. */
    bool recheck_size;
};

enum vg_guest_msg_type {
    VG_GUEST_MSG_CURSOR_POS = 0, /* move the guest's cursor hotspot to x, y (screen pixels) */
    VG_GUEST_MSG_WINDOW_SIZE,    /* the client's window is x by y pixels */
};

struct vg_guest_message {
    enum vg_guest_msg_type type;
    int32_t x, y;
};

/* copy_frame results besides 0 and other negative errnos. */
#define VG_COPY_TORN (-EAGAIN)         /* rewritten while copied: drop it, take the next */
#define VG_COPY_NOT_YET (-EINPROGRESS) /* pixels not all written yet: call again (same dst) */

/* next_cursor result bits. */
#define VG_CURSOR_NEW_POS 1   /* position or visibility changed */
#define VG_CURSOR_NEW_SHAPE 2 /* ci->shape holds a new shape */

struct vg_transport_ops {
    const char *name;        /* "vgfp", "lgmp" */
    const char *description;
    size_t min_size;         /* smallest region the backend can use */
    bool needs_write;        /* the protocol needs a read-write mapping */

    /* Whether head (a private copy of the region's first head_len bytes) carries this
     * backend's magic. Pure. */
    bool (*probe)(const uint8_t *head, size_t head_len);

    /* map: borrowed (copy what is kept); the mapping it describes stays valid until destroy. stall_ns: heartbeat silence that means the guest is
     * gone. NULL on error (logged). */
    struct vg_transport *(*create)(const struct vg_transport_map *map, uint64_t stall_ns);
    void (*destroy)(struct vg_transport *t);

    /* Reads the guest's state; cheap, once per loop iteration. Returns st->ready. */
    bool (*poll)(struct vg_transport *t, uint64_t now_ns, struct vg_transport_status *st);

    /* 1 and *info filled when a new frame is available, 0 if none, negative errno on a
     * protocol error (the frame is skipped; the reason is logged once). */
    int (*next_frame)(struct vg_transport *t, struct vg_frame_info *info);

    /* Copies rects of the frame (all of it when n == 0) into dst, laid out like the frame with
     * dst_stride bytes per row (data_height rows). Returns 0; VG_COPY_TORN: the guest rewrote
     * it meanwhile, drop it (release_frame) and wait for the next; VG_COPY_NOT_YET: the guest
     * has not finished writing it, call again with the same arguments (the backend bounds the
     * wait and then returns 0 or an error); another negative errno: drop it. */
    int (*copy_frame)(struct vg_transport *t, const struct vg_frame_info *info, void *dst,
                      size_t dst_stride, const struct vg_rect *rects, uint32_t n);

    /* Done with the frame from next_frame (after copy_frame or to skip it). */
    void (*release_frame)(struct vg_transport *t);

    /* Cursor stream, independent of frames. Bitmask of VG_CURSOR_NEW_POS and
     * VG_CURSOR_NEW_SHAPE; 0 nothing new; negative errno. ci->x/y/visible are valid whenever
     * VG_CURSOR_NEW_POS is set; ci->shape points into the backend's storage until the next
     * call. */
    int (*next_cursor)(struct vg_transport *t, struct vg_cursor_info *ci);

    /* [optional] A standing warning about the frames now shown, which the window shows over
     * them (the region is too small for the guest's resolution, and how to fix it); NULL or
     * "" when there is none. Valid until the next call into the backend. */
    const char *(*warning)(struct vg_transport *t);

    /* [optional] A message back to the guest. 0 sent; -ENOTSUP the guest application does not
     * take this message; -EAGAIN its queue is full (try later); other negative errno. */
    int (*send_message)(struct vg_transport *t, const struct vg_guest_message *msg);
};

extern const struct vg_transport_ops vg_transport_vgfp;
extern const struct vg_transport_ops vg_transport_lgmp;

/* NULL-terminated table of built backends, in probe order. */
extern const struct vg_transport_ops *const vg_transports[];
