/* The SDL scancode to set-1 table: every PC key has its code, both ways, without duplicates. */
#include <SDL.h>
#include <stdint.h>
#include <stdio.h>

#include "keymap.h"
#include "testlib.h"

/* Every key of PC 104-key (ANSI) and 105-key (ISO) keyboards, as SDL names them. */
static const SDL_Scancode pc_keys[] = {
    SDL_SCANCODE_ESCAPE,
    SDL_SCANCODE_F1,
    SDL_SCANCODE_F2,
    SDL_SCANCODE_F3,
    SDL_SCANCODE_F4,
    SDL_SCANCODE_F5,
    SDL_SCANCODE_F6,
    SDL_SCANCODE_F7,
    SDL_SCANCODE_F8,
    SDL_SCANCODE_F9,
    SDL_SCANCODE_F10,
    SDL_SCANCODE_F11,
    SDL_SCANCODE_F12,
    SDL_SCANCODE_PRINTSCREEN,
    SDL_SCANCODE_SCROLLLOCK,
    SDL_SCANCODE_PAUSE,
    SDL_SCANCODE_GRAVE,
    SDL_SCANCODE_1,
    SDL_SCANCODE_2,
    SDL_SCANCODE_3,
    SDL_SCANCODE_4,
    SDL_SCANCODE_5,
    SDL_SCANCODE_6,
    SDL_SCANCODE_7,
    SDL_SCANCODE_8,
    SDL_SCANCODE_9,
    SDL_SCANCODE_0,
    SDL_SCANCODE_MINUS,
    SDL_SCANCODE_EQUALS,
    SDL_SCANCODE_BACKSPACE,
    SDL_SCANCODE_TAB,
    SDL_SCANCODE_Q,
    SDL_SCANCODE_W,
    SDL_SCANCODE_E,
    SDL_SCANCODE_R,
    SDL_SCANCODE_T,
    SDL_SCANCODE_Y,
    SDL_SCANCODE_U,
    SDL_SCANCODE_I,
    SDL_SCANCODE_O,
    SDL_SCANCODE_P,
    SDL_SCANCODE_LEFTBRACKET,
    SDL_SCANCODE_RIGHTBRACKET,
    SDL_SCANCODE_BACKSLASH,
    SDL_SCANCODE_CAPSLOCK,
    SDL_SCANCODE_A,
    SDL_SCANCODE_S,
    SDL_SCANCODE_D,
    SDL_SCANCODE_F,
    SDL_SCANCODE_G,
    SDL_SCANCODE_H,
    SDL_SCANCODE_J,
    SDL_SCANCODE_K,
    SDL_SCANCODE_L,
    SDL_SCANCODE_SEMICOLON,
    SDL_SCANCODE_APOSTROPHE,
    SDL_SCANCODE_NONUSHASH,
    SDL_SCANCODE_RETURN,
    SDL_SCANCODE_LSHIFT,
    SDL_SCANCODE_NONUSBACKSLASH,
    SDL_SCANCODE_Z,
    SDL_SCANCODE_X,
    SDL_SCANCODE_C,
    SDL_SCANCODE_V,
    SDL_SCANCODE_B,
    SDL_SCANCODE_N,
    SDL_SCANCODE_M,
    SDL_SCANCODE_COMMA,
    SDL_SCANCODE_PERIOD,
    SDL_SCANCODE_SLASH,
    SDL_SCANCODE_RSHIFT,
    SDL_SCANCODE_LCTRL,
    SDL_SCANCODE_LGUI,
    SDL_SCANCODE_LALT,
    SDL_SCANCODE_SPACE,
    SDL_SCANCODE_RALT,
    SDL_SCANCODE_RGUI,
    SDL_SCANCODE_APPLICATION,
    SDL_SCANCODE_RCTRL,
    SDL_SCANCODE_INSERT,
    SDL_SCANCODE_HOME,
    SDL_SCANCODE_PAGEUP,
    SDL_SCANCODE_DELETE,
    SDL_SCANCODE_END,
    SDL_SCANCODE_PAGEDOWN,
    SDL_SCANCODE_UP,
    SDL_SCANCODE_LEFT,
    SDL_SCANCODE_DOWN,
    SDL_SCANCODE_RIGHT,
    SDL_SCANCODE_NUMLOCKCLEAR,
    SDL_SCANCODE_KP_DIVIDE,
    SDL_SCANCODE_KP_MULTIPLY,
    SDL_SCANCODE_KP_MINUS,
    SDL_SCANCODE_KP_7,
    SDL_SCANCODE_KP_8,
    SDL_SCANCODE_KP_9,
    SDL_SCANCODE_KP_PLUS,
    SDL_SCANCODE_KP_4,
    SDL_SCANCODE_KP_5,
    SDL_SCANCODE_KP_6,
    SDL_SCANCODE_KP_1,
    SDL_SCANCODE_KP_2,
    SDL_SCANCODE_KP_3,
    SDL_SCANCODE_KP_ENTER,
    SDL_SCANCODE_KP_0,
    SDL_SCANCODE_KP_PERIOD,
};

static void every_pc_key_has_a_set1_code(void)
{
    size_t n = sizeof(pc_keys) / sizeof(pc_keys[0]);
    /* The ANSI 104 keys, the ISO key by left Shift and the ISO key by Enter. */
    CHECK_MSG(n == 106, "the list holds %zu keys", n);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(vg_keymap_to_set1(pc_keys[i]) != 0, "%s has no code",
                  SDL_GetScancodeName(pc_keys[i]));
}

/* Codes a keyboard really sends: 0x01-0x7f (bit 7 is the release), the same after E0. */
static bool valid_code(uint32_t c)
{
    uint32_t low = c & 0xff;
    return (c >> 8) <= 1 && low != 0 && low < 0x80 && c != 0x12a && c != 0x136;
}

static void every_code_maps_back_to_one_key(void)
{
    int limit = vg_keymap_sdl_limit();
    int keys = 0;
    static int owner[0x200];
    for (int s = 0; s < limit; s++) {
        uint32_t c = vg_keymap_to_set1(s);
        if (!c)
            continue;
        CHECK_MSG(valid_code(c), "%s: code 0x%x is no make code", SDL_GetScancodeName(s), c);
        if (!valid_code(c))
            continue;
        int back = vg_keymap_from_set1(c);
        CHECK_MSG(back != 0 && vg_keymap_to_set1(back) == c, "0x%x does not map back", c);
        if (back == s) {
            /* The canonical key for its code: no other canonical key has it. */
            CHECK_MSG(owner[c] == 0, "0x%x belongs to %s and %s", c, SDL_GetScancodeName(owner[c]),
                      SDL_GetScancodeName(s));
            owner[c] = s;
            keys++;
        } else {
            /* An alias: a second SDL name of one physical key. */
            CHECK_MSG(back != s, "alias");
        }
    }
    fprintf(stderr, "  %d keys with a set-1 code\n", keys);
    CHECK(keys >= 105);
    for (uint32_t c = 1; c < 0x200; c++) {
        int s = vg_keymap_from_set1(c);
        if (s)
            CHECK_MSG(vg_keymap_to_set1(s) == c, "0x%x -> %s -> 0x%x", c, SDL_GetScancodeName(s),
                      vg_keymap_to_set1(s));
    }
}

static void known_keys_have_their_codes(void)
{
    static const struct {
        SDL_Scancode s;
        uint32_t code;
    } known[] = {
        {SDL_SCANCODE_ESCAPE, 0x01},
        {SDL_SCANCODE_A, 0x1e},
        {SDL_SCANCODE_Z, 0x2c},
        {SDL_SCANCODE_RETURN, 0x1c},
        {SDL_SCANCODE_LCTRL, 0x1d},
        {SDL_SCANCODE_SPACE, 0x39},
        {SDL_SCANCODE_F1, 0x3b},
        {SDL_SCANCODE_F10, 0x44},
        {SDL_SCANCODE_F11, 0x57},
        {SDL_SCANCODE_F12, 0x58},
        {SDL_SCANCODE_NUMLOCKCLEAR, 0x45},
        {SDL_SCANCODE_SCROLLLOCK, 0x46},
        {SDL_SCANCODE_KP_0, 0x52},
        {SDL_SCANCODE_NONUSBACKSLASH, 0x56},
        {SDL_SCANCODE_KP_ENTER, 0x11c},
        {SDL_SCANCODE_RCTRL, 0x11d},
        {SDL_SCANCODE_KP_DIVIDE, 0x135},
        {SDL_SCANCODE_RALT, 0x138},
        {SDL_SCANCODE_HOME, 0x147},
        {SDL_SCANCODE_UP, 0x148},
        {SDL_SCANCODE_LEFT, 0x14b},
        {SDL_SCANCODE_RIGHT, 0x14d},
        {SDL_SCANCODE_DOWN, 0x150},
        {SDL_SCANCODE_INSERT, 0x152},
        {SDL_SCANCODE_DELETE, 0x153},
        {SDL_SCANCODE_LGUI, 0x15b},
        {SDL_SCANCODE_RGUI, 0x15c},
        {SDL_SCANCODE_APPLICATION, 0x15d},
        {SDL_SCANCODE_PRINTSCREEN, 0x137},
        {SDL_SCANCODE_PAUSE, 0x146},
        {SDL_SCANCODE_SYSREQ, 0x54},
        {SDL_SCANCODE_MUTE, 0x120},
        {SDL_SCANCODE_AUDIOMUTE, 0x120},
        {SDL_SCANCODE_NONUSHASH, 0x2b},
        {SDL_SCANCODE_INTERNATIONAL1, 0x73},
        {SDL_SCANCODE_INTERNATIONAL3, 0x7d},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        CHECK_MSG(vg_keymap_to_set1(known[i].s) == known[i].code, "%s: 0x%x, want 0x%x",
                  SDL_GetScancodeName(known[i].s), vg_keymap_to_set1(known[i].s), known[i].code);
    CHECK(vg_keymap_from_set1(0x1e) == SDL_SCANCODE_A);
    CHECK(vg_keymap_from_set1(0x14d) == SDL_SCANCODE_RIGHT);
    CHECK(vg_keymap_from_set1(0x2b) == SDL_SCANCODE_BACKSLASH);
    CHECK(vg_keymap_from_set1(0x120) == SDL_SCANCODE_MUTE);
}

static void keys_a_pc_keyboard_lacks_have_no_code(void)
{
    CHECK(vg_keymap_to_set1(SDL_SCANCODE_UNKNOWN) == 0);
    CHECK(vg_keymap_to_set1(SDL_SCANCODE_KP_HEXADECIMAL) == 0);
    CHECK(vg_keymap_to_set1(-1) == 0);
    CHECK(vg_keymap_to_set1(SDL_NUM_SCANCODES) == 0);
    CHECK(vg_keymap_from_set1(0) == 0);
    CHECK(vg_keymap_from_set1(0x9e) == 0);  /* a release code */
    CHECK(vg_keymap_from_set1(0x12a) == 0); /* PrintScreen's fake Shift */
    CHECK(vg_keymap_from_set1(0x1000) == 0);
}

int main(void)
{
    RUN(every_pc_key_has_a_set1_code);
    RUN(every_code_maps_back_to_one_key);
    RUN(known_keys_have_their_codes);
    RUN(keys_a_pc_keyboard_lacks_have_no_code);
    return vg_test_finish();
}
