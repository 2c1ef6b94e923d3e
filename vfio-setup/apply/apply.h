/* Writers: run a plan with backups under a state directory, roll back on failure, undo the
 * last applied plan. The state directory is <root>/var/lib/vgapt-setup/plans/NNNN/: a
 * manifest (one line per thing done), the backups it names, and a copy of what each step left
 * (N.new, N.defined.xml) so that undo can tell what changed since. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "plan/plan.h"

#define VG_STATE_DIR "/var/lib/vgapt-setup/plans"

/* How DOMAIN steps reach libvirt (libvirt/conn.c provides one). */
struct vg_domain_ops {
    void *ctx; /* borrowed */
    /* Defines name from xml; logs the cause and returns false on failure. */
    bool (*define)(void *ctx, const char *name, const char *xml);
    /* [optional] The inactive XML of name as libvirt holds it (owned), NULL when name is not
     * defined or cannot be read (not logged). */
    char *(*get_xml)(void *ctx, const char *name);
    /* [optional] The inactive XML libvirt would hold after defining name from xml (both
     * borrowed; the result owned), from a trial definition under another name and UUID that is
     * removed at once and never started; it carries name and name's UUID again. NULL when the
     * driver cannot define the copy, with why (owned, one clause) in *why_not. */
    char *(*preview)(void *ctx, const char *name, const char *xml, char **why_not);
};

struct vg_apply_opts {
    const struct vg_domain_ops *domain; /* borrowed; NULL refuses DOMAIN steps */
    /* Testing: fail as if step number fail_at (1-based) had failed; 0 never. */
    unsigned fail_at;
    /* Run RUN steps even though root is not "/" (tests with stub programs). */
    bool run_under_root;
};

/* Applies p. On failure everything this call did is rolled back and false is returned with
 * the cause logged. Commands run only when the plan's root is "/" (or run_under_root). */
bool vg_apply(const struct vg_plan *p, const struct vg_apply_opts *o);

struct vg_undo_opts {
    bool apply; /* false: only show what undo would do */
    bool force; /* undo files and domains that changed since the apply, and skip domains
                 * without a libvirt connection */
    /* [optional] borrowed: the report is also written here as it grows, flushed before each
     * command runs, so that what a command prints follows what was said about it (stdout
     * into a pipe or a file is fully buffered). */
    FILE *live;
};

/* The last applied plan under root, undone: files restored byte for byte (or removed when the
 * plan created them), domains redefined from their backups, then each command's reverse
 * (its undo form, or the command again to regenerate from the restored files; none for a
 * kept one). Appends the undo plan to report, with each file or domain that changed since
 * the apply (and how), and with u->apply the outcome of each step. A step that fails does
 * not stop the others, and the plan is marked undone all the same (the report says what to
 * do by hand). False when there is nothing to undo, when something changed since and not
 * u->force (nothing is done then), or when a step failed. */
bool vg_undo(const char *root, const struct vg_apply_opts *o, const struct vg_undo_opts *u,
             struct vg_sbuf *report);

/* Where the applied plans live under root: VG_STATE_DIR, or for a user who is not root working
 * on the live system, $XDG_STATE_HOME/vgapt-setup/plans (~/.local/state/...). */
void vg_state_dir(const char *root, char *out, size_t size);

/* The libvirt URI the last applied plan under root used (owned), NULL when it had none. */
char *vg_undo_uri(const char *root);

/* Whether p can be applied by this user: false (with the message logged) when it writes the
 * live system and we are not root. */
bool vg_apply_permitted(const struct vg_plan *p);

/* Writes data to root+path atomically: temporary file in the same directory, fsync, rename,
 * fsync of the directory. Keeps an existing file's mode and owner; new files get mode. Creates
 * missing parent directories, appending each one it created to created (may be NULL). */
bool vg_write_atomic(const char *root, const char *path, const char *data, size_t len,
                     unsigned mode, struct vg_sbuf *created);

/* Runs argv (no shell); true when it exits 0. */
bool vg_run_argv(char *const *argv);
