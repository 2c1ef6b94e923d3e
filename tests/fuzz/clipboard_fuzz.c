#include "clipboard_fuzz.h"

#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clipboard.h"

/* glibc's decoder, as a second opinion on what vg_clipboard_text_valid accepts. */
static bool iconv_accepts(const uint8_t *s, size_t n)
{
    iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
    if (cd == (iconv_t)-1)
        return true; /* no second opinion here */
    bool ok = true;
    char *in = (char *)s;
    size_t left = n;
    while (ok && left > 0) {
        char out[4096], *o = out;
        size_t room = sizeof(out);
        if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && room >= 4)
            ok = false; /* not E2BIG: invalid or incomplete input */
    }
    iconv_close(cd);
    return ok;
}

int clipboard_fuzz_run(const uint8_t *data, size_t len)
{
    if (len == 0)
        return 0;
    bool to_guest = data[0] & 1, to_host = data[0] & 2;
    const uint8_t *text = data + 1;
    size_t n = len - 1;
    struct vg_clipboard *cb = vg_clipboard_create(to_guest, to_host);
    if (!cb)
        return 0;
    int kept = 0;
    size_t trimmed = n;
    while (trimmed > 0 && text[trimmed - 1] == 0)
        trimmed--;
    if (vg_clipboard_put_guest(cb, text, n)) {
        if (!to_host || trimmed > VG_CLIPBOARD_MAX || memchr(text, 0, trimmed) ||
            !iconv_accepts(text, trimmed))
            abort();
        char *s = vg_clipboard_take_guest(cb);
        if (!s || strlen(s) != trimmed || memcmp(s, text, trimmed) != 0)
            abort();
        /* Line ends for a Windows guest: still UTF-8, and back as it was without a CRLF. */
        size_t wn = 0;
        char *w = vg_clipboard_lf_to_crlf(s, trimmed, &wn);
        if (!w || wn < trimmed || wn > 2 * trimmed || !vg_clipboard_text_valid(w, wn))
            abort();
        if (!memmem(s, trimmed, "\r\n", 2) &&
            (vg_clipboard_crlf_to_lf(w, wn) != trimmed || memcmp(w, s, trimmed) != 0))
            abort();
        free(w);
        /* Back on the host, the guest's own text is no news to the guest. */
        if (vg_clipboard_set_host(cb, s))
            abort();
        free(s);
        kept = 1;
    } else if (vg_clipboard_take_guest(cb)) {
        abort();
    }
    /* The same bytes as the host's text: offered only when valid and allowed. */
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, text, n);
        c[n] = 0;
        size_t clen = strlen(c);
        bool offered = vg_clipboard_set_host(cb, c);
        size_t got = 0;
        char *h = vg_clipboard_host_text(cb, &got);
        if (offered && (!to_guest || !h || got != clen || memcmp(h, c, clen) != 0))
            abort();
        if (h && (!to_guest || !vg_clipboard_text_valid(h, got)))
            abort();
        free(h);
        free(c);
    }
    vg_clipboard_destroy(cb);
    return kept;
}
