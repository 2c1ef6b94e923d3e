/* The window that presents the renderer's output, with its GL context current: an interface
 * whose backends live in window/<name>/ (window/sdl: SDL2 with an OpenGL 3.3 core context). The
 * vg_window_* functions dispatch to the backend the window was made by. Events reach filters
 * as SDL events, so a backend that is not SDL has none to give (sdl() NULL).
 * Context: main thread (SDL's video thread). */
#pragma once

#include <stdbool.h>

struct vg_window;

struct vg_window_options {
    const char *title;
    int width, height;  /* initial client area */
    bool fullscreen;
    bool vsync;
    bool hidden;        /* no visible window (benchmarks) */
    const char *backend; /* [optional] a vg_windows[] name; NULL: the first that works */
};

enum vg_window_event {
    VG_WINDOW_EVENT_NONE = 0,
    VG_WINDOW_EVENT_QUIT,
    VG_WINDOW_EVENT_REDRAW,         /* resized, exposed: draw again */
    VG_WINDOW_EVENT_TOGGLE_OVERLAY, /* F12 */
    VG_WINDOW_EVENT_TOGGLE_FULLSCREEN, /* only from a filter: the window toggles it itself */
};

union SDL_Event;
struct SDL_Window;

/* Sees every SDL event before the window does (ev borrowed for the call). Returns -1 to let
 * the window handle it as usual, else the event the window acts on or returns for it
 * (VG_WINDOW_EVENT_NONE: swallowed). */
typedef int (*vg_window_filter)(void *data, const union SDL_Event *ev);

/* A window backend. Its window struct starts with struct vg_window, whose ops point back here. */
struct vg_window_ops {
    const char *name;
    struct vg_window *(*create)(const struct vg_window_options *opts);
    void (*destroy)(struct vg_window *w);
    enum vg_window_event (*next_event)(struct vg_window *w);
    void (*wait_event)(struct vg_window *w, int timeout_ms);
    void (*set_filter)(struct vg_window *w, vg_window_filter filter, void *data);
    struct SDL_Window *(*sdl)(struct vg_window *w); /* [optional] */
    void (*set_title)(struct vg_window *w, const char *title);
    void (*set_fullscreen)(struct vg_window *w, bool on);
    void (*drawable_size)(struct vg_window *w, int *width, int *height);
    void (*swap)(struct vg_window *w);
};

struct vg_window {
    const struct vg_window_ops *ops;
};

/* The backends built in, best first; NULL-terminated. */
extern const struct vg_window_ops *const vg_windows[];
extern const struct vg_window_ops vg_window_sdl_ops;

/* Creates the window and makes its GL context current. NULL on error (logged, with what to
 * check: DISPLAY / WAYLAND_DISPLAY, GL drivers). */
struct vg_window *vg_window_create(const struct vg_window_options *opts);
/* Accepts NULL. */
void vg_window_destroy(struct vg_window *w);

/* Handles window-level keys itself (F11 fullscreen) and returns what the client must act on;
 * VG_WINDOW_EVENT_NONE once the queue is empty. */
enum vg_window_event vg_window_next_event(struct vg_window *w);

/* Sleeps until a window event is queued or timeout_ms passed (the event stays queued). */
void vg_window_wait_event(struct vg_window *w, int timeout_ms);

/* filter: [optional] NULL removes it; data borrowed until it is replaced. */
void vg_window_set_filter(struct vg_window *w, vg_window_filter filter, void *data);
/* The SDL window (borrowed), for input grabs; NULL when the backend is not SDL. */
struct SDL_Window *vg_window_sdl(struct vg_window *w);

void vg_window_set_title(struct vg_window *w, const char *title);
void vg_window_set_fullscreen(struct vg_window *w, bool on);
void vg_window_drawable_size(struct vg_window *w, int *width, int *height);
void vg_window_swap(struct vg_window *w);
