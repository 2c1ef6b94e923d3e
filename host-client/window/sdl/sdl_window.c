#include "window.h"

#include <SDL.h>
#include <stdlib.h>

#include "vg/log.h"

/* The SDL backend: an SDL2 window with an OpenGL 3.3 core context. */
struct sdl_window {
    struct vg_window base;
    SDL_Window *window;
    SDL_GLContext gl;
    bool fullscreen;
    vg_window_filter filter;
    void *filter_data;
};

static void sdl_destroy(struct vg_window *base);
static void sdl_set_fullscreen(struct vg_window *base, bool on);

static struct vg_window *sdl_create(const struct vg_window_options *opts)
{
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        vg_err("cannot open a window: %s (run it inside a desktop session: is DISPLAY or "
               "WAYLAND_DISPLAY set?)",
               SDL_GetError());
        return NULL;
    }
    struct sdl_window *w = calloc(1, sizeof(*w));
    if (!w)
        goto fail;
    w->base.ops = &vg_window_sdl_ops;
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
        sdl_set_fullscreen(&w->base, true);
    return &w->base;

fail:
    sdl_destroy(w ? &w->base : NULL);
    return NULL;
}

static void sdl_destroy(struct vg_window *base)
{
    if (!base)
        return;
    struct sdl_window *w = (struct sdl_window *)base;
    if (w->gl)
        SDL_GL_DeleteContext(w->gl);
    if (w->window)
        SDL_DestroyWindow(w->window);
    free(w);
    /* The video subsystem stays up until the process exits: closing the X display makes Mesa
     * unload its driver while the driver's globals still hold its allocations (LeakSanitizer
     * then reports them from an unnamed module), and an exiting process gains nothing. */
}

static enum vg_window_event sdl_next_event(struct vg_window *base)
{
    struct sdl_window *w = (struct sdl_window *)base;
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        int f = w->filter ? w->filter(w->filter_data, &ev) : -1;
        if (f == VG_WINDOW_EVENT_TOGGLE_FULLSCREEN) {
            sdl_set_fullscreen(base, !w->fullscreen);
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
                sdl_set_fullscreen(base, !w->fullscreen);
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

static void sdl_wait_event(struct vg_window *base, int timeout_ms)
{
    (void)base;
    SDL_WaitEventTimeout(NULL, timeout_ms);
}

static void sdl_set_filter(struct vg_window *base, vg_window_filter filter, void *data)
{
    struct sdl_window *w = (struct sdl_window *)base;
    w->filter = filter;
    w->filter_data = data;
}

static struct SDL_Window *sdl_sdl(struct vg_window *base)
{
    return ((struct sdl_window *)base)->window;
}

static void sdl_set_title(struct vg_window *base, const char *title)
{
    SDL_SetWindowTitle(((struct sdl_window *)base)->window, title);
}

static void sdl_set_fullscreen(struct vg_window *base, bool on)
{
    struct sdl_window *w = (struct sdl_window *)base;
    if (SDL_SetWindowFullscreen(w->window, on ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0) != 0) {
        vg_warn("cannot %s fullscreen: %s", on ? "enter" : "leave", SDL_GetError());
        return;
    }
    w->fullscreen = on;
}

static void sdl_drawable_size(struct vg_window *base, int *width, int *height)
{
    SDL_GL_GetDrawableSize(((struct sdl_window *)base)->window, width, height);
}

static void sdl_swap(struct vg_window *base)
{
    SDL_GL_SwapWindow(((struct sdl_window *)base)->window);
}

const struct vg_window_ops vg_window_sdl_ops = {
    .name = "sdl",
    .create = sdl_create,
    .destroy = sdl_destroy,
    .next_event = sdl_next_event,
    .wait_event = sdl_wait_event,
    .set_filter = sdl_set_filter,
    .sdl = sdl_sdl,
    .set_title = sdl_set_title,
    .set_fullscreen = sdl_set_fullscreen,
    .drawable_size = sdl_drawable_size,
    .swap = sdl_swap,
};
