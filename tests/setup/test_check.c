/* vgapt-setup check against fake roots of real machines: the report a user reads (golden
 * files), the verdicts that matter on each machine, the JSON for scripts, the exit status.
 * Usage: test-setup-check PATH-TO-vgapt-setup GOLDEN-DIR */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakeroot.h"
#include "testlib.h"

static const char *setup, *golden;
static const char *tmp;

struct result {
    int rc;
    char *out, *err;
};

static struct result check(const struct fr_machine *m, const char *extra)
{
    char root[512];
    snprintf(root, sizeof(root), "%s/m%p", tmp, (const void *)m);
    mkdir(root, 0755);
    fr_build(root, m);
    char *argv[] = {(char *)setup, "check",           "--root",      root,
                    "--connect",   "test:///default", (char *)extra, NULL};
    struct result r;
    r.rc = fr_run(argv, &r.out, &r.err);
    return r;
}

static void release(struct result *r)
{
    free(r->out);
    free(r->err);
}

static bool has(const char *text, const char *needle)
{
    bool found = strstr(text, needle) != NULL;
    if (!found)
        fprintf(stderr, "missing: %s\n", needle);
    return found;
}

static void golden_case(const struct fr_machine *m, const char *name)
{
    struct result r = check(m, NULL);
    char file[128];
    snprintf(file, sizeof(file), "check-%s.txt", name);
    CHECK_MSG(fr_golden(golden, file, r.out), "%s", name);
    CHECK_MSG(r.err[0] == 0, "stderr: %s", r.err);
    release(&r);
}

static void threadripper_guest_is_the_gtx1060_and_host_keeps_the_radeon(void)
{
    golden_case(&fr_x399, "x399");
    struct result r = check(&fr_x399, NULL);
    CHECK(r.rc == 0);
    CHECK(has(r.out, "ok    0000:0a:00.0: group 14 is isolated"));
    CHECK(has(r.out, "ok    guest GPU: 0000:0a:00.0 is not the boot GPU; the host keeps "
                     "0000:43:00.0 (boot_vga)"));
    CHECK(has(r.out, "ok    card0-DP-1 connected, largest mode 2560x1440: IVSHMEM 64 MiB"));
    CHECK(has(r.out, "warn  kernel command line lacks iommu=pt"));
    CHECK(has(r.out, "ok    vfio-pci is a module of kernel 5.15.0-91-generic"));
    CHECK(has(r.out, "Next: vgapt-setup bind --gpu 0000:0a:00.0\n"));
    release(&r);
}

static void z170_root_port_in_the_group_is_fine(void)
{
    golden_case(&fr_z170, "z170");
    struct result r = check(&fr_z170, NULL);
    CHECK(r.rc == 0);
    CHECK(has(r.out, "ok    0000:01:00.0: group 1 is isolated but for PCIe bridges (fine: "
                     "bridges stay with the host): 0000:00:01.0 [8086:1901] bridge"));
    CHECK(has(r.out, "ok    host devices use passthrough domains (identity)"));
    CHECK(has(r.out, "warn  no monitor or dummy plug on 0000:01:00.0"));
    CHECK(has(r.out, "ok    initramfs tool: dracut"));
    release(&r);
}

static void two_rtx_in_one_group_is_dirty_with_acs_guidance(void)
{
    golden_case(&fr_dual_rtx, "dual-rtx");
    struct result r = check(&fr_dual_rtx, NULL);
    CHECK(r.rc == 1);
    CHECK(has(r.out, "fail  0000:04:00.0: group 12 is shared with 0000:03:00.0 [10de:1e87] VGA, "
                     "0000:03:00.1 [10de:10f8] HDMI audio, 0000:03:00.2 [10de:1ad8] USB, "
                     "0000:03:00.3 [10de:1ad9] UCSI"));
    CHECK(has(r.out, "ACS override"));
    CHECK(has(r.out, "Next: split the IOMMU group of 0000:04:00.0 (see above), or pass the "
                     "whole group: vgapt-setup bind --gpu 0000:04:00.0 --force\n"));
    CHECK(has(r.out, "never applies it"));
    CHECK(has(r.out, "ok    boot loader: systemd-boot"));
    release(&r);
}

static void single_gpu_host_is_told_to_use_hooks(void)
{
    golden_case(&fr_single_2060, "single-2060");
    struct result r = check(&fr_single_2060, NULL);
    CHECK(has(r.out, "warn  guest GPU: 0000:09:00.0 is the only GPU: the host gives it up while "
                     "the VM runs (single-GPU hooks mode)"));
    CHECK(has(r.out, "09:00.3 [10de:1adb] UCSI (nvidia-gpu)"));
    CHECK(has(r.out, "ok    8192 hugepages of 2048 KiB reserved (16384 MiB)"));
    CHECK(has(r.out, "Next: vgapt-setup hooks --domain NAME --gpu 0000:09:00.0\n"));
    release(&r);
}

static void identical_gpus_pick_the_one_that_did_not_boot(void)
{
    golden_case(&fr_twins, "twins");
    struct result r = check(&fr_twins, NULL);
    CHECK(has(r.out, "guest GPU: 0000:0b:00.0 is not the boot GPU; the host keeps 0000:0c:00.0"));
    release(&r);
}

static void no_iommu_fails_and_says_how_to_turn_it_on(void)
{
    golden_case(&fr_no_iommu, "no-iommu");
    struct result r = check(&fr_no_iommu, NULL);
    CHECK(r.rc == 1);
    CHECK(has(r.out, "fail  IOMMU not enabled: /sys/kernel/iommu_groups is empty"));
    CHECK(has(r.out, "fail  kernel command line lacks intel_iommu=on (needed on Intel)"));
    CHECK(has(r.out, "fail  0000:01:00.0 has no IOMMU group"));
    CHECK(has(r.out, "Next: add intel_iommu=on to the kernel command line "
                     "(GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then update-grub)"));
    release(&r);
}

/* Issue 12: with VT-d off in the firmware there is no DMAR table, and no kernel option helps
 * until it is on: Next says the firmware first. */
static void without_a_firmware_iommu_table_next_is_the_firmware_setting(void)
{
    struct fr_machine m = fr_no_iommu;
    m.acpi = NULL;
    struct result r = check(&m, NULL);
    CHECK(r.rc == 1);
    CHECK(has(r.out, "fail  no firmware IOMMU table"));
    CHECK(has(r.out, "\nNext: enable VT-d in the firmware setup (often under \"IOMMU\" or "
                     "\"Intel Virtualization Technology for Directed I/O\"; a BIOS update may be "
                     "needed), boot (vgapt-setup bind then adds intel_iommu=on to the kernel "
                     "command line), then: vgapt-setup check\n"));
    CHECK(has(r.out, "first enable VT-d in the firmware setup"));
    release(&r);
    m.cpu_vendor = "AuthenticAMD";
    r = check(&m, NULL);
    CHECK(has(r.out, "\nNext: enable the IOMMU (AMD-Vi) in the firmware setup (often under "
                     "\"IOMMU\" or \"AMD-Vi\"; a BIOS update may be needed), boot, then: "
                     "vgapt-setup check\n"));
    CHECK(!strstr(r.out, "intel_iommu"));
    release(&r);
}

static void builtin_vfio_and_missing_reset_are_reported(void)
{
    golden_case(&fr_builtin, "builtin");
    struct result r = check(&fr_builtin, NULL);
    CHECK(has(r.out, "ok    vfio-pci is built into kernel 6.7.0-custom"));
    CHECK(has(r.out, "warn  0000:03:00.0: the kernel knows no reset method for it"));
    CHECK(has(r.out, "warn  no initramfs tool found"));
    release(&r);
}

static void popos_without_intel_iommu_flag_is_warned_and_4k_plug_read(void)
{
    golden_case(&fr_popos, "popos");
    struct result r = check(&fr_popos, NULL);
    CHECK(r.rc == 0);
    CHECK(has(r.out, "warn  kernel command line lacks intel_iommu=on (needed on Intel)"));
    CHECK(has(r.out, "ok    boot loader: kernelstub"));
    CHECK(has(r.out, "card1-DP-3 connected, largest mode 3840x2160: IVSHMEM 128 MiB"));
    CHECK(has(r.out, "guest GPU: 0000:01:00.0 is not the boot GPU; the host keeps 0000:00:02.0"));
    release(&r);
}

static void gpu_already_on_vfio_moves_on_to_the_vm(void)
{
    char root[512];
    snprintf(root, sizeof(root), "%s/bound", tmp);
    mkdir(root, 0755);
    fr_build(root, &fr_x399);
    char link[600];
    snprintf(link, sizeof(link), "%s/sys/bus/pci/devices/0000:0a:00.0/driver", root);
    unlink(link);
    CHECK(symlink("../../drivers/vfio-pci", link) == 0);
    char *argv[] = {(char *)setup,     "--root",   root,    "--connect",
                    "test:///default", "--domain", "win10", NULL};
    struct result r;
    r.rc = fr_run(argv, &r.out, &r.err);
    CHECK(has(r.out, "ok    bound to vfio-pci: 0000:0a:00.0\n"));
    CHECK(has(r.out, "warn  0000:0a:00.0 is on vfio-pci: its connectors read \"unknown\" from "
                     "the host"));
    CHECK(has(r.out, "Next: vgapt-setup --domain win10 --gpu 0000:0a:00.0 --ivshmem "
                     "--hide-hypervisor\n"));
    release(&r);
}

static void json_names_every_verdict_for_scripts(void)
{
    struct result r = check(&fr_x399, "--json");
    CHECK(r.rc == 0);
    CHECK(has(r.out, "\"guest_gpu\": \"0000:0a:00.0\""));
    CHECK(has(r.out, "\"mode\": \"dual-gpu\""));
    CHECK(has(r.out, "\"resolution\": \"2560x1440\""));
    CHECK(has(r.out, "{\"section\": \"GPUs\", \"id\": \"gpu-group\", \"verdict\": \"ok\", "
                     "\"device\": \"0000:0a:00.0\""));
    CHECK(has(r.out, "\"next\": \"vgapt-setup bind --gpu 0000:0a:00.0\""));
    release(&r);
}

/* Braces and brackets balance outside strings, quotes pair up, nothing but the object. */
static bool json_balanced(const char *text)
{
    int depth = 0, quotes = 0;
    bool esc = false;
    for (const char *p = text; *p; p++) {
        if (esc) {
            esc = false;
            continue;
        }
        if (*p == '\\')
            esc = true;
        else if (*p == '"')
            quotes++;
        else if (!(quotes & 1) && (*p == '{' || *p == '['))
            depth++;
        else if (!(quotes & 1) && (*p == '}' || *p == ']'))
            depth--;
        if (depth < 0)
            return false;
    }
    return depth == 0 && quotes % 2 == 0 && text[0] == '{';
}

static void every_machine_gives_well_formed_json(void)
{
    for (size_t i = 0; i < fr_count; i++) {
        struct result r = check(fr_all[i], "--json");
        CHECK_MSG(json_balanced(r.out), "%s", fr_all[i]->name);
        CHECK_MSG(r.rc == (strstr(r.out, "\"ok\": false") ? 1 : 0), "%s", fr_all[i]->name);
        release(&r);
    }
}

static void unreachable_libvirt_is_a_warning_that_names_the_uri(void)
{
    char root[512];
    snprintf(root, sizeof(root), "%s/lv", tmp);
    mkdir(root, 0755);
    fr_build(root, &fr_x399);
    char *argv[] = {(char *)setup, "--root", root, "--connect", "test:///nonexistent/node.xml",
                    NULL};
    struct result r;
    r.rc = fr_run(argv, &r.out, &r.err);
    CHECK(r.rc == 0);
    CHECK(has(r.out, "warn  libvirt not reachable at test:///nonexistent/node.xml"));
    release(&r);
}

static void shm_file_owner_and_mode_are_judged_for_the_client_user(void)
{
    char root[512], shm[600];
    snprintf(root, sizeof(root), "%s/shm", tmp);
    mkdir(root, 0755);
    fr_build(root, &fr_x399);
    fr_write(root, "/dev/shm/looking-glass", "");
    snprintf(shm, sizeof(shm), "%s/dev/shm/looking-glass", root);
    struct passwd *pw = getpwuid(getuid());
    CHECK(pw != NULL);
    if (!pw)
        return;
    char *user = strdup(pw->pw_name);
    chmod(shm, 0660);
    char *argv[] = {(char *)setup,     "--root", root, "--connect",
                    "test:///default", "--user", user, NULL};
    struct result r;
    r.rc = fr_run(argv, &r.out, &r.err);
    char want[256];
    snprintf(want, sizeof(want), "ok    /dev/shm/looking-glass belongs to %s (mode 0660)", user);
    CHECK(has(r.out, want));
    release(&r);
    chmod(shm, 0600);
    /* Someone other than the file's owner (the test's user). */
    char *other = getuid() == 0 ? "nobody" : "root";
    char *argv2[] = {(char *)setup, "--root", root,     "--connect", "test:///default",
                     "--user",      other,    "--json", NULL};
    r.rc = fr_run(argv2, &r.out, &r.err);
    snprintf(want, sizeof(want), "mode 0600: vgapt-client as %s may not open it", other);
    CHECK(has(r.out, want));
    release(&r);
    /* The owner by name, as the host's passwd has it, not a bare uid. */
    char passwd[300];
    snprintf(passwd, sizeof(passwd),
             "root:x:0:0:root:/root:/bin/sh\nlgowner:x:%u:%u::/home/lg:"
             "/bin/sh\n",
             (unsigned)getuid(), (unsigned)getgid());
    if (getuid() == 0)
        snprintf(passwd, sizeof(passwd), "lgowner:x:0:0:root:/root:/bin/sh\n");
    fr_write(root, "/etc/passwd", passwd);
    r.rc = fr_run(argv2, &r.out, &r.err);
    snprintf(want, sizeof(want), "/dev/shm/looking-glass: owner lgowner (uid %u), mode 0600",
             (unsigned)getuid());
    CHECK(has(r.out, want));
    CHECK(has(r.out, "no tmpfiles.d rule makes it, so QEMU does"));
    CHECK(has(r.out, "installs one (f /dev/shm/looking-glass 0660 USER kvm -,"));
    release(&r);
    free(user);
}

/* Issue 12: without --user (and no sudo) the file that vgapt-setup's own rule makes (its
 * user's, group kvm, 0660) is fine; one QEMU made without a rule, or made before the rule,
 * gets the command that fixes it. */
static void shm_files_without_a_user_are_judged_by_the_rule_they_follow(void)
{
    char root[512], shm[600], text[400];
    snprintf(root, sizeof(root), "%s/shm-nouser", tmp);
    mkdir(root, 0755);
    fr_build(root, &fr_x399);
    snprintf(text, sizeof(text),
             "root:x:0:0:root:/root:/bin/sh\nalice:x:%u:%u::/home/alice:/bin/sh\n",
             (unsigned)getuid(), (unsigned)getgid());
    if (getuid() == 0)
        snprintf(text, sizeof(text), "alice:x:0:0::/home/alice:/bin/sh\n");
    fr_write(root, "/etc/passwd", text);
    snprintf(text, sizeof(text), "kvm:x:%u:alice\n", (unsigned)getgid());
    fr_write(root, "/etc/group", text);
    fr_write(root, "/dev/shm/looking-glass", "");
    snprintf(shm, sizeof(shm), "%s/dev/shm/looking-glass", root);
    chmod(shm, 0660);
    char *sudo_user = getenv("SUDO_USER") ? strdup(getenv("SUDO_USER")) : NULL;
    unsetenv("SUDO_USER");
    char *argv[] = {(char *)setup, "--root", root, "--connect", "test:///default", NULL};
    struct result r;
    r.rc = fr_run(argv, &r.out, &r.err);
    char want[300];
    snprintf(want, sizeof(want),
             "ok    /dev/shm/looking-glass belongs to alice (uid %u) and group kvm, mode 0660: "
             "vgapt-client opens it as alice or as a member of group kvm",
             (unsigned)getuid());
    CHECK(has(r.out, want));
    CHECK(!strstr(r.out, "may not open"));
    release(&r);
    /* Made by QEMU: libvirt-qemu's (here: a uid without a group name), 0644, no rule. */
    fr_write(root, "/etc/group", "root:x:0:\n");
    chmod(shm, 0644);
    char *json[] = {(char *)setup, "--root", root, "--connect", "test:///default", "--json", NULL};
    r.rc = fr_run(json, &r.out, &r.err);
    CHECK(has(r.out, "mode 0644: vgapt-client may not open it read-write"));
    CHECK(has(r.out, "no tmpfiles.d rule makes it, so QEMU does, as its own user "
                     "(libvirt-qemu) with mode 0644 (others only read): sudo vgapt-setup "
                     "--domain NAME --ivshmem --apply installs one"));
    release(&r);
    /* The rule is there (a Looking Glass guide's), the file older than it. */
    fr_write(root, "/etc/tmpfiles.d/10-looking-glass.conf",
             "# Looking Glass\nf /dev/shm/looking-glass 0660 alice kvm -\n");
    r.rc = fr_run(json, &r.out, &r.err);
    CHECK(has(r.out, "/etc/tmpfiles.d/10-looking-glass.conf has the rule (0660 alice:kvm) but "
                     "the file predates it: sudo systemd-tmpfiles --create "
                     "/etc/tmpfiles.d/10-looking-glass.conf gives it that owner and mode now"));
    release(&r);
    /* As the rule makes it, but vgapt-client is to run as someone else. */
    snprintf(text, sizeof(text), "kvm:x:%u:alice\n", (unsigned)getgid());
    fr_write(root, "/etc/group", text);
    chmod(shm, 0660);
    char *other[] = {(char *)setup, "--root", root,     "--connect", "test:///default",
                     "--user",      "nobody", "--json", NULL};
    r.rc = fr_run(other, &r.out, &r.err);
    CHECK(has(r.out, "vgapt-client as nobody may not open it read-write"));
    CHECK(has(r.out, "it is as the rule in /etc/tmpfiles.d/10-looking-glass.conf makes it (0660 "
                     "alice:kvm): run vgapt-client as alice, or as a member of group kvm"));
    release(&r);
    if (sudo_user)
        setenv("SUDO_USER", sudo_user, 1);
    free(sudo_user);
}

static void reserved_hugepages_without_hugetlbfs_are_a_warning(void)
{
    char root[512];
    snprintf(root, sizeof(root), "%s/nohugetlbfs", tmp);
    mkdir(root, 0755);
    fr_build(root, &fr_single_2060); /* 8192 pages of 2 MiB reserved */
    char *argv[] = {(char *)setup, "--root", root, "--connect", "test:///default", NULL};
    struct result r;
    r.rc = fr_run(argv, &r.out, &r.err);
    CHECK(has(r.out, "ok    8192 hugepages of 2048 KiB reserved (16384 MiB)"));
    release(&r);
    /* No systemd: nothing mounted it. */
    fr_write(root, "/proc/mounts", "proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0\n");
    r.rc = fr_run(argv, &r.out, &r.err);
    CHECK(has(r.out, "warn  8192 hugepages of 2048 KiB reserved, but no hugetlbfs is mounted: "
                     "libvirt cannot start a VM with <hugepages/>"));
    CHECK(has(r.out, "sudo mount -t hugetlbfs hugetlbfs /dev/hugepages"));
    release(&r);
}

static void bad_input_is_named(void)
{
    char *argv[] = {(char *)setup, "bind", "--gpu", "0a:00", NULL};
    struct result r;
    r.rc = fr_run(argv, &r.out, &r.err);
    CHECK(r.rc == 2);
    CHECK(has(r.err, "--gpu takes a PCI address like 0000:0a:00.0 or 0a:00.0, not '0a:00'"));
    release(&r);
    char *argv2[] = {(char *)setup, "--ivshmem", "--domain", "win;rm -rf /", NULL};
    r.rc = fr_run(argv2, &r.out, &r.err);
    CHECK(r.rc == 2);
    CHECK(has(r.err, "--domain 'win;rm -rf /'"));
    release(&r);
    char *argv3[] = {(char *)setup, "--root", "/nonexistent-root", NULL};
    r.rc = fr_run(argv3, &r.out, &r.err);
    CHECK(r.rc == 2);
    CHECK(has(r.err, "--root '/nonexistent-root' is not a directory"));
    release(&r);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s VGAPT-SETUP GOLDEN-DIR\n", argv[0]);
        return 2;
    }
    setup = argv[1];
    golden = argv[2];
    tmp = vg_test_tmpdir();
    RUN(threadripper_guest_is_the_gtx1060_and_host_keeps_the_radeon);
    RUN(z170_root_port_in_the_group_is_fine);
    RUN(two_rtx_in_one_group_is_dirty_with_acs_guidance);
    RUN(reserved_hugepages_without_hugetlbfs_are_a_warning);
    RUN(single_gpu_host_is_told_to_use_hooks);
    RUN(identical_gpus_pick_the_one_that_did_not_boot);
    RUN(no_iommu_fails_and_says_how_to_turn_it_on);
    RUN(without_a_firmware_iommu_table_next_is_the_firmware_setting);
    RUN(builtin_vfio_and_missing_reset_are_reported);
    RUN(popos_without_intel_iommu_flag_is_warned_and_4k_plug_read);
    RUN(gpu_already_on_vfio_moves_on_to_the_vm);
    RUN(json_names_every_verdict_for_scripts);
    RUN(every_machine_gives_well_formed_json);
    RUN(unreachable_libvirt_is_a_warning_that_names_the_uri);
    RUN(shm_file_owner_and_mode_are_judged_for_the_client_user);
    RUN(shm_files_without_a_user_are_judged_by_the_rule_they_follow);
    RUN(bad_input_is_named);
    return vg_test_finish();
}
