/* Every reason the client can give for "waiting for guest" (the window's message and the log's
 * line, for the frames and for the audio) has an entry in docs/troubleshooting.md: the longest
 * fixed part of each message, as the source writes it, appears in that page.
 * The messages are found in the sources of the client's transports, the shared-memory mapping
 * and the audio source, where they are written into a reason buffer.
 * Usage: test-docs-reasons SOURCE-DIR */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

/* Calls whose first string literal is a reason the user sees. */
static const char *const markers[] = {
    "set_reason(",                  /* the link and the audio source */
    "->reason, sizeof(",            /* snprintf(t->reason, sizeof(t->reason), "...") */
    "fail(err, err_size,",          /* vg_shm_map's explanations */
    "lose_session(t, ",             /* the Looking Glass session ended: why */
    "snprintf(why, sizeof(why),",   /* a reason built before it is passed on */
    "snprintf(text, sizeof(text),", /* the audio source's reasons */
    "\"waiting for guest: %s\",",   /* the window's message: its own "no frame yet" */
};

/* The folders whose code produces what the client shows. */
static const char *const dirs[] = {
    "common",
    "guest-protocol",
    "host-client/transport",
    "host-client/transport/vgfp",
    "host-client/transport/lgmp",
    "host-client/client",
    "host-client/audio/source/scream",
};

static const char *src_dir;
static char *page; /* troubleshooting.md, whitespace folded */
static int n_reasons, n_files_with_reasons;

/* Runs of white space become one space, so a message wrapped in the page still matches. */
static void fold_space(char *s)
{
    char *o = s;
    bool space = false;
    for (char *p = s; *p; p++) {
        if (isspace((unsigned char)*p)) {
            space = true;
            continue;
        }
        if (space && o != s)
            *o++ = ' ';
        space = false;
        *o++ = *p;
    }
    *o = 0;
}

/* Punctuation at either end ("): install ...") belongs to what the conversion prints. */
static void trim_punct(char *s)
{
    size_t n = strlen(s);
    while (n && !isalnum((unsigned char)s[n - 1]))
        s[--n] = 0;
    size_t k = 0;
    while (s[k] && !isalnum((unsigned char)s[k]))
        k++;
    memmove(s, s + k, n - k + 1);
}

/* The C string literals from p on, concatenated as the compiler does, up to the end of the
 * statement; an identifier between literals (PRIu64) stands for a conversion. Returns false
 * when the statement has no literal. */
static bool literal_at(const char *p, char *out, size_t size)
{
    size_t o = 0;
    bool found = false, in_str = false;
    int depth = 0;
    for (; *p; p++) {
        if (!in_str) {
            if (*p == ';' || (*p == ')' && depth == 0 && found) || *p == '{')
                break;
            if (*p == '(')
                depth++;
            if (*p == ')')
                depth--;
            if (*p == '"') {
                in_str = true;
                found = true;
                continue;
            }
            if (found && (isalpha((unsigned char)*p) || *p == '_')) {
                /* between two literals, a macro such as PRIu32 completes the preceding % */
                while (isalnum((unsigned char)p[1]) || p[1] == '_')
                    p++;
                const char *next = p + 1 + strspn(p + 1, " \t\n");
                if (*next != '"')
                    break;
                if (o + 1 < size)
                    out[o++] = 'd';
                continue;
            }
            if (found && *p == ',')
                break; /* the next argument */
            continue;
        }
        if (*p == '\\' && p[1]) {
            p++;
            char c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
            if (o + 1 < size)
                out[o++] = c;
            continue;
        }
        if (*p == '"') {
            in_str = false;
            continue;
        }
        if (o + 1 < size)
            out[o++] = *p;
    }
    out[o] = 0;
    return found;
}

/* The longest part of a printf format between conversions, trimmed. */
static void longest_fixed_part(const char *fmt, char *out, size_t size)
{
    char cur[1024];
    size_t n = 0;
    out[0] = 0;
    for (const char *p = fmt;; p++) {
        bool conv = *p == '%' && p[1] != '%';
        if (*p == 0 || conv) {
            cur[n] = 0;
            char *s = cur;
            while (*s == ' ')
                s++;
            size_t l = strlen(s);
            while (l && (s[l - 1] == ' '))
                s[--l] = 0;
            if (l > strlen(out))
                snprintf(out, size, "%s", s);
            n = 0;
            if (*p == 0)
                return;
            p++;
            while (*p && strchr("-+ #0123456789.*hlzjtL", *p))
                p++;
            if (*p == 0)
                return;
            continue;
        }
        if (*p == '%')
            p++; /* %% */
        if (n + 1 < sizeof(cur))
            cur[n++] = *p;
    }
}

static void check_file(const char *path, const char *name)
{
    char *text = vg_test_slurp(path);
    if (!text)
        return;
    int found = 0;
    for (size_t m = 0; m < sizeof(markers) / sizeof(markers[0]); m++) {
        for (const char *p = strstr(text, markers[m]); p; p = strstr(p + 1, markers[m])) {
            char fmt[2048], key[1024];
            /* the marker's own literal is not the reason */
            const char *from = p + strlen(markers[m]);
            if (!literal_at(from, fmt, sizeof(fmt)))
                continue;
            longest_fixed_part(fmt, key, sizeof(key));
            fold_space(key);
            trim_punct(key);
            if (strlen(key) < 4)
                continue; /* "%s": a reason passed on from elsewhere */
            found++;
            n_reasons++;
            if (getenv("VG_TEST_VERBOSE"))
                fprintf(stderr, "%s: %s\n", name, key);
            int line = 1;
            for (const char *c = text; c < p; c++)
                line += *c == '\n';
            CHECK_MSG(strstr(page, key) != NULL,
                      "%s:%d: the reason \"%s\" has no entry in docs/troubleshooting.md (quote "
                      "it there as the client prints it, with what to do)",
                      name, line, fmt);
        }
    }
    n_files_with_reasons += found > 0;
    free(text);
}

static void every_waiting_reason_has_a_troubleshooting_entry(void)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/docs/troubleshooting.md", src_dir);
    page = vg_test_slurp(path);
    CHECK_MSG(page != NULL, "cannot read %s", path);
    if (!page)
        return;
    fold_space(page);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s/%s", src_dir, dirs[i]);
        DIR *d = opendir(dir);
        CHECK_MSG(d != NULL, "cannot open %s", dir);
        if (!d)
            continue;
        for (struct dirent *e; (e = readdir(d));) {
            size_t len = strlen(e->d_name);
            if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0)
                continue;
            char name[600];
            snprintf(name, sizeof(name), "%s/%s", dirs[i], e->d_name);
            snprintf(path, sizeof(path), "%s/%s", src_dir, name);
            check_file(path, name);
        }
        closedir(d);
    }
    fprintf(stderr, "%d reasons in %d source files\n", n_reasons, n_files_with_reasons);
    /* The mapping, the link, both transports' consumers and the audio source give reasons:
     * fewer means the scan no longer finds them. */
    CHECK(n_files_with_reasons >= 5);
    CHECK(n_reasons >= 30);
    free(page);
}

/* The scan itself: a format split at its conversions, PRIu64 included. */
static void the_fixed_part_of_a_format_is_found(void)
{
    char fmt[256], key[256];
    CHECK(literal_at("(x, \"%s holds \"\n  \"%s data but is only %zu bytes\", a);", fmt,
                     sizeof(fmt)));
    longest_fixed_part(fmt, key, sizeof(key));
    CHECK(strcmp(key, "data but is only") == 0);
    CHECK(literal_at("(b, s, \"no heartbeat for %\" PRIu64 \" ms, so the guest is gone\");", fmt,
                     sizeof(fmt)));
    longest_fixed_part(fmt, key, sizeof(key));
    CHECK(strcmp(key, "ms, so the guest is gone") == 0);
    CHECK(!literal_at("(s, out, err);", fmt, sizeof(fmt)));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOURCE-DIR\n", argv[0]);
        return 2;
    }
    src_dir = argv[1];
    RUN(the_fixed_part_of_a_format_is_found);
    RUN(every_waiting_reason_has_a_troubleshooting_entry);
    return vg_test_finish();
}
