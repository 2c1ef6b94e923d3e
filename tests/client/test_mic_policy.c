/* --mic: when the guest's recording gets the host's microphone, and what the window says. */
#include <string.h>

#include "mic_policy.h"
#include "testlib.h"

static void nothing_records_before_the_guest_opens_its_device(void)
{
    struct vg_mic m;
    vg_mic_init(&m, VG_MIC_ALLOW, true);
    char line[200];
    CHECK(m.state == VG_MIC_IDLE);
    CHECK(strcmp(vg_mic_line(&m, "ScrollLock", line, sizeof(line)), "") == 0);
    /* A stop without a start (a hostile or confused server) starts nothing. */
    struct vg_mic_actions a = vg_mic_step(&m, VG_MIC_GUEST_STOP);
    CHECK(!a.start_capture && !a.stop_capture && m.state == VG_MIC_IDLE);
}

static void allow_records_from_start_to_stop_and_says_so(void)
{
    struct vg_mic m;
    vg_mic_init(&m, VG_MIC_ALLOW, true);
    struct vg_mic_actions a = vg_mic_step(&m, VG_MIC_GUEST_START);
    CHECK(a.start_capture && a.line_changed && m.state == VG_MIC_RECORDING);
    char line[200];
    CHECK(strstr(vg_mic_line(&m, "ScrollLock", line, sizeof(line)), "microphone: recording"));
    /* record-start again while recording: no second capture. */
    a = vg_mic_step(&m, VG_MIC_GUEST_START);
    CHECK(!a.start_capture && !a.stop_capture && !a.line_changed);
    a = vg_mic_step(&m, VG_MIC_GUEST_STOP);
    CHECK(a.stop_capture && !a.start_capture && m.state == VG_MIC_IDLE);
    CHECK(strcmp(vg_mic_line(&m, "ScrollLock", line, sizeof(line)), "") == 0);
}

static void deny_never_records(void)
{
    struct vg_mic m;
    vg_mic_init(&m, VG_MIC_DENY, true);
    struct vg_mic_actions a = vg_mic_step(&m, VG_MIC_GUEST_START);
    CHECK(!a.start_capture && m.state == VG_MIC_REFUSED && !a.log_no_window);
    /* No prompt to answer: Y is the guest's key. */
    enum vg_mic_event ev;
    CHECK(!vg_mic_prompt_key(&m, 'y', &ev));
    a = vg_mic_step(&m, VG_MIC_GUEST_STOP);
    CHECK(!a.stop_capture && m.state == VG_MIC_IDLE);
}

static void ask_waits_for_the_answer_and_keeps_it(void)
{
    struct vg_mic m;
    vg_mic_init(&m, VG_MIC_ASK, true);
    struct vg_mic_actions a = vg_mic_step(&m, VG_MIC_GUEST_START);
    CHECK(!a.start_capture && a.line_changed && m.state == VG_MIC_ASKING);
    char line[200];
    const char *l = vg_mic_line(&m, "ScrollLock", line, sizeof(line));
    CHECK_MSG(strstr(l, "Y / N") && strstr(l, "ScrollLock+Y"), "prompt: %s", l);
    enum vg_mic_event ev;
    CHECK(!vg_mic_prompt_key(&m, 'x', &ev)); /* other keys stay the guest's */
    CHECK(vg_mic_prompt_key(&m, 'Y', &ev) && ev == VG_MIC_ANSWER_YES);
    a = vg_mic_step(&m, ev);
    CHECK(a.start_capture && m.state == VG_MIC_RECORDING);
    CHECK(!vg_mic_prompt_key(&m, 'n', &ev)); /* answered: N is the guest's again */
    /* The next recording is not asked again. */
    vg_mic_step(&m, VG_MIC_GUEST_STOP);
    a = vg_mic_step(&m, VG_MIC_GUEST_START);
    CHECK(a.start_capture && m.state == VG_MIC_RECORDING);
}

static void no_refuses_and_the_escape_combination_changes_the_mind(void)
{
    struct vg_mic m;
    vg_mic_init(&m, VG_MIC_ASK, true);
    vg_mic_step(&m, VG_MIC_GUEST_START);
    enum vg_mic_event ev;
    CHECK(vg_mic_prompt_key(&m, 'n', &ev) && ev == VG_MIC_ANSWER_NO);
    struct vg_mic_actions a = vg_mic_step(&m, ev);
    CHECK(!a.start_capture && a.line_changed && m.state == VG_MIC_REFUSED);
    char line[200];
    CHECK(strstr(vg_mic_line(&m, "Pause", line, sizeof(line)), "Pause+Y allows"));
    a = vg_mic_step(&m, VG_MIC_ANSWER_YES);
    CHECK(a.start_capture && m.state == VG_MIC_RECORDING);
    a = vg_mic_step(&m, VG_MIC_ANSWER_NO);
    CHECK(a.stop_capture && m.state == VG_MIC_REFUSED);
    /* An answer outranks --mic allow too. */
    vg_mic_init(&m, VG_MIC_ALLOW, true);
    vg_mic_step(&m, VG_MIC_ANSWER_NO);
    a = vg_mic_step(&m, VG_MIC_GUEST_START);
    CHECK(!a.start_capture && m.state == VG_MIC_REFUSED);
}

static void ask_without_a_window_refuses_and_says_how_to_allow(void)
{
    struct vg_mic m;
    vg_mic_init(&m, VG_MIC_ASK, false);
    struct vg_mic_actions a = vg_mic_step(&m, VG_MIC_GUEST_START);
    CHECK(!a.start_capture && a.log_no_window && m.state == VG_MIC_REFUSED);
    enum vg_mic_event ev;
    CHECK(!vg_mic_prompt_key(&m, 'y', &ev));
}

static void a_session_that_ends_while_recording_stops_the_capture(void)
{
    struct vg_mic m;
    vg_mic_init(&m, VG_MIC_ALLOW, false);
    vg_mic_step(&m, VG_MIC_GUEST_START);
    struct vg_mic_actions a = vg_mic_step(&m, VG_MIC_GUEST_STOP);
    CHECK(a.stop_capture && m.state == VG_MIC_IDLE);
    /* A tiny line buffer is not overrun. */
    char tiny[4];
    vg_mic_step(&m, VG_MIC_GUEST_START);
    CHECK(strlen(vg_mic_line(&m, "ScrollLock", tiny, sizeof(tiny))) == 3);
}

int main(void)
{
    RUN(nothing_records_before_the_guest_opens_its_device);
    RUN(allow_records_from_start_to_stop_and_says_so);
    RUN(deny_never_records);
    RUN(ask_waits_for_the_answer_and_keeps_it);
    RUN(no_refuses_and_the_escape_combination_changes_the_mind);
    RUN(ask_without_a_window_refuses_and_says_how_to_allow);
    RUN(a_session_that_ends_while_recording_stops_the_capture);
    return vg_test_finish();
}
