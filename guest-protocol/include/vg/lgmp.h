/* Looking Glass B7 (LGMP 6 / KVMFR 20): validators (pure functions, no I/O), the LGMP client
 * algorithm a viewer runs, and an LGMP host with a KVMFR producer on top (vgapt-guest
 * lgmp-pattern, tests, benchmark). The wire layout is in vg/lgmp_wire.h; the behaviour follows
 * ../shared/protocols/lgmp-kvmfr-b7.md ("spec" below, section numbers from it).
 *
 * Everything in the region is hostile: each shared word is read once into a local, validated,
 * and only the local is used afterwards. Every spin on a shared lock is bounded. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vg/lgmp_wire.h"

/* ---- Validators ---- */

/* Why something in the region was rejected: one value per check of the spec's hostile-host
 * table (§7.2), so a test can prove each check fires. */
enum vg_lgmp_error {
    VG_LGMP_E_OK = 0,
    VG_LGMP_E_REGION_SIZE,       /* region < 5760 bytes */
    VG_LGMP_E_MAGIC,             /* no LGMP magic */
    VG_LGMP_E_VERSION,           /* LGMP version != 6 */
    VG_LGMP_E_UDATA_SIZE,        /* udataSize < 48 or 5756 + udataSize > region */
    VG_LGMP_E_NUM_QUEUES,        /* numQueues > 5 */
    VG_LGMP_E_KVMFR_MAGIC,       /* user data does not start with "KVMFR---" */
    VG_LGMP_E_KVMFR_VERSION,     /* KVMFR version != 20 */
    VG_LGMP_E_RECORD,            /* a record's size runs past the user data (parsing stops) */
    VG_LGMP_E_QUEUE_MESSAGES,    /* numMessages < 2 or absurdly large (> 1024) */
    VG_LGMP_E_QUEUE_OFFSET,      /* messagesOffset misaligned, inside the header or user data,
                                    or its array runs past the region */
    VG_LGMP_E_QUEUE_CHANGED,     /* geometry differs from the snapshot taken at subscribe */
    VG_LGMP_E_INDEX,             /* position or start >= numMessages */
    VG_LGMP_E_MSG_BOUNDS,        /* descriptor offset + size past the region */
    VG_LGMP_E_MSG_OVERLAP,       /* descriptor payload inside the header or descriptor arrays */
    VG_LGMP_E_MSG_SIZE,          /* frame payload < 1088 or cursor payload < 24 bytes */
    VG_LGMP_E_FRAME_TYPE,        /* frame type not 1..6 */
    VG_LGMP_E_FRAME_ROTATION,    /* rotation > 3 */
    VG_LGMP_E_FRAME_OFFSET,      /* frame.offset < 1084, offset + 4 > size, or wp misaligned */
    VG_LGMP_E_FRAME_PITCH,       /* pitch 0, pitch < dataWidth * bytes per texel, or
                                    stride * bytes per texel != pitch */
    VG_LGMP_E_FRAME_DIMENSIONS,  /* a dimension 0 or > VG_LGMP_MAX_DIM, or data and frame sizes
                                    that do not match the type */
    VG_LGMP_E_CURSOR_TYPE,       /* shape type > 2 */
    VG_LGMP_E_CURSOR_DIMENSIONS, /* shape width or height 0 or > 512, MONOCHROME odd height */
    VG_LGMP_E_CURSOR_PITCH,      /* pitch too small for the width and type */
    VG_LGMP_E_CURSOR_SIZE,       /* height * pitch > payload - 24 or > 1 MiB */
    VG_LGMP_E_COUNT_UNDERFLOW,   /* queue count was 0 when a message was released */
    VG_LGMP_E_LOCK_TIMEOUT,      /* a shared lock stayed held past the bound */
    VG_LGMP_E_CMSG_STATE,        /* cMsgAvail > 10 or cMsgWPos >= 10 */
    VG_LGMP_E_COUNT_,
};

#define VG_LGMP_MAX_DIM 16384u       /* frame and screen sides the client accepts */
#define VG_LGMP_MAX_QUEUE_MESSAGES 1024u
#define VG_LGMP_CURSOR_MAX_DIM 512u

/* Short English text ("frame pitch smaller than its width"). Never NULL. */
const char *vg_lgmp_error_str(enum vg_lgmp_error e);
/* "OK", "QUEUE_TIMEOUT", ... Never NULL. */
const char *vg_lgmp_status_str(enum vg_lgmp_status s);

/* Validates a private copy of the header against the region size: region, magic, version,
 * numQueues, udataSize. On VG_LGMP_E_VERSION the found version is h->version. */
enum vg_lgmp_error vg_lgmp_validate_header(const struct vg_lgmp_header *h, uint64_t region_size);

/* A queue's geometry after validation. */
struct vg_lgmp_queue_geom {
    uint32_t index;           /* in queues[] */
    uint32_t queue_id;
    uint32_t num_messages;
    uint32_t messages_offset;
    uint32_t max_time;
};

/* Validates one queue's geometry (private copies of its fields) against the user data size
 * and the region. */
enum vg_lgmp_error vg_lgmp_validate_queue(uint32_t index, uint32_t queue_id, uint32_t num_messages,
                                          uint32_t messages_offset, uint32_t max_time,
                                          uint32_t udata_size, uint64_t region_size,
                                          struct vg_lgmp_queue_geom *out);

/* A descriptor after validation: the payload lies wholly in the region, after every byte the
 * header, user data and descriptor arrays use (payload_floor). */
struct vg_lgmp_payload {
    uint32_t udata;
    uint32_t size;
    uint64_t offset;
};

/* payload_floor: the first byte after the header, user data and every valid queue's
 * descriptor array. min_size: the smallest payload this queue's messages can have. */
enum vg_lgmp_error vg_lgmp_validate_message(const struct vg_lgmp_message *m, uint64_t payload_floor,
                                            uint64_t region_size, uint32_t min_size,
                                            struct vg_lgmp_payload *out);

/* The KVMFR user data, parsed (strings copied, bounded and NUL-terminated, never trusted). */
struct vg_kvmfr_info {
    uint32_t version;
    uint32_t features;
    char hostver[32];
    bool have_vminfo;
    uint8_t uuid[16];
    char capture[33];
    uint8_t cpus, cores, sockets;
    char cpu_model[128];
    bool have_osinfo;
    uint8_t os;               /* enum vg_kvmfr_os; > 4 means unknown */
    char os_name[128];
};

/* Parses a private copy of the user data. VG_LGMP_E_UDATA_SIZE (< 48 bytes),
 * VG_LGMP_E_KVMFR_MAGIC, VG_LGMP_E_KVMFR_VERSION (out->version holds what was found), else
 * OK: the records that fit are parsed, unknown types skipped, padding ignored; a record that
 * runs past the end stops the walk (out keeps what came before). */
enum vg_lgmp_error vg_kvmfr_parse_udata(const uint8_t *udata, size_t size,
                                        struct vg_kvmfr_info *out);

/* Bytes per texel of a KVMFR frame type (4, 8 or 3); 0 for an invalid type. BGR_32: 4. */
uint32_t vg_kvmfr_bytes_per_texel(uint32_t type);

/* A frame after validation. */
struct vg_kvmfr_frame_info {
    uint32_t format_ver, serial, type, rotation, flags;
    uint32_t screen_width, screen_height;
    uint32_t frame_width, frame_height;   /* the image, pixels */
    uint32_t data_width, data_height;     /* texels; data_height clamped to what fits */
    uint32_t stride, pitch;
    uint32_t row_bytes;       /* meaningful bytes a row: frame_width * 3 for BGR_32 and RGB_24,
                                 data_width * bytes per texel otherwise */
    uint64_t wp_offset;       /* region offset of the wp word */
    uint64_t data_offset;     /* region offset of the first pixel */
    uint64_t data_size;       /* data_height * pitch after clamping */
    bool clamped;             /* the claimed rows did not fit the slot or region (P10) */
    uint32_t n_damage;        /* 0: whole frame (also when the host sent more than 64) */
    struct vg_kvmfr_damage_rect damage[VG_KVMFR_MAX_DAMAGE_RECTS]; /* clamped to the frame, in
                                 pixels of the displayed image; empty rects dropped */
};

/* Validates a private copy of a frame header found in payload p. */
enum vg_lgmp_error vg_kvmfr_validate_frame(const struct vg_kvmfr_frame *f,
                                           const struct vg_lgmp_payload *p, uint64_t region_size,
                                           struct vg_kvmfr_frame_info *out);

/* A cursor message after validation. */
struct vg_kvmfr_cursor_info {
    uint32_t flags;           /* enum vg_kvmfr_cursor_flags, from the descriptor's udata */
    int32_t x, y;             /* image's top-left, screen pixels (POSITION) */
    uint32_t type;            /* SHAPE: enum vg_kvmfr_cursor_type */
    int32_t hx, hy;           /* SHAPE: hotspot (signed 8-bit on the wire) */
    uint32_t width, height;   /* SHAPE: visible pixels (MONOCHROME: stored rows / 2) */
    uint32_t pitch;
    uint64_t shape_offset;    /* SHAPE: region offset of the pixels */
    uint32_t shape_bytes;     /* SHAPE: stored rows * pitch */
};

/* Validates a private copy of a cursor header with the descriptor's flags; shape fields are
 * checked only with SHAPE. */
enum vg_lgmp_error vg_kvmfr_validate_cursor(const struct vg_kvmfr_cursor *c, uint32_t flags,
                                            const struct vg_lgmp_payload *p,
                                            struct vg_kvmfr_cursor_info *out);

/* The region size the B7 client recommends for a TRUNCATED frame (§3.4), in bytes:
 * 2^ceil(log2(screen_height * pitch * 2 / 2^20 + 10)) MiB. */
uint64_t vg_kvmfr_recommended_size(uint32_t screen_height, uint32_t pitch);

/* ---- Client (a viewer: spec §4, §5) ---- */

struct vg_lgmp_client;
struct vg_lgmp_sub;

/* base/size: the region (borrowed, read-write, stays mapped until destroy; 8-byte aligned).
 * NULL if size < 5760 (logged). */
struct vg_lgmp_client *vg_lgmp_client_create(void *base, size_t size);
/* Frees; writes nothing to the region (subscriptions must be ended first if wanted). NULL ok. */
void vg_lgmp_client_destroy(struct vg_lgmp_client *c);

/* Session init (§4.2 step 5) with the initialisation-race rule (P3): OK only when magic and
 * version are valid and the heartbeat has moved since the previous call, so the first call
 * after create only records the timestamp and returns INVALID_SESSION. On OK the user data
 * has been copied (vg_lgmp_client_udata), the session id stored, all subscriptions of an
 * older session forgotten without writing (P7). INVALID_MAGIC, INVALID_VERSION
 * (vg_lgmp_client_found_version), INVALID_SIZE (bad udataSize or numQueues: *err says which).
 * now_ms: the client's monotonic clock. err: [optional] the validation reason. */
enum vg_lgmp_status vg_lgmp_client_session_init(struct vg_lgmp_client *c, uint64_t now_ms,
                                                enum vg_lgmp_error *err);
/* The private copy of the user data from the last successful session init. */
const uint8_t *vg_lgmp_client_udata(const struct vg_lgmp_client *c, uint32_t *size);
uint32_t vg_lgmp_client_found_version(const struct vg_lgmp_client *c);
uint32_t vg_lgmp_client_session_id(const struct vg_lgmp_client *c);

/* Session validity (§4.3): false when the session id changed or the timestamp has not moved
 * for timeout_ms of client time (0: 1000 ms). */
bool vg_lgmp_client_session_valid(struct vg_lgmp_client *c, uint64_t now_ms, uint64_t timeout_ms);

/* Subscribes to queue_id (§4.4, reaping expired BAD ids) with a bounded lock wait. OK and *sub;
 * NO_SUCH_QUEUE (retry later: the host may still be creating queues), QUEUE_FULL,
 * INVALID_SESSION (lock not obtained in time, or the session changed: *err), CORRUPTED (the
 * queue's geometry is invalid: *err). */
enum vg_lgmp_status vg_lgmp_client_subscribe(struct vg_lgmp_client *c, uint32_t queue_id,
                                             struct vg_lgmp_sub **sub, enum vg_lgmp_error *err);
/* Ends a subscription and frees it. write: clear our bits under the (bounded) lock (§4.8);
 * false after a session change or a timeout, where the handle is dropped without writing (P7).
 * NULL ok. */
void vg_lgmp_client_unsubscribe(struct vg_lgmp_sub *s, bool write);

/* Peeks at the next message (§4.5), validated against the region: OK and *out; QUEUE_EMPTY,
 * QUEUE_TIMEOUT (we were marked BAD), QUEUE_UNSUBSCRIBED, INVALID_SESSION, CORRUPTED (*err:
 * a bad index, geometry change or descriptor). min_size: smallest acceptable payload. */
enum vg_lgmp_status vg_lgmp_client_process(struct vg_lgmp_sub *s, uint32_t min_size,
                                           struct vg_lgmp_payload *out, enum vg_lgmp_error *err);
/* Acknowledges the message process returned (§4.6). OK, or the errors of process. */
enum vg_lgmp_status vg_lgmp_client_message_done(struct vg_lgmp_sub *s, enum vg_lgmp_error *err);

/* Client -> host message (§4.10), size <= 64, with a bounded lock wait. OK and *serial (the
 * message is processed once get_serial reaches it); QUEUE_FULL; QUEUE_TIMEOUT; INVALID_SIZE;
 * CORRUPTED (cMsgAvail/cMsgWPos out of range: stop sending). */
enum vg_lgmp_status vg_lgmp_client_send(struct vg_lgmp_sub *s, const void *data, uint32_t size,
                                        uint32_t *serial, enum vg_lgmp_error *err);
enum vg_lgmp_status vg_lgmp_client_get_serial(struct vg_lgmp_sub *s, uint32_t *serial);

/* The subscription's id (0..31), for tests and logs. */
uint32_t vg_lgmp_sub_id(const struct vg_lgmp_sub *s);

/* ---- Host (the guest side: spec §6) ---- */

struct vg_lgmp_host;

/* Takes over the region (borrowed, read-write, size bytes, 8-byte aligned) and initialises
 * the header in B7's order (§2.2): session id (session_id, or random when 0, always different
 * from what the region held), magic and timestamp, then version, numQueues = 0 and the user
 * data (copied). Queues follow with add_queue. NULL when the region is too small (logged). */
struct vg_lgmp_host *vg_lgmp_host_create(void *base, size_t size, const void *udata,
                                         uint32_t udata_size, uint32_t session_id,
                                         uint64_t now_ms);
/* Frees; leaves the region as it is (a dead host looks like this to clients). NULL ok. */
void vg_lgmp_host_destroy(struct vg_lgmp_host *h);

/* Creates a queue (numMessages = length + 1, descriptors allocated next), returns its index
 * or a negative errno (-ENOSPC, -E2BIG beyond 5 queues). */
int vg_lgmp_host_add_queue(struct vg_lgmp_host *h, uint32_t queue_id, uint32_t length,
                           uint32_t max_time_ms);
/* Bump allocation (§2.1): start and size rounded up to align (a power of two >= 4). Returns
 * the region offset, or -ENOSPC. */
int64_t vg_lgmp_host_alloc(struct vg_lgmp_host *h, uint32_t size, uint32_t align);
/* Bytes still free after the allocations so far. */
uint64_t vg_lgmp_host_free_bytes(const struct vg_lgmp_host *h);

/* The 10 ms timer's work (§6.2): false when the magic was wiped (the caller re-creates the
 * host, as B7 does); else stores the heartbeat and, for each queue, expels stragglers past
 * their deadline (BAD, timeout[id] = now + maxTime) and releases acknowledged messages. */
bool vg_lgmp_host_tick(struct vg_lgmp_host *h, uint64_t now_ms);

/* Posts a message (§6.3). 0 posted; 1 dropped because nobody subscribes (success, as B7);
 * -ENOBUFS the queue is full; -ETIMEDOUT the lock stayed held (a dead client). */
int vg_lgmp_host_post(struct vg_lgmp_host *h, int queue, uint32_t udata, uint32_t offset,
                      uint32_t size, uint64_t now_ms);
/* Messages posted and not released (count). */
uint32_t vg_lgmp_host_pending(const struct vg_lgmp_host *h, int queue);
/* Live subscribers (ON & ~BAD) as a bitmap of ids. */
uint32_t vg_lgmp_host_subscribers(const struct vg_lgmp_host *h, int queue);
/* Ids marked BAD (expelled) as a bitmap. */
uint32_t vg_lgmp_host_bad(const struct vg_lgmp_host *h, int queue);
/* Reads and zeroes newSubCount (atomic exchange). */
uint32_t vg_lgmp_host_take_new_subs(struct vg_lgmp_host *h, int queue);
/* Reads the next client->host message into data (cap >= 64): its size (0..64), or -ENOENT
 * when the ring is empty. Each message read must be acknowledged with ack_message. */
int vg_lgmp_host_read_message(struct vg_lgmp_host *h, int queue, void *data, uint32_t cap);
void vg_lgmp_host_ack_message(struct vg_lgmp_host *h, int queue);
uint32_t vg_lgmp_host_session_id(const struct vg_lgmp_host *h);

/* ---- KVMFR producer on the host: what the B7 host application does (§3, §6) ---- */

struct vg_kvmfr_producer;

struct vg_kvmfr_producer_config {
    uint32_t align;           /* frame slot alignment (guest page size); 0 = 4096 */
    uint32_t features;        /* KVMFR feature bits (VG_KVMFR_FEATURE_SETCURSORPOS) */
    const char *hostver;      /* [optional] "B7" when NULL */
    const char *capture;      /* [optional] capture backend name in VMINFO */
    uint8_t os;               /* enum vg_kvmfr_os in OSINFO */
    const char *os_name;      /* [optional] */
    uint32_t session_id;      /* 0 = random */
    /* [optional] called from tick for every SETCURSORPOS a client sent (after it is read,
     * before it is acknowledged). */
    void (*on_set_cursor_pos)(void *opaque, int32_t x, int32_t y);
    void *opaque;
};

/* Lays out the region as B7 does (§6.1): header and KVMFR user data (VMINFO + OSINFO), the
 * frame queue (id 2, length 2) then the pointer queue (id 1, length 20), 20 position buffers
 * and 3 shape buffers, and two frame slots of what is left. NULL on error (logged: region
 * too small). */
struct vg_kvmfr_producer *vg_kvmfr_producer_create(void *base, size_t size,
                                                   const struct vg_kvmfr_producer_config *cfg,
                                                   uint64_t now_ms);
void vg_kvmfr_producer_destroy(struct vg_kvmfr_producer *p);
struct vg_lgmp_host *vg_kvmfr_producer_host(struct vg_kvmfr_producer *p);

/* maxFrameSize (§6.1): the pixel bytes a frame may claim. */
uint64_t vg_kvmfr_producer_max_frame(const struct vg_kvmfr_producer *p);

/* The timer (call every ~10 ms): host tick, client messages drained and acknowledged, and for
 * a new pointer subscriber one full cursor message (POSITION, SHAPE if known, VISIBLE if
 * visible) posted to all. A new frame subscriber on a static screen gets the last slot
 * re-posted unchanged (same serial) when vg_kvmfr_producer_repost is called (the capture
 * timeout path of §6.5). false when the region was wiped: destroy and create again. */
bool vg_kvmfr_producer_tick(struct vg_kvmfr_producer *p, uint64_t now_ms);

struct vg_kvmfr_frame_params {
    uint32_t type;                    /* enum vg_kvmfr_frame_type */
    uint32_t frame_width, frame_height; /* the image, pixels */
    uint32_t screen_width, screen_height; /* 0: the frame's size */
    uint32_t rotation;
    uint32_t flags;                   /* HDR etc.; TRUNCATED is set by the producer */
    uint32_t format_ver;              /* the backend's counter; 0 is allowed (XCB) */
    /* Testing: stop writing the pixels (and wp) after this many bytes, as a host that dies
     * mid-frame or B7's XCB backend (P13). UINT64_MAX: write them all. */
    uint64_t stop_after;
};

/* Publishes a frame as B7 does (§6.4): when fewer than 2 frames are outstanding, fills the
 * free slot's header (serial + 1), stores wp = 0, posts, then writes the pixels, advancing wp
 * in 1 MiB steps to dataHeight * pitch. pixels: the complete image in the type's layout
 * (src_pitch bytes per row; for BGR_32 frame_width * 3 meaningful bytes a row), borrowed.
 * damage: rects changed since the previous frame (n == 0: all); the slot also gets what it
 * missed while it held an older frame. A frame larger than the slot is TRUNCATED to the rows
 * that fit. Returns 0; -EBUSY when 2 frames are still outstanding (tick and try again);
 * -EINVAL for bad params. */
int vg_kvmfr_producer_submit(struct vg_kvmfr_producer *p, const struct vg_kvmfr_frame_params *fp,
                             const void *pixels, size_t src_pitch,
                             const struct vg_kvmfr_damage_rect *damage, uint32_t n_damage,
                             uint64_t now_ms);
/* Re-posts the last written slot unchanged when a frame subscriber arrived since the last
 * frame (§6.5). 1 re-posted, 0 nothing to do, negative errno. */
int vg_kvmfr_producer_repost(struct vg_kvmfr_producer *p, uint64_t now_ms);
/* The serial of the last frame submitted (0 before the first). */
uint32_t vg_kvmfr_producer_serial(const struct vg_kvmfr_producer *p);

struct vg_kvmfr_cursor_shape {
    uint32_t type;            /* enum vg_kvmfr_cursor_type */
    uint32_t width, height;   /* visible pixels */
    int32_t hx, hy;           /* stored as signed 8-bit (P12) */
    uint32_t pitch;
    const void *pixels;       /* borrowed: pitch * height bytes (2 * height for MONOCHROME) */
};

/* Posts a cursor update (§6.7): a new shape (shape != NULL, copied into the next of the 3
 * shape buffers) or a position (the next of the 20 position buffers). x, y: the image's
 * top-left in screen pixels. Retries while the queue is full, up to about 50 ms. 0,
 * -ENOBUFS, -EINVAL. */
int vg_kvmfr_producer_cursor(struct vg_kvmfr_producer *p, int32_t x, int32_t y, bool visible,
                             const struct vg_kvmfr_cursor_shape *shape, uint64_t now_ms);
