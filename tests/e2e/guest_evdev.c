/* Inside the SPICE end-to-end test's guest: prints every key, button and motion event of the
 * guest's input devices on stdout (the serial console), one line each, for the host to check:
 *   vgapt-evdev: device N NAME       once per /dev/input/eventN
 *   vgapt-evdev: ready               all three virtio devices are there
 *   vgapt-evdev: N TYPE CODE VALUE   an event of EV_KEY, EV_REL or EV_ABS
 *   vgapt-evdev: echo LINE           a line the host wrote to the console (vgapt-bench input
 *                                    times the round trip)
 * Linked statically: the initramfs has no C library. */
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEV 16
#define ECHO_IDX (-1) /* the console's slot in fds */
#define WANTED 3      /* the virtio keyboard, tablet and mouse */

int main(void)
{
    struct pollfd fds[MAX_DEV + 1];
    int idx[MAX_DEV + 1], n = 0, virtio = 0;
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
    printf("vgapt-evdev: ready\n");
    for (;;) {
        if (poll(fds, (nfds_t)n, -1) < 0)
            return 1;
        for (int j = 0; j < n; j++) {
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
                printf("vgapt-evdev: echo %s\n", line);
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
