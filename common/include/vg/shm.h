/* Mapping a shared-memory region: a regular file (/dev/shm/NAME, what libvirt's
 * <shmem name='NAME'> creates), a PCI BAR through sysfs (.../resource2, resource2_wc) or a kvmfr
 * character device (/dev/kvmfrN, sized by the KVMFR_DMABUF_GETSIZE ioctl). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vg_shm_kind {
    VG_SHM_FILE,      /* regular file, size from fstat */
    VG_SHM_PCI_BAR,   /* sysfs resourceN[_wc], size from fstat */
    VG_SHM_KVMFR,     /* kvmfr char device, size from ioctl */
};

enum vg_shm_flags {
    VG_SHM_WRITE = 1 << 0,  /* map read-write (default read-only) */
    VG_SHM_CREATE = 1 << 1, /* create a regular file if missing (mode 0660) */
};

struct vg_shm {
    void *base;         /* the mapping; NULL when not mapped */
    size_t size;        /* bytes mapped */
    enum vg_shm_kind kind;
    bool writable;
    int fd;             /* VG_SHM_KVMFR: the device, kept open for DMA-BUF export; else -1 */
    int guard;          /* SIGBUS guard slot (private); 0 when none */
    uint64_t dev, ino;  /* the object mapped (private: vg_shm_replaced) */
    char path[4096];
};

/* ioctl of the kvmfr driver that returns the device's size in bytes. */
#define VG_KVMFR_DMABUF_GETSIZE _IO('u', 0x44)

/* Maps the whole object at path. min_size is the smallest size the caller's protocol can use
 * (0: any non-zero size). With VG_SHM_CREATE and a missing or smaller regular file, the file
 * is created and/or grown to create_size (ignored otherwise).
 * On failure returns a negative errno and writes a message a user can act on into err (what is
 * wrong and what to do: start the VM, add <shmem> with vgapt-setup --ivshmem, fix the
 * permissions with a tmpfiles.d rule, ...). shm is caller storage (init/finish). */
int vg_shm_map(struct vg_shm *shm, const char *path, unsigned flags, size_t min_size,
               size_t create_size, char *err, size_t err_size);
/* Unmaps; accepts an unmapped or zeroed shm. */
void vg_shm_unmap(struct vg_shm *shm);
/* True when the object shrank under the mapping: a read past its new end raised SIGBUS, and the
 * process survived because the mapping was replaced with zero pages (it reads zeros from then
 * on). The caller unmaps and maps again (or waits until the object is large enough). Every
 * mapping vg_shm_map makes is guarded so (SIGBUS from elsewhere keeps its meaning). */
bool vg_shm_lost(const struct vg_shm *shm);
/* Whether path now names another object than the one mapped, or the object's size changed: a
 * VM or guest that re-creates its file gives it a new inode; a resize changes its size; a
 * kvmfr device that went away reads as replaced. The caller unmaps and maps again. */
bool vg_shm_replaced(const struct vg_shm *shm);
/* Re-reads the object's current size (a guest or producer may have resized the file). */
int vg_shm_current_size(const struct vg_shm *shm, size_t *size);
