/* The frame protocol consumer harness, shared by the libFuzzer target, the seed writer and the
 * replay test that runs in every build.
 *
 * Input format. An input of at least VG_FP_SLOTS_OFFSET bytes is the region itself. A shorter
 * one is compact, so that the fuzzer's small inputs still reach the slots: a zeroed region of
 * FP_FUZZ_REGION_SIZE bytes gets the input's first 512 bytes as its header, then up to
 * VG_FP_MAX_SLOTS slot headers of 320 bytes, each at the offset the header's slot_offset[i]
 * names (skipped where it does not fit), then whatever is left at the cursor shape. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "vg/fp.h"

#define FP_FUZZ_REGION_SIZE ((size_t)VG_FP_SLOTS_OFFSET + 64u * 1024u)

/* Builds the region an input describes into a new buffer of exactly *size bytes (owned by the
 * caller, free()). NULL when out of memory. */
uint8_t *fp_fuzz_build_region(const uint8_t *data, size_t len, size_t *size);

/* Writes the compact input that describes a region of FP_FUZZ_REGION_SIZE bytes (header and
 * slot headers; the pixels are left out). Returns the bytes written (<= cap). */
size_t fp_fuzz_encode(const uint8_t *region, uint8_t *out, size_t cap);

/* Runs the consumer over an input: create, poll, next_frame, copy (whole and damage), done,
 * cursor, at three points in time. Returns the frames copied untorn. */
int fp_fuzz_run(const uint8_t *data, size_t len);

/* Produces seed n (0 <= n < FP_FUZZ_SEEDS) with a real producer: compact input in out.
 * Returns its length, 0 on failure. */
#define FP_FUZZ_SEEDS 7
size_t fp_fuzz_seed(int n, uint8_t *out, size_t cap);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
