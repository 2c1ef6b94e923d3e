/* The Scream header harness (validator, a reader of what it accepts, the writer), shared by the
 * libFuzzer target and the replay test.
 * NOTE: a stand-in. The original of this file was overwritten by mistake by the audio-path
 * session at 07:50 UTC; its author should put the original back.
 *
 * Input: the 24-byte header, then the region's size beyond it (4 bytes, little-endian, at most
 * 1 MiB). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SCREAM_FUZZ_SEEDS 4

/* Validates the input's header against its region and, when it validates, reads every chunk of
 * the ring and writes one with the writer. Returns 1 when the header validated, else 0. */
int scream_fuzz_run(const uint8_t *data, size_t len);
/* Seed n (0 <= n < SCREAM_FUZZ_SEEDS), a valid header written by the writer; returns its
 * length (VG_SCREAM_HEADER_SIZE + 4). */
size_t scream_fuzz_seed(int n, uint8_t *out, size_t cap);
