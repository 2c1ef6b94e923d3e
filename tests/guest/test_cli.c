/* vgapt-guest as a user runs it: bad options are named, the pattern it publishes is the one
 * vg-pattern computes (read back through the consumer), files are sized or refused, the
 * heartbeat keeps a slow producer alive and a signal stops it cleanly.
 * Usage: test-guest-cli PATH-TO-vgapt-guest */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern.h"
#include "testlib.h"
#include "vg/fp.h"
#include "vg/shm.h"
#include "vg/time.h"

#define MIB (UINT64_C(1) << 20)

/* A NULL-terminated argument list, after the program name. */
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *guest;
static const char *tmp;

struct output {
    char out[8192];
    char err[8192];
};

/* Starts vgapt-guest with args, its stdout and stderr going to files in tmp. */
static pid_t spawn_guest(const char *const *args)
{
    return vg_test_spawn_capture(guest, args, tmp);
}

static void collect(struct output *o)
{
    vg_test_collect(tmp, o->out, sizeof(o->out), o->err, sizeof(o->err));
}

/* Runs vgapt-guest to completion (20 s at most); returns its exit status. */
static int run_guest(struct output *o, const char *const *args)
{
    return vg_test_run_capture(guest, args, tmp, 20000, o->out, sizeof(o->out), o->err,
                               sizeof(o->err));
}

static void expect_usage_error(const char *needle, const char *const *args)
{
    vg_test_expect_usage_error(guest, args, tmp, needle);
}

/* The guest creates the file, then sizes it: wait for both before mapping it. */
static void wait_for_sized_file(const char *path)
{
    struct stat st;
    for (int t = 0; t < 500 && (stat(path, &st) != 0 || st.st_size == 0); t++)
        vg_sleep_ns(10 * VG_NS_PER_MS);
}

static void test_bad_options_are_named(void)
{
    char shm[512];
    snprintf(shm, sizeof(shm), "%s/unused", tmp);
    expect_usage_error("Usage: vgapt-guest COMMAND", ARGS(NULL));
    expect_usage_error("unknown command 'bogus'", ARGS("bogus"));
    expect_usage_error("--shm FILE is required", ARGS("pattern"));
    expect_usage_error("--fps", ARGS("pattern", "--shm", shm, "--fps", "0"));
    expect_usage_error("--fps", ARGS("pattern", "--shm", shm, "--fps", "1001"));
    expect_usage_error("--size", ARGS("pattern", "--shm", shm, "--size", "0x10"));
    expect_usage_error("--size", ARGS("pattern", "--shm", shm, "--size", "1920"));
    expect_usage_error("--format takes one of bgra8, rgba8, rgb10a2, rgba16f",
                       ARGS("pattern", "--shm", shm, "--format", "yuv"));
    expect_usage_error("--damage", ARGS("pattern", "--shm", shm, "--damage", "some"));
    expect_usage_error("--slots", ARGS("pattern", "--shm", shm, "--slots", "9"));
    expect_usage_error("--slots", ARGS("pattern", "--shm", shm, "--slots", "2"));
    expect_usage_error("unknown option '--frobnicate'",
                       ARGS("pattern", "--shm", shm, "--frobnicate"));
    expect_usage_error("unexpected argument 'extra'", ARGS("pattern", "--shm", shm, "extra"));
    expect_usage_error("needs a value", ARGS("pattern", "--shm"));
    CHECK_MSG(access(shm, F_OK) != 0, "a rejected command line created %s", shm);
}

static void test_help_and_version(void)
{
    struct output o;
    CHECK(run_guest(&o, ARGS("--help")) == 0);
    CHECK_MSG(strstr(o.out, "pattern"), "top-level --help lists no subcommands: %s", o.out);
    CHECK(run_guest(&o, ARGS("pattern", "--help")) == 0);
    CHECK_MSG(strstr(o.out, "--fps N") && strstr(o.out, "(default: 60)") &&
                  strstr(o.out, "(default: 1920x1080)") && strstr(o.out, "(default: partial)") &&
                  strstr(o.out, "--[no-]still"),
              "pattern --help: %s", o.out);
    CHECK(run_guest(&o, ARGS("--version")) == 0);
    CHECK_MSG(strncmp(o.out, "vgapt-guest ", 12) == 0, "--version: %s", o.out);
    CHECK(run_guest(&o, ARGS("pattern", "--version")) == 0);
    CHECK_MSG(strncmp(o.out, "vgapt-guest pattern ", 20) == 0, "--version: %s", o.out);
}

struct region {
    struct vg_shm shm;
    struct vg_fp_consumer *consumer;
};

static bool open_region(struct region *r, const char *path)
{
    char err[512];
    int ret = vg_shm_map(&r->shm, path, VG_SHM_WRITE, 0, 0, err, sizeof(err));
    CHECK_MSG(ret == 0, "%s", err);
    if (ret != 0)
        return false;
    r->consumer = vg_fp_consumer_create(r->shm.base, r->shm.size, true, 200 * VG_NS_PER_MS);
    CHECK(r->consumer);
    return r->consumer != NULL;
}

static void close_region(struct region *r)
{
    vg_fp_consumer_destroy(r->consumer);
    vg_shm_unmap(&r->shm);
}

static enum vg_fp_status wait_status(struct region *r, enum vg_fp_status want, int timeout_ms,
                                     struct vg_fp_status_info *info)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    enum vg_fp_status s;
    do {
        s = vg_fp_consumer_poll(r->consumer, vg_time_ns(), info);
        if (s == want)
            break;
        vg_sleep_ns(2 * VG_NS_PER_MS);
    } while (vg_time_ns() < deadline);
    return s;
}

static uint64_t expected_file_size(uint32_t w, uint32_t h, uint32_t format, uint32_t slots)
{
    uint64_t need = vg_fp_region_size_for(w, h, format, slots), size = MIB;
    while (size < need)
        size <<= 1;
    return size;
}

/* Compares frame f (its pixels at got, laid out like the frame) with the pattern for
 * serial - 1 (frame 0 when still), every pixel; reports the first few differences. */
static void check_pixels(const struct vg_fp_frame *f, const uint8_t *got, bool still,
                         const char *what)
{
    uint64_t frame = still ? 0 : f->serial - 1;
    uint8_t *want = malloc(f->data_size);
    vg_pattern_render(want, f->stride, f->format, f->width, f->height, frame, NULL);
    uint32_t bpp = vg_fp_format_bpp(f->format);
    size_t bad = 0;
    for (uint32_t y = 0; y < f->height; y++) {
        for (uint32_t x = 0; x < f->width; x++) {
            size_t off = (size_t)y * f->stride + (size_t)x * bpp;
            if (memcmp(got + off, want + off, bpp) != 0 && bad++ < 3)
                fprintf(stderr, "%s: serial %llu (%u,%u) differs\n", what,
                        (unsigned long long)f->serial, x, y);
        }
    }
    CHECK_MSG(bad == 0, "%s: %zu pixels differ from pattern frame %llu", what, bad,
              (unsigned long long)frame);
    free(want);
}

/* Takes frames from a running producer until n have been copied intact and checked. */
static void check_live_frames(struct region *r, int n, bool still, const char *what)
{
    int checked = 0, torn = 0;
    uint64_t last_serial = 0;
    uint8_t *buf = NULL;
    uint64_t deadline = vg_time_ns() + 10 * VG_NS_PER_S;
    while (checked < n && vg_time_ns() < deadline) {
        struct vg_fp_status_info info;
        if (vg_fp_consumer_poll(r->consumer, vg_time_ns(), &info) != VG_FP_READY) {
            vg_sleep_ns(VG_NS_PER_MS);
            continue;
        }
        struct vg_fp_frame f;
        enum vg_fp_error err = VG_FP_OK;
        int got = vg_fp_consumer_next_frame(r->consumer, &f, &err);
        CHECK_MSG(got >= 0, "%s: next_frame: %s", what, vg_fp_error_str(err));
        if (got <= 0) {
            vg_sleep_ns(VG_NS_PER_MS);
            continue;
        }
        CHECK(f.serial > last_serial);
        last_serial = f.serial;
        free(buf);
        buf = malloc(f.data_size);
        int c = vg_fp_consumer_copy(r->consumer, &f, buf, f.stride, NULL, 0);
        vg_fp_consumer_done(r->consumer);
        if (c == -EAGAIN) {
            torn++;
            continue;
        }
        CHECK_MSG(c == 0, "%s: copy: %d", what, c);
        check_pixels(&f, buf, still, what);
        checked++;
    }
    free(buf);
    CHECK_MSG(checked == n, "%s: checked %d frames of %d (%d torn)", what, checked, n, torn);
}

/* The cursor channel carries the pattern's shape and a position inside the frame. */
static void check_cursor(struct region *r, uint32_t w, uint32_t h, const char *what)
{
    struct vg_fp_cursor_state st;
    static uint8_t shape[VG_FP_CURSOR_SHAPE_BYTES];
    int ret = 0;
    for (int i = 0; i < 100 && (ret < 0 || !(ret & 2)); i++)
        ret = vg_fp_consumer_cursor(r->consumer, &st, shape, sizeof(shape));
    CHECK_MSG(ret >= 0 && (ret & 2), "%s: cursor: %d", what, ret);
    CHECK(st.width == 32 && st.height == 32 && st.hot_x == 0 && st.hot_y == 0);
    CHECK(st.visible);
    uint8_t want[32 * 32 * 4];
    vg_pattern_cursor_shape(want);
    CHECK_MSG(memcmp(shape, want, sizeof(want)) == 0, "%s: cursor shape differs", what);
    CHECK(st.x >= 0 && st.y >= 0 && (uint32_t)st.x + 32 <= w && (uint32_t)st.y + 32 <= h);
}

static void stop_guest(pid_t pid, struct region *r, const char *what)
{
    kill(pid, SIGTERM);
    int status = vg_test_wait(pid, 5000);
    CHECK_MSG(status == 0, "%s: exit status %d after SIGTERM", what, status);
    struct output o;
    collect(&o);
    CHECK_MSG(strstr(o.out, "frames in"), "%s: no summary line: %s", what, o.out);
    struct vg_fp_status_info info;
    CHECK_MSG(wait_status(r, VG_FP_WAIT_STOPPED, 1000, &info) == VG_FP_WAIT_STOPPED,
              "%s: not stopped: %s", what, info.reason);
}

static void test_live_frames_match_the_pattern_in_every_format(void)
{
    static const char *const formats[] = {"bgra8", "rgba8", "rgb10a2", "rgba16f"};
    for (int i = 0; i < 4; i++) {
        for (int damage = 0; damage < 2; damage++) {
            const char *mode = damage ? "full" : "partial";
            char path[512], what[64];
            snprintf(path, sizeof(path), "%s/live-%s-%s", tmp, formats[i], mode);
            snprintf(what, sizeof(what), "%s/%s", formats[i], mode);
            pid_t pid = spawn_guest(ARGS("pattern", "--shm", path, "--size", "320x200", "--fps",
                                         "100", "--format", formats[i], "--damage", mode));
            CHECK(pid > 0);
            wait_for_sized_file(path);
            struct region r = {0};
            if (!open_region(&r, path)) {
                kill(pid, SIGKILL);
                vg_test_wait(pid, 5000);
                continue;
            }
            struct stat st;
            CHECK(stat(path, &st) == 0 &&
                  (uint64_t)st.st_size ==
                      expected_file_size(320, 200, vg_fp_format_parse(formats[i]), 3));
            struct vg_fp_status_info info;
            CHECK_MSG(wait_status(&r, VG_FP_READY, 5000, &info) == VG_FP_READY, "%s: %s", what,
                      info.reason);
            CHECK(vg_fp_consumer_clock(r.consumer) == VG_FP_CLOCK_HOST_MONOTONIC);
            check_live_frames(&r, 10, false, what);
            check_cursor(&r, 320, 200, what);
            stop_guest(pid, &r, what);
            close_region(&r);
        }
    }
}

/* A run bounded by --frames leaves STOPPED and its last frames in the slots. Read straight
 * through the validator: a consumer hands out frames only while the producer runs. */
static void test_bounded_run_leaves_its_last_frame(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/bounded", tmp);
    struct output o;
    int status = run_guest(&o, ARGS("pattern", "--shm", path, "--size", "320x200", "--fps", "100",
                                    "--frames", "20", "--slots", "4"));
    CHECK_MSG(status == 0, "exit status %d: %s", status, o.err);
    CHECK_MSG(strstr(o.out, "pattern: 20 frames in"), "summary: %s", o.out);

    struct region r = {0};
    if (!open_region(&r, path))
        return;
    struct vg_fp_status_info info;
    CHECK_MSG(vg_fp_consumer_poll(r.consumer, vg_time_ns(), &info) == VG_FP_WAIT_STOPPED, "%s",
              info.reason);

    struct vg_fp_header h;
    memcpy(&h, r.shm.base, sizeof(h));
    struct vg_fp_layout layout;
    CHECK(vg_fp_validate_header(&h, r.shm.size, &layout) == VG_FP_OK);
    CHECK(h.state == VG_FP_STATE_STOPPED && h.slot_count == 4);
    CHECK(h.clock == VG_FP_CLOCK_HOST_MONOTONIC);
    CHECK(VG_FP_LATEST_SERIAL(h.latest) == 20);
    /* Every slot holds a complete frame: the one its serial names. */
    int slots_checked = 0;
    for (uint32_t s = 0; s < layout.slot_count; s++) {
        struct vg_fp_slot slot;
        memcpy(&slot, (const uint8_t *)r.shm.base + layout.slot_offset[s], sizeof(slot));
        if (slot.serial == 0)
            continue;
        struct vg_fp_frame f;
        if (vg_fp_validate_slot(&slot, &layout, s, &f) != VG_FP_OK) {
            CHECK_MSG(false, "slot %u does not validate", s);
            continue;
        }
        CHECK(f.width == 320 && f.height == 200 && f.format == VG_FP_FORMAT_BGRA8);
        if (s == VG_FP_LATEST_SLOT(h.latest))
            CHECK(f.serial == 20);
        check_pixels(&f, (const uint8_t *)r.shm.base + f.data_offset, false, "bounded");
        slots_checked++;
    }
    CHECK(slots_checked == 4);

    int32_t want_x, want_y;
    vg_pattern_cursor_pos(320, 200, 19, &want_x, &want_y);
    CHECK(h.cursor.x == want_x && h.cursor.y == want_y && h.cursor.visible == 1);
    close_region(&r);
}

/* A still screen costs nothing: one frame (frame 0 of the pattern, its cursor with it), then
 * only the heartbeat, which keeps a strict consumer from calling the producer dead; a consumer
 * that comes later still gets the frame. */
static void test_still_screen_is_published_once(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/still", tmp);
    pid_t pid = spawn_guest(ARGS("pattern", "--shm", path, "--size", "100x70", "--fps", "200",
                                 "--format", "rgb10a2", "--still"));
    wait_for_sized_file(path);
    struct region r = {0};
    if (!open_region(&r, path)) {
        kill(pid, SIGKILL);
        vg_test_wait(pid, 5000);
        return;
    }
    struct vg_fp_status_info info;
    CHECK(wait_status(&r, VG_FP_READY, 5000, &info) == VG_FP_READY);
    check_live_frames(&r, 1, true, "still");
    struct vg_fp_cursor_state st;
    static uint8_t shape[VG_FP_CURSOR_SHAPE_BYTES];
    CHECK(vg_fp_consumer_cursor(r.consumer, &st, shape, sizeof(shape)) >= 0);
    int32_t want_x, want_y;
    vg_pattern_cursor_pos(100, 70, 0, &want_x, &want_y);
    CHECK(st.x == want_x && st.y == want_y && st.visible);

    /* 600 ms, 120 frame intervals at 200 fps: no new frame, no cursor update, always READY. */
    int not_ready = 0, frames = 0, cursor_updates = 0;
    const uint64_t until = vg_time_ns() + 600 * VG_NS_PER_MS;
    while (vg_time_ns() < until) {
        if (vg_fp_consumer_poll(r.consumer, vg_time_ns(), &info) != VG_FP_READY) {
            not_ready++;
        } else {
            struct vg_fp_frame f;
            if (vg_fp_consumer_next_frame(r.consumer, &f, NULL) != 0) {
                frames++;
                vg_fp_consumer_done(r.consumer);
            }
            cursor_updates += vg_fp_consumer_cursor(r.consumer, &st, shape, sizeof(shape)) != 0;
        }
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    CHECK_MSG(not_ready == 0, "still: %d polls not READY (%s)", not_ready, info.reason);
    CHECK_MSG(frames == 0, "still: %d more frames published while nothing moved", frames);
    CHECK_MSG(cursor_updates == 0, "still: %d cursor updates while nothing moved", cursor_updates);

    /* A consumer that starts now gets the one frame. */
    struct vg_fp_consumer *late =
        vg_fp_consumer_create(r.shm.base, r.shm.size, false, 200 * VG_NS_PER_MS);
    CHECK(late != NULL);
    if (late) {
        struct vg_fp_consumer *first = r.consumer;
        r.consumer = late;
        check_live_frames(&r, 1, true, "still, late consumer");
        r.consumer = first;
        vg_fp_consumer_destroy(late);
    }

    stop_guest(pid, &r, "still");
    struct output o;
    collect(&o);
    CHECK_MSG(strstr(o.out, "pattern: 1 frames in"), "still: summary: %s", o.out);
    close_region(&r);
}

/* --clock says which clock the header declares; auto is the guest's on a PCI BAR (sysfs
 * resourceN[_wc]: we run in the VM), the host's elsewhere. */
static void test_clock_follows_where_the_producer_runs(void)
{
    static const struct {
        const char *file, *clock;
        uint32_t want;
    } cases[] = {
        {"plain", NULL, VG_FP_CLOCK_HOST_MONOTONIC},
        {"resource2_wc", NULL, VG_FP_CLOCK_GUEST},
        {"resource2", "auto", VG_FP_CLOCK_GUEST},
        {"resource2_wc", "host", VG_FP_CLOCK_HOST_MONOTONIC},
        {"plain", "guest", VG_FP_CLOCK_GUEST},
        {"resource2_wc.bak", NULL, VG_FP_CLOCK_HOST_MONOTONIC},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char sub[512], path[600];
        snprintf(sub, sizeof(sub), "%s/clock%zu", tmp, i);
        mkdir(sub, 0700);
        snprintf(path, sizeof(path), "%s/%s", sub, cases[i].file);
        struct output o;
        int status =
            cases[i].clock
                ? run_guest(&o, ARGS("pattern", "--shm", path, "--size", "64x64", "--frames", "1",
                                     "--clock", cases[i].clock))
                : run_guest(&o, ARGS("pattern", "--shm", path, "--size", "64x64", "--frames", "1"));
        CHECK_MSG(status == 0, "%s: exit status %d: %s", path, status, o.err);
        struct region r = {0};
        if (!open_region(&r, path))
            continue;
        struct vg_fp_header h;
        memcpy(&h, r.shm.base, sizeof(h));
        CHECK_MSG(h.clock == cases[i].want, "%s --clock %s: header clock %u, want %u",
                  cases[i].file, cases[i].clock ? cases[i].clock : "(auto)", h.clock,
                  cases[i].want);
        close_region(&r);
    }
    char unused[512];
    snprintf(unused, sizeof(unused), "%s/unused", tmp);
    expect_usage_error("--clock takes one of auto, host, guest",
                       ARGS("pattern", "--shm", unused, "--clock", "tsc"));
}

/* At 1 fps the heartbeat alone must keep a strict consumer (200 ms stall) from calling the
 * producer dead, and SIGINT stops it at once rather than at the next frame. */
static void test_slow_producer_stays_alive_and_stops_on_sigint(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/slow", tmp);
    pid_t pid = spawn_guest(ARGS("pattern", "--shm", path, "--size", "64x64", "--fps", "1"));
    wait_for_sized_file(path);
    struct region r = {0};
    if (!open_region(&r, path)) {
        kill(pid, SIGKILL);
        vg_test_wait(pid, 5000);
        return;
    }
    struct vg_fp_status_info info;
    CHECK(wait_status(&r, VG_FP_READY, 5000, &info) == VG_FP_READY);
    int not_ready = 0, polls = 0;
    uint64_t until = vg_time_ns() + 1500 * VG_NS_PER_MS;
    while (vg_time_ns() < until) {
        not_ready += vg_fp_consumer_poll(r.consumer, vg_time_ns(), &info) != VG_FP_READY;
        polls++;
        vg_sleep_ns(10 * VG_NS_PER_MS);
    }
    CHECK_MSG(not_ready == 0, "%d of %d polls not READY (%s)", not_ready, polls, info.reason);

    uint64_t t0 = vg_time_ns();
    kill(pid, SIGINT);
    int status = vg_test_wait(pid, 5000);
    CHECK_MSG(status == 0, "exit status %d after SIGINT", status);
    CHECK_MSG(vg_time_ns() - t0 < 500 * VG_NS_PER_MS, "SIGINT took %.0f ms",
              vg_ns_to_ms(vg_time_ns() - t0));
    CHECK(vg_fp_consumer_poll(r.consumer, vg_time_ns(), &info) == VG_FP_WAIT_STOPPED);
    close_region(&r);
}

static void test_files_are_sized_or_refused(void)
{
    struct output o;
    struct stat st;

    /* An empty file (what mktemp leaves) is sized to the power of two MiB that fits. */
    char empty[512];
    snprintf(empty, sizeof(empty), "%s/empty", tmp);
    close(open(empty, O_WRONLY | O_CREAT, 0600));
    CHECK(run_guest(&o, ARGS("pattern", "--shm", empty, "--size", "320x200", "--frames", "1",
                             "--format", "rgba16f")) == 0);
    CHECK(stat(empty, &st) == 0 &&
          (uint64_t)st.st_size == expected_file_size(320, 200, VG_FP_FORMAT_RGBA16F, 3));

    /* A file too small for the frame is refused with the size needed, and left alone. */
    char small[512];
    snprintf(small, sizeof(small), "%s/small", tmp);
    int fd = open(small, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)(32 * MIB)) == 0);
    close(fd);
    int status =
        run_guest(&o, ARGS("pattern", "--shm", small, "--size", "3840x2160", "--frames", "1"));
    CHECK_MSG(status == 1, "exit status %d", status);
    CHECK_MSG(strstr(o.err, "--size 3840x2160") && strstr(o.err, "needs 128 MiB") &&
                  strstr(o.err, "has 32 MiB") && strstr(o.err, small),
              "stderr: %s", o.err);
    CHECK(stat(small, &st) == 0 && (uint64_t)st.st_size == 32 * MIB);

    /* A larger existing file is used as it is. */
    status = run_guest(&o, ARGS("pattern", "--shm", small, "--size", "640x480", "--frames", "2"));
    CHECK_MSG(status == 0, "exit status %d: %s", status, o.err);
    CHECK(stat(small, &st) == 0 && (uint64_t)st.st_size == 32 * MIB);

    /* A path that cannot be created is reported with the path. */
    char bad[600];
    snprintf(bad, sizeof(bad), "%s/no-such-dir/shm", tmp);
    status = run_guest(&o, ARGS("pattern", "--shm", bad, "--frames", "1"));
    CHECK_MSG(status == 1 && strstr(o.err, bad), "exit status %d: %s", status, o.err);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-vgapt-guest\n", argv[0]);
        return 2;
    }
    guest = argv[1];
    tmp = vg_test_tmpdir();
    RUN(test_bad_options_are_named);
    RUN(test_help_and_version);
    RUN(test_live_frames_match_the_pattern_in_every_format);
    RUN(test_bounded_run_leaves_its_last_frame);
    RUN(test_still_screen_is_published_once);
    RUN(test_clock_follows_where_the_producer_runs);
    RUN(test_slow_producer_stays_alive_and_stops_on_sigint);
    RUN(test_files_are_sized_or_refused);
    return vg_test_finish();
}
