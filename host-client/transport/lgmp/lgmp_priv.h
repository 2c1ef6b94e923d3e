/* Private to the Looking Glass B7 transport backend (LGMP 6 / KVMFR 20): its state and the
 * functions its files share. Context: the client's main thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"
#include "vg/lgmp.h"

/* How long a frame's copy waits for the host's trailing write pointer before showing what
 * was written (B7 waits ~775 ms; the host expels us after 1000 ms without acknowledgement). */
#define VG_LGMP_WP_WAIT_NS (250 * UINT64_C(1000000))
/* Gap between losing a subscription and subscribing again (pitfall P6). */
#define VG_LGMP_RESUB_GAP_NS (40 * UINT64_C(1000000))
/* Messages drained from the pointer queue per call. */
#define VG_LGMP_CURSOR_BATCH 32u

struct vg_transport {
    struct vg_transport_map map;
    struct vg_lgmp_client *client;
    uint64_t stall_ns;

    bool session;             /* a session is initialised and its user data accepted */
    bool had_session;         /* one was, since create */
    bool recheck_size;        /* tell the link to look at the file's size (next poll) */
    bool new_session;         /* report new_session on the next ready poll */
    uint64_t next_init_ns;    /* when session init is tried again */
    struct vg_kvmfr_info kvmfr;
    char reason[200];
    char warning[200];
    char last_loss[200];      /* why the last session ended: repeats are not logged again */
    uint32_t logged_session;  /* the session whose start was logged */

    struct vg_lgmp_sub *frame_sub, *ptr_sub;
    bool subscribed;          /* the frame queue was subscribed in this session: a gap while
                                 subscribing again after an expulsion is still "ready" */
    uint64_t frame_resub_ns, ptr_resub_ns; /* not before (P6) */

    /* Frames. */
    bool frame_open;          /* between next_frame and release_frame */
    struct vg_kvmfr_frame_info fi; /* the open frame, validated */
    uint64_t wait_start_ns;   /* when the open frame's copy first waited on wp */
    bool have_last;           /* last_fmt and duplicate detection are of this subscription */
    bool serial_valid;        /* last_serial is of this session */
    uint32_t last_serial;
    uint64_t serial64;        /* frameSerial extended to 64 bits */
    struct vg_kvmfr_frame_info last_fmt;
    bool force_full;          /* the next frame has no usable damage (P9, partial frame) */
    uint64_t incomplete_frames; /* frames shown before wp reached the end (P13) */
    bool warned_incomplete;
    enum vg_lgmp_error last_frame_error;

    /* Cursor. */
    uint8_t *shape;           /* VG_KVMFR_CURSOR_SHAPE_MAX bytes */
    uint32_t shape_serial;
    struct vg_cursor_shape cur_shape; /* the last shape copied into shape */
    int32_t img_x, img_y;     /* the image's top-left, screen pixels */
    bool visible;
    bool cmsg_broken;         /* the client->host ring was found corrupt: stop sending */
    enum vg_lgmp_error last_cursor_error;
};

/* lgmp.c */
/* The session ended (host restarted, stopped, or expelled us for good): subscriptions dropped
 * (written back only when write), state reset; the next poll starts a new session init. */
void vg_lgmp_lose_session(struct vg_transport *t, bool write, const char *why);
/* A subscription came back QUEUE_TIMEOUT: the host marked us BAD. Drop the handle without
 * writing and subscribe again after the P6 gap. */
void vg_lgmp_expelled(struct vg_transport *t, struct vg_lgmp_sub **sub, uint64_t *resub_ns,
                      const char *queue);
/* Handles a status other than OK/EMPTY from a queue call: true when the caller should stop. */
bool vg_lgmp_queue_error(struct vg_transport *t, enum vg_lgmp_status s, enum vg_lgmp_error err,
                         struct vg_lgmp_sub **sub, uint64_t *resub_ns, const char *queue);

/* lgmp_frame.c */
int vg_lgmp_next_frame(struct vg_transport *t, struct vg_frame_info *info);
int vg_lgmp_copy_frame(struct vg_transport *t, const struct vg_frame_info *info, void *dst,
                       size_t dst_stride, const struct vg_rect *rects, uint32_t n);
void vg_lgmp_release_frame(struct vg_transport *t);

/* lgmp_cursor.c */
int vg_lgmp_next_cursor(struct vg_transport *t, struct vg_cursor_info *ci);
int vg_lgmp_send_message(struct vg_transport *t, const struct vg_guest_message *msg);
