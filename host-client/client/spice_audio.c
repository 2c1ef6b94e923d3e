#include "spice_audio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mic_ctl.h"
#include "vg/log.h"
#include "vg/time.h"

#define RETRY_NS (3 * VG_NS_PER_S)

struct vg_spice_audio {
    const struct vg_input_ops *ops;
    struct vg_input *in;
    struct vg_input_addr addr;
    struct vg_pcm_queue *q;
    struct vg_mic_ctl *mic; /* [optional] the guest's recording */
    uint64_t failed_at;
    char failure[512]; /* the failure logged, until the server is reached */
};

static void connect_session(struct vg_spice_audio *s)
{
    s->in = s->ops->create(&s->addr);
    if (s->in)
        s->ops->set_audio(s->in, s->q);
    if (s->in && s->mic && s->ops->set_mic)
        s->ops->set_mic(s->in, vg_mic_ctl_queue(s->mic));
}

void vg_spice_audio_set_mic(struct vg_spice_audio *s, struct vg_mic_ctl *mic)
{
    if (!s)
        return;
    s->mic = mic;
    if (s->in && s->ops->set_mic)
        s->ops->set_mic(s->in, mic ? vg_mic_ctl_queue(mic) : NULL);
}

struct vg_spice_audio *vg_spice_audio_create(const struct vg_input_addr *addr,
                                             struct vg_pcm_queue *q)
{
    const struct vg_input_ops *ops = NULL;
    for (size_t i = 0; vg_inputs[i]; i++)
        if (strcmp(vg_inputs[i]->name, "spice") == 0 && vg_inputs[i]->set_audio)
            ops = vg_inputs[i];
    if (!ops) {
        vg_warn("--spice: this vgapt-client was built without SPICE (install "
                "libspice-client-glib-2.0-dev and rebuild); no SPICE audio");
        return NULL;
    }
    struct vg_spice_audio *s = calloc(1, sizeof(*s));
    if (!s) {
        vg_err("audio: out of memory");
        return NULL;
    }
    s->ops = ops;
    s->addr = *addr;
    s->addr.audio_only = true;
    s->q = q;
    vg_info("SPICE: connecting for the guest's audio");
    connect_session(s);
    return s;
}

void vg_spice_audio_poll(struct vg_spice_audio *s)
{
    if (!s)
        return;
    uint64_t now = vg_time_ns();
    if (!s->in) {
        if (now - s->failed_at >= RETRY_NS)
            connect_session(s);
        return;
    }
    struct vg_input_status st;
    s->ops->poll_status(s->in, &st);
    if (s->mic)
        vg_mic_ctl_follow(s->mic, st.state == VG_INPUT_READY ? st.record_channels : 0,
                          st.state == VG_INPUT_READY ? st.record_rate : 0);
    if (st.state == VG_INPUT_READY) {
        s->failure[0] = 0;
        return;
    }
    if (st.state != VG_INPUT_FAILED)
        return;
    if (strcmp(st.message, s->failure) != 0) {
        vg_err("%s (no SPICE audio; trying again every %d s)", st.message,
               (int)(RETRY_NS / VG_NS_PER_S));
        snprintf(s->failure, sizeof(s->failure), "%s", st.message);
    }
    s->ops->destroy(s->in);
    s->in = NULL;
    s->failed_at = now;
}

void vg_spice_audio_destroy(struct vg_spice_audio *s)
{
    if (!s)
        return;
    if (s->in)
        s->ops->destroy(s->in);
    free(s);
}
