/* `vgapt-guest lgmp-pattern` as a user runs it and as a Looking Glass B7 client sees it: bad
 * options are named, the file is created at a power-of-two size, the region holds a B7 session
 * (LGMP 6 header, KVMFR 20 user data, a heartbeat every 10 ms), the frames are the pattern,
 * the cursor comes to a new subscriber, SETCURSORPOS is read and acknowledged, a still screen
 * is re-posted to a newcomer, a slow client is expelled, a wiped region gets a new session,
 * and a signal stops it with its summary line.
 *
 * The client side is written by hand from the spec (the few fields a client writes).
 * Usage: test-guest-lgmp-pattern PATH-TO-vgapt-guest */
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
#include "vg/lgmp_wire.h"
#include "vg/shm.h"
#include "vg/time.h"

#define MIB (UINT64_C(1) << 20)
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *guest;
static const char *tmp;

struct output {
    char out[8192];
    char err[8192];
};

static int run_guest(struct output *o, const char *const *args)
{
    return vg_test_run_capture(guest, args, tmp, 20000, o->out, sizeof(o->out), o->err,
                               sizeof(o->err));
}

static void expect_usage_error(const char *needle, const char *const *args)
{
    vg_test_expect_usage_error(guest, args, tmp, needle);
}

static void test_help_lists_the_options(void)
{
    struct output o;
    CHECK(run_guest(&o, ARGS("--help")) == 0);
    CHECK_MSG(strstr(o.out, "lgmp-pattern"), "top-level --help: %s", o.out);
    CHECK(run_guest(&o, ARGS("lgmp-pattern", "--help")) == 0);
    static const char *const want[] = {
        "--shm FILE",
        "(default: 1920x1080)",
        "--fps N",
        "(default: 60)",
        "bgra, rgba, rgba10, rgba16f, bgr32, rgb24",
        "(default: bgra)",
        "--rotation DEGREES",
        "--damage MODE",
        "(default: partial)",
        "color, mono, masked, cycle",
        "--[no-]still",
        "--seconds N",
        "--frames N",
        "--align BYTES",
        "(default: 4096)",
        "--[no-]setcursorpos",
        "--stop-after BYTES",
        "--[no-]log-messages",
        "--hostver TEXT",
        "(default: B7)",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        CHECK_MSG(strstr(o.out, want[i]), "lgmp-pattern --help lacks '%s'", want[i]);
    CHECK(run_guest(&o, ARGS("lgmp-pattern", "--version")) == 0);
    CHECK_MSG(strncmp(o.out, "vgapt-guest lgmp-pattern ", 25) == 0, "--version: %s", o.out);
}

static void test_bad_options_are_named(void)
{
    char shm[512];
    snprintf(shm, sizeof(shm), "%s/unused", tmp);
    expect_usage_error("--shm FILE is required", ARGS("lgmp-pattern"));
    expect_usage_error("--format takes one of bgra, rgba, rgba10, rgba16f, bgr32, rgb24",
                       ARGS("lgmp-pattern", "--shm", shm, "--format", "bgra8"));
    expect_usage_error("--rotation", ARGS("lgmp-pattern", "--shm", shm, "--rotation", "45"));
    expect_usage_error("--cursor", ARGS("lgmp-pattern", "--shm", shm, "--cursor", "arrow"));
    expect_usage_error("--damage", ARGS("lgmp-pattern", "--shm", shm, "--damage", "some"));
    expect_usage_error("--align 3072 is not a power of two",
                       ARGS("lgmp-pattern", "--shm", shm, "--align", "3072"));
    expect_usage_error("--align", ARGS("lgmp-pattern", "--shm", shm, "--align", "1024"));
    expect_usage_error("--fps", ARGS("lgmp-pattern", "--shm", shm, "--fps", "0"));
    expect_usage_error("--size", ARGS("lgmp-pattern", "--shm", shm, "--size", "0x10"));
    expect_usage_error("--size", ARGS("lgmp-pattern", "--shm", shm, "--size", "20000x10"));
    expect_usage_error("--stop-after", ARGS("lgmp-pattern", "--shm", shm, "--stop-after", "-2"));
    expect_usage_error("--hostver takes at most 31 characters",
                       ARGS("lgmp-pattern", "--shm", shm, "--hostver",
                            "0123456789012345678901234567890123456789"));
    expect_usage_error("unknown option '--bogus'", ARGS("lgmp-pattern", "--shm", shm, "--bogus"));
    expect_usage_error("unexpected argument 'extra'", ARGS("lgmp-pattern", "--shm", shm, "extra"));
    CHECK_MSG(access(shm, F_OK) != 0, "a rejected command line created %s", shm);
}

/* The shapes and packed layouts lgmp-pattern sends are what pattern.h documents, so a client
 * test can compute the expected screen from vg_pattern_cursor_part and vg_pattern_rgba8. */
static void test_pattern_shapes_and_packed_layouts_match_their_definition(void)
{
    uint8_t color[32 * 32 * 4], masked[32 * 32 * 4], mono[VG_PATTERN_CURSOR_MONO_BYTES];
    vg_pattern_cursor_shape(color);
    vg_pattern_cursor_masked(masked);
    vg_pattern_cursor_mono(mono);
    int parts[4] = {0};
    uint32_t bad = 0;
    for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
            enum vg_pattern_cursor_part part = vg_pattern_cursor_part(x, y);
            parts[part]++;
            int and_bit = (mono[y * 4 + x / 8] >> (7 - x % 8)) & 1;
            int xor_bit = (mono[128 + y * 4 + x / 8] >> (7 - x % 8)) & 1;
            static const int want_and[4] = {1, 0, 0, 1}, want_xor[4] = {0, 0, 1, 1};
            bad += and_bit != want_and[part] || xor_bit != want_xor[part];
            static const uint8_t want_masked[4][4] = {
                {0, 0, 0, 0xFF}, {0, 0, 0, 0}, {255, 255, 0, 0}, {255, 255, 255, 0xFF}};
            bad += memcmp(masked + (y * 32 + x) * 4, want_masked[part], 4) != 0;
            /* The colour shape's alpha is 0 exactly outside the arrow. */
            bad += (color[(y * 32 + x) * 4 + 3] == 0) != (part == VG_PATTERN_CURSOR_OUTSIDE);
        }
    }
    CHECK_MSG(bad == 0, "%u shape pixels differ from pattern.h", bad);
    CHECK(parts[0] && parts[1] && parts[2] && parts[3]);

    const uint32_t w = 37, h = 29;
    uint8_t bgr[37 * 29 * 3], rgb[37 * 29 * 3];
    vg_pattern_render(bgr, w * 3, VG_PATTERN_FORMAT_BGR24, w, h, 5, NULL);
    vg_pattern_render(rgb, w * 3, VG_PATTERN_FORMAT_RGB24, w, h, 5, NULL);
    bad = 0;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint8_t c[4];
            vg_pattern_rgba8(w, h, 5, x, y, c);
            const uint8_t *b = bgr + (y * w + x) * 3, *r = rgb + (y * w + x) * 3;
            bad += b[0] != c[2] || b[1] != c[1] || b[2] != c[0];
            bad += r[0] != c[0] || r[1] != c[1] || r[2] != c[2];
        }
    }
    CHECK_MSG(bad == 0, "%u packed pixels differ from vg_pattern_rgba8", bad);
}

/* ---- A client written from the spec ---- */

struct region {
    struct vg_shm shm;
    struct vg_lgmp_header *h;
};

static void wait_for_sized_file(const char *path)
{
    struct stat st;
    for (int t = 0; t < 500 && (stat(path, &st) != 0 || st.st_size == 0); t++)
        vg_sleep_ns(10 * VG_NS_PER_MS);
}

static bool open_region(struct region *r, const char *path)
{
    wait_for_sized_file(path);
    char err[512];
    int ret = vg_shm_map(&r->shm, path, VG_SHM_WRITE, 0, 0, err, sizeof(err));
    CHECK_MSG(ret == 0, "%s", err);
    r->h = ret == 0 ? r->shm.base : NULL;
    return ret == 0;
}

static void close_region(struct region *r)
{
    vg_shm_unmap(&r->shm);
}

static uint32_t ld32(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static uint64_t ld64(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* The session is ready (P3): magic and version valid, both queues there, and the heartbeat
 * moved after that. Returns the session id, 0 on a time-out. */
static uint32_t wait_session(struct region *r, uint32_t not_this, int timeout_ms)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    while (vg_time_ns() < deadline) {
        uint32_t session = ld32(&r->h->session_id);
        if (ld32(&r->h->magic) == VG_LGMP_MAGIC && ld32(&r->h->version) == VG_LGMP_VERSION &&
            ld32(&r->h->num_queues) == 2 && session != not_this) {
            uint64_t t = ld64(&r->h->timestamp);
            for (int i = 0; i < 100; i++) {
                vg_sleep_ns(2 * VG_NS_PER_MS);
                if (ld64(&r->h->timestamp) != t)
                    return session;
            }
        }
        vg_sleep_ns(2 * VG_NS_PER_MS);
    }
    return 0;
}

static struct vg_lgmp_queue *find_queue(struct region *r, uint32_t id)
{
    uint32_t n = ld32(&r->h->num_queues);
    for (uint32_t i = 0; i < n && i < VG_LGMP_MAX_QUEUES; i++) {
        if (r->h->queues[i].queue_id == id)
            return &r->h->queues[i];
    }
    return NULL;
}

static bool lock_take(uint32_t *lock)
{
    for (int i = 0; i < 100000; i++) {
        uint32_t expected = 0;
        if (__atomic_compare_exchange_n(lock, &expected, 1u, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED))
            return true;
        vg_sleep_ns(10 * VG_NS_PER_US);
    }
    return false;
}

static void lock_give(uint32_t *lock)
{
    __atomic_store_n(lock, 0u, __ATOMIC_SEQ_CST);
}

struct sub {
    struct region *r;
    struct vg_lgmp_queue *q;
    uint32_t id, pos;
};

/* §4.4 without reaping: the lowest free id, our bit, the counter, the current position. */
static bool subscribe(struct sub *s, struct region *r, uint32_t queue_id)
{
    *s = (struct sub){.r = r, .q = find_queue(r, queue_id)};
    if (!s->q || !lock_take(&s->q->lock))
        return false;
    uint64_t subs = ld64(&s->q->subs);
    uint32_t used = (uint32_t)(subs >> 32) | (uint32_t)subs;
    uint32_t id = 0;
    while (id < 32 && (used & (1u << id)))
        id++;
    bool ok = id < 32;
    if (ok) {
        s->id = id;
        s->q->timeout[id] = 0;
        s->q->client_id[id] = 0x7E57;
        __atomic_store_n(&s->q->subs, subs | (UINT64_C(1) << (32 + id)), __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&s->q->new_sub_count, 1u, __ATOMIC_SEQ_CST);
        s->pos = ld32(&s->q->position);
    }
    lock_give(&s->q->lock);
    return ok;
}

static void unsubscribe(struct sub *s)
{
    if (!s->q || !lock_take(&s->q->lock))
        return;
    uint64_t bits = (UINT64_C(1) << (32 + s->id)) | (UINT64_C(1) << s->id);
    __atomic_store_n(&s->q->subs, ld64(&s->q->subs) & ~bits, __ATOMIC_SEQ_CST);
    lock_give(&s->q->lock);
}

static bool bad(const struct sub *s)
{
    return (ld64(&s->q->subs) >> s->id) & 1u;
}

/* Waits up to timeout_ms for the next message and copies its descriptor. */
static bool next_message(struct sub *s, struct vg_lgmp_message *m, int timeout_ms)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    for (;;) {
        if (ld32(&s->q->position) != s->pos) {
            const uint8_t *base = s->r->shm.base;
            memcpy(m, base + s->q->messages_offset + 16u * s->pos, sizeof(*m));
            return true;
        }
        if (vg_time_ns() >= deadline)
            return false;
        vg_sleep_ns(VG_NS_PER_MS);
    }
}

static void done(struct sub *s)
{
    uint8_t *base = s->r->shm.base;
    struct vg_lgmp_message *m = (struct vg_lgmp_message *)(base + s->q->messages_offset) + s->pos;
    __atomic_fetch_and(&m->pending_subs, ~(1u << s->id), __ATOMIC_SEQ_CST);
    s->pos = (s->pos + 1) % s->q->num_messages;
}

/* Checks frame message m against the pattern (serial s shows frame s - 1, 0 when still):
 * waits for wp to reach the data, compares every row. Returns the serial, 0 on failure. */
static uint32_t check_frame(struct region *r, const struct vg_lgmp_message *m, uint32_t w,
                            uint32_t h, bool still)
{
    const uint8_t *base = r->shm.base;
    struct vg_kvmfr_frame f;
    memcpy(&f, base + m->offset, sizeof(f));
    CHECK(f.type == VG_KVMFR_FRAME_BGRA && f.frame_width == w && f.frame_height == h);
    CHECK(f.data_width == w && f.data_height == h && f.pitch == f.stride * 4);
    CHECK(f.offset == 4092 && f.frame_serial > 0);
    if (f.type != VG_KVMFR_FRAME_BGRA || f.frame_width != w || f.data_height != h ||
        f.offset != 4092 || f.pitch < w * 4)
        return 0;
    const uint32_t *wp = (const uint32_t *)(base + m->offset + f.offset);
    uint64_t need = (uint64_t)f.pitch * h;
    for (int i = 0; i < 1000 && ld32(wp) < need; i++)
        vg_sleep_ns(100 * VG_NS_PER_US);
    CHECK_MSG(ld32(wp) == need, "wp %u of %llu", ld32(wp), (unsigned long long)need);
    uint8_t *want = malloc((size_t)w * h * 4);
    vg_pattern_render(want, (size_t)w * 4, VG_FP_FORMAT_BGRA8, w, h, still ? 0 : f.frame_serial - 1,
                      NULL);
    uint32_t differ = 0;
    const uint8_t *data = base + m->offset + f.offset + 4;
    for (uint32_t y = 0; y < h; y++)
        differ += memcmp(data + (size_t)y * f.pitch, want + (size_t)y * w * 4, (size_t)w * 4) != 0;
    CHECK_MSG(differ == 0, "serial %u: %u rows differ from pattern frame %u", f.frame_serial,
              differ, still ? 0 : f.frame_serial - 1);
    free(want);
    return f.frame_serial;
}

static pid_t spawn(const char *const *args)
{
    return vg_test_spawn_capture(guest, args, tmp);
}

static void stop(pid_t pid, struct output *o, const char *what)
{
    kill(pid, SIGTERM);
    int status = vg_test_wait(pid, 5000);
    CHECK_MSG(status == 0, "%s: exit status %d after SIGTERM", what, status);
    vg_test_collect(tmp, o->out, sizeof(o->out), o->err, sizeof(o->err));
    CHECK_MSG(strstr(o->out, "lgmp-pattern: ") && strstr(o->out, " frames in "),
              "%s: no summary line: %s", what, o->out);
}

static void test_a_run_is_a_b7_session_with_the_pattern(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/live", tmp);
    pid_t pid = spawn(
        ARGS("lgmp-pattern", "--shm", path, "--size", "320x200", "--fps", "60", "--log-messages"));
    CHECK(pid > 0);
    struct region r = {0};
    if (!open_region(&r, path)) {
        kill(pid, SIGKILL);
        vg_test_wait(pid, 5000);
        return;
    }
    CHECK(r.shm.size == 4 * MIB);
    CHECK_MSG(wait_session(&r, 0, 5000) != 0, "no B7 session appeared");

    /* KVMFR 20 user data from a "B7" host with SETCURSORPOS. */
    uint32_t usize = r.h->udata_size;
    CHECK(usize >= 48 && 5756 + usize < 8192);
    struct vg_kvmfr k;
    memcpy(&k, (const uint8_t *)r.shm.base + VG_LGMP_UDATA_OFFSET, sizeof(k));
    CHECK(memcmp(k.magic, "KVMFR---", 8) == 0 && k.version == 20);
    CHECK(strcmp(k.hostver, "B7") == 0 && k.features == VG_KVMFR_FEATURE_SETCURSORPOS);
    CHECK(r.h->queues[0].queue_id == 2 && r.h->queues[1].queue_id == 1);

    /* The heartbeat is rewritten about every 10 ms. */
    int changes = 0;
    uint64_t last = ld64(&r.h->timestamp);
    for (int i = 0; i < 100; i++) {
        vg_sleep_ns(2 * VG_NS_PER_MS);
        uint64_t t = ld64(&r.h->timestamp);
        changes += t != last;
        last = t;
    }
    CHECK_MSG(changes >= 8, "the heartbeat changed %d times in 200 ms", changes);

    /* Frames: the pattern, serial s showing frame s - 1, serials increasing. */
    struct sub fs, ps;
    CHECK(subscribe(&fs, &r, VG_KVMFR_QUEUE_FRAME));
    uint32_t last_serial = 0;
    int frames = 0;
    for (int i = 0; i < 8; i++) {
        struct vg_lgmp_message m;
        if (!next_message(&fs, &m, 1000)) {
            CHECK_MSG(false, "no frame %d", i);
            break;
        }
        uint32_t serial = check_frame(&r, &m, 320, 200, false);
        CHECK(serial > last_serial);
        last_serial = serial;
        done(&fs);
        frames++;
    }
    CHECK(frames == 8);
    uint64_t last_ack = vg_time_ns();

    /* The cursor: the newcomer's full message (a frame's move may come first, posted before
     * the timer saw us), then positions inside the frame. */
    CHECK(subscribe(&ps, &r, VG_KVMFR_QUEUE_POINTER));
    struct vg_lgmp_message m = {0};
    for (int i = 0; i < 5 && next_message(&ps, &m, 1000); i++) {
        if (m.udata & VG_KVMFR_CURSOR_FLAG_SHAPE)
            break;
        CHECK(m.size == 24);
        done(&ps);
    }
    CHECK(m.udata == (VG_KVMFR_CURSOR_FLAG_POSITION | VG_KVMFR_CURSOR_FLAG_VISIBLE |
                      VG_KVMFR_CURSOR_FLAG_SHAPE));
    struct vg_kvmfr_cursor c;
    memcpy(&c, (const uint8_t *)r.shm.base + m.offset, sizeof(c));
    CHECK(c.type == VG_KVMFR_CURSOR_COLOR && c.width == 32 && c.height == 32 && c.pitch == 128);
    CHECK(c.hx == 0 && c.hy == 0 && c.x >= 0 && c.x + 32 <= 320 && c.y >= 0 && c.y + 32 <= 200);
    uint8_t want[32 * 32 * 4];
    vg_pattern_cursor_shape(want);
    CHECK(memcmp((const uint8_t *)r.shm.base + m.offset + 24, want, sizeof(want)) == 0);
    done(&ps);
    CHECK(next_message(&ps, &m, 1000) && m.size == 24);
    CHECK(m.udata == (VG_KVMFR_CURSOR_FLAG_POSITION | VG_KVMFR_CURSOR_FLAG_VISIBLE));
    done(&ps);

    /* SETCURSORPOS is read on the timer, acknowledged and logged. */
    struct vg_lgmp_queue *pq = ps.q;
    uint32_t before = ld32(&pq->cmsg_rserial);
    struct vg_kvmfr_set_cursor_pos move = {VG_KVMFR_MSG_SETCURSORPOS, 12, 34};
    CHECK(lock_take(&pq->cmsg_lock));
    uint32_t w = ld32(&pq->cmsg_wpos);
    pq->cmsgs[w].size = sizeof(move);
    memcpy(pq->cmsgs[w].data, &move, sizeof(move));
    __atomic_store_n(&pq->cmsg_wpos, (w + 1) % VG_LGMP_MSGS_MAX, __ATOMIC_RELEASE);
    __atomic_fetch_sub(&pq->cmsg_avail, 1u, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&pq->cmsg_wserial, 1u, __ATOMIC_SEQ_CST);
    lock_give(&pq->cmsg_lock);
    uint64_t t0 = vg_time_ns();
    while (ld32(&pq->cmsg_rserial) == before && vg_time_ns() - t0 < VG_NS_PER_S)
        vg_sleep_ns(VG_NS_PER_MS);
    CHECK_MSG(ld32(&pq->cmsg_rserial) == before + 1, "SETCURSORPOS not acknowledged");
    CHECK(ld32(&pq->cmsg_avail) == VG_LGMP_MSGS_MAX);
    char out[4096] = "";
    char stdout_path[600];
    snprintf(stdout_path, sizeof(stdout_path), "%s/stdout", tmp);
    for (int i = 0; i < 100 && !strstr(out, "setcursorpos 12 34\n"); i++) {
        vg_sleep_ns(10 * VG_NS_PER_MS);
        vg_test_read_text(stdout_path, out, sizeof(out));
    }
    CHECK_MSG(strstr(out, "setcursorpos 12 34\n"), "stdout: %s", out);

    /* A client that stops reading is expelled about a second later (§4.9). */
    unsubscribe(&ps);
    while (!bad(&fs) && vg_time_ns() - last_ack < 3 * VG_NS_PER_S)
        vg_sleep_ns(2 * VG_NS_PER_MS);
    double ms = vg_ns_to_ms(vg_time_ns() - last_ack);
    CHECK_MSG(bad(&fs), "a stalled subscriber was not marked BAD in %.0f ms", ms);
    CHECK_MSG(ms > 900 && ms < 2500, "marked BAD %.0f ms after its last acknowledgement", ms);
    CHECK(fs.q->timeout[fs.id] > ld64(&r.h->timestamp));

    struct output o;
    stop(pid, &o, "live");
    CHECK_MSG(strstr(o.out, "1 cursor moves asked, 1 session\n"), "summary: %s", o.out);
    close_region(&r);
}

static void test_still_screen_is_reposted_to_a_newcomer(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/still", tmp);
    pid_t pid = spawn(
        ARGS("lgmp-pattern", "--shm", path, "--size", "100x70", "--still", "--cursor", "mono"));
    struct region r = {0};
    if (!open_region(&r, path)) {
        kill(pid, SIGKILL);
        vg_test_wait(pid, 5000);
        return;
    }
    CHECK(wait_session(&r, 0, 5000) != 0);
    /* The one frame went out to nobody; a newcomer gets it within the capture timeout. */
    vg_sleep_ns(100 * VG_NS_PER_MS);
    struct sub fs, ps;
    CHECK(subscribe(&fs, &r, VG_KVMFR_QUEUE_FRAME));
    uint64_t t0 = vg_time_ns();
    struct vg_lgmp_message m;
    CHECK_MSG(next_message(&fs, &m, 2500), "no re-post for a newcomer");
    double ms = vg_ns_to_ms(vg_time_ns() - t0);
    CHECK_MSG(ms < 1500, "re-post after %.0f ms", ms);
    CHECK(m.udata == 0);
    CHECK(check_frame(&r, &m, 100, 70, true) == 1);
    done(&fs);

    /* The monochrome arrow: 32 AND rows then 32 XOR rows. */
    CHECK(subscribe(&ps, &r, VG_KVMFR_QUEUE_POINTER));
    CHECK(next_message(&ps, &m, 1000));
    struct vg_kvmfr_cursor c;
    memcpy(&c, (const uint8_t *)r.shm.base + m.offset, sizeof(c));
    CHECK(c.type == VG_KVMFR_CURSOR_MONOCHROME && c.width == 32 && c.height == 64 && c.pitch == 4);
    uint8_t mono[VG_PATTERN_CURSOR_MONO_BYTES];
    vg_pattern_cursor_mono(mono);
    CHECK(memcmp((const uint8_t *)r.shm.base + m.offset + 24, mono, sizeof(mono)) == 0);
    done(&ps);

    struct output o;
    stop(pid, &o, "still");
    CHECK_MSG(strstr(o.out, "lgmp-pattern: 1 frames in") && strstr(o.out, "1 re-posts"),
              "summary: %s", o.out);
    close_region(&r);
}

static void test_wiped_region_gets_a_new_session(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/wiped", tmp);
    pid_t pid = spawn(ARGS("lgmp-pattern", "--shm", path, "--size", "64x64", "--fps", "30"));
    struct region r = {0};
    if (!open_region(&r, path)) {
        kill(pid, SIGKILL);
        vg_test_wait(pid, 5000);
        return;
    }
    uint32_t first = wait_session(&r, 0, 5000);
    CHECK(first != 0);
    memset(r.shm.base, 0, 8192);
    uint32_t second = wait_session(&r, first, 2000);
    CHECK_MSG(second != 0, "no new session after the wipe");
    CHECK(second != first);
    CHECK(r.h->udata_size >= 48 && r.h->queues[0].queue_id == 2);

    struct sub fs;
    CHECK(subscribe(&fs, &r, VG_KVMFR_QUEUE_FRAME));
    struct vg_lgmp_message m;
    CHECK(next_message(&fs, &m, 1000));
    CHECK(check_frame(&r, &m, 64, 64, false) != 0);
    done(&fs);
    struct output o;
    stop(pid, &o, "wiped");
    CHECK_MSG(strstr(o.out, "2 sessions"), "summary: %s", o.out);
    CHECK(strstr(o.err, "wiped"));
    close_region(&r);
}

/* --stop-after: a frame whose wp stops early, as B7's XCB backend publishes one row (P13). */
static void test_stop_after_leaves_the_frame_short(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/short", tmp);
    pid_t pid = spawn(ARGS("lgmp-pattern", "--shm", path, "--size", "320x200", "--fps", "30",
                           "--stop-after", "1280"));
    struct region r = {0};
    if (!open_region(&r, path)) {
        kill(pid, SIGKILL);
        vg_test_wait(pid, 5000);
        return;
    }
    CHECK(wait_session(&r, 0, 5000) != 0);
    struct sub fs;
    CHECK(subscribe(&fs, &r, VG_KVMFR_QUEUE_FRAME));
    struct vg_lgmp_message m;
    CHECK(next_message(&fs, &m, 1000));
    struct vg_kvmfr_frame f;
    memcpy(&f, (const uint8_t *)r.shm.base + m.offset, sizeof(f));
    CHECK(f.data_height == 200 && f.pitch == 1280);
    const uint32_t *wp = (const uint32_t *)((const uint8_t *)r.shm.base + m.offset + 4092);
    vg_sleep_ns(50 * VG_NS_PER_MS);
    CHECK_MSG(ld32(wp) == 1280, "wp %u", ld32(wp));
    done(&fs);
    struct output o;
    stop(pid, &o, "short");
    close_region(&r);
}

static void test_files_are_sized_as_b7_needs(void)
{
    struct output o;
    struct stat st;
    char path[512];
    snprintf(path, sizeof(path), "%s/hd", tmp);
    int status = run_guest(&o, ARGS("lgmp-pattern", "--shm", path, "--frames", "1"));
    CHECK_MSG(status == 0, "exit status %d: %s", status, o.err);
    CHECK_MSG(strstr(o.out, "lgmp-pattern: 1 frames in"), "summary: %s", o.out);
    /* 1920x1080 BGRA: 32 MiB, the size Looking Glass recommends for it. */
    CHECK(stat(path, &st) == 0 && (uint64_t)st.st_size == 32 * MIB);

    /* An existing file too small for whole frames gives TRUNCATED frames, as on B7. */
    char small[512];
    snprintf(small, sizeof(small), "%s/small", tmp);
    int fd = open(small, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)(8 * MIB)) == 0);
    close(fd);
    status = run_guest(&o, ARGS("lgmp-pattern", "--shm", small, "--frames", "1"));
    CHECK_MSG(status == 0, "exit status %d: %s", status, o.err);
    CHECK_MSG(strstr(o.err, "TRUNCATED"), "stderr: %s", o.err);
    CHECK(stat(small, &st) == 0 && (uint64_t)st.st_size == 8 * MIB);

    /* One too small for the cursor buffers is refused with the size needed. */
    fd = open(small, O_WRONLY | O_TRUNC, 0600);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)(2 * MIB)) == 0);
    close(fd);
    status = run_guest(&o, ARGS("lgmp-pattern", "--shm", small, "--frames", "1"));
    CHECK_MSG(status == 1 && strstr(o.err, small) && strstr(o.err, "32 MiB"), "exit status %d: %s",
              status, o.err);

    char bad[600];
    snprintf(bad, sizeof(bad), "%s/no-such-dir/shm", tmp);
    status = run_guest(&o, ARGS("lgmp-pattern", "--shm", bad, "--frames", "1"));
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
    RUN(test_help_lists_the_options);
    RUN(test_bad_options_are_named);
    RUN(test_pattern_shapes_and_packed_layouts_match_their_definition);
    RUN(test_a_run_is_a_b7_session_with_the_pattern);
    RUN(test_still_screen_is_reposted_to_a_newcomer);
    RUN(test_wiped_region_gets_a_new_session);
    RUN(test_stop_after_leaves_the_frame_short);
    RUN(test_files_are_sized_as_b7_needs);
    return vg_test_finish();
}
