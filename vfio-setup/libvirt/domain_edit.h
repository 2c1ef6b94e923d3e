/* Edits of a libvirt domain definition, done on the XML with libxml2 (no libvirt calls here).
 * Each edit is idempotent: applied to its own output it changes nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/sbuf.h"

#define VG_SHM_FRAMES "looking-glass"
#define VG_SHM_SCREAM "scream-ivshmem"
#define VG_SCREAM_MIB 2u

/* Where a domain's SPICE server listens (vg_domain_edit fills it with spice). */
struct vg_spice_listener {
    char *socket;  /* owned: unix socket path, or NULL */
    char *address; /* owned: TCP address, "" when qemu.conf's spice_listen decides; or NULL */
    char *network; /* owned: the libvirt network whose address it takes, or NULL */
    unsigned port; /* fixed TCP port; 0 when QEMU picks one at each start */
    bool kept;     /* a SPICE server was there and keeps its listener */
    bool vnc;      /* the domain has a VNC display too */
};

void vg_spice_listener_finish(struct vg_spice_listener *l);

struct vg_domain_edit {
    bool ivshmem;
    uint32_t ivshmem_mib;        /* size of the frame region */
    bool keep_larger;            /* an existing larger frame region stays as it is */
    bool scream;                 /* with ivshmem: the 2 MiB audio region */
    const char *const *hostdevs; /* borrowed BDFs ("0000:0a:00.0"), passed in this order */
    size_t n_hostdevs;
    const char *rom; /* borrowed; ROM file for the first hostdev, NULL for none */
    bool hide_hypervisor;
    const char *vendor_id; /* borrowed, 1..12 alphanumerics */
    bool hugepages;
    /* SPICE for vgapt-client's keyboard and mouse: <graphics type='spice'> with <mouse
     * mode='server'/>, the spicevmc agent channel and a tablet. A new server listens on
     * spice_socket, or with spice_listen (both borrowed; spice_socket wins) on that address with
     * autoport; an existing one keeps its listener unless it has none or a socket libvirt
     * would name anew at each start. */
    bool spice;
    const char *spice_socket;
    const char *spice_listen;
    bool spice_audio; /* with spice: an ich9 sound device on <audio type='spice'> */
    struct vg_spice_listener *spice_out; /* [optional] borrowed: where it listens afterwards */
    struct vg_sbuf *notes;               /* [optional] borrowed: what was left as it was, and why */
    unsigned long long
        *shm_mib; /* [optional] borrowed: gets the MiB of all <shmem> in the result */
};

/* Parses xml, applies e and returns the new document, formatted (owned). *old_norm gets the
 * input formatted the same way (owned), so that the two compare and diff line by line.
 * changes gets one line per edit made ("added <shmem name='looking-glass'> 32 MiB").
 * *memory_kib gets the domain's memory (0 if absent). NULL with *old_norm NULL when xml is not a
 * domain; NULL with *old_norm set (still owned by the caller) when a <memory> or <shmem> <size>
 * it reads has a size libvirt would not take (logged). */
char *vg_domain_edit(const char *xml, const struct vg_domain_edit *e, char **old_norm,
                     struct vg_sbuf *changes, unsigned long *memory_kib);

/* A libvirt size (value and unit attribute, both borrowed; unit NULL or "" is KiB) in KiB,
 * rounded up as libvirt does: b/byte/bytes; K/KiB/k, M/MiB, G/GiB, T/TiB, P/PiB, E/EiB are
 * powers of 1024, KB/MB/GB/TB/PB/EB of 1000 (letters in any case). False for another unit, a
 * value that is not a whole number, or one past 2^64 bytes. */
bool vg_domain_scaled_kib(const char *value, const char *unit, unsigned long long *kib);

/* Normalised form of xml (same formatting as vg_domain_edit's output); NULL if malformed. */
char *vg_domain_normalise(const char *xml);

/* xml (borrowed) as it may be shown, formatted like vg_domain_normalise (owned; NULL if
 * malformed): what libvirt only gives out with VIR_DOMAIN_XML_SECURE becomes "(hidden)" -
 * passwd, password and passphrase attributes (graphics), cookies, launchSecurity's session and
 * dhCert, <auth>'s username and <secret> references (iSCSI, RBD, encryption), and secret
 * values in QEMU arguments. Never defined: the plan defines and backs up the real XML. */
char *vg_domain_masked(const char *xml);

/* xml (borrowed, like name and uuid) under another identity, formatted like
 * vg_domain_normalise (owned; NULL if not a domain): <name> becomes name, <uuid> (created when
 * absent) becomes uuid and so does an SMBIOS system uuid entry that repeated the old one (libvirt
 * refuses the two to differ). With derived_from (borrowed, may be NULL), every attribute and text
 * that contains it gets name in its place: paths libvirt made from a name. *was_uuid (may be NULL)
 * gets the uuid before (owned; NULL when there was none). */
char *vg_domain_reidentify(const char *xml, const char *name, const char *uuid,
                           const char *derived_from, char **was_uuid);

/* Appends "; libvirt adds <controller> MODEL (index N), ..." for each controller of after that
 * before lacks (by type and index); nothing when there is none. Both texts are borrowed. */
void vg_domain_added_controllers(const char *before, const char *after, struct vg_sbuf *out);
