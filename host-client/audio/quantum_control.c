/* The graph period to ask for. See audio_quantum_control.h. */
#include "audio_quantum_control.h"

#include <string.h>

#define NS_PER_S 1000000000ull
#define RECUR_NS (10 * NS_PER_S)      /* two stalls this close: recurring */
#define HOLD_NS (3 * NS_PER_S)        /* the graph needs this long to take a new quantum */
#define CALM_NS (60 * NS_PER_S)       /* no stall this long: halve it */

void vg_audio_quantum_control_reset(struct vg_audio_quantum_control *q, uint32_t base_ms,
                                    uint64_t now)
{
    memset(q, 0, sizeof(*q));
    q->base_ms = q->ms = base_ms;
    q->calm_from_ns = now; /* last_move_ns 0: no move yet, the first rise need not wait */
}

bool vg_audio_quantum_control_update(struct vg_audio_quantum_control *q, uint64_t stalls,
                                     uint64_t now)
{
    if (!q->base_ms)
        return false;
    if (stalls < q->stalls_seen)
        q->stalls_seen = stalls; /* a new count */
    uint64_t n = stalls - q->stalls_seen;
    q->stalls_seen = stalls;
    if (n) {
        bool recurring = n >= 2 || (q->last_stall_ns && now - q->last_stall_ns < RECUR_NS);
        q->last_stall_ns = q->calm_from_ns = now;
        bool held = q->last_move_ns && now - q->last_move_ns < HOLD_NS;
        if (recurring && q->ms < VG_AUDIO_QUANTUM_MAX_MS && !held) {
            q->ms = q->ms * 2 > VG_AUDIO_QUANTUM_MAX_MS ? VG_AUDIO_QUANTUM_MAX_MS : q->ms * 2;
            q->last_move_ns = now;
            return true;
        }
        return false;
    }
    if (q->ms > q->base_ms && now - q->calm_from_ns >= CALM_NS && now - q->last_move_ns >= CALM_NS) {
        q->ms = q->ms / 2 < q->base_ms ? q->base_ms : q->ms / 2;
        q->last_move_ns = now;
        return true;
    }
    return false;
}
