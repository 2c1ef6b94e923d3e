/* The text clipboard between the client's main thread (the host's clipboard, through SDL) and
 * an input backend's thread (the guest's clipboard, through its agent): one copy of each side's
 * text, under a lock. Pure (libc and pthreads).
 *
 * The guest's text is hostile input: it is kept only when it is valid UTF-8 without a NUL
 * inside and at most VG_CLIPBOARD_MAX bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The largest text taken in either direction, in bytes. */
#define VG_CLIPBOARD_MAX ((size_t)16 << 20)

struct vg_clipboard;

/* to_guest, to_host: the directions allowed (--clipboard-to-guest, --clipboard-to-host).
 * NULL when out of memory. */
struct vg_clipboard *vg_clipboard_create(bool to_guest, bool to_host);
/* Accepts NULL. */
void vg_clipboard_destroy(struct vg_clipboard *cb);

bool vg_clipboard_to_guest(const struct vg_clipboard *cb);
bool vg_clipboard_to_host(const struct vg_clipboard *cb);

/* Whether the size bytes at data are UTF-8 as RFC 3629 has it (no overlong forms, surrogates or
 * code points above U+10FFFF) and hold no NUL. Pure. */
bool vg_clipboard_text_valid(const void *data, size_t size);

/* Line ends for a guest whose agent wants CRLF (Windows): a copy of the len bytes at s with each
 * LF not after a CR made CRLF (owned by the caller: free()), its length in *out_len; NULL when
 * len is above VG_CLIPBOARD_MAX or out of memory. Pure. */
char *vg_clipboard_lf_to_crlf(const char *s, size_t len, size_t *out_len);
/* And back: each CRLF of the len bytes at s made LF, in place; returns the new length. Pure. */
size_t vg_clipboard_crlf_to_lf(char *s, size_t len);

/* Main thread: the host's clipboard now holds text (borrowed, copied; NULL or "": none). True
 * when the guest should hear of it: to_guest is on, and the text differs both from the host's
 * text held before and from the guest's text that vg_clipboard_take_guest last handed out (the
 * host's clipboard taking the guest's own text is no news to the guest). False too when the
 * text is invalid or too large (then none is held). */
bool vg_clipboard_set_host(struct vg_clipboard *cb, const char *text);
/* Backend thread: a copy of the host's text (owned by the caller: free()) and its length
 * without the NUL; NULL when there is none or to_guest is off. */
char *vg_clipboard_host_text(struct vg_clipboard *cb, size_t *len);
/* Whether the host holds text that may go to the guest. */
bool vg_clipboard_host_has_text(struct vg_clipboard *cb);

/* Backend thread: the guest's clipboard text, size bytes at data (borrowed, copied; trailing
 * NULs are dropped). False, keeping nothing, when to_host is off or the text is invalid or too
 * large. */
bool vg_clipboard_put_guest(struct vg_clipboard *cb, const void *data, size_t size);
/* Main thread: the guest's newest text not handed out yet (owned by the caller: free()), NULL
 * when there is none. */
char *vg_clipboard_take_guest(struct vg_clipboard *cb);
