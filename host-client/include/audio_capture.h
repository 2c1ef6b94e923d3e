/* The host's microphone for the guest: a PipeWire capture stream, opened when the guest starts
 * recording (SPICE record channel) and the --mic policy allows it, whose 16-bit PCM goes into
 * a vg_pcm_queue (audio_pcm_queue.h) that the SPICE backend drains into the record channel.
 *
 * Context: create/destroy from the client's main thread. The stream runs on a PipeWire thread
 * loop of its own; its process callback (not a real-time one: no PW_STREAM_FLAG_RT_PROCESS)
 * pushes into the queue, whose mutex is therefore allowed there. */
#pragma once

#include <stdint.h>

struct vg_audio_capture;
struct vg_pcm_queue;

/* Records channels x rate, 16-bit, from target (a node.name; borrowed, copied; NULL or empty:
 * the default source) into q (borrowed: it must outlive the capture; started here, stopped in
 * destroy). NULL on error (logged, with what to do). */
struct vg_audio_capture *vg_audio_capture_create(const char *target, uint32_t channels,
                                                 uint32_t rate, struct vg_pcm_queue *q);
/* Stops recording. Accepts NULL. */
void vg_audio_capture_destroy(struct vg_audio_capture *c);
