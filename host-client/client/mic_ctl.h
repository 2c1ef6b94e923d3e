/* The guest's microphone: the --mic policy (mic_policy.h) applied to what the SPICE backend
 * reports of the guest's recording, the host's PipeWire capture (audio_capture.h) opened and
 * closed accordingly, and the window's line about it. Context: the main thread. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct vg_mic_ctl;
struct vg_pcm_queue;

/* cfg borrowed for the controller's life; can_ask: there is a window to ask in. escape_name
 * borrowed likewise (for the line). NULL when out of memory (logged). */
struct vg_mic_ctl *vg_mic_ctl_create(const struct vg_client_config *cfg, bool can_ask,
                                     const char *escape_name);
/* Stops a capture. Accepts NULL. */
void vg_mic_ctl_destroy(struct vg_mic_ctl *c);
/* The queue to give the backend's set_mic (owned by the controller). */
struct vg_pcm_queue *vg_mic_ctl_queue(struct vg_mic_ctl *c);
/* The backend's record_channels and record_rate (0: the guest does not record); true when the
 * line changed. */
bool vg_mic_ctl_follow(struct vg_mic_ctl *c, uint32_t channels, uint32_t rate);
/* escape+Y (yes) or escape+N: true when the line changed. */
bool vg_mic_ctl_answer(struct vg_mic_ctl *c, bool yes);
/* A key pressed in the window ('y', 'n', ...): true when the prompt took it (it goes no
 * further). */
bool vg_mic_ctl_prompt_key(struct vg_mic_ctl *c, int key);
/* The window's line (borrowed until the next call); NULL while the guest does not record. */
const char *vg_mic_ctl_line(struct vg_mic_ctl *c);
