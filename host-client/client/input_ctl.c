#include "input_ctl.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clipboard.h"
#include "clipboard_ctl.h"
#include "input.h"
#include "keymap.h"
#include "mic_ctl.h"
#include "mouse.h"
#include "window.h"
#include "vg/log.h"
#include "vg/time.h"

/* Set-1 codes are below 0x200 (0x100 | code for E0 keys). */
#define CODES 0x200
#define MAX_WHEEL_STEPS 10
/* A server that cannot be reached (the VM is not running yet, or restarts) is tried again this
 * often; the failure is logged once. */
#define RETRY_NS (3 * VG_NS_PER_S)

struct vg_input_ctl {
    const struct vg_client_config *cfg;
    struct vg_window *window;
    const struct vg_input_ops *ops;
    struct vg_input *in;
    struct vg_pcm_queue *pcm; /* [optional] the guest's audio from the same session */
    struct vg_clipboard *clip; /* [optional] the clipboard through the same session */
    struct vg_input_addr addr;
    char where[300];
    uint64_t failed_at; /* when the backend last failed; 0: it has not */
    char failure[512];  /* the failure logged, until the server is reached */
    SDL_Scancode escape;
    const char *escape_name;

    struct vg_mouse mouse;
    struct vg_input_status status;
    bool have_status;
    bool escape_down, escape_combo;
    bool held[CODES];   /* keys pressed in the guest */
    uint32_t buttons;   /* buttons held in the guest */
    uint32_t swallowed; /* buttons whose press started a capture: their release too */
    struct vg_mouse_view view;
    int32_t last_x, last_y; /* the last absolute position sent */
    bool sent_position;
    bool guest_cursor; /* the renderer draws the guest's cursor */
    bool host_hidden;  /* SDL_ShowCursor(SDL_DISABLE) is in force */
    /* [optional] The guest's recording, where the backend has one. */
    struct vg_mic_ctl *mic;
    char line[600];
};

bool vg_input_ctl_check_key(const char *name, char *err, size_t err_size)
{
    if (name && SDL_GetScancodeFromName(name) != SDL_SCANCODE_UNKNOWN)
        return true;
    snprintf(err, err_size,
             "--escape-key '%s': not a key name SDL knows (examples: ScrollLock, Pause, "
             "Right Ctrl, Right Alt, F12, Insert)",
             name ? name : "");
    return false;
}

static void release_all(struct vg_input_ctl *c)
{
    for (uint32_t code = 0; code < CODES; code++) {
        if (c->held[code]) {
            c->held[code] = false;
            if (c->in)
                c->ops->key_release(c->in, code);
        }
    }
    for (unsigned b = VG_INPUT_BUTTON_LEFT; b <= VG_INPUT_BUTTON_EXTRA; b++) {
        uint32_t m = VG_INPUT_BUTTON_MASK(b);
        if (c->buttons & m) {
            c->buttons &= ~m;
            if (c->in)
                c->ops->button_release(c->in, (enum vg_input_button)b, c->buttons);
        }
    }
}

/* SDL hides the cursor only over the window: elsewhere the host's stays. */
static void update_host_cursor(struct vg_input_ctl *c)
{
    bool hide = vg_mouse_hide_host_cursor(&c->mouse, c->guest_cursor);
    if (hide == c->host_hidden)
        return;
    c->host_hidden = hide;
    SDL_ShowCursor(hide ? SDL_DISABLE : SDL_ENABLE);
    vg_debug("host cursor over the window: %s (SDL_ShowCursor %d)",
             hide ? "hidden, the guest draws its own" : "shown", SDL_ShowCursor(SDL_QUERY));
}

static void apply(struct vg_input_ctl *c, struct vg_mouse_actions a)
{
    if (a.release_all)
        release_all(c);
    if (a.capture_changed) {
        bool on = c->mouse.captured;
        SDL_Window *w = vg_window_sdl(c->window);
        if (SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE) != 0)
            vg_warn("cannot %s the pointer: %s", on ? "capture" : "release", SDL_GetError());
        if (w) {
            SDL_SetWindowGrab(w, on ? SDL_TRUE : SDL_FALSE);
            SDL_SetWindowKeyboardGrab(w, on && c->cfg->grab_keyboard ? SDL_TRUE : SDL_FALSE);
        }
        c->sent_position = false;
        if (on)
            vg_info("pointer captured: %s releases it", c->escape_name);
        else
            vg_info("pointer released");
    }
    if (a.request_mode && c->in)
        c->ops->request_mouse_mode(c->in, a.request);
    update_host_cursor(c);
}

static void step(struct vg_input_ctl *c, enum vg_mouse_event ev)
{
    apply(c, vg_mouse_step(&c->mouse, ev));
}

struct vg_input_ctl *vg_input_ctl_create(const struct vg_client_config *cfg, struct vg_window *w)
{
    struct vg_input_ctl *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->cfg = cfg;
    c->window = w;
    c->escape = SDL_GetScancodeFromName(cfg->escape_key);
    c->escape_name = cfg->escape_key;
    vg_mouse_init(&c->mouse, cfg->capture_on_start);

    char err[400];
    if (!vg_client_spice_addr(cfg, &c->addr, err, sizeof(err))) {
        vg_err("%s", err);
        free(c);
        return NULL;
    }
    if (c->addr.kind == VG_INPUT_ADDR_NONE || !cfg->input)
        return c;
    for (size_t i = 0; vg_inputs[i]; i++)
        if (strcmp(vg_inputs[i]->name, "spice") == 0)
            c->ops = vg_inputs[i];
    snprintf(c->where, sizeof(c->where), "%s",
             c->addr.kind == VG_INPUT_ADDR_FD ? c->addr.host : cfg->spice);
    if (!c->ops) {
        vg_warn("--spice %s: this vgapt-client was built without SPICE (install "
                "libspice-client-glib-2.0-dev and rebuild); keyboard and mouse stay with the host",
                cfg->spice);
        snprintf(c->line, sizeof(c->line), "input: off, built without SPICE");
        return c;
    }
    /* A backend that cannot start leaves input off; the frames go on. */
    vg_info("SPICE %s: connecting for keyboard and mouse", c->where);
    if (c->ops->set_mic)
        c->mic = vg_mic_ctl_create(cfg, true, cfg->escape_key);
    c->in = c->ops->create(&c->addr);
    if (c->in && c->mic)
        c->ops->set_mic(c->in, vg_mic_ctl_queue(c->mic));
    if (!c->in)
        snprintf(c->line, sizeof(c->line), "input: SPICE could not start (see the log)");
    c->clip = vg_client_clipboard_create(cfg, c->ops);
    vg_client_clipboard_attach(c->clip, c->ops, c->in);
    return c;
}

void vg_input_ctl_destroy(struct vg_input_ctl *c)
{
    if (!c)
        return;
    release_all(c);
    if (c->in)
        c->ops->destroy(c->in);
    vg_clipboard_destroy(c->clip);
    vg_mic_ctl_destroy(c->mic); /* after the backend, which reads its queue */
    free(c);
}

void vg_input_ctl_set_guest_cursor(struct vg_input_ctl *c, bool visible)
{
    c->guest_cursor = visible;
    update_host_cursor(c);
}

void vg_input_ctl_set_frame(struct vg_input_ctl *c, const struct vg_frame_info *info)
{
    if (!info) {
        c->view.width = c->view.height = 0;
        return;
    }
    c->view.scale = (enum vg_scale_mode)c->cfg->scale;
    c->view.width = info->width;
    c->view.height = info->height;
    c->view.rotation = info->rotation;
    c->view.screen_width = info->screen_width;
    c->view.screen_height = info->screen_height;
}

static void make_line(struct vg_input_ctl *c, char *out, size_t size)
{
    if (!c->in) {
        snprintf(out, size, "%s", c->line);
        return;
    }
    const struct vg_input_status *st = &c->status;
    if (st->state == VG_INPUT_FAILED || (st->state == VG_INPUT_CONNECTING && c->failure[0])) {
        /* The overlay has room for a line, the log has the reason. */
        snprintf(out, size, "input: no SPICE at %s, retrying (see the log)", c->where);
    } else if (st->state == VG_INPUT_CONNECTING) {
        snprintf(out, size, "input: connecting to SPICE %s", c->where);
    } else if (!c->mouse.enabled) {
        snprintf(out, size, "input: off (%s+I turns it on)", c->escape_name);
    } else if (c->mouse.captured) {
        snprintf(out, size, "input: SPICE, pointer captured (%s releases)", c->escape_name);
    } else if (st->mouse_mode == VG_INPUT_MOUSE_CLIENT) {
        snprintf(out, size, "input: SPICE, mouse absolute (%s captures)", c->escape_name);
    } else {
        snprintf(out, size, "input: SPICE, mouse relative: click or %s captures", c->escape_name);
    }
}

/* The backend failed: say so once, and start again after a while. */
static void follow_failure(struct vg_input_ctl *c)
{
    uint64_t now = vg_time_ns();
    if (!c->failed_at) {
        c->failed_at = now;
        if (strcmp(c->status.message, c->failure) != 0) {
            vg_err("%s (keyboard and mouse stay with the host; trying again every %d s)",
                   c->status.message, (int)(RETRY_NS / VG_NS_PER_S));
            snprintf(c->failure, sizeof(c->failure), "%s", c->status.message);
        }
        return;
    }
    if (now - c->failed_at < RETRY_NS)
        return;
    c->ops->destroy(c->in);
    c->have_status = false;
    c->failed_at = 0;
    if (c->mic)
        vg_mic_ctl_follow(c->mic, 0, 0);
    c->in = c->ops->create(&c->addr);
    if (!c->in)
        snprintf(c->line, sizeof(c->line), "input: SPICE could not start (see the log)");
    else if (c->pcm)
        c->ops->set_audio(c->in, c->pcm);
    if (c->in && c->mic)
        c->ops->set_mic(c->in, vg_mic_ctl_queue(c->mic));
    vg_client_clipboard_attach(c->clip, c->ops, c->in);
}

bool vg_input_ctl_set_audio(struct vg_input_ctl *c, struct vg_pcm_queue *q)
{
    if (!c->ops || !c->ops->set_audio)
        return false;
    c->pcm = q;
    if (c->in)
        c->ops->set_audio(c->in, q);
    return true;
}

bool vg_input_ctl_poll(struct vg_input_ctl *c)
{
    if (c->in && c->have_status && c->status.state == VG_INPUT_FAILED)
        follow_failure(c);
    vg_client_clipboard_poll(c->clip);
    if (c->in) {
        struct vg_input_status st;
        c->ops->poll_status(c->in, &st);
        if (!c->have_status || st.serial != c->status.serial) {
            struct vg_input_status old = c->status;
            bool first = !c->have_status;
            c->status = st;
            c->have_status = true;
            if (first || st.mouse_mode != old.mouse_mode)
                step(c, st.mouse_mode == VG_INPUT_MOUSE_CLIENT ? VG_MOUSE_MODE_CLIENT
                                                               : VG_MOUSE_MODE_SERVER);
            if (st.state == VG_INPUT_READY && (first || old.state != VG_INPUT_READY)) {
                step(c, VG_MOUSE_READY);
                c->failure[0] = 0;
            } else if (st.state != VG_INPUT_READY && !first && old.state == VG_INPUT_READY)
                step(c, VG_MOUSE_LOST);
            if (!first && st.mouse_mode != old.mouse_mode)
                vg_info("SPICE mouse mode: %s", st.mouse_mode == VG_INPUT_MOUSE_CLIENT
                                                    ? "absolute (client)"
                                                    : "relative (server)");
            if (c->mic)
                vg_mic_ctl_follow(c->mic, st.state == VG_INPUT_READY ? st.record_channels : 0,
                                  st.state == VG_INPUT_READY ? st.record_rate : 0);
        }
    }
    char line[600];
    make_line(c, line, sizeof(line));
    if (strcmp(line, c->line) == 0)
        return false;
    snprintf(c->line, sizeof(c->line), "%s", line);
    return true;
}

const char *vg_input_ctl_line(const struct vg_input_ctl *c)
{
    return c->line[0] ? c->line : NULL;
}

const char *vg_input_ctl_mic_line(struct vg_input_ctl *c)
{
    return c->mic ? vg_mic_ctl_line(c->mic) : NULL;
}

static void send_ctrl_alt_del(struct vg_input_ctl *c)
{
    if (!c->in || !vg_mouse_keys_to_guest(&c->mouse))
        return;
    static const uint32_t seq[3] = {0x1d, 0x38, 0x153};
    for (int i = 0; i < 3; i++)
        c->ops->key_press(c->in, seq[i]);
    for (int i = 2; i >= 0; i--)
        c->ops->key_release(c->in, seq[i]);
    vg_info("Ctrl+Alt+Del sent to the guest");
}

/* A key pressed while the escape key is held: the client's own action. */
static int escape_combo(struct vg_input_ctl *c, SDL_Scancode sc)
{
    c->escape_combo = true;
    switch (sc) {
    case SDL_SCANCODE_F:
        return VG_WINDOW_EVENT_TOGGLE_FULLSCREEN;
    case SDL_SCANCODE_O:
        return VG_WINDOW_EVENT_TOGGLE_OVERLAY;
    case SDL_SCANCODE_Q:
        return VG_WINDOW_EVENT_QUIT;
    case SDL_SCANCODE_D:
        send_ctrl_alt_del(c);
        return VG_WINDOW_EVENT_NONE;
    case SDL_SCANCODE_Y:
    case SDL_SCANCODE_N:
        if (c->mic)
            vg_mic_ctl_answer(c->mic, sc == SDL_SCANCODE_Y);
        return VG_WINDOW_EVENT_REDRAW;
    case SDL_SCANCODE_I:
        step(c, VG_MOUSE_TOGGLE_INPUT);
        vg_info("keyboard and mouse %s", c->mouse.enabled ? "to the guest" : "kept by the host");
        return VG_WINDOW_EVENT_REDRAW;
    default:
        return VG_WINDOW_EVENT_NONE;
    }
}

static int on_key(struct vg_input_ctl *c, const SDL_KeyboardEvent *k)
{
    bool down = k->type == SDL_KEYDOWN;
    SDL_Scancode sc = k->keysym.scancode;
    if (sc == c->escape) {
        if (down && !k->repeat) {
            c->escape_down = true;
            c->escape_combo = false;
        } else if (!down) {
            c->escape_down = false;
            if (!c->escape_combo)
                step(c, VG_MOUSE_ESCAPE);
        }
        return VG_WINDOW_EVENT_NONE;
    }
    if (c->escape_down) {
        /* The combination's keys never reach the guest (their releases neither: they were
         * never pressed there). */
        return down && !k->repeat ? escape_combo(c, sc) : VG_WINDOW_EVENT_NONE;
    }
    /* The microphone's prompt takes Y and N (their releases go nowhere: never pressed). */
    if (c->mic && down && !k->repeat && (sc == SDL_SCANCODE_Y || sc == SDL_SCANCODE_N) &&
        vg_mic_ctl_prompt_key(c->mic, sc == SDL_SCANCODE_Y ? 'y' : 'n'))
        return VG_WINDOW_EVENT_REDRAW;
    if (!c->in || !vg_mouse_keys_to_guest(&c->mouse))
        return -1;
    /* The guest repeats held keys itself. */
    if (k->repeat)
        return VG_WINDOW_EVENT_NONE;
    uint32_t code = vg_keymap_to_set1(sc);
    if (!code || code >= CODES)
        return VG_WINDOW_EVENT_NONE;
    if (down && !c->held[code]) {
        c->held[code] = true;
        c->ops->key_press(c->in, code);
    } else if (!down && c->held[code]) {
        c->held[code] = false;
        c->ops->key_release(c->in, code);
    }
    return VG_WINDOW_EVENT_NONE;
}

/* A window point (SDL's window coordinates) to guest display pixels. */
static bool window_to_guest(struct vg_input_ctl *c, int x, int y, int32_t *gx, int32_t *gy)
{
    SDL_Window *w = vg_window_sdl(c->window);
    int ww = 0, wh = 0;
    if (!w)
        return false;
    SDL_GetWindowSize(w, &ww, &wh);
    SDL_GL_GetDrawableSize(w, &c->view.win_w, &c->view.win_h);
    if (ww <= 0 || wh <= 0)
        return false;
    double sx = (double)c->view.win_w / ww, sy = (double)c->view.win_h / wh;
    return vg_mouse_map(&c->view, x * sx, y * sy, gx, gy);
}

static void send_position(struct vg_input_ctl *c, int x, int y, bool always)
{
    int32_t gx, gy;
    if (!window_to_guest(c, x, y, &gx, &gy))
        return;
    if (!always && c->sent_position && gx == c->last_x && gy == c->last_y)
        return;
    c->ops->mouse_position(c->in, gx, gy, c->buttons);
    c->last_x = gx;
    c->last_y = gy;
    c->sent_position = true;
}

static enum vg_input_button sdl_button(Uint8 b)
{
    switch (b) {
    case SDL_BUTTON_LEFT:
        return VG_INPUT_BUTTON_LEFT;
    case SDL_BUTTON_MIDDLE:
        return VG_INPUT_BUTTON_MIDDLE;
    case SDL_BUTTON_RIGHT:
        return VG_INPUT_BUTTON_RIGHT;
    case SDL_BUTTON_X1:
        return VG_INPUT_BUTTON_SIDE;
    case SDL_BUTTON_X2:
        return VG_INPUT_BUTTON_EXTRA;
    default:
        return 0;
    }
}

static int on_button(struct vg_input_ctl *c, const SDL_MouseButtonEvent *e)
{
    enum vg_input_button b = sdl_button(e->button);
    if (!b || !c->in)
        return -1;
    uint32_t m = VG_INPUT_BUTTON_MASK(b);
    bool down = e->type == SDL_MOUSEBUTTONDOWN;
    if (down) {
        struct vg_mouse_actions a = vg_mouse_step(&c->mouse, VG_MOUSE_CLICK);
        apply(c, a);
        if (a.swallow) {
            c->swallowed |= m;
            return VG_WINDOW_EVENT_REDRAW;
        }
    } else if (c->swallowed & m) {
        c->swallowed &= ~m;
        return VG_WINDOW_EVENT_NONE;
    }
    enum vg_mouse_route r = vg_mouse_route(&c->mouse);
    if (r == VG_MOUSE_ROUTE_NONE)
        return -1;
    if (down == !!(c->buttons & m))
        return VG_WINDOW_EVENT_NONE;
    if (r == VG_MOUSE_ROUTE_ABSOLUTE)
        send_position(c, e->x, e->y, false);
    if (down) {
        c->buttons |= m;
        c->ops->button_press(c->in, b, c->buttons);
    } else {
        c->buttons &= ~m;
        c->ops->button_release(c->in, b, c->buttons);
    }
    return VG_WINDOW_EVENT_NONE;
}

static int on_wheel(struct vg_input_ctl *c, const SDL_MouseWheelEvent *e)
{
    if (!c->in || vg_mouse_route(&c->mouse) == VG_MOUSE_ROUTE_NONE)
        return -1;
    int y = e->direction == SDL_MOUSEWHEEL_FLIPPED ? -e->y : e->y;
    enum vg_input_button b = y > 0 ? VG_INPUT_BUTTON_WHEEL_UP : VG_INPUT_BUTTON_WHEEL_DOWN;
    int steps = y > 0 ? y : -y;
    if (steps > MAX_WHEEL_STEPS)
        steps = MAX_WHEEL_STEPS;
    for (int i = 0; i < steps; i++) {
        c->ops->button_press(c->in, b, c->buttons | VG_INPUT_BUTTON_MASK(b));
        c->ops->button_release(c->in, b, c->buttons);
    }
    return VG_WINDOW_EVENT_NONE;
}

static int on_motion(struct vg_input_ctl *c, const SDL_MouseMotionEvent *e)
{
    if (!c->in)
        return -1;
    switch (vg_mouse_route(&c->mouse)) {
    case VG_MOUSE_ROUTE_ABSOLUTE:
        send_position(c, e->x, e->y, false);
        return VG_WINDOW_EVENT_NONE;
    case VG_MOUSE_ROUTE_RELATIVE:
        if (e->xrel || e->yrel)
            c->ops->mouse_motion(c->in, e->xrel, e->yrel, c->buttons);
        return VG_WINDOW_EVENT_NONE;
    default:
        return -1;
    }
}

int vg_input_ctl_filter(void *data, const union SDL_Event *ev)
{
    struct vg_input_ctl *c = data;
    switch (ev->type) {
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        return on_key(c, &ev->key);
    case SDL_MOUSEMOTION:
        return on_motion(c, &ev->motion);
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        return on_button(c, &ev->button);
    case SDL_MOUSEWHEEL:
        return on_wheel(c, &ev->wheel);
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_FOCUS_LOST) {
            c->escape_down = false;
            step(c, VG_MOUSE_FOCUS_LOST);
        } else if (ev->window.event == SDL_WINDOWEVENT_FOCUS_GAINED) {
            step(c, VG_MOUSE_FOCUS_GAINED);
            vg_client_clipboard_host_changed(c->clip, c->ops, c->in);
        }
        return -1;
    case SDL_CLIPBOARDUPDATE:
        vg_client_clipboard_host_changed(c->clip, c->ops, c->in);
        return -1;
    default:
        return -1;
    }
}
