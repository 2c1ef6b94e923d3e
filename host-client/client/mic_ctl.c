#include "mic_ctl.h"

#include <stdlib.h>

#ifdef VG_HAVE_AUDIO
#include "audio_capture.h"
#endif
#include "audio_pcm_queue.h"
#include "mic_policy.h"
#include "vg/log.h"

/* Chunks of 20 ms kept for a server that reads slowly: the guest hears at most this late. */
#define MIC_BEHIND 5

struct vg_mic_ctl {
    const struct vg_client_config *cfg;
    const char *escape_name;
    struct vg_mic mic;
    struct vg_pcm_queue *q;
    struct vg_audio_capture *capture;
    uint32_t channels, rate; /* the guest's recording */
    char line[200];
};

struct vg_mic_ctl *vg_mic_ctl_create(const struct vg_client_config *cfg, bool can_ask,
                                     const char *escape_name)
{
    struct vg_mic_ctl *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->q = vg_pcm_queue_create(MIC_BEHIND);
    if (!c->q) {
        free(c);
        return NULL;
    }
    c->cfg = cfg;
    c->escape_name = escape_name;
    vg_mic_init(&c->mic, (enum vg_mic_policy)cfg->mic, can_ask);
    return c;
}

static void stop_capture(struct vg_mic_ctl *c)
{
#ifdef VG_HAVE_AUDIO
    if (c->capture)
        vg_info("microphone: stopped recording for the guest");
    vg_audio_capture_destroy(c->capture);
#endif
    c->capture = NULL;
}

static void start_capture(struct vg_mic_ctl *c)
{
    stop_capture(c);
#ifdef VG_HAVE_AUDIO
    c->capture = vg_audio_capture_create(c->cfg->mic_source, c->channels, c->rate, c->q);
#else
    vg_warn("microphone: this vgapt-client was built without audio (rebuild with "
            "-DVG_CLIENT_AUDIO_PIPEWIRE=ON): the guest records silence");
#endif
}

void vg_mic_ctl_destroy(struct vg_mic_ctl *c)
{
    if (!c)
        return;
    stop_capture(c);
    vg_pcm_queue_destroy(c->q);
    free(c);
}

struct vg_pcm_queue *vg_mic_ctl_queue(struct vg_mic_ctl *c)
{
    return c->q;
}

static bool apply(struct vg_mic_ctl *c, struct vg_mic_actions a)
{
    if (a.stop_capture)
        stop_capture(c);
    if (a.start_capture)
        start_capture(c);
    if (a.log_no_window)
        vg_warn("microphone: the guest wants to record and --mic is ask, but no window takes "
                "the answer here (--audio-only, --no-input): it gets silence (run with --mic "
                "allow and it records)");
    else if (a.line_changed && c->mic.state == VG_MIC_ASKING)
        vg_info("microphone: the guest wants to record; asking in the window (Y allows, N "
                "denies)");
    else if (a.line_changed && c->mic.state == VG_MIC_REFUSED)
        vg_info("microphone: the guest records; it gets silence (--mic %s)",
                c->mic.answered ? "answered no" : "deny");
    return a.line_changed;
}

bool vg_mic_ctl_follow(struct vg_mic_ctl *c, uint32_t channels, uint32_t rate)
{
    bool open = channels && rate;
    if (open == (c->channels && c->rate) && channels == c->channels && rate == c->rate)
        return false;
    bool changed = false;
    /* Another format while open: the capture starts over in it. */
    if (c->channels && c->rate)
        changed |= apply(c, vg_mic_step(&c->mic, VG_MIC_GUEST_STOP));
    c->channels = channels;
    c->rate = rate;
    if (open)
        changed |= apply(c, vg_mic_step(&c->mic, VG_MIC_GUEST_START));
    return changed;
}

bool vg_mic_ctl_answer(struct vg_mic_ctl *c, bool yes)
{
    vg_info("microphone: %s", yes ? "allowed" : "denied");
    return apply(c, vg_mic_step(&c->mic, yes ? VG_MIC_ANSWER_YES : VG_MIC_ANSWER_NO));
}

bool vg_mic_ctl_prompt_key(struct vg_mic_ctl *c, int key)
{
    enum vg_mic_event ev;
    if (!vg_mic_prompt_key(&c->mic, key, &ev))
        return false;
    vg_mic_ctl_answer(c, ev == VG_MIC_ANSWER_YES);
    return true;
}

const char *vg_mic_ctl_line(struct vg_mic_ctl *c)
{
    vg_mic_line(&c->mic, c->escape_name, c->line, sizeof(c->line));
    return c->line[0] ? c->line : NULL;
}
