#include "app.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef VG_HAVE_AUDIO
#include "audio_player.h"
#endif
#include "audio_pcm_queue.h"
#include "input_ctl.h"
#include "mic_ctl.h"
#include "link.h"
#include "spice_audio.h"
#include "stats.h"
#include "window.h"
#include "vg/log.h"
#include "vg/time.h"

/* How often the window is redrawn while nothing new arrives (waiting message, overlay). */
#define IDLE_REDRAW_NS (250 * VG_NS_PER_MS)
/* While no guest is there: the waiting message is redrawn when its reason changes or this
 * often (its details, such as how long the heartbeat has been silent), and the loop sleeps in
 * the window's event queue this long. */
#define WAIT_REDRAW_NS VG_NS_PER_S
#define WAIT_SLEEP_MS 100

struct app {
    const struct vg_client_config *cfg;
    struct vg_window *window;
    const struct vg_renderer_ops *rops;
    struct vg_renderer *renderer;
    struct vg_link *link;
    struct vg_stats stats;
    bool overlay;
    bool have_frame;      /* the renderer holds a frame of this session */
    uint64_t last_serial; /* serial of the frame in the texture */
    uint64_t pending_capture_ns;
    bool pending_latency_valid;
    float pending_ingest_ms;
    bool frame_pending;        /* uploaded, not yet presented */
    bool inflight;             /* a frame is open: its copy waits for the guest's pixels */
    struct vg_frame_info info; /* the open frame */
    void *dst;                 /* its upload destination */
    size_t dst_stride;
    uint32_t n_rects; /* rects to copy (0: all) */
    uint64_t ingest_start;
    char shown_format[160]; /* last "showing ..." logged */
    char warning[200];      /* the backend's standing warning, shown as a banner */
    char shown_reason[512]; /* the waiting reason last drawn */
    uint64_t start;         /* when the client started */
    uint64_t last_draw, last_audio_line;
    bool was_ready;           /* the guest was ready at the last poll */
    uint64_t partial_uploads; /* frames uploaded from their damage rects alone */
    int32_t cursor_x, cursor_y;
    bool cursor_visible;
    char title[128];
    struct vg_audio_player *audio;
    struct vg_pcm_queue *pcm;          /* [optional] SPICE playback for the player */
    struct vg_spice_audio *spice_audio; /* its session, where input holds none */
    struct vg_mic_ctl *spice_mic;       /* that session's microphone (--no-input) */
    char audio_line[192];       /* the overlay's audio line */
    struct vg_input_ctl *input; /* keyboard and mouse to the guest */
    /* The microphone's banner drawn (prompt, recording). */
    char mic_line[200];
};

static void update_title(struct app *a, const struct vg_frame_info *info,
                         const struct vg_transport_ops *ops)
{
    char title[128];
    if (info)
        snprintf(title, sizeof(title), "vgapt %ux%u %s (%s)", info->width, info->height,
                 vg_pixfmt_name(info->format), ops->name);
    else
        snprintf(title, sizeof(title), "vgapt: waiting for guest");
    if (strcmp(title, a->title) != 0) {
        snprintf(a->title, sizeof(a->title), "%s", title);
        vg_window_set_title(a->window, title);
    }
}

/* Drops a frame whose copy was waiting for the guest (the guest went away or restarted). */
static void drop_inflight(struct app *a, struct vg_transport *t, const struct vg_transport_ops *ops)
{
    if (!a->inflight)
        return;
    a->rops->abort_upload(a->renderer);
    if (t)
        ops->release_frame(t);
    a->inflight = false;
}

/* New frame → texture. Returns true when the texture changed. A frame whose pixels the guest
 * is still writing stays open (a->inflight) and is copied again on the next call. */
static bool ingest_frame(struct app *a, struct vg_transport *t, const struct vg_transport_ops *ops)
{
    struct vg_frame_info *info = &a->info;
    int r;
    if (!a->inflight) {
        r = ops->next_frame(t, info);
        if (r <= 0)
            return false;
        a->ingest_start = vg_time_ns();
        bool full_needed;
        r = a->rops->begin_upload(a->renderer, info, &a->dst, &a->dst_stride, &full_needed);
        if (r < 0) {
            ops->release_frame(t);
            return false;
        }
        /* Damage is relative to the previous serial: a skipped frame means copying it all. */
        a->n_rects = info->n_damage;
        if (full_needed || !a->have_frame || info->serial != a->last_serial + 1)
            a->n_rects = 0;
        a->inflight = true;
    }
    r = ops->copy_frame(t, info, a->dst, a->dst_stride, info->damage, a->n_rects);
    if (r == VG_COPY_NOT_YET)
        return false;
    a->inflight = false;
    ops->release_frame(t);
    if (r < 0) {
        a->rops->abort_upload(a->renderer);
        return false;
    }
    uint32_t n = a->n_rects;
    a->rops->end_upload(a->renderer, info->damage, n);
    a->partial_uploads += n > 0;
    if (!a->have_frame || n == 0) {
        char shape[160];
        snprintf(shape, sizeof(shape), "%ux%u %s%s%s", info->width, info->height,
                 vg_pixfmt_name(info->format), info->flags & VG_FRAME_HDR ? " HDR" : "",
                 info->rotation ? (info->rotation == VG_ROTATE_90    ? " rotated 90"
                                   : info->rotation == VG_ROTATE_180 ? " rotated 180"
                                                                     : " rotated 270")
                                : "");
        if (strcmp(shape, a->shown_format) != 0) {
            vg_info("showing %s frames", shape);
            snprintf(a->shown_format, sizeof(a->shown_format), "%s", shape);
        }
    }
    a->have_frame = true;
    vg_input_ctl_set_frame(a->input, info);
    a->last_serial = info->serial;
    a->pending_ingest_ms = (float)vg_ns_to_ms(vg_time_ns() - a->ingest_start);
    a->pending_capture_ns = info->capture_ns;
    a->pending_latency_valid = info->capture_clock_host;
    a->frame_pending = true;
    vg_stats_frame_received(&a->stats);
    update_title(a, info, ops);
    return true;
}

static bool update_cursor(struct app *a, struct vg_transport *t, const struct vg_transport_ops *ops)
{
    struct vg_cursor_info ci;
    int r = ops->next_cursor(t, &ci);
    if (r <= 0)
        return false;
    if (r & VG_CURSOR_NEW_SHAPE)
        a->rops->set_cursor_shape(a->renderer, &ci.shape);
    if (r & VG_CURSOR_NEW_POS) {
        a->rops->set_cursor_pos(a->renderer, ci.x, ci.y, ci.visible);
        a->cursor_x = ci.x;
        a->cursor_y = ci.y;
        a->cursor_visible = ci.visible;
    }
    return true;
}

/* The backend's standing warning about what is shown: logged once, drawn as a banner. */
static bool update_warning(struct app *a, struct vg_transport *t,
                           const struct vg_transport_ops *ops)
{
    const char *w = ops->warning ? ops->warning(t) : NULL;
    if (!w)
        w = "";
    if (strcmp(w, a->warning) == 0)
        return false;
    if (w[0])
        vg_warn("%s", w);
    snprintf(a->warning, sizeof(a->warning), "%s", w);
    return true;
}

/* Whether the waiting reason changed, apart from its details in parentheses. */
static bool reason_changed(struct app *a, const char *reason)
{
    size_t key = strcspn(reason, "(");
    if (strncmp(reason, a->shown_reason, key) == 0 && a->shown_reason[key] == reason[key])
        return false;
    snprintf(a->shown_reason, sizeof(a->shown_reason), "%s", reason);
    return true;
}

/* The comment line tells a test what it is looking at. */
static int write_ppm(const struct app *a, const char *path, int w, int h, const uint8_t *rgba)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        vg_err("cannot write screenshot %s: %s", tmp, strerror(errno));
        return -errno;
    }
    fprintf(f, "P6\n# vgapt serial=%llu partial=%llu cursor=%d,%d,%d\n%d %d\n255\n",
            (unsigned long long)a->last_serial, (unsigned long long)a->partial_uploads, a->cursor_x,
            a->cursor_y, a->cursor_visible, w, h);
    for (int i = 0; i < w * h; i++)
        fwrite(rgba + (size_t)i * 4, 1, 3, f);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        vg_err("cannot write screenshot %s: %s", path, strerror(errno));
        return -EIO;
    }
    vg_info("screenshot of frame %llu written to %s", (unsigned long long)a->last_serial, path);
    return 0;
}

/* Draws and presents. Returns true when the --screenshot was written (time to quit). */
static bool present(struct app *a, const char *message)
{
    /* The microphone's prompt and indicator first: the user must see them. */
    const char *banner = a->mic_line[0]              ? a->mic_line
                         : !message && a->warning[0] ? a->warning
                                                     : NULL;
    int w, h;
    vg_window_drawable_size(a->window, &w, &h);
    struct vg_render_params p = {
        .win_w = w,
        .win_h = h,
        .scale = (enum vg_scale_mode)a->cfg->scale,
        .filter = (enum vg_filter)a->cfg->filter,
        .message = message,
        .banner = banner,
        .overlay = a->overlay ? &a->stats.view : NULL,
    };
    a->rops->render(a->renderer, &p);

    bool done = false;
    if (a->cfg->screenshot && a->have_frame && !message &&
        a->last_serial >= (uint64_t)a->cfg->screenshot_serial) {
        uint8_t *px = malloc((size_t)w * (size_t)h * 4);
        done = px && a->rops->read_pixels(a->renderer, w, h, px) == 0 &&
               write_ppm(a, a->cfg->screenshot, w, h, px) == 0;
        free(px);
    }
    vg_window_swap(a->window);

    if (a->frame_pending) {
        float latency = -1.0f;
        if (a->pending_latency_valid)
            latency = (float)vg_ns_to_ms(vg_time_ns() - a->pending_capture_ns);
        vg_stats_frame_presented(&a->stats, a->pending_ingest_ms, latency);
        a->frame_pending = false;
    }
    return done;
}

#ifdef VG_HAVE_AUDIO
/* The SPICE playback queue when the audio source may be SPICE and a server is named; NULL
 * otherwise (or out of memory, logged: Scream still plays). */
static struct vg_pcm_queue *spice_queue(const struct vg_client_config *cfg)
{
    struct vg_input_addr addr;
    char err[400];
    if (strcmp(vg_client_audio_sources[cfg->audio_source], "scream") == 0 ||
        !vg_client_spice_addr(cfg, &addr, err, sizeof(err)) ||
        addr.kind == VG_INPUT_ADDR_NONE)
        return NULL;
    return vg_pcm_queue_create(16);
}

/* A session of the audio's own, where input holds none. */
static struct vg_spice_audio *spice_session(const struct vg_client_config *cfg,
                                            struct vg_pcm_queue *q)
{
    struct vg_input_addr addr;
    char err[400];
    if (!q || !vg_client_spice_addr(cfg, &addr, err, sizeof(err)))
        return NULL;
    return vg_spice_audio_create(&addr, q);
}

static struct vg_audio_player *start_audio(const struct vg_client_config *cfg,
                                           struct vg_pcm_queue *pcm)
{
    struct vg_audio_player_options o = {
        .path = cfg->scream,
        .source = vg_client_audio_sources[cfg->audio_source],
        .pcm = pcm,
        .target = cfg->audio_target,
        .role = cfg->audio_role,
        .latency_ms = (uint32_t)cfg->audio_latency_ms,
        .quantum_ms = (uint32_t)cfg->audio_quantum_ms,
        .idle_s = (uint32_t)cfg->audio_idle_s,
        .report_s = (uint32_t)cfg->audio_report_s,
    };
    return vg_audio_player_create(&o);
}

static void update_audio_line(struct app *a)
{
    a->stats.view.extra = NULL;
    if (!a->audio)
        return;
    struct vg_audio_stats s;
    vg_audio_player_get_stats(a->audio, &s);
    if (s.state != VG_AUDIO_PLAYING)
        return;
    snprintf(a->audio_line, sizeof(a->audio_line),
             "audio %u Hz %u ch: latency %.1f ms (buffer %.1f, target %.0f: %s), drift %+.0f "
             "ppm, underruns %llu, xruns %llu",
             s.fmt.rate, s.fmt.channels, s.latency_ms, s.fill_ms, s.target_ms, s.target_why,
             s.drift_ppm, (unsigned long long)s.underruns, (unsigned long long)s.stalls);
    a->stats.view.extra = a->audio_line;
}

static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int sig)
{
    quit_signal = sig;
}

/* --audio-only: no window; runs until SIGINT/SIGTERM (systemd stops it so) or --seconds. */
static int run_audio_only(const struct vg_client_config *cfg)
{
    struct sigaction sa = {.sa_handler = on_quit_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct vg_pcm_queue *pcm = spice_queue(cfg);
    struct vg_audio_player *p = start_audio(cfg, pcm);
    if (!p) {
        vg_pcm_queue_destroy(pcm);
        return 1;
    }
    struct vg_spice_audio *session = spice_session(cfg, pcm);
    /* No window to ask in: ask means deny here (logged when the guest records). */
    struct vg_mic_ctl *mic = session ? vg_mic_ctl_create(cfg, false, cfg->escape_key) : NULL;
    vg_spice_audio_set_mic(session, mic);
    uint64_t start = vg_time_ns();
    while (!quit_signal &&
           (!cfg->seconds || vg_time_ns() - start < (uint64_t)cfg->seconds * VG_NS_PER_S)) {
        vg_spice_audio_poll(session);
        vg_sleep_ns(50 * VG_NS_PER_MS);
    }
    vg_audio_player_destroy(p);
    vg_spice_audio_destroy(session);
    vg_mic_ctl_destroy(mic);
    vg_pcm_queue_destroy(pcm);
    return 0;
}
#else
static void update_audio_line(struct app *a)
{
    a->stats.view.extra = NULL;
}
#endif

/* Window, renderer, link and audio. false on error (logged). */
static bool app_open(struct app *a)
{
    const struct vg_client_config *cfg = a->cfg;
    struct vg_window_options wo = {
        .title = "vgapt: waiting for guest",
        .width = (int)cfg->size[0],
        .height = (int)cfg->size[1],
        .fullscreen = cfg->fullscreen,
        .vsync = cfg->vsync,
    };
    snprintf(a->title, sizeof(a->title), "%s", wo.title);
    a->window = vg_window_create(&wo);
    if (!a->window)
        return false;
    struct vg_renderer_options ro = {.allow_pbo = cfg->pbo};
    a->renderer = a->rops->create(&ro);
    if (!a->renderer)
        return false;
    a->link = vg_link_create(cfg->shm, (uint64_t)cfg->stall_ms * VG_NS_PER_MS);
    if (!a->link)
        return false;
#ifdef VG_HAVE_AUDIO
    /* Audio is optional: a failure is logged and the video goes on. */
    if (cfg->audio) {
        a->pcm = spice_queue(cfg);
        a->audio = start_audio(cfg, a->pcm);
    }
#endif
    a->input = vg_input_ctl_create(cfg, a->window);
    if (!a->input)
        return false;
#ifdef VG_HAVE_AUDIO
    /* One SPICE session carries keyboard, mouse and audio. */
    if (a->audio && a->pcm && !vg_input_ctl_set_audio(a->input, a->pcm))
        a->spice_audio = spice_session(cfg, a->pcm);
    /* Input off, the guest's microphone on: its keys do not reach the client, so ask means
     * deny here too (logged when the guest records); the banner still shows. */
    if (a->spice_audio) {
        a->spice_mic = vg_mic_ctl_create(cfg, false, cfg->escape_key);
        vg_spice_audio_set_mic(a->spice_audio, a->spice_mic);
    }
#endif
    vg_window_set_filter(a->window, vg_input_ctl_filter, a->input);
    vg_stats_init(&a->stats, a->start);
    return !cfg->stats || vg_stats_keep_history(&a->stats);
}

static void app_close(struct app *a)
{
    if (a->cfg->stats)
        vg_stats_summary(&a->stats, vg_ns_to_ms(vg_time_ns() - a->start) / 1000.0);
    vg_stats_finish(&a->stats);
#ifdef VG_HAVE_AUDIO
    vg_audio_player_destroy(a->audio);
#endif
    vg_input_ctl_destroy(a->input);
    vg_spice_audio_destroy(a->spice_audio);
    vg_mic_ctl_destroy(a->spice_mic); /* after the session, which reads its queue */
    vg_pcm_queue_destroy(a->pcm);
    vg_link_destroy(a->link);
    if (a->renderer)
        a->rops->destroy(a->renderer);
    vg_window_destroy(a->window);
}

/* Drains the window's events: -1 to quit, 1 when something must be redrawn, else 0. */
static int handle_events(struct app *a)
{
    int redraw = 0;
    enum vg_window_event ev;
    while ((ev = vg_window_next_event(a->window)) != VG_WINDOW_EVENT_NONE) {
        if (ev == VG_WINDOW_EVENT_QUIT)
            return -1;
        if (ev == VG_WINDOW_EVENT_TOGGLE_OVERLAY)
            a->overlay = !a->overlay;
        redraw = 1;
    }
    return redraw;
}

/* Follows the guest: its frames, cursor and warnings when it is there, the waiting state when
 * it is not. Returns the ready backend (or NULL, st->reason saying why) and sets *redraw when
 * the window must be drawn again. */
static struct vg_transport *follow_guest(struct app *a, uint64_t now, struct vg_link_status *st,
                                         bool *redraw)
{
    const struct vg_transport_ops *ops = NULL;
    struct vg_transport *t = vg_link_poll(a->link, now, st, &ops);
    if (!t || st->new_session)
        drop_inflight(a, t, ops);
    if (t) {
        if (st->new_session) {
            a->rops->reset(a->renderer);
            a->have_frame = false;
        }
        /* The frame first: the cursor read after it includes every update the guest made
         * before publishing it. */
        *redraw |= ingest_frame(a, t, ops);
        *redraw |= update_cursor(a, t, ops);
        *redraw |= !a->was_ready;
        *redraw |= update_warning(a, t, ops);
    } else if (a->was_ready || reason_changed(a, st->reason) ||
               now - a->last_draw >= WAIT_REDRAW_NS) {
        /* The guest is gone: its last frame is not what it shows now. */
        if (a->have_frame)
            a->rops->reset(a->renderer);
        a->have_frame = false;
        update_title(a, NULL, NULL);
        *redraw = true;
    }
    a->was_ready = t != NULL;
    return t;
}

int vg_client_run(const struct vg_client_config *cfg)
{
    if (cfg->audio_only) {
#ifdef VG_HAVE_AUDIO
        return run_audio_only(cfg);
#else
        vg_err("--audio-only: this vgapt-client was built without audio "
               "(rebuild with -DVG_CLIENT_AUDIO_PIPEWIRE=ON and libpipewire-0.3-dev)");
        return 2;
#endif
    }
    struct app a = {.cfg = cfg,
                    .overlay = cfg->overlay,
                    .rops = vg_renderers[0],
                    .start = vg_time_ns(),
                    .was_ready = true /* draws the first message */};
    int status = 1;
    if (!app_open(&a))
        goto out;
    for (;;) {
        int ev = handle_events(&a);
        if (ev < 0)
            break;
        bool redraw = ev > 0;
        uint64_t now = vg_time_ns();
        if (cfg->seconds && now - a.start >= (uint64_t)cfg->seconds * VG_NS_PER_S)
            break;
        vg_stats_tick(&a.stats, now);

        struct vg_link_status st;
        struct vg_transport *t = follow_guest(&a, now, &st, &redraw);
        if (!a.have_frame)
            vg_input_ctl_set_frame(a.input, NULL);
        vg_input_ctl_set_guest_cursor(a.input, t && a.have_frame && a.cursor_visible);
        const char *mic = vg_input_ctl_mic_line(a.input);
        if (!mic && a.spice_mic)
            mic = vg_mic_ctl_line(a.spice_mic);
        if (strcmp(mic ? mic : "", a.mic_line) != 0) {
            snprintf(a.mic_line, sizeof(a.mic_line), "%s", mic ? mic : "");
            redraw = true;
        }
        redraw |= vg_input_ctl_poll(a.input) && a.overlay;
        vg_spice_audio_poll(a.spice_audio);
        a.stats.view.extra2 = vg_input_ctl_line(a.input);
        if (a.overlay && now - a.last_audio_line >= IDLE_REDRAW_NS) {
            update_audio_line(&a);
            a.last_audio_line = now;
        }
        if (a.overlay && now - a.last_draw >= IDLE_REDRAW_NS)
            redraw = true;

        if (redraw) {
            char message[600];
            const char *msg = NULL;
            if (!t || !a.have_frame) {
                snprintf(message, sizeof(message), "waiting for guest: %s",
                         t ? "no frame yet" : st.reason);
                msg = message;
            }
            if (present(&a, msg))
                break;
            a.last_draw = vg_time_ns();
        } else if (t) {
            vg_sleep_ns((uint64_t)cfg->poll_us * VG_NS_PER_US);
        } else {
            vg_window_wait_event(a.window, WAIT_SLEEP_MS);
        }
    }
    status = 0;
out:
    app_close(&a);
    return status;
}
