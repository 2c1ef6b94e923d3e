#include "keymap.h"

#include <SDL_scancode.h>

/* Codes from the set-1 (XT) make codes of a PC/AT 104/105-key keyboard, its Japanese, Korean
 * and Brazilian keys, F13-F24 and the E0-prefixed media and ACPI keys. The release code is the
 * make code with bit 7 set, which the server adds itself. */
static const uint16_t to_set1[SDL_NUM_SCANCODES] = {
    [SDL_SCANCODE_ESCAPE] = 0x01,
    [SDL_SCANCODE_1] = 0x02,
    [SDL_SCANCODE_2] = 0x03,
    [SDL_SCANCODE_3] = 0x04,
    [SDL_SCANCODE_4] = 0x05,
    [SDL_SCANCODE_5] = 0x06,
    [SDL_SCANCODE_6] = 0x07,
    [SDL_SCANCODE_7] = 0x08,
    [SDL_SCANCODE_8] = 0x09,
    [SDL_SCANCODE_9] = 0x0a,
    [SDL_SCANCODE_0] = 0x0b,
    [SDL_SCANCODE_MINUS] = 0x0c,
    [SDL_SCANCODE_EQUALS] = 0x0d,
    [SDL_SCANCODE_BACKSPACE] = 0x0e,
    [SDL_SCANCODE_TAB] = 0x0f,
    [SDL_SCANCODE_Q] = 0x10,
    [SDL_SCANCODE_W] = 0x11,
    [SDL_SCANCODE_E] = 0x12,
    [SDL_SCANCODE_R] = 0x13,
    [SDL_SCANCODE_T] = 0x14,
    [SDL_SCANCODE_Y] = 0x15,
    [SDL_SCANCODE_U] = 0x16,
    [SDL_SCANCODE_I] = 0x17,
    [SDL_SCANCODE_O] = 0x18,
    [SDL_SCANCODE_P] = 0x19,
    [SDL_SCANCODE_LEFTBRACKET] = 0x1a,
    [SDL_SCANCODE_RIGHTBRACKET] = 0x1b,
    [SDL_SCANCODE_RETURN] = 0x1c,
    [SDL_SCANCODE_LCTRL] = 0x1d,
    [SDL_SCANCODE_A] = 0x1e,
    [SDL_SCANCODE_S] = 0x1f,
    [SDL_SCANCODE_D] = 0x20,
    [SDL_SCANCODE_F] = 0x21,
    [SDL_SCANCODE_G] = 0x22,
    [SDL_SCANCODE_H] = 0x23,
    [SDL_SCANCODE_J] = 0x24,
    [SDL_SCANCODE_K] = 0x25,
    [SDL_SCANCODE_L] = 0x26,
    [SDL_SCANCODE_SEMICOLON] = 0x27,
    [SDL_SCANCODE_APOSTROPHE] = 0x28,
    [SDL_SCANCODE_GRAVE] = 0x29,
    [SDL_SCANCODE_LSHIFT] = 0x2a,
    [SDL_SCANCODE_BACKSLASH] = 0x2b,
    [SDL_SCANCODE_Z] = 0x2c,
    [SDL_SCANCODE_X] = 0x2d,
    [SDL_SCANCODE_C] = 0x2e,
    [SDL_SCANCODE_V] = 0x2f,
    [SDL_SCANCODE_B] = 0x30,
    [SDL_SCANCODE_N] = 0x31,
    [SDL_SCANCODE_M] = 0x32,
    [SDL_SCANCODE_COMMA] = 0x33,
    [SDL_SCANCODE_PERIOD] = 0x34,
    [SDL_SCANCODE_SLASH] = 0x35,
    [SDL_SCANCODE_RSHIFT] = 0x36,
    [SDL_SCANCODE_KP_MULTIPLY] = 0x37,
    [SDL_SCANCODE_LALT] = 0x38,
    [SDL_SCANCODE_SPACE] = 0x39,
    [SDL_SCANCODE_CAPSLOCK] = 0x3a,
    [SDL_SCANCODE_F1] = 0x3b,
    [SDL_SCANCODE_F2] = 0x3c,
    [SDL_SCANCODE_F3] = 0x3d,
    [SDL_SCANCODE_F4] = 0x3e,
    [SDL_SCANCODE_F5] = 0x3f,
    [SDL_SCANCODE_F6] = 0x40,
    [SDL_SCANCODE_F7] = 0x41,
    [SDL_SCANCODE_F8] = 0x42,
    [SDL_SCANCODE_F9] = 0x43,
    [SDL_SCANCODE_F10] = 0x44,
    [SDL_SCANCODE_NUMLOCKCLEAR] = 0x45,
    [SDL_SCANCODE_SCROLLLOCK] = 0x46,
    [SDL_SCANCODE_KP_7] = 0x47,
    [SDL_SCANCODE_KP_8] = 0x48,
    [SDL_SCANCODE_KP_9] = 0x49,
    [SDL_SCANCODE_KP_MINUS] = 0x4a,
    [SDL_SCANCODE_KP_4] = 0x4b,
    [SDL_SCANCODE_KP_5] = 0x4c,
    [SDL_SCANCODE_KP_6] = 0x4d,
    [SDL_SCANCODE_KP_PLUS] = 0x4e,
    [SDL_SCANCODE_KP_1] = 0x4f,
    [SDL_SCANCODE_KP_2] = 0x50,
    [SDL_SCANCODE_KP_3] = 0x51,
    [SDL_SCANCODE_KP_0] = 0x52,
    [SDL_SCANCODE_KP_PERIOD] = 0x53,
    /* Alt+PrintScreen: the keyboard itself sends 0x54 then. */
    [SDL_SCANCODE_SYSREQ] = 0x54,
    /* The ISO key between left Shift and Z. */
    [SDL_SCANCODE_NONUSBACKSLASH] = 0x56,
    [SDL_SCANCODE_F11] = 0x57,
    [SDL_SCANCODE_F12] = 0x58,
    [SDL_SCANCODE_KP_EQUALS] = 0x59,
    [SDL_SCANCODE_F13] = 0x64,
    [SDL_SCANCODE_F14] = 0x65,
    [SDL_SCANCODE_F15] = 0x66,
    [SDL_SCANCODE_F16] = 0x67,
    [SDL_SCANCODE_F17] = 0x68,
    [SDL_SCANCODE_F18] = 0x69,
    [SDL_SCANCODE_F19] = 0x6a,
    [SDL_SCANCODE_F20] = 0x6b,
    [SDL_SCANCODE_F21] = 0x6c,
    [SDL_SCANCODE_F22] = 0x6d,
    [SDL_SCANCODE_F23] = 0x6e,
    [SDL_SCANCODE_INTERNATIONAL2] = 0x70, /* Katakana/Hiragana */
    [SDL_SCANCODE_LANG2] = 0x71,          /* Hanja */
    [SDL_SCANCODE_LANG1] = 0x72,          /* Hangul/English */
    [SDL_SCANCODE_INTERNATIONAL1] = 0x73, /* Ro (JIS backslash) */
    [SDL_SCANCODE_F24] = 0x76,
    [SDL_SCANCODE_INTERNATIONAL4] = 0x79, /* Henkan */
    [SDL_SCANCODE_INTERNATIONAL5] = 0x7b, /* Muhenkan */
    [SDL_SCANCODE_INTERNATIONAL3] = 0x7d, /* Yen */
    [SDL_SCANCODE_KP_COMMA] = 0x7e,       /* Brazilian keypad . */
    /* E0-prefixed. */
    [SDL_SCANCODE_AUDIOPREV] = 0x110,
    [SDL_SCANCODE_AUDIONEXT] = 0x119,
    [SDL_SCANCODE_KP_ENTER] = 0x11c,
    [SDL_SCANCODE_RCTRL] = 0x11d,
    [SDL_SCANCODE_MUTE] = 0x120,
    [SDL_SCANCODE_CALCULATOR] = 0x121,
    [SDL_SCANCODE_AUDIOPLAY] = 0x122,
    [SDL_SCANCODE_AUDIOSTOP] = 0x124,
    [SDL_SCANCODE_VOLUMEDOWN] = 0x12e,
    [SDL_SCANCODE_VOLUMEUP] = 0x130,
    [SDL_SCANCODE_AC_HOME] = 0x132,
    [SDL_SCANCODE_KP_DIVIDE] = 0x135,
    /* PrintScreen sends E0 2A E0 37 (a fake Shift first); E0 37 is the key. */
    [SDL_SCANCODE_PRINTSCREEN] = 0x137,
    [SDL_SCANCODE_RALT] = 0x138,
    /* Pause sends E1 1D 45 E1 9D C5 at once and no release; E0 46 (its Ctrl+Break form) is
     * what a scancode with a press and a release can carry, and QEMU and Windows read it as
     * the Pause/Break key. */
    [SDL_SCANCODE_PAUSE] = 0x146,
    [SDL_SCANCODE_HOME] = 0x147,
    [SDL_SCANCODE_UP] = 0x148,
    [SDL_SCANCODE_PAGEUP] = 0x149,
    [SDL_SCANCODE_LEFT] = 0x14b,
    [SDL_SCANCODE_RIGHT] = 0x14d,
    [SDL_SCANCODE_END] = 0x14f,
    [SDL_SCANCODE_DOWN] = 0x150,
    [SDL_SCANCODE_PAGEDOWN] = 0x151,
    [SDL_SCANCODE_INSERT] = 0x152,
    [SDL_SCANCODE_DELETE] = 0x153,
    [SDL_SCANCODE_LGUI] = 0x15b,
    [SDL_SCANCODE_RGUI] = 0x15c,
    [SDL_SCANCODE_APPLICATION] = 0x15d, /* the Menu key */
    [SDL_SCANCODE_POWER] = 0x15e,
    [SDL_SCANCODE_SLEEP] = 0x15f,
    [SDL_SCANCODE_AC_SEARCH] = 0x165,
    [SDL_SCANCODE_AC_BOOKMARKS] = 0x166,
    [SDL_SCANCODE_AC_REFRESH] = 0x167,
    [SDL_SCANCODE_AC_STOP] = 0x168,
    [SDL_SCANCODE_AC_FORWARD] = 0x169,
    [SDL_SCANCODE_AC_BACK] = 0x16a,
    [SDL_SCANCODE_COMPUTER] = 0x16b,
    [SDL_SCANCODE_MAIL] = 0x16c,
    [SDL_SCANCODE_MEDIASELECT] = 0x16d,
};

/* SDL names some keys twice, depending on the platform's source of the key: the second name
 * maps to the first's code. */
static const struct {
    SDL_Scancode alias, canonical;
} aliases[] = {
    {SDL_SCANCODE_AUDIOMUTE, SDL_SCANCODE_MUTE},
    {SDL_SCANCODE_NONUSHASH, SDL_SCANCODE_BACKSLASH}, /* the ISO key left of Enter */
    {SDL_SCANCODE_WWW, SDL_SCANCODE_AC_HOME},
};

uint32_t vg_keymap_to_set1(int sdl_scancode)
{
    if (sdl_scancode <= 0 || sdl_scancode >= SDL_NUM_SCANCODES)
        return 0;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if ((int)aliases[i].alias == sdl_scancode)
            return to_set1[aliases[i].canonical];
    return to_set1[sdl_scancode];
}

int vg_keymap_from_set1(uint32_t set1)
{
    if (set1 == 0)
        return SDL_SCANCODE_UNKNOWN;
    for (int s = 1; s < SDL_NUM_SCANCODES; s++)
        if (to_set1[s] == set1)
            return s;
    return SDL_SCANCODE_UNKNOWN;
}

int vg_keymap_sdl_limit(void)
{
    return SDL_NUM_SCANCODES;
}
