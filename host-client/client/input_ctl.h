/* The client's keyboard and mouse: SDL events from the window to the input backend (--spice),
 * through the key map and the mouse state machine (input/), with the escape key and its
 * combinations for the client's own actions. Context: the main thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "frame.h"

struct vg_input_ctl;
struct vg_pcm_queue;
struct vg_window;
union SDL_Event;

/* Whether name is a key SDL knows (SDL_GetScancodeFromName); false with a message in err. */
bool vg_input_ctl_check_key(const char *name, char *err, size_t err_size);

/* cfg and w borrowed for the controller's life. Starts connecting when cfg->spice names a
 * server and cfg->input is on; without one it still handles the escape key's combinations.
 * NULL on error (logged). */
struct vg_input_ctl *vg_input_ctl_create(const struct vg_client_config *cfg, struct vg_window *w);
/* Releases what the guest holds, disconnects. Accepts NULL. */
void vg_input_ctl_destroy(struct vg_input_ctl *c);

/* The guest's audio through the same SPICE session (input.h set_audio): q borrowed, it must
 * outlive the controller; kept across reconnections. false when the controller has no session
 * (no --spice, --no-input, or a backend without audio): the caller makes one of its own. */
bool vg_input_ctl_set_audio(struct vg_input_ctl *c, struct vg_pcm_queue *q);

/* The frame on screen (borrowed for the call; NULL: none): absolute positions map through it. */
void vg_input_ctl_set_frame(struct vg_input_ctl *c, const struct vg_frame_info *info);

/* Whether the renderer draws the guest's cursor now (visible, on a frame shown): over the
 * window the host's cursor is hidden while absolute positions go to the guest and it draws
 * one (vg_mouse_hide_host_cursor), shown otherwise. */
void vg_input_ctl_set_guest_cursor(struct vg_input_ctl *c, bool visible);

/* Follows the backend's state and mouse mode; true when the overlay line changed. */
bool vg_input_ctl_poll(struct vg_input_ctl *c);
/* The overlay's line about keyboard and mouse (borrowed until the next poll); NULL if none. */
const char *vg_input_ctl_line(const struct vg_input_ctl *c);
/* The window's line about the microphone (the prompt, "recording", refused: shown whether or
 * not the overlay is), borrowed until the next call; NULL while the guest does not record. */
const char *vg_input_ctl_mic_line(struct vg_input_ctl *c);

/* The window's event filter (vg_window_filter); data is the controller. */
int vg_input_ctl_filter(void *data, const union SDL_Event *ev);
