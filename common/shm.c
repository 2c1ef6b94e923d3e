#include "vg/shm.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm_guard.h"
#include "vg/log.h"

static int fail(char *err, size_t err_size, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_size, int ret, const char *fmt, ...)
{
    if (err && err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return ret;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool is_pci_resource(const char *path)
{
    return strncmp(path, "/sys/", 5) == 0 && strstr(base_name(path), "resource") == base_name(path);
}

static int explain_missing(const char *path, char *err, size_t err_size)
{
    if (strncmp(path, "/dev/kvmfr", 10) == 0)
        return fail(err, err_size, -ENOENT,
                    "%s does not exist: the kvmfr kernel module is not loaded (modprobe kvmfr "
                    "static_size_mb=N) or the device has another number",
                    path);
    if (is_pci_resource(path))
        return fail(err, err_size, -ENOENT,
                    "%s does not exist: no such PCI device or BAR; inside the guest, look for "
                    "the IVSHMEM device (vendor 0x1af4, device 0x1110) under /sys/bus/pci/devices",
                    path);
    return fail(err, err_size, -ENOENT,
                "%s does not exist: the VM is not running, or its definition has no "
                "<shmem name='%s'>; `vgapt-setup --ivshmem --domain VM` adds one",
                path, base_name(path));
}

static int explain_denied(const char *path, bool write, char *err, size_t err_size)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return fail(err, err_size, -EACCES, "permission denied opening %s (%s)", path,
                    write ? "read-write" : "read-only");
    /* getpwuid and getgrgid return static storage: copy each name before the next call. */
    char owner[64], group[64], me[64];
    struct passwd *pw = getpwuid(st.st_uid);
    snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "?");
    struct group *gr = getgrgid(st.st_gid);
    snprintf(group, sizeof(group), "%s", gr ? gr->gr_name : "?");
    pw = getpwuid(getuid());
    snprintf(me, sizeof(me), "%s", pw ? pw->pw_name : "USER");
    /* Joining the group helps only when the group has the access asked for. */
    mode_t group_bit = write ? S_IWGRP : S_IRGRP;
    char also[160] = "";
    if (st.st_mode & group_bit)
        snprintf(also, sizeof(also), ", or add yourself to group %s", group);
    return fail(err, err_size, -EACCES,
                "permission denied opening %s %s: it is owned by %s:%s with mode %04o and you "
                "are %s (uid %u); add a tmpfiles.d rule such as 'f %s 0660 %s kvm -' "
                "(vgapt-setup --ivshmem offers to install it)%s",
                path, write ? "read-write" : "read-only", owner, group,
                (unsigned)(st.st_mode & 07777), me, (unsigned)getuid(), path, me, also);
}

int vg_shm_current_size(const struct vg_shm *shm, size_t *size)
{
    int fd = open(shm->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int ret = 0;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ret = -errno;
    } else if (S_ISCHR(st.st_mode)) {
        long r = ioctl(fd, VG_KVMFR_DMABUF_GETSIZE, 0);
        if (r < 0)
            ret = -errno;
        else
            *size = (size_t)r;
    } else {
        *size = (size_t)st.st_size;
    }
    close(fd);
    return ret;
}

static int explain_open_error(const char *path, int e, bool write, char *err, size_t err_size)
{
    if (e == ENOENT)
        return explain_missing(path, err, err_size);
    if (e == EACCES || e == EPERM)
        return explain_denied(path, write, err, err_size);
    if (e == EISDIR)
        return fail(err, err_size, -EISDIR, "%s is a directory, not a shared memory file", path);
    return fail(err, err_size, -e, "cannot open %s: %s", path, strerror(e));
}

/* Sets shm->kind and *size from what fd is; a file opened with VG_SHM_CREATE that is smaller
 * than create_size grows to it. */
static int region_size(struct vg_shm *shm, const char *path, int fd, const struct stat *st,
                       unsigned flags, size_t create_size, size_t *size, char *err, size_t err_size)
{
    if (S_ISCHR(st->st_mode)) {
        long r = ioctl(fd, VG_KVMFR_DMABUF_GETSIZE, 0);
        if (r < 0)
            return fail(err, err_size, -ENOTTY,
                        "%s is a character device but not a kvmfr device (size ioctl failed: %s)",
                        path, strerror(errno));
        shm->kind = VG_SHM_KVMFR;
        *size = (size_t)r;
    } else if (S_ISREG(st->st_mode)) {
        shm->kind = is_pci_resource(path) ? VG_SHM_PCI_BAR : VG_SHM_FILE;
        *size = (size_t)st->st_size;
        if ((flags & VG_SHM_CREATE) && shm->kind == VG_SHM_FILE && *size < create_size) {
            if (ftruncate(fd, (off_t)create_size) != 0)
                return fail(err, err_size, -errno, "cannot size %s to %zu bytes: %s", path,
                            create_size, strerror(errno));
            *size = create_size;
        }
    } else if (S_ISDIR(st->st_mode)) {
        return fail(err, err_size, -EISDIR,
                    "%s is a directory, not a shared memory file: give "
                    "the file itself, e.g. /dev/shm/looking-glass",
                    path);
    } else {
        return fail(err, err_size, -EINVAL,
                    "%s is neither a regular file nor a kvmfr character device: give the shared "
                    "memory file (e.g. /dev/shm/looking-glass) or /dev/kvmfr0",
                    path);
    }
    return 0;
}

static int check_size(const char *path, size_t size, size_t min_size, char *err, size_t err_size)
{
    if (size == 0)
        return fail(err, err_size, -ENODATA,
                    "%s is empty (0 bytes): the VM has not started yet, or its <shmem> device "
                    "has no <size>",
                    path);
    if (size < min_size)
        return fail(err, err_size, -EMSGSIZE,
                    "%s is %zu bytes, smaller than the %zu bytes the protocol needs: give "
                    "<shmem name='%s'> a larger <size> (vgapt-setup --ivshmem sizes it)",
                    path, size, min_size, base_name(path));
    return 0;
}

int vg_shm_map(struct vg_shm *shm, const char *path, unsigned flags, size_t min_size,
               size_t create_size, char *err, size_t err_size)
{
    memset(shm, 0, sizeof(*shm));
    if (!path || !*path)
        return fail(err, err_size, -EINVAL, "no shared memory path given");
    if (strlen(path) >= sizeof(shm->path))
        return fail(err, err_size, -ENAMETOOLONG, "shared memory path too long");
    snprintf(shm->path, sizeof(shm->path), "%s", path);

    bool write = flags & VG_SHM_WRITE;
    int oflags = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    if (flags & VG_SHM_CREATE)
        oflags |= O_CREAT;
    int fd = open(path, oflags, 0660);
    if (fd < 0)
        return explain_open_error(path, errno, write, err, err_size);

    int ret;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ret = fail(err, err_size, -errno, "cannot stat %s: %s", path, strerror(errno));
        goto fail;
    }
    size_t size = 0;
    ret = region_size(shm, path, fd, &st, flags, create_size, &size, err, err_size);
    if (ret < 0)
        goto fail;
    ret = check_size(path, size, min_size, err, err_size);
    if (ret < 0)
        goto fail;

    void *base = mmap(NULL, size, PROT_READ | (write ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        ret = fail(err, err_size, -errno, "cannot map %zu bytes of %s: %s", size, path,
                   strerror(errno));
        goto fail;
    }
    shm->fd = -1;
    if (shm->kind == VG_SHM_KVMFR)
        shm->fd = fd;
    else
        close(fd);
    shm->base = base;
    shm->size = size;
    shm->writable = write;
    shm->dev = (uint64_t)st.st_dev;
    shm->ino = (uint64_t)st.st_ino;
    shm->guard = vg_shm_guard_add(base, size);
    if (shm->guard < 0)
        shm->guard = 0;
    return 0;

fail:
    close(fd);
    return ret;
}

void vg_shm_unmap(struct vg_shm *shm)
{
    if (shm->base) {
        vg_shm_guard_remove(shm->guard);
        munmap(shm->base, shm->size);
        if (shm->kind == VG_SHM_KVMFR && shm->fd >= 0)
            close(shm->fd);
    }
    shm->fd = -1;
    shm->guard = 0;
    shm->base = NULL;
    shm->size = 0;
}

bool vg_shm_lost(const struct vg_shm *shm)
{
    return shm->base && vg_shm_guard_lost(shm->guard);
}

bool vg_shm_replaced(const struct vg_shm *shm)
{
    struct stat st;
    if (stat(shm->path, &st) != 0)
        return true;
    if (S_ISCHR(st.st_mode))
        return st.st_rdev == 0;
    if ((uint64_t)st.st_dev != shm->dev || (uint64_t)st.st_ino != shm->ino)
        return true;
    size_t size;
    return S_ISREG(st.st_mode) && vg_shm_current_size(shm, &size) == 0 && size != shm->size;
}
