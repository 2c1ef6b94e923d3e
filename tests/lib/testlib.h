/* Minimal test helpers: checks that report file:line and keep going, a summary line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

extern int vg_test_failures;
extern int vg_test_checks;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        vg_test_checks++;                                                                 \
        if (!(cond)) {                                                                    \
            vg_test_failures++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);      \
        }                                                                                 \
    } while (0)

#define CHECK_MSG(cond, ...)                                                              \
    do {                                                                                  \
        vg_test_checks++;                                                                 \
        if (!(cond)) {                                                                    \
            vg_test_failures++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);      \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
        }                                                                                 \
    } while (0)

/* Runs a named case: prints "ok"/"FAIL" with the name. VG_TEST_ONLY=substring runs only the
 * cases whose names contain it (debugging). */
#define RUN(fn)                                                                           \
    do {                                                                                  \
        if (!vg_test_selected(#fn))                                                       \
            break;                                                                        \
        int before_ = vg_test_failures;                                                   \
        fn();                                                                             \
        fprintf(stderr, "%s %s\n", vg_test_failures == before_ ? "ok  " : "FAIL", #fn);   \
    } while (0)

bool vg_test_selected(const char *name);

/* Prints "N checks, M failed" and returns the exit code for main. A run with no checks fails:
 * a test that checked nothing proved nothing. */
int vg_test_finish(void);

/* Creates a fresh temporary directory (mkdtemp under $TMPDIR or /tmp); returns a static path
 * that stays valid until the next call. Removed at exit. */
const char *vg_test_tmpdir(void);

/* Starts argv[0] (a path, or a name looked up in PATH) with argv, stdout/stderr inherited;
 * returns the pid or -1. */
pid_t vg_test_spawn(char *const argv[]);
/* The same with stdout into the file out and stderr into err (either NULL: inherited; both
 * may name one file). append: add to the files instead of truncating them. */
pid_t vg_test_spawn_io(char *const argv[], const char *out, const char *err, bool append);
/* Starts prog with the NULL-terminated args after it (at most 63), its stdout and stderr
 * going to the files dir/stdout and dir/stderr (truncated); vg_test_collect reads them. */
pid_t vg_test_spawn_capture(const char *prog, const char *const *args, const char *dir);
void vg_test_collect(const char *dir, char *out, size_t out_size, char *err, size_t err_size);
/* Both: runs prog to completion (timeout_ms at most) and collects its output; returns its exit
 * status as vg_test_wait does, -1 if it could not start. */
int vg_test_run_capture(const char *prog, const char *const *args, const char *dir,
                        int timeout_ms, char *out, size_t out_size, char *err, size_t err_size);
/* Checks that prog with args is a usage error: exit status 2, needle named on stderr. */
void vg_test_expect_usage_error(const char *prog, const char *const *args, const char *dir,
                                const char *needle);
/* A whole (small) file to free(), NUL-terminated after its *len bytes; NULL if unreadable. */
char *vg_test_read_file(const char *path, size_t *len);
/* The same as a string. */
char *vg_test_slurp(const char *path);
/* At most size - 1 bytes of a file into buf, NUL-terminated (empty if unreadable). */
void vg_test_read_text(const char *path, char *buf, size_t size);
/* Removes leading and trailing white space (spaces, tabs, newlines) from s, in place. */
void vg_test_trim(char *s);
/* Waits up to timeout_ms for pid; returns its exit status (0..255), 128+signal, or -1 on
 * timeout (the child is then killed). */
int vg_test_wait(pid_t pid, int timeout_ms);
