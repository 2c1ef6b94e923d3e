/* vgapt-bench video: the client's ingest path (new frame seen → texture updated) against the
 * floor measured in the same run (memcpy of the damaged bytes + a bare glTexSubImage2D of
 * them), for 1080p, 1440p and 4K with full and ~1 % damage; then producer-capture-to-present
 * latency of the real vgapt-guest + vgapt-client with vsync off. */
#include <epoxy/gl.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bench_source.h"
#include "pattern.h"
#include "renderer.h"
#include "transport.h"
#include "window.h"
#include "vg/fp.h"
#include "vg/log.h"
#include "vg/opts.h"
#include "vg/time.h"
#include "vg/version.h"

extern char **environ;

struct video_case {
    const char *name;
    uint32_t w, h;
};

static const struct video_case cases[] = {
    {"1080p", 1920, 1080},
    {"1440p", 2560, 1440},
    {"4K", 3840, 2160},
};

struct samples {
    double *ingest, *copy, *memcpy_, *texsub, *latency;
    size_t n;
};

struct result {
    double ingest, copy, memcpy_, texsub;
    double lat_p50, lat_p99; /* submit -> presented, in this process */
};

static GLuint floor_tex;

/* The floor: what any client must at least do with these bytes. */
static void measure_floor(const uint8_t *src, uint8_t *staging, uint32_t w, uint32_t h,
                          const struct vg_rect *rects, uint32_t n, double *t_memcpy,
                          double *t_tex)
{
    struct vg_rect full = {0, 0, w, h};
    if (n == 0) {
        rects = &full;
        n = 1;
    }
    size_t stride = (size_t)w * 4;
    uint64_t t0 = vg_time_ns();
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t y = rects[i].y; y < rects[i].y + rects[i].h; y++) {
            size_t off = y * stride + (size_t)rects[i].x * 4;
            memcpy(staging + off, src + off, (size_t)rects[i].w * 4);
        }
    }
    uint64_t t1 = vg_time_ns();
    glBindTexture(GL_TEXTURE_2D, floor_tex);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)w);
    for (uint32_t i = 0; i < n; i++) {
        size_t off = rects[i].y * stride + (size_t)rects[i].x * 4;
        glTexSubImage2D(GL_TEXTURE_2D, 0, (GLint)rects[i].x, (GLint)rects[i].y,
                        (GLsizei)rects[i].w, (GLsizei)rects[i].h, GL_BGRA, GL_UNSIGNED_BYTE,
                        staging + off);
    }
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glFinish();
    uint64_t t2 = vg_time_ns();
    *t_memcpy = (double)(t1 - t0) / 1e6;
    *t_tex = (double)(t2 - t1) / 1e6;
}

static bool run_case(const struct vg_renderer_ops *rops, struct vg_renderer *r,
                     struct vg_window *win, enum vg_bench_protocol proto, uint32_t w, uint32_t h,
                     bool partial, int frames, struct result *res)
{
    uint8_t *src = malloc((size_t)w * h * 4), *staging = malloc((size_t)w * h * 4);
    struct samples s = {
        .ingest = calloc((size_t)frames, sizeof(double)),
        .copy = calloc((size_t)frames, sizeof(double)),
        .memcpy_ = calloc((size_t)frames, sizeof(double)),
        .texsub = calloc((size_t)frames, sizeof(double)),
        .latency = calloc((size_t)frames, sizeof(double)),
    };
    struct vg_bench_source bs = {0};
    bool ok = false;
    if (!src || !staging || !s.ingest || !s.copy || !s.memcpy_ || !s.texsub || !s.latency ||
        !vg_bench_source_open(&bs, proto, w, h))
        goto out;
    const struct vg_transport_ops *tops = bs.tops;
    struct vg_transport *t = bs.t;
    vg_pattern_render(src, (size_t)w * 4, VG_FP_FORMAT_BGRA8, w, h, 0, NULL);
    memset(staging, 0, (size_t)w * h * 4); /* no first-touch page faults inside the floor */

    glBindTexture(GL_TEXTURE_2D, floor_tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, (GLsizei)w, (GLsizei)h, 0, GL_BGRA,
                 GL_UNSIGNED_BYTE, NULL);

    /* ~1 % of the frame: a tenth of each side, moving so each frame damages a new place. */
    uint32_t rw = w / 10, rh = h / 10;
    for (int i = -2; i < frames; i++) {
        struct vg_rect dmg = {((uint32_t)(i + 2) * 37u) % (w - rw),
                              ((uint32_t)(i + 2) * 23u) % (h - rh), rw, rh};
        /* The first frames are full: they fill the texture and warm the caches. */
        bool part = partial && i >= 0;
        uint64_t captured = vg_time_ns();
        if (!vg_bench_source_submit(&bs, src, w, h, part ? &dmg : NULL))
            goto out;
        struct vg_transport_status st;
        tops->poll(t, vg_time_ns(), &st);

        struct vg_frame_info info;
        uint64_t t0 = vg_time_ns();
        if (tops->next_frame(t, &info) != 1)
            goto out;
        void *dst;
        size_t dst_stride;
        bool full;
        if (rops->begin_upload(r, &info, &dst, &dst_stride, &full) != 0)
            goto out;
        uint32_t n = full ? 0 : info.n_damage;
        int cr;
        while ((cr = tops->copy_frame(t, &info, dst, dst_stride, info.damage, n)) ==
               VG_COPY_NOT_YET)
            ;
        if (cr != 0)
            goto out;
        uint64_t t1 = vg_time_ns();
        rops->end_upload(r, info.damage, n);
        glFinish();
        uint64_t t2 = vg_time_ns();
        tops->release_frame(t);
        /* Presented: drawn into the (hidden) window and swapped. */
        int ww, wh;
        vg_window_drawable_size(win, &ww, &wh);
        struct vg_render_params rp = {.win_w = ww, .win_h = wh};
        rops->render(r, &rp);
        vg_window_swap(win);
        glFinish();
        uint64_t t3 = vg_time_ns();
        if (i < 0)
            continue;
        s.ingest[s.n] = (double)(t2 - t0) / 1e6;
        s.copy[s.n] = (double)(t1 - t0) / 1e6;
        s.latency[s.n] = (double)(t3 - captured) / 1e6;
        measure_floor(src, staging, w, h, info.damage, n, &s.memcpy_[s.n], &s.texsub[s.n]);
        s.n++;
    }
    res->ingest = vg_bench_percentile(s.ingest, s.n, 0.5);
    res->copy = vg_bench_percentile(s.copy, s.n, 0.5);
    res->memcpy_ = vg_bench_percentile(s.memcpy_, s.n, 0.5);
    res->texsub = vg_bench_percentile(s.texsub, s.n, 0.5);
    res->lat_p50 = vg_bench_percentile(s.latency, s.n, 0.5);
    res->lat_p99 = vg_bench_percentile(s.latency, s.n, 0.99);
    ok = true;
out:
    if (!ok)
        fprintf(stderr, "vgapt-bench: the %s %ux%u case failed\n", vg_bench_protocol_name(proto),
                w, h);
    vg_bench_source_close(&bs);
    free(src);
    free(staging);
    free(s.ingest);
    free(s.copy);
    free(s.memcpy_);
    free(s.texsub);
    free(s.latency);
    return ok;
}

/* Runs the real guest and client for `seconds` and returns the client's stats line. */
static bool run_latency(const char *damage, int seconds, char *line, size_t line_size)
{
    char shm[64], secs[16], gsecs[16];
    snprintf(shm, sizeof(shm), "/dev/shm/vgapt-bench-%d", (int)getpid());
    snprintf(secs, sizeof(secs), "%d", seconds);
    snprintf(gsecs, sizeof(gsecs), "%d", seconds + 3);
    char *gv[] = {vg_bench_guest(), "pattern", "--shm", shm, "--size", "1920x1080", "--fps", "60",
                  "--damage", (char *)damage, "--seconds", gsecs, NULL};
    char *cv[] = {vg_bench_client(), "--shm", shm, "--no-vsync", "--stats", "--seconds", secs,
                  "--size", "1920x1080", "--log-level", "info", NULL};
    int fds[2];
    pid_t g, c;
    line[0] = 0;
    if (pipe(fds) != 0)
        return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    bool ok = posix_spawn(&g, gv[0], NULL, NULL, gv, environ) == 0;
    vg_sleep_ns(300 * VG_NS_PER_MS);
    ok = ok && posix_spawn(&c, cv[0], &fa, NULL, cv, environ) == 0;
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char buf[1024];
    while (f && fgets(buf, sizeof(buf), f)) {
        char *at = strstr(buf, "stats: ");
        if (at)
            snprintf(line, line_size, "%s", at + 7);
    }
    if (f)
        fclose(f);
    if (ok) {
        waitpid(c, NULL, 0);
        kill(g, SIGTERM);
        waitpid(g, NULL, 0);
    }
    unlink(shm);
    return line[0] != 0;
}

static void print_latency(const char *damage, int seconds)
{
    char line[1024];
    if (!run_latency(damage, seconds, line, sizeof(line))) {
        printf("  %-8s latency run failed (see stderr)\n", damage);
        return;
    }
    double p50 = 0, p99 = 0, max = 0;
    const char *at = strstr(line, "capture-to-present ms");
    if (at)
        sscanf(at, "capture-to-present ms p50 %lf p99 %lf max %lf", &p50, &p99, &max);
    const double frame_ms = 1000.0 / 60.0;
    printf("  %-8s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms   p50/frame interval %.2f  "
           "p99/frame interval %.2f\n",
           damage, p50, p99, max, p50 / frame_ms, p99 / frame_ms);
    line[strcspn(line, "\n")] = 0;
    printf("           client: %s\n", line);
}

int vg_bench_video(int argc, char **argv)
{
    int64_t frames = 60, latency_seconds = 5;
    bool pbo = true;
    int protocol = 2;
    static const char *const protocol_names[] = {"vgfp", "lgmp", "both", NULL};
    const struct vg_opt opts[] = {
        {"protocol", 0, VG_OPT_CHOICE, &protocol, 0, 0, protocol_names, "PROTO",
         "guest protocol(s) measured: vgapt's frame protocol, Looking Glass B7's, or both side "
         "by side.",
         NULL, NULL},
        {"frames", 0, VG_OPT_INT, &frames, 5, 100000, NULL, "N", "frames measured per case",
         NULL, NULL},
        {"latency-seconds", 0, VG_OPT_INT, &latency_seconds, 0, 3600, NULL, "S",
         "length of each latency run (0 skips it)", NULL, NULL},
        {"pbo", 0, VG_OPT_FLAG, &pbo, 0, 0, NULL, NULL,
         "upload through the persistent-mapped PBO where available", NULL, NULL},
    };
    const struct vg_opts_program prog = {
        "vgapt-bench video", "[OPTIONS]",
        "Measures the client's frame ingest against memcpy + glTexSubImage2D of the same bytes\n"
        "(the floor, measured in the same run) and capture-to-present latency. Needs a display\n"
        "(use xvfb-run without one).",
        VG_VERSION};
    int exit_status = vg_opts_parse_or_exit(&prog, opts, sizeof(opts) / sizeof(opts[0]), argc,
                                            argv);
    if (exit_status >= 0)
        return exit_status;

    struct vg_window_options wo = {.title = "vgapt-bench", .width = 640, .height = 360,
                                   .hidden = true};
    struct vg_window *win = vg_window_create(&wo);
    if (!win)
        return 1;
    const struct vg_renderer_ops *rops = &vg_renderer_gl;
    struct vg_renderer_options ro = {.allow_pbo = pbo};
    struct vg_renderer *r = rops->create(&ro);
    if (!r) {
        vg_window_destroy(win);
        return 1;
    }
    glGenTextures(1, &floor_tex);
    printf("vgapt-bench video: %s, %s\n", (const char *)glGetString(GL_RENDERER),
           (const char *)glGetString(GL_VERSION));
    printf("ingest = new frame seen -> texture updated (glFinish), BGRA8, median of %lld frames\n"
           "floor  = memcpy of the damaged bytes + bare glTexSubImage2D of them (glFinish)\n"
           "copy   = our copy from shared memory into the upload buffer (part of ingest)\n"
           "c2p    = producer's submit -> frame presented (rendered, swapped, glFinish), same "
           "process, p50/p99\n\n",
           (long long)frames);
    printf("%-5s %-6s %-6s %10s %9s %10s %10s %9s %12s %11s %17s\n", "proto", "size", "damage",
           "ingest ms", "copy ms", "memcpy ms", "texsub ms", "floor ms", "ingest/floor",
           "copy/memcpy", "c2p p50/p99 ms");
    int status = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int pr = 0; pr < 2; pr++) {
            if (protocol != 2 && protocol != pr)
                continue;
            struct result full, part;
            if (!run_case(rops, r, win, (enum vg_bench_protocol)pr, cases[i].w, cases[i].h,
                          false, (int)frames, &full) ||
                !run_case(rops, r, win, (enum vg_bench_protocol)pr, cases[i].w, cases[i].h,
                          true, (int)frames, &part)) {
                status = 1;
                continue;
            }
            const struct result *rs[2] = {&full, &part};
            for (int k = 0; k < 2; k++) {
                double fl = rs[k]->memcpy_ + rs[k]->texsub;
                printf("%-5s %-6s %-6s %10.3f %9.3f %10.3f %10.3f %9.3f %12.2f %11.2f "
                       "%8.2f/%-8.2f\n",
                       vg_bench_protocol_name((enum vg_bench_protocol)pr), cases[i].name,
                       k ? "1%" : "full", rs[k]->ingest, rs[k]->copy, rs[k]->memcpy_,
                       rs[k]->texsub, fl, rs[k]->ingest / fl, rs[k]->copy / rs[k]->memcpy_,
                       rs[k]->lat_p50, rs[k]->lat_p99);
            }
            printf("%-5s %-6s 1%%-damage frame costs %.2f %% of a full frame\n",
                   vg_bench_protocol_name((enum vg_bench_protocol)pr), cases[i].name,
                   100.0 * part.ingest / full.ingest);
        }
    }
    glDeleteTextures(1, &floor_tex);
    rops->destroy(r);
    vg_window_destroy(win);

    if (latency_seconds > 0 && protocol != VG_BENCH_LGMP) {
        printf("\ncapture-to-present latency, vgapt-guest 1080p60 -> vgapt-client, vsync off, "
               "%lld s each:\n",
               (long long)latency_seconds);
        print_latency("full", (int)latency_seconds);
        print_latency("partial", (int)latency_seconds);
    }
    return status;
}
