/* Inside the SPICE audio end-to-end test's guest: plays a 440 Hz sine, half of full scale,
 * into the HDA device through the kernel's OSS emulation (/dev/dsp), for argv[1] seconds
 * (default 60). Says on stdout (the serial console):
 *   vgapt-tone: playing RATE Hz CH ch     the device took the format and the tone starts
 *   vgapt-tone: error WHAT                 it could not
 * Linked statically: the initramfs has no C library. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_dsp.h"

#define FREQ 440.0
#define AMPLITUDE 0.5

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    double seconds = argc > 1 ? atof(argv[1]) : 60.0;
    int fd = vg_dsp_open(O_WRONLY);
    if (fd < 0) {
        printf("vgapt-tone: error /dev/dsp: %s\n", strerror(errno));
        return 1;
    }
    vg_dsp_unmute(false);
    int channels, rate;
    if (!vg_dsp_format(fd, &rate, &channels)) {
        printf("vgapt-tone: error format: %s (%d ch, %d Hz)\n", strerror(errno), channels, rate);
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
