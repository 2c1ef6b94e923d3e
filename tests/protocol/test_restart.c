/* A producer in another process on a shared file: killed, restarted, stopped, paused. The
 * consumer must tell each case within a second, and must survive a zeroed or scribbled
 * region. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fp_test_util.h"
#include "testlib.h"
#include "vg/fp.h"
#include "vg/time.h"

#define W 64
#define H 48
#define STALL_NS (500 * VG_NS_PER_MS)

enum child_mode { CHILD_RUN, CHILD_PAUSE };

static char path[512];
static size_t region_size;
static uint8_t *region;
static struct vg_fp_consumer *consumer;

static volatile sig_atomic_t child_stop;

static void on_term(int sig)
{
    child_stop = 1;
}

/* The producer process: maps the file itself, as vgapt-guest would, and publishes a whole
 * frame every 10 ms until SIGTERM (clean stop) or SIGKILL. */
static void child_main(enum child_mode mode)
{
    signal(SIGTERM, on_term);
    int fd = open(path, O_RDWR);
    if (fd < 0)
        _exit(10);
    void *base = mmap(NULL, region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED)
        _exit(11);
    struct vg_fp_producer *p = vg_fp_producer_create(base, region_size, NULL);
    if (!p)
        _exit(12);
    static uint8_t frame[W * H * 4];
    for (uint64_t serial = 1; !child_stop; serial++) {
        if (mode == CHILD_RUN || serial <= 3) {
            fpt_paint(frame, W * 4, 4, W, H, serial, NULL);
            struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, W, H, vg_time_ns()};
            if (vg_fp_producer_submit(p, &d, frame, W * 4, NULL, 0) != 0)
                _exit(13);
        } else {
            vg_fp_producer_set_state(p, VG_FP_STATE_PAUSED);
            vg_fp_producer_heartbeat(p, vg_time_ns());
        }
        vg_sleep_ns(10 * VG_NS_PER_MS);
    }
    vg_fp_producer_destroy(p);
    munmap(base, region_size);
    _exit(0); /* not exit(): the parent's atexit handlers remove the temporary directory */
}

static pid_t start_child(enum child_mode mode)
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
        child_main(mode);
    return pid;
}

/* Polls every 2 ms until the status is `want` or timeout_ms passes; returns the ms it took
 * or -1. */
static long wait_status(enum vg_fp_status want, long timeout_ms, struct vg_fp_status_info *info)
{
    const uint64_t start = vg_time_ns();
    for (;;) {
        const uint64_t now = vg_time_ns();
        if (vg_fp_consumer_poll(consumer, now, info) == want)
            return (long)((now - start) / VG_NS_PER_MS);
        if (now - start > (uint64_t)timeout_ms * VG_NS_PER_MS)
            return -1;
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
}

/* Takes one frame and checks its pixels are the producer's for that serial. 1 when a frame
 * was taken intact, 0 when none was available or it was torn. */
static int take_frame(uint64_t *serial)
{
    static uint8_t got[W * H * 4], want[W * H * 4];
    struct vg_fp_frame f;
    if (vg_fp_consumer_next_frame(consumer, &f, NULL) != 1)
        return 0;
    CHECK(f.width == W && f.height == H && f.format == VG_FP_FORMAT_BGRA8);
    if (f.width != W || f.height != H || f.format != VG_FP_FORMAT_BGRA8) {
        vg_fp_consumer_done(consumer);
        return 0;
    }
    const int r = vg_fp_consumer_copy(consumer, &f, got, W * 4, NULL, 0);
    vg_fp_consumer_done(consumer);
    if (r != 0)
        return 0;
    fpt_paint(want, W * 4, 4, W, H, f.serial, NULL);
    CHECK_MSG(memcmp(got, want, sizeof(got)) == 0, "frame %llu has the wrong pixels",
              (unsigned long long)f.serial);
    *serial = f.serial;
    return 1;
}

static void zeroed_region_waits_for_the_guest(void)
{
    struct vg_fp_status_info info;
    memset(region, 0, region_size);
    CHECK(vg_fp_consumer_poll(consumer, vg_time_ns(), &info) == VG_FP_WAIT_NO_MAGIC);
    CHECK(strstr(info.reason, "waiting") != NULL);
    struct vg_fp_frame f;
    CHECK(vg_fp_consumer_next_frame(consumer, &f, NULL) == 0);
}

static void killed_restarted_stopped_and_paused_producers_are_told_apart(void)
{
    struct vg_fp_status_info info;
    uint64_t serial;

    pid_t a = start_child(CHILD_RUN);
    CHECK(a > 0);
    CHECK(wait_status(VG_FP_READY, 2000, &info) >= 0);
    CHECK(info.new_session);
    const uint64_t session_a = info.session;
    int frames = 0;
    const uint64_t until = vg_time_ns() + 2 * VG_NS_PER_S;
    while (frames < 5 && vg_time_ns() < until) {
        if (vg_fp_consumer_poll(consumer, vg_time_ns(), &info) == VG_FP_READY)
            frames += take_frame(&serial);
        vg_sleep_ns(VG_NS_PER_MS);
    }
    CHECK(frames == 5);

    /* Killed mid-stream: stalled after the stall time, not before, and within 1 s. */
    kill(a, SIGKILL);
    const uint64_t killed = vg_time_ns();
    CHECK(vg_test_wait(a, 1000) == 128 + SIGKILL);
    const long stall_ms = wait_status(VG_FP_WAIT_STALLED, 1000, &info);
    const long since_kill = (long)((vg_time_ns() - killed) / VG_NS_PER_MS);
    CHECK_MSG(stall_ms >= 0 && since_kill < 1000, "stalled after %ld ms", since_kill);
    CHECK_MSG(since_kill >= 400, "reported stalled %ld ms after the kill, before the stall time",
              since_kill);
    CHECK_MSG(strstr(info.reason, "not responding") != NULL, "reason: %s", info.reason);

    /* Restarted: a new session, flagged, and a frame of it within 1 s. */
    const uint64_t restart = vg_time_ns();
    pid_t b = start_child(CHILD_RUN);
    CHECK(b > 0);
    CHECK(wait_status(VG_FP_READY, 1000, &info) >= 0);
    CHECK(info.new_session);
    CHECK(info.session != session_a && info.session != 0);
    const uint64_t session_b = info.session;
    int got = 0;
    while (!got && vg_time_ns() - restart < VG_NS_PER_S) {
        if (vg_fp_consumer_poll(consumer, vg_time_ns(), &info) == VG_FP_READY) {
            CHECK(!info.new_session); /* flagged once */
            got = take_frame(&serial);
        }
        vg_sleep_ns(VG_NS_PER_MS);
    }
    CHECK_MSG(got, "no frame of the new session within 1 s of the restart");
    CHECK(serial < 200); /* the new session counts from 1 again */
    CHECK(info.session == session_b);

    /* Stopped cleanly. */
    kill(b, SIGTERM);
    const long stop_ms = wait_status(VG_FP_WAIT_STOPPED, 1000, &info);
    CHECK_MSG(stop_ms >= 0, "no STOPPED within 1 s");
    CHECK(strstr(info.reason, "stopped") != NULL);
    CHECK(vg_test_wait(b, 1000) == 0);
    struct vg_fp_frame f;
    CHECK(vg_fp_consumer_next_frame(consumer, &f, NULL) == 0);

    /* Paused: stays paused (not stalled) while it beats, stalls when it dies. */
    pid_t c = start_child(CHILD_PAUSE);
    CHECK(c > 0);
    CHECK(wait_status(VG_FP_WAIT_PAUSED, 1000, &info) >= 0);
    CHECK(strstr(info.reason, "paused") != NULL);
    const uint64_t pause_until = vg_time_ns() + 800 * VG_NS_PER_MS;
    int not_paused = 0;
    while (vg_time_ns() < pause_until) {
        if (vg_fp_consumer_poll(consumer, vg_time_ns(), &info) != VG_FP_WAIT_PAUSED)
            not_paused++;
        vg_sleep_ns(5 * VG_NS_PER_MS);
    }
    CHECK_MSG(not_paused == 0, "%d polls of a paused producer were not PAUSED", not_paused);
    kill(c, SIGKILL);
    CHECK(vg_test_wait(c, 1000) == 128 + SIGKILL);
    CHECK(wait_status(VG_FP_WAIT_STALLED, 1000, &info) >= 0);
}

/* Random bytes, with or without a magic and version, and a valid header over random slots and
 * cursor: never a crash, never a frame that does not validate. */
static void scribbled_region_never_crashes(void)
{
    uint64_t rng = 12345;
    int invalid = 0, frames = 0;
    static uint8_t shape[VG_FP_CURSOR_SHAPE_BYTES];
    const uint64_t t0 = vg_time_ns();
    for (int round = 0; round < 300; round++) {
        const int kind = round % 3;
        if (kind == 2) {
            struct vg_fp_producer *p = vg_fp_producer_create(region, region_size, NULL);
            static uint8_t frame[W * H * 4];
            struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, W, H, 0};
            vg_fp_producer_submit(p, &d, frame, W * 4, NULL, 0);
            vg_fp_producer_destroy(p);
        }
        /* kind 0: everything random; 1: random with magic and version; 2: random cursor and
         * slots under a valid header. */
        const size_t from = kind == 2 ? offsetof(struct vg_fp_header, cursor) : 0;
        for (size_t i = from; i + 8 <= region_size; i += 8) {
            const uint64_t v = fpt_rand(&rng);
            /* Small values now and then, so that some fields pass their checks. */
            const uint64_t small = v % 5 == 0 ? v % 64 : v;
            memcpy(region + i, &small, 8);
        }
        struct vg_fp_header *h = (struct vg_fp_header *)region;
        if (kind == 1) {
            h->magic = VG_FP_MAGIC;
            h->version = VG_FP_VERSION;
        }
        if (kind == 2) {
            h->state = VG_FP_STATE_RUNNING;
            h->latest = VG_FP_LATEST(1000 + round, fpt_rand(&rng) % 3);
        }
        struct vg_fp_status_info info;
        const enum vg_fp_status st =
            vg_fp_consumer_poll(consumer, t0 + (uint64_t)round * VG_NS_PER_MS, &info);
        if (kind == 0)
            CHECK(st == VG_FP_WAIT_NO_MAGIC);
        if (kind == 1) {
            CHECK(st == VG_FP_WAIT_INVALID);
            invalid += st == VG_FP_WAIT_INVALID;
        }
        if (kind == 2)
            CHECK(st == VG_FP_READY);
        struct vg_fp_frame f;
        enum vg_fp_error err;
        const int r = vg_fp_consumer_next_frame(consumer, &f, &err);
        if (r == 1) {
            /* Whatever it returned must have validated: it fits the mapping. */
            CHECK(f.data_offset + f.data_size <= region_size);
            uint8_t *dst = malloc(f.data_size);
            CHECK(dst != NULL);
            if (dst)
                CHECK(vg_fp_consumer_copy(consumer, &f, dst, f.stride, NULL, 0) != -EINVAL);
            free(dst);
            vg_fp_consumer_done(consumer);
            frames++;
        } else if (r < 0) {
            CHECK(err != VG_FP_OK);
        }
        struct vg_fp_cursor_state cs;
        const int cr = vg_fp_consumer_cursor(consumer, &cs, shape, sizeof(shape));
        CHECK_MSG((cr >= 0 && cr <= 3) || cr == -EPROTO || cr == -EAGAIN,
                  "cursor read gave %d: neither a change mask nor a rejection", cr);
    }
    CHECK(invalid == 100);
    fprintf(stderr, "scribbled: %d frames survived validation\n", frames);

    /* After all that, a good producer is shown at once and exactly. */
    struct vg_fp_producer *p = vg_fp_producer_create(region, region_size, NULL);
    CHECK(p != NULL);
    static uint8_t frame[W * H * 4], got[W * H * 4];
    for (size_t i = 0; i < sizeof(frame); i++)
        frame[i] = (uint8_t)(i * 7);
    struct vg_fp_frame_desc d = {VG_FP_FORMAT_BGRA8, W, H, 0};
    CHECK(p && vg_fp_producer_submit(p, &d, frame, W * 4, NULL, 0) == 0);
    struct vg_fp_status_info info;
    CHECK(vg_fp_consumer_poll(consumer, vg_time_ns() + 400 * VG_NS_PER_MS, &info) ==
          VG_FP_READY);
    struct vg_fp_frame f;
    enum vg_fp_error err;
    CHECK(vg_fp_consumer_next_frame(consumer, &f, &err) == 1);
    CHECK(f.width == W && f.height == H);
    CHECK(vg_fp_consumer_copy(consumer, &f, got, W * 4, NULL, 0) == 0);
    CHECK(memcmp(frame, got, sizeof(frame)) == 0);
    vg_fp_consumer_done(consumer);
    vg_fp_producer_destroy(p);
}

int main(void)
{
    const char *dir = vg_test_tmpdir();
    snprintf(path, sizeof(path), "%s/vgapt-fp", dir);
    region_size = vg_fp_region_size_for(W, H, VG_FP_FORMAT_BGRA8, 3);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, (off_t)region_size) == 0);
    region = mmap(NULL, region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    CHECK(region != MAP_FAILED);
    if (region == MAP_FAILED)
        return vg_test_finish();
    consumer = vg_fp_consumer_create(region, region_size, true, STALL_NS);
    CHECK(consumer != NULL);

    RUN(zeroed_region_waits_for_the_guest);
    RUN(killed_restarted_stopped_and_paused_producers_are_told_apart);
    RUN(zeroed_region_waits_for_the_guest);
    RUN(scribbled_region_never_crashes);

    vg_fp_consumer_destroy(consumer);
    munmap(region, region_size);
    return vg_test_finish();
}
