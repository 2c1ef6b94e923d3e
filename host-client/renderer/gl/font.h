/* The renderer's built-in bitmap font: printable ASCII (32..126), 5x9 glyphs (7 rows above
 * the baseline, 2 for descenders) in 6x10 cells, rasterised into an 8-bit coverage atlas. No
 * GL here: the atlas is plain bytes that gl_text.c uploads. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define VG_FONT_FIRST 32
#define VG_FONT_LAST 126
#define VG_FONT_GLYPHS (VG_FONT_LAST - VG_FONT_FIRST + 1)
#define VG_FONT_GLYPH_W 5
#define VG_FONT_GLYPH_H 9
#define VG_FONT_CELL_W 6  /* glyph plus one column of spacing */
#define VG_FONT_CELL_H 10 /* glyph plus one row of spacing */
#define VG_FONT_ATLAS_COLS 16
#define VG_FONT_ATLAS_ROWS 6
#define VG_FONT_ATLAS_W (VG_FONT_ATLAS_COLS * VG_FONT_CELL_W)
#define VG_FONT_ATLAS_H (VG_FONT_ATLAS_ROWS * VG_FONT_CELL_H)
/* The cell after the last glyph is fully set: solid shapes sample it. */
#define VG_FONT_SOLID_CELL VG_FONT_GLYPHS

/* Atlas cell of character c; characters outside 32..126 map to '?'. */
unsigned vg_font_cell(unsigned char c);

/* Writes the atlas, VG_FONT_ATLAS_W x VG_FONT_ATLAS_H bytes, rows top-down, 255 where a
 * glyph pixel is set. False (logged) if the glyph table is malformed. */
bool vg_font_rasterize(uint8_t *atlas);

/* Whether pixel (x, y) of glyph c is set (x < VG_FONT_GLYPH_W, y < VG_FONT_GLYPH_H). */
bool vg_font_pixel(unsigned char c, unsigned x, unsigned y);
