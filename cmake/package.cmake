# CPack: `cpack -G DEB` in a build directory makes vgapt_VERSION_ARCH.deb of everything
# `cmake --install` installs, under /usr. .ci/package builds it and runs lintian on it.
# Included last from the top-level CMakeLists.txt (packaging/ sets VG_PACKAGE_MAINTAINER).

set(CPACK_PACKAGE_NAME vgapt)
set(CPACK_PACKAGE_VENDOR "vgapt")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${VG_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "display and audio of a GPU-passthrough VM on the host, through IVSHMEM")
# Lines of at most 79 characters (lintian: extended-description-line-too-long).
set(CPACK_PACKAGE_DESCRIPTION
    "vgapt brings a VFIO GPU-passthrough virtual machine's display and sound to
the host: the guest draws on its own GPU, and vgapt shows its frames in a
window through IVSHMEM shared memory and plays its audio through PipeWire.

 - vgapt-client shows the guest's frames and cursor from the Looking Glass
   B7 host application (or from vgapt-guest) and plays the guest's Scream
   audio; the vgapt-audio systemd user unit plays it without a window.
 - vgapt-setup checks the host for passthrough, binds the guest GPU to
   vfio-pci, installs libvirt hooks and adds the GPU and the shared memory
   to the VM, showing each change as a plan before it applies it; it also
   undoes what it applied.
 - vgapt-guest is a synthetic guest for demos and tests; vgapt-bench
   measures the client.

Examples in /usr/share/doc/vgapt/examples set up the shared-memory files,
the /dev/kvmfr devices and the client's settings.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/cpack-staging.cmake)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${VG_PACKAGE_MAINTAINER}")
# admin, as Debian files virt-viewer and virt-manager: the nearest packages (a window on a
# VM's display; host and VM configuration for virtualisation) are system administration tools.
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded at run time, so dpkg-shlibdeps cannot see them: libepoxy opens the GL library; the
# audio needs a PipeWire daemon; vgapt-setup edits VMs of a libvirt daemon with QEMU.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libgl1")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pipewire")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libvirt-daemon-system, qemu-system-x86")

# The systemd unit names the client by the configured prefix, so a .deb (under /usr) must come
# from a build configured with -DCMAKE_INSTALL_PREFIX=/usr; cpack stops otherwise.
set(VG_CONFIGURED_PREFIX ${CMAKE_INSTALL_PREFIX})
configure_file(${CMAKE_CURRENT_LIST_DIR}/cpack-options.cmake.in
               ${PROJECT_BINARY_DIR}/CPackOptions.cmake @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/CPackOptions.cmake)

include(CPack)
