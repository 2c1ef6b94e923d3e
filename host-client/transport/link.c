#include "link.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg/log.h"
#include "vg/shm.h"
#include "vg/time.h"

/* How often a missing region is retried and a mapped one re-checked for re-creation. */
#define RETRY_NS (250 * VG_NS_PER_MS)
#define HEAD_BYTES 64

struct vg_link {
    char *path;
    uint64_t stall_ns;
    struct vg_shm shm;
    uint64_t next_check_ns;
    size_t min_size;
    const struct vg_transport_ops *ops;
    struct vg_transport *backend;
    bool was_ready;
    char last_reason[512];
    char denied_write[512];  /* why a read-write mapping was refused; "" if it was not */
    char shrunk_reason[512]; /* the file was truncated under us: said until it is remapped */
};

struct vg_link *vg_link_create(const char *path, uint64_t stall_ns)
{
    struct vg_link *l = calloc(1, sizeof(*l));
    if (!l || !(l->path = strdup(path))) {
        free(l);
        return NULL;
    }
    l->stall_ns = stall_ns;
    l->min_size = SIZE_MAX;
    for (size_t i = 0; vg_transports[i]; i++) {
        if (vg_transports[i]->min_size < l->min_size)
            l->min_size = vg_transports[i]->min_size;
    }
    return l;
}

static void drop_backend(struct vg_link *l)
{
    if (l->backend)
        l->ops->destroy(l->backend);
    l->backend = NULL;
    l->ops = NULL;
}

static void unmap(struct vg_link *l)
{
    drop_backend(l);
    vg_shm_unmap(&l->shm);
}

void vg_link_destroy(struct vg_link *l)
{
    if (!l)
        return;
    unmap(l);
    free(l->path);
    free(l);
}

/* Logs a waiting reason when it changes, so the terminal shows what the window shows. Details
 * in parentheses (a growing "no heartbeat for N ms") do not make a new line. */
static void set_reason(struct vg_link *l, struct vg_link_status *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_reason(struct vg_link *l, struct vg_link_status *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
    va_end(ap);
    size_t key = strcspn(st->reason, "(");
    if (strncmp(st->reason, l->last_reason, key) != 0 || l->last_reason[key] != st->reason[key]) {
        vg_info("waiting for guest: %s", st->reason);
        snprintf(l->last_reason, sizeof(l->last_reason), "%s", st->reason);
    }
    l->was_ready = false;
}

/* Read-write when allowed (Looking Glass needs it); read-only is enough for our protocol, so
 * a file the user may only read is still mapped, and a protocol that needs more says so. */
static bool try_map(struct vg_link *l, struct vg_link_status *st)
{
    char err[512], err_ro[512];
    int r = vg_shm_map(&l->shm, l->path, VG_SHM_WRITE, l->min_size, 0, err, sizeof(err));
    if (r == -EACCES || r == -EPERM || r == -EROFS) {
        if (vg_shm_map(&l->shm, l->path, 0, l->min_size, 0, err_ro, sizeof(err_ro)) == 0) {
            snprintf(l->denied_write, sizeof(l->denied_write), "%s", err);
            r = 0;
        }
    } else if (r == 0) {
        l->denied_write[0] = 0;
    }
    if (r < 0) {
        /* After a truncation, say so until the file is usable again. */
        if (l->shrunk_reason[0] && (r == -EMSGSIZE || r == -ENODATA))
            set_reason(l, st, "%s", l->shrunk_reason);
        else
            set_reason(l, st, "%s", err);
        return false;
    }
    l->shrunk_reason[0] = 0;
    vg_debug("mapped %s (%zu bytes)", l->path, l->shm.size);
    return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i])
            return false;
    }
    return true;
}

static void choose_backend(struct vg_link *l, const uint8_t *head, struct vg_link_status *st)
{
    for (size_t i = 0; vg_transports[i]; i++) {
        const struct vg_transport_ops *ops = vg_transports[i];
        if (!ops->probe(head, HEAD_BYTES))
            continue;
        if (ops->needs_write && !l->shm.writable) {
            set_reason(l, st, "%s holds %s data, which needs read-write access; %s", l->path,
                       ops->description, l->denied_write);
            return;
        }
        if (l->shm.size < ops->min_size) {
            set_reason(l, st, "%s holds %s data but is only %zu bytes (needs %zu)", l->path,
                       ops->description, l->shm.size, ops->min_size);
            return;
        }
        const struct vg_transport_map map = {
            .base = l->shm.base,
            .size = l->shm.size,
            .writable = l->shm.writable,
            .kind = l->shm.kind == VG_SHM_KVMFR     ? VG_MAP_KVMFR
                    : l->shm.kind == VG_SHM_PCI_BAR ? VG_MAP_PCI_BAR
                                                    : VG_MAP_SHM_FILE,
            .fd = l->shm.fd,
            .path = l->path,
        };
        l->backend = ops->create(&map, l->stall_ns);
        if (!l->backend) {
            set_reason(l, st, "cannot start the %s transport (see the log)", ops->name);
            return;
        }
        l->ops = ops;
        vg_info("%s: found %s", l->path, ops->description);
        return;
    }
    if (all_zero(head, HEAD_BYTES))
        set_reason(l, st, "%s is blank: the guest application has not started yet", l->path);
    else
        set_reason(l, st, "%s holds no protocol this client knows (unknown magic)", l->path);
}

/* The file shrank under the mapping (seen by its size, or by a read past its new end): say so
 * until it can be mapped again. */
static void shrank(struct vg_link *l, struct vg_link_status *st)
{
    size_t was = l->shm.size, now_size = 0;
    vg_shm_current_size(&l->shm, &now_size);
    unmap(l);
    set_reason(l, st,
               "region shrank to %zu bytes (was %zu): the file %s was truncated while in use; "
               "waiting until it is sized again",
               now_size, was, l->path);
    snprintf(l->shrunk_reason, sizeof(l->shrunk_reason), "%s", st->reason);
}

struct vg_transport *vg_link_poll(struct vg_link *l, uint64_t now_ns, struct vg_link_status *st,
                                  const struct vg_transport_ops **ops)
{
    st->ready = false;
    st->new_session = false;
    st->reason[0] = 0;

    /* The file was truncated under the mapping (a read past its end was caught): what is
     * mapped now reads zeros. Map it again once it is large enough. */
    if (l->shm.base && vg_shm_lost(&l->shm)) {
        shrank(l, st);
        l->next_check_ns = now_ns + RETRY_NS;
        return NULL;
    }
    if (now_ns >= l->next_check_ns) {
        l->next_check_ns = now_ns + RETRY_NS;
        if (l->shm.base && vg_shm_replaced(&l->shm)) {
            size_t now_size = 0;
            if (vg_shm_current_size(&l->shm, &now_size) == 0 && now_size < l->shm.size) {
                shrank(l, st);
            } else {
                vg_info("%s was re-created or resized; mapping it again", l->path);
                unmap(l);
            }
        }
        if (!l->shm.base && !try_map(l, st))
            return NULL;
    }
    if (!l->shm.base) {
        snprintf(st->reason, sizeof(st->reason), "%s", l->last_reason);
        return NULL;
    }

    /* The magic decides the backend; when it changes (another guest application, a zeroed
     * region) the backend goes and the region is probed again. */
    uint8_t head[HEAD_BYTES];
    memcpy(head, l->shm.base, sizeof(head));
    if (l->backend && !l->ops->probe(head, sizeof(head)))
        drop_backend(l);
    if (!l->backend)
        choose_backend(l, head, st);
    if (!l->backend)
        return NULL;

    struct vg_transport_status ts = {0};
    bool ready = l->ops->poll(l->backend, now_ns, &ts);
    if (ts.recheck_size)
        l->next_check_ns = now_ns;
    if (!ready) {
        set_reason(l, st, "%s", ts.reason);
        return NULL;
    }
    st->ready = true;
    st->new_session = ts.new_session || !l->was_ready;
    if (!l->was_ready) {
        vg_info("guest ready (%s)", l->ops->name);
        l->last_reason[0] = 0;
    }
    l->was_ready = true;
    if (ops)
        *ops = l->ops;
    return l->backend;
}
