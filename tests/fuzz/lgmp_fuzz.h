/* The Looking Glass B7 client harness (LGMP 6 / KVMFR 20), shared by the libFuzzer target, the
 * seed writer and the replay test that runs in every build.
 *
 * Input format: the input is the region as the client maps it, copied to an 8-aligned buffer
 * of exactly its length (so that ASan catches any read past it), padded with zeros to 5760
 * bytes when shorter. The harness then plays both the viewer and, where a static input
 * cannot, the host's clock:
 *   - it clears every queue's lock and cMsgLock word (a held lock costs only time, up to the
 *     client's 200 ms bound per call; the client test covers it);
 *   - session init, the heartbeat word bumped, session init again (P3: the second one can
 *     succeed);
 *   - the user data parsed; subscriptions to queues 1 (pointer) and 2 (frame), each taken with
 *     the queue's position set to the input's start and then put back, so that the
 *     descriptors from start to position are the ones posted after subscribing;
 *   - up to LGMP_FUZZ_MAX_MSGS messages per queue processed, their frames and cursors
 *     validated, the pixels (up to the validated size, honouring wp capped at it, whole and
 *     per damage rect) and cursor shapes copied into private buffers, each acknowledged;
 *   - a SETCURSORPOS sent, the serial read, the session checked after a frozen second,
 *     unsubscribe (with or without writing, by the input's last byte).
 * Any answer of the client that breaks its contract aborts the run. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define LGMP_FUZZ_MAX_MSGS 8

/* The layout every seed uses (a B7 host's order, §3.8, on a 40 KiB region). */
#define LGMP_FUZZ_REGION_SIZE 40960u
#define LGMP_FUZZ_UDATA_SIZE 215u
#define LGMP_FUZZ_FRAME_DESCS 5976u   /* 3 x 16 */
#define LGMP_FUZZ_POINTER_DESCS 6024u /* 21 x 16 */
#define LGMP_FUZZ_POS_BUFS 6360u      /* 4 x 24 */
#define LGMP_FUZZ_SHAPE0 6456u        /* 2 x (24 + 4096) */
#define LGMP_FUZZ_SHAPE1 10576u
#define LGMP_FUZZ_SHAPE_SIZE 4120u
#define LGMP_FUZZ_SLOT0 16384u /* 2 x 12288, page aligned, the last ends at the end */
#define LGMP_FUZZ_SLOT1 28672u
#define LGMP_FUZZ_SLOT_SIZE 12288u

struct lgmp_fuzz_stats {
    int session;    /* session init succeeded */
    int subscribed; /* subscriptions taken (0..2) */
    int frames;     /* frames validated and copied */
    int cursors;    /* cursor messages validated */
    int shapes;     /* of which with a shape copied */
    int sent;       /* SETCURSORPOS accepted */
};

/* Runs the client over one input. stats: [optional] what it got through. Returns frames +
 * cursors validated. */
int lgmp_fuzz_run(const uint8_t *data, size_t len, struct lgmp_fuzz_stats *stats);

/* Writes seed n (0 <= n < LGMP_FUZZ_SEEDS), a hand-built B7-like region of
 * LGMP_FUZZ_REGION_SIZE bytes, into out. Returns its length, 0 when cap is too small. */
#define LGMP_FUZZ_SEEDS 5
size_t lgmp_fuzz_seed(int n, uint8_t *out, size_t cap);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
