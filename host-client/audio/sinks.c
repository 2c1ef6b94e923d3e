#include <stddef.h>

#include "audio_sink.h"

const struct vg_audio_sink_ops *const vg_audio_sinks[] = {
#ifdef VG_HAVE_AUDIO_PIPEWIRE
    &vg_audio_sink_pipewire,
#endif
    NULL,
};
