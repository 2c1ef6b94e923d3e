/* `vgapt-guest pattern`: a frame-protocol producer that writes the test pattern, on the host
 * (so the client, the protocol and the tests can be exercised without a VM) or inside a VM on
 * the ivshmem device's BAR. */
#include "guest.h"
#include "region.h"

#include <ctype.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "vg/fp.h"
#include "vg/log.h"
#include "vg/opts.h"
#include "vg/shm.h"
#include "vg/time.h"
#include "vg/version.h"

#define MIB (UINT64_C(1) << 20)
/* Half the protocol's 100 ms so a slow frame rate never looks like a stall. */
#define BEAT_NS (50 * VG_NS_PER_MS)

static const char *const format_names[] = {"bgra8", "rgba8", "rgb10a2", "rgba16f", NULL};
static const uint32_t format_values[] = {VG_FP_FORMAT_BGRA8, VG_FP_FORMAT_RGBA8,
                                         VG_FP_FORMAT_RGB10A2, VG_FP_FORMAT_RGBA16F};
enum { DAMAGE_FULL, DAMAGE_PARTIAL };
static const char *const damage_names[] = {"full", "partial", NULL};
enum { CLOCK_AUTO, CLOCK_HOST, CLOCK_GUEST };
static const char *const clock_names[] = {"auto", "host", "guest", NULL};

struct options {
    char *shm;
    uint32_t size[2];
    int64_t fps;
    int format;
    int damage;
    int64_t seconds;
    int64_t frames;
    int64_t slots;
    int clock;
    bool still;
};

static void format_mib(uint64_t bytes, char *buf, size_t size)
{
    if (bytes % MIB == 0)
        snprintf(buf, size, "%" PRIu64 " MiB", bytes / MIB);
    else
        snprintf(buf, size, "%.2f MiB", (double)bytes / (double)MIB);
}

/* libvirt's <shmem> sizes are powers of two MiB; a file we create follows suit. */
static uint64_t round_up_pow2_mib(uint64_t bytes)
{
    uint64_t size = MIB;
    while (size < bytes && size < (UINT64_C(1) << 62))
        size <<= 1;
    return size;
}

static void too_small(const struct options *o, const char *path, uint64_t want, uint64_t have)
{
    char w[32], h[32];
    format_mib(want, w, sizeof(w));
    format_mib(have, h, sizeof(h));
    vg_err("--size %" PRIu32 "x%" PRIu32 " (%s, %" PRId64 " slots) needs %s; %s has %s: remove "
           "it (it is then created at the right size) or give a larger file",
           o->size[0], o->size[1], format_names[o->format], o->slots, w, path, h);
}

/* Maps the region: creates a missing or empty regular file at the rounded size, uses an existing
 * one (or a device) as it is if large enough. Returns 0 or an exit status. */
static int map_region(const struct options *o, uint64_t need, struct vg_shm *shm)
{
    uint64_t want = round_up_pow2_mib(need), have = 0;
    enum vg_guest_region how = vg_guest_region_probe(o->shm, need, &have);
    if (how == VG_GUEST_REGION_ERROR)
        return 1;
    if (how == VG_GUEST_REGION_TOO_SMALL) {
        too_small(o, o->shm, want, have);
        return 1;
    }
    bool create = how == VG_GUEST_REGION_CREATE;
    if (!vg_guest_region_map(o->shm, create, want, shm))
        return 1;
    if (shm->size < need) {
        too_small(o, o->shm, want, shm->size);
        vg_shm_unmap(shm);
        return 1;
    }
    if (create)
        vg_info("created %s (%zu MiB)", o->shm, shm->size / MIB);
    return 0;
}

/* Waits for the deadline while beating the heartbeat; false if asked to stop or past `end`. */
static bool wait_until(struct vg_fp_producer *p, uint64_t deadline, uint64_t end,
                       uint64_t *last_beat)
{
    for (;;) {
        uint64_t now = vg_time_ns();
        if (vg_guest_stop_requested || now >= end)
            return false;
        if (now - *last_beat >= BEAT_NS) {
            vg_fp_producer_heartbeat(p, now);
            *last_beat = now;
        }
        if (now >= deadline)
            return true;
        uint64_t wake = *last_beat + BEAT_NS;
        if (deadline < wake)
            wake = deadline;
        if (end < wake)
            wake = end;
        vg_sleep_until_ns(wake);
    }
}

/* A PCI BAR through sysfs (.../resourceN or resourceN_wc): we run inside the VM. */
static bool is_pci_bar(const char *path)
{
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    if (strncmp(name, "resource", 8) != 0 || !isdigit((unsigned char)name[8]))
        return false;
    const char *p = name + 8;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == '\0' || strcmp(p, "_wc") == 0;
}

/* The clock the frames are stamped with (vg_time_ns, this machine's CLOCK_MONOTONIC, as the
 * heartbeat is) is the host's only when we run on the host; inside a VM it is the guest's, which
 * the client relates to its own from the heartbeat. */
static uint32_t capture_clock(const struct options *o)
{
    if (o->clock == CLOCK_HOST)
        return VG_FP_CLOCK_HOST_MONOTONIC;
    if (o->clock == CLOCK_GUEST || is_pci_bar(o->shm))
        return VG_FP_CLOCK_GUEST;
    return VG_FP_CLOCK_HOST_MONOTONIC;
}

static bool same_rect(const struct vg_fp_rect *a, const struct vg_fp_rect *b)
{
    return a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h;
}

static int run(const struct options *o)
{
    uint32_t w = o->size[0], h = o->size[1];
    uint32_t format = format_values[o->format];
    uint32_t slots = (uint32_t)o->slots;
    uint64_t need = vg_fp_region_size_for(w, h, format, slots);
    if (need == 0) {
        vg_err("--size %" PRIu32 "x%" PRIu32 " in %s is too large for the frame protocol", w, h,
               format_names[o->format]);
        return 1;
    }

    int status = 1;
    struct vg_shm shm = {0};
    struct vg_fp_producer *p = NULL;
    uint8_t *pixels = NULL;

    int r = map_region(o, need, &shm);
    if (r != 0)
        return r;

    struct vg_fp_producer_config cfg = {
        .slot_count = slots,
        .clock = capture_clock(o),
    };
    p = vg_fp_producer_create(shm.base, shm.size, &cfg);
    if (!p)
        goto cleanup;

    size_t stride, frame_bytes;
    if (__builtin_mul_overflow((size_t)w, (size_t)vg_fp_format_bpp(format), &stride) ||
        __builtin_mul_overflow(stride, (size_t)h, &frame_bytes)) {
        vg_err("--size %" PRIu32 "x%" PRIu32 " overflows this machine's sizes", w, h);
        goto cleanup;
    }
    if (frame_bytes > vg_fp_producer_slot_capacity(p)) {
        too_small(o, o->shm, round_up_pow2_mib(need), shm.size);
        goto cleanup;
    }
    pixels = malloc(frame_bytes);
    if (!pixels) {
        vg_err("out of memory for a %zu-byte frame", frame_bytes);
        goto cleanup;
    }

    uint8_t shape[VG_PATTERN_CURSOR_SIZE * VG_PATTERN_CURSOR_SIZE * 4];
    vg_pattern_cursor_shape(shape);
    r = vg_fp_producer_cursor_shape(p, VG_PATTERN_CURSOR_SIZE, VG_PATTERN_CURSOR_SIZE, 0, 0, shape,
                                    VG_PATTERN_CURSOR_SIZE * 4);
    if (r < 0) {
        vg_err("cannot publish the cursor shape: %s", strerror(-r));
        goto cleanup;
    }
    /* Where the cursor is before the first frame, as a capture knows when it starts: a consumer
     * that shows frame 1 has its cursor too. */
    int32_t cx, cy;
    vg_pattern_cursor_pos(w, h, 0, &cx, &cy);
    vg_fp_producer_cursor_pos(p, cx, cy, true);

    vg_info("%s: %" PRIu32 "x%" PRIu32 " %s at %" PRId64 " fps, %s damage%s, %s clock", o->shm, w,
            h, format_names[o->format], o->fps, damage_names[o->damage],
            o->still ? ", still (published once)" : "",
            cfg.clock == VG_FP_CLOCK_GUEST ? "guest" : "host");

    uint64_t start = vg_time_ns();
    uint64_t end = o->seconds ? start + (uint64_t)o->seconds * VG_NS_PER_S : UINT64_MAX;
    uint64_t fps = (uint64_t)o->fps;
    /* Deadlines are absolute from an anchor so rounding never drifts; falling more than a
     * frame behind moves the anchor instead of bursting frames to catch up. */
    uint64_t anchor_ns = start, anchor_n = 0, last_beat = start;
    uint64_t n = 0, published = 0;
    struct vg_fp_rect prev_box = {0};
    while (o->frames == 0 || n < (uint64_t)o->frames) {
        uint64_t deadline = anchor_ns + (n - anchor_n) * VG_NS_PER_S / fps;
        if (!wait_until(p, deadline, end, &last_beat))
            break;

        uint64_t now = vg_time_ns();
        /* A still screen is published once, as a capture of one is: then only the heartbeat
         * moves (wait_until beats it), and a consumer that comes later reads the latest slot. */
        if (!o->still || n == 0) {
            struct vg_fp_rect box = vg_pattern_box(w, h, n);
            struct vg_fp_rect damage[2] = {prev_box, box};
            uint32_t n_damage = same_rect(&prev_box, &box) ? 1 : 2;
            if (n == 0) {
                vg_pattern_render(pixels, stride, format, w, h, n, NULL);
            } else {
                for (uint32_t i = 0; i < n_damage; i++)
                    vg_pattern_render(pixels, stride, format, w, h, n, &damage[i]);
            }

            struct vg_fp_frame_desc desc = {
                .format = format, .width = w, .height = h, .capture_ns = now};
            bool full = n == 0 || o->damage == DAMAGE_FULL;
            r = vg_fp_producer_submit(p, &desc, pixels, stride, full ? NULL : damage,
                                      full ? 0 : n_damage);
            if (r < 0) {
                vg_err("cannot publish frame %" PRIu64 ": %s", n, strerror(-r));
                goto cleanup;
            }
            last_beat = now;
            if (n > 0) {
                vg_pattern_cursor_pos(w, h, n, &cx, &cy);
                vg_fp_producer_cursor_pos(p, cx, cy, true);
            }
            prev_box = box;
            published++;
        }

        n++;
        uint64_t next = anchor_ns + (n - anchor_n) * VG_NS_PER_S / fps;
        if (now > next + VG_NS_PER_S / fps) {
            anchor_ns = now;
            anchor_n = n;
        }
    }

    double secs = (double)(vg_time_ns() - start) / (double)VG_NS_PER_S;
    printf("pattern: %" PRIu64 " frames in %.2f s (%.1f fps)\n", published, secs,
           secs > 0 ? (double)published / secs : 0.0);
    fflush(stdout);
    status = 0;

cleanup:
    free(pixels);
    vg_fp_producer_destroy(p);
    vg_shm_unmap(&shm);
    return status;
}

int vg_guest_pattern_main(int argc, char **argv)
{
    struct options o = {
        .size = {1920, 1080},
        .fps = 60,
        .format = 0,
        .damage = DAMAGE_PARTIAL,
        .slots = 3,
        .clock = CLOCK_AUTO,
    };
    /* name, short, type, dest, min, max, choices, arg, help */
    const struct vg_opt opts[] = {
        {"shm", 0, VG_OPT_STRING, &o.shm, 0, 0, NULL, "FILE",
         "shared-memory file to write (created if missing), e.g. /dev/shm/looking-glass", NULL,
         NULL},
        {"size", 0, VG_OPT_SIZE, o.size, 1, VG_FP_MAX_DIM, NULL, "WxH", "frame size", NULL, NULL},
        {"fps", 0, VG_OPT_INT, &o.fps, 1, 1000, NULL, "N", "frames per second, 1 to 1000", NULL,
         NULL},
        {"format", 0, VG_OPT_CHOICE, &o.format, 0, 0, format_names, "FORMAT", "pixel format.", NULL,
         NULL},
        {"damage", 0, VG_OPT_CHOICE, &o.damage, 0, 0, damage_names, "MODE",
         "report the moving box as damage, or every frame as new.", NULL, NULL},
        {"seconds", 0, VG_OPT_INT, &o.seconds, 0, 1e9, NULL, "N",
         "stop after N seconds; 0 runs until SIGINT or SIGTERM", NULL, NULL},
        {"frames", 0, VG_OPT_INT, &o.frames, 0, 1e15, NULL, "N",
         "stop after N frames (frame intervals with --still); 0 for no limit", NULL, NULL},
        {"slots", 0, VG_OPT_INT, &o.slots, VG_FP_MIN_SLOTS, VG_FP_MAX_SLOTS, NULL, "N",
         "frame slots in the region", NULL, NULL},
        {"still", 0, VG_OPT_FLAG, &o.still, 0, 0, NULL, NULL,
         "a still screen: publish frame 0 of the pattern once, then only the heartbeat, as a "
         "capture of a screen where nothing moves does",
         NULL, NULL},
        {"clock", 0, VG_OPT_CHOICE, &o.clock, 0, 0, clock_names, "CLOCK",
         "the clock of the capture times, as the header declares it: host (this runs on the "
         "host), guest (this runs in a VM; the client relates its clock to the host's from the "
         "heartbeat), or auto: guest when --shm is a PCI BAR (sysfs resourceN or "
         "resourceN_wc), host otherwise.",
         NULL, NULL},
    };
    const size_t n_opts = sizeof(opts) / sizeof(opts[0]);
    const struct vg_opts_program prog = {
        .name = "vgapt-guest pattern",
        .usage = "--shm FILE [OPTIONS]",
        .summary = "Publishes a moving test pattern (colour bars, grey ramp, corner markers, a "
                   "bouncing box and a cursor) through the vgapt frame protocol, from the "
                   "host or inside a VM (on the ivshmem BAR), for the client and the tests. "
                   "Frame serial s shows pattern frame s - 1. Stops cleanly on SIGINT or "
                   "SIGTERM.",
        .version = VG_VERSION,
    };

    int status = vg_opts_parse_or_exit(&prog, opts, n_opts, argc, argv);
    if (status >= 0)
        goto cleanup;
    if (!o.shm || !*o.shm) {
        vg_err("--shm FILE is required: the shared-memory file to write, e.g. "
               "--shm /dev/shm/looking-glass");
        status = 2;
        goto cleanup;
    }

    vg_guest_catch_signals();
    status = run(&o);

cleanup:
    vg_opts_free(opts, n_opts);
    return status;
}
