#include "plan/plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lines {
    const char **s; /* start of each line, borrowed from the text */
    size_t *len;    /* without the newline */
    size_t n;
};

static void split(const char *text, struct lines *l)
{
    l->n = 0;
    l->s = NULL;
    l->len = NULL;
    const char *p = text ? text : "";
    while (*p) {
        size_t n = strcspn(p, "\n");
        l->s = vg_xrealloc(l->s, l->n + 1, sizeof(*l->s));
        l->len = vg_xrealloc(l->len, l->n + 1, sizeof(*l->len));
        l->s[l->n] = p;
        l->len[l->n] = n;
        l->n++;
        p += n;
        if (*p == '\n')
            p++;
    }
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
    return a->len[i] == b->len[j] && !memcmp(a->s[i], b->s[j], a->len[i]);
}

struct op {
    char kind; /* ' ', '-', '+' */
    size_t ai, bi;
};

enum { CONTEXT = 3 };

void vg_diff_unified(const char *a, const char *b, const char *label_a, const char *label_b,
                     struct vg_sbuf *out)
{
    struct lines la, lb;
    split(a, &la);
    split(b, &lb);
    /* Common prefix and suffix first: configuration edits touch a few lines of a file, so
     * the quadratic table below only ever sees the changed middle. */
    size_t pre = 0;
    while (pre < la.n && pre < lb.n && same(&la, pre, &lb, pre))
        pre++;
    size_t suf = 0;
    while (suf < la.n - pre && suf < lb.n - pre && same(&la, la.n - 1 - suf, &lb, lb.n - 1 - suf))
        suf++;
    size_t n = la.n - pre - suf, m = lb.n - pre - suf;
    uint32_t *t = vg_xcalloc((n + 1) * (m + 1), sizeof(*t));
#define T(i, j) t[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            T(i, j) = same(&la, pre + i, &lb, pre + j) ? T(i + 1, j + 1) + 1
                      : T(i + 1, j) >= T(i, j + 1)     ? T(i + 1, j)
                                                       : T(i, j + 1);
    struct op *ops = vg_xcalloc(la.n + lb.n + 1, sizeof(*ops));
    size_t nops = 0;
    for (size_t k = 0; k < pre; k++)
        ops[nops++] = (struct op){' ', k, k};
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && same(&la, pre + i, &lb, pre + j)) {
            ops[nops++] = (struct op){' ', pre + i, pre + j};
            i++;
            j++;
        } else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
            ops[nops++] = (struct op){'-', pre + i, pre + j};
            i++;
        } else {
            ops[nops++] = (struct op){'+', pre + i, pre + j};
            j++;
        }
    }
#undef T
    for (size_t k = 0; k < suf; k++)
        ops[nops++] = (struct op){' ', la.n - suf + k, lb.n - suf + k};
    free(t);

    bool header = false;
    size_t k = 0;
    while (k < nops) {
        while (k < nops && ops[k].kind == ' ')
            k++;
        if (k == nops)
            break;
        size_t start = k > CONTEXT ? k - CONTEXT : 0;
        /* Extend the hunk while the next change is within 2 x CONTEXT unchanged lines. */
        size_t end = k;
        for (;;) {
            while (end < nops && ops[end].kind != ' ')
                end++;
            size_t run = end;
            while (run < nops && ops[run].kind == ' ')
                run++;
            if (run < nops && run - end <= 2 * CONTEXT) {
                end = run;
                continue;
            }
            end = end + CONTEXT < nops ? end + CONTEXT : nops;
            break;
        }
        size_t a_start = ops[start].ai, b_start = ops[start].bi, a_len = 0, b_len = 0;
        for (size_t q = start; q < end; q++) {
            a_len += ops[q].kind != '+';
            b_len += ops[q].kind != '-';
        }
        if (!header) {
            vg_sbuf_printf(out, "--- %s\n+++ %s\n", label_a, label_b);
            header = true;
        }
        vg_sbuf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", a_len ? a_start + 1 : a_start, a_len,
                       b_len ? b_start + 1 : b_start, b_len);
        for (size_t q = start; q < end; q++) {
            const struct lines *l = ops[q].kind == '+' ? &lb : &la;
            size_t idx = ops[q].kind == '+' ? ops[q].bi : ops[q].ai;
            vg_sbuf_putn(out, &ops[q].kind, 1);
            vg_sbuf_putn(out, l->s[idx], l->len[idx]);
            vg_sbuf_puts(out, "\n");
        }
        k = end;
    }
    free(ops);
    free(la.s);
    free(la.len);
    free(lb.s);
    free(lb.len);
}
