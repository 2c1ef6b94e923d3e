/* Test helpers for the client: read what the client showed (its PPM screenshot, an xwd
 * photograph of the X screen) and run the programs with their output in files. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct image {
    int w, h;
    uint8_t *rgb;      /* w * h * 3, top-down */
    char comment[256]; /* the PPM comment line, if any */
};

bool image_read_ppm(struct image *img, const char *path);
/* Reads an xwd dump (xwd -root) of a 24/32-bit TrueColor screen. */
bool image_read_xwd(struct image *img, const char *path);
void image_free(struct image *img);
const uint8_t *image_px(const struct image *img, int x, int y);
/* Finds the top-left-most pixel of exactly this colour; false if none. */
bool image_find(const struct image *img, const uint8_t rgb[3], int *x, int *y);
/* True when every component differs by at most tol. */
bool rgb_near(const uint8_t *a, const uint8_t *b, int tol);

/* Spawns argv with stdout+stderr appended to log (a file path). */
pid_t spawn_logged(char *const argv[], const char *log);
/* Waits until the file contains needle (after skipping the first `from` bytes), up to
 * timeout_ms; returns the offset just past the match, or -1. */
long wait_for_text(const char *path, const char *needle, long from, int timeout_ms);
/* Runs argv to completion (timeout_ms) with output in log; returns its exit status or -1. */
int run_logged(char *const argv[], const char *log, int timeout_ms);

/* Photographs the X screen as a user sees it (xwd -root into dir/screen.xwd) after letting
 * the client present for 300 ms. Checks (CHECK) that it worked; false if not. */
bool image_photograph(struct image *img, const char *dir);

/* Finds the test pattern (pattern.h) by its red top-left marker and checks samples of its
 * frame 0 at w x h against the screen, outside the cursor (CHECK). */
void image_check_pattern(const struct image *img, uint32_t w, uint32_t h);

/* What the client showed: its --screenshot with the comment line's figures. */
struct shown {
    struct image img;
    unsigned long long serial, partial;
    int cx, cy, cvis; /* cursor hotspot and visibility */
    char log[600];    /* guest and client output */
};

/* Runs `guest subcommand --shm SHM gargs...` and the client on the same file until the client
 * saves a screenshot of a frame with serial >= serial (cargs appended to its arguments). shm:
 * [optional] an existing file; else dir/name.shm. Checks (CHECK) and prints the log when the
 * client fails; false then. */
bool show_client(const char *client, const char *guest, const char *subcommand, const char *dir,
                 const char *name, const char *shm, char *const gargs[], char *const cargs[],
                 int serial, struct shown *s);
