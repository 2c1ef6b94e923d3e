/* The clipboard through a SPICE session's main channel and the guest's agent: UTF-8 text of the
 * CLIPBOARD selection, by demand (a grab announces text, the data goes when the other side
 * requests it). Context: the spice-glib loop thread (spice_input.c), every call. */
#pragma once

#include <spice-client.h>

struct vg_clipboard;
struct vg_spice_clip;

/* Takes the main channel's clipboard and agent signals. main: borrowed, it must outlive the
 * object; cb: borrowed (clipboard.h), it must too. NULL when out of memory. */
struct vg_spice_clip *vg_spice_clip_create(SpiceMainChannel *main, struct vg_clipboard *cb,
                                           const char *where);
/* Drops the signal handlers. Accepts NULL. */
void vg_spice_clip_destroy(struct vg_spice_clip *c);
/* The host's clipboard changed (vg_clipboard_set_host said so): tell the guest's agent. */
void vg_spice_clip_host_changed(struct vg_spice_clip *c);
