/* vgapt-setup undo: every reverse step works after the plan's files are gone, one that fails
 * keeps neither the others nor the next undo from running, undo shows its plan until --apply,
 * and it refuses (until --force) to overwrite a file or a domain changed since the apply.
 * Domains live in libvirt's test driver, one connection per case. Commands are stubs on PATH
 * that behave like the real ones (systemd-tmpfiles fails on a missing file).
 * Usage: test-setup-undo */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "apply/apply.h"
#include "fakeroot.h"
#include "libvirt/conn.h"
#include "model/model.h"
#include "plan/builders.h"
#include "testlib.h"
#include "vg/log.h"

static const char *tmp;
static char uri[600], log_path[600];
static int n_roots;

static const char node_xml[] =
    "<node>\n"
    "  <domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
    "    <name>win10</name>\n"
    "    <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
    "    <memory unit='KiB'>1048576</memory>\n"
    "    <vcpu>4</vcpu>\n"
    "    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "    <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>\n"
    "    <test:runstate>5</test:runstate>\n"
    "  </domain>\n"
    "</node>\n";

static bool has(const char *text, const char *needle)
{
    bool found = text && strstr(text, needle) != NULL;
    if (!found)
        fprintf(stderr, "missing: %s\nin: %s\n", needle, text ? text : "(null)");
    return found;
}

static char *new_root(void)
{
    char *root = malloc(512);
    snprintf(root, 512, "%s/r%d", tmp, n_roots++);
    mkdir(root, 0755);
    fr_build(root, &fr_x399);
    setenv("STUB_ROOT", root, 1);
    return root;
}

static void stub(const char *bin, const char *name, const char *body)
{
    char path[700], text[1200];
    snprintf(path, sizeof(path), "/%s", name);
    snprintf(text, sizeof(text), "#!/bin/sh\necho \"%s $*\" >>'%s'\n%s", name, log_path, body);
    fr_write(bin, path, text);
    snprintf(path, sizeof(path), "%s/%s", bin, name);
    chmod(path, 0755);
}

static bool present(const char *root, const char *path)
{
    char *text = fr_read(root, path);
    free(text);
    return text != NULL;
}

static char *calls(void)
{
    char *c = fr_read("", log_path);
    unlink(log_path);
    return c;
}

static void undo_with_user_runs_every_reverse_step_and_finishes(void)
{
    char *root = new_root();
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    char *xml = vg_virt_get_xml(v, "win10");
    struct vg_vm_request r = {.domain = "win10",
                              .xml = xml,
                              .ivshmem = true,
                              .width = 1920,
                              .height = 1080,
                              .audio = true,
                              .hugepages = true,
                              .user = "root"};
    struct vg_plan p;
    vg_plan_init(&p, "edit win10", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    struct vg_sbuf shown = {0};
    vg_plan_print(&p, &shown);
    CHECK(has(shown.data, "    undo: nothing to run (the files in /dev/shm keep their owner"));
    vg_sbuf_free(&shown);
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_apply_opts o = {.domain = &ops, .run_under_root = true};
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    char *c = calls();
    CHECK(has(c, "systemd-tmpfiles --create /etc/tmpfiles.d/vgapt.conf\n"
                 "sysctl -p /etc/sysctl.d/90-vgapt-hugepages.conf\n"));
    free(c);

    struct vg_sbuf report = {0};
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "not reversed: systemd-tmpfiles --create /etc/tmpfiles.d/vgapt.conf"));
    CHECK(has(report.data, "removed /etc/tmpfiles.d/vgapt.conf\n"));
    CHECK(has(report.data, "ran sysctl\n"));
    CHECK(has(report.data, "undone: edit win10\n"));
    vg_sbuf_free(&report);
    c = calls();
    /* The hugepages are given back; the rule's command is not re-run on a missing file. */
    CHECK_MSG(c && !strcmp(c, "sysctl -w vm.nr_hugepages=0\n"), "undo ran: %s", c);
    free(c);
    char *after = vg_virt_get_xml(v, "win10");
    CHECK(after && xml && !strcmp(after, xml));
    free(after);

    vg_log_set_level(VG_LOG_ERROR + 1);
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    vg_log_set_level(VG_LOG_WARN);
    vg_sbuf_free(&report);
    free(xml);
    vg_host_finish(&h);
    vg_virt_close(v);
    free(root);
}

static void a_failed_apply_rolls_back_without_re_running_the_rule(void)
{
    char *root = new_root();
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    char *xml = vg_virt_get_xml(v, "win10");
    vg_virt_close(v);
    struct vg_plan p;
    vg_plan_init(&p, "rule", root);
    struct vg_vm_request r = {.domain = "win10",
                              .xml = xml,
                              .ivshmem = true,
                              .width = 1920,
                              .height = 1080,
                              .user = "root"};
    CHECK(vg_plan_vm(&p, &h, &r));
    /* Fails at the domain step, after the rule was written and its command ran. */
    CHECK(p.n == 3 && p.steps[0].kind == VG_STEP_DOMAIN);
    struct vg_step dom = p.steps[0];
    memmove(&p.steps[0], &p.steps[1], 2 * sizeof(dom));
    p.steps[2] = dom;
    struct vg_apply_opts o = {.run_under_root = true, .fail_at = 3};
    vg_log_set_level(VG_LOG_ERROR + 1);
    CHECK(!vg_apply(&p, &o));
    vg_log_set_level(VG_LOG_WARN);
    char *c = calls();
    CHECK_MSG(c && !strcmp(c, "systemd-tmpfiles --create /etc/tmpfiles.d/vgapt.conf\n"), "ran: %s",
              c);
    free(c);
    CHECK(!present(root, "/etc/tmpfiles.d/vgapt.conf"));
    vg_plan_finish(&p);
    free(xml);
    vg_host_finish(&h);
    free(root);
}

static void a_failing_reverse_step_blocks_neither_the_others_nor_the_next_undo(void)
{
    char *root = new_root();
    /* An older plan, then one whose first reverse command fails. */
    struct vg_apply_opts o = {.run_under_root = true};
    struct vg_plan p;
    vg_plan_init(&p, "older", root);
    CHECK(vg_plan_write(&p, "/etc/older.conf", "older\n", 0644, "test"));
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    vg_plan_init(&p, "newer", root);
    CHECK(vg_plan_write(&p, "/etc/newer.conf", "newer\n", 0644, "test"));
    const char *a[] = {"ok-cmd", "a", NULL}, *ua[] = {"fail-cmd", "a", NULL};
    const char *b[] = {"ok-cmd", "b", NULL}, *ub[] = {"ok-cmd", "undo-b", NULL};
    vg_plan_run(&p, a, ua, "test");
    vg_plan_run(&p, b, ub, "test");
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    free(calls());

    struct vg_sbuf report = {0};
    vg_log_set_level(VG_LOG_ERROR + 1);
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    vg_log_set_level(VG_LOG_WARN);
    CHECK(has(report.data, "FAILED: fail-cmd a: run it by hand once its cause is fixed\n"));
    CHECK(has(report.data, "ran ok-cmd\n"));
    CHECK(has(report.data, "undone except 1 failed step"));
    vg_sbuf_free(&report);
    char *c = calls();
    CHECK_MSG(c && !strcmp(c, "fail-cmd a\nok-cmd undo-b\n"), "undo ran: %s", c);
    free(c);
    CHECK(!present(root, "/etc/newer.conf"));
    /* The next undo goes on to the older plan. */
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "undone: older\n"));
    CHECK(!present(root, "/etc/older.conf"));
    vg_sbuf_free(&report);
    free(root);
}

static void undo_shows_its_plan_and_waits_for_apply(void)
{
    char *root = new_root();
    struct vg_apply_opts o = {.run_under_root = true};
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_plan p;
    vg_plan_init(&p, "bind", root);
    CHECK(vg_plan_bind(&p, &h, "0000:0a:00.0", false));
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    free(calls());
    char *grub = fr_read(root, "/etc/default/grub");

    struct vg_sbuf report = {0};
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){0}, &report));
    CHECK(has(report.data, "Undo: bind ("));
    CHECK(has(report.data, "] remove /etc/modprobe.d/vgapt-vfio.conf (the plan created it)\n"));
    CHECK(has(report.data, "] restore /etc/default/grub from "));
    CHECK(has(report.data, "-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash iommu=pt\"\n"));
    CHECK(has(report.data, "] run update-grub\n"));
    CHECK(has(report.data, "Dry run: nothing was changed"));
    vg_sbuf_free(&report);
    char *still = fr_read(root, "/etc/default/grub");
    CHECK(still && grub && !strcmp(still, grub));
    CHECK(present(root, "/etc/modprobe.d/vgapt-vfio.conf"));
    char *c = calls();
    CHECK(c == NULL);
    free(c);
    free(still);
    free(grub);
    vg_host_finish(&h);
    free(root);
}

/* Issue 12: a domain-only --apply without sudo keeps its plan in the user's home; sudo
 * vgapt-setup undo finds nothing in root's state folder and says which command undoes it. The
 * home comes from the host's passwd (here the fake root's). */
static void undo_under_sudo_names_the_plan_the_user_applied_without_sudo(void)
{
    char *root = new_root();
    fr_write(root, "/etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n");
    const char *manifest = "/home/alice/.local/state/vgapt-setup/plans/0001/manifest";
    const char *text = "plan\tedit domain win10\nuri\tqemu:///system\ndomain\twin10\t1.xml\n";
    fr_write(root, manifest, text);
    char *sudo_user = getenv("SUDO_USER") ? strdup(getenv("SUDO_USER")) : NULL;
    setenv("SUDO_USER", "alice", 1);
    struct vg_apply_opts o = {0};
    struct vg_sbuf report = {0};
    vg_log_set_level(VG_LOG_ERROR + 1);
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    vg_log_set_level(VG_LOG_WARN);
    CHECK(has(report.data, "alice applied a plan without sudo (edit domain win10), kept in "
                           "/home/alice/.local/state/vgapt-setup/plans/0001: undo it as alice, "
                           "without sudo: vgapt-setup undo --apply\n"));
    vg_sbuf_free(&report);
    char *kept = fr_read(root, manifest);
    CHECK(kept && !strcmp(kept, text)); /* left for alice's own undo */
    free(kept);
    /* Without SUDO_USER, or for a user with no plan, nothing more is said. */
    setenv("SUDO_USER", "root", 1);
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){0}, &report));
    CHECK(report.len == 0);
    if (sudo_user)
        setenv("SUDO_USER", sudo_user, 1);
    else
        unsetenv("SUDO_USER");
    free(sudo_user);
    vg_sbuf_free(&report);
    free(root);
}

static void a_file_changed_since_the_apply_is_kept_unless_forced(void)
{
    char *root = new_root();
    struct vg_apply_opts o = {.run_under_root = true};
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_plan p;
    vg_plan_init(&p, "bind", root);
    CHECK(vg_plan_bind(&p, &h, "0000:0a:00.0", false));
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    free(calls());
    const char *edited = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash iommu=pt nomodeset\"\n";
    fr_write(root, "/etc/default/grub", edited);

    struct vg_sbuf report = {0};
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "CHANGED: /etc/default/grub changed since the apply:\n"));
    CHECK(has(report.data, "+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash iommu=pt nomodeset\"\n"));
    CHECK(has(report.data, "Refused: 1 of these changed"));
    CHECK(has(report.data, "--force"));
    vg_sbuf_free(&report);
    char *grub = fr_read(root, "/etc/default/grub");
    CHECK(grub && !strcmp(grub, edited));
    free(grub);
    CHECK(present(root, "/etc/modprobe.d/vgapt-vfio.conf"));
    char *c = calls();
    CHECK(c == NULL);
    free(c);

    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true, .force = true}, &report));
    CHECK(has(report.data, "restored /etc/default/grub\n"));
    vg_sbuf_free(&report);
    grub = fr_read(root, "/etc/default/grub");
    CHECK(has(grub, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n"));
    free(grub);
    free(calls());
    vg_host_finish(&h);
    free(root);
}

/* Domain steps on a raw connection, so that the test can undefine the domain. */
static bool raw_define(void *ctx, const char *name, const char *xml)
{
    virDomainPtr d = virDomainDefineXMLFlags(ctx, xml, VIR_DOMAIN_DEFINE_VALIDATE);
    if (d)
        virDomainFree(d);
    return d != NULL;
}

static char *raw_get_xml(void *ctx, const char *name)
{
    virDomainPtr d = virDomainLookupByName(ctx, name);
    char *xml = d ? virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE) : NULL;
    if (d)
        virDomainFree(d);
    return xml;
}

static void a_domain_changed_or_undefined_since_the_apply_is_kept_unless_forced(void)
{
    char *root = new_root();
    virConnectPtr conn = virConnectOpen(uri);
    CHECK(conn != NULL);
    if (!conn)
        return;
    struct vg_domain_ops ops = {.ctx = conn, .define = raw_define, .get_xml = raw_get_xml};
    struct vg_apply_opts o = {.domain = &ops};
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    char *xml = raw_get_xml(conn, "win10");
    struct vg_vm_request r = {
        .domain = "win10", .xml = xml, .hide_hypervisor = true, .vendor_id = "vgaptvgapt"};
    struct vg_plan p;
    vg_plan_init(&p, "hide", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);

    /* As virsh setvcpus win10 2 --config would. */
    char *applied = raw_get_xml(conn, "win10");
    char *vcpu = applied ? strstr(applied, ">4</vcpu>") : NULL;
    CHECK(vcpu != NULL);
    if (vcpu)
        vcpu[1] = '2';
    CHECK(raw_define(conn, "win10", applied));
    struct vg_sbuf report = {0};
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "CHANGED: domain win10 changed since the apply:\n"));
    CHECK(has(report.data, ">4</vcpu>\n+"));
    vg_sbuf_free(&report);
    char *now = raw_get_xml(conn, "win10");
    CHECK(has(now, ">2</vcpu>"));
    free(now);

    /* Undefined by the user: undo would define it again. */
    virDomainPtr d = virDomainLookupByName(conn, "win10");
    CHECK(d && virDomainUndefine(d) == 0);
    if (d)
        virDomainFree(d);
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "CHANGED: domain win10 was undefined since the apply: undo would "
                           "define it again\n"));
    vg_sbuf_free(&report);
    now = raw_get_xml(conn, "win10");
    CHECK(now == NULL);
    free(now);

    /* --force: the backup is defined all the same. */
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true, .force = true}, &report));
    CHECK(has(report.data, "restored domain win10\n"));
    vg_sbuf_free(&report);
    now = raw_get_xml(conn, "win10");
    CHECK(now && xml && !strcmp(now, xml));
    free(now);
    free(applied);
    free(xml);
    vg_host_finish(&h);
    virConnectClose(conn);
    free(root);
}

/* With stdout into a file (fully buffered), what a reverse command prints comes after undo's
 * lines about it and before the next ones, as vgapt-setup undo prints them. */
static void a_commands_output_follows_undos_lines_in_a_file(void)
{
    char *root = new_root();
    struct vg_plan p;
    vg_plan_init(&p, "say", root);
    CHECK(vg_plan_write(&p, "/etc/vgapt-say.conf", "x\n", 0644, "test"));
    const char *argv[] = {"say-cmd", "again", NULL};
    vg_plan_run(&p, argv, NULL, "test");
    struct vg_apply_opts o = {.run_under_root = true};
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    free(calls());
    char path[600];
    snprintf(path, sizeof(path), "%s/undo-out.txt", tmp);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(path, "w", stdout))
            _exit(3);
        struct vg_sbuf report = {0};
        bool ok = vg_undo(root, &o, &(struct vg_undo_opts){.apply = true, .live = stdout}, &report);
        fflush(stdout);
        _exit(ok ? 0 : 1);
    }
    CHECK(vg_test_wait(pid, 10000) == 0);
    char *out = vg_test_slurp(path);
    const char *plan = out ? strstr(out, "[2] run say-cmd again\n") : NULL;
    const char *said = out ? strstr(out, "say-cmd says again\n") : NULL;
    const char *ran = out ? strstr(out, "ran say-cmd\n") : NULL;
    CHECK_MSG(plan && said && ran && plan < said && said < ran, "%s", out);
    CHECK(has(out, "undone: say\n"));
    free(out);
    free(calls());
    free(root);
}

int main(void)
{
    tmp = vg_test_tmpdir();
    vg_log_init("test-setup-undo", VG_LOG_WARN);
    fr_write(tmp, "/node.xml", node_xml);
    snprintf(uri, sizeof(uri), "test://%s/node.xml", tmp);
    snprintf(log_path, sizeof(log_path), "%s/calls.log", tmp);
    char bin[600];
    snprintf(bin, sizeof(bin), "%s/bin", tmp);
    stub(bin, "systemd-tmpfiles",
         "[ -e \"$STUB_ROOT$2\" ] || { echo \"Failed to open '$2'\" >&2; exit 1; }\n");
    stub(bin, "sysctl", "");
    stub(bin, "update-initramfs", "");
    stub(bin, "update-grub", "");
    stub(bin, "ok-cmd", "");
    stub(bin, "fail-cmd", "exit 1\n");
    stub(bin, "say-cmd", "echo \"say-cmd says $*\"\n");
    char *path = malloc(strlen(bin) + strlen(getenv("PATH")) + 2);
    sprintf(path, "%s:%s", bin, getenv("PATH"));
    setenv("PATH", path, 1);
    free(path);
    RUN(undo_with_user_runs_every_reverse_step_and_finishes);
    RUN(a_failed_apply_rolls_back_without_re_running_the_rule);
    RUN(a_failing_reverse_step_blocks_neither_the_others_nor_the_next_undo);
    RUN(undo_shows_its_plan_and_waits_for_apply);
    RUN(undo_under_sudo_names_the_plan_the_user_applied_without_sudo);
    RUN(a_file_changed_since_the_apply_is_kept_unless_forced);
    RUN(a_domain_changed_or_undefined_since_the_apply_is_kept_unless_forced);
    RUN(a_commands_output_follows_undos_lines_in_a_file);
    return vg_test_finish();
}
