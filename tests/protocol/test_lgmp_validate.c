/* The Looking Glass B7 validators: the measured B7 region map (spec §3.8) passes with the exact
 * derived offsets, and every check of the hostile-host table (§7.2) fires with its own error
 * when exactly one field of a good header, queue, descriptor, user data, frame or cursor is
 * broken. */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "vg/lgmp.h"

/* The measured region (§3.8): 32 MiB, page size 4096, udataSize 215. */
#define R (32u * 1024u * 1024u)
#define UDATA_SIZE 215u
#define FRAME_Q_OFF 5976u   /* ALIGN4(5760 + 215) */
#define POINTER_Q_OFF 6024u /* + 3 * 16 */
#define FLOOR 6360u         /* + 21 * 16: the position buffers start here */
#define SHAPE0 6840u
#define SLOT0 0x302000u
#define SLOT1 0x1181000u
#define SLOT_SIZE 15200256u

static struct vg_lgmp_header good_header(void)
{
    static const struct vg_lgmp_header zero;
    struct vg_lgmp_header h = zero;
    h.magic = VG_LGMP_MAGIC;
    h.version = VG_LGMP_VERSION;
    h.session_id = 0xC0FFEE;
    h.timestamp = 12345;
    h.num_queues = 2;
    h.udata_size = UDATA_SIZE;
    return h;
}

#define HDR_CASE(stmt, want)                                                                       \
    do {                                                                                           \
        struct vg_lgmp_header h = good_header();                                                   \
        uint64_t size = R;                                                                         \
        stmt;                                                                                      \
        const enum vg_lgmp_error got = vg_lgmp_validate_header(&h, size);                          \
        CHECK_MSG(got == (want), "%s: got %s, want %s", #stmt, vg_lgmp_error_str(got),             \
                  vg_lgmp_error_str(want));                                                        \
    } while (0)

#define QUEUE_CASE(index, n, off, udata, want)                                                     \
    do {                                                                                           \
        const enum vg_lgmp_error got =                                                             \
            vg_lgmp_validate_queue(index, 2, n, off, 1000, udata, R, NULL);                        \
        CHECK_MSG(got == (want), "queue %u n %u off %u: got %s, want %s", (unsigned)(index),       \
                  (unsigned)(n), (unsigned)(off), vg_lgmp_error_str(got),                          \
                  vg_lgmp_error_str(want));                                                        \
    } while (0)

static enum vg_lgmp_error msg(uint32_t offset, uint32_t size, uint32_t min_size)
{
    const struct vg_lgmp_message m = {.udata = 0, .size = size, .offset = offset};
    return vg_lgmp_validate_message(&m, FLOOR, R, min_size, NULL);
}

#define MSG_CASE(offset, size, min, want)                                                          \
    do {                                                                                           \
        const enum vg_lgmp_error got = msg(offset, size, min);                                     \
        CHECK_MSG(got == (want), "message at %u size %u: got %s, want %s", (unsigned)(offset),     \
                  (unsigned)(size), vg_lgmp_error_str(got), vg_lgmp_error_str(want));              \
    } while (0)

static void b7_region_map_passes_with_its_measured_offsets(void)
{
    struct vg_lgmp_header h = good_header();
    CHECK(vg_lgmp_validate_header(&h, R) == VG_LGMP_E_OK);

    struct vg_lgmp_queue_geom g;
    CHECK(vg_lgmp_validate_queue(0, VG_KVMFR_QUEUE_FRAME, 3, FRAME_Q_OFF, 1000, UDATA_SIZE, R,
                                 &g) == VG_LGMP_E_OK);
    CHECK(g.index == 0 && g.queue_id == 2 && g.num_messages == 3 &&
          g.messages_offset == FRAME_Q_OFF && g.max_time == 1000);
    CHECK(vg_lgmp_validate_queue(1, VG_KVMFR_QUEUE_POINTER, 21, POINTER_Q_OFF, 1000, UDATA_SIZE, R,
                                 &g) == VG_LGMP_E_OK);
    CHECK(g.index == 1 && g.queue_id == 1 && g.num_messages == 21);
    CHECK(POINTER_Q_OFF + 21u * sizeof(struct vg_lgmp_message) == FLOOR);

    /* Position buffers right after the arrays, shape buffers, both frame slots (slot 1 ends
     * exactly at the region end). */
    struct vg_lgmp_payload p;
    const struct vg_lgmp_message pos = {.udata = 3, .size = 24, .offset = FLOOR};
    CHECK(vg_lgmp_validate_message(&pos, FLOOR, R, VG_KVMFR_CURSOR_MIN_SIZE, &p) == VG_LGMP_E_OK);
    CHECK(p.udata == 3 && p.size == 24 && p.offset == FLOOR);
    MSG_CASE(SHAPE0, 1048600, VG_KVMFR_CURSOR_MIN_SIZE, VG_LGMP_E_OK);
    MSG_CASE(2104040, 1048600, VG_KVMFR_CURSOR_MIN_SIZE, VG_LGMP_E_OK);
    MSG_CASE(SLOT0, SLOT_SIZE, VG_KVMFR_FRAME_MIN_SIZE, VG_LGMP_E_OK);
    MSG_CASE(SLOT1, SLOT_SIZE, VG_KVMFR_FRAME_MIN_SIZE, VG_LGMP_E_OK);
    CHECK((uint64_t)SLOT1 + SLOT_SIZE == R);
}

static void each_header_field_has_its_error(void)
{
    HDR_CASE(size = 5759, VG_LGMP_E_REGION_SIZE);
    HDR_CASE(size = 0, VG_LGMP_E_REGION_SIZE);
    HDR_CASE(h.magic = 0, VG_LGMP_E_MAGIC);
    HDR_CASE(h.magic = VG_LGMP_MAGIC ^ 0x100, VG_LGMP_E_MAGIC);
    HDR_CASE(h.version = 7, VG_LGMP_E_VERSION);
    HDR_CASE(h.version = 10, VG_LGMP_E_VERSION); /* LookingGlass master */
    HDR_CASE(h.udata_size = 47, VG_LGMP_E_UDATA_SIZE);
    HDR_CASE(h.udata_size = 0, VG_LGMP_E_UDATA_SIZE);
    HDR_CASE(h.udata_size = R - 5756 + 1, VG_LGMP_E_UDATA_SIZE);
    HDR_CASE(h.udata_size = UINT32_MAX, VG_LGMP_E_UDATA_SIZE);
    HDR_CASE(h.num_queues = 6, VG_LGMP_E_NUM_QUEUES);
    HDR_CASE(h.num_queues = UINT32_MAX, VG_LGMP_E_NUM_QUEUES);
    /* Edges that pass: user data to the last byte, 0 or 5 queues (0 while the host is still
     * creating them, P3). The smallest region with a KVMFR block is 5756 + 48 = 5804 bytes. */
    HDR_CASE(h.udata_size = R - 5756, VG_LGMP_E_OK);
    HDR_CASE(h.udata_size = 48, VG_LGMP_E_OK);
    HDR_CASE(h.num_queues = 0, VG_LGMP_E_OK);
    HDR_CASE(h.num_queues = 5, VG_LGMP_E_OK);
    HDR_CASE((size = 5803, h.udata_size = 48), VG_LGMP_E_UDATA_SIZE);
    HDR_CASE((size = 5804, h.udata_size = 48), VG_LGMP_E_OK);
}

static void each_queue_field_has_its_error(void)
{
    QUEUE_CASE(0, 3, FRAME_Q_OFF, UDATA_SIZE, VG_LGMP_E_OK);
    QUEUE_CASE(0, 1, FRAME_Q_OFF, UDATA_SIZE, VG_LGMP_E_QUEUE_MESSAGES);
    QUEUE_CASE(0, 0, FRAME_Q_OFF, UDATA_SIZE, VG_LGMP_E_QUEUE_MESSAGES);
    QUEUE_CASE(0, 1025, FRAME_Q_OFF, UDATA_SIZE, VG_LGMP_E_QUEUE_MESSAGES);
    QUEUE_CASE(0, UINT32_MAX, FRAME_Q_OFF, UDATA_SIZE, VG_LGMP_E_QUEUE_MESSAGES);
    QUEUE_CASE(0, 1024, FRAME_Q_OFF, UDATA_SIZE, VG_LGMP_E_OK);
    QUEUE_CASE(0, 3, FRAME_Q_OFF + 2, UDATA_SIZE, VG_LGMP_E_QUEUE_OFFSET);       /* misaligned */
    QUEUE_CASE(0, 3, 5756 + UDATA_SIZE - 3, UDATA_SIZE, VG_LGMP_E_QUEUE_OFFSET); /* in udata */
    QUEUE_CASE(0, 3, 5756 + UDATA_SIZE + 1, UDATA_SIZE, VG_LGMP_E_OK); /* 5972: the floor */
    QUEUE_CASE(0, 3, 32, UDATA_SIZE, VG_LGMP_E_QUEUE_OFFSET);          /* in the header */
    QUEUE_CASE(0, 3, 5756, 0, VG_LGMP_E_QUEUE_OFFSET);  /* inside sizeof even without udata */
    QUEUE_CASE(0, 3, R - 48, UDATA_SIZE, VG_LGMP_E_OK); /* array ends at the region end */
    QUEUE_CASE(0, 3, R - 44, UDATA_SIZE, VG_LGMP_E_QUEUE_OFFSET);
    QUEUE_CASE(0, 1024, UINT32_MAX - 3, UDATA_SIZE, VG_LGMP_E_QUEUE_OFFSET);
    QUEUE_CASE(5, 3, FRAME_Q_OFF, UDATA_SIZE, VG_LGMP_E_NUM_QUEUES); /* index past queues[] */
}

static void each_descriptor_field_has_its_error(void)
{
    MSG_CASE(SLOT1, SLOT_SIZE + 1, VG_KVMFR_FRAME_MIN_SIZE, VG_LGMP_E_MSG_BOUNDS);
    MSG_CASE(UINT32_MAX, UINT32_MAX, VG_KVMFR_FRAME_MIN_SIZE, VG_LGMP_E_MSG_BOUNDS);
    MSG_CASE(R, 0, 0, VG_LGMP_E_OK); /* empty, at the end: nothing outside */
    MSG_CASE(R, 1, 0, VG_LGMP_E_MSG_BOUNDS);
    MSG_CASE(0, SLOT_SIZE, VG_KVMFR_FRAME_MIN_SIZE, VG_LGMP_E_MSG_OVERLAP);     /* the header */
    MSG_CASE(5756, 24, VG_KVMFR_CURSOR_MIN_SIZE, VG_LGMP_E_MSG_OVERLAP);        /* the udata */
    MSG_CASE(FRAME_Q_OFF, 24, VG_KVMFR_CURSOR_MIN_SIZE, VG_LGMP_E_MSG_OVERLAP); /* arrays */
    MSG_CASE(FLOOR - 4, 24, VG_KVMFR_CURSOR_MIN_SIZE, VG_LGMP_E_MSG_OVERLAP);
    MSG_CASE(SLOT0, 1087, VG_KVMFR_FRAME_MIN_SIZE, VG_LGMP_E_MSG_SIZE);
    MSG_CASE(SLOT0, 1088, VG_KVMFR_FRAME_MIN_SIZE, VG_LGMP_E_OK);
    MSG_CASE(FLOOR, 23, VG_KVMFR_CURSOR_MIN_SIZE, VG_LGMP_E_MSG_SIZE);
    MSG_CASE(FLOOR, 0, VG_KVMFR_CURSOR_MIN_SIZE, VG_LGMP_E_MSG_SIZE);
}

/* The measured B7 user data: 48 + 8 + 78 (VMINFO) + 8 + 73 (OSINFO) = 215 bytes, the OSINFO
 * header at udata + 134 (not 4-aligned), record padding bytes uninitialised. */
static const char cpu_model[] = "Intel(R) Core(TM) i9-9900K"; /* 51 + 26 + 1 = 78 */
/* 1 + 71 + 1 = 73 */
static const char os_name[] =
    "Microsoft Windows Server 2025 Datacenter Evaluation (Build 26100.32194)";

static size_t b7_udata(uint8_t *u)
{
    memset(u, 0, 512);
    struct vg_kvmfr k = {.version = VG_KVMFR_VERSION, .features = VG_KVMFR_FEATURE_SETCURSORPOS};
    memcpy(k.magic, VG_KVMFR_MAGIC, 8);
    strcpy(k.hostver, "B7");
    memcpy(u, &k, sizeof(k));
    size_t pos = 48;

    struct vg_kvmfr_record r = {.type = VG_KVMFR_RECORD_VMINFO, .pad = {0xDE, 0xAD, 0xBE}};
    r.size = VG_KVMFR_VMINFO_FIXED + (uint32_t)sizeof(cpu_model);
    memcpy(u + pos, &r, sizeof(r));
    pos += sizeof(r);
    struct vg_kvmfr_vminfo vm = {.cpus = 32, .cores = 16, .sockets = 1};
    for (int i = 0; i < 16; i++)
        vm.uuid[i] = (uint8_t)(0xA0 + i);
    strcpy(vm.capture, "DXGI");
    memcpy(u + pos, &vm, sizeof(vm));
    memcpy(u + pos + VG_KVMFR_VMINFO_FIXED, cpu_model, sizeof(cpu_model));
    pos += r.size;

    r = (struct vg_kvmfr_record){.type = VG_KVMFR_RECORD_OSINFO, .pad = {0x55, 0x66, 0x77}};
    r.size = 1 + (uint32_t)sizeof(os_name);
    memcpy(u + pos, &r, sizeof(r));
    pos += sizeof(r);
    u[pos] = VG_KVMFR_OS_WINDOWS;
    memcpy(u + pos + 1, os_name, sizeof(os_name));
    pos += r.size;
    return pos;
}

static void b7_user_data_parses_with_unaligned_records(void)
{
    _Static_assert(VG_KVMFR_VMINFO_FIXED + sizeof(cpu_model) == 78, "VMINFO size 78");
    _Static_assert(1 + sizeof(os_name) == 73, "OSINFO size 73");
    uint8_t u[512];
    const size_t size = b7_udata(u);
    CHECK(size == UDATA_SIZE);
    struct vg_kvmfr_record r;
    memcpy(&r, u + 134, sizeof(r));
    CHECK(r.type == VG_KVMFR_RECORD_OSINFO && r.size == 73); /* at udata + 134 */

    struct vg_kvmfr_info info;
    CHECK(vg_kvmfr_parse_udata(u, size, &info) == VG_LGMP_E_OK);
    CHECK(info.version == 20 && info.features == VG_KVMFR_FEATURE_SETCURSORPOS);
    CHECK(strcmp(info.hostver, "B7") == 0);
    CHECK(info.have_vminfo && info.uuid[0] == 0xA0 && info.uuid[15] == 0xAF);
    CHECK(strcmp(info.capture, "DXGI") == 0);
    CHECK(info.cpus == 32 && info.cores == 16 && info.sockets == 1);
    CHECK(strcmp(info.cpu_model, cpu_model) == 0);
    CHECK(info.have_osinfo && info.os == VG_KVMFR_OS_WINDOWS);
    CHECK(strcmp(info.os_name, os_name) == 0);

    /* The same data at an odd address (a private copy need not be aligned). */
    uint8_t odd[520];
    memcpy(odd + 1, u, size);
    CHECK(vg_kvmfr_parse_udata(odd + 1, size, &info) == VG_LGMP_E_OK);
    CHECK(info.have_osinfo && strcmp(info.os_name, os_name) == 0);
}

static void each_user_data_field_has_its_error(void)
{
    uint8_t u[512];
    struct vg_kvmfr_info info;
    size_t size = b7_udata(u);
    CHECK(vg_kvmfr_parse_udata(u, 47, &info) == VG_LGMP_E_UDATA_SIZE);
    CHECK(vg_kvmfr_parse_udata(NULL, 0, &info) == VG_LGMP_E_UDATA_SIZE);
    u[7] = '+'; /* "KVMFR--+" */
    CHECK(vg_kvmfr_parse_udata(u, size, &info) == VG_LGMP_E_KVMFR_MAGIC);
    b7_udata(u);
    u[8] = 34; /* master's KVMFR version */
    CHECK(vg_kvmfr_parse_udata(u, size, &info) == VG_LGMP_E_KVMFR_VERSION);
    CHECK(info.version == 34);

    /* The OSINFO record claims one byte more than there is: parsing stops there, what came
     * before stays. */
    b7_udata(u);
    const uint32_t too_long = 74;
    memcpy(u + 134 + 4, &too_long, 4);
    CHECK(vg_kvmfr_parse_udata(u, size, &info) == VG_LGMP_E_RECORD);
    CHECK(info.have_vminfo && strcmp(info.cpu_model, cpu_model) == 0);
    CHECK(!info.have_osinfo);
    const uint32_t huge = UINT32_MAX;
    memcpy(u + 48 + 4, &huge, 4);
    CHECK(vg_kvmfr_parse_udata(u, size, &info) == VG_LGMP_E_RECORD);
    CHECK(!info.have_vminfo && strcmp(info.hostver, "B7") == 0);

    /* Just the block, a trailing fragment under 8 bytes, an unknown record: all fine. */
    b7_udata(u);
    CHECK(vg_kvmfr_parse_udata(u, 48, &info) == VG_LGMP_E_OK && !info.have_vminfo);
    CHECK(vg_kvmfr_parse_udata(u, 55, &info) == VG_LGMP_E_OK && !info.have_vminfo);
    u[48] = 9;
    CHECK(vg_kvmfr_parse_udata(u, size, &info) == VG_LGMP_E_OK);
    CHECK(!info.have_vminfo && info.have_osinfo);
}

static void user_data_strings_are_bounded_and_safe(void)
{
    uint8_t u[512];
    const size_t size = b7_udata(u);
    struct vg_kvmfr_info info;
    /* hostver and capture without a NUL; a control character in the CPU model; an OS name
     * that runs to the end of its record without a NUL. */
    memset(u + 12, 'h', 32);
    memset(u + 48 + 8 + 16, 'c', 32);
    u[48 + 8 + VG_KVMFR_VMINFO_FIXED + 3] = '\033';
    memset(u + 134 + 8 + 1, 'o', 72);
    CHECK(vg_kvmfr_parse_udata(u, size, &info) == VG_LGMP_E_OK);
    CHECK(strlen(info.hostver) == 31 && info.hostver[30] == 'h');
    CHECK(strlen(info.capture) == 32 && info.capture[31] == 'c');
    CHECK(info.cpu_model[3] == '?' && strlen(info.cpu_model) == strlen(cpu_model));
    CHECK(strlen(info.os_name) == 72);
}

/* ---- Frames ---- */

static struct vg_lgmp_payload slot0(void)
{
    return (struct vg_lgmp_payload){.udata = 0, .size = SLOT_SIZE, .offset = SLOT0};
}

static struct vg_kvmfr_frame good_frame(void)
{
    static const struct vg_kvmfr_frame zero;
    struct vg_kvmfr_frame f = zero;
    f.format_ver = 3;
    f.frame_serial = 77;
    f.type = VG_KVMFR_FRAME_BGRA;
    f.screen_width = 1920;
    f.screen_height = 1080;
    f.data_width = 1920;
    f.data_height = 1080;
    f.frame_width = 1920;
    f.frame_height = 1080;
    f.stride = 1920;
    f.pitch = 1920 * 4;
    f.offset = 4092;
    f.damage_rects_count = 1;
    f.damage_rects[0] = (struct vg_kvmfr_damage_rect){10, 20, 30, 40};
    f.flags = VG_KVMFR_FRAME_FLAG_BLOCK_SCREENSAVER;
    return f;
}

#define FRAME_CASE(stmt, want)                                                                     \
    do {                                                                                           \
        struct vg_kvmfr_frame f = good_frame();                                                    \
        struct vg_lgmp_payload p = slot0();                                                        \
        stmt;                                                                                      \
        struct vg_kvmfr_frame_info info_;                                                          \
        const enum vg_lgmp_error got = vg_kvmfr_validate_frame(&f, &p, R, &info_);                 \
        CHECK_MSG(got == (want), "%s: got %s, want %s", #stmt, vg_lgmp_error_str(got),             \
                  vg_lgmp_error_str(want));                                                        \
    } while (0)

static void b7_frame_slot_passes_with_wp_at_4092_and_data_at_the_page(void)
{
    struct vg_kvmfr_frame f = good_frame();
    struct vg_lgmp_payload p = slot0();
    struct vg_kvmfr_frame_info fi;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK);
    CHECK(fi.wp_offset == SLOT0 + 4092);
    CHECK(fi.data_offset == 0x303000);
    CHECK(fi.data_size == 1080u * 7680u && !fi.clamped);
    CHECK(fi.data_width == 1920 && fi.data_height == 1080 && fi.row_bytes == 7680);
    CHECK(fi.pitch == 7680 && fi.stride == 1920);
    CHECK(fi.serial == 77 && fi.format_ver == 3 && fi.type == VG_KVMFR_FRAME_BGRA);
    CHECK(fi.flags == VG_KVMFR_FRAME_FLAG_BLOCK_SCREENSAVER);
    CHECK(fi.n_damage == 1 && fi.damage[0].x == 10 && fi.damage[0].height == 40);

    /* Slot 1, which ends exactly at the region end. */
    p.offset = SLOT1;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK);
    CHECK(fi.data_offset == SLOT1 + 4096 && !fi.clamped);
}

static void each_frame_field_has_its_error(void)
{
    FRAME_CASE(f.type = 0, VG_LGMP_E_FRAME_TYPE);
    FRAME_CASE(f.type = 7, VG_LGMP_E_FRAME_TYPE);
    FRAME_CASE(f.type = UINT32_MAX, VG_LGMP_E_FRAME_TYPE);
    FRAME_CASE(f.rotation = 4, VG_LGMP_E_FRAME_ROTATION);
    FRAME_CASE(f.rotation = 3, VG_LGMP_E_OK);
    FRAME_CASE(f.offset = 1083, VG_LGMP_E_FRAME_OFFSET); /* wp would overlap the header */
    FRAME_CASE(f.offset = 1084, VG_LGMP_E_OK);
    FRAME_CASE(f.offset = 4090, VG_LGMP_E_FRAME_OFFSET);          /* wp not 4-aligned */
    FRAME_CASE(p.offset = SLOT0 + 2, VG_LGMP_E_FRAME_OFFSET);     /* slot itself misaligned */
    FRAME_CASE(f.offset = SLOT_SIZE - 3, VG_LGMP_E_FRAME_OFFSET); /* wp past the slot */
    FRAME_CASE(f.offset = UINT32_MAX - 3, VG_LGMP_E_FRAME_OFFSET);
    FRAME_CASE(f.pitch = 0, VG_LGMP_E_FRAME_PITCH);
    FRAME_CASE((f.pitch = 7676, f.stride = 1919), VG_LGMP_E_FRAME_PITCH); /* < width * 4 */
    FRAME_CASE(f.stride = 1921, VG_LGMP_E_FRAME_PITCH);                   /* stride * 4 != pitch */
    FRAME_CASE(f.stride = 0, VG_LGMP_E_FRAME_PITCH); /* "compressed": no B7 backend */
    FRAME_CASE(f.stride = 0x40000000u + 1920, VG_LGMP_E_FRAME_PITCH);   /* wraps in 32 bits */
    FRAME_CASE((f.pitch = 8192, f.stride = 2048), VG_LGMP_E_OK);        /* padded rows */
    FRAME_CASE(f.type = VG_KVMFR_FRAME_RGBA16F, VG_LGMP_E_FRAME_PITCH); /* 8 bytes a texel */
    FRAME_CASE(f.screen_width = 0, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.screen_height = 16385, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.frame_width = 0, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.frame_height = 0, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.frame_height = UINT32_MAX, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.data_width = 0, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.data_height = 0, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.data_width = 16385, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.data_width = 1919, VG_LGMP_E_FRAME_DIMENSIONS); /* != frame width (BGRA) */
    FRAME_CASE(f.frame_width = 1919, VG_LGMP_E_FRAME_DIMENSIONS);
    FRAME_CASE(f.frame_height = 1079, VG_LGMP_E_FRAME_DIMENSIONS); /* data taller than image */
    /* Fewer data rows than the image: truncated, fine with or without the flag. */
    FRAME_CASE(f.data_height = 1000, VG_LGMP_E_OK);
    FRAME_CASE((f.data_height = 1000, f.flags = VG_KVMFR_FRAME_FLAG_TRUNCATED), VG_LGMP_E_OK);
    /* Host downscaling: screen and frame sizes differ. */
    FRAME_CASE((f.screen_width = 3840, f.screen_height = 2160), VG_LGMP_E_OK);
    /* The descriptor itself: too small for header + wp, or (unvalidated) past the region. */
    FRAME_CASE(p.size = 1087, VG_LGMP_E_MSG_SIZE);
    FRAME_CASE(p.offset = R - 4096, VG_LGMP_E_MSG_BOUNDS);
    FRAME_CASE(p.offset = UINT64_MAX - 8, VG_LGMP_E_MSG_BOUNDS);
}

/* BGR_32 (§3.4): image rows of frameWidth * 3 bytes carried in 32-bit texels; dataWidth =
 * ALIGN4(fw * 3) / 4 rounded up to 64, dataHeight = fw * fh / (ALIGN4(fw * 3) / 3). */
static void bgr32_dimensions_follow_the_packing_rules(void)
{
    struct vg_kvmfr_frame f = good_frame();
    struct vg_lgmp_payload p = slot0();
    struct vg_kvmfr_frame_info fi;
    f.type = VG_KVMFR_FRAME_BGR_32;
    f.data_width = 1472; /* 5760 / 4 = 1440, rounded up to 64 */
    f.data_height = 1080;
    f.stride = 1472;
    f.pitch = 1472 * 4;
    f.damage_rects_count = 2;
    /* Damage stays in pixels of the image: x = 1800 is past dataWidth (1472) but inside the
     * 1920-pixel image, and it is clamped to the image, not to the texels. */
    f.damage_rects[0] = (struct vg_kvmfr_damage_rect){1800, 1070, 500, 500};
    f.damage_rects[1] = (struct vg_kvmfr_damage_rect){5, 6, 7, 8};
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK);
    CHECK(fi.row_bytes == 5760 && fi.pitch == 5888 && fi.data_width == 1472);
    CHECK(fi.data_height == 1080 && fi.data_size == 1080u * 5888u);
    CHECK(fi.n_damage == 2);
    CHECK(fi.damage[0].x == 1800 && fi.damage[0].width == 120 && fi.damage[0].y == 1070 &&
          fi.damage[0].height == 10);
    /* The client's texel conversion of rect 1: x' = 5 * 3 / 4 = 3, width' = ((5 + 7) * 3 + 3)
     * / 4 - 3 = 6; both lie inside the 1472-texel row. */
    CHECK(fi.damage[1].x * 3 / 4 == 3 &&
          ((fi.damage[1].x + fi.damage[1].width) * 3 + 3) / 4 - fi.damage[1].x * 3 / 4 == 6);

    /* frameWidth = 1023 (3 mod 4): 3069 -> 3072 / 4 = 768 texels; dataHeight = 1023 * 768 /
     * 1024 = 767 rows for a 768-row image. The last image row is absent; damage there is
     * clamped to the rows present. */
    f.frame_width = f.screen_width = 1023;
    f.frame_height = f.screen_height = 768;
    f.data_width = 768;
    f.data_height = 1023u * 768u / (3072u / 3u);
    f.stride = 768;
    f.pitch = 768 * 4;
    f.damage_rects_count = 1;
    f.damage_rects[0] = (struct vg_kvmfr_damage_rect){0, 760, 10, 20};
    CHECK(f.data_height == 767);
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK);
    CHECK(fi.row_bytes == 3069 && fi.data_height == 767 && fi.frame_height == 768);
    CHECK(fi.n_damage == 1 && fi.damage[0].height == 7);

    /* A data row too narrow for the image row: 767 texels hold 3068 bytes < 3069. */
    f.data_width = 767;
    f.stride = 767;
    f.pitch = 767 * 4;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_FRAME_DIMENSIONS);
    f.data_width = 768;
    f.data_height = 769; /* more rows than the image */
    f.stride = 768;
    f.pitch = 768 * 4;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_FRAME_DIMENSIONS);

    /* RGB_24: 3 bytes a texel, dataWidth == frameWidth, rows padded. */
    f = good_frame();
    f.type = VG_KVMFR_FRAME_RGB_24;
    f.frame_width = f.data_width = 1366;
    f.stride = 1376;
    f.pitch = 1376 * 3;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK);
    CHECK(fi.row_bytes == 1366 * 3 && fi.data_size == 1080u * 4128u);
    f.pitch = 1376 * 4; /* as if 4 bytes a texel */
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_FRAME_PITCH);
    f.stride = 1365;
    f.pitch = 1365 * 3;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_FRAME_PITCH);
}

static void damage_rects_are_clamped_dropped_or_full(void)
{
    struct vg_kvmfr_frame f = good_frame();
    struct vg_lgmp_payload p = slot0();
    struct vg_kvmfr_frame_info fi;
    f.damage_rects_count = 6;
    f.damage_rects[0] = (struct vg_kvmfr_damage_rect){1910, 1075, 100, 100};    /* clamped */
    f.damage_rects[1] = (struct vg_kvmfr_damage_rect){0, 0, 0, 10};             /* empty */
    f.damage_rects[2] = (struct vg_kvmfr_damage_rect){UINT32_MAX - 1, 0, 4, 1}; /* outside */
    f.damage_rects[3] = (struct vg_kvmfr_damage_rect){5, 5, UINT32_MAX, UINT32_MAX};
    f.damage_rects[4] = (struct vg_kvmfr_damage_rect){1920, 0, 1, 1};    /* outside */
    f.damage_rects[5] = (struct vg_kvmfr_damage_rect){1919, 1079, 1, 1}; /* last pixel */
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK);
    CHECK(fi.n_damage == 3);
    CHECK(fi.damage[0].x == 1910 && fi.damage[0].width == 10 && fi.damage[0].height == 5);
    CHECK(fi.damage[1].x == 5 && fi.damage[1].width == 1915 && fi.damage[1].height == 1075);
    CHECK(fi.damage[2].x == 1919 && fi.damage[2].width == 1 && fi.damage[2].height == 1);
    for (uint32_t i = 0; i < fi.n_damage; i++)
        CHECK(fi.damage[i].x + fi.damage[i].width <= 1920 &&
              fi.damage[i].y + fi.damage[i].height <= 1080);

    f.damage_rects_count = 64;
    for (uint32_t i = 0; i < 64; i++)
        f.damage_rects[i] = (struct vg_kvmfr_damage_rect){i, i, 1, 1};
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK && fi.n_damage == 64);
    f.damage_rects_count = 65; /* more than 64: the whole frame */
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK && fi.n_damage == 0);
    f.damage_rects_count = UINT32_MAX;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK && fi.n_damage == 0);
    f.damage_rects_count = 0;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK && fi.n_damage == 0);
    /* Every rect outside: nothing usable left, which reads as full damage. */
    f.damage_rects_count = 1;
    f.damage_rects[0] = (struct vg_kvmfr_damage_rect){4000, 0, 1, 1};
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK && fi.n_damage == 0);
}

/* P10: a B7 host sizes the rows from maxFrameSize but writes them alignSize into the slot, so
 * the claim can exceed the slot by up to a page; only the rows that fit are read. */
static void rows_past_the_slot_are_clamped(void)
{
    const uint32_t slot_size = 8 * 4096;
    struct vg_lgmp_payload p = {.size = slot_size, .offset = R - slot_size};
    struct vg_kvmfr_frame f = good_frame();
    f.frame_width = f.data_width = f.screen_width = 256;
    f.stride = 256;
    f.pitch = 1024;
    f.frame_height = f.screen_height = 64;
    f.data_height = 32; /* maxFrameSize / pitch = 32768 / 1024, but only 28672 bytes follow wp */
    f.flags = VG_KVMFR_FRAME_FLAG_TRUNCATED;
    f.damage_rects_count = 1;
    f.damage_rects[0] = (struct vg_kvmfr_damage_rect){0, 20, 256, 40};
    struct vg_kvmfr_frame_info fi;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK);
    CHECK(fi.clamped && fi.data_height == 28 && fi.data_size == 28672);
    CHECK(fi.data_offset + fi.data_size == R); /* the last slot: not one byte past the region */
    CHECK(fi.n_damage == 1 && fi.damage[0].y == 20 && fi.damage[0].height == 8);

    f.data_height = 28;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK && !fi.clamped);
    /* A region smaller than the descriptor claims is caught as out of bounds. */
    CHECK(vg_kvmfr_validate_frame(&f, &p, R - 1, &fi) == VG_LGMP_E_MSG_BOUNDS);
    /* Not one row fits after wp. */
    p.size = 4096 + 1000;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_FRAME_DIMENSIONS);
    p.size = 4096 + 1024;
    CHECK(vg_kvmfr_validate_frame(&f, &p, R, &fi) == VG_LGMP_E_OK && fi.data_height == 1);
}

/* ---- Cursor ---- */

static struct vg_lgmp_payload shape_buf(void)
{
    return (struct vg_lgmp_payload){.udata = 7, .size = 1048600, .offset = SHAPE0};
}

static struct vg_kvmfr_cursor good_cursor(void)
{
    return (struct vg_kvmfr_cursor){
        .x = -5,
        .y = 700,
        .type = VG_KVMFR_CURSOR_COLOR,
        .hx = 2,
        .hy = 3,
        .width = 16,
        .height = 16,
        .pitch = 64,
    };
}

#define ALL_FLAGS                                                                                  \
    (VG_KVMFR_CURSOR_FLAG_POSITION | VG_KVMFR_CURSOR_FLAG_VISIBLE | VG_KVMFR_CURSOR_FLAG_SHAPE)

#define CURSOR_CASE(stmt, want)                                                                    \
    do {                                                                                           \
        struct vg_kvmfr_cursor c = good_cursor();                                                  \
        struct vg_lgmp_payload p = shape_buf();                                                    \
        uint32_t flags = ALL_FLAGS;                                                                \
        stmt;                                                                                      \
        const enum vg_lgmp_error got = vg_kvmfr_validate_cursor(&c, flags, &p, NULL);              \
        CHECK_MSG(got == (want), "%s: got %s, want %s", #stmt, vg_lgmp_error_str(got),             \
                  vg_lgmp_error_str(want));                                                        \
    } while (0)

static void b7_first_cursor_message_passes_with_its_values(void)
{
    /* Measured: the first pointer message has flags 0x7, size 1048600, a 16x16 COLOR shape
     * with pitch 64. */
    struct vg_kvmfr_cursor c = good_cursor();
    c.hx = (int8_t)0xFD; /* a host hotspot of 253 wraps to -3 (P12) */
    struct vg_lgmp_payload p = shape_buf();
    struct vg_kvmfr_cursor_info ci;
    CHECK(vg_kvmfr_validate_cursor(&c, p.udata, &p, &ci) == VG_LGMP_E_OK);
    CHECK(ci.flags == ALL_FLAGS && ci.x == -5 && ci.y == 700);
    CHECK(ci.type == VG_KVMFR_CURSOR_COLOR && ci.hx == -3 && ci.hy == 3);
    CHECK(ci.width == 16 && ci.height == 16 && ci.pitch == 64);
    CHECK(ci.shape_offset == SHAPE0 + 24 && ci.shape_bytes == 1024);

    /* MONOCHROME: AND and XOR rows, visible height half the stored one, 1 bit a pixel. */
    c.type = VG_KVMFR_CURSOR_MONOCHROME;
    c.width = 32;
    c.height = 64;
    c.pitch = 4;
    CHECK(vg_kvmfr_validate_cursor(&c, ALL_FLAGS, &p, &ci) == VG_LGMP_E_OK);
    CHECK(ci.height == 32 && ci.width == 32 && ci.shape_bytes == 256);

    /* A position-only message in a 24-byte buffer: the stale shape fields are not looked at,
     * the shape is not reported. */
    c = good_cursor();
    c.type = 99;
    c.width = 0;
    p = (struct vg_lgmp_payload){.udata = 3, .size = 24, .offset = FLOOR};
    CHECK(vg_kvmfr_validate_cursor(&c, 3, &p, &ci) == VG_LGMP_E_OK);
    CHECK(ci.flags == 3 && ci.x == -5 && ci.y == 700 && ci.shape_bytes == 0 && ci.width == 0);
    /* Hidden, no position: nothing but the flags. */
    CHECK(vg_kvmfr_validate_cursor(&c, 0, &p, &ci) == VG_LGMP_E_OK);
    CHECK(ci.flags == 0 && ci.x == 0 && ci.y == 0);
}

static void each_cursor_field_has_its_error(void)
{
    CURSOR_CASE(c.type = 3, VG_LGMP_E_CURSOR_TYPE);
    CURSOR_CASE(c.type = UINT32_MAX, VG_LGMP_E_CURSOR_TYPE);
    CURSOR_CASE(c.type = VG_KVMFR_CURSOR_MASKED_COLOR, VG_LGMP_E_OK);
    CURSOR_CASE(c.width = 0, VG_LGMP_E_CURSOR_DIMENSIONS);
    CURSOR_CASE(c.height = 0, VG_LGMP_E_CURSOR_DIMENSIONS);
    CURSOR_CASE((c.width = 513, c.pitch = 513 * 4), VG_LGMP_E_CURSOR_DIMENSIONS);
    CURSOR_CASE(c.height = 513, VG_LGMP_E_CURSOR_DIMENSIONS);
    CURSOR_CASE((c.width = 512, c.height = 512, c.pitch = 2048), VG_LGMP_E_OK); /* 1 MiB */
    CURSOR_CASE((c.type = VG_KVMFR_CURSOR_MONOCHROME, c.height = 33), VG_LGMP_E_CURSOR_DIMENSIONS);
    CURSOR_CASE((c.type = VG_KVMFR_CURSOR_MONOCHROME, c.height = 1026),
                VG_LGMP_E_CURSOR_DIMENSIONS); /* 513 visible rows */
    CURSOR_CASE((c.type = VG_KVMFR_CURSOR_MONOCHROME, c.height = 1024, c.pitch = 64), VG_LGMP_E_OK);
    CURSOR_CASE(c.pitch = 63, VG_LGMP_E_CURSOR_PITCH);
    CURSOR_CASE(c.pitch = 0, VG_LGMP_E_CURSOR_PITCH);
    CURSOR_CASE((c.type = VG_KVMFR_CURSOR_MASKED_COLOR, c.pitch = 63), VG_LGMP_E_CURSOR_PITCH);
    CURSOR_CASE((c.type = VG_KVMFR_CURSOR_MONOCHROME, c.width = 17, c.pitch = 2),
                VG_LGMP_E_CURSOR_PITCH); /* ceil(17 / 8) = 3 */
    CURSOR_CASE((c.type = VG_KVMFR_CURSOR_MONOCHROME, c.width = 17, c.pitch = 3), VG_LGMP_E_OK);
    CURSOR_CASE(p.size = 24 + 1023, VG_LGMP_E_CURSOR_SIZE); /* 16 * 64 = 1024 bytes */
    CURSOR_CASE(p.size = 24 + 1024, VG_LGMP_E_OK);
    CURSOR_CASE(p.size = 24, VG_LGMP_E_CURSOR_SIZE);
    CURSOR_CASE((p.size = 3u << 20, c.width = 512, c.height = 512, c.pitch = 2052),
                VG_LGMP_E_CURSOR_SIZE); /* fits the buffer, over B7's 1 MiB */
    CURSOR_CASE((c.height = 512, c.pitch = UINT32_MAX), VG_LGMP_E_CURSOR_SIZE);
    CURSOR_CASE(p.size = 23, VG_LGMP_E_MSG_SIZE);
    CURSOR_CASE((p.size = 23, flags = 0), VG_LGMP_E_MSG_SIZE);
    /* Without SHAPE none of the shape checks run. */
    CURSOR_CASE((flags = 3, c.type = 3, c.width = 0, c.pitch = 0, p.size = 24), VG_LGMP_E_OK);
}

static void recommended_size_follows_the_b7_formula(void)
{
    /* 3840x2160 BGRA: 2160 * 15360 * 2 / 2^20 = 63.3, + 10 = 73.3 -> 128 MiB. */
    CHECK(vg_kvmfr_recommended_size(2160, 3840 * 4) == UINT64_C(128) << 20);
    /* 1920x1080 BGRA: 15.8 + 10 -> 32 MiB. */
    CHECK(vg_kvmfr_recommended_size(1080, 1920 * 4) == UINT64_C(32) << 20);
    /* 27 MiB of rows: 27 * 2 + 10 = 64 exactly, a power of two, kept; one byte more needs the
     * next one. */
    CHECK(vg_kvmfr_recommended_size(1024, 27648) == UINT64_C(64) << 20);
    CHECK(vg_kvmfr_recommended_size(1024, 27649) == UINT64_C(128) << 20);
    CHECK(vg_kvmfr_recommended_size(0, 0) == UINT64_C(16) << 20);
    CHECK(vg_kvmfr_recommended_size(UINT32_MAX, UINT32_MAX) == UINT64_MAX);
}

static void bytes_per_texel_by_type(void)
{
    CHECK(vg_kvmfr_bytes_per_texel(VG_KVMFR_FRAME_INVALID) == 0);
    CHECK(vg_kvmfr_bytes_per_texel(VG_KVMFR_FRAME_BGRA) == 4);
    CHECK(vg_kvmfr_bytes_per_texel(VG_KVMFR_FRAME_RGBA) == 4);
    CHECK(vg_kvmfr_bytes_per_texel(VG_KVMFR_FRAME_RGBA10) == 4);
    CHECK(vg_kvmfr_bytes_per_texel(VG_KVMFR_FRAME_RGBA16F) == 8);
    CHECK(vg_kvmfr_bytes_per_texel(VG_KVMFR_FRAME_BGR_32) == 4);
    CHECK(vg_kvmfr_bytes_per_texel(VG_KVMFR_FRAME_RGB_24) == 3);
    CHECK(vg_kvmfr_bytes_per_texel(VG_KVMFR_FRAME_TYPE_COUNT) == 0);
    CHECK(vg_kvmfr_bytes_per_texel(UINT32_MAX) == 0);
}

static void every_error_and_status_has_its_own_name(void)
{
    for (int i = 0; i < VG_LGMP_E_COUNT_; i++) {
        const char *a = vg_lgmp_error_str((enum vg_lgmp_error)i);
        CHECK_MSG(a && a[0] && strcmp(a, "unknown error") != 0, "error %d has no message", i);
        for (int j = 0; j < i; j++)
            CHECK_MSG(strcmp(a, vg_lgmp_error_str((enum vg_lgmp_error)j)) != 0,
                      "errors %d and %d share a message", i, j);
    }
    CHECK(strcmp(vg_lgmp_error_str(VG_LGMP_E_COUNT_), "unknown error") == 0);
    CHECK(strcmp(vg_lgmp_error_str((enum vg_lgmp_error) - 1), "unknown error") == 0);
    for (int i = 0; i <= VG_LGMP_ERR_CORRUPTED; i++) {
        const char *a = vg_lgmp_status_str((enum vg_lgmp_status)i);
        CHECK_MSG(a && a[0] && strcmp(a, "UNKNOWN") != 0, "status %d has no name", i);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(a, vg_lgmp_status_str((enum vg_lgmp_status)j)) != 0);
    }
    CHECK(strcmp(vg_lgmp_status_str(VG_LGMP_OK), "OK") == 0);
    CHECK(strcmp(vg_lgmp_status_str(VG_LGMP_ERR_QUEUE_TIMEOUT), "QUEUE_TIMEOUT") == 0);
    CHECK(strcmp(vg_lgmp_status_str((enum vg_lgmp_status)18), "UNKNOWN") == 0);
}

int main(void)
{
    RUN(b7_region_map_passes_with_its_measured_offsets);
    RUN(each_header_field_has_its_error);
    RUN(each_queue_field_has_its_error);
    RUN(each_descriptor_field_has_its_error);
    RUN(b7_user_data_parses_with_unaligned_records);
    RUN(each_user_data_field_has_its_error);
    RUN(user_data_strings_are_bounded_and_safe);
    RUN(b7_frame_slot_passes_with_wp_at_4092_and_data_at_the_page);
    RUN(each_frame_field_has_its_error);
    RUN(bgr32_dimensions_follow_the_packing_rules);
    RUN(damage_rects_are_clamped_dropped_or_full);
    RUN(rows_past_the_slot_are_clamped);
    RUN(b7_first_cursor_message_passes_with_its_values);
    RUN(each_cursor_field_has_its_error);
    RUN(recommended_size_follows_the_b7_formula);
    RUN(bytes_per_texel_by_type);
    RUN(every_error_and_status_has_its_own_name);
    return vg_test_finish();
}
