/* Logging to stderr, one line per event: "vgapt-client: warn: message".
 * Thread-safe (one write(2) per line). Not for real-time paths: those count errors in atomics
 * and a normal thread logs them. */
#pragma once

#include <stdbool.h>

enum vg_log_level {
    VG_LOG_ERROR = 0,
    VG_LOG_WARN,
    VG_LOG_INFO,
    VG_LOG_DEBUG,
};

/* Program name shown at the start of each line; borrowed, must outlive logging. */
void vg_log_init(const char *program, enum vg_log_level level);
void vg_log_set_level(enum vg_log_level level);
enum vg_log_level vg_log_get_level(void);
/* Parses "error", "warn", "info", "debug"; false if unknown. */
bool vg_log_level_parse(const char *s, enum vg_log_level *out);

void vg_log(enum vg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define vg_err(...) vg_log(VG_LOG_ERROR, __VA_ARGS__)
#define vg_warn(...) vg_log(VG_LOG_WARN, __VA_ARGS__)
#define vg_info(...) vg_log(VG_LOG_INFO, __VA_ARGS__)
#define vg_debug(...) vg_log(VG_LOG_DEBUG, __VA_ARGS__)
