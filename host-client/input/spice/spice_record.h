/* The SPICE record channel: the guest's recording device. record-start and record-stop are
 * reported to the backend (which shows them in its status, for the client's --mic policy);
 * while the guest records, the host's captured PCM (a vg_pcm_queue fed by audio_capture.h)
 * is sent to the server. What the server announces is hostile input: a format we do not
 * record is refused and reported as not recording.
 *
 * Context: spice-glib's loop thread only (every function and the callback). */
#pragma once

#include <spice-client.h>
#include <stdbool.h>

struct vg_pcm_queue;
struct vg_spice_rec;

/* open: the guest records channels x rate (16-bit); !open: it stopped (channels, rate 0). */
typedef void (*vg_spice_rec_fn)(void *data, bool open, int channels, int rate);

/* ch borrowed (a reference is taken); where borrowed for the call (copied); fn(data) called
 * on each change. NULL when out of memory. */
struct vg_spice_rec *vg_spice_rec_create(SpiceRecordChannel *ch, const char *where,
                                         vg_spice_rec_fn fn, void *data);
/* Reports a recording still open as stopped, disconnects. Accepts NULL. */
void vg_spice_rec_destroy(struct vg_spice_rec *r);
/* Where the host's PCM comes from (borrowed; it must outlive r or be unset first; NULL: none,
 * the guest records nothing). */
void vg_spice_rec_set_queue(struct vg_spice_rec *r, struct vg_pcm_queue *q);
