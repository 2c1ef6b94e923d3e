/* Fake host roots for vgapt-setup tests, built from a compact description of a real machine:
 * the sysfs, /proc, /etc, /lib/modules and /boot files the model reads, nothing more. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fr_dev {
    const char *bdf;
    uint16_t vendor, device;
    uint32_t cls;       /* 0x030000 VGA, 0x040300 HDMI audio, 0x060400 bridge ... */
    const char *driver; /* NULL: unbound */
    int group;          /* -1: none */
    int boot_vga;       /* -1: no attribute (non-VGA function) */
    const char *reset;  /* NULL: no reset_method attribute (kernel < 5.15) */
};

struct fr_conn {
    const char *name; /* "card0-DP-1" */
    const char *bdf;  /* the card's device */
    const char *status;
    const char *modes; /* newline-separated, NULL none */
};

struct fr_file {
    const char *path;
    const char *content; /* NULL: a directory */
};

struct fr_machine {
    const char *name;
    const char *cpu_vendor; /* "AuthenticAMD" / "GenuineIntel" */
    const char *flags;
    bool kvm;
    const char *paging;     /* kvm_amd npt / kvm_intel ept value, NULL: absent */
    const char *acpi;       /* "IVRS", "DMAR" or NULL */
    const char *group_type; /* NULL: IOMMU off (no groups) */
    const char *cmdline;
    const char *release;
    bool vfio_builtin;
    const char *meminfo;
    const char *dm_unit; /* display-manager.service links to this unit, NULL none */
    struct fr_dev devs[20];
    struct fr_conn conns[6];
    struct fr_file files[16]; /* /etc, /usr/sbin tools, boot loader files */
};

/* Writes m under root (which must exist). Aborts the test on I/O errors. */
void fr_build(const char *root, const struct fr_machine *m);
/* Writes a file under root, creating directories. */
void fr_write(const char *root, const char *path, const char *content);
/* Reads root+path (NULL if missing); owned. */
char *fr_read(const char *root, const char *path);

/* The machines of the issue. */
extern const struct fr_machine fr_x399, fr_z170, fr_dual_rtx, fr_single_2060, fr_twins, fr_no_iommu,
    fr_builtin, fr_popos;
extern const struct fr_machine *const fr_all[];
extern const size_t fr_count;

/* Runs argv[0] with argv; stdout into *out (owned); returns exit status or -1. */
int fr_run(char *const argv[], char **out, char **err);
/* Compares text with golden_dir/name; VG_UPDATE_GOLDEN=1 rewrites the file instead. Prints a
 * diff on mismatch. */
bool fr_golden(const char *golden_dir, const char *name, const char *text);
