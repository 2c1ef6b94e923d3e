#include "region.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "vg/log.h"

volatile sig_atomic_t vg_guest_stop_requested;

static void on_signal(int sig)
{
    vg_guest_stop_requested = sig;
}

void vg_guest_catch_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

enum vg_guest_region vg_guest_region_probe(const char *path, uint64_t need, uint64_t *have)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return VG_GUEST_REGION_CREATE;
        vg_err("cannot stat %s: %s", path, strerror(errno));
        return VG_GUEST_REGION_ERROR;
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return VG_GUEST_REGION_CREATE;
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < need) {
        *have = (uint64_t)st.st_size;
        return VG_GUEST_REGION_TOO_SMALL;
    }
    return VG_GUEST_REGION_USE;
}

bool vg_guest_region_map(const char *path, bool create, uint64_t create_size, struct vg_shm *shm)
{
    if (create_size > SIZE_MAX) {
        vg_err("%s: %llu bytes are more than this machine can map", path,
               (unsigned long long)create_size);
        return false;
    }
    char err[512];
    unsigned flags = VG_SHM_WRITE | (create ? VG_SHM_CREATE : 0);
    if (vg_shm_map(shm, path, flags, 0, create ? (size_t)create_size : 0, err, sizeof(err)) < 0) {
        vg_err("%s", err);
        return false;
    }
    return true;
}
