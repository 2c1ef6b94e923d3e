#include "window.h"

#include <SDL.h>
#include <stdlib.h>

#include "vg/log.h"

struct vg_window {
    SDL_Window *window;
    SDL_GLContext gl;
    bool fullscreen;
    vg_window_filter filter;
    void *filter_data;
};

struct vg_window *vg_window_create(const struct vg_window_options *opts)
{
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        vg_err("cannot open a window: %s (run it inside a desktop session: is DISPLAY or "
               "WAYLAND_DISPLAY set?)",
               SDL_GetError());
        return NULL;
    }
    struct vg_window *w = calloc(1, sizeof(*w));
    if (!w)
        goto fail;
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_RED_SIZE, 8);
    SDL_GL_SetAttribute(SDL_GL_GREEN_SIZE, 8);
    SDL_GL_SetAttribute(SDL_GL_BLUE_SIZE, 8);
    /* The guest's desktop is not a game: let the compositor keep running. */
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");

    Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    flags |= opts->hidden ? SDL_WINDOW_HIDDEN : SDL_WINDOW_SHOWN;
    w->window = SDL_CreateWindow(opts->title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                 opts->width, opts->height, flags);
    if (!w->window) {
        vg_err("cannot create a window: %s", SDL_GetError());
        goto fail;
    }
    w->gl = SDL_GL_CreateContext(w->window);
    if (!w->gl) {
        vg_err("cannot create an OpenGL 3.3 core context: %s (check the GL driver: "
               "glxinfo -B)",
               SDL_GetError());
        goto fail;
    }
    /* Without vsync support (Xvfb, some remote displays) frames are simply never held back. */
    if (SDL_GL_SetSwapInterval(opts->vsync ? 1 : 0) != 0)
        vg_log(opts->vsync ? VG_LOG_WARN : VG_LOG_DEBUG, "cannot turn vsync %s: %s",
               opts->vsync ? "on" : "off", SDL_GetError());
    if (opts->fullscreen)
        vg_window_set_fullscreen(w, true);
    return w;

fail:
    vg_window_destroy(w);
    return NULL;
}

void vg_window_destroy(struct vg_window *w)
{
    if (!w)
        return;
    if (w->gl)
        SDL_GL_DeleteContext(w->gl);
    if (w->window)
        SDL_DestroyWindow(w->window);
    free(w);
    /* The video subsystem stays up until the process exits: closing the X display makes Mesa
     * unload its driver while the driver's globals still hold its allocations (LeakSanitizer
     * then reports them from an unnamed module), and an exiting process gains nothing. */
}

enum vg_window_event vg_window_next_event(struct vg_window *w)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        int f = w->filter ? w->filter(w->filter_data, &ev) : -1;
        if (f == VG_WINDOW_EVENT_TOGGLE_FULLSCREEN) {
            vg_window_set_fullscreen(w, !w->fullscreen);
            return VG_WINDOW_EVENT_REDRAW;
        }
        if (f > VG_WINDOW_EVENT_NONE)
            return (enum vg_window_event)f;
        if (f == VG_WINDOW_EVENT_NONE)
            continue;
        switch (ev.type) {
        case SDL_QUIT:
            return VG_WINDOW_EVENT_QUIT;
        case SDL_WINDOWEVENT:
            if (ev.window.event == SDL_WINDOWEVENT_CLOSE)
                return VG_WINDOW_EVENT_QUIT;
            return VG_WINDOW_EVENT_REDRAW;
        case SDL_KEYDOWN:
            if (ev.key.repeat)
                break;
            if (ev.key.keysym.sym == SDLK_F11) {
                vg_window_set_fullscreen(w, !w->fullscreen);
                return VG_WINDOW_EVENT_REDRAW;
            }
            if (ev.key.keysym.sym == SDLK_F12)
                return VG_WINDOW_EVENT_TOGGLE_OVERLAY;
            break;
        default:
            break;
        }
    }
    return VG_WINDOW_EVENT_NONE;
}

void vg_window_wait_event(struct vg_window *w, int timeout_ms)
{
    (void)w;
    SDL_WaitEventTimeout(NULL, timeout_ms);
}

void vg_window_set_filter(struct vg_window *w, vg_window_filter filter, void *data)
{
    w->filter = filter;
    w->filter_data = data;
}

struct SDL_Window *vg_window_sdl(struct vg_window *w)
{
    return w->window;
}

void vg_window_set_title(struct vg_window *w, const char *title)
{
    SDL_SetWindowTitle(w->window, title);
}

void vg_window_set_fullscreen(struct vg_window *w, bool on)
{
    if (SDL_SetWindowFullscreen(w->window, on ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0) != 0) {
        vg_warn("cannot %s fullscreen: %s", on ? "enter" : "leave", SDL_GetError());
        return;
    }
    w->fullscreen = on;
}

void vg_window_drawable_size(struct vg_window *w, int *width, int *height)
{
    SDL_GL_GetDrawableSize(w->window, width, height);
}

void vg_window_swap(struct vg_window *w)
{
    SDL_GL_SwapWindow(w->window);
}
