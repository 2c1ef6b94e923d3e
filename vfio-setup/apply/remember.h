/* What vgapt-setup keeps between runs besides the applied plans: the display mode last seen on
 * each guest GPU. While a DRM driver owns the GPU its connectors show the monitor's or dummy
 * plug's modes; once vfio-pci has it they read nothing, yet --ivshmem still needs the mode to
 * size the frame region. The file is <state folder>/displays, beside the plans (see
 * vg_state_dir), under root. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* Records the largest mode a connected connector of gpu's slot offers now (replacing what was
 * kept for that slot); *out (may be NULL) gets it whenever one is seen. False when no
 * connector of gpu shows a mode or the state folder cannot be written (logged at debug level
 * only: remembering is a convenience, never the reason a command fails). */
bool vg_remember_mode(const char *root, const struct vg_host *h, const char *gpu,
                      struct vg_seen_mode *out);

/* What was kept for gpu's slot; false when nothing was. */
bool vg_recall_mode(const char *root, const char *gpu, struct vg_seen_mode *out);

/* The file's host path (under root) into out. */
void vg_seen_modes_path(const char *root, char *out, size_t size);
