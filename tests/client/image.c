#include "image.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pattern.h"
#include "testlib.h"
#include "vg/time.h"

bool image_read_ppm(struct image *img, const char *path)
{
    memset(img, 0, sizeof(*img));
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char line[512];
    int maxval = 0;
    bool ok = fgets(line, sizeof(line), f) && strncmp(line, "P6", 2) == 0;
    while (ok && fgets(line, sizeof(line), f)) {
        if (line[0] == '#') {
            memcpy(img->comment, line, sizeof(img->comment) - 1);
            continue;
        }
        ok = sscanf(line, "%d %d", &img->w, &img->h) == 2;
        break;
    }
    ok = ok && fscanf(f, "%d", &maxval) == 1 && maxval == 255 && fgetc(f) == '\n';
    ok = ok && img->w > 0 && img->h > 0 && img->w < 10000 && img->h < 10000;
    if (ok) {
        size_t n = (size_t)img->w * (size_t)img->h * 3;
        img->rgb = malloc(n);
        ok = img->rgb && fread(img->rgb, 1, n, f) == n;
    }
    fclose(f);
    if (!ok)
        image_free(img);
    return ok;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int mask_shift(uint32_t mask)
{
    int s = 0;
    while (mask && !(mask & 1)) {
        mask >>= 1;
        s++;
    }
    return s;
}

bool image_read_xwd(struct image *img, const char *path)
{
    memset(img, 0, sizeof(*img));
    size_t size;
    uint8_t *buf = (uint8_t *)vg_test_read_file(path, &size);
    if (!buf || size <= 100) {
        free(buf);
        return false;
    }
    uint32_t hdr = be32(buf), bpp = be32(buf + 44), bpl = be32(buf + 48);
    uint32_t w = be32(buf + 16), h = be32(buf + 20), order = be32(buf + 28);
    uint32_t rmask = be32(buf + 56), gmask = be32(buf + 60), bmask = be32(buf + 64);
    uint32_t ncolors = be32(buf + 76);
    size_t data = (size_t)hdr + (size_t)ncolors * 12;
    /* 32-bit pixels, or packed 24-bit ones (rows still padded to bytes_per_line). */
    uint32_t bytes = bpp / 8;
    bool ok = (bytes == 3 || bytes == 4) && w > 0 && h > 0 && w < 10000 && h < 10000 &&
              bpl >= w * bytes && data + (size_t)bpl * h <= size;
    if (ok) {
        img->w = (int)w;
        img->h = (int)h;
        img->rgb = malloc((size_t)w * h * 3);
        ok = img->rgb != NULL;
    }
    for (uint32_t y = 0; ok && y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t *p = buf + data + (size_t)y * bpl + (size_t)x * bytes;
            uint32_t v = 0;
            for (uint32_t k = 0; k < bytes; k++)
                v |= (uint32_t)p[order ? k : bytes - 1 - k] << (8 * (bytes - 1 - k));
            uint8_t *o = img->rgb + ((size_t)y * w + x) * 3;
            o[0] = (uint8_t)((v & rmask) >> mask_shift(rmask));
            o[1] = (uint8_t)((v & gmask) >> mask_shift(gmask));
            o[2] = (uint8_t)((v & bmask) >> mask_shift(bmask));
        }
    }
    free(buf);
    if (!ok)
        image_free(img);
    return ok;
}

void image_free(struct image *img)
{
    free(img->rgb);
    img->rgb = NULL;
}

const uint8_t *image_px(const struct image *img, int x, int y)
{
    return img->rgb + ((size_t)y * (size_t)img->w + (size_t)x) * 3;
}

bool image_find(const struct image *img, const uint8_t rgb[3], int *x, int *y)
{
    for (int j = 0; j < img->h; j++) {
        for (int i = 0; i < img->w; i++) {
            if (memcmp(image_px(img, i, j), rgb, 3) == 0) {
                *x = i;
                *y = j;
                return true;
            }
        }
    }
    return false;
}

bool rgb_near(const uint8_t *a, const uint8_t *b, int tol)
{
    for (int i = 0; i < 3; i++) {
        if (abs((int)a[i] - (int)b[i]) > tol)
            return false;
    }
    return true;
}

pid_t spawn_logged(char *const argv[], const char *log)
{
    return vg_test_spawn_io(argv, log, log, true);
}

long wait_for_text(const char *path, const char *needle, long from, int timeout_ms)
{
    uint64_t deadline = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    do {
        char *text = vg_test_slurp(path);
        if (text && (long)strlen(text) >= from) {
            char *hit = strstr(text + from, needle);
            if (hit) {
                long off = (long)(hit - text) + (long)strlen(needle);
                free(text);
                return off;
            }
        }
        free(text);
        vg_sleep_ns(20 * VG_NS_PER_MS);
    } while (vg_time_ns() < deadline);
    return -1;
}

int run_logged(char *const argv[], const char *log, int timeout_ms)
{
    pid_t pid = spawn_logged(argv, log);
    return pid < 0 ? -1 : vg_test_wait(pid, timeout_ms);
}

bool show_client(const char *client, const char *guest, const char *subcommand, const char *dir,
                 const char *name, const char *shm_in, char *const gargs[], char *const cargs[],
                 int serial, struct shown *s)
{
    char shm[600], shot[600], serial_s[16];
    if (shm_in)
        snprintf(shm, sizeof(shm), "%s", shm_in);
    else
        snprintf(shm, sizeof(shm), "%s/%s.shm", dir, name);
    snprintf(shot, sizeof(shot), "%s/%s.ppm", dir, name);
    snprintf(s->log, sizeof(s->log), "%s/%s.log", dir, name);
    snprintf(serial_s, sizeof(serial_s), "%d", serial);

    char *gv[32] = {(char *)guest, (char *)subcommand, "--shm", shm};
    int n = 4;
    for (int i = 0; gargs[i] && n < 31; i++)
        gv[n++] = gargs[i];
    gv[n] = NULL;
    char *cv[40] = {(char *)client,        "--shm",  shm,         "--screenshot", shot,
                    "--screenshot-serial", serial_s, "--seconds", "60",           "--no-vsync",
                    "--no-audio"};
    n = 11;
    for (int i = 0; cargs[i] && n < 39; i++)
        cv[n++] = cargs[i];
    cv[n] = NULL;

    pid_t g = spawn_logged(gv, s->log);
    int st = run_logged(cv, s->log, 90000);
    kill(g, SIGTERM);
    vg_test_wait(g, 5000);
    CHECK_MSG(st == 0, "%s: client exit %d", name, st);
    if (st != 0 || !image_read_ppm(&s->img, shot)) {
        char *text = vg_test_slurp(s->log);
        fprintf(stderr, "--- %s log ---\n%s\n", name, text ? text : "");
        free(text);
        CHECK_MSG(false, "%s: no screenshot", name);
        return false;
    }
    CHECK(sscanf(s->img.comment, "# vgapt serial=%llu partial=%llu cursor=%d,%d,%d", &s->serial,
                 &s->partial, &s->cx, &s->cy, &s->cvis) == 5);
    CHECK(s->serial >= (unsigned long long)serial);
    return true;
}

bool image_photograph(struct image *img, const char *dir)
{
    char shot[700], xlog[700];
    snprintf(shot, sizeof(shot), "%s/screen.xwd", dir);
    snprintf(xlog, sizeof(xlog), "%s/xwd.log", dir);
    char *argv[] = {"/usr/bin/xwd", "-root", "-silent", "-out", shot, NULL};
    vg_sleep_ns(300 * VG_NS_PER_MS); /* let the client present */
    int st = run_logged(argv, xlog, 10000);
    bool ok = st == 0 && image_read_xwd(img, shot);
    if (!ok) {
        char *text = vg_test_slurp(xlog);
        CHECK_MSG(false, "xwd -root: exit %d, %s", st, text ? text : "");
        free(text);
    }
    return ok;
}

/* Finds the pattern by its red top-left marker and compares samples of its frame 0. */
void image_check_pattern(const struct image *img, uint32_t w, uint32_t h)
{
    const uint8_t red[3] = {255, 0, 0};
    int ox, oy;
    if (!image_find(img, red, &ox, &oy)) {
        CHECK_MSG(false, "the %ux%u pattern is not on screen", w, h);
        return;
    }
    CHECK(ox + (int)w <= img->w && oy + (int)h <= img->h);
    int bad = 0, cx, cy;
    vg_pattern_cursor_pos(w, h, 0, &cx, &cy);
    for (uint32_t y = 1; y < h; y += 5) {
        for (uint32_t x = 1; x < w; x += 5) {
            if ((int)x >= cx && (int)x < cx + 32 && (int)y >= cy && (int)y < cy + 32)
                continue;
            uint8_t want[4];
            vg_pattern_rgba8(w, h, 0, x, y, want);
            bad += !rgb_near(image_px(img, ox + (int)x, oy + (int)y), want, 0);
        }
    }
    CHECK_MSG(bad == 0, "%d samples of the %ux%u pattern differ on screen", bad, w, h);
}
