/* Writers: run a plan with backups under a state directory, roll back on failure, undo the
 * last applied plan. The state directory is <root>/var/lib/vgapt-setup/plans/NNNN/: a
 * manifest (one line per thing done) and the backups it names. */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"

#define VG_STATE_DIR "/var/lib/vgapt-setup/plans"

/* How DOMAIN steps reach libvirt (libvirt/conn.c provides one). */
struct vg_domain_ops {
    void *ctx; /* borrowed */
    /* Defines name from xml; logs the cause and returns false on failure. */
    bool (*define)(void *ctx, const char *name, const char *xml);
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

/* Undoes the last applied plan under root: files restored byte for byte (or removed when
 * the plan created them), domains redefined from their backups, commands re-run (their
 * undo form when they have one). False when there is nothing to undo or a step failed. */
bool vg_undo(const char *root, const struct vg_apply_opts *o, struct vg_sbuf *report);

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
