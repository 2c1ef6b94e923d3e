/* The graph period the player asks PipeWire for, adapted to graph stalls (xruns): cycles our
 * data thread missed. They are what a larger quantum prevents, and more buffering in our ring
 * does not (measured: vgapt-bench audio --noise, 20 s, 2 cores: forced 256 frames 25 stalls,
 * 512 frames 2, 1024 frames 0). The request starts at the configured period (--audio-quantum-ms,
 * 10 ms: 512 frames at 48 kHz), doubles when stalls recur, up to 20 ms (1024 frames, matched to
 * the guest's 20 ms chunks), and halves again after a calm minute. A request applies to the whole
 * graph (it runs the lowest of all requests): a larger one only ever relaxes it, and it is never
 * smaller than configured. Context: one thread. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define VG_AUDIO_QUANTUM_MAX_MS 20u

struct vg_audio_quantum_control {
    uint32_t base_ms, ms;           /* configured (0: ask for none, never adapt), asked now */
    uint64_t stalls_seen;
    uint64_t last_stall_ns, last_move_ns, calm_from_ns;
};

void vg_audio_quantum_control_reset(struct vg_audio_quantum_control *q, uint32_t base_ms,
                                    uint64_t now);
/* stalls: the total so far (any streams). true when ms changed: ask the sink for it. */
bool vg_audio_quantum_control_update(struct vg_audio_quantum_control *q, uint64_t stalls,
                                     uint64_t now);
