/* The client's Looking Glass B7 transport backend under the fuzz harness, in every build: the
 * seeds reach the frames, damage, cursor shapes and host changes they hold, and reproducible
 * mutations of them (header, queue, descriptor, frame, cursor and wp fields set to edge or
 * random values, the host's script rewritten, truncation) never crash, hang or break the
 * ops' contract. Under -DVG_SANITIZE=ON any read or write out of bounds fails it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgmp_fuzz.h"
#include "lgmp_transport_fuzz.h"
#include "testlib.h"
#include "vg/lgmp.h"
#include "vg/log.h"
#include "vg/time.h"

#define MUTATIONS 5000
#define MAX_SPANS 96

static uint8_t *seeds[LGMP_TRANSPORT_FUZZ_SEEDS];
static size_t seed_len[LGMP_TRANSPORT_FUZZ_SEEDS];

/* Where a seed's fields are: mutations land there most of the time. */
struct span {
    uint64_t at, len;
};
static struct span spans[LGMP_TRANSPORT_FUZZ_SEEDS][MAX_SPANS];
static int n_spans[LGMP_TRANSPORT_FUZZ_SEEDS];

static uint64_t next(uint64_t *s)
{
    /* xorshift64*: reproducible across runs and platforms */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(0x2545F4914F6CDD1D);
}

static void add_span(int n, uint64_t at, uint64_t len)
{
    if (at >= seed_len[n] || len == 0 || n_spans[n] == MAX_SPANS)
        return;
    if (len > seed_len[n] - at)
        len = seed_len[n] - at;
    for (int i = 0; i < n_spans[n]; i++) {
        if (spans[n][i].at == at && spans[n][i].len == len)
            return;
    }
    spans[n][n_spans[n]++] = (struct span){at, len};
}

/* The header's fields, each queue's descriptors and what they point at (frame headers with
 * their damage, wp, cursor headers), and the script. */
static void find_spans(int n)
{
    const uint8_t *b = seeds[n];
    const size_t len = seed_len[n];
    struct vg_lgmp_header h;
    memcpy(&h, b, sizeof(h));
    add_span(n, 0, 32);
    for (uint32_t i = 0; i < VG_LGMP_MAX_QUEUES; i++) {
        const uint64_t q = offsetof(struct vg_lgmp_header, queues) + i * sizeof(h.queues[0]);
        add_span(n, q, 24);
        add_span(n, q + offsetof(struct vg_lgmp_queue, lock), 56);
    }
    add_span(n, offsetof(struct vg_lgmp_header, udata_size),
             4 + (h.udata_size < 256 ? h.udata_size : 256));
    for (uint32_t i = 0; i < h.num_queues && i < VG_LGMP_MAX_QUEUES; i++) {
        const struct vg_lgmp_queue *q = &h.queues[i];
        const uint64_t descs = q->messages_offset;
        if (q->num_messages > VG_LGMP_MAX_QUEUE_MESSAGES || descs + 16u * q->num_messages > len)
            continue;
        add_span(n, descs, 16u * q->num_messages);
        const bool frames = q->queue_id == VG_KVMFR_QUEUE_FRAME;
        for (uint32_t k = 0; k < q->num_messages; k++) {
            struct vg_lgmp_message m;
            memcpy(&m, b + descs + 16u * k, sizeof(m));
            if (m.size == 0 || (uint64_t)m.offset + sizeof(struct vg_kvmfr_frame) > len)
                continue;
            add_span(n, m.offset, frames ? sizeof(struct vg_kvmfr_frame) : 24);
            if (frames) {
                struct vg_kvmfr_frame f;
                memcpy(&f, b + m.offset, sizeof(f));
                add_span(n, (uint64_t)m.offset + f.offset, 4);
            }
        }
    }
    add_span(n, len - LGMP_TRANSPORT_FUZZ_TAIL, LGMP_TRANSPORT_FUZZ_TAIL);
}

static void seeds_reach_frames_cursors_and_host_changes(void)
{
    /* What each seed gets through, exactly (the harness's clock is synthetic). */
#define S(ready_, sessions_, frames_, copies_, damage_, not_yet_, cursors_, shapes_, sent_,        \
          warnings_)                                                                               \
    {                                                                                              \
        .ready = ready_, .sessions = sessions_, .frames = frames_, .copies = copies_,              \
        .damage = damage_, .not_yet = not_yet_, .cursors = cursors_, .shapes = shapes_,            \
        .sent = sent_, .warnings = warnings_                                                       \
    }
    static const struct lgmp_transport_fuzz_stats want[LGMP_TRANSPORT_FUZZ_SEEDS] = {
        /* hand 0: BGRA whole; COLOR shape + position; 10 cursor moves fill the ring */
        S(15, 1, 1, 1, 0, 0, 1, 1, 10, 0),
        /* hand 1: BGR_32 twice, the second with damage; MONOCHROME */
        S(15, 1, 2, 3, 1, 0, 1, 1, 10, 0),
        /* hand 2: RGB_24 TRUNCATED and clamped, wp at one row (completed); MASKED_COLOR;
         * one free slot in the ring */
        S(15, 1, 2, 2, 0, 1, 1, 1, 1, 1),
        /* hand 3: RGBA16F re-posted (the duplicate skipped); pointer id 31 */
        S(15, 1, 1, 1, 0, 0, 1, 1, 10, 0),
        /* hand 4: RGBA10 then RGBA (a format change: whole); positions only */
        S(15, 1, 2, 2, 0, 0, 1, 0, 10, 0),
        /* hand 0 expelled, restarted, wiped, re-initialised: three sessions */
        S(11, 3, 2, 2, 0, 0, 2, 2, 11, 0),
        /* hand 2 with a stopped heartbeat, then a corrupt pointer queue; NOT_YET given up */
        S(11, 3, 2, 1, 0, 1, 1, 1, 1, 1),
        /* producer: BGRA whole then with damage; COLOR */
        S(15, 1, 2, 3, 1, 0, 1, 1, 10, 0),
        /* producer: BGR_32 with wp short (completed); MONOCHROME; no SETCURSORPOS */
        S(15, 1, 1, 1, 0, 1, 1, 1, 0, 0),
        /* producer: TRUNCATED RGBA16F, then BGRA; MASKED_COLOR; expelled, corrupt queues */
        S(15, 6, 2, 2, 0, 0, 2, 2, 8, 1),
    };
#undef S
    /* The seeds' logs stay on: their formatting of what the region says runs too. */
    vg_log_set_level(VG_LOG_DEBUG);
    for (int n = 0; n < LGMP_TRANSPORT_FUZZ_SEEDS; n++) {
        seeds[n] = malloc(LGMP_TRANSPORT_FUZZ_SEED_CAP);
        CHECK(seeds[n] != NULL);
        if (!seeds[n])
            continue;
        seed_len[n] = lgmp_transport_fuzz_seed(n, seeds[n], LGMP_TRANSPORT_FUZZ_SEED_CAP);
        CHECK_MSG(seed_len[n] > LGMP_TRANSPORT_FUZZ_TAIL, "seed %d not built", n);
        if (seed_len[n] <= LGMP_TRANSPORT_FUZZ_TAIL)
            continue;
        find_spans(n);
        struct lgmp_transport_fuzz_stats st;
        lgmp_transport_fuzz_run(seeds[n], seed_len[n], &st);
        fprintf(stderr,
                "seed %d: %d ready, %d sessions, %d frames, %d copies, %d damage, %d not yet, "
                "%d torn, %d cursors, %d shapes, %d sent, %d warnings\n",
                n, st.ready, st.sessions, st.frames, st.copies, st.damage, st.not_yet, st.torn,
                st.cursors, st.shapes, st.sent, st.warnings);
        const struct lgmp_transport_fuzz_stats *w = &want[n];
        CHECK_MSG(st.ready == w->ready && st.sessions == w->sessions && st.frames == w->frames &&
                      st.copies == w->copies && st.damage == w->damage &&
                      st.not_yet == w->not_yet && st.torn == 0 && st.cursors == w->cursors &&
                      st.shapes == w->shapes && st.sent == w->sent && st.warnings == w->warnings,
                  "seed %d: not what it holds", n);
    }
    CHECK(lgmp_transport_fuzz_seed(0, seeds[0], LGMP_FUZZ_REGION_SIZE) == 0);
    CHECK(lgmp_transport_fuzz_seed(LGMP_FUZZ_SEEDS + 2, seeds[0], LGMP_FUZZ_REGION_SIZE) == 0);
    CHECK(lgmp_transport_fuzz_seed(LGMP_TRANSPORT_FUZZ_SEEDS, seeds[0], 1) == 0);
    seed_len[0] = lgmp_transport_fuzz_seed(0, seeds[0], LGMP_TRANSPORT_FUZZ_SEED_CAP);
    vg_log_set_level(VG_LOG_ERROR);
}

static void mutated_seeds_never_break_the_backend(void)
{
    static const uint64_t edges[] = {
        0,          1,          2,          3,          4,          5,
        6,          7,          8,          16,         20,         21,
        24,         31,         32,         33,         64,         65,
        255,        256,        512,        1083,       1084,       1088,
        4092,       4096,       5756,       5760,       16384,      16385,
        0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, UINT64_MAX, UINT64_C(1) << 32};
    uint8_t *buf = malloc(LGMP_TRANSPORT_FUZZ_SEED_CAP);
    CHECK(buf != NULL);
    if (!buf)
        return;
    uint64_t rng = 0x4C474D5054; /* "LGMPT" */
    int runs = 0, sessions = 0, frames = 0, cursors = 0, restarts = 0;
    const uint64_t start = vg_time_ns();
    for (int i = 0; i < MUTATIONS; i++) {
        const int n = (int)(next(&rng) % LGMP_TRANSPORT_FUZZ_SEEDS);
        size_t len = seed_len[n];
        if (len <= LGMP_TRANSPORT_FUZZ_TAIL || n_spans[n] == 0)
            continue;
        memcpy(buf, seeds[n], len);
        const int changes = 1 + (int)(next(&rng) % 4);
        for (int k = 0; k < changes; k++) {
            uint64_t at;
            if (next(&rng) % 8 != 0) {
                const struct span *s = &spans[n][next(&rng) % (uint64_t)n_spans[n]];
                at = s->at + next(&rng) % s->len;
            } else {
                at = next(&rng) % len;
            }
            const uint64_t v = next(&rng) % 3 == 0
                                   ? next(&rng)
                                   : edges[next(&rng) % (sizeof(edges) / sizeof(edges[0]))];
            static const size_t widths[] = {1, 2, 4, 4, 4, 8};
            const size_t w = widths[next(&rng) % 6];
            at &= ~(uint64_t)(w - 1);
            if (at + w <= len)
                memcpy(buf + at, &v, w);
        }
        /* A host script: one scribble at a random iteration, sometimes a control byte. */
        if (next(&rng) % 3 == 0) {
            uint8_t *tail = buf + len - LGMP_TRANSPORT_FUZZ_TAIL;
            const uint64_t r = next(&rng);
            const struct lgmp_transport_fuzz_step s = {(uint8_t)(8 + r % 8), (uint8_t)(r >> 8),
                                                       (uint8_t)(r >> 16), (uint8_t)(r >> 24)};
            memcpy(tail + 4 * ((r >> 32) % LGMP_TRANSPORT_FUZZ_STEPS), &s, sizeof(s));
            if ((r >> 40) % 4 == 0)
                tail[LGMP_TRANSPORT_FUZZ_TAIL - 1] = (uint8_t)(r >> 48);
        }
        if (next(&rng) % 16 == 0)
            len = (size_t)(next(&rng) % len);
        struct lgmp_transport_fuzz_stats st;
        lgmp_transport_fuzz_run(buf, len, &st);
        runs++;
        sessions += st.sessions > 0;
        restarts += st.sessions > 1;
        frames += st.frames > 0;
        cursors += st.cursors > 0;
    }
    free(buf);
    const double s = (double)(vg_time_ns() - start) / 1e9;
    fprintf(stderr,
            "%d mutations in %.2f s: %d with a session, %d with more than one, %d with frames, "
            "%d with cursors\n",
            runs, s, sessions, restarts, frames, cursors);
    CHECK(runs == MUTATIONS);
    /* Many mutations leave a working session: the harness went past validation. */
    CHECK(sessions > runs / 2);
    CHECK(restarts > runs / 50);
    CHECK(frames > runs / 4);
    CHECK(cursors > runs / 4);
}

/* Inputs shorter than the header, and the empty input: padded, never read past. */
static void short_inputs_are_padded(void)
{
    struct lgmp_transport_fuzz_stats st;
    CHECK(lgmp_transport_fuzz_run(NULL, 0, &st) == 0 && st.ready == 0);
    CHECK(lgmp_transport_fuzz_run(seeds[0], 100, &st) == 0 && st.ready == 0);
    /* A whole header but no user data in the input: no session (udataSize). */
    CHECK(lgmp_transport_fuzz_run(seeds[0], 5760, &st) == 0 && st.ready == 0);
}

int main(void)
{
    RUN(seeds_reach_frames_cursors_and_host_changes);
    RUN(mutated_seeds_never_break_the_backend);
    RUN(short_inputs_are_padded);
    for (int n = 0; n < LGMP_TRANSPORT_FUZZ_SEEDS; n++)
        free(seeds[n]);
    return vg_test_finish();
}
