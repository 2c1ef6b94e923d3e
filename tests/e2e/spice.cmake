# Included by tests/e2e/CMakeLists.txt once QEMU, busybox and a kernel were found.
# Keyboard and mouse through a real SPICE server: QEMU's, with virtio input devices whose
# events a static helper prints in the guest; the client is driven with xdotool under Xvfb.
get_property(vg_have_spice GLOBAL PROPERTY VG_HAVE_INPUT_SPICE)
find_program(XDOTOOL xdotool)
string(REGEX REPLACE ".*/vmlinuz-" "" vg_kernel_version "${GUEST_KERNEL}")
set(vg_guest_modules /lib/modules/${vg_kernel_version}/kernel)
# The guest's audio through QEMU's SPICE playback channel (-audiodev spice + Intel HDA), played
# by the client into a private PipeWire daemon's null sink and recorded there.
if(vg_have_spice AND TARGET vg-audio-testenv
   AND EXISTS ${vg_guest_modules}/sound/core/oss/snd-pcm-oss.ko)
    add_feature_info(test-qemu-spice-audio ON "end-to-end test of the guest's audio through SPICE")
    add_executable(vg-guest-tone guest_tone.c)
    target_link_libraries(vg-guest-tone PRIVATE m)
    target_link_options(vg-guest-tone PRIVATE -static)
    vg_test(e2e-qemu-spice-audio SOURCES test_qemu_spice_audio.c initramfs.c spice_guest.c
                                    ../client/image.c
            LIBS vg-audio-testenv vg-pattern m
            ARGS ${QEMU_SYSTEM} ${GUEST_KERNEL} ${vg_guest_modules} ${BUSYBOX}
                 $<TARGET_FILE:vg-guest-tone> $<TARGET_FILE:vgapt-client>
            X11 TIMEOUT 180)
    target_include_directories(test-e2e-qemu-spice-audio PRIVATE ../client)
    # The host's microphone for the guest: the SPICE record channel, --mic allow, deny and
    # ask (answered in the window with xdotool, where installed; "-" skips that case).
    set(vg_mic_xdotool -)
    if(XDOTOOL)
        set(vg_mic_xdotool ${XDOTOOL})
    endif()
    add_executable(vg-guest-mic guest_mic.c)
    target_link_libraries(vg-guest-mic PRIVATE m)
    target_link_options(vg-guest-mic PRIVATE -static)
    vg_test(e2e-qemu-spice-mic SOURCES test_qemu_spice_mic.c initramfs.c spice_guest.c
                                  ../client/image.c
            LIBS vg-audio-testenv vg-pattern m
            ARGS ${QEMU_SYSTEM} ${GUEST_KERNEL} ${vg_guest_modules} ${BUSYBOX}
                 $<TARGET_FILE:vg-guest-mic> $<TARGET_FILE:vgapt-client> ${vg_mic_xdotool}
            X11 TIMEOUT 180)
    target_include_directories(test-e2e-qemu-spice-mic PRIVATE ../client)
else()
    string(CONCAT vg_spice_audio_missing
           "needs the client's SPICE input and PipeWire audio and the kernel's sound modules "
           "in /lib/modules/${vg_kernel_version}")
    message(STATUS "The end-to-end SPICE audio test is off: it ${vg_spice_audio_missing}")
    add_feature_info(test-qemu-spice-audio OFF
                     "end-to-end SPICE audio test: ${vg_spice_audio_missing}")
endif()

# The clipboard through the guest's agent.
include(spice_clipboard.cmake)

if(NOT vg_have_spice OR NOT XDOTOOL OR NOT EXISTS ${vg_guest_modules}/drivers/virtio/virtio_input.ko)
    string(CONCAT vg_spice_test_missing
           "needs the client's SPICE input (libspice-client-glib-2.0-dev), xdotool and the "
           "kernel's modules in /lib/modules/${vg_kernel_version} (sh .ci/deps --tests, or "
           "apt-get install libspice-client-glib-2.0-dev xdotool linux-image-amd64)")
    if(vg_qemu_explicit)
        message(FATAL_ERROR "VG_TEST_QEMU: the SPICE test ${vg_spice_test_missing}, or configure "
                            "with -DVG_TEST_QEMU=OFF")
    endif()
    message(STATUS "The end-to-end SPICE input test is off: it ${vg_spice_test_missing}")
    add_feature_info(test-qemu-spice OFF "end-to-end SPICE input test: ${vg_spice_test_missing}")
    return()
endif()
add_feature_info(test-qemu-spice ON "end-to-end test of keyboard and mouse through QEMU's SPICE")

add_executable(vg-guest-evdev guest_evdev.c)
target_link_libraries(vg-guest-evdev PRIVATE m)
target_link_options(vg-guest-evdev PRIVATE -static)

vg_test(e2e-qemu-spice SOURCES test_qemu_spice.c initramfs.c spice_guest.c ../client/image.c
        LIBS vg-testlib vg-pattern
        ARGS ${QEMU_SYSTEM} ${GUEST_KERNEL} ${vg_guest_modules} ${BUSYBOX}
             $<TARGET_FILE:vgapt-guest-static> $<TARGET_FILE:vg-guest-evdev>
             $<TARGET_FILE:vgapt-client>
        X11 TIMEOUT 240)
target_include_directories(test-e2e-qemu-spice PRIVATE ../client)
