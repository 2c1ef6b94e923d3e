/* Transport backend for the Looking Glass B7 host application (LGMP 6 / KVMFR 20): session,
 * subscriptions and the ops table. Frames are in lgmp_frame.c, the cursor and messages to the
 * host in lgmp_cursor.c. The client algorithm itself is guest-protocol's (vg/lgmp.h). */
#include "lgmp_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg/log.h"
#include "vg/time.h"

/* How often session init is retried while no host runs. The heartbeat ticks every 10 ms, so
 * a live host is always seen between two tries (P3 needs one change after the first). */
#define INIT_RETRY_NS (50 * VG_NS_PER_MS)
/* How far into a region of another Looking Glass version the KVMFR magic is looked for, only
 * to name its version in the message. */
#define KVMFR_SCAN_BYTES (64u * 1024u)
/* After a corrupt queue ended the session, the next session init waits this long. */
#define CORRUPT_RETRY_NS (500 * VG_NS_PER_MS)

static bool lgmp_probe(const uint8_t *head, size_t len)
{
    uint32_t magic;
    if (len < sizeof(magic))
        return false;
    memcpy(&magic, head, sizeof(magic));
    return magic == VG_LGMP_MAGIC;
}

static struct vg_transport *lgmp_create(const struct vg_transport_map *map, uint64_t stall_ns)
{
    struct vg_transport *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->map = *map;
    t->map.path = NULL; /* borrowed for create only */
    t->stall_ns = stall_ns ? stall_ns : VG_LGMP_HEARTBEAT_TIMEOUT_MS * VG_NS_PER_MS;
    t->shape = malloc(VG_KVMFR_CURSOR_SHAPE_MAX);
    t->client = t->shape ? vg_lgmp_client_create(map->base, map->size) : NULL;
    if (!t->client) {
        free(t->shape);
        free(t);
        return NULL;
    }
    snprintf(t->reason, sizeof(t->reason),
             "Looking Glass host application not running in the guest (waiting for its "
             "heartbeat)");
    return t;
}

static void drop_subs(struct vg_transport *t, bool write)
{
    if (t->frame_open && t->frame_sub && write)
        vg_lgmp_client_message_done(t->frame_sub, NULL);
    t->frame_open = false;
    vg_lgmp_client_unsubscribe(t->frame_sub, write);
    vg_lgmp_client_unsubscribe(t->ptr_sub, write);
    t->frame_sub = t->ptr_sub = NULL;
}

/* Whether our session is still the host's and its heartbeat alive: only then may we write our
 * subscriptions back (P7). */
static bool session_alive(struct vg_transport *t)
{
    return t->session && vg_lgmp_client_session_valid(t->client, vg_time_ns() / VG_NS_PER_MS,
                                                       t->stall_ns / VG_NS_PER_MS);
}

static void lgmp_destroy(struct vg_transport *t)
{
    if (!t)
        return;
    drop_subs(t, session_alive(t));
    vg_lgmp_client_destroy(t->client);
    free(t->shape);
    free(t);
}

void vg_lgmp_lose_session(struct vg_transport *t, bool write, const char *why)
{
    /* A host that keeps failing the same way is reported once, not at every retry. */
    bool again = strcmp(why, t->last_loss) == 0;
    if (t->session && !again)
        vg_info("lgmp: session %08x ended: %s", vg_lgmp_client_session_id(t->client), why);
    snprintf(t->last_loss, sizeof(t->last_loss), "%s", why);
    drop_subs(t, write);
    t->session = false;
    t->subscribed = false;
    t->have_last = false;
    t->serial_valid = false;
    t->shape_serial = 0;
    t->cmsg_broken = false;
    t->warning[0] = 0;
    snprintf(t->reason, sizeof(t->reason), "%s", why);
    t->next_init_ns = 0;
}

void vg_lgmp_expelled(struct vg_transport *t, struct vg_lgmp_sub **sub, uint64_t *resub_ns,
                      const char *queue)
{
    vg_warn("lgmp: the guest's host application expelled this client from its %s queue (it "
            "did not acknowledge within 1 s: was vgapt-client stopped?); subscribing again",
            queue);
    if (sub == &t->frame_sub)
        t->frame_open = false;
    vg_lgmp_client_unsubscribe(*sub, false);
    *sub = NULL;
    *resub_ns = vg_time_ns() + VG_LGMP_RESUB_GAP_NS;
    t->have_last = false;
}

bool vg_lgmp_queue_error(struct vg_transport *t, enum vg_lgmp_status s, enum vg_lgmp_error err,
                         struct vg_lgmp_sub **sub, uint64_t *resub_ns, const char *queue)
{
    switch (s) {
    case VG_LGMP_OK:
    case VG_LGMP_ERR_QUEUE_EMPTY:
        return false;
    case VG_LGMP_ERR_QUEUE_TIMEOUT:
        vg_lgmp_expelled(t, sub, resub_ns, queue);
        return true;
    case VG_LGMP_ERR_INVALID_SESSION:
        vg_lgmp_lose_session(t, false, "Looking Glass host application restarted in the guest");
        return true;
    case VG_LGMP_ERR_QUEUE_UNSUBSCRIBED:
        /* Our ON bit vanished while the session lives: someone cleared it; start again. */
        vg_lgmp_expelled(t, sub, resub_ns, queue);
        return true;
    default: {
        /* A payload past the end of what we mapped: the file may have grown under us (sized
         * again after a truncation) rather than the host being wrong. Have the link look at
         * its size now, and try again at once. */
        if (err == VG_LGMP_E_MSG_BOUNDS) {
            t->recheck_size = true;
            vg_lgmp_lose_session(t, session_alive(t), "the region is larger than mapped");
            return true;
        }
        char why[200];
        snprintf(why, sizeof(why), "the guest's %s queue is corrupt (%s: %s)", queue,
                 vg_lgmp_status_str(s), vg_lgmp_error_str(err));
        if (strcmp(why, t->last_loss) != 0)
            vg_warn("lgmp: %s", why);
        /* While the session and its heartbeat are fine, leave the queues properly: an
         * abandoned id holds the host's frame queue for a second (until it is expelled). */
        vg_lgmp_lose_session(t, session_alive(t), why);
        /* Trying again at once would meet the same corruption: give the host a moment. */
        t->next_init_ns = vg_time_ns() + CORRUPT_RETRY_NS;
        return true;
    }
    }
}

/* The KVMFR version of a region whose LGMP version we do not read, to name it. */
static uint32_t scan_kvmfr_version(const struct vg_transport *t)
{
    static const char magic[8] = VG_KVMFR_MAGIC;
    size_t n = t->map.size < KVMFR_SCAN_BYTES ? t->map.size : KVMFR_SCAN_BYTES;
    uint8_t *copy = malloc(n);
    uint32_t version = 0;
    if (!copy)
        return 0;
    memcpy(copy, t->map.base, n);
    for (size_t i = 0; i + sizeof(magic) + 4 <= n; i += 4) {
        if (memcmp(copy + i, magic, sizeof(magic)) == 0) {
            memcpy(&version, copy + i + sizeof(magic), 4);
            break;
        }
    }
    free(copy);
    return version;
}

static void incompatible(struct vg_transport *t, uint32_t lgmp, uint32_t kvmfr)
{
    char k[16] = "?";
    if (kvmfr)
        snprintf(k, sizeof(k), "%u", kvmfr);
    snprintf(t->reason, sizeof(t->reason),
             "incompatible version (found LGMP %u / KVMFR %s; vgapt reads LGMP %u / KVMFR %u, "
             "the Looking Glass B7 release): install B7's host application in the guest",
             lgmp, k, VG_LGMP_VERSION, VG_KVMFR_VERSION);
}

static void try_session_init(struct vg_transport *t, uint64_t now_ns)
{
    if (now_ns < t->next_init_ns)
        return;
    t->next_init_ns = now_ns + INIT_RETRY_NS;

    enum vg_lgmp_error err = VG_LGMP_E_OK;
    enum vg_lgmp_status s = vg_lgmp_client_session_init(t->client, now_ns / VG_NS_PER_MS, &err);
    switch (s) {
    case VG_LGMP_OK:
        break;
    case VG_LGMP_ERR_INVALID_VERSION:
        incompatible(t, vg_lgmp_client_found_version(t->client), scan_kvmfr_version(t));
        return;
    case VG_LGMP_ERR_INVALID_MAGIC:
        snprintf(t->reason, sizeof(t->reason),
                 "the region was cleared (the VM restarted?): waiting for the Looking Glass "
                 "host application");
        return;
    case VG_LGMP_ERR_INVALID_SESSION:
        /* After a session, why it ended says more than "not running". */
        if (!t->had_session)
            snprintf(t->reason, sizeof(t->reason),
                     "Looking Glass host application not running in the guest (no heartbeat)");
        return;
    default:
        snprintf(t->reason, sizeof(t->reason),
                 "the Looking Glass header in the region is invalid (%s); waiting for the host "
                 "application to write it again",
                 vg_lgmp_error_str(err));
        return;
    }

    uint32_t size = 0;
    const uint8_t *udata = vg_lgmp_client_udata(t->client, &size);
    struct vg_kvmfr_info info;
    err = vg_kvmfr_parse_udata(udata, size, &info);
    if (err == VG_LGMP_E_KVMFR_VERSION) {
        incompatible(t, VG_LGMP_VERSION, info.version);
        return;
    }
    if (err == VG_LGMP_E_RECORD) {
        /* A record that runs past the user data ends the walk; what came before stands, and
         * the frames do not depend on it (B7's client does the same). */
        vg_debug("lgmp: the host's information records are cut short; using what came before");
    } else if (err != VG_LGMP_E_OK) {
        snprintf(t->reason, sizeof(t->reason),
                 "the region speaks LGMP but carries no Looking Glass frames (%s)",
                 vg_lgmp_error_str(err));
        return;
    }
    t->kvmfr = info;
    t->session = true;
    t->had_session = true;
    t->new_session = true;
    t->have_last = false;
    t->frame_resub_ns = t->ptr_resub_ns = 0;
    uint32_t sid = vg_lgmp_client_session_id(t->client);
    if (t->logged_session == sid)
        return; /* the same session again (after a corrupt queue): said already */
    t->logged_session = sid;
    vg_info("lgmp: Looking Glass host %s (KVMFR %u)%s%s%s%s, session %08x", info.hostver,
            info.version, info.have_osinfo ? " on " : "", info.have_osinfo ? info.os_name : "",
            info.have_vminfo ? ", capture " : "", info.have_vminfo ? info.capture : "", sid);
}

static void try_subscribe(struct vg_transport *t, uint32_t queue_id, struct vg_lgmp_sub **sub,
                          uint64_t *resub_ns, uint64_t now_ns, const char *queue)
{
    if (*sub || now_ns < *resub_ns)
        return;
    enum vg_lgmp_error err = VG_LGMP_E_OK;
    enum vg_lgmp_status s = vg_lgmp_client_subscribe(t->client, queue_id, sub, &err);
    switch (s) {
    case VG_LGMP_OK:
        vg_debug("lgmp: subscribed to the %s queue as id %u", queue, vg_lgmp_sub_id(*sub));
        if (sub == &t->frame_sub) {
            t->have_last = false;
            t->subscribed = true;
        }
        return;
    case VG_LGMP_ERR_NO_SUCH_QUEUE:
        /* The host is still creating its queues (P3): try on the next poll. */
        snprintf(t->reason, sizeof(t->reason),
                 "Looking Glass host application is starting (no %s queue yet)", queue);
        return;
    case VG_LGMP_ERR_QUEUE_FULL:
        snprintf(t->reason, sizeof(t->reason),
                 "the guest's %s queue has 32 clients already: close other Looking Glass "
                 "clients, or wait a second for expelled ones to be reaped",
                 queue);
        return;
    default:
        vg_lgmp_queue_error(t, s, err, sub, resub_ns, queue);
        return;
    }
}

static bool lgmp_poll(struct vg_transport *t, uint64_t now_ns, struct vg_transport_status *st)
{
    st->ready = false;
    st->new_session = false;

    if (t->session) {
        uint64_t now_ms = now_ns / VG_NS_PER_MS;
        uint32_t sid = vg_lgmp_client_session_id(t->client);
        if (!vg_lgmp_client_session_valid(t->client, now_ms, t->stall_ns / VG_NS_PER_MS)) {
            uint32_t cur;
            memcpy(&cur, (const uint8_t *)t->map.base + offsetof(struct vg_lgmp_header, session_id),
                   sizeof(cur));
            if (cur != sid) {
                vg_lgmp_lose_session(t, false,
                                     "Looking Glass host application restarted in the guest");
            } else {
                char why[200];
                snprintf(why, sizeof(why),
                         "Looking Glass host application stopped (no heartbeat for %llu ms: "
                         "guest paused, host application closed, or the guest crashed)",
                         (unsigned long long)(t->stall_ns / VG_NS_PER_MS));
                vg_lgmp_lose_session(t, true, why);
            }
        }
    }
    st->recheck_size = t->recheck_size;
    t->recheck_size = false;
    if (!t->session)
        try_session_init(t, now_ns);
    if (!t->session) {
        snprintf(st->reason, sizeof(st->reason), "%s", t->reason);
        return false;
    }

    try_subscribe(t, VG_KVMFR_QUEUE_FRAME, &t->frame_sub, &t->frame_resub_ns, now_ns, "frame");
    if (t->session)
        try_subscribe(t, VG_KVMFR_QUEUE_POINTER, &t->ptr_sub, &t->ptr_resub_ns, now_ns,
                      "pointer");
    /* Subscribing again after an expulsion (P6 gap) keeps the window as it is. */
    if (!t->session || (!t->frame_sub && !t->subscribed)) {
        snprintf(st->reason, sizeof(st->reason), "%s", t->reason);
        return false;
    }
    st->ready = true;
    st->new_session = t->new_session;
    t->new_session = false;
    return true;
}

static const char *lgmp_warning(struct vg_transport *t)
{
    return t->warning;
}

const struct vg_transport_ops vg_transport_lgmp = {
    .name = "lgmp",
    .description = "Looking Glass B7 (LGMP 6 / KVMFR 20)",
    .min_size = sizeof(struct vg_lgmp_header),
    .needs_write = true,
    .probe = lgmp_probe,
    .create = lgmp_create,
    .destroy = lgmp_destroy,
    .poll = lgmp_poll,
    .next_frame = vg_lgmp_next_frame,
    .copy_frame = vg_lgmp_copy_frame,
    .release_frame = vg_lgmp_release_frame,
    .next_cursor = vg_lgmp_next_cursor,
    .warning = lgmp_warning,
    .send_message = vg_lgmp_send_message,
};
