/* A text snapshot of a directory tree (paths, modes, link targets, file contents) to prove
 * that an undo left every byte as it was. */
#pragma once

/* Owned; skip (may be NULL) is a path prefix relative to root left out of the snapshot. */
char *tree_snapshot(const char *root, const char *skip);
