#include "util/sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die_oom(void)
{
    fputs("vgapt-setup: out of memory\n", stderr);
    abort();
}

void *vg_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die_oom();
    return p;
}

void *vg_xrealloc(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        die_oom();
    void *q = realloc(p, total ? total : 1);
    if (!q)
        die_oom();
    return q;
}

char *vg_xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        die_oom();
    return d;
}

static void reserve(struct vg_sbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = vg_xrealloc(b->data, cap, 1);
    b->cap = cap;
}

void vg_sbuf_putn(struct vg_sbuf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void vg_sbuf_puts(struct vg_sbuf *b, const char *s)
{
    vg_sbuf_putn(b, s, strlen(s));
}

static void vprintf_to(struct vg_sbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        die_oom();
    reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void vg_sbuf_printf(struct vg_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf_to(b, fmt, ap);
    va_end(ap);
}

char *vg_xasprintf(const char *fmt, ...)
{
    struct vg_sbuf b = {0};
    va_list ap;
    va_start(ap, fmt);
    vprintf_to(&b, fmt, ap);
    va_end(ap);
    return vg_sbuf_take(&b);
}

void vg_sbuf_json_str(struct vg_sbuf *b, const char *s)
{
    vg_sbuf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"':
            vg_sbuf_puts(b, "\\\"");
            break;
        case '\\':
            vg_sbuf_puts(b, "\\\\");
            break;
        case '\n':
            vg_sbuf_puts(b, "\\n");
            break;
        case '\t':
            vg_sbuf_puts(b, "\\t");
            break;
        case '\r':
            vg_sbuf_puts(b, "\\r");
            break;
        default:
            if (*p < 0x20)
                vg_sbuf_printf(b, "\\u%04x", *p);
            else
                vg_sbuf_putn(b, (const char *)p, 1);
        }
    }
    vg_sbuf_puts(b, "\"");
}

char *vg_sbuf_take(struct vg_sbuf *b)
{
    char *s = b->data ? b->data : vg_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void vg_sbuf_free(struct vg_sbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void vg_shell_quote(const char *s, struct vg_sbuf *out)
{
    if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "-_./=:,+@%") == strlen(s)) {
        vg_sbuf_puts(out, s);
        return;
    }
    vg_sbuf_puts(out, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            vg_sbuf_puts(out, "'\\''");
        else
            vg_sbuf_putn(out, p, 1);
    }
    vg_sbuf_puts(out, "'");
}
