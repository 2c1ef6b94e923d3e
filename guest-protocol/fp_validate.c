/* Validator of the frame protocol: pure functions over private copies of shared fields. */
#include "vg/fp.h"

#include <strings.h>

static const char *const error_strs[VG_FP_ERR_COUNT] = {
    [VG_FP_OK] = "no error",
    [VG_FP_ERR_MAGIC] = "no vgapt frame protocol magic at the start of the region",
    [VG_FP_ERR_VERSION] = "unsupported protocol version",
    [VG_FP_ERR_HEADER_SIZE] = "header size does not match this protocol version",
    [VG_FP_ERR_REGION_SIZE] = "region size larger than the shared memory or too small",
    [VG_FP_ERR_SESSION] = "session id is 0",
    [VG_FP_ERR_STATE] = "unknown producer state",
    [VG_FP_ERR_CLOCK] = "unknown capture clock",
    [VG_FP_ERR_SLOT_COUNT] = "slot count outside 3..8",
    [VG_FP_ERR_SLOT_SIZE] = "slot size not a page multiple, too small or too large",
    [VG_FP_ERR_SLOT_OFFSET] =
        "slot offset misaligned, inside the header, past the end of the region or overlapping",
    [VG_FP_ERR_LATEST] = "latest frame names a slot that does not exist",
    [VG_FP_ERR_FORMAT] = "unknown pixel format",
    [VG_FP_ERR_DIMENSIONS] = "frame width or height 0 or larger than 16384",
    [VG_FP_ERR_STRIDE] = "frame stride smaller than a row of pixels",
    [VG_FP_ERR_FRAME_SIZE] = "frame larger than its slot",
    [VG_FP_ERR_DATA_OFFSET] = "frame data offset is not one page",
    [VG_FP_ERR_DAMAGE_COUNT] = "more than 16 damage rectangles",
    [VG_FP_ERR_DAMAGE_RECT] = "damage rectangle empty or outside the frame",
    [VG_FP_ERR_FLAGS] = "unknown frame flags",
    [VG_FP_ERR_CURSOR_SIZE] = "cursor shape size or stride out of range",
    [VG_FP_ERR_CURSOR_HOTSPOT] = "cursor hotspot outside the shape",
    [VG_FP_ERR_CURSOR_VISIBLE] = "cursor visibility not 0 or 1",
};

const char *vg_fp_error_str(enum vg_fp_error e)
{
    if ((unsigned)e >= VG_FP_ERR_COUNT)
        return "unknown error";
    return error_strs[e];
}

static const struct {
    const char *name;
    uint32_t bpp;
} formats[VG_FP_FORMAT_COUNT] = {
    [VG_FP_FORMAT_BGRA8] = {"BGRA8", 4},
    [VG_FP_FORMAT_RGBA8] = {"RGBA8", 4},
    [VG_FP_FORMAT_RGB10A2] = {"RGB10A2", 4},
    [VG_FP_FORMAT_RGBA16F] = {"RGBA16F", 8},
};

const char *vg_fp_format_name(uint32_t format)
{
    if (format == VG_FP_FORMAT_INVALID || format >= VG_FP_FORMAT_COUNT)
        return NULL;
    return formats[format].name;
}

enum vg_fp_format vg_fp_format_parse(const char *name)
{
    if (!name)
        return VG_FP_FORMAT_INVALID;
    for (uint32_t f = VG_FP_FORMAT_INVALID + 1; f < VG_FP_FORMAT_COUNT; f++) {
        if (strcasecmp(name, formats[f].name) == 0)
            return (enum vg_fp_format)f;
    }
    return VG_FP_FORMAT_INVALID;
}

uint32_t vg_fp_format_bpp(uint32_t format)
{
    if (format == VG_FP_FORMAT_INVALID || format >= VG_FP_FORMAT_COUNT)
        return 0;
    return formats[format].bpp;
}

enum vg_fp_error vg_fp_validate_header(const struct vg_fp_header *h, uint64_t map_size,
                                       struct vg_fp_layout *layout)
{
    if (h->magic != VG_FP_MAGIC)
        return VG_FP_ERR_MAGIC;
    if (h->version != VG_FP_VERSION)
        return VG_FP_ERR_VERSION;
    if (h->header_size != sizeof(struct vg_fp_header))
        return VG_FP_ERR_HEADER_SIZE;
    if (h->region_size < VG_FP_SLOTS_OFFSET || h->region_size > map_size)
        return VG_FP_ERR_REGION_SIZE;
    if (h->session == 0)
        return VG_FP_ERR_SESSION;
    if (h->state > VG_FP_STATE_STOPPED)
        return VG_FP_ERR_STATE;
    if (h->clock > VG_FP_CLOCK_HOST_MONOTONIC)
        return VG_FP_ERR_CLOCK;
    if (h->slot_count < VG_FP_MIN_SLOTS || h->slot_count > VG_FP_MAX_SLOTS)
        return VG_FP_ERR_SLOT_COUNT;

    /* region_size >= VG_FP_SLOTS_OFFSET was checked above: no underflow. */
    const uint64_t end = h->region_size;
    const uint64_t room = end - VG_FP_SLOTS_OFFSET;
    const uint64_t size = h->slot_size;
    if (size % VG_FP_PAGE != 0 || size <= VG_FP_SLOT_DATA_OFFSET || size > room)
        return VG_FP_ERR_SLOT_SIZE;

    for (uint32_t i = 0; i < h->slot_count; i++) {
        const uint64_t off = h->slot_offset[i];
        uint64_t slot_end;
        if (off % VG_FP_PAGE != 0 || off < VG_FP_SLOTS_OFFSET)
            return VG_FP_ERR_SLOT_OFFSET;
        if (__builtin_add_overflow(off, size, &slot_end) || slot_end > end)
            return VG_FP_ERR_SLOT_OFFSET;
        /* All slots have one size: two overlap exactly when their starts are closer than it. */
        for (uint32_t j = 0; j < i; j++) {
            const uint64_t other = h->slot_offset[j];
            const uint64_t dist = off > other ? off - other : other - off;
            if (dist < size)
                return VG_FP_ERR_SLOT_OFFSET;
        }
    }

    if (h->latest != 0) {
        if (VG_FP_LATEST_SERIAL(h->latest) == 0 || VG_FP_LATEST_SLOT(h->latest) >= h->slot_count)
            return VG_FP_ERR_LATEST;
    }

    if (layout) {
        *layout = (struct vg_fp_layout){
            .session = h->session,
            .slot_count = h->slot_count,
            .slot_size = size,
            .clock = h->clock,
        };
        for (uint32_t i = 0; i < h->slot_count; i++)
            layout->slot_offset[i] = h->slot_offset[i];
    }
    return VG_FP_OK;
}

/* Whether r lies inside a width x height frame and is not empty. */
bool vg_fp_rect_inside(const struct vg_fp_rect *r, uint32_t width, uint32_t height)
{
    uint32_t x_end, y_end;
    if (r->w == 0 || r->h == 0)
        return false;
    if (__builtin_add_overflow(r->x, r->w, &x_end) || x_end > width)
        return false;
    if (__builtin_add_overflow(r->y, r->h, &y_end) || y_end > height)
        return false;
    return true;
}

enum vg_fp_error vg_fp_validate_slot(const struct vg_fp_slot *s, const struct vg_fp_layout *l,
                                     uint32_t slot, struct vg_fp_frame *out)
{
    if (slot >= l->slot_count || slot >= VG_FP_MAX_SLOTS)
        return VG_FP_ERR_LATEST;

    const uint32_t bpp = vg_fp_format_bpp(s->format);
    if (bpp == 0)
        return VG_FP_ERR_FORMAT;
    if (s->width == 0 || s->width > VG_FP_MAX_DIM || s->height == 0 || s->height > VG_FP_MAX_DIM)
        return VG_FP_ERR_DIMENSIONS;

    uint32_t row_bytes;
    if (__builtin_mul_overflow(s->width, bpp, &row_bytes) || s->stride < row_bytes)
        return VG_FP_ERR_STRIDE;
    if (s->data_offset != VG_FP_SLOT_DATA_OFFSET)
        return VG_FP_ERR_DATA_OFFSET;

    uint64_t data_size, used;
    if (__builtin_mul_overflow((uint64_t)s->stride, (uint64_t)s->height, &data_size) ||
        __builtin_add_overflow(data_size, (uint64_t)s->data_offset, &used) || used > l->slot_size)
        return VG_FP_ERR_FRAME_SIZE;

    if (s->damage_count > VG_FP_MAX_DAMAGE)
        return VG_FP_ERR_DAMAGE_COUNT;
    for (uint32_t i = 0; i < s->damage_count; i++) {
        if (!vg_fp_rect_inside(&s->damage[i], s->width, s->height))
            return VG_FP_ERR_DAMAGE_RECT;
    }
    if (s->flags != 0)
        return VG_FP_ERR_FLAGS;

    /* The layout was validated: slot_offset + slot_size cannot overflow, so neither can this. */
    uint64_t data_start;
    if (__builtin_add_overflow(l->slot_offset[slot], (uint64_t)s->data_offset, &data_start))
        return VG_FP_ERR_SLOT_OFFSET;

    if (out) {
        *out = (struct vg_fp_frame){
            .serial = s->serial,
            .slot = slot,
            .format = s->format,
            .width = s->width,
            .height = s->height,
            .stride = s->stride,
            .capture_ns = s->capture_ns,
            .damage_count = s->damage_count,
            .data_offset = data_start,
            .data_size = data_size,
        };
        for (uint32_t i = 0; i < s->damage_count; i++)
            out->damage[i] = s->damage[i];
    }
    return VG_FP_OK;
}

enum vg_fp_error vg_fp_validate_cursor_shape(const struct vg_fp_cursor *c)
{
    if (c->width == 0 || c->width > VG_FP_CURSOR_MAX_DIM || c->height == 0 ||
        c->height > VG_FP_CURSOR_MAX_DIM)
        return VG_FP_ERR_CURSOR_SIZE;
    /* width <= 256 and height <= 256: these products fit in 32 bits. */
    uint64_t bytes;
    if (c->stride < c->width * 4u ||
        __builtin_mul_overflow((uint64_t)c->stride, (uint64_t)c->height, &bytes) ||
        bytes > VG_FP_CURSOR_SHAPE_BYTES)
        return VG_FP_ERR_CURSOR_SIZE;
    if (c->hot_x >= c->width || c->hot_y >= c->height)
        return VG_FP_ERR_CURSOR_HOTSPOT;
    return VG_FP_OK;
}

enum vg_fp_error vg_fp_validate_cursor_pos(const struct vg_fp_cursor *c)
{
    if (c->visible > 1)
        return VG_FP_ERR_CURSOR_VISIBLE;
    return VG_FP_OK;
}

uint64_t vg_fp_region_size_for(uint32_t w, uint32_t h, uint32_t format, uint32_t slot_count)
{
    const uint32_t bpp = vg_fp_format_bpp(format);
    if (bpp == 0 || w == 0 || w > VG_FP_MAX_DIM || h == 0 || h > VG_FP_MAX_DIM)
        return 0;
    if (slot_count < VG_FP_MIN_SLOTS || slot_count > VG_FP_MAX_SLOTS)
        return 0;

    uint64_t frame, slot, slots, total;
    if (__builtin_mul_overflow((uint64_t)w * bpp, (uint64_t)h, &frame) ||
        __builtin_add_overflow(frame, (uint64_t)VG_FP_SLOT_DATA_OFFSET + VG_FP_PAGE - 1, &slot))
        return 0;
    slot -= slot % VG_FP_PAGE;
    if (__builtin_mul_overflow(slot, (uint64_t)slot_count, &slots) ||
        __builtin_add_overflow(slots, (uint64_t)VG_FP_SLOTS_OFFSET, &total))
        return 0;
    return total;
}
