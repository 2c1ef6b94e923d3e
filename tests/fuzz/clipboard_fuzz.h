/* The clipboard exchange harness (clipboard.h), shared by the libFuzzer target and the replay
 * test that runs in every build. The input is what a hostile guest agent sends as clipboard
 * text: the first byte picks the directions allowed (bit 0: to the guest, bit 1: to the host),
 * the rest is the text. Invariants (abort when one fails): text the exchange keeps is exactly
 * the input without its trailing NULs, has no NUL inside, is no larger than VG_CLIPBOARD_MAX,
 * and is UTF-8 by glibc's own decoder (iconv) too; its CRLF form is UTF-8 and converts back;
 * nothing passes a direction switched off. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns 1 when the text was kept, else 0. */
int clipboard_fuzz_run(const uint8_t *data, size_t len);
