/* Inside the SPICE microphone end-to-end test's guest: records argv[1] seconds (default 2) of
 * 48 kHz mono 16-bit from the HDA device through the kernel's OSS emulation (/dev/dsp), which
 * QEMU's -audiodev spice feeds from the SPICE record channel, and says on stdout (the serial
 * console) what it heard:
 *   vgapt-mic: recording RATE Hz CH ch      the device took the format
 *   vgapt-mic: heard FREQ Hz rms RMS peak PEAK    FREQ from zero crossings, RMS and PEAK of
 *                                           full scale 1, over the second half
 *   vgapt-mic: error WHAT                   it could not
 * Linked statically: the initramfs has no C library. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_dsp.h"

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (!(seconds > 0.1 && seconds < 600))
        seconds = 2.0;
    vg_dsp_unmute(true);
    int fd = vg_dsp_open(O_RDONLY);
    if (fd < 0) {
        printf("vgapt-mic: error /dev/dsp: %s\n", strerror(errno));
        return 1;
    }
    int channels, rate;
    if (!vg_dsp_format(fd, &rate, &channels)) {
        printf("vgapt-mic: error format: %s (%d ch, %d Hz)\n", strerror(errno), channels, rate);
        return 1;
    }
    printf("vgapt-mic: recording %d Hz %d ch\n", rate, channels);
    size_t frames = (size_t)(seconds * rate), got = 0;
    short *x = calloc(frames * (size_t)channels, sizeof(short));
    if (!x) {
        printf("vgapt-mic: error out of memory\n");
        return 1;
    }
    size_t want = frames * (size_t)channels * sizeof(short), have = 0;
    while (have < want) {
        ssize_t r = read(fd, (char *)x + have, want - have);
        if (r <= 0) {
            printf("vgapt-mic: error read: %s\n", r < 0 ? strerror(errno) : "end of file");
            return 1;
        }
        have += (size_t)r;
    }
    close(fd);
    got = frames;
    /* The second half: the stream has settled. First channel only. */
    size_t from = got / 2, crossings = 0;
    double sum = 0, peak = 0;
    for (size_t i = from; i < got; i++) {
        double v = x[i * (size_t)channels] / 32768.0;
        sum += v * v;
        if (fabs(v) > peak)
            peak = fabs(v);
        if (i > from && (x[(i - 1) * (size_t)channels] < 0) != (x[i * (size_t)channels] < 0))
            crossings++;
    }
    size_t n = got - from;
    double freq = n ? (double)crossings * rate / (2.0 * (double)n) : 0;
    printf("vgapt-mic: heard %.0f Hz rms %.4f peak %.4f\n", freq, n ? sqrt(sum / (double)n) : 0.0,
           peak);
    free(x);
    return 0;
}
