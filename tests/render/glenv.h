/* A real SDL2 window with a current OpenGL 3.3 core context, for renderer tests (run under
 * Xvfb with Mesa). */
#pragma once

#include <stdbool.h>

#include <SDL.h>

struct glenv {
    SDL_Window *win;
    SDL_GLContext ctx;
    int w, h; /* drawable size in pixels */
};

/* Opens a hidden w x h window and makes its context current. False (printed) on failure. */
bool glenv_open(struct glenv *e, int w, int h);
/* Destroys the context and window; accepts an env that failed to open. */
void glenv_close(struct glenv *e);
/* Shuts SDL down at the end of the test. */
void glenv_quit(void);
