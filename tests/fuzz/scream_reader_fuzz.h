/* The Scream ring reader harness, shared by the libFuzzer target and the replay test that runs
 * in every build.
 *
 * Input: bytes 0-1 the region's size beyond the header (little-endian, up to 64 KiB), bytes
 * 2-25 the header, then a script: each byte is an action on the region between reads (set
 * write_idx, set a header byte, fill a chunk, zero the header) or a read with a large or a tiny
 * buffer. The region is allocated to its exact size so that any read past it is caught. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns the chunks delivered. Aborts when an invariant fails. */
int scream_reader_fuzz_run(const uint8_t *data, size_t len);
