/* Keys: SDL scancodes (the physical key, whatever the host's layout) to PC XT set-1 scancodes,
 * the codes a SPICE server's keyboard takes. Pure. */
#pragma once

#include <stdint.h>

/* The set-1 code of an SDL scancode (SDL_Scancode's value): 0x01-0x7f for a plain key,
 * 0x100 | code for an E0-prefixed one; 0 when a PC keyboard has no such key. Keys that SDL
 * names twice (SDL_SCANCODE_AUDIOMUTE and SDL_SCANCODE_MUTE, ...) give the same code. */
uint32_t vg_keymap_to_set1(int sdl_scancode);

/* The SDL scancode whose code set1 is (the one canonical name when SDL has two); 0
 * (SDL_SCANCODE_UNKNOWN) when none. */
int vg_keymap_from_set1(uint32_t set1);

/* One past the largest SDL scancode the map knows (for tests that walk it). */
int vg_keymap_sdl_limit(void);
