/* Input: the client's keyboard and mouse, sent to the guest through a remote-input protocol.
 * One backend per protocol (input/spice: a SPICE server's inputs channel through spice-glib),
 * listed in vg_inputs[].
 *
 * Context: every call from the client's main thread. A backend runs its protocol on a thread
 * of its own; calls only queue work there and never block on the network. Input given before
 * the backend is ready (VG_INPUT_READY) is dropped. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vg_input;
struct vg_pcm_queue;
struct vg_clipboard;

/* Where the server is, from --spice: "unix:/PATH", "HOST:PORT" or "none"; or, from --domain,
 * sockets that someone else connects (libvirt's virDomainOpenGraphicsFD). */
enum vg_input_addr_kind {
    VG_INPUT_ADDR_NONE = 0,
    VG_INPUT_ADDR_UNIX,
    VG_INPUT_ADDR_TCP,
    VG_INPUT_ADDR_FD,
};

struct vg_input_addr {
    enum vg_input_addr_kind kind;
    char path[108]; /* UNIX: the socket (sun_path's size) */
    char host[256]; /* TCP; FD: what the sockets lead to, for messages ("domain NAME") */
    uint16_t port;  /* TCP */
    /* FD: a new socket connected to the server for each channel (ownership passes to the
     * caller), or a negative errno. Called on the backend's thread: it must be thread-safe.
     * ctx borrowed: it must outlive every backend made from this address. */
    int (*open_fd)(void *ctx);
    void *open_fd_ctx;
    /* The session carries the guest's audio (and microphone) alone: no key or pointer event
     * will be sent (--audio-only, --no-input). Only what the backend says changes. */
    bool audio_only;
};

/* Parses uri into *out. false with a message in err (what was wrong, what is accepted). Pure. */
bool vg_input_parse_addr(const char *uri, struct vg_input_addr *out, char *err, size_t err_size);

enum vg_input_state {
    VG_INPUT_CONNECTING = 0,
    VG_INPUT_READY,  /* the server takes keys and mouse events */
    VG_INPUT_FAILED, /* cannot connect, or the connection ended: see message */
};

/* The server's pointer mode. SERVER: it takes relative motion (a guest mouse); CLIENT: it takes
 * absolute positions in the guest display's pixels (a guest tablet, or an agent). */
enum vg_input_mouse_mode {
    VG_INPUT_MOUSE_SERVER = 0,
    VG_INPUT_MOUSE_CLIENT,
};

/* What the backend is doing; a snapshot read by poll_status. */
struct vg_input_status {
    enum vg_input_state state;
    enum vg_input_mouse_mode mouse_mode;
    uint32_t serial; /* grows with every change of state, mouse mode or recording */
    /* The guest records (SPICE record channel): its format, 16-bit. 0 when it does not. */
    uint32_t record_channels, record_rate;
    char message[512]; /* FAILED: why, in words a user can act on; else empty */
};

/* Buttons as the guest sees them; a mask is the OR of (1u << (button - 1)). */
enum vg_input_button {
    VG_INPUT_BUTTON_LEFT = 1,
    VG_INPUT_BUTTON_MIDDLE,
    VG_INPUT_BUTTON_RIGHT,
    VG_INPUT_BUTTON_WHEEL_UP,
    VG_INPUT_BUTTON_WHEEL_DOWN,
    VG_INPUT_BUTTON_SIDE,  /* back */
    VG_INPUT_BUTTON_EXTRA, /* forward */
};

#define VG_INPUT_BUTTON_MASK(b) (1u << ((unsigned)(b)-1u))

struct vg_input_ops {
    const char *name;

    /* Starts connecting to addr (borrowed; copied). Returns at once: the outcome shows in
     * poll_status, where the caller reports it (the backend does not log failures: the caller
     * may retry). NULL only when the backend cannot start at all (logged). */
    struct vg_input *(*create)(const struct vg_input_addr *addr);
    /* Disconnects and joins the backend's thread. Accepts NULL. */
    void (*destroy)(struct vg_input *in);

    /* Copies the current status into *st. Cheap: call once per loop iteration. */
    void (*poll_status)(struct vg_input *in, struct vg_input_status *st);

    /* A PC XT set-1 scancode (see keymap.h): 0x00-0xff, E0-prefixed keys as 0x100 | code. The
     * release takes the same code as the press. */
    void (*key_press)(struct vg_input *in, uint32_t scancode);
    void (*key_release)(struct vg_input *in, uint32_t scancode);

    /* CLIENT mode: the pointer at x, y in the guest display's pixels. buttons: the mask held. */
    void (*mouse_position)(struct vg_input *in, int32_t x, int32_t y, uint32_t buttons);
    /* SERVER mode: relative motion in guest mouse units. */
    void (*mouse_motion)(struct vg_input *in, int32_t dx, int32_t dy, uint32_t buttons);
    /* buttons: the mask held after this press or release. A wheel step is a press and a
     * release of WHEEL_UP or WHEEL_DOWN. */
    void (*button_press)(struct vg_input *in, enum vg_input_button b, uint32_t buttons);
    void (*button_release)(struct vg_input *in, enum vg_input_button b, uint32_t buttons);

    /* Asks the server for a pointer mode; it may refuse (CLIENT needs a tablet or an agent in
     * the guest). The answer shows in poll_status. */
    void (*request_mouse_mode)(struct vg_input *in, enum vg_input_mouse_mode mode);

    /* [optional] The same session also carries the guest's audio: the backend feeds the
     * server's playback stream into q (audio_pcm_queue.h; borrowed, it must outlive the
     * backend) from its thread. Call right after create; NULL stops feeding. */
    void (*set_audio)(struct vg_input *in, struct vg_pcm_queue *q);
    /* [optional] The host's microphone for the guest's recording: while the guest records
     * (poll_status' record_rate), the backend sends what q holds (16-bit PCM in the guest's
     * format, fed by the caller's capture; borrowed, it must outlive the backend) to the
     * server. NULL: the guest records nothing. */
    void (*set_mic)(struct vg_input *in, struct vg_pcm_queue *q);

    /* [optional] The same session also carries the clipboard, UTF-8 text, through the guest's
     * agent: the backend offers the host's text in cb to the guest and puts the guest's text
     * there (clipboard.h; cb borrowed, it must outlive the backend) from its thread. Call right
     * after create; NULL stops it. */
    void (*set_clipboard)(struct vg_input *in, struct vg_clipboard *cb);
    /* [optional, with set_clipboard] The host's text in cb changed (vg_clipboard_set_host
     * returned true): the backend tells the guest. */
    void (*clipboard_changed)(struct vg_input *in);
};

/* The backends built in, NULL-terminated (empty when none was built). */
extern const struct vg_input_ops *const vg_inputs[];

#ifdef VG_HAVE_INPUT_SPICE
extern const struct vg_input_ops vg_input_spice;
#endif
