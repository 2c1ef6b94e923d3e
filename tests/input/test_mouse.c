/* The mouse's state machine (absolute, captured, nothing) and the window-to-guest map. */
#include <stdio.h>

#include "mouse.h"
#include "testlib.h"

static struct vg_mouse ready_mouse(enum vg_input_mouse_mode mode)
{
    struct vg_mouse m;
    vg_mouse_init(&m, false);
    vg_mouse_step(&m, mode == VG_INPUT_MOUSE_CLIENT ? VG_MOUSE_MODE_CLIENT : VG_MOUSE_MODE_SERVER);
    vg_mouse_step(&m, VG_MOUSE_READY);
    return m;
}

static void nothing_goes_to_the_guest_before_it_is_ready(void)
{
    struct vg_mouse m;
    vg_mouse_init(&m, false);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_NONE);
    CHECK(!vg_mouse_keys_to_guest(&m));
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    CHECK(!a.capture_changed && !m.captured);
    a = vg_mouse_step(&m, VG_MOUSE_CLICK);
    CHECK(!a.swallow && !m.captured);
}

static void a_tablet_gives_absolute_positions(void)
{
    struct vg_mouse m = ready_mouse(VG_INPUT_MOUSE_CLIENT);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_ABSOLUTE);
    CHECK(vg_mouse_keys_to_guest(&m));
    /* A click is the guest's, not a capture. */
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_CLICK);
    CHECK(!a.swallow && !a.capture_changed && !m.captured);
}

static void the_server_switching_modes_is_followed(void)
{
    struct vg_mouse m = ready_mouse(VG_INPUT_MOUSE_SERVER);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_NONE);
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_MODE_CLIENT);
    CHECK(!a.request_mode);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_ABSOLUTE);
    /* The server dropped its tablet: not fought. */
    a = vg_mouse_step(&m, VG_MOUSE_MODE_SERVER);
    CHECK(!a.request_mode);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_NONE);
}

static void without_a_tablet_a_click_captures_and_is_swallowed(void)
{
    struct vg_mouse m = ready_mouse(VG_INPUT_MOUSE_SERVER);
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_CLICK);
    CHECK(a.swallow && a.capture_changed && m.captured);
    CHECK(!a.request_mode); /* already relative */
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_RELATIVE);
    /* Clicks while captured are the guest's. */
    a = vg_mouse_step(&m, VG_MOUSE_CLICK);
    CHECK(!a.swallow && !a.capture_changed);
    /* The escape key releases; no absolute mode to go back to. */
    a = vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    CHECK(a.capture_changed && !m.captured && !a.request_mode);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_NONE);
}

static void capture_asks_for_relative_and_release_for_absolute(void)
{
    struct vg_mouse m = ready_mouse(VG_INPUT_MOUSE_CLIENT);
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    CHECK(a.capture_changed && m.captured);
    CHECK(a.request_mode && a.request == VG_INPUT_MOUSE_SERVER);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_RELATIVE);
    a = vg_mouse_step(&m, VG_MOUSE_MODE_SERVER);
    CHECK(!a.request_mode && vg_mouse_route(&m) == VG_MOUSE_ROUTE_RELATIVE);
    a = vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    CHECK(a.capture_changed && !m.captured);
    CHECK(a.request_mode && a.request == VG_INPUT_MOUSE_CLIENT);
    /* Until the server answers, motion stays with the host. */
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_NONE);
    vg_mouse_step(&m, VG_MOUSE_MODE_CLIENT);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_ABSOLUTE);
}

static void a_server_that_insists_on_absolute_is_asked_once_more_not_forever(void)
{
    struct vg_mouse m = ready_mouse(VG_INPUT_MOUSE_CLIENT);
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    CHECK(a.request_mode);
    vg_mouse_step(&m, VG_MOUSE_MODE_SERVER);
    a = vg_mouse_step(&m, VG_MOUSE_MODE_CLIENT);
    CHECK(!a.request_mode); /* asked already for this capture */
    a = vg_mouse_step(&m, VG_MOUSE_MODE_CLIENT);
    CHECK(!a.request_mode);
    CHECK(m.captured && vg_mouse_route(&m) == VG_MOUSE_ROUTE_RELATIVE);
}

static void focus_loss_releases_the_capture_and_every_key(void)
{
    struct vg_mouse m = ready_mouse(VG_INPUT_MOUSE_CLIENT);
    vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    vg_mouse_step(&m, VG_MOUSE_MODE_SERVER);
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_FOCUS_LOST);
    CHECK(a.release_all && a.capture_changed && !m.captured);
    CHECK(a.request_mode && a.request == VG_INPUT_MOUSE_CLIENT);
    /* Uncaptured, focus loss still releases what the guest holds. */
    m = ready_mouse(VG_INPUT_MOUSE_CLIENT);
    a = vg_mouse_step(&m, VG_MOUSE_FOCUS_LOST);
    CHECK(a.release_all && !a.capture_changed);
    vg_mouse_step(&m, VG_MOUSE_FOCUS_GAINED);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_ABSOLUTE);
}

static void a_lost_connection_releases_everything(void)
{
    struct vg_mouse m = ready_mouse(VG_INPUT_MOUSE_SERVER);
    vg_mouse_step(&m, VG_MOUSE_CLICK);
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_LOST);
    CHECK(a.release_all && a.capture_changed && !m.captured && !a.request_mode);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_NONE && !vg_mouse_keys_to_guest(&m));
}

static void input_off_keeps_keyboard_and_mouse_on_the_host(void)
{
    struct vg_mouse m = ready_mouse(VG_INPUT_MOUSE_CLIENT);
    vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_TOGGLE_INPUT);
    CHECK(a.release_all && a.capture_changed && !m.captured);
    CHECK(vg_mouse_route(&m) == VG_MOUSE_ROUTE_NONE && !vg_mouse_keys_to_guest(&m));
    a = vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    CHECK(!a.capture_changed && !m.captured);
    a = vg_mouse_step(&m, VG_MOUSE_TOGGLE_INPUT);
    CHECK(!a.capture_changed && vg_mouse_keys_to_guest(&m));
}

static void capture_on_start_captures_once_ready(void)
{
    struct vg_mouse m;
    vg_mouse_init(&m, true);
    CHECK(!m.captured);
    vg_mouse_step(&m, VG_MOUSE_MODE_CLIENT);
    struct vg_mouse_actions a = vg_mouse_step(&m, VG_MOUSE_READY);
    CHECK(a.capture_changed && m.captured);
    CHECK(a.request_mode && a.request == VG_INPUT_MOUSE_SERVER);
    /* Once: a reconnection does not capture again. */
    vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    vg_mouse_step(&m, VG_MOUSE_LOST);
    a = vg_mouse_step(&m, VG_MOUSE_READY);
    CHECK(!a.capture_changed && !m.captured);
}

static struct vg_mouse_view view(enum vg_scale_mode scale, uint32_t w, uint32_t h,
                                 enum vg_rotation rot, int win_w, int win_h)
{
    return (struct vg_mouse_view){
        .scale = scale, .width = w, .height = h, .rotation = rot, .win_w = win_w, .win_h = win_h};
}

static void check_map(const struct vg_mouse_view *v, double x, double y, int32_t wx, int32_t wy)
{
    int32_t gx = -1, gy = -1;
    bool ok = vg_mouse_map(v, x, y, &gx, &gy);
    CHECK_MSG(ok && gx == wx && gy == wy, "window (%g,%g) -> (%d,%d), want (%d,%d)", x, y, gx, gy,
              wx, wy);
}

static void window_pixels_map_to_the_guest_pixel_shown_there(void)
{
    /* Native in a larger window: centred, 1:1. */
    struct vg_mouse_view v = view(VG_SCALE_NATIVE, 320, 200, VG_ROTATE_0, 420, 300);
    check_map(&v, 50, 50, 0, 0);
    check_map(&v, 369, 249, 319, 199);
    check_map(&v, 210, 150, 160, 100);
    /* Outside the frame: its nearest edge. */
    check_map(&v, 0, 0, 0, 0);
    check_map(&v, 419, 10, 319, 0);
    /* Fit: 320x200 in 640x600 is 640x400 at y 100, twice the size. */
    v = view(VG_SCALE_FIT, 320, 200, VG_ROTATE_0, 640, 600);
    check_map(&v, 0, 100, 0, 0);
    check_map(&v, 1, 101, 0, 0);
    check_map(&v, 2, 102, 1, 1);
    check_map(&v, 639, 499, 319, 199);
    check_map(&v, 300, 50, 150, 0);
    /* Stretch: each axis on its own. */
    v = view(VG_SCALE_STRETCH, 100, 100, VG_ROTATE_0, 400, 200);
    check_map(&v, 399, 199, 99, 99);
    check_map(&v, 200, 100, 50, 50);
    /* Integer: 2x of 300x200 in 700x500 at (50, 50). */
    v = view(VG_SCALE_INTEGER, 300, 200, VG_ROTATE_0, 700, 500);
    check_map(&v, 50, 50, 0, 0);
    check_map(&v, 52, 53, 1, 1);
    check_map(&v, 649, 449, 299, 199);
}

static void rotation_maps_back_to_the_unrotated_desktop(void)
{
    /* 90 degrees clockwise: the frame's top edge is on the right. 200x100 shows as 100x200. */
    struct vg_mouse_view v = view(VG_SCALE_NATIVE, 200, 100, VG_ROTATE_90, 100, 200);
    check_map(&v, 99, 0, 0, 0); /* top right: the frame's top left */
    check_map(&v, 0, 0, 0, 99); /* top left: its bottom left */
    check_map(&v, 0, 199, 199, 99);
    check_map(&v, 99, 199, 199, 0);
    v.rotation = VG_ROTATE_270;
    check_map(&v, 0, 199, 0, 0); /* bottom left: the frame's top left */
    check_map(&v, 99, 0, 199, 99);
    v = view(VG_SCALE_NATIVE, 200, 100, VG_ROTATE_180, 200, 100);
    check_map(&v, 0, 0, 199, 99);
    check_map(&v, 199, 99, 0, 0);
}

static void a_downscaled_frame_maps_to_the_desktop_size(void)
{
    /* The guest sends 960x540 of a 1920x1080 desktop: positions are the desktop's. */
    struct vg_mouse_view v = view(VG_SCALE_NATIVE, 960, 540, VG_ROTATE_0, 960, 540);
    v.screen_width = 1920;
    v.screen_height = 1080;
    check_map(&v, 0, 0, 0, 0);
    check_map(&v, 480, 270, 961, 541);
    check_map(&v, 1, 1, 2, 2);
    check_map(&v, 959, 539, 1919, 1079);
}

static void without_a_frame_nothing_maps(void)
{
    struct vg_mouse_view v = view(VG_SCALE_FIT, 0, 0, VG_ROTATE_0, 640, 480);
    int32_t x, y;
    CHECK(!vg_mouse_map(&v, 10, 10, &x, &y));
    v = view(VG_SCALE_FIT, 320, 200, VG_ROTATE_0, 0, 0);
    CHECK(!vg_mouse_map(&v, 10, 10, &x, &y));
}

/* One cursor on screen: the guest's where it draws one and takes absolute positions; the
 * host's in every other case. */
static void the_host_cursor_hides_only_over_an_absolute_guest_cursor(void)
{
    struct vg_mouse m;
    vg_mouse_init(&m, false);
    CHECK(!vg_mouse_hide_host_cursor(&m, true)); /* not connected yet */
    m = ready_mouse(VG_INPUT_MOUSE_CLIENT);
    CHECK(vg_mouse_hide_host_cursor(&m, true));
    CHECK(!vg_mouse_hide_host_cursor(&m, false)); /* the guest shows no cursor */
    /* Captured: relative mode hides it; released, hidden again once absolute is back. */
    vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    CHECK(!vg_mouse_hide_host_cursor(&m, true));
    vg_mouse_step(&m, VG_MOUSE_MODE_SERVER);
    vg_mouse_step(&m, VG_MOUSE_ESCAPE);
    CHECK(!vg_mouse_hide_host_cursor(&m, true)); /* still the server's mode */
    vg_mouse_step(&m, VG_MOUSE_MODE_CLIENT);
    CHECK(vg_mouse_hide_host_cursor(&m, true));
    /* Input off, then on. */
    vg_mouse_step(&m, VG_MOUSE_TOGGLE_INPUT);
    CHECK(!vg_mouse_hide_host_cursor(&m, true));
    vg_mouse_step(&m, VG_MOUSE_TOGGLE_INPUT);
    CHECK(vg_mouse_hide_host_cursor(&m, true));
    /* The server goes back to its mode (the tablet went away), or the connection ends. */
    vg_mouse_step(&m, VG_MOUSE_MODE_SERVER);
    CHECK(!vg_mouse_hide_host_cursor(&m, true));
    vg_mouse_step(&m, VG_MOUSE_MODE_CLIENT);
    vg_mouse_step(&m, VG_MOUSE_LOST);
    CHECK(!vg_mouse_hide_host_cursor(&m, true));
}

int main(void)
{
    RUN(nothing_goes_to_the_guest_before_it_is_ready);
    RUN(a_tablet_gives_absolute_positions);
    RUN(the_server_switching_modes_is_followed);
    RUN(without_a_tablet_a_click_captures_and_is_swallowed);
    RUN(capture_asks_for_relative_and_release_for_absolute);
    RUN(a_server_that_insists_on_absolute_is_asked_once_more_not_forever);
    RUN(focus_loss_releases_the_capture_and_every_key);
    RUN(a_lost_connection_releases_everything);
    RUN(input_off_keeps_keyboard_and_mouse_on_the_host);
    RUN(capture_on_start_captures_once_ready);
    RUN(window_pixels_map_to_the_guest_pixel_shown_there);
    RUN(rotation_maps_back_to_the_unrotated_desktop);
    RUN(a_downscaled_frame_maps_to_the_desktop_size);
    RUN(without_a_frame_nothing_maps);
    RUN(the_host_cursor_hides_only_over_an_absolute_guest_cursor);
    return vg_test_finish();
}
