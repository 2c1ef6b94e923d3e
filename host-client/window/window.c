/* The window interface's entry points: the backend table and dispatch to the window's own. */
#include "window.h"

#include <stddef.h>
#include <string.h>

#include "vg/log.h"

const struct vg_window_ops *const vg_windows[] = {
    &vg_window_sdl_ops,
    NULL,
};

struct vg_window *vg_window_create(const struct vg_window_options *opts)
{
    for (size_t i = 0; vg_windows[i]; i++) {
        if (opts->backend && strcmp(opts->backend, vg_windows[i]->name) != 0)
            continue;
        struct vg_window *w = vg_windows[i]->create(opts);
        if (w || opts->backend)
            return w;
    }
    if (opts->backend)
        vg_err("no window backend '%s' in this build (it has: sdl)", opts->backend);
    return NULL;
}

void vg_window_destroy(struct vg_window *w)
{
    if (w)
        w->ops->destroy(w);
}

enum vg_window_event vg_window_next_event(struct vg_window *w)
{
    return w->ops->next_event(w);
}

void vg_window_wait_event(struct vg_window *w, int timeout_ms)
{
    w->ops->wait_event(w, timeout_ms);
}

void vg_window_set_filter(struct vg_window *w, vg_window_filter filter, void *data)
{
    w->ops->set_filter(w, filter, data);
}

struct SDL_Window *vg_window_sdl(struct vg_window *w)
{
    return w->ops->sdl ? w->ops->sdl(w) : NULL;
}

void vg_window_set_title(struct vg_window *w, const char *title)
{
    w->ops->set_title(w, title);
}

void vg_window_set_fullscreen(struct vg_window *w, bool on)
{
    w->ops->set_fullscreen(w, on);
}

void vg_window_drawable_size(struct vg_window *w, int *width, int *height)
{
    w->ops->drawable_size(w, width, height);
}

void vg_window_swap(struct vg_window *w)
{
    w->ops->swap(w);
}
