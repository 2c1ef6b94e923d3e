/* The host as vgapt-setup sees it, read once through a root prefix. Plain data: the checks,
 * the plans and the hook generator read it and never touch the file system themselves. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VG_BDF_LEN 16 /* "0000:0a:00.0" + NUL, with room */

enum vg_cpu_vendor { VG_CPU_UNKNOWN, VG_CPU_INTEL, VG_CPU_AMD };
enum vg_mod_state { VG_MOD_MISSING, VG_MOD_MODULE, VG_MOD_BUILTIN };
enum vg_initramfs {
    VG_INITRAMFS_NONE,
    VG_INITRAMFS_UPDATE,
    VG_INITRAMFS_DRACUT,
    VG_INITRAMFS_MKINITCPIO
};
enum vg_bootloader { VG_BOOT_NONE, VG_BOOT_GRUB, VG_BOOT_SYSTEMD_BOOT, VG_BOOT_KERNELSTUB };

struct vg_pci_dev {
    char bdf[VG_BDF_LEN];
    uint16_t vendor, device;
    uint16_t subsys_vendor, subsys_device;
    uint32_t class_code;      /* 24 bits: 0x030000 VGA */
    char driver[32];          /* "" when unbound */
    char driver_override[32]; /* "" when none */
    int iommu_group;          /* -1 when none */
    bool boot_vga;
    char reset_method[64];   /* "" when the kernel offers none (or the file is absent) */
    bool reset_method_known; /* the kernel has the reset_method attribute (>= 5.15) */
};

struct vg_drm_connector {
    char name[48]; /* "card0-DP-1" */
    char bdf[VG_BDF_LEN];
    char status[16];         /* connected / disconnected / unknown */
    uint32_t best_w, best_h; /* largest mode in "modes", 0 when none */
};

/* A display mode seen on a guest GPU's connector in an earlier run (kept in the state folder:
 * apply/remember.h). */
struct vg_seen_mode {
    char gpu[VG_BDF_LEN]; /* "0000:0a:00.0" */
    char connector[48];   /* "card0-DP-1" */
    uint32_t w, h;
    char when[24]; /* UTC, "2026-11-30T10:15:00Z" */
};

/* A /dev/shm file that QEMU and vgapt-client share, and the tmpfiles.d rule for it. Without a
 * rule QEMU creates the file itself, libvirt-qemu's and mode 0644: vgapt-client cannot open it
 * read-write. */
struct vg_shm_file {
    bool exists;
    unsigned uid, gid, mode;
    /* The first line for the path in /etc/tmpfiles.d/ *.conf (the one systemd-tmpfiles
     * follows); rule_file "" when there is none. "-" where the line leaves a field out. */
    char rule_file[300]; /* "/etc/tmpfiles.d/vgapt.conf" */
    char rule_user[64], rule_group[64], rule_mode[8];
};

struct vg_host {
    char root[4096];

    /* Virtualisation */
    enum vg_cpu_vendor cpu;
    bool cpu_virt;         /* vmx or svm flag */
    bool kvm_dev;          /* /dev/kvm exists */
    bool kvm_access;       /* readable and writable by the caller */
    int kvm_nested_paging; /* kvm_intel ept / kvm_amd npt: 1 on, 0 off, -1 unknown */

    /* IOMMU */
    bool acpi_dmar, acpi_ivrs;
    int n_iommu_groups;
    char cmdline[4096];
    char group_type[16]; /* "DMA", "DMA-FQ", "identity" of the first group; "" unknown */

    /* Kernel and modules */
    char kernel_release[64];
    int kernel_major, kernel_minor;
    enum vg_mod_state vfio_pci;
    enum vg_initramfs initramfs;
    enum vg_bootloader bootloader;
    char systemd_boot_dir[64]; /* "/boot/loader/entries" etc. when systemd-boot */
    bool have_update_grub;

    /* PCI */
    struct vg_pci_dev *devs; /* owned, sorted by BDF */
    size_t n_devs;

    /* DRM connectors */
    struct vg_drm_connector *conns; /* owned */
    size_t n_conns;

    /* Memory */
    unsigned long hugepage_kib;    /* Hugepagesize, 0 unknown */
    unsigned long hugepages_total; /* HugePages_Total */
    unsigned long mem_total_kib;
    bool mounts_known;   /* /proc/mounts was readable */
    char hugetlbfs[128]; /* mount point of a hugetlbfs ("/dev/hugepages"), "" none */

    /* Desktop */
    char display_manager[64]; /* systemd unit base name ("gdm3"), "" unknown */

    /* /dev/shm files for vgapt-client, and the tmpfiles.d rules that make them */
    struct vg_shm_file shm_lg, shm_scream;
};

/* Reads the host under root. Missing parts are left unknown: a root with nothing in it is a
 * valid (and useless) host. Returns false only when out of memory or root is not a directory. */
bool vg_host_load(struct vg_host *host, const char *root);
void vg_host_finish(struct vg_host *host);

/* Individual readers, one per file in model/; vg_host_load calls them in order. */
void vg_model_cpu(struct vg_host *h);
void vg_model_iommu(struct vg_host *h);
void vg_model_cmdline(struct vg_host *h);
void vg_model_pci(struct vg_host *h);
void vg_model_modules(struct vg_host *h);
void vg_model_bootloader(struct vg_host *h);
void vg_model_drm(struct vg_host *h);
void vg_model_memory(struct vg_host *h);
void vg_model_shm(struct vg_host *h);
void vg_model_desktop(struct vg_host *h);

/* Lookups */
const struct vg_pci_dev *vg_host_dev(const struct vg_host *h, const char *bdf);
bool vg_dev_is_gpu(const struct vg_pci_dev *d);    /* class 03xx */
bool vg_dev_is_bridge(const struct vg_pci_dev *d); /* class 0604 / 0600 host bridge */
/* "VGA", "3D", "HDMI audio", "USB", "UCSI" (serial bus), "bridge" or "other". */
const char *vg_dev_role(const struct vg_pci_dev *d);
/* Same domain:bus:slot ("0000:0a:00.1" belongs to "0000:0a:00.0"). */
bool vg_dev_same_slot(const char *a, const char *b);
/* The connected connector of gpu's slot with the largest mode (a dummy plug's EDID); NULL when
 * none shows a mode (no display, or no DRM driver owns the GPU). Borrowed from h. */
const struct vg_drm_connector *vg_host_display(const struct vg_host *h, const char *gpu);
/* Whether the command line has this token (exact, or "name=" prefix when it ends in '='). */
bool vg_cmdline_has(const char *cmdline, const char *token);
/* Normalises a user's BDF ("0a:00.0" or "0000:0A:00.0") to "0000:0a:00.0"; false if malformed. */
bool vg_bdf_parse(const char *in, char out[VG_BDF_LEN]);
/* Kernel version at least major.minor (unknown kernels count as new). */
bool vg_kernel_at_least(const struct vg_host *h, int major, int minor);
const char *vg_initramfs_name(enum vg_initramfs t);
const char *vg_bootloader_name(enum vg_bootloader b);

/* Whether the host has a user (group) of that name: 1 yes, 0 no, -1 cannot tell (a --root
 * without /etc/passwd or /etc/group). The live system asks NSS, so LDAP users count. */
int vg_host_user_known(const struct vg_host *h, const char *name);
int vg_host_group_known(const struct vg_host *h, const char *name);
/* The name of the user with uid into out ("" when the host has none or cannot tell). */
void vg_host_user_name(const struct vg_host *h, unsigned uid, char *out, size_t size);
/* The same for a group. */
void vg_host_group_name(const struct vg_host *h, unsigned gid, char *out, size_t size);
/* The home folder of user under root (the live system asks NSS, another root its /etc/passwd)
 * into out, as a host path; false when there is no such user or no home. */
bool vg_account_home(const char *root, const char *user, char *out, size_t size);
