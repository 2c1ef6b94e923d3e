/* Frames from the Looking Glass B7 host: the frame queue's messages, their KVMFRFrame headers
 * validated from a private copy, and the pixels copied as the host's trailing write pointer
 * (wp) lets them: only the damaged rects when the previous frame is in the texture. */
#include "lgmp_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vg/log.h"
#include "vg/time.h"

#define MIB (UINT64_C(1) << 20)

static bool ack(struct vg_transport *t)
{
    enum vg_lgmp_error err = VG_LGMP_E_OK;
    enum vg_lgmp_status s = vg_lgmp_client_message_done(t->frame_sub, &err);
    t->frame_open = false;
    t->wait_start_ns = 0;
    if (s == VG_LGMP_OK)
        return true;
    vg_lgmp_queue_error(t, s, err, &t->frame_sub, &t->frame_resub_ns, "frame");
    return false;
}

static enum vg_pixfmt map_type(uint32_t type)
{
    switch (type) {
    case VG_KVMFR_FRAME_RGBA:
        return VG_PIXFMT_RGBA8;
    case VG_KVMFR_FRAME_RGBA10:
        return VG_PIXFMT_RGB10A2;
    case VG_KVMFR_FRAME_RGBA16F:
        return VG_PIXFMT_RGBA16F;
    case VG_KVMFR_FRAME_BGR_32:
        return VG_PIXFMT_BGR8;
    case VG_KVMFR_FRAME_RGB_24:
        return VG_PIXFMT_RGB8;
    default:
        return VG_PIXFMT_BGRA8;
    }
}

/* formatVer is not reliable (P14): compare what the format is made of. */
static bool same_format(const struct vg_kvmfr_frame_info *a, const struct vg_kvmfr_frame_info *b)
{
    return a->type == b->type && a->frame_width == b->frame_width &&
           a->frame_height == b->frame_height && a->data_width == b->data_width &&
           a->data_height == b->data_height && a->pitch == b->pitch &&
           a->rotation == b->rotation && a->screen_width == b->screen_width &&
           a->screen_height == b->screen_height && a->format_ver == b->format_ver &&
           (a->flags & VG_KVMFR_FRAME_FLAG_HDR) == (b->flags & VG_KVMFR_FRAME_FLAG_HDR);
}

static void check_truncated(struct vg_transport *t, const struct vg_kvmfr_frame_info *fi)
{
    if (!(fi->flags & VG_KVMFR_FRAME_FLAG_TRUNCATED) && !fi->clamped) {
        t->warning[0] = 0;
        return;
    }
    uint64_t need = vg_kvmfr_recommended_size(fi->screen_height, fi->pitch);
    char w[200];
    snprintf(w, sizeof(w),
             "region too small for %ux%u (needs %llu MiB): the guest sends %u of %u rows; run "
             "vgapt-setup --ivshmem --resolution %ux%u, then restart the VM",
             fi->screen_width, fi->screen_height, (unsigned long long)(need / MIB),
             fi->data_height, fi->frame_height, fi->screen_width, fi->screen_height);
    snprintf(t->warning, sizeof(t->warning), "%s", w);
}

int vg_lgmp_next_frame(struct vg_transport *t, struct vg_frame_info *info)
{
    /* A few duplicates (re-posts for another client, P8) are skipped per call. */
    for (unsigned i = 0; i < 4 && t->frame_sub; i++) {
        struct vg_lgmp_payload p;
        enum vg_lgmp_error err = VG_LGMP_E_OK;
        enum vg_lgmp_status s =
            vg_lgmp_client_process(t->frame_sub, VG_KVMFR_FRAME_MIN_SIZE, &p, &err);
        if (s == VG_LGMP_ERR_QUEUE_EMPTY)
            return 0;
        if (s != VG_LGMP_OK) {
            vg_lgmp_queue_error(t, s, err, &t->frame_sub, &t->frame_resub_ns, "frame");
            return 0;
        }
        t->frame_open = true;

        struct vg_kvmfr_frame hdr;
        memcpy(&hdr, (const uint8_t *)t->map.base + p.offset, sizeof(hdr));
        struct vg_kvmfr_frame_info *fi = &t->fi;
        err = vg_kvmfr_validate_frame(&hdr, &p, t->map.size, fi);
        if (err != VG_LGMP_E_OK) {
            if (err != t->last_frame_error)
                vg_warn("lgmp: the guest sent an invalid frame (%s); skipping it",
                        vg_lgmp_error_str(err));
            t->last_frame_error = err;
            ack(t);
            return -EPROTO;
        }
        t->last_frame_error = VG_LGMP_E_OK;
        if (t->have_last && fi->serial == t->last_serial) {
            ack(t);
            continue;
        }

        bool full = !t->have_last || t->force_full || !same_format(fi, &t->last_fmt);
        if (!t->have_last || !same_format(fi, &t->last_fmt))
            check_truncated(t, fi);
        t->force_full = false;
        t->serial64 = t->serial_valid ? t->serial64 + (uint32_t)(fi->serial - t->last_serial)
                                      : fi->serial;
        t->serial_valid = true;
        t->last_serial = fi->serial;
        t->last_fmt = *fi;
        t->have_last = true;

        *info = (struct vg_frame_info){
            .serial = t->serial64,
            .format = map_type(fi->type),
            .width = fi->frame_width,
            .height = fi->frame_height,
            .data_height = fi->data_height < fi->frame_height ? fi->data_height : fi->frame_height,
            .stride = fi->pitch,
            .rotation = (enum vg_rotation)fi->rotation,
            .screen_width = fi->screen_width,
            .screen_height = fi->screen_height,
            .n_damage = full ? 0 : fi->n_damage,
        };
        if (fi->flags & VG_KVMFR_FRAME_FLAG_TRUNCATED)
            info->flags |= VG_FRAME_TRUNCATED;
        if (fi->flags & VG_KVMFR_FRAME_FLAG_HDR)
            info->flags |= VG_FRAME_HDR;
        if (fi->flags & VG_KVMFR_FRAME_FLAG_HDR_PQ)
            info->flags |= VG_FRAME_HDR_PQ;
        for (uint32_t r = 0; r < info->n_damage; r++) {
            const struct vg_kvmfr_damage_rect *d = &fi->damage[r];
            info->damage[r] = (struct vg_rect){d->x, d->y, d->width, d->height};
        }
        t->last_loss[0] = 0; /* a healthy session: the next loss is news again */
        return 1;
    }
    return 0;
}

/* Bytes of pixel data the copy of these rects reads: up to the end of the last row touched. */
static uint64_t bytes_needed(const struct vg_frame_info *info, uint32_t pitch,
                             const struct vg_rect *rects, uint32_t n)
{
    uint64_t rows = info->data_height;
    if (n == 0)
        return rows * pitch;
    uint64_t end = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t bottom = (uint64_t)rects[i].y + rects[i].h;
        if (bottom > rows)
            bottom = rows;
        if (bottom > end)
            end = bottom;
    }
    return end * pitch;
}

int vg_lgmp_copy_frame(struct vg_transport *t, const struct vg_frame_info *info, void *dst,
                       size_t dst_stride, const struct vg_rect *rects, uint32_t n)
{
    if (!t->frame_open || !t->frame_sub)
        return VG_COPY_TORN;
    const struct vg_kvmfr_frame_info *fi = &t->fi;
    const uint8_t *base = t->map.base;

    uint64_t need = bytes_needed(info, fi->pitch, rects, n);
    if (need > fi->data_size)
        need = fi->data_size;
    uint32_t wp = __atomic_load_n((const uint32_t *)(base + fi->wp_offset), __ATOMIC_ACQUIRE);
    if (wp < need) {
        uint64_t now = vg_time_ns();
        if (!t->wait_start_ns)
            t->wait_start_ns = now;
        if (now - t->wait_start_ns < VG_LGMP_WP_WAIT_NS)
            return VG_COPY_NOT_YET;
        /* P13: the host stopped mid-frame (or is B7's XCB backend). Show what is there, as
         * B7 does, and copy the next frame whole. */
        t->incomplete_frames++;
        t->force_full = true;
        if (!t->warned_incomplete)
            vg_warn("lgmp: the guest's host application stopped writing frame %u at %u of "
                    "%llu bytes; showing what it wrote (further such frames are counted)",
                    fi->serial, wp, (unsigned long long)need);
        t->warned_incomplete = true;
    }

    size_t bpp = vg_pixfmt_bpp(info->format);
    size_t row_bytes = (size_t)info->width * bpp;
    if (row_bytes > fi->row_bytes)
        row_bytes = fi->row_bytes;
    if (row_bytes > dst_stride)
        row_bytes = dst_stride;
    const uint8_t *src = base + fi->data_offset;
    uint8_t *out = dst;
    uint32_t rows = info->data_height;
    if (n == 0) {
        for (uint32_t y = 0; y < rows; y++)
            memcpy(out + (size_t)y * dst_stride, src + (size_t)y * fi->pitch, row_bytes);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            const struct vg_rect *r = &rects[i];
            if (r->x >= info->width || r->y >= rows)
                continue;
            uint32_t w = r->w < info->width - r->x ? r->w : info->width - r->x;
            uint32_t h = r->h < rows - r->y ? r->h : rows - r->y;
            size_t x0 = (size_t)r->x * bpp, len = (size_t)w * bpp;
            if (x0 >= row_bytes)
                continue;
            if (len > row_bytes - x0)
                len = row_bytes - x0;
            for (uint32_t y = r->y; y < r->y + h; y++)
                memcpy(out + (size_t)y * dst_stride + x0, src + (size_t)y * fi->pitch + x0, len);
        }
    }

    /* The slot stays ours until we acknowledge it, unless the host expelled us meanwhile (P5):
     * then what we copied may be a newer frame's. */
    struct vg_lgmp_payload again;
    if (vg_lgmp_client_process(t->frame_sub, VG_KVMFR_FRAME_MIN_SIZE, &again, NULL) != VG_LGMP_OK)
        return VG_COPY_TORN;
    return 0;
}

void vg_lgmp_release_frame(struct vg_transport *t)
{
    if (t->frame_open && t->frame_sub)
        ack(t);
    t->frame_open = false;
    t->wait_start_ns = 0;
}
