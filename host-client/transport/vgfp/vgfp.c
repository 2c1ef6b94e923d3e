/* Transport backend for the vgapt frame protocol (guest-protocol/, docs/protocol.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"
#include "vg/fp.h"
#include "vg/log.h"

struct vg_transport {
    struct vg_fp_consumer *consumer;
    uint8_t *shape; /* the last cursor shape copied, VG_FP_CURSOR_SHAPE_BYTES */
    struct vg_fp_frame frame; /* the frame between next_frame and release_frame */
    enum vg_fp_error last_error;
};

static bool vgfp_probe(const uint8_t *head, size_t len)
{
    uint64_t magic;
    if (len < sizeof(magic))
        return false;
    memcpy(&magic, head, sizeof(magic));
    return magic == VG_FP_MAGIC;
}

static struct vg_transport *vgfp_create(const struct vg_transport_map *map, uint64_t stall_ns)
{
    struct vg_transport *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->shape = malloc(VG_FP_CURSOR_SHAPE_BYTES);
    t->consumer = t->shape ? vg_fp_consumer_create(map->base, map->size, map->writable, stall_ns)
                           : NULL;
    if (!t->consumer) {
        free(t->shape);
        free(t);
        return NULL;
    }
    return t;
}

static void vgfp_destroy(struct vg_transport *t)
{
    if (!t)
        return;
    vg_fp_consumer_destroy(t->consumer);
    free(t->shape);
    free(t);
}

static bool vgfp_poll(struct vg_transport *t, uint64_t now_ns, struct vg_transport_status *st)
{
    struct vg_fp_status_info info;
    enum vg_fp_status s = vg_fp_consumer_poll(t->consumer, now_ns, &info);
    /* "Running but nothing published yet" is ready: the first frame is on its way. */
    st->ready = s == VG_FP_READY || s == VG_FP_WAIT_NO_FRAME;
    st->new_session = info.new_session;
    snprintf(st->reason, sizeof(st->reason), "%s", info.reason);
    return st->ready;
}

static enum vg_pixfmt map_format(uint32_t f)
{
    switch (f) {
    case VG_FP_FORMAT_RGBA8:
        return VG_PIXFMT_RGBA8;
    case VG_FP_FORMAT_RGB10A2:
        return VG_PIXFMT_RGB10A2;
    case VG_FP_FORMAT_RGBA16F:
        return VG_PIXFMT_RGBA16F;
    default:
        return VG_PIXFMT_BGRA8;
    }
}

static int vgfp_next_frame(struct vg_transport *t, struct vg_frame_info *info)
{
    enum vg_fp_error err = VG_FP_OK;
    int r = vg_fp_consumer_next_frame(t->consumer, &t->frame, &err);
    if (r < 0) {
        if (err != t->last_error)
            vg_warn("guest published an invalid frame: %s", vg_fp_error_str(err));
        t->last_error = err;
        return r;
    }
    if (r == 0)
        return 0;
    const struct vg_fp_frame *f = &t->frame;
    info->serial = f->serial;
    info->format = map_format(f->format);
    info->width = f->width;
    info->height = f->height;
    info->data_height = f->height;
    info->screen_width = f->width;
    info->screen_height = f->height;
    info->rotation = VG_ROTATE_0;
    info->flags = 0;
    info->stride = f->stride;
    info->n_damage = f->damage_count;
    _Static_assert(sizeof(struct vg_rect) == sizeof(struct vg_fp_rect), "rect layouts");
    memcpy(info->damage, f->damage, sizeof(struct vg_rect) * f->damage_count);
    /* On our clock when the consumer can relate the producer's to it (a guest's clock after a
     * few heartbeats); until then no latency rather than one of days. */
    uint64_t capture_local = 0;
    info->capture_clock_host =
        vg_fp_consumer_capture_time(t->consumer, f->capture_ns, &capture_local);
    info->capture_ns = info->capture_clock_host ? capture_local : f->capture_ns;
    return 1;
}

static int vgfp_copy_frame(struct vg_transport *t, const struct vg_frame_info *info, void *dst,
                           size_t dst_stride, const struct vg_rect *rects, uint32_t n)
{
    return vg_fp_consumer_copy(t->consumer, &t->frame, dst, dst_stride,
                               (const struct vg_fp_rect *)rects, n);
}

static void vgfp_release_frame(struct vg_transport *t)
{
    vg_fp_consumer_done(t->consumer);
}

static int vgfp_next_cursor(struct vg_transport *t, struct vg_cursor_info *ci)
{
    struct vg_fp_cursor_state cs = {0};
    int r = vg_fp_consumer_cursor(t->consumer, &cs, t->shape, VG_FP_CURSOR_SHAPE_BYTES);
    if (r <= 0)
        return r;
    /* Only what changed is valid in cs: a shape-only update leaves the position unread. */
    if (r & VG_CURSOR_NEW_POS) {
        ci->x = cs.x;
        ci->y = cs.y;
        ci->visible = cs.visible;
    }
    if (r & VG_CURSOR_NEW_SHAPE) {
        ci->shape_serial = cs.shape_serial;
        ci->shape = (struct vg_cursor_shape){
            .type = VG_CURSOR_COLOR,
            .width = cs.width,
            .height = cs.height,
            .hot_x = (int32_t)cs.hot_x,
            .hot_y = (int32_t)cs.hot_y,
            .pitch = cs.width * 4,
            .pixels = t->shape,
        };
    }
    return r;
}

const struct vg_transport_ops vg_transport_vgfp = {
    .name = "vgfp",
    .description = "vgapt frame protocol (vgapt-guest)",
    .min_size = VG_FP_SLOTS_OFFSET + VG_FP_MIN_SLOTS * 2 * VG_FP_PAGE,
    .needs_write = false,
    .probe = vgfp_probe,
    .create = vgfp_create,
    .destroy = vgfp_destroy,
    .poll = vgfp_poll,
    .next_frame = vgfp_next_frame,
    .copy_frame = vgfp_copy_frame,
    .release_frame = vgfp_release_frame,
    .next_cursor = vgfp_next_cursor,
};
