/* Generated libvirt hook scripts: they pass sh -n and shellcheck, and run against a fake sysfs
 * root they make exactly the writes and calls a hand-over needs, in order, and the reverse.
 * Usage: test-setup-hooks */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/apply.h"
#include "fakeroot.h"
#include "model/model.h"
#include "plan/builders.h"
#include "testlib.h"
#include "vg/log.h"

static const char *tmp;
static char bin[600], calls[600], logfile[600];

#define BEGIN "/etc/libvirt/hooks/qemu.d/win11/prepare/begin/vgapt-gpu.sh"
#define END "/etc/libvirt/hooks/qemu.d/win11/release/end/vgapt-gpu.sh"

static bool has(const char *text, const char *needle)
{
    bool found = text && strstr(text, needle) != NULL;
    if (!found)
        fprintf(stderr, "missing: %s\n", needle);
    return found;
}

static bool equals(const char *root, const char *path, const char *want)
{
    char *got = fr_read(root, path);
    bool same = got && !strcmp(got, want);
    if (!same)
        fprintf(stderr, "%s: want '%s', got '%s'\n", path, want, got ? got : "(missing)");
    free(got);
    return same;
}

/* systemctl, modprobe and sleep log their argv; modprobe fails for FAIL_MODULE. */
static void make_stubs(void)
{
    snprintf(bin, sizeof(bin), "%s/bin", tmp);
    snprintf(calls, sizeof(calls), "%s/calls", tmp);
    snprintf(logfile, sizeof(logfile), "%s/hooks.log", tmp);
    const char *names[] = {"systemctl", "modprobe", "sleep"};
    for (int i = 0; i < 3; i++) {
        char path[700], text[1200];
        snprintf(path, sizeof(path), "/%s", names[i]);
        snprintf(text, sizeof(text),
                 "#!/bin/sh\necho \"%s $*\" >>'%s'\n"
                 "if [ -n \"${FAIL_MODULE:-}\" ] && [ \"$*\" = \"-r $FAIL_MODULE\" ]; then "
                 "exit 1; fi\n",
                 names[i], calls);
        fr_write(bin, path, text);
        snprintf(path, sizeof(path), "%s/%s", bin, names[i]);
        chmod(path, 0755);
    }
}

static char *plan_and_write(const struct fr_machine *m, const char *name, const char *gpu,
                            enum vg_hooks_mode mode)
{
    char *root = malloc(600);
    snprintf(root, 600, "%s/%s", tmp, name);
    mkdir(root, 0755);
    fr_build(root, m);
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_plan p;
    vg_plan_init(&p, "hooks", root);
    CHECK(vg_plan_hooks(&p, &h, "win11", gpu, mode, false));
    CHECK(p.n == 3);
    struct vg_apply_opts o = {0};
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    vg_host_finish(&h);
    return root;
}

static int run_script(const char *root, const char *script, const char *const *args,
                      const char *fail_module)
{
    char path[700];
    snprintf(path, sizeof(path), "%s%s", root, script);
    char *argv[8] = {"/bin/sh", path};
    int n = 2;
    for (; args && *args && n < 7; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    char *old_path = strdup(getenv("PATH"));
    char *new_path = malloc(strlen(old_path) + strlen(bin) + 2);
    sprintf(new_path, "%s:%s", bin, old_path);
    setenv("PATH", new_path, 1);
    setenv("VGAPT_ROOT", root, 1);
    setenv("VGAPT_LOG", logfile, 1);
    if (fail_module)
        setenv("FAIL_MODULE", fail_module, 1);
    unlink(calls);
    char *out, *err;
    int rc = fr_run(argv, &out, &err);
    if (rc != 0 && !fail_module)
        fprintf(stderr, "%s: exit %d\n%s%s\n", script, rc, out, err);
    free(out);
    free(err);
    setenv("PATH", old_path, 1);
    unsetenv("VGAPT_ROOT");
    unsetenv("VGAPT_LOG");
    unsetenv("FAIL_MODULE");
    free(old_path);
    free(new_path);
    return rc;
}

static void lint(const char *root, const char *script)
{
    char path[700];
    snprintf(path, sizeof(path), "%s%s", root, script);
    char *sh[] = {"/bin/sh", "-n", path, NULL};
    char *out, *err;
    CHECK_MSG(fr_run(sh, &out, &err) == 0, "sh -n %s: %s", script, err);
    free(out);
    free(err);
    CHECK_MSG(access("/usr/bin/shellcheck", X_OK) == 0,
              "shellcheck is missing: apt-get install shellcheck (.ci/deps does)");
    char *sc[] = {"/usr/bin/shellcheck", "--shell=sh", path, NULL};
    CHECK_MSG(fr_run(sc, &out, &err) == 0, "shellcheck %s:\n%s%s", script, out, err);
    free(out);
    free(err);
}

static void scripts_pass_sh_n_and_shellcheck(void)
{
    char *root = plan_and_write(&fr_single_2060, "lint", "0000:09:00.0", VG_HOOKS_SINGLE);
    lint(root, "/etc/libvirt/hooks/qemu");
    lint(root, BEGIN);
    lint(root, END);
    char full[700];
    snprintf(full, sizeof(full), "%s%s", root, BEGIN);
    struct stat st;
    CHECK(stat(full, &st) == 0 && (st.st_mode & 0777) == 0755);
    free(root);
    root = plan_and_write(&fr_x399, "lint-dyn", "0000:0a:00.0", VG_HOOKS_DYNAMIC);
    lint(root, BEGIN);
    lint(root, END);
    free(root);
}

static const char *const funcs[] = {"0000:09:00.0", "0000:09:00.1", "0000:09:00.2", "0000:09:00.3"};

static void single_gpu_hand_over_and_back_through_the_dispatcher(void)
{
    char *root = plan_and_write(&fr_single_2060, "single", "0000:09:00.0", VG_HOOKS_SINGLE);
    /* Another domain's event does nothing. */
    CHECK(run_script(root, "/etc/libvirt/hooks/qemu",
                     (const char *[]){"other", "prepare", "begin", "-", NULL}, NULL) == 0);
    CHECK(access(calls, F_OK) != 0);
    CHECK(run_script(root, "/etc/libvirt/hooks/qemu",
                     (const char *[]){"win11", "prepare", "begin", "-", NULL}, NULL) == 0);
    CHECK(equals("", calls,
                 "systemctl stop sddm.service\nsleep 2\nmodprobe -r nvidia_drm\n"
                 "modprobe -r nvidia_modeset\nmodprobe -r nvidia_uvm\n"
                 "modprobe -r nvidia\nmodprobe vfio-pci\n"));
    CHECK(equals(root, "/sys/class/vtconsole/vtcon0/bind", "0\n"));
    CHECK(equals(root, "/sys/class/vtconsole/vtcon1/bind", "0\n"));
    CHECK(equals(root, "/sys/bus/platform/drivers/efi-framebuffer/unbind", "efi-framebuffer.0\n"));
    char path[256];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", funcs[i]);
        CHECK(equals(root, path, "vfio-pci\n"));
    }
    CHECK(equals(root, "/sys/bus/pci/drivers/nvidia/unbind", "0000:09:00.0\n"));
    CHECK(equals(root, "/sys/bus/pci/drivers/snd_hda_intel/unbind", "0000:09:00.1\n"));
    CHECK(equals(root, "/sys/bus/pci/drivers/xhci_hcd/unbind", "0000:09:00.2\n"));
    CHECK(equals(root, "/sys/bus/pci/drivers/nvidia-gpu/unbind", "0000:09:00.3\n"));
    CHECK(equals(root, "/sys/bus/pci/drivers_probe", "0000:09:00.3\n"));
    char *log = fr_read("", logfile);
    CHECK(has(log, "prepare/begin: 0000:09:00.0 to domain win11"));
    CHECK(has(log, "0000:09:00.3: vfio-pci"));
    CHECK(has(log, "prepare/begin: done"));
    free(log);

    CHECK(run_script(root, "/etc/libvirt/hooks/qemu",
                     (const char *[]){"win11", "release", "end", "-", NULL}, NULL) == 0);
    CHECK(equals("", calls,
                 "modprobe nvidia\nmodprobe nvidia_uvm\nmodprobe nvidia_modeset\n"
                 "modprobe nvidia_drm\nsystemctl start sddm.service\n"));
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", funcs[i]);
        CHECK(equals(root, path, "\n"));
    }
    CHECK(equals(root, "/sys/bus/pci/drivers_probe", "0000:09:00.0\n")); /* reverse order */
    CHECK(equals(root, "/sys/class/vtconsole/vtcon0/bind", "1\n"));
    CHECK(equals(root, "/sys/bus/platform/drivers/efi-framebuffer/bind", "efi-framebuffer.0\n"));
    free(root);
}

static void a_failing_step_stops_and_is_logged(void)
{
    char *root = plan_and_write(&fr_single_2060, "fail", "0000:09:00.0", VG_HOOKS_SINGLE);
    unlink(logfile);
    int rc = run_script(root, BEGIN, NULL, "nvidia_uvm");
    CHECK(rc != 0);
    char *log = fr_read("", logfile);
    CHECK(has(log, "unloading nvidia_uvm"));
    CHECK(has(log, "FAILED (exit 1)"));
    CHECK(!strstr(log, "prepare/begin: done"));
    free(log);
    /* set -e stopped it before any device was touched */
    CHECK(equals(root, "/sys/bus/pci/devices/0000:09:00.0/driver_override", "(null)\n"));
    free(root);
}

static void dynamic_mode_leaves_the_desktop_alone(void)
{
    char *root = plan_and_write(&fr_x399, "dyn", "0000:0a:00.0", VG_HOOKS_DYNAMIC);
    CHECK(run_script(root, BEGIN, NULL, NULL) == 0);
    CHECK(equals("", calls, "modprobe vfio-pci\n"));
    CHECK(equals(root, "/sys/bus/pci/devices/0000:0a:00.0/driver_override", "vfio-pci\n"));
    CHECK(equals(root, "/sys/bus/pci/devices/0000:0a:00.1/driver_override", "vfio-pci\n"));
    CHECK(equals(root, "/sys/bus/pci/drivers/nouveau/unbind", "0000:0a:00.0\n"));
    CHECK(equals(root, "/sys/class/vtconsole/vtcon0/bind", "1\n"));
    /* The host's own GPU is untouched. */
    CHECK(equals(root, "/sys/bus/pci/devices/0000:43:00.0/driver_override", "(null)\n"));
    CHECK(run_script(root, END, NULL, NULL) == 0);
    CHECK(access(calls, F_OK) != 0);
    CHECK(equals(root, "/sys/bus/pci/devices/0000:0a:00.0/driver_override", "\n"));
    free(root);
}

static void a_foreign_dispatcher_is_not_replaced(void)
{
    char root[600];
    snprintf(root, sizeof(root), "%s/foreign", tmp);
    mkdir(root, 0755);
    fr_build(root, &fr_single_2060);
    fr_write(root, "/etc/libvirt/hooks/qemu", "#!/bin/bash\n# someone else's hook\n");
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_plan p;
    vg_plan_init(&p, "hooks", root);
    vg_log_set_level(VG_LOG_ERROR + 0);
    CHECK(!vg_plan_hooks(&p, &h, "win11", "0000:09:00.0", VG_HOOKS_SINGLE, false));
    vg_plan_finish(&p);
    vg_host_finish(&h);
}

static void a_name_a_script_cannot_carry_is_refused(void)
{
    char root[600];
    snprintf(root, sizeof(root), "%s/names", tmp);
    mkdir(root, 0755);
    fr_build(root, &fr_single_2060);
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_plan p;
    vg_plan_init(&p, "hooks", root);
    vg_log_set_level(VG_LOG_ERROR + 0);
    CHECK(!vg_plan_hooks(&p, &h, "Windows 11", "0000:09:00.0", VG_HOOKS_SINGLE, false));
    CHECK(p.n == 0);
    vg_plan_finish(&p);
    vg_host_finish(&h);
}

int main(void)
{
    tmp = vg_test_tmpdir();
    vg_log_init("test-setup-hooks", VG_LOG_WARN);
    make_stubs();
    RUN(scripts_pass_sh_n_and_shellcheck);
    RUN(single_gpu_hand_over_and_back_through_the_dispatcher);
    RUN(a_failing_step_stops_and_is_logged);
    RUN(dynamic_mode_leaves_the_desktop_alone);
    RUN(a_foreign_dispatcher_is_not_replaced);
    RUN(a_name_a_script_cannot_carry_is_refused);
    return vg_test_finish();
}
