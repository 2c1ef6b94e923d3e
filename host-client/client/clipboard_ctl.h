/* The host's side of the clipboard (--clipboard-to-guest, --clipboard-to-host): SDL's clipboard
 * to and from the input backend's clipboard exchange (input/clipboard.h). The host's text is
 * read when SDL says the clipboard changed and when the window gains the focus (SDL 2 on X11
 * reports only the loss of its own selection, and a user copies elsewhere, then comes back).
 * Context: the main thread. */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "input.h"

struct vg_clipboard;

/* The exchange for a backend, NULL when both directions are off, the backend has no clipboard
 * (logged once at debug level) or out of memory (logged). cfg borrowed for the call. */
struct vg_clipboard *vg_client_clipboard_create(const struct vg_client_config *cfg,
                                                const struct vg_input_ops *ops);
/* Gives cb (borrowed, it must outlive in) to a backend just created, with the host's text now. */
void vg_client_clipboard_attach(struct vg_clipboard *cb, const struct vg_input_ops *ops,
                                struct vg_input *in);
/* Reads the host's clipboard; tells the backend when its text changed. in may be NULL. */
void vg_client_clipboard_host_changed(struct vg_clipboard *cb, const struct vg_input_ops *ops,
                                      struct vg_input *in);
/* Puts the guest's newest text, if any came, into the host's clipboard. */
void vg_client_clipboard_poll(struct vg_clipboard *cb);
