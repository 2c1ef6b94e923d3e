#include <stddef.h>
#include <string.h>

#include "audio_source.h"

const struct vg_audio_source_ops *const vg_audio_sources[] = {
    &vg_audio_source_auto,
    &vg_audio_source_scream,
    &vg_audio_source_spice,
    NULL,
};

const struct vg_audio_source_ops *vg_audio_source_find(const char *name)
{
    for (size_t i = 0; name && vg_audio_sources[i]; i++)
        if (strcmp(vg_audio_sources[i]->name, name) == 0)
            return vg_audio_sources[i];
    return NULL;
}
