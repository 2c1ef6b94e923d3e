/* Who decides whether the guest may record from the host's microphone (--mic): the pure state
 * machine behind the SPICE record channel. The guest opening its recording device starts
 * nothing by itself: with allow the capture starts, with deny it never does, with ask the
 * window asks (Y/N, or the escape key with Y/N) and, without a window (--audio-only), ask
 * means deny. An answer holds until the client exits. No I/O: the caller starts and stops the
 * PipeWire capture and shows vg_mic_line. Context: the main thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum vg_mic_policy {
    VG_MIC_ALLOW = 0,
    VG_MIC_DENY,
    VG_MIC_ASK,
};

/* --mic's names, in enum vg_mic_policy's order, NULL-terminated. */
extern const char *const vg_mic_policy_names[];

enum vg_mic_state {
    VG_MIC_IDLE = 0,  /* the guest does not record */
    VG_MIC_ASKING,    /* the guest records; the user has not answered */
    VG_MIC_RECORDING, /* the host's microphone goes to the guest */
    VG_MIC_REFUSED,   /* the guest records; it gets nothing */
};

struct vg_mic {
    enum vg_mic_policy policy;
    bool can_ask;    /* a window to ask in */
    bool answered;   /* the user answered the prompt (or with the escape key's combination) */
    bool allowed;    /* that answer */
    bool guest_open; /* the guest's recording device is open (record-start, until record-stop) */
    enum vg_mic_state state;
};

enum vg_mic_event {
    VG_MIC_GUEST_START, /* the server's record-start */
    VG_MIC_GUEST_STOP,  /* record-stop, or the session ended */
    VG_MIC_ANSWER_YES,  /* Y in the prompt, or escape+Y at any time */
    VG_MIC_ANSWER_NO,   /* N in the prompt, or escape+N at any time */
};

struct vg_mic_actions {
    bool start_capture; /* open the PipeWire capture and send what it records */
    bool stop_capture;  /* close it */
    bool line_changed;  /* vg_mic_line says something else now */
    bool log_no_window; /* ask without a window: log that it was refused and how to allow */
};

void vg_mic_init(struct vg_mic *m, enum vg_mic_policy policy, bool can_ask);
/* Moves the machine by one event; returns what the caller must do. */
struct vg_mic_actions vg_mic_step(struct vg_mic *m, enum vg_mic_event ev);
/* While ASKING, plain Y and N answer (they do not reach the guest); false: the key is not the
 * prompt's. key: an ASCII letter, either case. */
bool vg_mic_prompt_key(const struct vg_mic *m, int key, enum vg_mic_event *ev);
/* The window's line about the microphone into out (empty when the guest does not record);
 * escape_name borrowed for the call. Returns out. */
const char *vg_mic_line(const struct vg_mic *m, const char *escape_name, char *out, size_t size);
