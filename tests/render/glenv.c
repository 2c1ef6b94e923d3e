#include "glenv.h"

#include <stdio.h>

static bool sdl_up;

bool glenv_open(struct glenv *e, int w, int h)
{
    *e = (struct glenv){0};
    if (!sdl_up) {
        if (SDL_Init(SDL_INIT_VIDEO) != 0) {
            fprintf(stderr, "SDL_Init: %s (is DISPLAY set? run under xvfb-run)\n",
                    SDL_GetError());
            return false;
        }
        sdl_up = true;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_RED_SIZE, 8);
    SDL_GL_SetAttribute(SDL_GL_GREEN_SIZE, 8);
    SDL_GL_SetAttribute(SDL_GL_BLUE_SIZE, 8);

    e->win = SDL_CreateWindow("vgapt render test", SDL_WINDOWPOS_UNDEFINED,
                              SDL_WINDOWPOS_UNDEFINED, w, h,
                              SDL_WINDOW_OPENGL | SDL_WINDOW_HIDDEN);
    if (!e->win) {
        fprintf(stderr, "SDL_CreateWindow %dx%d: %s\n", w, h, SDL_GetError());
        return false;
    }
    e->ctx = SDL_GL_CreateContext(e->win);
    if (!e->ctx) {
        fprintf(stderr, "SDL_GL_CreateContext (3.3 core): %s\n", SDL_GetError());
        glenv_close(e);
        return false;
    }
    if (SDL_GL_MakeCurrent(e->win, e->ctx) != 0) {
        fprintf(stderr, "SDL_GL_MakeCurrent: %s\n", SDL_GetError());
        glenv_close(e);
        return false;
    }
    SDL_GL_GetDrawableSize(e->win, &e->w, &e->h);
    if (e->w != w || e->h != h) {
        fprintf(stderr, "asked for a %dx%d drawable, got %dx%d\n", w, h, e->w, e->h);
        glenv_close(e);
        return false;
    }
    return true;
}

void glenv_close(struct glenv *e)
{
    if (e->ctx) {
        SDL_GL_MakeCurrent(e->win, NULL);
        SDL_GL_DeleteContext(e->ctx);
    }
    if (e->win)
        SDL_DestroyWindow(e->win);
    *e = (struct glenv){0};
}

void glenv_quit(void)
{
    if (sdl_up)
        SDL_Quit();
    sdl_up = false;
}
