#include "glenv.h"

#include <stdio.h>

bool glenv_open(struct glenv *e, int w, int h)
{
    *e = (struct glenv){0};
    struct vg_window_options wo = {.title = "vgapt render test", .width = w, .height = h,
                                   .hidden = true};
    e->win = vg_window_create(&wo);
    if (!e->win)
        return false;
    vg_window_drawable_size(e->win, &e->w, &e->h);
    if (e->w != w || e->h != h) {
        fprintf(stderr, "asked for a %dx%d drawable, got %dx%d\n", w, h, e->w, e->h);
        glenv_close(e);
        return false;
    }
    return true;
}

void glenv_close(struct glenv *e)
{
    vg_window_destroy(e->win);
    *e = (struct glenv){0};
}
