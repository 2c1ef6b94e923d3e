/* A plan: what vgapt-setup will do, as data. Dry run prints it; apply runs exactly these steps.
 * Every step carries its reason. File paths are host paths ("/etc/modprobe.d/x.conf"), applied
 * under the plan's root. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/sbuf.h"

enum vg_step_kind {
    VG_STEP_WRITE,  /* create or replace a file */
    VG_STEP_REMOVE, /* delete a file */
    VG_STEP_RUN,    /* run a command (argv, never a shell) */
    VG_STEP_DOMAIN, /* define a libvirt domain from new XML */
};

struct vg_step {
    enum vg_step_kind kind;
    char *why; /* owned */

    /* WRITE / REMOVE */
    char *path;        /* owned, absolute host path */
    char *old_content; /* owned, NULL when the file does not exist */
    size_t old_len;
    char *content; /* owned (WRITE) */
    size_t len;
    unsigned mode; /* WRITE: permission bits of a new file */

    /* RUN */
    char **argv;      /* owned, NULL-terminated */
    char **undo_argv; /* owned, NULL-terminated; NULL: undo runs argv again (after restoring
                       * the files it reads) unless kept is set */
    char *kept;       /* owned: why undo runs nothing for this command (its effect stays, and
                       * the files it read are gone by then); NULL otherwise */

    /* DOMAIN */
    char *domain;  /* owned: domain name */
    char *old_xml; /* owned: inactive XML before */
    char *new_xml; /* owned: XML to define */
};

struct vg_plan {
    char *title;           /* owned: "bind 0000:0a:00.0 to vfio-pci at boot" */
    char *root;            /* owned: root prefix the file steps apply under */
    char *uri;             /* owned: libvirt URI for DOMAIN steps; NULL when none */
    struct vg_step *steps; /* owned */
    size_t n;
    struct vg_sbuf notes; /* what the user does next; printed after the steps */
};

void vg_plan_init(struct vg_plan *p, const char *title, const char *root);
void vg_plan_finish(struct vg_plan *p);

/* Adds a file write of content (copied). Reads the current file under the plan's root; when it
 * already holds exactly content, no step is added and false is returned. */
bool vg_plan_write(struct vg_plan *p, const char *path, const char *content, unsigned mode,
                   const char *why);
/* Adds removal of a file if it exists; false when there is nothing to remove. */
bool vg_plan_remove(struct vg_plan *p, const char *path, const char *why);
/* Adds a command. argv and undo_argv are NULL-terminated and copied; undo_argv may be NULL. */
void vg_plan_run(struct vg_plan *p, const char *const *argv, const char *const *undo_argv,
                 const char *why);
/* Adds a command that undo does not reverse or repeat; kept (copied) says why in the plan. */
void vg_plan_run_kept(struct vg_plan *p, const char *const *argv, const char *why,
                      const char *kept);
/* Adds a domain definition; false (no step) when new_xml equals old_xml. */
bool vg_plan_domain(struct vg_plan *p, const char *name, const char *old_xml, const char *new_xml,
                    const char *why);
/* The file content a plan step already in p will leave at path (for plans that edit a file
 * twice), or NULL. Borrowed. */
const char *vg_plan_pending(const struct vg_plan *p, const char *path);
/* Count of steps that change something (all of them; a plan with none is "nothing to do"). */
static inline bool vg_plan_empty(const struct vg_plan *p)
{
    return p->n == 0;
}

/* Prints the plan: title, numbered steps with reasons, unified diffs of every file and of
 * the domain XML, commands as shell-quoted argv, then the notes. */
void vg_plan_print(const struct vg_plan *p, struct vg_sbuf *out);

/* Unified diff (3 lines of context) of two texts with the given labels; nothing when equal. */
void vg_diff_unified(const char *a, const char *b, const char *label_a, const char *label_b,
                     struct vg_sbuf *out);
