/* Checks judge the host model: each finding has a verdict, a one-line message and, where the
 * user has something to do, a hint that says what. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/sbuf.h"

enum vg_verdict { VG_OK, VG_WARN, VG_FAIL };

struct vg_finding {
    const char *section; /* static: "Virtualisation", "IOMMU", ... */
    const char *id;      /* static, stable for scripts: "cpu-virt", "gpu-group" ... */
    enum vg_verdict verdict;
    char *message;            /* owned */
    char *hint;               /* owned, NULL when none */
    char subject[VG_BDF_LEN]; /* the device it is about, "" when none */
};

struct vg_report {
    struct vg_finding *items; /* owned */
    size_t n;
    char guest_gpu[VG_BDF_LEN]; /* "" when none fits */
    bool single_gpu;
    uint32_t res_w, res_h; /* from the guest GPU's monitor or plug; 0 when unknown */
    char *next;            /* owned: the next command to run */
};

/* What the checks need besides the model. */
struct vg_check_input {
    const char *libvirt_uri;   /* borrowed; shown in messages */
    bool libvirt_ok;           /* whether the CLI could open it */
    const char *libvirt_error; /* borrowed, NULL when ok */
    const char *user;          /* borrowed: who runs vgapt-client; NULL when unknown */
    long user_uid;             /* -1 unknown */
    const char *domain;        /* borrowed, NULL: used in the next command */
    /* borrowed, NULL when none: the mode kept from an earlier run for the guest GPU */
    const struct vg_seen_mode *remembered;
};

enum vg_group_state { VG_GROUP_NONE, VG_GROUP_ISOLATED, VG_GROUP_BRIDGES, VG_GROUP_DIRTY };

/* Judges the IOMMU group of the GPU at bdf. others (may be NULL) gets the devices that make it
 * dirty ("0000:01:00.0 [10de:1e84] VGA, ..."), bridges those only bridges. */
enum vg_group_state vg_group_judge(const struct vg_host *h, const char *bdf, struct vg_sbuf *others,
                                   struct vg_sbuf *bridges);
/* Non-bridge members of bdf's IOMMU group (its own functions first, then the rest, each
 * sorted). Returns the count (at most max); 0 when bdf has no group. Borrowed pointers into h. */
size_t vg_group_functions(const struct vg_host *h, const char *bdf, const struct vg_pci_dev **out,
                          size_t max);
/* Picks the guest GPU: a discrete GPU that is not the boot GPU, clean groups first. Writes
 * the reason to why. Returns false when the host has no GPU. */
bool vg_choose_guest_gpu(const struct vg_host *h, char out[VG_BDF_LEN], bool *single,
                         struct vg_sbuf *why);
const char *vg_vendor_name(uint16_t vendor);

/* Runs every check into r (zeroed by the caller). */
void vg_checks_run(const struct vg_host *h, const struct vg_check_input *in, struct vg_report *r);
void vg_report_finish(struct vg_report *r);
/* Adds a finding; message and hint are printf'd copies (hint may be NULL). */
void vg_report_add(struct vg_report *r, const char *section, const char *id, enum vg_verdict v,
                   const char *subject, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
bool vg_report_has_fail(const struct vg_report *r);

/* Readable report; colour adds ANSI colours to the verdicts. */
void vg_report_text(const struct vg_report *r, bool colour, struct vg_sbuf *out);
void vg_report_json(const struct vg_report *r, struct vg_sbuf *out);
