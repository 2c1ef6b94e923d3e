/* vgapt-client's main loop: link → transport → renderer → window. */
#pragma once

#include "config.h"

/* Runs until the window closes, --seconds pass or --screenshot is written; returns the exit
 * status. */
int vg_client_run(const struct vg_client_config *cfg);
