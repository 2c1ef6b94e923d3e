/* The guest helpers' /dev/dsp (the kernel's OSS emulation over the HDA device, which needs no
 * ALSA library): opening it once its node is there, the mixer at full, 48 kHz mono s16 asked
 * for. Header-only: each helper is one static program of its own. */
#pragma once

#include <stdbool.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/soundcard.h>
#include <time.h>
#include <unistd.h>

/* /dev/dsp with open(2)'s flags; snd-pcm-oss's node shows up a moment after the module is
 * loaded, so this tries for 10 s. -1 (errno set) if it never opens. */
static inline int vg_dsp_open(int flags)
{
    for (int tries = 0; tries < 200; tries++) {
        int fd = open("/dev/dsp", flags);
        if (fd >= 0)
            return fd;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* The mixer starts wherever the codec left it: playback (and with capture, the recording
 * source, gain and level) at full. Best effort. */
static inline void vg_dsp_unmute(bool capture)
{
    int fd = open("/dev/mixer", O_RDWR);
    if (fd < 0)
        return;
    int full = 100 | (100 << 8), src = SOUND_MASK_MIC | SOUND_MASK_LINE;
    if (capture) {
        ioctl(fd, SOUND_MIXER_WRITE_RECSRC, &src);
        ioctl(fd, SOUND_MIXER_WRITE_MIC, &full);
        ioctl(fd, SOUND_MIXER_WRITE_LINE, &full);
        ioctl(fd, SOUND_MIXER_WRITE_IGAIN, &full);
        ioctl(fd, SOUND_MIXER_WRITE_RECLEV, &full);
    } else {
        ioctl(fd, SOUND_MIXER_WRITE_VOLUME, &full);
        ioctl(fd, SOUND_MIXER_WRITE_PCM, &full);
    }
    close(fd);
}

/* Asks for s16 mono at 48 kHz; *rate and *channels get what the device took. False when it
 * refused s16 or gave a rate or channel count no helper can use. */
static inline bool vg_dsp_format(int fd, int *rate, int *channels)
{
    int fmt = AFMT_S16_LE;
    *channels = 1;
    *rate = 48000;
    return ioctl(fd, SNDCTL_DSP_SETFMT, &fmt) == 0 && fmt == AFMT_S16_LE &&
           ioctl(fd, SNDCTL_DSP_CHANNELS, channels) == 0 &&
           ioctl(fd, SNDCTL_DSP_SPEED, rate) == 0 && *rate > 0 && *channels >= 1 && *channels <= 8;
}
