/* Inside the SPICE end-to-end test's guest: prints every key, button and motion event of the
 * guest's input devices on stdout (the serial console), one line each, for the host to check:
 *   vgapt-evdev: device N NAME       once per /dev/input/eventN
 *   vgapt-evdev: ready               all three virtio devices are there
 *   vgapt-evdev: N TYPE CODE VALUE   an event of EV_KEY, EV_REL or EV_ABS
 *   vgapt-evdev: echo LINE           a line the host wrote to the console (vgapt-bench input
 *                                    times the round trip)
 * With the argument "marks" (vgapt-bench input's audio run) it opens /dev/dsp; from the host's
 * line "audio on" it plays a quiet 440 Hz tone there, in small fragments so that little is
 * queued ahead of what it writes, and answers the host's line "mark K" by starting the next
 * fragment with a 2 ms full-scale burst:
 *   vgapt-evdev: audio RATE Hz CH ch, N x BYTES   the device's format and fragments
 *   vgapt-evdev: audio on                         the tone starts
 *   vgapt-evdev: mark K written, queued Q         the burst's write returned; Q frames of the
 *                                                 device's queue were ahead of it
 *   vgapt-evdev: audio error WHAT                 /dev/dsp failed; input goes on
 * Linked statically: the initramfs has no C library. */
#include <errno.h>
#include <linux/input.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include "guest_dsp.h"

#define MAX_DEV 16
#define ECHO_IDX (-1) /* the console's slot in fds */
#define DSP_IDX (-2)  /* /dev/dsp's */
#define WANTED 3      /* the virtio keyboard, tablet and mouse */
#define FRAG_LOG2 9   /* 512-byte fragments: 5.3 ms of 48 kHz mono s16 */
#define FRAGS 4
#define TONE 0.1 /* between marks: a level vgapt-bench counts gaps in, far under a mark */
#define MARK 0.95
#define MARK_MS 2

struct dsp {
    int fd, rate, channels, frag_bytes;
    long frames; /* written so far: the tone's phase */
    long mark;   /* asked for and not yet written; -1: none */
};

/* /dev/dsp opened for playing without blocking, its fragments set, the format taken. */
static bool dsp_open(struct dsp *d)
{
    d->mark = -1;
    d->fd = vg_dsp_open(O_WRONLY | O_NONBLOCK);
    if (d->fd < 0) {
        printf("vgapt-evdev: audio error /dev/dsp: %s\n", strerror(errno));
        return false;
    }
    vg_dsp_unmute(false);
    /* Before the format: OSS takes the fragments only before the first read, write or
     * format call. */
    int frag = (FRAGS << 16) | FRAG_LOG2;
    ioctl(d->fd, SNDCTL_DSP_SETFRAGMENT, &frag);
    audio_buf_info info;
    if (!vg_dsp_format(d->fd, &d->rate, &d->channels) ||
        ioctl(d->fd, SNDCTL_DSP_GETOSPACE, &info) < 0 || info.fragsize <= 0 ||
        info.fragsize > 65536) {
        printf("vgapt-evdev: audio error format: %s\n", strerror(errno));
        close(d->fd);
        d->fd = -1;
        return false;
    }
    d->frag_bytes = info.fragsize;
    printf("vgapt-evdev: audio %d Hz %d ch, %d x %d\n", d->rate, d->channels, info.fragstotal,
           info.fragsize);
    return true;
}

/* Fills every free fragment: the tone, or a mark's burst and then the tone. */
static void dsp_fill(struct dsp *d)
{
    short buf[32768];
    int frames = d->frag_bytes / (int)sizeof(short) / d->channels;
    audio_buf_info info;
    if (ioctl(d->fd, SNDCTL_DSP_GETOSPACE, &info) < 0)
        return;
    for (int f = 0; f < info.fragments; f++) {
        long mark = d->mark;
        int burst = mark >= 0 ? d->rate * MARK_MS / 1000 : 0, queued = 0;
        for (int i = 0; i < frames; i++) {
            double t = (double)(d->frames + i) / d->rate;
            double v = i < burst ? MARK : TONE * sin(2.0 * M_PI * 440.0 * t);
            for (int c = 0; c < d->channels; c++)
                buf[i * d->channels + c] = (short)lrint(v * 32767.0);
        }
        if (mark >= 0 && ioctl(d->fd, SNDCTL_DSP_GETODELAY, &queued) < 0)
            queued = -1;
        ssize_t w = write(d->fd, buf, (size_t)frames * (size_t)d->channels * sizeof(short));
        if (w <= 0)
            return; /* full after all: the next POLLOUT */
        d->frames += frames;
        if (mark >= 0) {
            d->mark = -1;
            printf("vgapt-evdev: mark %ld written, queued %d\n", mark,
                   queued < 0 ? -1 : queued / (int)sizeof(short) / d->channels);
        }
    }
}

int main(int argc, char **argv)
{
    struct pollfd fds[MAX_DEV + 2];
    int idx[MAX_DEV + 2], n = 0, virtio = 0;
    struct dsp dsp = {.fd = -1, .mark = -1};
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* The virtio devices show up a moment after their driver is loaded. */
    for (int tries = 0; tries < 100 && virtio < WANTED; tries++) {
        for (int i = 0; i < MAX_DEV; i++) {
            bool seen = false;
            for (int j = 0; j < n; j++)
                seen |= idx[j] == i;
            char path[64];
            snprintf(path, sizeof(path), "/dev/input/event%d", i);
            int fd = seen ? -1 : open(path, O_RDONLY);
            if (fd < 0)
                continue;
            char name[128] = "";
            ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name);
            /* Ours alone: the console's keyboard handler must not act on them (Ctrl+Alt+Del
             * would reboot the guest). */
            ioctl(fd, EVIOCGRAB, 1);
            printf("vgapt-evdev: device %d %s\n", i, name);
            virtio += strstr(name, "Virtio") != NULL;
            fds[n] = (struct pollfd){.fd = fd, .events = POLLIN};
            idx[n++] = i;
        }
        if (virtio < WANTED)
            nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
    }
    /* The console's lines come back from this process alone, not from the tty's echo too. */
    struct termios tio;
    if (tcgetattr(0, &tio) == 0) {
        tio.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(0, TCSANOW, &tio);
        fds[n] = (struct pollfd){.fd = 0, .events = POLLIN};
        idx[n++] = ECHO_IDX;
    }
    int dsp_slot = -1;
    if (argc > 1 && !strcmp(argv[1], "marks") && dsp_open(&dsp)) {
        fds[n] = (struct pollfd){.fd = dsp.fd}; /* POLLOUT from "audio on" */
        dsp_slot = n;
        idx[n++] = DSP_IDX;
    }
    printf("vgapt-evdev: ready\n");
    for (;;) {
        if (poll(fds, (nfds_t)n, -1) < 0)
            return 1;
        for (int j = 0; j < n; j++) {
            if (idx[j] == DSP_IDX) {
                if (fds[j].revents & POLLOUT)
                    dsp_fill(&dsp);
                else if (fds[j].revents)
                    fds[j].fd = -1; /* the device failed: input goes on */
                continue;
            }
            if (!(fds[j].revents & (POLLIN | POLLHUP)))
                continue;
            if (idx[j] == ECHO_IDX) {
                char line[256];
                ssize_t r = read(0, line, sizeof(line) - 1);
                if (r <= 0) {
                    fds[j].fd = -1; /* no console input: poll skips it */
                    continue;
                }
                line[r] = 0;
                line[strcspn(line, "\r\n")] = 0;
                long k;
                if (dsp_slot >= 0 && !strcmp(line, "audio on")) {
                    fds[dsp_slot].events = POLLOUT;
                    printf("vgapt-evdev: audio on\n");
                } else if (dsp_slot >= 0 && sscanf(line, "mark %ld", &k) == 1 && k >= 0) {
                    dsp.mark = k;
                } else {
                    printf("vgapt-evdev: echo %s\n", line);
                }
                continue;
            }
            struct input_event ev[32];
            ssize_t r = read(fds[j].fd, ev, sizeof(ev));
            for (ssize_t k = 0; r > 0 && k < r / (ssize_t)sizeof(ev[0]); k++)
                if (ev[k].type == EV_KEY || ev[k].type == EV_REL || ev[k].type == EV_ABS)
                    printf("vgapt-evdev: %d %u %u %d\n", idx[j], ev[k].type, ev[k].code,
                           ev[k].value);
        }
    }
}
