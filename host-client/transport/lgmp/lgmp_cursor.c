/* The Looking Glass B7 host's pointer queue: every message copied (shape included) and
 * acknowledged at once, since the host reuses its 3 shape buffers (P11); and the one message
 * a B7 host takes back, SETCURSORPOS. */
#include "lgmp_priv.h"

#include <errno.h>
#include <string.h>

#include "vg/log.h"

static enum vg_cursor_type map_type(uint32_t type)
{
    switch (type) {
    case VG_KVMFR_CURSOR_MONOCHROME:
        return VG_CURSOR_MONOCHROME;
    case VG_KVMFR_CURSOR_MASKED_COLOR:
        return VG_CURSOR_MASKED_COLOR;
    default:
        return VG_CURSOR_COLOR_PREMUL; /* B7 blends COLOR shapes as premultiplied */
    }
}

/* Applies one validated message; returns the VG_CURSOR_* bits it changed. */
static int apply(struct vg_transport *t, const struct vg_kvmfr_cursor_info *ci)
{
    int bits = 0;
    bool visible = (ci->flags & VG_KVMFR_CURSOR_FLAG_VISIBLE) != 0;
    if (visible != t->visible)
        bits |= VG_CURSOR_NEW_POS;
    t->visible = visible;
    if (ci->flags & VG_KVMFR_CURSOR_FLAG_SHAPE) {
        memcpy(t->shape, (const uint8_t *)t->map.base + ci->shape_offset, ci->shape_bytes);
        t->cur_shape = (struct vg_cursor_shape){
            .type = map_type(ci->type),
            .width = ci->width,
            .height = ci->height,
            .hot_x = ci->hx,
            .hot_y = ci->hy,
            .pitch = ci->pitch,
            .pixels = t->shape,
        };
        t->shape_serial++;
        bits |= VG_CURSOR_NEW_SHAPE | VG_CURSOR_NEW_POS; /* the hotspot moves with the shape */
    }
    if (ci->flags & VG_KVMFR_CURSOR_FLAG_POSITION) {
        t->img_x = ci->x;
        t->img_y = ci->y;
        bits |= VG_CURSOR_NEW_POS;
    }
    return bits;
}

int vg_lgmp_next_cursor(struct vg_transport *t, struct vg_cursor_info *out)
{
    int bits = 0;
    for (unsigned i = 0; i < VG_LGMP_CURSOR_BATCH && t->ptr_sub; i++) {
        struct vg_lgmp_payload p;
        enum vg_lgmp_error err = VG_LGMP_E_OK;
        enum vg_lgmp_status s =
            vg_lgmp_client_process(t->ptr_sub, VG_KVMFR_CURSOR_MIN_SIZE, &p, &err);
        if (s == VG_LGMP_ERR_QUEUE_EMPTY)
            break;
        if (s != VG_LGMP_OK) {
            vg_lgmp_queue_error(t, s, err, &t->ptr_sub, &t->ptr_resub_ns, "pointer");
            break;
        }
        struct vg_kvmfr_cursor hdr;
        memcpy(&hdr, (const uint8_t *)t->map.base + p.offset, sizeof(hdr));
        struct vg_kvmfr_cursor_info ci;
        err = vg_kvmfr_validate_cursor(&hdr, p.udata, &p, &ci);
        if (err == VG_LGMP_E_OK) {
            bits |= apply(t, &ci);
            t->last_cursor_error = VG_LGMP_E_OK;
        } else {
            if (err != t->last_cursor_error)
                vg_warn("lgmp: the guest sent an invalid cursor (%s); skipping it",
                        vg_lgmp_error_str(err));
            t->last_cursor_error = err;
        }
        s = vg_lgmp_client_message_done(t->ptr_sub, &err);
        if (s != VG_LGMP_OK) {
            vg_lgmp_queue_error(t, s, err, &t->ptr_sub, &t->ptr_resub_ns, "pointer");
            break;
        }
    }
    /* A message later in the batch ended the session: what came before it is of a dead
     * session (and its shape serial was reset). */
    if (!t->session)
        return 0;
    if (bits & VG_CURSOR_NEW_POS) {
        out->x = t->img_x + (t->shape_serial ? t->cur_shape.hot_x : 0);
        out->y = t->img_y + (t->shape_serial ? t->cur_shape.hot_y : 0);
        out->visible = t->visible;
    }
    if (bits & VG_CURSOR_NEW_SHAPE) {
        out->shape_serial = t->shape_serial;
        out->shape = t->cur_shape;
    }
    return bits;
}

int vg_lgmp_send_message(struct vg_transport *t, const struct vg_guest_message *msg)
{
    if (msg->type != VG_GUEST_MSG_CURSOR_POS)
        return -ENOTSUP; /* KVMFR 20 has no other client message */
    if (!(t->kvmfr.features & VG_KVMFR_FEATURE_SETCURSORPOS))
        return -ENOTSUP; /* the Linux host does not move its cursor */
    if (!t->ptr_sub)
        return -EAGAIN;
    if (t->cmsg_broken)
        return -EPROTO;
    const struct vg_kvmfr_set_cursor_pos m = {
        .type = VG_KVMFR_MSG_SETCURSORPOS, .x = msg->x, .y = msg->y};
    uint32_t serial;
    enum vg_lgmp_error err = VG_LGMP_E_OK;
    enum vg_lgmp_status s = vg_lgmp_client_send(t->ptr_sub, &m, sizeof(m), &serial, &err);
    switch (s) {
    case VG_LGMP_OK:
        return 0;
    case VG_LGMP_ERR_QUEUE_FULL:
        return -EAGAIN;
    case VG_LGMP_ERR_CORRUPTED:
        vg_warn("lgmp: the guest's message ring is corrupt (%s); no more cursor moves are sent "
                "this session",
                vg_lgmp_error_str(err));
        t->cmsg_broken = true;
        return -EPROTO;
    default:
        vg_lgmp_queue_error(t, s, err, &t->ptr_sub, &t->ptr_resub_ns, "pointer");
        return -EAGAIN;
    }
}
