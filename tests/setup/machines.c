/* Machines modelled on real hosts from passthrough guides and users' reports (ids are the
 * real PCI ids of those cards). */
#include "fakeroot.h"

#define AMD_FLAGS "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr sse sse2 ht syscall nx svm npt"
#define INTEL_FLAGS "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr sse sse2 ht vmx ept"

#define VGA 0x030000
#define AUDIO 0x040300
#define USB 0x0c0330
#define UCSI 0x0c8000
#define BRIDGE 0x060400
#define SATA 0x010601

#define DEBIAN_GRUB                                                                                \
    {"/etc/default/grub", "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"                                       \
                          "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"     \
                          "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n"                          \
                          "GRUB_CMDLINE_LINUX=\"\"\n"},                                            \
    {                                                                                              \
        "/usr/sbin/update-grub", "#!/bin/sh\n"                                                     \
    }

/* Threadripper 1950X on an X399 board: GTX 1060 for the guest, Radeon Pro WX 4100 (boot) for
 * the host; Ubuntu 22.04, kernel 5.15, GRUB, update-initramfs. */
const struct fr_machine fr_x399 = {
    .name = "AMD Ryzen Threadripper 1950X",
    .cpu_vendor = "AuthenticAMD",
    .flags = AMD_FLAGS,
    .kvm = true,
    .paging = "1",
    .acpi = "IVRS",
    .group_type = "DMA-FQ",
    .cmdline = "BOOT_IMAGE=/boot/vmlinuz-5.15.0-91-generic root=UUID=7c1e ro quiet splash",
    .release = "5.15.0-91-generic",
    .devs =
        {
            {"0000:00:01.1", 0x1022, 0x1453, BRIDGE, "pcieport", 2, -1, NULL},
            {"0000:08:00.0", 0x1022, 0x7901, SATA, "ahci", 13, -1, "flr"},
            {"0000:0a:00.0", 0x10de, 0x1c03, VGA, "nouveau", 14, 0, "bus"},
            {"0000:0a:00.1", 0x10de, 0x10f1, AUDIO, "snd_hda_intel", 14, -1, "bus"},
            {"0000:40:03.1", 0x1022, 0x1453, BRIDGE, "pcieport", 28, -1, NULL},
            {"0000:43:00.0", 0x1002, 0x67e3, VGA, "amdgpu", 30, 1, "bus"},
            {"0000:43:00.1", 0x1002, 0xaae0, AUDIO, "snd_hda_intel", 30, -1, "bus"},
        },
    .conns =
        {
            {"card0-DP-1", "0000:0a:00.0", "connected", "2560x1440\n1920x1080\n1280x720\n"},
            {"card0-HDMI-A-1", "0000:0a:00.0", "disconnected", NULL},
            {"card1-DP-2", "0000:43:00.0", "connected", "3840x2160\n1920x1080\n"},
        },
    .files =
        {
            DEBIAN_GRUB,
            {"/usr/sbin/update-initramfs", "#!/bin/sh\n"},
            {"/etc/initramfs-tools/modules", "# List of modules that you want to include in your "
                                             "initramfs.\n# Syntax:  module_name [args ...]\n"},
            {"/etc/modprobe.d/blacklist.conf", "blacklist pcspkr\n"},
            {"/etc/X11/default-display-manager", "/usr/sbin/gdm3\n"},
        },
};

/* Intel i7-6700K on a Z170 board: the GTX 960 sits behind the CPU's root port 00:01.0, which
 * shares its group (isolated but for bridges); the iGPU drives the host. Fedora: dracut, GRUB
 * 2 without update-grub, kernel 6.1. */
const struct fr_machine fr_z170 = {
    .name = "Intel Core i7-6700K",
    .cpu_vendor = "GenuineIntel",
    .flags = INTEL_FLAGS,
    .kvm = true,
    .paging = "Y",
    .acpi = "DMAR",
    .group_type = "identity",
    .cmdline = "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.1.9-200.fc37.x86_64 root=UUID=11aa ro "
               "rhgb quiet intel_iommu=on iommu=pt",
    .release = "6.1.9-200.fc37.x86_64",
    .devs =
        {
            {"0000:00:00.0", 0x8086, 0x191f, 0x060000, "skl_uncore", 0, -1, NULL},
            {"0000:00:01.0", 0x8086, 0x1901, BRIDGE, "pcieport", 1, -1, NULL},
            {"0000:00:02.0", 0x8086, 0x1912, VGA, "i915", 2, 1, "flr,bus"},
            {"0000:00:14.0", 0x8086, 0xa12f, USB, "xhci_hcd", 3, -1, "flr"},
            {"0000:01:00.0", 0x10de, 0x1401, VGA, "nouveau", 1, 0, "bus"},
            {"0000:01:00.1", 0x10de, 0x0fba, AUDIO, "snd_hda_intel", 1, -1, "bus"},
        },
    .conns =
        {
            {"card1-DVI-D-1", "0000:01:00.0", "disconnected", NULL},
            {"card1-HDMI-A-2", "0000:01:00.0", "disconnected", NULL},
            {"card0-DP-1", "0000:00:02.0", "connected", "1920x1080\n"},
        },
    .files =
        {
            {"/etc/default/grub", "GRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=\"$(sed 's, release .*$,,g' "
                                  "/etc/system-release)\"\nGRUB_CMDLINE_LINUX=\"rhgb quiet\"\n"
                                  "GRUB_CMDLINE_LINUX_DEFAULT='intel_iommu=on'\n"},
            {"/boot/grub2", NULL},
            {"/usr/bin/dracut", "#!/bin/sh\n"},
        },
};

/* Two RTX 2080 behind one PCIe switch without ACS: a single group with both cards' VGA,
 * audio, USB and UCSI functions. The first one boots the host. */
const struct fr_machine fr_dual_rtx = {
    .name = "AMD Ryzen 9 3900X",
    .cpu_vendor = "AuthenticAMD",
    .flags = AMD_FLAGS,
    .kvm = true,
    .paging = "1",
    .acpi = "IVRS",
    .group_type = "DMA-FQ",
    .cmdline = "initrd=\\initramfs-linux.img root=PARTUUID=5b3e rw iommu=pt",
    .release = "6.6.8-arch1-1",
    .devs =
        {
            {"0000:01:00.0", 0x10b5, 0x8747, BRIDGE, "pcieport", 12, -1, NULL},
            {"0000:02:08.0", 0x10b5, 0x8747, BRIDGE, "pcieport", 12, -1, NULL},
            {"0000:02:10.0", 0x10b5, 0x8747, BRIDGE, "pcieport", 12, -1, NULL},
            {"0000:03:00.0", 0x10de, 0x1e87, VGA, "nvidia", 12, 1, "bus"},
            {"0000:03:00.1", 0x10de, 0x10f8, AUDIO, "snd_hda_intel", 12, -1, "bus"},
            {"0000:03:00.2", 0x10de, 0x1ad8, USB, "xhci_hcd", 12, -1, "bus"},
            {"0000:03:00.3", 0x10de, 0x1ad9, UCSI, "nvidia-gpu", 12, -1, "bus"},
            {"0000:04:00.0", 0x10de, 0x1e87, VGA, "nvidia", 12, 0, "bus"},
            {"0000:04:00.1", 0x10de, 0x10f8, AUDIO, "snd_hda_intel", 12, -1, "bus"},
            {"0000:04:00.2", 0x10de, 0x1ad8, USB, "xhci_hcd", 12, -1, "bus"},
            {"0000:04:00.3", 0x10de, 0x1ad9, UCSI, "nvidia-gpu", 12, -1, "bus"},
        },
    .files =
        {
            {"/usr/bin/mkinitcpio", "#!/bin/sh\n"},
            {"/etc/mkinitcpio.conf", "MODULES=()\nBINARIES=()\nFILES=()\n"
                                     "HOOKS=(base udev autodetect modconf block filesystems)\n"},
            {"/boot/loader/entries/arch.conf", "title Arch Linux\nlinux /vmlinuz-linux\n"
                                               "initrd /initramfs-linux.img\n"
                                               "options root=PARTUUID=5b3e rw iommu=pt\n"},
        },
};

/* Ryzen 5 3600 with one RTX 2060 (VGA, audio, USB, UCSI) and the proprietary driver: Arch,
 * mkinitcpio, GRUB without update-grub, SDDM, EFI framebuffer. */
const struct fr_machine fr_single_2060 = {
    .name = "AMD Ryzen 5 3600",
    .cpu_vendor = "AuthenticAMD",
    .flags = AMD_FLAGS,
    .kvm = true,
    .paging = "1",
    .acpi = "IVRS",
    .group_type = "DMA",
    .cmdline = "BOOT_IMAGE=/vmlinuz-linux root=UUID=99ff rw loglevel=3 quiet",
    .release = "6.6.8-arch1-1",
    .dm_unit = "sddm.service",
    .meminfo =
        "MemTotal:       16303084 kB\nHugePages_Total:    8192\nHugepagesize:       2048 kB\n",
    .devs =
        {
            {"0000:00:03.1", 0x1022, 0x1483, BRIDGE, "pcieport", 14, -1, NULL},
            {"0000:09:00.0", 0x10de, 0x1f08, VGA, "nvidia", 15, 1, "bus"},
            {"0000:09:00.1", 0x10de, 0x10f9, AUDIO, "snd_hda_intel", 15, -1, "bus"},
            {"0000:09:00.2", 0x10de, 0x1ada, USB, "xhci_hcd", 15, -1, "bus"},
            {"0000:09:00.3", 0x10de, 0x1adb, UCSI, "nvidia-gpu", 15, -1, "bus"},
        },
    .conns =
        {
            {"card0-DP-1", "0000:09:00.0", "connected", "1920x1080\n1280x720\n"},
        },
    .files =
        {
            {"/etc/default/grub",
             "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"loglevel=3 quiet\"\n"
             "GRUB_CMDLINE_LINUX=\"\"\n"},
            {"/usr/bin/mkinitcpio", "#!/bin/sh\n"},
            {"/etc/mkinitcpio.conf", "MODULES=(nvidia nvidia_modeset nvidia_uvm nvidia_drm)\n"
                                     "HOOKS=(base udev autodetect modconf block filesystems)\n"},
            {"/sys/module/nvidia/refcnt", "3\n"},
            {"/sys/bus/platform/drivers/efi-framebuffer/efi-framebuffer.0", "\n"},
            {"/sys/bus/platform/devices/efi-framebuffer.0", NULL},
        },
};

/* Two identical GTX 1070s in their own groups: one for the host (boot), one for the guest;
 * ids= would take both. Debian 12, GRUB, update-initramfs. */
const struct fr_machine fr_twins = {
    .name = "AMD Ryzen 7 5800X",
    .cpu_vendor = "AuthenticAMD",
    .flags = AMD_FLAGS,
    .kvm = true,
    .paging = "1",
    .acpi = "IVRS",
    .group_type = "DMA-FQ",
    .cmdline = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=3344 ro quiet",
    .release = "6.1.0-13-amd64",
    .devs =
        {
            {"0000:0b:00.0", 0x10de, 0x1b81, VGA, "nouveau", 20, 0, "bus"},
            {"0000:0b:00.1", 0x10de, 0x10f0, AUDIO, "snd_hda_intel", 20, -1, "bus"},
            {"0000:0c:00.0", 0x10de, 0x1b81, VGA, "nouveau", 21, 1, "bus"},
            {"0000:0c:00.1", 0x10de, 0x10f0, AUDIO, "snd_hda_intel", 21, -1, "bus"},
        },
    .conns =
        {
            {"card0-HDMI-A-1", "0000:0b:00.0", "connected", "1920x1080\n"},
        },
    .files =
        {
            DEBIAN_GRUB,
            {"/usr/sbin/update-initramfs", "#!/bin/sh\n"},
        },
};

/* An Intel host whose firmware has VT-d but whose kernel was started without intel_iommu=on:
 * no groups. */
const struct fr_machine fr_no_iommu = {
    .name = "Intel Core i5-8400",
    .cpu_vendor = "GenuineIntel",
    .flags = INTEL_FLAGS,
    .kvm = true,
    .paging = "Y",
    .acpi = "DMAR",
    .group_type = NULL,
    .cmdline = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=abcd ro quiet",
    .release = "6.1.0-13-amd64",
    .devs =
        {
            {"0000:00:02.0", 0x8086, 0x3e92, VGA, "i915", 0, 1, "flr"},
            {"0000:01:00.0", 0x10de, 0x1c82, VGA, "nouveau", 1, 0, "bus"},
            {"0000:01:00.1", 0x10de, 0x0fb9, AUDIO, "snd_hda_intel", 1, -1, "bus"},
        },
    .files =
        {
            DEBIAN_GRUB,
            {"/usr/sbin/update-initramfs", "#!/bin/sh\n"},
        },
};

/* A custom kernel with vfio-pci built in, systemd-boot, an RX 6800 for the guest and an RX 550
 * for the host; no initramfs tool. */
const struct fr_machine fr_builtin = {
    .name = "AMD Ryzen 7 7700X",
    .cpu_vendor = "AuthenticAMD",
    .flags = AMD_FLAGS,
    .kvm = true,
    .paging = "1",
    .acpi = "IVRS",
    .group_type = "DMA-FQ",
    .cmdline = "root=PARTUUID=77aa rw amd_pstate=active",
    .release = "6.7.0-custom",
    .vfio_builtin = true,
    .devs =
        {
            {"0000:03:00.0", 0x1002, 0x73bf, VGA, "amdgpu", 16, 0, ""},
            {"0000:03:00.1", 0x1002, 0xab28, AUDIO, "snd_hda_intel", 16, -1, "flr"},
            {"0000:0e:00.0", 0x1002, 0x699f, VGA, "amdgpu", 22, 1, "bus"},
            {"0000:0e:00.1", 0x1002, 0xaae0, AUDIO, "snd_hda_intel", 22, -1, "bus"},
        },
    .files =
        {
            {"/boot/loader/entries/custom.conf",
             "title Custom\nlinux /vmlinuz-6.7.0-custom\n"
             "options root=PARTUUID=77aa rw amd_pstate=active\n"},
            {"/boot/loader/entries/custom-fallback.conf", "title Custom (fallback)\n"
                                                          "linux /vmlinuz-6.7.0-custom\n"
                                                          "options root=PARTUUID=77aa rw\n"},
        },
};

/* Pop!_OS 22.04 on an Alder Lake i7-12700 with an RTX 3070 for the guest and the iGPU for the
 * host: kernelstub owns the command line; the kernel enables VT-d without intel_iommu=on. */
const struct fr_machine fr_popos = {
    .name = "12th Gen Intel Core i7-12700",
    .cpu_vendor = "GenuineIntel",
    .flags = INTEL_FLAGS,
    .kvm = true,
    .paging = "Y",
    .acpi = "DMAR",
    .group_type = "DMA-FQ",
    .cmdline = "initrd=\\EFI\\Pop_OS-1a2b\\initrd.img root=UUID=1a2b ro quiet loglevel=0 "
               "systemd.show_status=false splash",
    .release = "6.2.6-76060206-generic",
    .devs =
        {
            {"0000:00:02.0", 0x8086, 0x4680, VGA, "i915", 0, 1, "flr"},
            {"0000:00:01.0", 0x8086, 0x460d, BRIDGE, "pcieport", 1, -1, NULL},
            {"0000:01:00.0", 0x10de, 0x2484, VGA, "nvidia", 1, 0, "bus"},
            {"0000:01:00.1", 0x10de, 0x228b, AUDIO, "snd_hda_intel", 1, -1, "bus"},
        },
    .conns =
        {
            {"card1-DP-3", "0000:01:00.0", "connected", "3840x2160\n2560x1440\n1920x1080\n"},
        },
    .files =
        {
            {"/etc/kernelstub/configuration", "{\"user\": {\"kernel_options\": [\"quiet\"]}}\n"},
            {"/boot/efi/loader/entries/Pop_OS-current.conf",
             "title Pop!_OS\noptions root=UUID=1a2b ro quiet\n"},
            {"/usr/sbin/update-initramfs", "#!/bin/sh\n"},
            {"/etc/initramfs-tools/modules", ""},
        },
};

const struct fr_machine *const fr_all[] = {&fr_x399,  &fr_z170,     &fr_dual_rtx, &fr_single_2060,
                                           &fr_twins, &fr_no_iommu, &fr_builtin};
const size_t fr_count = sizeof(fr_all) / sizeof(fr_all[0]);
