/* Validators of Looking Glass B7 (LGMP 6 / KVMFR 20): pure functions over private copies of
 * shared fields, one enum vg_lgmp_error per check of the spec's hostile-host table (§7.2).
 * All offset arithmetic is 64-bit and overflow-checked.
 *
 * Where vg/lgmp.h leaves a choice open, the spec decides; each such place says so below. */
#include "vg/lgmp.h"

#include <string.h>

static const char *const error_strs[VG_LGMP_E_COUNT_] = {
    [VG_LGMP_E_OK] = "no error",
    [VG_LGMP_E_REGION_SIZE] = "shared memory smaller than the LGMP header (5760 bytes)",
    [VG_LGMP_E_MAGIC] = "no LGMP magic at the start of the shared memory",
    [VG_LGMP_E_VERSION] = "unsupported LGMP version (this client speaks 6, Looking Glass B7)",
    [VG_LGMP_E_UDATA_SIZE] = "user data smaller than the KVMFR block or past the shared memory",
    [VG_LGMP_E_NUM_QUEUES] = "more than 5 LGMP queues",
    [VG_LGMP_E_KVMFR_MAGIC] = "user data does not start with the KVMFR magic",
    [VG_LGMP_E_KVMFR_VERSION] = "unsupported KVMFR version (this client speaks 20, B7)",
    [VG_LGMP_E_RECORD] = "a KVMFR record runs past the user data",
    [VG_LGMP_E_QUEUE_MESSAGES] = "queue ring size below 2 or above 1024",
    [VG_LGMP_E_QUEUE_OFFSET] =
        "queue descriptor array misaligned, inside the header or past the shared memory",
    [VG_LGMP_E_QUEUE_CHANGED] = "queue geometry changed since subscribing",
    [VG_LGMP_E_INDEX] = "queue position or start outside its ring",
    [VG_LGMP_E_MSG_BOUNDS] = "message payload runs past the shared memory",
    [VG_LGMP_E_MSG_OVERLAP] = "message payload inside the header or descriptor arrays",
    [VG_LGMP_E_MSG_SIZE] = "message payload too small for its header",
    [VG_LGMP_E_FRAME_TYPE] = "unknown frame type",
    [VG_LGMP_E_FRAME_ROTATION] = "unknown frame rotation",
    [VG_LGMP_E_FRAME_OFFSET] = "frame buffer offset inside the frame header, past the slot or "
                               "misaligned",
    [VG_LGMP_E_FRAME_PITCH] = "frame pitch zero, smaller than its width or not stride * texel",
    [VG_LGMP_E_FRAME_DIMENSIONS] =
        "frame dimension zero, above 16384 or not matching the frame type",
    [VG_LGMP_E_CURSOR_TYPE] = "unknown cursor shape type",
    [VG_LGMP_E_CURSOR_DIMENSIONS] = "cursor shape width or height zero, above 512 or odd for "
                                    "a monochrome shape",
    [VG_LGMP_E_CURSOR_PITCH] = "cursor shape pitch smaller than its width",
    [VG_LGMP_E_CURSOR_SIZE] = "cursor shape larger than its buffer or 1 MiB",
    [VG_LGMP_E_COUNT_UNDERFLOW] = "queue message count underflowed",
    [VG_LGMP_E_LOCK_TIMEOUT] = "a shared queue lock stayed held (host or another client stuck)",
    [VG_LGMP_E_CMSG_STATE] = "client message ring counters out of range",
};

const char *vg_lgmp_error_str(enum vg_lgmp_error e)
{
    if ((unsigned)e >= VG_LGMP_E_COUNT_ || !error_strs[e])
        return "unknown error";
    return error_strs[e];
}

static const char *const status_strs[] = {
    [VG_LGMP_OK] = "OK",
    [VG_LGMP_ERR_CLOCK_FAILURE] = "CLOCK_FAILURE",
    [VG_LGMP_ERR_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
    [VG_LGMP_ERR_INVALID_SIZE] = "INVALID_SIZE",
    [VG_LGMP_ERR_INVALID_ALIGNMENT] = "INVALID_ALIGNMENT",
    [VG_LGMP_ERR_INVALID_SESSION] = "INVALID_SESSION",
    [VG_LGMP_ERR_NO_MEM] = "NO_MEM",
    [VG_LGMP_ERR_NO_SHARED_MEM] = "NO_SHARED_MEM",
    [VG_LGMP_ERR_HOST_STARTED] = "HOST_STARTED",
    [VG_LGMP_ERR_NO_QUEUES] = "NO_QUEUES",
    [VG_LGMP_ERR_QUEUE_FULL] = "QUEUE_FULL",
    [VG_LGMP_ERR_QUEUE_EMPTY] = "QUEUE_EMPTY",
    [VG_LGMP_ERR_QUEUE_UNSUBSCRIBED] = "QUEUE_UNSUBSCRIBED",
    [VG_LGMP_ERR_QUEUE_TIMEOUT] = "QUEUE_TIMEOUT",
    [VG_LGMP_ERR_INVALID_MAGIC] = "INVALID_MAGIC",
    [VG_LGMP_ERR_INVALID_VERSION] = "INVALID_VERSION",
    [VG_LGMP_ERR_NO_SUCH_QUEUE] = "NO_SUCH_QUEUE",
    [VG_LGMP_ERR_CORRUPTED] = "CORRUPTED",
};

const char *vg_lgmp_status_str(enum vg_lgmp_status s)
{
    if ((unsigned)s >= sizeof(status_strs) / sizeof(status_strs[0]))
        return "UNKNOWN";
    return status_strs[s];
}

enum vg_lgmp_error vg_lgmp_validate_header(const struct vg_lgmp_header *h, uint64_t region_size)
{
    if (region_size < sizeof(struct vg_lgmp_header))
        return VG_LGMP_E_REGION_SIZE;
    if (h->magic != VG_LGMP_MAGIC)
        return VG_LGMP_E_MAGIC;
    if (h->version != VG_LGMP_VERSION)
        return VG_LGMP_E_VERSION;
    if (h->udata_size < sizeof(struct vg_kvmfr) ||
        (uint64_t)VG_LGMP_UDATA_OFFSET + h->udata_size > region_size)
        return VG_LGMP_E_UDATA_SIZE;
    if (h->num_queues > VG_LGMP_MAX_QUEUES)
        return VG_LGMP_E_NUM_QUEUES;
    return VG_LGMP_E_OK;
}

/* The first byte a descriptor array may use: past the header struct and the user data. The
 * spec's floor is 5756 + udataSize; with udataSize >= 48 that is past sizeof (5760) anyway,
 * and the max keeps an unvalidated udata_size from letting an array overlap the header. */
static uint64_t udata_end(uint32_t udata_size)
{
    const uint64_t end = (uint64_t)VG_LGMP_UDATA_OFFSET + udata_size;
    return end < sizeof(struct vg_lgmp_header) ? sizeof(struct vg_lgmp_header) : end;
}

enum vg_lgmp_error vg_lgmp_validate_queue(uint32_t index, uint32_t queue_id, uint32_t num_messages,
                                          uint32_t messages_offset, uint32_t max_time,
                                          uint32_t udata_size, uint64_t region_size,
                                          struct vg_lgmp_queue_geom *out)
{
    if (index >= VG_LGMP_MAX_QUEUES)
        return VG_LGMP_E_NUM_QUEUES;
    if (num_messages < 2 || num_messages > VG_LGMP_MAX_QUEUE_MESSAGES)
        return VG_LGMP_E_QUEUE_MESSAGES;
    if (messages_offset % 4 != 0 || messages_offset < udata_end(udata_size))
        return VG_LGMP_E_QUEUE_OFFSET;
    /* num_messages <= 1024: the product and the sum fit easily in 64 bits. */
    const uint64_t end =
        (uint64_t)messages_offset + (uint64_t)num_messages * sizeof(struct vg_lgmp_message);
    if (end > region_size)
        return VG_LGMP_E_QUEUE_OFFSET;
    if (out) {
        *out = (struct vg_lgmp_queue_geom){
            .index = index,
            .queue_id = queue_id,
            .num_messages = num_messages,
            .messages_offset = messages_offset,
            .max_time = max_time,
        };
    }
    return VG_LGMP_E_OK;
}

enum vg_lgmp_error vg_lgmp_validate_message(const struct vg_lgmp_message *m, uint64_t payload_floor,
                                            uint64_t region_size, uint32_t min_size,
                                            struct vg_lgmp_payload *out)
{
    const uint64_t offset = m->offset;
    const uint64_t end = offset + m->size; /* two u32: cannot overflow 64 bits */
    if (end > region_size)
        return VG_LGMP_E_MSG_BOUNDS;
    if (offset < payload_floor)
        return VG_LGMP_E_MSG_OVERLAP;
    if (m->size < min_size)
        return VG_LGMP_E_MSG_SIZE;
    if (out)
        *out = (struct vg_lgmp_payload){.udata = m->udata, .size = m->size, .offset = offset};
    return VG_LGMP_E_OK;
}

/* Copies at most src_len bytes of an untrusted string, stopping at its NUL, into dst (always
 * NUL-terminated). Control characters become '?' so the text is safe to log or show. */
static void copy_text(char *dst, size_t dst_size, const uint8_t *src, size_t src_len)
{
    size_t n = 0;
    while (n < src_len && n + 1 < dst_size && src[n] != '\0') {
        const uint8_t ch = src[n];
        dst[n] = (ch < 0x20 || ch == 0x7F) ? '?' : (char)ch;
        n++;
    }
    dst[n] = '\0';
}

static void parse_vminfo(const uint8_t *body, uint32_t size, struct vg_kvmfr_info *out)
{
    /* A body shorter than its fixed part is not a VMINFO we can read: skipped like an unknown
     * record rather than failing the whole user data (the spec only stops on overruns). */
    if (size < VG_KVMFR_VMINFO_FIXED)
        return;
    struct vg_kvmfr_vminfo vm;
    memcpy(&vm, body, sizeof(vm));
    out->have_vminfo = true;
    memcpy(out->uuid, vm.uuid, sizeof(out->uuid));
    copy_text(out->capture, sizeof(out->capture), body + offsetof(struct vg_kvmfr_vminfo, capture),
              sizeof(vm.capture));
    out->cpus = vm.cpus;
    out->cores = vm.cores;
    out->sockets = vm.sockets;
    copy_text(out->cpu_model, sizeof(out->cpu_model), body + VG_KVMFR_VMINFO_FIXED,
              size - VG_KVMFR_VMINFO_FIXED);
}

static void parse_osinfo(const uint8_t *body, uint32_t size, struct vg_kvmfr_info *out)
{
    if (size < 1)
        return;
    out->have_osinfo = true;
    out->os = body[0];
    copy_text(out->os_name, sizeof(out->os_name), body + 1, size - 1);
}

/* Contract choice: a record that runs past the user data returns VG_LGMP_E_RECORD (the enum
 * has it for this case; the spec calls such a record invalid), with *out still holding the
 * block and every record before it, which stay usable: B7 itself just stops parsing there. */
enum vg_lgmp_error vg_kvmfr_parse_udata(const uint8_t *udata, size_t size,
                                        struct vg_kvmfr_info *out)
{
    memset(out, 0, sizeof(*out));
    if (!udata || size < sizeof(struct vg_kvmfr))
        return VG_LGMP_E_UDATA_SIZE;
    struct vg_kvmfr k;
    memcpy(&k, udata, sizeof(k));
    if (memcmp(k.magic, VG_KVMFR_MAGIC, sizeof(k.magic)) != 0)
        return VG_LGMP_E_KVMFR_MAGIC;
    out->version = k.version;
    if (k.version != VG_KVMFR_VERSION)
        return VG_LGMP_E_KVMFR_VERSION;
    out->features = k.features;
    copy_text(out->hostver, sizeof(out->hostver), udata + offsetof(struct vg_kvmfr, hostver),
              sizeof(k.hostver));

    size_t pos = sizeof(struct vg_kvmfr);
    while (size - pos >= sizeof(struct vg_kvmfr_record)) {
        struct vg_kvmfr_record r;
        memcpy(&r, udata + pos, sizeof(r)); /* unaligned; r.pad is garbage (P17) */
        pos += sizeof(r);
        if (r.size > size - pos)
            return VG_LGMP_E_RECORD;
        const uint8_t *body = udata + pos;
        if (r.type == VG_KVMFR_RECORD_VMINFO)
            parse_vminfo(body, r.size, out);
        else if (r.type == VG_KVMFR_RECORD_OSINFO)
            parse_osinfo(body, r.size, out);
        pos += r.size;
    }
    return VG_LGMP_E_OK;
}

uint32_t vg_kvmfr_bytes_per_texel(uint32_t type)
{
    switch (type) {
    case VG_KVMFR_FRAME_BGRA:
    case VG_KVMFR_FRAME_RGBA:
    case VG_KVMFR_FRAME_RGBA10:
    case VG_KVMFR_FRAME_BGR_32:
        return 4;
    case VG_KVMFR_FRAME_RGBA16F:
        return 8;
    case VG_KVMFR_FRAME_RGB_24:
        return 3;
    default:
        return 0;
    }
}

static bool dim_ok(uint32_t v)
{
    return v >= 1 && v <= VG_LGMP_MAX_DIM;
}

/* Clamps r to width x height; false when nothing is left. */
static bool clamp_rect(struct vg_kvmfr_damage_rect *r, uint32_t width, uint32_t height)
{
    if (r->x >= width || r->y >= height || r->width == 0 || r->height == 0)
        return false;
    if (r->width > width - r->x)
        r->width = width - r->x;
    if (r->height > height - r->y)
        r->height = height - r->y;
    return true;
}

/* Dimension rules (§3.4). Types 1-4 and 6: dataWidth == frameWidth and dataHeight <=
 * frameHeight (less when truncated; the TRUNCATED flag is not required, it only informs).
 * BGR_32: one image row per data row, so a data row must hold frameWidth * 3 bytes
 * (dataWidth * 4 >= frameWidth * 3) and dataHeight <= frameHeight (B7's dataHeight formula is
 * frameHeight or slightly less). The exact B7 dataWidth (rounded up to 64 texels) is not
 * required: what matters for safety is that the row fits. */
static bool relations_ok(const struct vg_kvmfr_frame *f)
{
    if (f->data_height > f->frame_height)
        return false;
    if (f->type == VG_KVMFR_FRAME_BGR_32)
        return (uint64_t)f->data_width * 4 >= (uint64_t)f->frame_width * 3;
    return f->data_width == f->frame_width;
}

enum vg_lgmp_error vg_kvmfr_validate_frame(const struct vg_kvmfr_frame *f,
                                           const struct vg_lgmp_payload *p, uint64_t region_size,
                                           struct vg_kvmfr_frame_info *out)
{
    uint64_t payload_end;
    if (__builtin_add_overflow(p->offset, (uint64_t)p->size, &payload_end) ||
        payload_end > region_size)
        return VG_LGMP_E_MSG_BOUNDS;
    if (p->size < VG_KVMFR_FRAME_MIN_SIZE)
        return VG_LGMP_E_MSG_SIZE;

    const uint32_t bpt = vg_kvmfr_bytes_per_texel(f->type);
    if (bpt == 0)
        return VG_LGMP_E_FRAME_TYPE;
    if (f->rotation > VG_KVMFR_ROT_270)
        return VG_LGMP_E_FRAME_ROTATION;

    const uint64_t fb = f->offset; /* from the header to wp */
    if (fb < sizeof(struct vg_kvmfr_frame) || fb + 4 > p->size)
        return VG_LGMP_E_FRAME_OFFSET;
    const uint64_t wp_offset = p->offset + fb; /* <= payload_end - 4: no overflow */
    if (wp_offset % 4 != 0)
        return VG_LGMP_E_FRAME_OFFSET;
    const uint64_t data_offset = wp_offset + 4;

    if (!dim_ok(f->screen_width) || !dim_ok(f->screen_height) || !dim_ok(f->frame_width) ||
        !dim_ok(f->frame_height) || !dim_ok(f->data_width) || !dim_ok(f->data_height))
        return VG_LGMP_E_FRAME_DIMENSIONS;

    if (f->pitch == 0 || f->pitch < (uint64_t)f->data_width * bpt ||
        (uint64_t)f->stride * bpt != f->pitch)
        return VG_LGMP_E_FRAME_PITCH;
    if (!relations_ok(f))
        return VG_LGMP_E_FRAME_DIMENSIONS;

    /* P10: the host may claim more rows than the slot holds after wp; read only whole rows
     * that lie in both the slot and the region. */
    const uint64_t slot_room = p->size - fb - 4;
    const uint64_t region_room = region_size - data_offset;
    const uint64_t room = slot_room < region_room ? slot_room : region_room;
    const uint64_t rows_fit = room / f->pitch;
    uint32_t data_height = f->data_height;
    bool clamped = false;
    if (data_height > rows_fit) {
        data_height = (uint32_t)rows_fit;
        clamped = true;
    }
    /* Not one row fits: no frame a client could show (contract choice: rejected rather than
     * returned with zero rows). */
    if (data_height == 0)
        return VG_LGMP_E_FRAME_DIMENSIONS;

    if (!out)
        return VG_LGMP_E_OK;
    *out = (struct vg_kvmfr_frame_info){
        .format_ver = f->format_ver,
        .serial = f->frame_serial,
        .type = f->type,
        .rotation = f->rotation,
        .flags = f->flags,
        .screen_width = f->screen_width,
        .screen_height = f->screen_height,
        .frame_width = f->frame_width,
        .frame_height = f->frame_height,
        .data_width = f->data_width,
        .data_height = data_height,
        .stride = f->stride,
        .pitch = f->pitch,
        .row_bytes = (f->type == VG_KVMFR_FRAME_BGR_32 || f->type == VG_KVMFR_FRAME_RGB_24)
                         ? f->frame_width * 3
                         : f->data_width * bpt,
        .wp_offset = wp_offset,
        .data_offset = data_offset,
        .data_size = (uint64_t)data_height * f->pitch,
        .clamped = clamped,
    };

    /* Damage: more than 64 means "everything" (§3.5). Rects are clamped to the image width
     * and to the rows present (the frame height, or fewer when truncated or clamped), so that
     * a consumer can index the data with them; a rect left empty is dropped. If all are
     * dropped, n_damage is 0, which reads as full damage: the safe side. */
    const uint32_t count = f->damage_rects_count;
    if (count <= VG_KVMFR_MAX_DAMAGE_RECTS) {
        const uint32_t rows = data_height < f->frame_height ? data_height : f->frame_height;
        uint32_t n = 0;
        for (uint32_t i = 0; i < count; i++) {
            struct vg_kvmfr_damage_rect r = f->damage_rects[i];
            if (clamp_rect(&r, f->frame_width, rows))
                out->damage[n++] = r;
        }
        out->n_damage = n;
    }
    return VG_LGMP_E_OK;
}

/* The sane limit on cursor sides applies to the visible shape: a MONOCHROME shape stores
 * twice its visible height (AND rows then XOR rows), so up to 1024 stored rows. */
enum vg_lgmp_error vg_kvmfr_validate_cursor(const struct vg_kvmfr_cursor *c, uint32_t flags,
                                            const struct vg_lgmp_payload *p,
                                            struct vg_kvmfr_cursor_info *out)
{
    if (p->size < VG_KVMFR_CURSOR_MIN_SIZE)
        return VG_LGMP_E_MSG_SIZE;
    uint64_t payload_end;
    if (__builtin_add_overflow(p->offset, (uint64_t)p->size, &payload_end))
        return VG_LGMP_E_MSG_BOUNDS;

    struct vg_kvmfr_cursor_info info = {
        .flags = flags & (VG_KVMFR_CURSOR_FLAG_POSITION | VG_KVMFR_CURSOR_FLAG_VISIBLE |
                          VG_KVMFR_CURSOR_FLAG_SHAPE),
    };
    if (flags & VG_KVMFR_CURSOR_FLAG_POSITION) {
        info.x = c->x;
        info.y = c->y;
    }
    if (flags & VG_KVMFR_CURSOR_FLAG_SHAPE) {
        if (c->type > VG_KVMFR_CURSOR_MASKED_COLOR)
            return VG_LGMP_E_CURSOR_TYPE;
        const bool mono = c->type == VG_KVMFR_CURSOR_MONOCHROME;
        if (mono && c->height % 2 != 0)
            return VG_LGMP_E_CURSOR_DIMENSIONS;
        const uint32_t visible_height = mono ? c->height / 2 : c->height;
        if (c->width == 0 || c->width > VG_LGMP_CURSOR_MAX_DIM || visible_height == 0 ||
            visible_height > VG_LGMP_CURSOR_MAX_DIM)
            return VG_LGMP_E_CURSOR_DIMENSIONS;
        const uint64_t min_pitch = mono ? ((uint64_t)c->width + 7) / 8 : (uint64_t)c->width * 4;
        if (c->pitch < min_pitch)
            return VG_LGMP_E_CURSOR_PITCH;
        const uint64_t bytes = (uint64_t)c->height * c->pitch;
        if (bytes > (uint64_t)p->size - VG_KVMFR_CURSOR_MIN_SIZE ||
            bytes > VG_KVMFR_CURSOR_SHAPE_MAX)
            return VG_LGMP_E_CURSOR_SIZE;
        info.type = c->type;
        info.hx = c->hx; /* signed 8-bit, used as is (P12) */
        info.hy = c->hy;
        info.width = c->width;
        info.height = visible_height;
        info.pitch = c->pitch;
        info.shape_offset = p->offset + VG_KVMFR_CURSOR_MIN_SIZE;
        info.shape_bytes = (uint32_t)bytes;
    }
    if (out)
        *out = info;
    return VG_LGMP_E_OK;
}

/* 2^ceil(log2(h * pitch * 2 / 2^20 + 10)) MiB in exact integers: a power of two is >= a real
 * x exactly when it is >= ceil(x), and ceil(h * pitch * 2 / 2^20 + 10) =
 * ceil(h * pitch / 2^19) + 10. Saturates at UINT64_MAX for absurd inputs. */
uint64_t vg_kvmfr_recommended_size(uint32_t screen_height, uint32_t pitch)
{
    const uint64_t bytes = (uint64_t)screen_height * pitch;
    const uint64_t mib = (bytes >> 19) + ((bytes & ((UINT64_C(1) << 19) - 1)) != 0) + 10;
    uint64_t pow2 = 1;
    while (pow2 < mib)
        pow2 <<= 1;
    if (pow2 > (UINT64_MAX >> 20))
        return UINT64_MAX;
    return pow2 << 20;
}
