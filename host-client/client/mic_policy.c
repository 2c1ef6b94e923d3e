#include "mic_policy.h"

#include <stdio.h>

const char *const vg_mic_policy_names[] = {"allow", "deny", "ask", NULL};

void vg_mic_init(struct vg_mic *m, enum vg_mic_policy policy, bool can_ask)
{
    *m = (struct vg_mic){.policy = policy, .can_ask = can_ask};
}

/* What the guest gets while its device is open. */
static enum vg_mic_state decide(const struct vg_mic *m)
{
    if (!m->guest_open)
        return VG_MIC_IDLE;
    /* An answer given in this run outranks the option: the user changed their mind. */
    if (m->answered)
        return m->allowed ? VG_MIC_RECORDING : VG_MIC_REFUSED;
    switch (m->policy) {
    case VG_MIC_ALLOW:
        return VG_MIC_RECORDING;
    case VG_MIC_ASK:
        return m->can_ask ? VG_MIC_ASKING : VG_MIC_REFUSED;
    case VG_MIC_DENY:
    default:
        return VG_MIC_REFUSED;
    }
}

struct vg_mic_actions vg_mic_step(struct vg_mic *m, enum vg_mic_event ev)
{
    struct vg_mic_actions a = {0};
    switch (ev) {
    case VG_MIC_GUEST_START:
        /* A server that repeats record-start changes nothing. */
        if (m->guest_open)
            return a;
        m->guest_open = true;
        break;
    case VG_MIC_GUEST_STOP:
        m->guest_open = false;
        break;
    case VG_MIC_ANSWER_YES:
    case VG_MIC_ANSWER_NO:
        m->answered = true;
        m->allowed = ev == VG_MIC_ANSWER_YES;
        break;
    }
    enum vg_mic_state old = m->state, now = decide(m);
    m->state = now;
    a.start_capture = now == VG_MIC_RECORDING && old != VG_MIC_RECORDING;
    a.stop_capture = old == VG_MIC_RECORDING && now != VG_MIC_RECORDING;
    a.line_changed = now != old;
    a.log_no_window = ev == VG_MIC_GUEST_START && now == VG_MIC_REFUSED && !m->answered &&
                      m->policy == VG_MIC_ASK;
    return a;
}

bool vg_mic_prompt_key(const struct vg_mic *m, int key, enum vg_mic_event *ev)
{
    if (m->state != VG_MIC_ASKING)
        return false;
    if (key == 'y' || key == 'Y')
        *ev = VG_MIC_ANSWER_YES;
    else if (key == 'n' || key == 'N')
        *ev = VG_MIC_ANSWER_NO;
    else
        return false;
    return true;
}

const char *vg_mic_line(const struct vg_mic *m, const char *escape_name, char *out, size_t size)
{
    switch (m->state) {
    case VG_MIC_ASKING:
        snprintf(out, size, "microphone: the guest wants to record. Allow? Y / N (%s+Y, %s+N)",
                 escape_name, escape_name);
        break;
    case VG_MIC_RECORDING:
        snprintf(out, size, "microphone: recording (%s+N stops)", escape_name);
        break;
    case VG_MIC_REFUSED:
        snprintf(out, size, "microphone: the guest gets silence (%s+Y allows)", escape_name);
        break;
    case VG_MIC_IDLE:
    default:
        if (size)
            out[0] = 0;
        break;
    }
    return out;
}
