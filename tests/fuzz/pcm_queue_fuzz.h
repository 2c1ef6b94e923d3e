/* The SPICE playback PCM queue harness (audio_pcm_queue.h), shared by the libFuzzer target and
 * the replay test that runs in every build. The input is what a hostile SPICE server and a
 * slow player do, one byte an action:
 *   op % 8 == 0  start: bits, channels (signed), rate (3 bytes, little-endian) follow
 *   1            push: a length (2 bytes) times 1 << (op >> 4 & 7) bytes of numbered PCM
 *   2            stop          3  disconnected
 *   4, 5         read with room for any chunk / with a cap of the next byte
 *   6            the consumer's backlog limit: the next byte
 *   7            read until nothing is left
 * Invariants checked after each read (abort when one fails): a chunk is the format's size,
 * the format one the validator accepts, and its bytes those pushed, in order. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns the chunks delivered. */
int pcm_queue_fuzz_run(const uint8_t *data, size_t len);
