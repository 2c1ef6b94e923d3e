/* Inside the SPICE audio end-to-end test's guest: plays a 440 Hz sine, half of full scale,
 * into the HDA device through the kernel's OSS emulation (/dev/dsp), for argv[1] seconds
 * (default 60). Says on stdout (the serial console):
 *   vgapt-tone: playing RATE Hz CH ch     the device took the format and the tone starts
 *   vgapt-tone: error WHAT                 it could not
 * Linked statically: the initramfs has no C library. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/soundcard.h>
#include <time.h>
#include <unistd.h>

#define FREQ 440.0
#define AMPLITUDE 0.5

static int open_dsp(void)
{
    /* snd-pcm-oss's device node shows up a moment after the module is loaded. */
    for (int tries = 0; tries < 200; tries++) {
        int fd = open("/dev/dsp", O_WRONLY);
        if (fd >= 0)
            return fd;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* The mixer starts wherever the codec left it: full volume, best effort. */
static void unmute(void)
{
    int fd = open("/dev/mixer", O_RDWR);
    if (fd < 0)
        return;
    int full = 100 | (100 << 8);
    ioctl(fd, SOUND_MIXER_WRITE_VOLUME, &full);
    ioctl(fd, SOUND_MIXER_WRITE_PCM, &full);
    close(fd);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    double seconds = argc > 1 ? atof(argv[1]) : 60.0;
    int fd = open_dsp();
    if (fd < 0) {
        printf("vgapt-tone: error /dev/dsp: %s\n", strerror(errno));
        return 1;
    }
    unmute();
    int fmt = AFMT_S16_LE, channels = 1, rate = 48000;
    if (ioctl(fd, SNDCTL_DSP_SETFMT, &fmt) < 0 || fmt != AFMT_S16_LE ||
        ioctl(fd, SNDCTL_DSP_CHANNELS, &channels) < 0 || ioctl(fd, SNDCTL_DSP_SPEED, &rate) < 0 ||
        rate <= 0 || channels < 1 || channels > 8) {
        printf("vgapt-tone: error format: %s (fmt %d, %d ch, %d Hz)\n", strerror(errno), fmt,
               channels, rate);
        return 1;
    }
    printf("vgapt-tone: playing %d Hz %d ch\n", rate, channels);
    enum { FRAMES = 480 };
    short buf[FRAMES * 8];
    long total = (long)(seconds * rate), n = 0;
    while (n < total) {
        for (int i = 0; i < FRAMES; i++) {
            short v = (short)lrint(AMPLITUDE * 32767.0 *
                                   sin(2.0 * M_PI * FREQ * (double)(n + i) / (double)rate));
            for (int c = 0; c < channels; c++)
                buf[i * channels + c] = v;
        }
        size_t bytes = (size_t)FRAMES * (size_t)channels * sizeof(short);
        if (write(fd, buf, bytes) != (ssize_t)bytes) {
            printf("vgapt-tone: error write: %s\n", strerror(errno));
            return 1;
        }
        n += FRAMES;
    }
    close(fd);
    printf("vgapt-tone: done\n");
    return 0;
}
