# Included by spice.cmake. The clipboard through QEMU's SPICE server and the guest's agent port:
# a static agent of the tests' own (spice-protocol's vd_agent.h) in the guest, xclip on the host.
find_program(XCLIP xclip)
pkg_check_modules(SPICE_PROTOCOL QUIET spice-protocol)
if(vg_have_spice AND XCLIP AND XDOTOOL AND SPICE_PROTOCOL_FOUND
   AND EXISTS ${vg_guest_modules}/drivers/char/virtio_console.ko)
    add_feature_info(test-qemu-spice-clipboard ON
                     "end-to-end test of the clipboard through SPICE and a guest agent")
    add_executable(vg-guest-agent guest_agent.c)
    target_include_directories(vg-guest-agent PRIVATE ${SPICE_PROTOCOL_INCLUDE_DIRS})
    target_link_options(vg-guest-agent PRIVATE -static)
    vg_test(e2e-qemu-spice-clipboard SOURCES test_qemu_spice_clipboard.c initramfs.c spice_guest.c
            ../client/image.c
            LIBS vg-testlib vg-pattern
            ARGS ${QEMU_SYSTEM} ${GUEST_KERNEL} ${vg_guest_modules} ${BUSYBOX}
                 $<TARGET_FILE:vg-guest-agent> $<TARGET_FILE:vgapt-client>
            X11 TIMEOUT 180)
    target_include_directories(test-e2e-qemu-spice-clipboard PRIVATE ../client)
else()
    string(CONCAT vg_spice_clip_missing
           "needs the client's SPICE input (libspice-client-glib-2.0-dev), spice-protocol "
           "(libspice-protocol-dev), xclip, xdotool and the kernel's virtio_console module in "
           "/lib/modules/${vg_kernel_version} (sh .ci/deps --tests)")
    message(STATUS "The end-to-end SPICE clipboard test is off: it ${vg_spice_clip_missing}")
    add_feature_info(test-qemu-spice-clipboard OFF
                     "end-to-end SPICE clipboard test: ${vg_spice_clip_missing}")
endif()
