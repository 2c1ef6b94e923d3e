/* vgapt-setup bind / unbind / hooks: the exact plans on each machine (golden files), the
 * refusals, and apply + undo on fake roots: files byte-identical after undo, nothing
 * half-written after a failure, a second run with nothing to do.
 * Usage: test-setup-plan PATH-TO-vgapt-setup GOLDEN-DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/apply.h"
#include "fakeroot.h"
#include "model/model.h"
#include "plan/builders.h"
#include "plan/kcmdline.h"
#include "testlib.h"
#include "tree.h"
#include "vg/log.h"

static const char *setup, *golden, *tmp;
static int n_roots;

static char *new_root(const struct fr_machine *m)
{
    char *root = malloc(512);
    snprintf(root, 512, "%s/r%d", tmp, n_roots++);
    mkdir(root, 0755);
    fr_build(root, m);
    return root;
}

static bool has(const char *text, const char *needle)
{
    bool found = text && strstr(text, needle) != NULL;
    if (!found)
        fprintf(stderr, "missing: %s\n", needle);
    return found;
}

/* Runs the CLI on a fresh root of m; returns its exit status, output in *out. */
static int cli(const struct fr_machine *m, const char *const *args, char **out, char **err)
{
    char *root = new_root(m);
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)setup;
    for (; *args && n < 12; args++)
        argv[n++] = (char *)*args;
    argv[n++] = "--root";
    argv[n++] = root;
    argv[n] = NULL;
    int rc = fr_run(argv, out, err);
    free(root);
    return rc;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void golden_plan(const struct fr_machine *m, const char *const *args, const char *name)
{
    char *out, *err;
    int rc = cli(m, args, &out, &err);
    CHECK_MSG(rc == 0, "%s: exit %d: %s", name, rc, err);
    CHECK_MSG(fr_golden(golden, name, out), "%s", name);
    free(out);
    free(err);
}

static void x399_bind_plan_uses_ids_virqfd_initramfs_tools_and_grub(void)
{
    golden_plan(&fr_x399, ARGS("bind", "--gpu", "0a:00.0"), "bind-x399.txt");
    char *out, *err;
    cli(&fr_x399, ARGS("bind", "--gpu", "0000:0a:00.0"), &out, &err);
    CHECK(has(out, "+options vfio-pci ids=10de:1c03,10de:10f1\n"));
    CHECK(has(out, "+softdep nouveau pre: vfio-pci\n"));
    CHECK(has(out, "+vfio_virqfd\n"));
    CHECK(has(out, "-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n"
                   "+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash iommu=pt\"\n"));
    CHECK(has(out, "] run update-initramfs -u -k all\n"));
    CHECK(has(out, "] run update-grub\n"));
    CHECK(!strstr(out, "intel_iommu"));
    CHECK(has(out, "Dry run: nothing was changed."));
    free(out);
    free(err);
}

static void z170_kernel_6_1_still_loads_virqfd_and_uses_dracut_and_grub2(void)
{
    golden_plan(&fr_z170, ARGS("bind", "--gpu", "01:00.0"), "bind-z170.txt");
    char *out, *err;
    cli(&fr_z170, ARGS("bind", "--gpu", "01:00.0"), &out, &err);
    CHECK(has(out, "+vfio_virqfd\n")); /* folded into vfio only in 6.2 */
    CHECK(has(out, "+options vfio-pci ids=10de:1401,10de:0fba\n"));
    CHECK(!strstr(out, "8086:1901")); /* the root port stays with the host */
    CHECK(has(out, "+GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n"));
    CHECK(has(out, "] run grub2-mkconfig -o /boot/grub2/grub.cfg\n"));
    CHECK(has(out, "] run dracut -f --regenerate-all\n"));
    free(out);
    free(err);
}

static void identical_cards_are_bound_by_address(void)
{
    golden_plan(&fr_twins, ARGS("bind", "--gpu", "0b:00.0"), "bind-twins.txt");
    char *out, *err;
    cli(&fr_twins, ARGS("bind", "--gpu", "0b:00.0"), &out, &err);
    CHECK(has(out, "+install vfio-pci for d in 0000:0b:00.0 0000:0b:00.1; do echo vfio-pci > "
                   "/sys/bus/pci/devices/$d/driver_override; done; "
                   "/sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n"));
    CHECK(!strstr(out, "ids="));
    free(out);
    free(err);
}

static void builtin_vfio_goes_on_the_systemd_boot_command_line(void)
{
    golden_plan(&fr_builtin, ARGS("bind", "--gpu", "03:00.0"), "bind-builtin.txt");
    char *out, *err;
    cli(&fr_builtin, ARGS("bind", "--gpu", "03:00.0"), &out, &err);
    CHECK(has(out, "+options root=PARTUUID=77aa rw amd_pstate=active iommu=pt "
                   "vfio-pci.ids=1002:73bf,1002:ab28\n"));
    CHECK(has(out, "+options root=PARTUUID=77aa rw iommu=pt vfio-pci.ids=1002:73bf,1002:ab28\n"));
    CHECK(!strstr(out, "modules-load.d"));
    CHECK(!strstr(out, "modprobe.d")); /* a built-in vfio-pci never reads it */
    CHECK(!strstr(out, "initramfs"));
    free(out);
    free(err);
}

static void kernelstub_gets_the_flags_through_its_own_command(void)
{
    golden_plan(&fr_popos, ARGS("bind", "--gpu", "01:00.0"), "bind-popos.txt");
    char *out, *err;
    cli(&fr_popos, ARGS("bind", "--gpu", "01:00.0"), &out, &err);
    CHECK(has(out, "] run kernelstub --add-options 'intel_iommu=on iommu=pt'\n"));
    CHECK(has(out, "    undo: kernelstub --delete-options 'intel_iommu=on iommu=pt'\n"));
    CHECK(!strstr(out, "loader/entries")); /* kernelstub would overwrite them */
    CHECK(!strstr(out, "+vfio_virqfd"));   /* kernel 6.2 */
    free(out);
    free(err);
}

static void dirty_group_and_boot_gpu_are_refused_with_the_reason(void)
{
    char *out, *err;
    int rc = cli(&fr_dual_rtx, ARGS("bind", "--gpu", "04:00.0"), &out, &err);
    CHECK(rc == 1);
    CHECK(has(err, "0000:04:00.0 shares IOMMU group 12 with 0000:03:00.0 [10de:1e87] VGA"));
    CHECK(has(err, "--force passes the whole group anyway"));
    CHECK(!strstr(out, "[1]"));
    free(out);
    free(err);
    golden_plan(&fr_dual_rtx, ARGS("bind", "--gpu", "04:00.0", "--force"),
                "bind-dual-rtx-force.txt");
    rc = cli(&fr_dual_rtx, ARGS("bind", "--gpu", "04:00.0", "--force"), &out, &err);
    CHECK(rc == 0);
    CHECK(has(err, "--force: passing all of group 12"));
    CHECK(has(err, "--force: 0000:03:00.0 is the boot GPU"));
    CHECK(has(out, "+options vfio-pci ids=10de:1e87,10de:10f8,10de:1ad8,10de:1ad9\n"));
    CHECK(!strstr(out, "+vfio_virqfd")); /* kernel 6.6 */
    CHECK(has(out, "+MODULES=(vfio_pci vfio vfio_iommu_type1)\n"));
    free(out);
    free(err);
    rc = cli(&fr_single_2060, ARGS("bind", "--gpu", "09:00.0"), &out, &err);
    CHECK(rc == 1);
    CHECK(has(err, "0000:09:00.0 is the boot GPU (boot_vga)"));
    CHECK(has(err, "vgapt-setup hooks"));
    free(out);
    free(err);
    rc = cli(&fr_x399, ARGS("bind", "--gpu", "0a:00.1"), &out, &err);
    CHECK(rc == 1);
    CHECK(has(err, "0000:0a:00.1 is a HDMI audio [10de:10f1], not a GPU"));
    free(out);
    free(err);
}

static void intel_with_the_iommu_off_gets_the_kernel_flags_first(void)
{
    /* check says bind adds intel_iommu=on: bind must do that, not refuse for want of a group. */
    char *out, *err;
    int rc = cli(&fr_no_iommu, ARGS("bind", "--gpu", "01:00.0"), &out, &err);
    CHECK_MSG(rc == 0, "rc %d: %s", rc, err);
    CHECK(has(out, "intel_iommu=on iommu=pt\"\n"));
    CHECK(has(out, "this plan only turns the IOMMU on. After --apply: reboot, run vgapt-setup "
                   "check, then vgapt-setup bind --gpu 0000:01:00.0 again"));
    CHECK(!strstr(out, "vfio-pci ids="));
    free(out);
    free(err);
    rc = cli(&fr_no_iommu, ARGS("bind", "--gpu", "01:00.1"), &out, &err);
    CHECK(rc == 1);
    CHECK(has(err, "not a GPU"));
    free(out);
    free(err);
}

static void single_gpu_hooks_plan(void)
{
    golden_plan(&fr_single_2060, ARGS("hooks", "--domain", "win11", "--gpu", "09:00.0"),
                "hooks-single-2060.txt");
}

/* Stub programs the plan runs (update-initramfs, update-grub), logging their argv. */
static char *stub_bin(const char *dir, const char *log)
{
    char *bin = malloc(600);
    snprintf(bin, 600, "%s/bin", dir);
    const char *names[] = {"update-initramfs", "update-grub"};
    for (int i = 0; i < 2; i++) {
        char path[700], text[800];
        snprintf(path, sizeof(path), "/%s", names[i]);
        snprintf(text, sizeof(text), "#!/bin/sh\necho \"%s $*\" >>'%s'\n", names[i], log);
        fr_write(bin, path, text);
        snprintf(path, sizeof(path), "%s/%s", bin, names[i]);
        chmod(path, 0755);
    }
    return bin;
}

static void apply_then_undo_leaves_every_byte_as_it_was(void)
{
    char *root = new_root(&fr_x399);
    char *before = tree_snapshot(root, "/var");
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_plan p;
    vg_plan_init(&p, "bind", root);
    CHECK(vg_plan_bind(&p, &h, "0000:0a:00.0", false));
    CHECK(p.n == 6);

    char log[600];
    snprintf(log, sizeof(log), "%s/calls.log", tmp);
    char *bin = stub_bin(tmp, log);
    char *old_path = strdup(getenv("PATH"));
    char *path = malloc(strlen(bin) + strlen(old_path) + 2);
    sprintf(path, "%s:%s", bin, old_path);
    setenv("PATH", path, 1);
    struct vg_apply_opts o = {.run_under_root = true};
    CHECK(vg_apply(&p, &o));
    char *conf = fr_read(root, "/etc/modprobe.d/vgapt-vfio.conf");
    CHECK(has(conf, "options vfio-pci ids=10de:1c03,10de:10f1\n"));
    char *grub = fr_read(root, "/etc/default/grub");
    CHECK(has(grub, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash iommu=pt\"\n"));
    char *calls = fr_read(tmp, "/calls.log");
    CHECK(calls && !strcmp(calls, "update-initramfs -u -k all\nupdate-grub \n"));
    free(conf);
    free(grub);
    free(calls);
    vg_plan_finish(&p);

    /* Idempotent: the same request now plans nothing. */
    vg_host_finish(&h);
    CHECK(vg_host_load(&h, root));
    vg_plan_init(&p, "bind again", root);
    CHECK(vg_plan_bind(&p, &h, "0000:0a:00.0", false));
    CHECK_MSG(p.n == 0, "second plan has %zu steps", p.n);
    vg_plan_finish(&p);

    struct vg_sbuf report = {0};
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "removed /etc/modprobe.d/vgapt-vfio.conf\n"));
    CHECK(has(report.data, "restored /etc/default/grub\n"));
    vg_sbuf_free(&report);
    setenv("PATH", old_path, 1);
    char *after = tree_snapshot(root, "/var");
    CHECK_MSG(!strcmp(before, after), "tree differs after undo");
    if (strcmp(before, after)) {
        fr_write(tmp, "/before", before);
        fr_write(tmp, "/after", after);
        char b[600], a[600];
        snprintf(b, sizeof(b), "%s/before", tmp);
        snprintf(a, sizeof(a), "%s/after", tmp);
        char *argv[] = {"/usr/bin/diff", "-u", b, a, NULL};
        char *d = NULL;
        fr_run(argv, &d, NULL);
        fprintf(stderr, "%s", d);
        free(d);
    }
    calls = fr_read(tmp, "/calls.log");
    CHECK(calls && !strcmp(calls, "update-initramfs -u -k all\nupdate-grub \n"
                                  "update-initramfs -u -k all\nupdate-grub \n"));
    free(calls);
    /* Nothing left to undo. */
    vg_log_set_level(VG_LOG_ERROR + 0);
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    vg_sbuf_free(&report);
    vg_host_finish(&h);
    free(before);
    free(after);
    free(bin);
    free(path);
    free(old_path);
    free(root);
}

static void failure_midway_rolls_back_everything(void)
{
    char *root = new_root(&fr_x399);
    char *before = tree_snapshot(root, "/var");
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    for (unsigned fail_at = 1; fail_at <= 6; fail_at++) {
        struct vg_plan p;
        vg_plan_init(&p, "bind", root);
        CHECK(vg_plan_bind(&p, &h, "0000:0a:00.0", false));
        struct vg_apply_opts o = {.fail_at = fail_at};
        CHECK(!vg_apply(&p, &o));
        /* The state directory's parents may stay (they are the tool's own); everything
         * else is as it was and no plan directory is left behind. */
        char *after = tree_snapshot(root, "/var");
        CHECK_MSG(!strcmp(before, after), "fail_at %u changed the tree", fail_at);
        char plan_dir[600];
        snprintf(plan_dir, sizeof(plan_dir), "%s/var/lib/vgapt-setup/plans/0001", root);
        CHECK_MSG(access(plan_dir, F_OK) != 0, "fail_at %u left %s", fail_at, plan_dir);
        free(after);
        vg_plan_finish(&p);
    }
    vg_host_finish(&h);
    free(before);
    free(root);
}

static void a_file_changed_after_planning_is_not_overwritten(void)
{
    char *root = new_root(&fr_x399);
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_plan p;
    vg_plan_init(&p, "bind", root);
    CHECK(vg_plan_bind(&p, &h, "0000:0a:00.0", false));
    fr_write(root, "/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"edited meanwhile\"\n");
    struct vg_apply_opts o = {0};
    CHECK(!vg_apply(&p, &o));
    char *grub = fr_read(root, "/etc/default/grub");
    CHECK(grub && !strcmp(grub, "GRUB_CMDLINE_LINUX_DEFAULT=\"edited meanwhile\"\n"));
    char *conf = fr_read(root, "/etc/modprobe.d/vgapt-vfio.conf");
    CHECK(conf == NULL);
    free(grub);
    free(conf);
    vg_plan_finish(&p);
    vg_host_finish(&h);
    free(root);
}

static void unbind_reverses_bind_and_keeps_the_iommu_flags(void)
{
    char *root = new_root(&fr_x399);
    char *argv[] = {(char *)setup, "bind", "--gpu", "0a:00.0", "--apply", "--root", root, NULL};
    char *out, *err;
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "Applied. vgapt-setup undo reverts it."));
    free(out);
    free(err);
    char *argv2[] = {(char *)setup, "unbind", "--root", root, NULL};
    CHECK(fr_run(argv2, &out, &err) == 0);
    CHECK(fr_golden(golden, "unbind-x399.txt", out));
    free(out);
    free(err);
    char *argv3[] = {(char *)setup, "unbind", "--apply", "--root", root, NULL};
    CHECK(fr_run(argv3, &out, &err) == 0);
    free(out);
    free(err);
    char *mods = fr_read(root, "/etc/initramfs-tools/modules");
    CHECK(mods && !strstr(mods, "vfio"));
    CHECK(has(mods, "# Syntax:  module_name [args ...]\n"));
    char *grub = fr_read(root, "/etc/default/grub");
    CHECK(has(grub, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash iommu=pt\"\n"));
    char *conf = fr_read(root, "/etc/modprobe.d/vgapt-vfio.conf");
    CHECK(conf == NULL);
    free(mods);
    free(grub);
    free(conf);
    /* undo twice: back to bound, then back to the original. */
    char *argv4[] = {(char *)setup, "undo",      "--apply",         "--root",
                     root,          "--connect", "test:///default", NULL};
    CHECK(fr_run(argv4, &out, &err) == 0);
    CHECK(has(out, "undone: undo boot-time vfio-pci binding"));
    free(out);
    free(err);
    conf = fr_read(root, "/etc/modprobe.d/vgapt-vfio.conf");
    CHECK(has(conf, "options vfio-pci ids=10de:1c03,10de:10f1"));
    free(conf);
    free(root);
}

static void diff_and_command_line_edits_are_exact(void)
{
    struct vg_sbuf d = {0};
    /* The hunks GNU diff -u prints for the same texts. */
    vg_diff_unified("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n", "a/x",
                    "b/x", &d);
    CHECK(d.data && !strcmp(d.data, "--- a/x\n+++ b/x\n@@ -1,10 +1,11 @@\n a\n b\n c\n-d\n+D\n"
                                    " e\n f\n g\n h\n i\n j\n+k\n"));
    vg_sbuf_free(&d);
    vg_diff_unified("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n",
                    "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nl\nm\n", "a/x", "b/x", &d);
    CHECK(d.data && !strcmp(d.data, "--- a/x\n+++ b/x\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n"
                                    " f\n g\n@@ -10,3 +10,4 @@\n j\n k\n l\n+m\n"));
    vg_sbuf_free(&d);
    vg_diff_unified("same\n", "same\n", "a", "b", &d);
    CHECK(d.len == 0);
    vg_sbuf_free(&d);

    const char *add[] = {"intel_iommu=on", "iommu=pt", NULL};
    char *s = vg_cmdline_edit("quiet intel_iommu=off splash iommu=pt", add, NULL);
    CHECK(!strcmp(s, "quiet splash iommu=pt intel_iommu=on"));
    free(s);
    const char *ids[] = {"vfio-pci.ids=10de:1b81", NULL};
    s = vg_cmdline_edit("ro vfio-pci.ids=1002:67df quiet", ids, "vfio-pci.ids=");
    CHECK(!strcmp(s, "ro quiet vfio-pci.ids=10de:1b81"));
    free(s);

    char bdf[VG_BDF_LEN];
    CHECK(vg_bdf_parse("0A:00.1", bdf) && !strcmp(bdf, "0000:0a:00.1"));
    CHECK(vg_bdf_parse("0001:c1:1f.7", bdf) && !strcmp(bdf, "0001:c1:1f.7"));
    CHECK(!vg_bdf_parse("0a:00.8", bdf));
    CHECK(!vg_bdf_parse("0a:20.0", bdf));
    CHECK(!vg_bdf_parse("0a:00.0;", bdf));
    CHECK(!vg_bdf_parse("../../x", bdf));
    /* Domains: what libvirt takes (they go through its API, never a shell)... */
    CHECK(vg_valid_domain_name("win10-gaming_2.0"));
    CHECK(vg_valid_domain_name("Windows 11"));
    CHECK(vg_valid_domain_name("Gäming 'VM' $(x)"));
    CHECK(!vg_valid_domain_name("a/b"));
    CHECK(!vg_valid_domain_name(""));
    CHECK(!vg_valid_domain_name("a\nb") && !vg_valid_domain_name("a\tb"));
    /* ...and, for hook scripts (a path and shell code), the restricted set. */
    CHECK(vg_valid_hook_domain_name("win10-gaming_2.0"));
    CHECK(!vg_valid_hook_domain_name("Windows 11"));
    CHECK(!vg_valid_hook_domain_name("-x"));
    CHECK(!vg_valid_hook_domain_name("$(reboot)"));
    CHECK(vg_valid_vendor_id("1234567890ab") && !vg_valid_vendor_id("1234567890abc"));
    CHECK(vg_valid_path("/var/lib/libvirt/vbios/gtx1060.rom"));
    CHECK(!vg_valid_path("relative.rom") && !vg_valid_path("/a/../etc/shadow") &&
          !vg_valid_path("/x'y"));
}

static void not_root_sees_the_plan_but_nothing_is_written(void)
{
    /* Drop to nobody in a child when we are root; as a user, this process already is one. */
    char target[600];
    snprintf(target, sizeof(target), "%s/written-by-nobody", tmp);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && setuid(65534) != 0)
            _exit(3);
        struct vg_plan p;
        vg_plan_init(&p, "live", "/");
        vg_plan_write(&p, target, "x\n", 0644, "test");
        struct vg_apply_opts o = {0};
        _exit(vg_apply(&p, &o) ? 1 : 0);
    }
    int st = vg_test_wait(pid, 10000);
    CHECK(st == 0);
    CHECK(access(target, F_OK) != 0);
}

/* A command's output lands after what vgapt-setup printed before it, also into a pipe or file
 * (stdout fully buffered), and before what it prints after. */
static void a_commands_output_follows_ours_when_stdout_is_a_file(void)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/order.txt", tmp);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(path, "w", stdout))
            _exit(3);
        printf("[1] run echo\n");
        char *argv[] = {"echo", "from the command", NULL};
        bool ok = vg_run_argv(argv);
        printf("Applied.\n");
        fflush(stdout);
        _exit(ok ? 0 : 1);
    }
    CHECK(vg_test_wait(pid, 10000) == 0);
    char *text = vg_test_slurp(path);
    CHECK_MSG(text && !strcmp(text, "[1] run echo\nfrom the command\nApplied.\n"), "%s", text);
    free(text);
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
    vg_log_init("test-setup-plan", VG_LOG_WARN);
    RUN(x399_bind_plan_uses_ids_virqfd_initramfs_tools_and_grub);
    RUN(z170_kernel_6_1_still_loads_virqfd_and_uses_dracut_and_grub2);
    RUN(identical_cards_are_bound_by_address);
    RUN(builtin_vfio_goes_on_the_systemd_boot_command_line);
    RUN(kernelstub_gets_the_flags_through_its_own_command);
    RUN(dirty_group_and_boot_gpu_are_refused_with_the_reason);
    RUN(intel_with_the_iommu_off_gets_the_kernel_flags_first);
    RUN(single_gpu_hooks_plan);
    RUN(apply_then_undo_leaves_every_byte_as_it_was);
    RUN(failure_midway_rolls_back_everything);
    RUN(a_file_changed_after_planning_is_not_overwritten);
    RUN(unbind_reverses_bind_and_keeps_the_iommu_flags);
    RUN(diff_and_command_line_edits_are_exact);
    RUN(not_root_sees_the_plan_but_nothing_is_written);
    RUN(a_commands_output_follows_ours_when_stdout_is_a_file);
    return vg_test_finish();
}
