/* --domain NAME: what vgapt-client needs from a libvirt domain. Its live XML gives the shared
 * memory regions (<shmem>: the frame region and the Scream ring, each at /dev/shm/NAME, where
 * libvirt puts a region that has no <server>) and whether it has SPICE graphics; the SPICE
 * connection itself comes from virDomainOpenGraphicsFD, one socket per channel.
 * What libvirt returns is untrusted text: names are checked before they make a path, sizes
 * before they are used. Built with VG_CLIENT_LIBVIRT; without it vg_domain_open says so. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The names vgapt-setup --ivshmem gives the two regions. */
#define VG_DOMAIN_SHM_FRAMES "looking-glass"
#define VG_DOMAIN_SHM_SCREAM "scream-ivshmem"

struct vg_domain_region {
    bool found;
    char name[128]; /* <shmem name='...'>, checked: no '/', not "." or "..", printable */
    uint64_t size;  /* bytes, from <size>; 0 when it has none */
    char path[160]; /* /dev/shm/NAME */
};

struct vg_domain_info {
    struct vg_domain_region frames; /* looking-glass, else the other ivshmem-plain region */
    struct vg_domain_region scream; /* scream-ivshmem */
    unsigned n_shmem;               /* <shmem> elements seen, usable or not */
    int spice_index;                /* the <graphics type='spice'>'s index among <graphics>,
                                     * as virDomainOpenGraphicsFD counts them; -1: none */
};

/* Reads the regions and the SPICE graphics out of a domain's XML (len bytes at xml, borrowed).
 * false with a message in err when the XML cannot be read or a <shmem> we would use is bad (a
 * name that cannot be a file name, a size that does not parse). Pure. */
bool vg_domain_parse_xml(const char *xml, size_t len, struct vg_domain_info *out, char *err,
                         size_t err_size);

/* What to tell a user whom libvirt refused at connect time: err_code and err_int1 are
 * virError's code and int1 (the errno of a system error), msg its message (borrowed; may be
 * NULL). Pure. */
void vg_domain_connect_message(const char *uri, int err_code, int err_int1, const char *msg,
                               char *out, size_t out_size);

struct vg_domain;

/* Connects to uri (borrowed; NULL: qemu:///system), finds the domain name (borrowed) and reads
 * its live XML into *info. NULL with a message for the user in err: no such domain (the ones
 * that exist listed), not running, no <shmem> at all, libvirt refused (permission). The caller
 * judges what info lacks (no SPICE, no frame region). */
struct vg_domain *vg_domain_open(const char *uri, const char *name, struct vg_domain_info *info,
                                 char *err, size_t err_size);
/* A new socket connected to the domain's SPICE server (virDomainOpenGraphicsFD, no ticket):
 * ownership passes to the caller. A negative errno on failure (logged). Thread-safe; ctx is
 * the struct vg_domain, so it fits vg_input_addr's open_fd. */
int vg_domain_open_spice_fd(void *ctx);
/* Accepts NULL. */
void vg_domain_close(struct vg_domain *d);
