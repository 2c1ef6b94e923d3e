#include "vg/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *log_program = "vgapt";
static enum vg_log_level log_level = VG_LOG_INFO;

static const char *const level_names[] = {
    [VG_LOG_ERROR] = "error",
    [VG_LOG_WARN] = "warn",
    [VG_LOG_INFO] = "info",
    [VG_LOG_DEBUG] = "debug",
};

void vg_log_init(const char *program, enum vg_log_level level)
{
    if (program) {
        const char *slash = strrchr(program, '/');
        log_program = slash ? slash + 1 : program;
    }
    log_level = level;
}

void vg_log_set_level(enum vg_log_level level)
{
    log_level = level;
}

enum vg_log_level vg_log_get_level(void)
{
    return log_level;
}

bool vg_log_level_parse(const char *s, enum vg_log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum vg_log_level)i;
            return true;
        }
    }
    return false;
}

void vg_log(enum vg_log_level level, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char line[1024];
    int n = snprintf(line, sizeof(line), "%s: %s: ", log_program, level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    /* One event, one line: fold embedded newlines so a line is never interleaved. */
    for (size_t i = (size_t)n; i < len; i++) {
        if (line[i] == '\n')
            line[i] = ' ';
    }
    line[len++] = '\n';
    /* One write(2) per line keeps lines whole between threads. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
