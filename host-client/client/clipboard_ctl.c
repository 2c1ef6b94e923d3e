#include "clipboard_ctl.h"

#include <SDL.h>
#include <stdlib.h>
#include <string.h>

#include "clipboard.h"
#include "vg/log.h"

struct vg_clipboard *vg_client_clipboard_create(const struct vg_client_config *cfg,
                                                const struct vg_input_ops *ops)
{
    if (!cfg->clipboard_to_guest && !cfg->clipboard_to_host)
        return NULL;
    if (!ops->set_clipboard || !ops->clipboard_changed) {
        vg_debug("input backend %s has no clipboard", ops->name);
        return NULL;
    }
    struct vg_clipboard *cb = vg_clipboard_create(cfg->clipboard_to_guest, cfg->clipboard_to_host);
    if (!cb)
        vg_err("clipboard: out of memory (the clipboard stays with the host)");
    return cb;
}

/* The host's text into cb; true when the guest should hear of it. */
static bool read_host(struct vg_clipboard *cb)
{
    if (!vg_clipboard_to_guest(cb))
        return false;
    char *text = SDL_HasClipboardText() ? SDL_GetClipboardText() : NULL;
    bool changed = vg_clipboard_set_host(cb, text);
    if (text && strlen(text) > VG_CLIPBOARD_MAX)
        vg_warn("the host's clipboard text (%zu bytes) is not offered to the guest: at most %zu",
                strlen(text), VG_CLIPBOARD_MAX);
    SDL_free(text);
    return changed;
}

void vg_client_clipboard_attach(struct vg_clipboard *cb, const struct vg_input_ops *ops,
                                struct vg_input *in)
{
    if (!cb || !in)
        return;
    read_host(cb);
    ops->set_clipboard(in, cb);
}

void vg_client_clipboard_host_changed(struct vg_clipboard *cb, const struct vg_input_ops *ops,
                                      struct vg_input *in)
{
    if (cb && read_host(cb) && in)
        ops->clipboard_changed(in);
}

void vg_client_clipboard_poll(struct vg_clipboard *cb)
{
    char *text = cb ? vg_clipboard_take_guest(cb) : NULL;
    if (!text)
        return;
    if (SDL_SetClipboardText(text) != 0)
        vg_warn("cannot put the guest's clipboard text into the host's: %s", SDL_GetError());
    else
        vg_debug("the guest's clipboard text (%zu bytes) is in the host's clipboard", strlen(text));
    free(text);
}
