/* The synthetic guest's test pattern: a pure function of (frame number, x, y), no I/O.
 *
 * `vgapt-guest pattern` renders it into the shared region; tests link vg-pattern to compute the
 * pixels they expect to see. Frame numbering: the pattern submits frame number N as its N-th
 * frame (from 0) and the producer publishes serials from 1, so serial s shows pattern frame
 * s - 1. With --still every serial shows frame 0.
 *
 * Geometry for a W x H frame (integer division throughout; layers listed bottom to top, a later
 * layer covers an earlier one). Every colour is given as 8-bit R, G, B; alpha is always 255.
 *
 *   background  (32, 32, 32), with grid lines (96, 96, 96) on every column x % 64 == 0 and every
 *               row y % 64 == 0.
 *   colour bars rows 0 <= y < H / 4: bar i = x * 8 / W, left to right white, yellow, cyan, green,
 *               magenta, red, blue, black (components 0 or 255 only).
 *   grey ramp   rows H / 4 <= y < H / 4 + H / 8: grey level x * 256 / W (0 at the left edge,
 *               255 at the right edge when W >= 256).
 *   markers     squares of side M = min(max(16, min(W, H) / 16), W / 2, H / 2): red at the
 *               top-left (0, 0), green at the top-right (W - M, 0), blue at the bottom-left
 *               (0, H - M); nothing at the bottom-right. A flip or rotation moves a colour to
 *               another corner; an R/B swap turns the top-left square blue.
 *   moving box  see vg_pattern_box(): BW x BH with BW = min(64, W), BH = min(64, H), filled
 *               orange (255, 128, 0) with a white (255, 255, 255) border of 4 pixels.
 *
 * Only the box moves, so what changes from frame N to N + 1 is box(N) union box(N + 1). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "vg/fp_wire.h"

#define VG_PATTERN_BOX_SIZE 64u
#define VG_PATTERN_BOX_BORDER 4u
#define VG_PATTERN_BOX_SPEED_X 7u /* pixels per frame */
#define VG_PATTERN_BOX_SPEED_Y 5u
#define VG_PATTERN_CURSOR_SIZE 32u /* the cursor shape is 32 x 32 BGRA8 */
#define VG_PATTERN_CURSOR_SPEED_X 3u
#define VG_PATTERN_CURSOR_SPEED_Y 2u

/* The expected colour of pixel (x, y) of frame number `frame` as R, G, B, A (A = 255).
 * x < w and y < h. */
void vg_pattern_rgba8(uint32_t w, uint32_t h, uint64_t frame, uint32_t x, uint32_t y,
                      uint8_t rgba[4]);

/* Packed 24-bit layouts vg_pattern_render writes besides the enum vg_fp_format values: 3 bytes
 * a pixel, no alpha, pixels back to back. BGR24 is B, G, R (the byte stream of KVMFR BGR_32),
 * RGB24 is R, G, B (KVMFR RGB_24). Values outside the vg_fp_format range. */
#define VG_PATTERN_FORMAT_BGR24 0x101u
#define VG_PATTERN_FORMAT_RGB24 0x102u

/* Renders the rect of frame number `frame` of a w x h pattern in format (enum vg_fp_format or
 * VG_PATTERN_FORMAT_*) into dst (borrowed; the whole frame, stride bytes per row; only the
 * rect's pixels are written). rect NULL means the whole frame; a rect reaching past the frame
 * is clipped. An invalid format writes nothing. */
void vg_pattern_render(uint8_t *dst, size_t stride, uint32_t format, uint32_t w, uint32_t h,
                       uint64_t frame, const struct vg_fp_rect *rect);

/* The triangle wave the box and the cursor move along: t folded into 0..range and back
 * (0 when range is 0). Period 2 * range. */
uint32_t vg_pattern_bounce(uint64_t t, uint32_t range);

/* The box of frame number `frame`: size BW x BH as above, position
 *   x = bounce(frame * 7 + (W - BW) / 4,     W - BW)
 *   y = bounce(frame * 5 + (H - BH) * 3 / 4, H - BH)
 * so it bounces off the frame edges and starts (frame 0, also --still) clear of the corner
 * markers and of the cursor. Always inside the frame. */
struct vg_fp_rect vg_pattern_box(uint32_t w, uint32_t h, uint64_t frame);

/* The cursor shape: 32 x 32 BGRA8 (B, G, R, A bytes, straight alpha), 128 bytes per row,
 * hotspot (0, 0) at the arrow's tip. An arrow pointing up-left:
 *   head   x <= y and 7 * x + 17 * y < 408 (triangle (0,0), (0,24), (17,17), its lower edge
 *          excluded)
 *   stem   16 <= y <= 30 and (y - 16) / 2 + 6 <= x <= (y - 16) / 2 + 10
 * A pixel of head or stem is opaque black (0, 0, 0) outline when one of its four neighbours is
 * outside both (or outside the 32 x 32 square), else magenta (255, 0, 255) for y < 12 and
 * yellow (255, 255, 0) for y >= 12. Every other pixel is transparent (0, 0, 0, 0).
 * out: 32 * 32 * 4 bytes, caller's storage. */
void vg_pattern_cursor_shape(uint8_t out[VG_PATTERN_CURSOR_SIZE * VG_PATTERN_CURSOR_SIZE * 4]);

/* The same arrow in the other two cursor types of Looking Glass (KVMFR), so a test can compute
 * what each shows over any screen pixel. Every pixel of the 32 x 32 square is one part: */
enum vg_pattern_cursor_part {
    VG_PATTERN_CURSOR_OUTSIDE, /* neither head nor stem */
    VG_PATTERN_CURSOR_OUTLINE, /* head or stem with a neighbour outside (as above) */
    VG_PATTERN_CURSOR_UPPER,   /* head or stem inside the outline, y < 12 */
    VG_PATTERN_CURSOR_LOWER,   /* head or stem inside the outline, y >= 12 */
};
enum vg_pattern_cursor_part vg_pattern_cursor_part(int x, int y);

/* MONOCHROME: 1 bit a pixel, most significant bit first, VG_PATTERN_CURSOR_MONO_PITCH bytes a
 * row; 32 AND-mask rows, then 32 XOR-mask rows (so 64 stored rows). Windows semantics:
 *   OUTSIDE  AND 1 XOR 0  screen unchanged
 *   OUTLINE  AND 0 XOR 0  black
 *   UPPER    AND 0 XOR 1  white
 *   LOWER    AND 1 XOR 1  screen inverted
 * out: VG_PATTERN_CURSOR_MONO_BYTES bytes, caller's storage. */
#define VG_PATTERN_CURSOR_MONO_PITCH (VG_PATTERN_CURSOR_SIZE / 8u)
#define VG_PATTERN_CURSOR_MONO_BYTES (VG_PATTERN_CURSOR_MONO_PITCH * VG_PATTERN_CURSOR_SIZE * 2u)
void vg_pattern_cursor_mono(uint8_t out[VG_PATTERN_CURSOR_MONO_BYTES]);

/* MASKED_COLOR: 32 x 32 B, G, R, mask bytes, 128 bytes a row. Mask 0: the colour replaces the
 * screen pixel; mask 0xFF: the colour is XORed into it.
 *   OUTSIDE  (0, 0, 0) XOR: screen unchanged
 *   OUTLINE  (0, 0, 0) opaque black
 *   UPPER    (0, 255, 255) opaque cyan
 *   LOWER    (255, 255, 255) XOR: screen inverted
 * out: 32 * 32 * 4 bytes, caller's storage. */
void vg_pattern_cursor_masked(uint8_t out[VG_PATTERN_CURSOR_SIZE * VG_PATTERN_CURSOR_SIZE * 4]);

/* The cursor hotspot for frame number `frame`, a triangle-wave Lissajous figure (3:2) that keeps
 * the whole 32 x 32 shape inside frames of at least 32 x 32:
 *   rx = W > 32 ? W - 32 : 0,  x = bounce(frame * 3 + rx / 2, rx)
 *   ry = H > 32 ? H - 32 : 0,  y = bounce(frame * 2 + ry / 2, ry)
 * Frame 0 puts it at the centre. */
void vg_pattern_cursor_pos(uint32_t w, uint32_t h, uint64_t frame, int32_t *x, int32_t *y);

/* IEEE-754 binary16 nearest to f (round to nearest even; overflow gives infinity, NaN stays
 * NaN). Exact for 0 and 1 (0x0000, 0x3C00). */
uint16_t vg_pattern_float_to_half(float f);
