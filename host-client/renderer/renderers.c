/* The renderer backends built in, best first: the client takes the first (one today). */
#include <stddef.h>

#include "renderer.h"

const struct vg_renderer_ops *const vg_renderers[] = {
    &vg_renderer_gl,
    NULL,
};
