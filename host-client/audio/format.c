#include "audio.h"

#include <stdio.h>

static const char *const speaker_names[] = {"FL", "FR", "FC", "LFE", "BL", "BR",
                                            "FLC", "FRC", "BC", "SL", "SR"};

uint32_t vg_audio_positions(const struct vg_audio_format *f, int out[VG_AUDIO_MAX_CHANNELS])
{
    uint32_t c = 0;
    for (int bit = 0; bit < 11 && c < f->channels && c < VG_AUDIO_MAX_CHANNELS; bit++) {
        if (f->channel_map & (1u << bit))
            out[c++] = bit;
    }
    uint32_t positioned = c;
    for (; c < VG_AUDIO_MAX_CHANNELS; c++)
        out[c] = -1;
    return positioned;
}

const char *vg_audio_format_str(const struct vg_audio_format *f, char *buf, unsigned size)
{
    int pos[VG_AUDIO_MAX_CHANNELS];
    vg_audio_positions(f, pos);
    int n = snprintf(buf, size, "%u Hz %u-bit %u ch (", f->rate, f->bits, f->channels);
    for (uint32_t c = 0; c < f->channels && c < VG_AUDIO_MAX_CHANNELS && n > 0 &&
                         (unsigned)n < size;
         c++)
        n += snprintf(buf + n, size - (unsigned)n, "%s%s", c ? " " : "",
                      pos[c] >= 0 ? speaker_names[pos[c]] : "?");
    if (n > 0 && (unsigned)n < size)
        snprintf(buf + n, size - (unsigned)n, ")");
    return buf;
}
