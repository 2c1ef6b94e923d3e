/* Looking Glass B7's shared-memory protocol: LGMP protocol 6 (the queue layer) carrying
 * KVMFR version 20 (frames, cursor, guest information). The layout in the region, as
 * ../shared/protocols/lgmp-kvmfr-b7.md specifies it: natural alignment, little-endian, every
 * offset and size asserted below. Looking Glass's later line (KVMFR 34, LGMP >= 10) is a
 * different layout and not this one.
 *
 * Words marked "atomic" are accessed with 32/64-bit atomics by both sides (vg/lgmp.h); they
 * are plain integers here so the structs stay plain data. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* ---- LGMP 6 ---- */

#define VG_LGMP_MAGIC 0x504D474Cu /* bytes "LGMP" */
#define VG_LGMP_VERSION 6u
#define VG_LGMP_MAX_QUEUES 5u
#define VG_LGMP_MAX_SUBS 32u
#define VG_LGMP_MSGS_MAX 10u  /* client->host ring entries per queue */
#define VG_LGMP_MSGS_SIZE 64u /* payload bytes per client message */
#define VG_LGMP_HEARTBEAT_TIMEOUT_MS 1000u /* client clock */
#define VG_LGMP_HOST_TICK_MS 10u
#define VG_LGMP_UDATA_OFFSET 5756u

struct vg_lgmp_client_msg {
    uint32_t size;                    /* valid bytes in data, 0..64 */
    uint8_t data[VG_LGMP_MSGS_SIZE];
};

struct vg_lgmp_queue {
    uint32_t queue_id;                /* looked up by value, never by index */
    uint32_t num_messages;            /* ring size: configured length + 1 */
    uint32_t new_sub_count;           /* atomic: client +1 per subscribe, host exchanges to 0 */
    uint32_t max_time;                /* subscriber timeout, ms */
    uint32_t position;                /* atomic: next descriptor the host writes */
    uint32_t messages_offset;         /* region offset of the descriptor array */
    uint64_t timeout[VG_LGMP_MAX_SUBS];   /* host ms reaping deadline per BAD id */
    uint32_t client_id[VG_LGMP_MAX_SUBS]; /* owner tag per id (not unique) */
    uint32_t lock;                    /* atomic spin-lock: 0 free, 1 held */
    uint32_t pad0;
    uint64_t subs;                    /* atomic: bits 32..63 ON, 0..31 BAD; under lock */
    uint32_t start;                   /* oldest unreleased descriptor; under lock */
    uint32_t pad1;
    uint64_t msg_timeout;             /* atomic: host ms deadline for the message at start */
    uint32_t count;                   /* atomic: posted, not yet released */
    uint32_t cmsg_lock;               /* atomic spin-lock of the client->host ring */
    uint32_t cmsg_avail;              /* atomic: free client->host slots, 10 = empty */
    uint32_t cmsg_wpos;               /* atomic: next slot a client writes */
    uint32_t cmsg_wserial;            /* atomic: client messages ever written */
    uint32_t cmsg_rserial;            /* atomic: client messages the host acknowledged */
    struct vg_lgmp_client_msg cmsgs[VG_LGMP_MSGS_MAX];
};

struct vg_lgmp_header {
    uint32_t magic;
    uint32_t version;
    uint32_t session_id;              /* new at every host (re)initialisation */
    uint32_t pad0;
    uint64_t timestamp;               /* atomic: host heartbeat, host ms, ~every 10 ms */
    uint32_t num_queues;
    uint32_t pad1;
    struct vg_lgmp_queue queues[VG_LGMP_MAX_QUEUES];
    uint32_t udata_size;
    /* udata begins here (region offset 5756) and runs past sizeof: the struct's tail padding
     * overlaps its first 4 bytes. */
};

struct vg_lgmp_message {              /* one descriptor */
    uint32_t udata;                   /* frames: 0; pointer queue: cursor flags */
    uint32_t size;                    /* payload allocation size */
    uint32_t offset;                  /* region offset of the payload */
    uint32_t pending_subs;            /* atomic: ids that still have to acknowledge */
};

/* Library status codes (not on the wire; the client library returns them). */
enum vg_lgmp_status {
    VG_LGMP_OK = 0,
    VG_LGMP_ERR_CLOCK_FAILURE = 1,
    VG_LGMP_ERR_INVALID_ARGUMENT = 2,
    VG_LGMP_ERR_INVALID_SIZE = 3,
    VG_LGMP_ERR_INVALID_ALIGNMENT = 4,
    VG_LGMP_ERR_INVALID_SESSION = 5,
    VG_LGMP_ERR_NO_MEM = 6,
    VG_LGMP_ERR_NO_SHARED_MEM = 7,
    VG_LGMP_ERR_HOST_STARTED = 8,
    VG_LGMP_ERR_NO_QUEUES = 9,
    VG_LGMP_ERR_QUEUE_FULL = 10,
    VG_LGMP_ERR_QUEUE_EMPTY = 11,
    VG_LGMP_ERR_QUEUE_UNSUBSCRIBED = 12,
    VG_LGMP_ERR_QUEUE_TIMEOUT = 13,
    VG_LGMP_ERR_INVALID_MAGIC = 14,
    VG_LGMP_ERR_INVALID_VERSION = 15,
    VG_LGMP_ERR_NO_SUCH_QUEUE = 16,
    VG_LGMP_ERR_CORRUPTED = 17,
};

_Static_assert(sizeof(struct vg_lgmp_client_msg) == 68, "LGMPClientMessage");
_Static_assert(offsetof(struct vg_lgmp_queue, queue_id) == 0, "queueID");
_Static_assert(offsetof(struct vg_lgmp_queue, num_messages) == 4, "numMessages");
_Static_assert(offsetof(struct vg_lgmp_queue, new_sub_count) == 8, "newSubCount");
_Static_assert(offsetof(struct vg_lgmp_queue, max_time) == 12, "maxTime");
_Static_assert(offsetof(struct vg_lgmp_queue, position) == 16, "position");
_Static_assert(offsetof(struct vg_lgmp_queue, messages_offset) == 20, "messagesOffset");
_Static_assert(offsetof(struct vg_lgmp_queue, timeout) == 24, "timeout");
_Static_assert(offsetof(struct vg_lgmp_queue, client_id) == 280, "clientID");
_Static_assert(offsetof(struct vg_lgmp_queue, lock) == 408, "lock");
_Static_assert(offsetof(struct vg_lgmp_queue, subs) == 416, "subs");
_Static_assert(offsetof(struct vg_lgmp_queue, start) == 424, "start");
_Static_assert(offsetof(struct vg_lgmp_queue, msg_timeout) == 432, "msgTimeout");
_Static_assert(offsetof(struct vg_lgmp_queue, count) == 440, "count");
_Static_assert(offsetof(struct vg_lgmp_queue, cmsg_lock) == 444, "cMsgLock");
_Static_assert(offsetof(struct vg_lgmp_queue, cmsg_avail) == 448, "cMsgAvail");
_Static_assert(offsetof(struct vg_lgmp_queue, cmsg_wpos) == 452, "cMsgWPos");
_Static_assert(offsetof(struct vg_lgmp_queue, cmsg_wserial) == 456, "cMsgWSerial");
_Static_assert(offsetof(struct vg_lgmp_queue, cmsg_rserial) == 460, "cMsgRSerial");
_Static_assert(offsetof(struct vg_lgmp_queue, cmsgs) == 464, "cMsgs");
_Static_assert(sizeof(struct vg_lgmp_queue) == 1144, "LGMPHeaderQueue");
_Static_assert(_Alignof(struct vg_lgmp_queue) == 8, "LGMPHeaderQueue alignment");
_Static_assert(offsetof(struct vg_lgmp_header, magic) == 0, "magic");
_Static_assert(offsetof(struct vg_lgmp_header, version) == 4, "version");
_Static_assert(offsetof(struct vg_lgmp_header, session_id) == 8, "sessionID");
_Static_assert(offsetof(struct vg_lgmp_header, timestamp) == 16, "timestamp");
_Static_assert(offsetof(struct vg_lgmp_header, num_queues) == 24, "numQueues");
_Static_assert(offsetof(struct vg_lgmp_header, queues) == 32, "queues");
_Static_assert(offsetof(struct vg_lgmp_header, udata_size) == 5752, "udataSize");
_Static_assert(sizeof(struct vg_lgmp_header) == 5760, "LGMPHeader");
_Static_assert(sizeof(struct vg_lgmp_message) == 16, "LGMPHeaderMessage");

/* ---- KVMFR 20 ---- */

#define VG_KVMFR_MAGIC "KVMFR---" /* 8 bytes, no NUL */
#define VG_KVMFR_VERSION 20u
#define VG_KVMFR_FEATURE_SETCURSORPOS 0x1u
#define VG_KVMFR_MAX_DAMAGE_RECTS 64u
#define VG_KVMFR_QUEUE_POINTER 1u /* LGMP_Q_POINTER: length 20, numMessages 21 */
#define VG_KVMFR_QUEUE_FRAME 2u   /* LGMP_Q_FRAME: length 2, numMessages 3 */
#define VG_KVMFR_POINTER_QUEUE_LEN 20u
#define VG_KVMFR_FRAME_QUEUE_LEN 2u
#define VG_KVMFR_QUEUE_TIMEOUT_MS 1000u
#define VG_KVMFR_CURSOR_SHAPE_MAX 1048576u /* shape pixel bytes the B7 host carries */
#define VG_KVMFR_CURSOR_POS_BUFFERS 20u
#define VG_KVMFR_CURSOR_SHAPE_BUFFERS 3u
#define VG_KVMFR_MSG_SETCURSORPOS 0u

enum vg_kvmfr_record_type {
    VG_KVMFR_RECORD_VMINFO = 1,
    VG_KVMFR_RECORD_OSINFO = 2,
};

enum vg_kvmfr_os {
    VG_KVMFR_OS_LINUX = 0,
    VG_KVMFR_OS_BSD = 1,
    VG_KVMFR_OS_OSX = 2,
    VG_KVMFR_OS_WINDOWS = 3,
    VG_KVMFR_OS_OTHER = 4,
};

enum vg_kvmfr_frame_type {
    VG_KVMFR_FRAME_INVALID = 0,
    VG_KVMFR_FRAME_BGRA = 1,
    VG_KVMFR_FRAME_RGBA = 2,
    VG_KVMFR_FRAME_RGBA10 = 3,
    VG_KVMFR_FRAME_RGBA16F = 4,
    VG_KVMFR_FRAME_BGR_32 = 5, /* packed 24-bit B, G, R carried in 32-bit texels */
    VG_KVMFR_FRAME_RGB_24 = 6,
    VG_KVMFR_FRAME_TYPE_COUNT,
};

enum vg_kvmfr_rotation {
    VG_KVMFR_ROT_0 = 0,
    VG_KVMFR_ROT_90 = 1,
    VG_KVMFR_ROT_180 = 2,
    VG_KVMFR_ROT_270 = 3,
};

enum vg_kvmfr_frame_flags {
    VG_KVMFR_FRAME_FLAG_BLOCK_SCREENSAVER = 0x01,
    VG_KVMFR_FRAME_FLAG_REQUEST_ACTIVATION = 0x02,
    VG_KVMFR_FRAME_FLAG_TRUNCATED = 0x04,
    VG_KVMFR_FRAME_FLAG_HDR = 0x08,
    VG_KVMFR_FRAME_FLAG_HDR_PQ = 0x10,
};

enum vg_kvmfr_cursor_flags {
    VG_KVMFR_CURSOR_FLAG_POSITION = 0x1,
    VG_KVMFR_CURSOR_FLAG_VISIBLE = 0x2,
    VG_KVMFR_CURSOR_FLAG_SHAPE = 0x4,
};

enum vg_kvmfr_cursor_type {
    VG_KVMFR_CURSOR_COLOR = 0,        /* BGRA, premultiplied alpha */
    VG_KVMFR_CURSOR_MONOCHROME = 1,   /* AND rows then XOR rows, 1 bpp MSB first */
    VG_KVMFR_CURSOR_MASKED_COLOR = 2, /* BGRA; alpha 0 opaque, non-zero XOR */
};

/* The user data's fixed block (region offset 5756). */
struct vg_kvmfr {
    char magic[8];
    uint32_t version;
    char hostver[32];
    uint32_t features;
};

/* Record header; records follow the block back to back, unaligned: read with memcpy. */
struct vg_kvmfr_record {
    uint8_t type;
    uint8_t pad[3]; /* uninitialised garbage on real hosts: never validated */
    uint32_t size;  /* body bytes that follow */
};

/* VMINFO body, fixed part (a NUL-terminated CPU model follows). */
struct vg_kvmfr_vminfo {
    uint8_t uuid[16];
    char capture[32];
    uint8_t cpus, cores, sockets;
};
#define VG_KVMFR_VMINFO_FIXED 51u

struct vg_kvmfr_damage_rect {
    uint32_t x, y, width, height;
};

struct vg_kvmfr_frame {
    uint32_t format_ver;
    uint32_t frame_serial;
    uint32_t type;           /* enum vg_kvmfr_frame_type */
    uint32_t screen_width, screen_height;
    uint32_t data_width, data_height; /* texels of the transmitted format */
    uint32_t frame_width, frame_height;
    uint32_t rotation;       /* enum vg_kvmfr_rotation */
    uint32_t stride;         /* texels per row */
    uint32_t pitch;          /* bytes per row */
    uint32_t offset;         /* from this header to the wp word: alignSize - 4 */
    uint32_t damage_rects_count;
    struct vg_kvmfr_damage_rect damage_rects[VG_KVMFR_MAX_DAMAGE_RECTS];
    uint32_t flags;          /* enum vg_kvmfr_frame_flags */
};

struct vg_kvmfr_cursor {
    int16_t x, y;            /* left and top edge of the image, screen pixels */
    uint32_t type;           /* enum vg_kvmfr_cursor_type */
    int8_t hx, hy;           /* hotspot, signed 8-bit */
    uint8_t pad[2];
    uint32_t width;
    uint32_t height;         /* MONOCHROME: twice the visible height */
    uint32_t pitch;
};

/* KVMFR_MESSAGE_SETCURSORPOS, sent on the pointer queue's client->host ring. */
struct vg_kvmfr_set_cursor_pos {
    uint32_t type; /* VG_KVMFR_MSG_SETCURSORPOS */
    int32_t x, y;  /* hotspot target, screen pixels */
};

_Static_assert(sizeof(struct vg_kvmfr) == 48, "KVMFR");
_Static_assert(offsetof(struct vg_kvmfr, version) == 8, "KVMFR.version");
_Static_assert(offsetof(struct vg_kvmfr, hostver) == 12, "KVMFR.hostver");
_Static_assert(offsetof(struct vg_kvmfr, features) == 44, "KVMFR.features");
_Static_assert(sizeof(struct vg_kvmfr_record) == 8, "KVMFRRecord");
_Static_assert(offsetof(struct vg_kvmfr_record, size) == 4, "KVMFRRecord.size");
_Static_assert(sizeof(struct vg_kvmfr_vminfo) == VG_KVMFR_VMINFO_FIXED, "KVMFRRecord_VMInfo");
_Static_assert(offsetof(struct vg_kvmfr_vminfo, capture) == 16, "VMInfo.capture");
_Static_assert(offsetof(struct vg_kvmfr_vminfo, cpus) == 48, "VMInfo.cpus");
_Static_assert(sizeof(struct vg_kvmfr_damage_rect) == 16, "FrameDamageRect");
_Static_assert(offsetof(struct vg_kvmfr_frame, frame_serial) == 4, "frameSerial");
_Static_assert(offsetof(struct vg_kvmfr_frame, type) == 8, "type");
_Static_assert(offsetof(struct vg_kvmfr_frame, screen_width) == 12, "screenWidth");
_Static_assert(offsetof(struct vg_kvmfr_frame, screen_height) == 16, "screenHeight");
_Static_assert(offsetof(struct vg_kvmfr_frame, data_width) == 20, "dataWidth");
_Static_assert(offsetof(struct vg_kvmfr_frame, data_height) == 24, "dataHeight");
_Static_assert(offsetof(struct vg_kvmfr_frame, frame_width) == 28, "frameWidth");
_Static_assert(offsetof(struct vg_kvmfr_frame, frame_height) == 32, "frameHeight");
_Static_assert(offsetof(struct vg_kvmfr_frame, rotation) == 36, "rotation");
_Static_assert(offsetof(struct vg_kvmfr_frame, stride) == 40, "stride");
_Static_assert(offsetof(struct vg_kvmfr_frame, pitch) == 44, "pitch");
_Static_assert(offsetof(struct vg_kvmfr_frame, offset) == 48, "offset");
_Static_assert(offsetof(struct vg_kvmfr_frame, damage_rects_count) == 52, "damageRectsCount");
_Static_assert(offsetof(struct vg_kvmfr_frame, damage_rects) == 56, "damageRects");
_Static_assert(offsetof(struct vg_kvmfr_frame, flags) == 1080, "flags");
_Static_assert(sizeof(struct vg_kvmfr_frame) == 1084, "KVMFRFrame");
_Static_assert(offsetof(struct vg_kvmfr_cursor, type) == 4, "KVMFRCursor.type");
_Static_assert(offsetof(struct vg_kvmfr_cursor, hx) == 8, "KVMFRCursor.hx");
_Static_assert(offsetof(struct vg_kvmfr_cursor, hy) == 9, "KVMFRCursor.hy");
_Static_assert(offsetof(struct vg_kvmfr_cursor, width) == 12, "KVMFRCursor.width");
_Static_assert(offsetof(struct vg_kvmfr_cursor, height) == 16, "KVMFRCursor.height");
_Static_assert(offsetof(struct vg_kvmfr_cursor, pitch) == 20, "KVMFRCursor.pitch");
_Static_assert(sizeof(struct vg_kvmfr_cursor) == 24, "KVMFRCursor");
_Static_assert(sizeof(struct vg_kvmfr_set_cursor_pos) == 12, "KVMFRSetCursorPos");

/* A frame slot: the KVMFRFrame header, then at header + offset the u32 wp (atomic; bytes of
 * pixel data final so far), then the pixels at header + offset + 4 (= alignSize). */
#define VG_KVMFR_FRAME_MIN_SIZE 1088u  /* header + wp */
#define VG_KVMFR_CURSOR_MIN_SIZE 24u
