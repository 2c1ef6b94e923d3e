/* `vgapt-guest lgmp-pattern`: the Looking Glass B7 host application (LGMP 6 / KVMFR 20) run on
 * the physical machine, writing the test pattern, so that a B7-compatible client, the tests and
 * the benchmark can be exercised without a VM. It behaves as the B7 host does where a client
 * can tell: 10 ms timer with the heartbeat, slow clients expelled, the last frame re-posted to
 * a newcomer on a still screen, a new session when the memory is wiped. */
#include "guest.h"
#include "region.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "vg/lgmp.h"
#include "vg/log.h"
#include "vg/opts.h"
#include "vg/shm.h"
#include "vg/time.h"
#include "vg/version.h"

#define MIB (UINT64_C(1) << 20)
#define TICK_NS (VG_LGMP_HOST_TICK_MS * VG_NS_PER_MS)
/* DXGI and D12 wait this long for a new frame before the capture times out (§6.5). */
#define CAPTURE_TIMEOUT_NS VG_NS_PER_S
#define BUSY_RETRY_NS VG_NS_PER_MS
#define CYCLE_NS VG_NS_PER_S
/* Everything before the frame slots: header, user data (< 512 bytes), descriptors, cursor
 * buffers (§6.1). */
#define FIXED_BYTES                                                                                \
    (UINT64_C(5760) + 512 + 24 * 16 + VG_KVMFR_CURSOR_POS_BUFFERS * 24 +                           \
     VG_KVMFR_CURSOR_SHAPE_BUFFERS * (24 + VG_KVMFR_CURSOR_SHAPE_MAX))

static const char *const format_names[] = {"bgra",  "rgba",  "rgba10", "rgba16f",
                                           "bgr32", "rgb24", NULL};
static const uint32_t format_types[] = {VG_KVMFR_FRAME_BGRA,   VG_KVMFR_FRAME_RGBA,
                                        VG_KVMFR_FRAME_RGBA10, VG_KVMFR_FRAME_RGBA16F,
                                        VG_KVMFR_FRAME_BGR_32, VG_KVMFR_FRAME_RGB_24};
/* The layout vg_pattern_render writes for each, and its bytes a pixel. */
static const uint32_t format_pattern[] = {VG_FP_FORMAT_BGRA8,      VG_FP_FORMAT_RGBA8,
                                          VG_FP_FORMAT_RGB10A2,    VG_FP_FORMAT_RGBA16F,
                                          VG_PATTERN_FORMAT_BGR24, VG_PATTERN_FORMAT_RGB24};
static const uint32_t format_bpp[] = {4, 4, 4, 8, 3, 3};
static const char *const rotation_names[] = {"0", "90", "180", "270", NULL};
enum { DAMAGE_FULL, DAMAGE_PARTIAL };
static const char *const damage_names[] = {"full", "partial", NULL};
enum { CURSOR_COLOR, CURSOR_MONO, CURSOR_MASKED, CURSOR_CYCLE };
static const char *const cursor_names[] = {"color", "mono", "masked", "cycle", NULL};

struct options {
    char *shm;
    uint32_t size[2];
    int64_t fps;
    int format;
    int rotation;
    int damage;
    int cursor;
    bool still;
    int64_t seconds;
    int64_t frames;
    int64_t align;
    bool setcursorpos;
    int64_t stop_after;
    bool log_messages;
    char *hostver;
};

/* What the SETCURSORPOS callback leaves for the loop: it runs inside the producer's tick. */
struct messages {
    bool log;
    bool warp;
    int32_t x, y;
    uint64_t received;
};

struct shapes {
    uint8_t color[VG_PATTERN_CURSOR_SIZE * VG_PATTERN_CURSOR_SIZE * 4];
    uint8_t mono[VG_PATTERN_CURSOR_MONO_BYTES];
    uint8_t masked[VG_PATTERN_CURSOR_SIZE * VG_PATTERN_CURSOR_SIZE * 4];
    struct vg_kvmfr_cursor_shape shape[3];
};

struct run {
    const struct options *o;
    struct vg_shm shm;
    struct vg_kvmfr_producer *p;
    struct messages msgs;
    struct shapes shapes;
    int shape_index;
    int32_t cursor_x, cursor_y;
    uint8_t *pixels;
    size_t src_pitch;
    uint64_t frame_bytes; /* what a whole frame claims in a slot */
};

static uint64_t ms_of(uint64_t ns)
{
    return ns / VG_NS_PER_MS;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

/* Bytes a whole frame takes in a slot: the producer's pitch (rows padded to 64 texels) times
 * the rows. */
static uint64_t frame_bytes_for(uint32_t w, uint32_t h, int format)
{
    uint32_t type = format_types[format];
    if (type == VG_KVMFR_FRAME_BGR_32)
        return align_up(align_up((uint64_t)w * 3, 4) / 4, 64) * 4 * h;
    uint32_t texel = type == VG_KVMFR_FRAME_RGBA16F ? 8 : format_bpp[format] == 3 ? 3 : 4;
    return align_up(w, 64) * texel * h;
}

/* The region that holds two whole frames with a page to spare in each slot. */
static uint64_t region_need(uint64_t frame_bytes, uint64_t align)
{
    return FIXED_BYTES + 2 * (align_up(frame_bytes, align) + 2 * align);
}

static uint64_t round_up_pow2_mib(uint64_t bytes)
{
    uint64_t size = MIB;
    while (size < bytes && size < (UINT64_C(1) << 62))
        size <<= 1;
    return size;
}

static void on_set_cursor_pos(void *opaque, int32_t x, int32_t y)
{
    struct messages *m = opaque;
    m->received++;
    if (m->log) {
        printf("setcursorpos %" PRId32 " %" PRId32 "\n", x, y);
        fflush(stdout);
    }
    m->warp = true;
    m->x = x;
    m->y = y;
}

static void init_shapes(struct shapes *s)
{
    vg_pattern_cursor_shape(s->color);
    vg_pattern_cursor_mono(s->mono);
    vg_pattern_cursor_masked(s->masked);
    const uint32_t types[3] = {VG_KVMFR_CURSOR_COLOR, VG_KVMFR_CURSOR_MONOCHROME,
                               VG_KVMFR_CURSOR_MASKED_COLOR};
    const uint32_t pitches[3] = {VG_PATTERN_CURSOR_SIZE * 4, VG_PATTERN_CURSOR_MONO_PITCH,
                                 VG_PATTERN_CURSOR_SIZE * 4};
    const uint8_t *pixels[3] = {s->color, s->mono, s->masked};
    for (int i = 0; i < 3; i++) {
        s->shape[i] = (struct vg_kvmfr_cursor_shape){
            .type = types[i],
            .width = VG_PATTERN_CURSOR_SIZE,
            .height = VG_PATTERN_CURSOR_SIZE,
            .pitch = pitches[i],
            .pixels = pixels[i],
        };
    }
}

static void post_shape(struct run *r, uint64_t now_ns)
{
    int ret = vg_kvmfr_producer_cursor(r->p, r->cursor_x, r->cursor_y, true,
                                       &r->shapes.shape[r->shape_index], ms_of(now_ns));
    if (ret < 0)
        vg_warn("cannot post the cursor shape: %s", strerror(-ret));
}

static void post_position(struct run *r, int32_t x, int32_t y, uint64_t now_ns)
{
    r->cursor_x = x;
    r->cursor_y = y;
    int ret = vg_kvmfr_producer_cursor(r->p, x, y, true, NULL, ms_of(now_ns));
    if (ret < 0)
        vg_debug("cannot post the cursor position: %s", strerror(-ret));
}

/* A new session on the region (B7 runs the whole setup again after a wipe). */
static bool start_session(struct run *r, uint64_t now_ns)
{
    const struct options *o = r->o;
    struct vg_kvmfr_producer_config cfg = {
        .align = (uint32_t)o->align,
        .features = o->setcursorpos ? VG_KVMFR_FEATURE_SETCURSORPOS : 0,
        .hostver = o->hostver,
        .capture = "lgmp-pattern",
        .os = VG_KVMFR_OS_LINUX,
        .os_name = "vgapt-guest lgmp-pattern",
        .on_set_cursor_pos = on_set_cursor_pos,
        .opaque = &r->msgs,
    };
    r->p = vg_kvmfr_producer_create(r->shm.base, r->shm.size, &cfg, ms_of(now_ns));
    if (!r->p)
        return false;
    post_shape(r, now_ns);
    return true;
}

static int map_region(struct run *r)
{
    const struct options *o = r->o;
    uint64_t need = region_need(r->frame_bytes, (uint64_t)o->align);
    uint64_t want = round_up_pow2_mib(need), have = 0;
    enum vg_guest_region how = vg_guest_region_probe(o->shm, need, &have);
    if (how == VG_GUEST_REGION_ERROR)
        return 1;
    bool create = how == VG_GUEST_REGION_CREATE;
    if (!vg_guest_region_map(o->shm, create, want, &r->shm))
        return 1;
    if (create)
        vg_info("created %s (%zu MiB)", o->shm, r->shm.size / MIB);
    else if (r->shm.size < need)
        vg_warn("%s has %zu bytes; --size %" PRIu32 "x%" PRIu32 " in %s needs %" PRIu64
                " MiB for whole frames: they will be TRUNCATED, as on a B7 host with too "
                "small an ivshmem device",
                o->shm, r->shm.size, o->size[0], o->size[1], format_names[o->format], want / MIB);
    return 0;
}

static int submit(struct run *r, const struct vg_fp_rect *prev, const struct vg_fp_rect *box,
                  bool first, uint64_t now_ns)
{
    const struct options *o = r->o;
    struct vg_kvmfr_damage_rect d[2] = {
        {prev->x, prev->y, prev->w, prev->h},
        {box->x, box->y, box->w, box->h},
    };
    bool same = prev->x == box->x && prev->y == box->y && prev->w == box->w && prev->h == box->h;
    uint32_t n = first || o->damage == DAMAGE_FULL ? 0 : same ? 1 : 2;
    struct vg_kvmfr_frame_params fp = {
        .type = format_types[o->format],
        .frame_width = o->size[0],
        .frame_height = o->size[1],
        .rotation = (uint32_t)o->rotation,
        .format_ver = 1,
        .stop_after = o->stop_after < 0 ? UINT64_MAX : (uint64_t)o->stop_after,
    };
    return vg_kvmfr_producer_submit(r->p, &fp, r->pixels, r->src_pitch, same ? d + 1 : d, n,
                                    ms_of(now_ns));
}

static int run(const struct options *o)
{
    uint32_t w = o->size[0], h = o->size[1];
    struct run *r = calloc(1, sizeof(*r));
    if (!r) {
        vg_err("out of memory");
        return 1;
    }
    r->o = o;
    r->msgs.log = o->log_messages;
    r->shape_index = o->cursor == CURSOR_CYCLE ? 0 : o->cursor;
    r->src_pitch = (size_t)w * format_bpp[o->format];
    r->frame_bytes = frame_bytes_for(w, h, o->format);
    init_shapes(&r->shapes);
    int status = 1;

    r->pixels = malloc(r->src_pitch * h);
    if (!r->pixels) {
        vg_err("out of memory for a %zu-byte frame", r->src_pitch * h);
        goto cleanup;
    }
    int m = map_region(r);
    if (m != 0) {
        status = m;
        goto cleanup;
    }
    uint64_t start = vg_time_ns();
    vg_pattern_cursor_pos(w, h, 0, &r->cursor_x, &r->cursor_y);
    if (!start_session(r, start)) {
        vg_err("%s (%zu MiB) cannot hold the B7 layout; remove it (it is then created at "
               "the right size) or give a file of %" PRIu64 " MiB",
               o->shm, r->shm.size / MIB,
               round_up_pow2_mib(region_need(r->frame_bytes, (uint64_t)o->align)) / MIB);
        goto cleanup;
    }
    uint64_t max_frame = vg_kvmfr_producer_max_frame(r->p);
    if (r->frame_bytes > max_frame)
        vg_warn("frames are TRUNCATED to the first %" PRIu64 " of %" PRIu32 " rows",
                max_frame / (r->frame_bytes / h), h);
    vg_info("%s: %" PRIu32 "x%" PRIu32 " %s at %" PRId64 " fps, rotation %s, %s damage, %s "
            "cursor%s, session %08" PRIx32,
            o->shm, w, h, format_names[o->format], o->fps, rotation_names[o->rotation],
            damage_names[o->damage], cursor_names[o->cursor], o->still ? ", still" : "",
            vg_lgmp_host_session_id(vg_kvmfr_producer_host(r->p)));

    uint64_t end = o->seconds ? start + (uint64_t)o->seconds * VG_NS_PER_S : UINT64_MAX;
    const uint64_t fps = (uint64_t)o->fps;
    uint64_t next_tick = start, next_shape = start + CYCLE_NS, next_timeout = 0;
    /* Deadlines are absolute from an anchor so rounding never drifts; falling more than a
     * frame behind moves the anchor instead of bursting frames to catch up. */
    uint64_t anchor_ns = start, anchor_n = 0, retry_ns = 0;
    uint64_t n = 0, total = 0, reposts = 0, sessions = 1;
    uint64_t rendered = UINT64_MAX; /* pattern frame the pixel buffer holds */
    struct vg_fp_rect prev_box = {0};

    while (!vg_guest_stop_requested) {
        uint64_t now = vg_time_ns();
        if (now >= end)
            break;
        if (now >= next_tick) {
            if (!vg_kvmfr_producer_tick(r->p, ms_of(now))) {
                vg_warn("%s was wiped (no LGMP magic): starting a new session", o->shm);
                vg_kvmfr_producer_destroy(r->p);
                vg_pattern_cursor_pos(w, h, 0, &r->cursor_x, &r->cursor_y);
                if (!start_session(r, now))
                    goto cleanup;
                sessions++;
                n = 0;
                anchor_ns = now;
                anchor_n = 0;
                rendered = UINT64_MAX;
            }
            if (r->msgs.warp) {
                r->msgs.warp = false;
                post_position(r, r->msgs.x, r->msgs.y, now); /* hotspot (0, 0) */
            }
            next_tick += TICK_NS;
            if (next_tick <= now)
                next_tick = now + TICK_NS;
        }
        if (o->cursor == CURSOR_CYCLE && now >= next_shape) {
            r->shape_index = (r->shape_index + 1) % 3;
            post_shape(r, now);
            next_shape += CYCLE_NS;
            if (next_shape <= now)
                next_shape = now + CYCLE_NS;
        }

        bool want_frame = !(o->still && n > 0) && (o->frames == 0 || total < (uint64_t)o->frames);
        uint64_t deadline = anchor_ns + (n - anchor_n) * VG_NS_PER_S / fps;
        if (retry_ns > deadline)
            deadline = retry_ns;
        if (want_frame && now >= deadline) {
            uint64_t frame = o->still ? 0 : n;
            struct vg_fp_rect box = vg_pattern_box(w, h, frame);
            if (rendered != frame) {
                if (n == 0) {
                    vg_pattern_render(r->pixels, r->src_pitch, format_pattern[o->format], w, h,
                                      frame, NULL);
                } else {
                    vg_pattern_render(r->pixels, r->src_pitch, format_pattern[o->format], w, h,
                                      frame, &prev_box);
                    vg_pattern_render(r->pixels, r->src_pitch, format_pattern[o->format], w, h,
                                      frame, &box);
                }
                rendered = frame;
            }
            int ret = submit(r, &prev_box, &box, n == 0, now);
            if (ret == -EBUSY) {
                /* A client holds both slots; the timer expels it after a second. */
                retry_ns = now + BUSY_RETRY_NS;
            } else if (ret < 0) {
                vg_err("cannot publish frame %" PRIu64 ": %s", n, strerror(-ret));
                goto cleanup;
            } else {
                retry_ns = 0;
                n++;
                total++;
                prev_box = box;
                next_timeout = now + CAPTURE_TIMEOUT_NS;
                int32_t cx, cy;
                vg_pattern_cursor_pos(w, h, frame, &cx, &cy);
                if (cx != r->cursor_x || cy != r->cursor_y)
                    post_position(r, cx, cy, now);
                uint64_t next = anchor_ns + (n - anchor_n) * VG_NS_PER_S / fps;
                if (now > next + VG_NS_PER_S / fps) {
                    anchor_ns = now;
                    anchor_n = n;
                }
            }
        }
        /* A static screen: the capture times out and a newcomer gets the last frame again. */
        if (o->still && n > 0 && now >= next_timeout) {
            int ret = vg_kvmfr_producer_repost(r->p, ms_of(now));
            if (ret > 0)
                reposts++;
            else if (ret < 0)
                vg_debug("cannot re-post the last frame: %s", strerror(-ret));
            next_timeout = now + CAPTURE_TIMEOUT_NS;
        }
        if (o->frames && total >= (uint64_t)o->frames)
            break;

        uint64_t wake = next_tick;
        want_frame = !(o->still && n > 0) && (o->frames == 0 || total < (uint64_t)o->frames);
        if (want_frame) {
            deadline = anchor_ns + (n - anchor_n) * VG_NS_PER_S / fps;
            if (retry_ns > deadline)
                deadline = retry_ns;
            if (deadline < wake)
                wake = deadline;
        }
        if (o->cursor == CURSOR_CYCLE && next_shape < wake)
            wake = next_shape;
        if (o->still && n > 0 && next_timeout < wake)
            wake = next_timeout;
        if (end < wake)
            wake = end;
        vg_sleep_until_ns(wake);
    }

    double secs = (double)(vg_time_ns() - start) / (double)VG_NS_PER_S;
    printf("lgmp-pattern: %" PRIu64 " frames in %.2f s (%.1f fps), %" PRIu64 " re-posts, %" PRIu64
           " cursor moves asked, %" PRIu64 " session%s\n",
           total, secs, secs > 0 ? (double)total / secs : 0.0, reposts, r->msgs.received, sessions,
           sessions == 1 ? "" : "s");
    fflush(stdout);
    status = 0;

cleanup:
    vg_kvmfr_producer_destroy(r->p);
    vg_shm_unmap(&r->shm);
    free(r->pixels);
    free(r);
    return status;
}

int vg_guest_lgmp_pattern_main(int argc, char **argv)
{
    struct options o = {
        .size = {1920, 1080},
        .fps = 60,
        .damage = DAMAGE_PARTIAL,
        .align = 4096,
        .setcursorpos = true,
        .stop_after = -1,
    };
    int status = 2;
    if (!vg_opts_set_string(&o.hostver, "B7")) {
        vg_err("out of memory");
        return 1;
    }
    /* name, short, type, dest, min, max, choices, arg, help */
    const struct vg_opt opts[] = {
        {"shm", 0, VG_OPT_STRING, &o.shm, 0, 0, NULL, "FILE",
         "shared-memory file to write (created if missing), e.g. /dev/shm/looking-glass", NULL,
         NULL},
        {"size", 0, VG_OPT_SIZE, o.size, 1, VG_LGMP_MAX_DIM, NULL, "WxH", "frame size", NULL, NULL},
        {"fps", 0, VG_OPT_INT, &o.fps, 1, 1000, NULL, "N", "frames per second, 1 to 1000", NULL,
         NULL},
        {"format", 0, VG_OPT_CHOICE, &o.format, 0, 0, format_names, "FORMAT",
         "KVMFR frame type (bgr32: packed 24-bit in 32-bit texels).", NULL, NULL},
        {"rotation", 0, VG_OPT_CHOICE, &o.rotation, 0, 0, rotation_names, "DEGREES",
         "rotation sent in the frame header (the data stays unrotated).", NULL, NULL},
        {"damage", 0, VG_OPT_CHOICE, &o.damage, 0, 0, damage_names, "MODE",
         "send the moving box as damage rects, or every frame as new.", NULL, NULL},
        {"cursor", 0, VG_OPT_CHOICE, &o.cursor, 0, 0, cursor_names, "TYPE",
         "cursor shape type; cycle changes it every second.", NULL, NULL},
        {"still", 0, VG_OPT_FLAG, &o.still, 0, 0, NULL, NULL,
         "a static screen: one frame, re-posted to a new client on each 1 s capture timeout", NULL,
         NULL},
        {"seconds", 0, VG_OPT_INT, &o.seconds, 0, 1e9, NULL, "N",
         "stop after N seconds; 0 runs until SIGINT or SIGTERM", NULL, NULL},
        {"frames", 0, VG_OPT_INT, &o.frames, 0, 1e15, NULL, "N",
         "stop after N frames (--still captures one); 0 for no limit", NULL, NULL},
        {"align", 0, VG_OPT_INT, &o.align, 2048, 1 << 30, NULL, "BYTES",
         "frame slot alignment (the guest page size; D12 uses its heap's), a power of two", NULL,
         NULL},
        {"setcursorpos", 0, VG_OPT_FLAG, &o.setcursorpos, 0, 0, NULL, NULL,
         "announce the SETCURSORPOS feature (a Windows host does, a Linux host does not)", NULL,
         NULL},
        {"stop-after", 0, VG_OPT_INT, &o.stop_after, -1, 1e15, NULL, "BYTES",
         "testing: stop every frame's pixels (and wp) after BYTES, like a host dying "
         "mid-frame or B7's XCB backend (BYTES = one row); -1 writes them all",
         NULL, NULL},
        {"log-messages", 0, VG_OPT_FLAG, &o.log_messages, 0, 0, NULL, NULL,
         "print each SETCURSORPOS a client sends as 'setcursorpos X Y' on stdout", NULL, NULL},
        {"hostver", 0, VG_OPT_STRING, &o.hostver, 0, 0, NULL, "TEXT",
         "host version string in the KVMFR header (at most 31 characters)", NULL, NULL},
    };
    const size_t n_opts = sizeof(opts) / sizeof(opts[0]);
    const struct vg_opts_program prog = {
        .name = "vgapt-guest lgmp-pattern",
        .usage = "--shm FILE [OPTIONS]",
        .summary = "Runs a Looking Glass B7 host (LGMP 6, KVMFR 20) on this machine that "
                   "publishes the moving test pattern and a cursor, for a Looking Glass "
                   "client, vgapt-client and the tests. Frame serial s shows pattern frame "
                   "s - 1. Stops cleanly on SIGINT or SIGTERM.",
        .version = VG_VERSION,
    };

    status = vg_opts_parse_or_exit(&prog, opts, n_opts, argc, argv);
    if (status >= 0)
        goto cleanup;
    status = 2;
    if (!o.shm || !*o.shm) {
        vg_err("--shm FILE is required: the shared-memory file to write, e.g. "
               "--shm /dev/shm/looking-glass");
        goto cleanup;
    }
    if ((o.align & (o.align - 1)) != 0) {
        vg_err("--align %" PRId64 " is not a power of two (4096 is the usual page size)", o.align);
        goto cleanup;
    }

    if (!o.hostver || strlen(o.hostver) > 31) {
        vg_err("--hostver takes at most 31 characters (KVMFR's hostver field is 32 bytes)");
        goto cleanup;
    }

    vg_guest_catch_signals();
    status = run(&o);

cleanup:
    vg_opts_free(opts, n_opts);
    return status;
}
