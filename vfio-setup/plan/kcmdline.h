/* Kernel command line edits in boot loader configuration files. */
#pragma once

#include "model/model.h"
#include "plan/plan.h"

/* Tokens to add (NULL-terminated; "key=value" replaces another value of key) and a prefix of
 * tokens to drop ("vfio-pci.ids=", or NULL). Returns the new value (owned); tokens already
 * present stay where they are. */
char *vg_cmdline_edit(const char *value, const char *const *add, const char *drop_prefix);

/* Adds to p the edits and commands that put add (and take drop_prefix) on the kernel command
 * line for the detected boot loader. Returns false when there is no boot loader to edit (the
 * notes then say what to add by hand). */
bool vg_plan_kernel_cmdline(struct vg_plan *p, const struct vg_host *h, const char *const *add,
                            const char *drop_prefix, const char *why);
