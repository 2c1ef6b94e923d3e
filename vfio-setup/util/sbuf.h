/* A growable NUL-terminated string buffer. Allocation failure aborts: the setup tool builds
 * small texts and has no useful way to go on without memory. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct vg_sbuf {
    char *data; /* always NUL-terminated once anything was appended; owned */
    size_t len;
    size_t cap;
};

void vg_sbuf_puts(struct vg_sbuf *b, const char *s);
void vg_sbuf_putn(struct vg_sbuf *b, const char *s, size_t n);
void vg_sbuf_printf(struct vg_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (with the quotes). */
void vg_sbuf_json_str(struct vg_sbuf *b, const char *s);
/* Appends s quoted for a POSIX shell when it needs quoting (display only). */
void vg_shell_quote(const char *s, struct vg_sbuf *out);
/* Returns the text (never NULL) and leaves b empty; the caller owns the result. */
char *vg_sbuf_take(struct vg_sbuf *b);
void vg_sbuf_free(struct vg_sbuf *b);

/* strdup/printf into a new string that aborts on allocation failure; owned by the caller. */
char *vg_xstrdup(const char *s);
char *vg_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *vg_xcalloc(size_t n, size_t size);
void *vg_xrealloc(void *p, size_t n, size_t size);
