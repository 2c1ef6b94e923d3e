/* Relating a producer's clock to the consumer's, from timestamps the producer writes.
 *
 * A producer in a VM stamps its frames with the guest's clock, which has nothing to do with
 * the host's: comparing them gives "latencies" of days. What the consumer can do is watch a
 * value the producer stamps with that clock as it writes it — the vgfp heartbeat — and note
 * its own time when a new value appears: local - peer is then the offset between the clocks
 * plus how long the value took to be seen, which is never negative. The smallest of these over
 * a window of recent samples estimates the offset (from above, by the shortest delay in the
 * window, so a latency figured with it errs low by that much: a fraction of the consumer's poll
 * interval when it polls often). A window rather than all samples, so that a clock that steps
 * or drifts is followed.
 *
 * Plain data in the caller's storage, pure functions, no I/O: the vgfp consumer keeps one per
 * session; any other protocol with a producer timestamp (Looking Glass' KVMFR, should it gain
 * one) can use it the same way. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define VG_FP_CLOCK_SYNC_WINDOW 32u     /* samples the estimate is the minimum of */
#define VG_FP_CLOCK_SYNC_MIN_SAMPLES 4u /* samples before an estimate is given */

struct vg_fp_clock_sync {
    int64_t offset[VG_FP_CLOCK_SYNC_WINDOW]; /* local - peer of the last samples, a ring */
    uint32_t count;                          /* valid entries, at most the window */
    uint32_t next;                           /* where the next sample goes */
};

/* Forgets every sample (a new producer, or a clock that changed). */
void vg_fp_clock_sync_reset(struct vg_fp_clock_sync *s);

/* One sample: the producer's timestamp peer_ns, first seen at local_ns on our clock. Any
 * values are accepted (a hostile producer gets a wrong estimate, never undefined behaviour):
 * differences wrap modulo 2^64 and are read as signed. */
void vg_fp_clock_sync_sample(struct vg_fp_clock_sync *s, uint64_t peer_ns, uint64_t local_ns);

/* The estimated offset (local = peer + offset) once at least min_samples (at most the window)
 * were taken; false before, *offset untouched. */
bool vg_fp_clock_sync_offset(const struct vg_fp_clock_sync *s, uint32_t min_samples,
                             int64_t *offset);

/* peer_ns on our clock: peer_ns + offset, modulo 2^64. false (and *local_ns untouched) when no
 * estimate with min_samples exists yet. */
bool vg_fp_clock_sync_to_local(const struct vg_fp_clock_sync *s, uint32_t min_samples,
                               uint64_t peer_ns, uint64_t *local_ns);
