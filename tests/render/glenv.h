/* A hidden vgapt window (SDL2, OpenGL 3.3 core context current) for renderer tests, run under
 * Xvfb with Mesa. */
#pragma once

#include <stdbool.h>

#include "window.h"

struct glenv {
    struct vg_window *win;
    int w, h; /* drawable size in pixels */
};

/* Opens a hidden w x h window and makes its context current. False (printed) on failure. */
bool glenv_open(struct glenv *e, int w, int h);
/* Destroys the window; accepts an env that failed to open. */
void glenv_close(struct glenv *e);
