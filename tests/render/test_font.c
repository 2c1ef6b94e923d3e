/* The built-in font: every printable ASCII character has its own readable glyph. */
#include <stdint.h>
#include <string.h>

#include "font.h"
#include "testlib.h"

static uint8_t atlas[VG_FONT_ATLAS_W * VG_FONT_ATLAS_H];

static unsigned glyph_pixels(unsigned char c)
{
    unsigned n = 0;
    for (unsigned y = 0; y < VG_FONT_GLYPH_H; y++)
        for (unsigned x = 0; x < VG_FONT_GLYPH_W; x++)
            n += vg_font_pixel(c, x, y);
    return n;
}

static void atlas_builds(void)
{
    CHECK(vg_font_rasterize(atlas));
}

static void every_printable_character_has_a_glyph(void)
{
    CHECK(glyph_pixels(' ') == 0);
    for (unsigned c = VG_FONT_FIRST + 1; c <= VG_FONT_LAST; c++)
        CHECK_MSG(glyph_pixels((unsigned char)c) >= 2, "'%c' is blank", (char)c);
}

static void glyphs_are_distinct(void)
{
    for (unsigned a = VG_FONT_FIRST; a <= VG_FONT_LAST; a++) {
        for (unsigned b = a + 1; b <= VG_FONT_LAST; b++) {
            bool same = true;
            for (unsigned y = 0; y < VG_FONT_GLYPH_H && same; y++)
                for (unsigned x = 0; x < VG_FONT_GLYPH_W && same; x++)
                    same = vg_font_pixel((unsigned char)a, x, y) ==
                           vg_font_pixel((unsigned char)b, x, y);
            CHECK_MSG(!same, "'%c' and '%c' look the same", (char)a, (char)b);
        }
    }
}

static void atlas_matches_glyphs_and_spacing_is_clear(void)
{
    unsigned wrong = 0;
    for (unsigned c = VG_FONT_FIRST; c <= VG_FONT_LAST; c++) {
        unsigned cell = vg_font_cell((unsigned char)c);
        unsigned cx = (cell % VG_FONT_ATLAS_COLS) * VG_FONT_CELL_W;
        unsigned cy = (cell / VG_FONT_ATLAS_COLS) * VG_FONT_CELL_H;
        for (unsigned y = 0; y < VG_FONT_CELL_H; y++) {
            for (unsigned x = 0; x < VG_FONT_CELL_W; x++) {
                uint8_t want = vg_font_pixel((unsigned char)c, x, y) ? 255 : 0;
                wrong += atlas[(cy + y) * VG_FONT_ATLAS_W + cx + x] != want;
            }
        }
    }
    CHECK_MSG(wrong == 0, "%u atlas pixels differ from the glyph table", wrong);

    unsigned sx = (VG_FONT_SOLID_CELL % VG_FONT_ATLAS_COLS) * VG_FONT_CELL_W;
    unsigned sy = (VG_FONT_SOLID_CELL / VG_FONT_ATLAS_COLS) * VG_FONT_CELL_H;
    unsigned set = 0;
    for (unsigned y = 0; y < VG_FONT_CELL_H; y++)
        for (unsigned x = 0; x < VG_FONT_CELL_W; x++)
            set += atlas[(sy + y) * VG_FONT_ATLAS_W + sx + x] == 255;
    CHECK(set == VG_FONT_CELL_W * VG_FONT_CELL_H);
}

static void descenders_use_the_rows_below_the_baseline(void)
{
    /* Rows 7 and 8 hold descenders: 'g' reaches them, 'a' does not. */
    bool g_low = false, a_low = false;
    for (unsigned x = 0; x < VG_FONT_GLYPH_W; x++) {
        g_low |= vg_font_pixel('g', x, 8);
        a_low |= vg_font_pixel('a', x, 7) || vg_font_pixel('a', x, 8);
    }
    CHECK(g_low);
    CHECK(!a_low);
}

static void unprintable_characters_show_a_question_mark(void)
{
    CHECK(vg_font_cell('\n') == vg_font_cell('?'));
    CHECK(vg_font_cell(0x7f) == vg_font_cell('?'));
    CHECK(vg_font_cell(0xe9) == vg_font_cell('?'));
    CHECK(vg_font_cell('A') == 'A' - VG_FONT_FIRST);
}

int main(void)
{
    RUN(atlas_builds);
    RUN(every_printable_character_has_a_glyph);
    RUN(glyphs_are_distinct);
    RUN(atlas_matches_glyphs_and_spacing_is_clear);
    RUN(descenders_use_the_rows_below_the_baseline);
    RUN(unprintable_characters_show_a_question_mark);
    return vg_test_finish();
}
