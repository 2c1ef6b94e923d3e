/* The initramfs the end-to-end tests boot: a newc cpio archive holding the directories init
 * needs, the init script, programs copied from the host and kernel modules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A host file put into the archive as NAME (mode 0755). */
struct vg_initramfs_file {
    const char *name, *path;
};

/* Writes path: directories bin, dev, proc, sys and m; init (the script); the files; and each
 * module moddir/MODULE.ko as m/NN.ko, numbered so that a glob over m/ loads them in the order
 * given. False, with a line on stderr, when a file cannot be read or written. */
bool vg_initramfs_write(const char *path, const char *init_script,
                        const struct vg_initramfs_file *files, size_t n_files, const char *moddir,
                        const char *const *modules, size_t n_modules);
