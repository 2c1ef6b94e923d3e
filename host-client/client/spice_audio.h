/* A SPICE session for the guest's audio alone, where no keyboard and mouse controller holds
 * one (--audio-only, --no-input): the input backend's session (input.h) with its inputs left
 * unused and its playback stream fed into a PCM queue. A server that cannot be reached is
 * tried again every few seconds; the failure is logged once. Context: the main thread. */
#pragma once

#include "input.h"

struct vg_mic_ctl;
struct vg_spice_audio;
struct vg_pcm_queue;

/* addr: borrowed for the call (copied); q: borrowed, it must outlive the session. NULL when
 * the build has no SPICE backend with audio (logged). */
struct vg_spice_audio *vg_spice_audio_create(const struct vg_input_addr *addr,
                                             struct vg_pcm_queue *q);
/* Follows the connection; call every few hundred ms at least. */
void vg_spice_audio_poll(struct vg_spice_audio *s);
/* The guest's recording through this session too (mic borrowed: it must outlive s, or be
 * unset with NULL first). Accepts s NULL. */
void vg_spice_audio_set_mic(struct vg_spice_audio *s, struct vg_mic_ctl *mic);
/* Accepts NULL. */
void vg_spice_audio_destroy(struct vg_spice_audio *s);
