#include "clipboard.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct vg_clipboard {
    bool to_guest, to_host;
    pthread_mutex_t lock;
    char *host; /* the host's text, NULL: none */
    size_t host_len;
    char *guest;      /* the guest's text not taken yet */
    char *guest_last; /* the guest's text last taken (the host's clipboard then holds it) */
};

struct vg_clipboard *vg_clipboard_create(bool to_guest, bool to_host)
{
    struct vg_clipboard *cb = calloc(1, sizeof(*cb));
    if (!cb)
        return NULL;
    cb->to_guest = to_guest;
    cb->to_host = to_host;
    pthread_mutex_init(&cb->lock, NULL);
    return cb;
}

void vg_clipboard_destroy(struct vg_clipboard *cb)
{
    if (!cb)
        return;
    pthread_mutex_destroy(&cb->lock);
    free(cb->host);
    free(cb->guest);
    free(cb->guest_last);
    free(cb);
}

bool vg_clipboard_to_guest(const struct vg_clipboard *cb)
{
    return cb->to_guest;
}

bool vg_clipboard_to_host(const struct vg_clipboard *cb)
{
    return cb->to_host;
}

bool vg_clipboard_text_valid(const void *data, size_t size)
{
    const uint8_t *p = data;
    size_t i = 0;
    while (i < size) {
        uint8_t c = p[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false; /* a continuation byte first, an overlong lead, or beyond U+10FFFF */
        }
        if (size - i - 1 < n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

static char *copy_text(const void *data, size_t len)
{
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    if (len)
        memcpy(s, data, len);
    s[len] = 0;
    return s;
}

char *vg_clipboard_lf_to_crlf(const char *s, size_t len, size_t *out_len)
{
    *out_len = 0;
    if (len > VG_CLIPBOARD_MAX)
        return NULL;
    /* At most twice the size: no overflow below VG_CLIPBOARD_MAX. */
    char *out = malloc(2 * len + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            out[n++] = '\r';
        out[n++] = s[i];
    }
    out[n] = 0;
    *out_len = n;
    return out;
}

size_t vg_clipboard_crlf_to_lf(char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
            continue;
        s[n++] = s[i];
    }
    return n;
}

bool vg_clipboard_set_host(struct vg_clipboard *cb, const char *text)
{
    size_t len = text ? strnlen(text, VG_CLIPBOARD_MAX + 1) : 0;
    char *copy = NULL;
    if (len > 0 && len <= VG_CLIPBOARD_MAX && vg_clipboard_text_valid(text, len))
        copy = copy_text(text, len);
    if (!copy)
        len = 0;
    pthread_mutex_lock(&cb->lock);
    bool same = (!copy && !cb->host) || (copy && cb->host && strcmp(copy, cb->host) == 0);
    bool echo = copy && cb->guest_last && strcmp(copy, cb->guest_last) == 0;
    free(cb->host);
    cb->host = copy;
    cb->host_len = len;
    pthread_mutex_unlock(&cb->lock);
    return cb->to_guest && !same && !echo;
}

char *vg_clipboard_host_text(struct vg_clipboard *cb, size_t *len)
{
    char *s = NULL;
    *len = 0;
    if (!cb->to_guest)
        return NULL;
    pthread_mutex_lock(&cb->lock);
    if (cb->host && (s = copy_text(cb->host, cb->host_len)) != NULL)
        *len = cb->host_len;
    pthread_mutex_unlock(&cb->lock);
    return s;
}

bool vg_clipboard_host_has_text(struct vg_clipboard *cb)
{
    pthread_mutex_lock(&cb->lock);
    bool has = cb->to_guest && cb->host;
    pthread_mutex_unlock(&cb->lock);
    return has;
}

bool vg_clipboard_put_guest(struct vg_clipboard *cb, const void *data, size_t size)
{
    if (!cb->to_host || (size && !data))
        return false;
    const uint8_t *p = data;
    while (size > 0 && p[size - 1] == 0)
        size--;
    if (size > VG_CLIPBOARD_MAX || !vg_clipboard_text_valid(data, size))
        return false;
    char *copy = copy_text(data, size);
    if (!copy)
        return false;
    pthread_mutex_lock(&cb->lock);
    free(cb->guest);
    cb->guest = copy;
    pthread_mutex_unlock(&cb->lock);
    return true;
}

char *vg_clipboard_take_guest(struct vg_clipboard *cb)
{
    pthread_mutex_lock(&cb->lock);
    char *s = cb->guest;
    cb->guest = NULL;
    if (s) {
        free(cb->guest_last);
        cb->guest_last = copy_text(s, strlen(s));
    }
    pthread_mutex_unlock(&cb->lock);
    return s;
}
