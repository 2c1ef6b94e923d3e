#include <stddef.h>

#include "audio_source.h"

const struct vg_audio_source_ops *const vg_audio_sources[] = {
    &vg_audio_source_scream,
    NULL,
};
