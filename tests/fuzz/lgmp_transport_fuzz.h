/* The client's Looking Glass B7 transport backend (host-client/transport/lgmp: the
 * vg_transport_lgmp ops, LGMP 6 / KVMFR 20) over a region the input is; shared by the
 * libFuzzer target, its seed writer and the replay test that runs in every build. Where
 * lgmp_fuzz.h drives guest-protocol's client algorithm, this drives the code the client runs
 * on top of it: the session and subscription state, and the copies of pixels and cursor
 * shapes out of guest memory into the renderer's buffers.
 *
 * Input format: the region as the client maps it, copied to an 8-aligned buffer of exactly
 * its length (so that ASan catches any read past it), padded with zeros to 5760 bytes when
 * shorter. Its last LGMP_TRANSPORT_FUZZ_TAIL bytes, when it has that many, are also read as a
 * script: one struct lgmp_transport_fuzz_step per iteration, then the control byte
 * (LGMP_TRANSPORT_FUZZ_CTL_*). They stay part of the region.
 *
 * The harness plays the client's main loop and, where a static input cannot, the host:
 *   - every queue's lock and cMsgLock word cleared, at the start and after every scribble
 *     (a held lock costs only time, up to the client's 200 ms bound per call);
 *   - create with a struct vg_transport_map over the copy and a 200 ms stall;
 *   - LGMP_TRANSPORT_FUZZ_STEPS iterations, each: the step's scribble on the region (a
 *     session change, a zeroed or restored header, a frozen heartbeat, an expulsion, a post,
 *     raw header bytes); the heartbeat word bumped unless frozen; now_ns advanced by 50 ms
 *     (session init is retried at most every 50 ms); poll, with every queue's position moved
 *     to its start for the call, so that a subscription taken then finds the input's
 *     start .. position as posted after it; next_cursor, a new shape checked with
 *     vg_cursor_shape_bytes and read whole; next_frame and, on a frame, its info checked and
 *     copy_frame into a private buffer of exactly data_height rows of width * bpp rounded up
 *     to 4, whole and with the frame's damage rects; release_frame; warning; send_message
 *     (a cursor position, a window size);
 *   - destroy.
 * VG_COPY_NOT_YET: unless the control byte says to give up, the harness completes wp in the
 * copy (as the host does when it finishes writing) and asks again; a frame still not ready
 * after the second answer is released. (The backend's own 250 ms bound runs on the real
 * clock and is not reached.) Any answer that breaks the ops' contract (transport.h) or leaves
 * a shared lock held aborts the run. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define LGMP_TRANSPORT_FUZZ_STEPS 16

/* One iteration's scribble: op % 16 picks what (0..7: nothing), a, b and v are its operands. */
struct lgmp_transport_fuzz_step {
    uint8_t op, a, b, v;
};

enum lgmp_transport_fuzz_op {
    LGMP_TRANSPORT_FUZZ_NOP = 0,
    LGMP_TRANSPORT_FUZZ_BYTE = 8, /* header byte (a << 8 | b) % 5760 = v */
    LGMP_TRANSPORT_FUZZ_WORD,     /* header u32 4 * ((a << 8 | b) % 1440) = edge value v */
    LGMP_TRANSPORT_FUZZ_SESSION,  /* sessionID += 1 + v: the host restarted over its layout */
    LGMP_TRANSPORT_FUZZ_ZERO,     /* the header zeroed: host gone, region wiped */
    LGMP_TRANSPORT_FUZZ_RESTORE,  /* the input's header back under a new session id */
    LGMP_TRANSPORT_FUZZ_FREEZE,   /* the heartbeat frozen for v % 8 + 1 iterations */
    LGMP_TRANSPORT_FUZZ_EXPEL,    /* every id of queue v % 5 marked BAD */
    LGMP_TRANSPORT_FUZZ_POST,     /* queue v % 5's position advanced by a % 4 + 1 */
};

/* Control byte bits. */
#define LGMP_TRANSPORT_FUZZ_CTL_GIVE_UP 0x01      /* on VG_COPY_NOT_YET release the frame */
#define LGMP_TRANSPORT_FUZZ_CTL_DAMAGE_FIRST 0x02 /* copy the damage rects before the whole */
#define LGMP_TRANSPORT_FUZZ_CTL_DESTROY_OPEN 0x04 /* destroy with the last frame unreleased */
#define LGMP_TRANSPORT_FUZZ_CTL_DRAIN 0x08        /* next_frame twice an iteration */

/* The script: the steps, then the control byte, at the end of the input. */
#define LGMP_TRANSPORT_FUZZ_TAIL (LGMP_TRANSPORT_FUZZ_STEPS * 4 + 1)

struct lgmp_transport_fuzz_stats {
    int ready;    /* polls that returned ready */
    int sessions; /* polls that reported new_session */
    int frames;   /* next_frame returned 1 */
    int copies;   /* copy_frame returned 0 (whole and damage) */
    int damage;   /* of which with damage rects */
    int not_yet;  /* VG_COPY_NOT_YET answers */
    int torn;     /* VG_COPY_TORN answers */
    int cursors;  /* next_cursor with VG_CURSOR_NEW_POS */
    int shapes;   /* next_cursor with VG_CURSOR_NEW_SHAPE */
    int sent;     /* cursor positions send_message took */
    int warnings; /* iterations with a warning shown */
};

/* Runs the backend over one input. stats: [optional] what it got through. Returns frames +
 * cursors. */
int lgmp_transport_fuzz_run(const uint8_t *data, size_t len,
                            struct lgmp_transport_fuzz_stats *stats);

/* Seeds, each a region with a script at its end:
 *   0 .. LGMP_FUZZ_SEEDS - 1: the hand-built regions of lgmp_fuzz.h, with no scribbles;
 *   then two of them with scripts (a host that expels us, restarts, wipes its header and
 *   comes back; a host whose heartbeat stops, then a corrupt queue);
 *   then three regions the real KVMFR producer wrote (vg/lgmp.h) for a client it saw
 *   subscribe: BGRA frames with damage and a colour cursor; a BGR_32 frame whose wp stops
 *   short and a monochrome cursor, on a host without SETCURSORPOS; a frame too large for
 *   its slot (TRUNCATED) and a masked-colour cursor, with a script.
 * Writes seed n (0 <= n < LGMP_TRANSPORT_FUZZ_SEEDS) into out; returns its length, 0 when cap
 * is too small or it could not be built. */
#define LGMP_TRANSPORT_FUZZ_SEEDS 10
#define LGMP_TRANSPORT_FUZZ_PRODUCER_SIZE (UINT32_C(4) << 20)
#define LGMP_TRANSPORT_FUZZ_SEED_CAP (LGMP_TRANSPORT_FUZZ_PRODUCER_SIZE + LGMP_TRANSPORT_FUZZ_TAIL)
size_t lgmp_transport_fuzz_seed(int n, uint8_t *out, size_t cap);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
