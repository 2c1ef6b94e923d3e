/* One libvirt connection for the whole run: read the inactive definition, define the edited
 * one with VIR_DOMAIN_DEFINE_VALIDATE. */
#pragma once

#include <stdbool.h>

#include "apply/apply.h"

struct vg_virt;

/* NULL on failure, with the reason in *error (owned by the caller) when error is not NULL. */
struct vg_virt *vg_virt_open(const char *uri, bool read_only, char **error);
/* Accepts NULL. */
void vg_virt_close(struct vg_virt *v);
/* The inactive XML of name (owned), or NULL with the cause logged. */
char *vg_virt_get_xml(struct vg_virt *v, const char *name);
/* Whether name is running (or paused): 1, 0, or -1 when libvirt cannot say. */
int vg_virt_is_active(struct vg_virt *v, const char *name);
/* DOMAIN step writer for vg_apply/vg_undo; ctx is the struct vg_virt. */
struct vg_domain_ops vg_virt_ops(struct vg_virt *v);
