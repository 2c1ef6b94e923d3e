/* --domain NAME in vgapt-client: the domain's regions and SPICE connection (domain.h) put into
 * the settings before the client starts. Context: the main thread. */
#pragma once

#include <stdbool.h>

#include "config.h"

struct vg_client_domain;

/* When cfg->domain names a domain: looks it up on cfg->connect and sets cfg->shm and
 * cfg->scream to its regions where they hold their defaults, and cfg->spice_addr to its SPICE
 * server where cfg->spice is none. *out (owned; free with vg_client_domain_destroy after the
 * client has stopped: cfg->spice_addr points into it) is NULL when cfg->domain is empty.
 * false when the domain cannot be used (logged, with what to do). */
bool vg_client_domain_apply(struct vg_client_config *cfg, struct vg_client_domain **out);
/* Accepts NULL. */
void vg_client_domain_destroy(struct vg_client_domain *d);
