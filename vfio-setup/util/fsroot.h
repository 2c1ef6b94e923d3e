/* Reading the host through a root prefix: every path is absolute as seen on the host
 * ("/sys/bus/pci/devices") and is looked up under root ("/" for the live system, a directory
 * for tests and for inspecting another installation). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* root + path into out; false if it does not fit. */
bool vg_root_path(const char *root, const char *path, char *out, size_t size);
/* Whole file, NUL-terminated; NULL if it cannot be read. Length through len if not NULL.
 * Owned by the caller. */
char *vg_root_read(const char *root, const char *path, size_t *len);
/* First line without its newline and surrounding blanks into out; false if unreadable. */
bool vg_root_line(const char *root, const char *path, char *out, size_t size);
/* Hexadecimal or decimal number in the file's first line; false if unreadable or not a number. */
bool vg_root_ulong(const char *root, const char *path, unsigned long *out);
bool vg_root_exists(const char *root, const char *path);
bool vg_root_is_dir(const char *root, const char *path);
/* Last component of a symbolic link's target ("vfio-pci" for .../drivers/vfio-pci). */
bool vg_root_link_base(const char *root, const char *path, char *out, size_t size);
/* Sorted names in a directory, without "." and "..": *names is an array of owned strings
 * (free with vg_root_names_free). Returns the count, or -1 if the directory cannot be read. */
int vg_root_list(const char *root, const char *path, char ***names);
void vg_root_names_free(char **names, int n);
