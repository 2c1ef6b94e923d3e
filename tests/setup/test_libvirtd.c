/* vgapt-setup against a real libvirtd with the qemu driver: the plan shows the controllers and
 * addresses libvirt adds (pcie-root-port, pcie-to-pci-bridge on q35), apply defines exactly the
 * planned XML, a re-run keeps a larger region, undo restores the XML byte for byte and keeps
 * what the user changed or undefined since the apply (until --force), an ivshmem-doorbell region
 * and a hand-made <qemu:commandline> one become a <shmem> libvirt takes, a booted domain (TCG,
 * no disk, Code 43 features on) holds the /dev/shm regions with the tmpfiles.d rule's owner, and
 * its UEFI variables survive a later plan's trial copy, and --spice on a passthrough VM boots
 * with QEMU serving SPICE on the planned socket, with a tablet and the SPICE audio backend.
 * And vgapt-client's --domain (client): a running domain's regions found, and its SPICE server
 * reached through virDomainOpenGraphicsFD, keyboard and mouse connected.
 *
 * Everything runs in private namespaces: a PID namespace whose init reaps and whose end kills
 * every daemon and QEMU left, and a mount namespace with fresh tmpfs over /run, /dev/shm and
 * libvirt's config, state, cache and log folders. Nothing of the machine's libvirt is seen or
 * touched, and nothing is left behind however the test ends.
 *
 * Usage: test-setup-libvirtd plans|boot|spice|client VGAPT-SETUP LIBVIRTD VIRTLOGD VIRTLOCKD
 *        OVMF-CODE
 *        [SYSTEMD-TMPFILES]
 * Exit 77 (skipped) when not root or namespaces are refused. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "fakeroot.h"
#include "libvirt/domain_edit.h"
#include "testlib.h"
#include "util/sbuf.h"
#ifdef VG_TEST_CLIENT_DOMAIN
#include "domain.h"
#include "input.h"
#include "vg/time.h"
#endif

enum { SKIP = 77 };

static const char *setup, *libvirtd, *virtlogd, *virtlockd, *ovmf_code, *tmpfiles;
static char work[600], root[700], uri[800];
static pid_t daemons[3];
static virConnectPtr conn;

/* A virt-manager-style Windows VM (q35, UEFI, Hyper-V enlightenments), as TCG can run it. */
static const char q35_xml[] =
    "<domain type='qemu'>\n"
    "  <name>win10</name>\n"
    "  <memory unit='KiB'>1048576</memory>\n"
    "  <vcpu placement='static'>2</vcpu>\n"
    "  <os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>\n"
    "  <features><acpi/><apic/><hyperv mode='custom'><relaxed state='on'/>"
    "<vapic state='on'/><spinlocks state='on' retries='8191'/></hyperv><smm state='on'/>"
    "</features>\n"
    "  <clock offset='localtime'><timer name='rtc' tickpolicy='catchup'/>"
    "<timer name='pit' tickpolicy='delay'/><timer name='hpet' present='no'/>"
    "<timer name='hypervclock' present='yes'/></clock>\n"
    "  <pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='no'/></pm>\n"
    "  <devices>\n"
    "    <controller type='usb' model='qemu-xhci' ports='15'/>\n"
    "    <controller type='sata'/>\n"
    "    <serial type='pty'/><console type='pty'/>\n"
    "    <input type='tablet' bus='usb'/>\n"
    "    <video><model type='vga'/></video>\n"
    "    <memballoon model='virtio'/>\n"
    "  </devices>\n"
    "</domain>\n";

/* An older virt-manager default: i440fx with SeaBIOS. */
static const char i440fx_xml[] =
    "<domain type='qemu'>\n"
    "  <name>legacy</name>\n"
    "  <memory unit='MiB'>512</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>\n"
    "  <features><acpi/><apic/></features>\n"
    "  <clock offset='utc'/>\n"
    "  <devices>\n"
    "    <controller type='usb' model='ich9-ehci1'/>\n"
    "    <serial type='pty'/>\n"
    "    <input type='tablet' bus='usb'/>\n"
    "    <video><model type='cirrus'/></video>\n"
    "  </devices>\n"
    "</domain>\n";

static void quiet(void *data, virErrorPtr err)
{
}

static bool has(const char *text, const char *needle)
{
    bool found = text && strstr(text, needle) != NULL;
    if (!found)
        fprintf(stderr, "missing: %s\n", needle);
    return found;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void show_log(const char *name)
{
    char path[800];
    snprintf(path, sizeof(path), "%s/%s", work, name);
    char *log = vg_test_slurp(path);
    size_t n = log ? strlen(log) : 0;
    fprintf(stderr, "--- %s (last 3000 bytes)\n%s\n", name,
            log ? log + (n > 3000 ? n - 3000 : 0) : "");
    free(log);
}

/* Fresh tmpfs over everything libvirt keeps, and a /proc for this PID namespace. */
static bool private_mounts(void)
{
    static const char *const dirs[] = {"/run",
                                       "/dev/shm",
                                       "/etc/libvirt",
                                       "/var/lib/libvirt",
                                       "/var/cache/libvirt",
                                       "/var/log/libvirt"};
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "skipped: no private mount namespace: %s\n", strerror(errno));
        return false;
    }
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        if (mount("tmpfs", dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
            fprintf(stderr,
                    "skipped: cannot mount a tmpfs on %s: %s (libvirt-daemon-system "
                    "creates the libvirt folders)\n",
                    dirs[i], strerror(errno));
            return false;
        }
    chmod("/dev/shm", 01777);
    /* Where /dev/kvm opens but KVM does not work (this kind of CI machine), libvirt finds its
     * cached QEMU capabilities stale on every call and probes QEMU again, seconds each time.
     * The domains are type='qemu' (TCG): hide the device from the qemu user. */
    struct stat kvm;
    if (stat("/dev/kvm", &kvm) == 0) {
        put("/run/no-kvm", "");
        chmod("/run/no-kvm", 0);
        if (mount("/run/no-kvm", "/dev/kvm", NULL, MS_BIND, NULL) != 0)
            fprintf(stderr, "cannot hide /dev/kvm (%s): libvirt calls will be slow\n",
                    strerror(errno));
    }
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        fprintf(stderr, "skipped: cannot mount /proc: %s\n", strerror(errno));
        return false;
    }
    static const char *const made[] = {"/run/libvirt",
                                       "/var/lib/libvirt/qemu",
                                       "/var/lib/libvirt/qemu/nvram",
                                       "/var/cache/libvirt/qemu",
                                       "/var/log/libvirt/qemu",
                                       "/run/vgapt-test"};
    for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
        mkdir(made[i], 0755);
    return true;
}

static pid_t start(const char *prog, const char *log, const char *arg)
{
    char out[800];
    snprintf(out, sizeof(out), "%s/%s", work, log);
    char *argv[] = {(char *)prog, (char *)arg, NULL};
    pid_t pid = vg_test_spawn_io(argv, out, out, false);
    if (pid <= 0)
        fprintf(stderr, "cannot start %s\n", prog);
    return pid;
}

static bool start_daemons(void)
{
    double t0 = now_s();
    /* QEMU as libvirt-qemu in its group (kvm), as Debian runs it, when that user exists. */
    struct passwd *qemu_user = getpwnam("libvirt-qemu");
    char conf[800], text[1200];
    snprintf(conf, sizeof(conf), "%s/libvirtd.conf", work);
    snprintf(text, sizeof(text), "unix_sock_dir = \"%s\"\nunix_sock_rw_perms = \"0700\"\n", work);
    put(conf, text);
    struct group *qemu_group = qemu_user ? getgrgid(qemu_user->pw_gid) : NULL;
    /* No private /dev for QEMU: it would try to move the /dev/kvm mount made above. */
    snprintf(text, sizeof(text), "user = \"%s\"\ngroup = \"%s\"\nnamespaces = []\n",
             qemu_group ? "libvirt-qemu" : "root", qemu_group ? qemu_group->gr_name : "root");
    put("/etc/libvirt/qemu.conf", text);
    daemons[0] = start(virtlogd, "virtlogd.log", NULL);
    daemons[1] = start(virtlockd, "virtlockd.log", NULL);
    char *argv[] = {(char *)libvirtd, "--config", conf, NULL};
    char log[800];
    snprintf(log, sizeof(log), "%s/libvirtd.log", work);
    daemons[2] = vg_test_spawn_io(argv, log, log, false);
    snprintf(uri, sizeof(uri), "qemu:///system?socket=%s/libvirt-sock", work);
    virSetErrorFunc(NULL, quiet);
    while (now_s() - t0 < 30 && !conn) {
        int status;
        if (waitpid(daemons[2], &status, WNOHANG) == daemons[2]) {
            daemons[2] = 0;
            break;
        }
        conn = virConnectOpen(uri);
        if (!conn)
            usleep(50 * 1000);
    }
    if (!conn) {
        fprintf(stderr, "libvirtd did not answer on %s: %s\n", uri,
                virGetLastErrorMessage() ? virGetLastErrorMessage() : "?");
        show_log("libvirtd.log");
        return false;
    }
    fprintf(stderr, "libvirtd, virtlogd and virtlockd ready in %.1f s\n", now_s() - t0);
    return true;
}

static void stop_daemons(void)
{
    if (conn) {
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
        for (int i = 0; i < n; i++) {
            virDomainDestroy(doms[i]);
            virDomainFree(doms[i]);
        }
        free(doms);
        virConnectClose(conn);
        conn = NULL;
    }
    for (int i = 2; i >= 0; i--)
        if (daemons[i] > 0) {
            kill(daemons[i], SIGTERM);
            if (vg_test_wait(daemons[i], 10000) < 0)
                fprintf(stderr, "daemon %d did not stop on SIGTERM: killed\n", (int)daemons[i]);
            daemons[i] = 0;
        }
}

static char *inactive_xml(const char *name)
{
    virDomainPtr d = virDomainLookupByName(conn, name);
    char *xml = d ? virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE) : NULL;
    if (d)
        virDomainFree(d);
    return xml;
}

static bool define(const char *xml)
{
    virDomainPtr d = virDomainDefineXMLFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
    if (!d)
        fprintf(stderr, "define: %s\n", virGetLastErrorMessage());
    else
        virDomainFree(d);
    return d != NULL;
}

/* The names of every defined domain, one a line. */
static char *domain_names(void)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    struct vg_sbuf b = {0};
    for (int i = 0; i < n; i++) {
        vg_sbuf_printf(&b, "%s\n", virDomainGetName(doms[i]));
        virDomainFree(doms[i]);
    }
    free(doms);
    return b.data ? vg_sbuf_take(&b) : strdup("");
}

static char *run_setup(int want_rc, const char *const *args)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)setup;
    for (; *args && n < 27; args++)
        argv[n++] = (char *)*args;
    argv[n++] = "--connect";
    argv[n++] = uri;
    argv[n++] = "--root";
    argv[n++] = root;
    argv[n] = NULL;
    char *out, *err;
    double t0 = now_s();
    int rc = fr_run(argv, &out, &err);
    CHECK_MSG(rc == want_rc, "rc %d (want %d): %s\n%s", rc, want_rc, err, out);
    fprintf(stderr, "  vgapt-setup %s%s: %.1f s\n", argv[1], argv[2] ? " ..." : "", now_s() - t0);
    free(err);
    return out;
}

static void make_root(void)
{
    snprintf(root, sizeof(root), "%s/root", work);
    mkdir(root, 0755);
    fr_build(root, &fr_x399);
    fr_write(root, "/etc/passwd",
             "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:"
             "/usr/sbin/nologin\n");
    fr_write(root, "/etc/group", "root:x:0:\nkvm:x:107:\n");
}

/* q35: the plan shows libvirt's controllers; the library's plan is what apply defines; a
 * re-run keeps the larger region; undo gives back libvirt's XML byte for byte. */
static void q35_plan_shows_libvirts_controllers_and_undo_restores_it(void)
{
    CHECK(define(q35_xml));
    char *before = inactive_xml("win10");
    CHECK(before != NULL);
    const char *plan_args[] = {"--domain", "win10",        "--ivshmem", "--user",
                               "nobody",   "--resolution", "3840x2160", NULL};
    char *out = run_setup(0, plan_args);
    CHECK(has(out, "model=\"pcie-root-port\">\n"));
    CHECK(has(out, "model=\"pcie-to-pci-bridge\">\n"));
    CHECK(has(out, "libvirt adds <controller> pcie-root-port (index "));
    CHECK(has(out, ", pcie-to-pci-bridge (index "));
    /* The regions sit behind the bridge, at the addresses libvirt gave them. */
    CHECK(has(out, "+      <size unit=\"M\">128</size>\n+      <address type=\"pci\""));
    CHECK(has(out, "+f /dev/shm/looking-glass 0660 nobody kvm -\n"));
    CHECK(out && !strstr(out, "not libvirt's final form"));
    free(out);
    /* The dry run's trial copy is gone and the domain is as it was. */
    char *names = domain_names();
    CHECK_MSG(names && !strcmp(names, "win10\n"), "domains: %s", names);
    free(names);
    char *still = inactive_xml("win10");
    CHECK(still && before && !strcmp(still, before));
    free(still);

    /* Apply through the CLI; what libvirt holds then is what the plan showed: the "+" lines
     * of the diff are all in the held XML, in order. */
    const char *apply_args[] = {"--domain",     "win10",     "--ivshmem", "--user", "nobody",
                                "--resolution", "3840x2160", "--apply",   NULL};
    out = run_setup(0, apply_args);
    CHECK(has(out, "Applied. vgapt-setup undo reverts it."));
    char *held = inactive_xml("win10");
    char *norm = held ? vg_domain_normalise(held) : NULL;
    const char *at = norm ? norm : "";
    int added = 0;
    for (char *l = out ? strstr(out, "\n+    ") : NULL; l; l = strstr(l + 1, "\n+    ")) {
        size_t len = strcspn(l + 2, "\n");
        char *line = vg_xasprintf("%.*s\n", (int)len, l + 2);
        const char *found = strstr(at, line);
        CHECK_MSG(found, "planned line not held (or out of order): %s", line);
        if (found)
            at = found + strlen(line);
        added++;
        free(line);
    }
    CHECK_MSG(added >= 15, "%d planned lines", added);
    free(out);
    free(norm);
    free(held);
    names = domain_names();
    CHECK_MSG(names && !strcmp(names, "win10\n"), "domains: %s", names);
    free(names);

    /* Only --ivshmem again: the x399 plug's 2560x1440 asks for 64 MiB; 128 stay. */
    const char *again_args[] = {"--domain", "win10", "--ivshmem", "--user", "nobody", NULL};
    out = run_setup(0, again_args);
    CHECK(has(out, "Kept <shmem name='looking-glass'> at 128 MiB: larger than the 64 MiB asked "
                   "for"));
    CHECK(has(out, "Domain win10 already has every requested device and setting: no change."));
    CHECK(has(out, "Nothing to change"));
    free(out);

    const char *undo_args[] = {"undo", "--apply", NULL};
    out = run_setup(0, undo_args);
    CHECK(has(out, "restored domain win10\n"));
    CHECK(has(out, "removed /etc/tmpfiles.d/vgapt.conf\n"));
    free(out);
    char *after = inactive_xml("win10");
    CHECK_MSG(after && before && !strcmp(after, before), "undo gave:\n%s\nwas:\n%s", after, before);
    free(after);
    free(before);
}

/* i440fx: no controller to add, but the plan shows the slot libvirt picks on pci.0. */
static void i440fx_plan_shows_libvirts_address_and_undo_restores_it(void)
{
    CHECK(define(i440fx_xml));
    char *before = inactive_xml("legacy");
    const char *args[] = {"--domain",  "legacy",     "--ivshmem", "--resolution",
                          "1920x1080", "--no-audio", "--apply",   NULL};
    char *out = run_setup(0, args);
    CHECK(has(out, "+      <size unit=\"M\">32</size>\n"
                   "+      <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x"));
    CHECK(out && !strstr(out, "libvirt adds <controller>"));
    CHECK(out && !strstr(out, "scream-ivshmem"));
    free(out);
    char *held = inactive_xml("legacy");
    CHECK(has(held, "<shmem name='looking-glass'>\n      <model type='ivshmem-plain'/>\n"
                    "      <size unit='M'>32</size>\n      <address type='pci' domain='0x0000' "
                    "bus='0x00'"));
    free(held);
    const char *undo_args[] = {"undo", "--apply", NULL};
    out = run_setup(0, undo_args);
    CHECK(has(out, "restored domain legacy\n"));
    free(out);
    char *after = inactive_xml("legacy");
    CHECK(after && before && !strcmp(after, before));
    free(after);
    free(before);
}

/* q35_xml named `name`, with `root_attrs` on <domain> (a namespace), `devices` added at the end
 * of <devices> and `tail` after it (NULL: none). */
static char *q35_variant(const char *name, const char *root_attrs, const char *devices,
                         const char *tail)
{
    static const char open[] = "<domain type='qemu'", old_name[] = "<name>win10</name>",
                      close[] = "  </devices>\n";
    const char *n = strstr(q35_xml, old_name), *d = strstr(q35_xml, close);
    const char *after_open = q35_xml + strlen(open), *after_name = n + strlen(old_name);
    return vg_xasprintf("%s%s%.*s<name>%s</name>%.*s%s%s%s</domain>\n", open, root_attrs,
                        (int)(n - after_open), after_open, name, (int)(d - after_name), after_name,
                        devices, close, tail ? tail : "");
}

static int count(const char *text, const char *needle)
{
    int k = 0;
    for (const char *at = text ? strstr(text, needle) : NULL; at; at = strstr(at + 1, needle))
        k++;
    return k;
}

/* Fault 2: what the user changed through libvirt since the apply (here the vCPUs, as virsh
 * setvcpus --config does) is shown and kept by undo, dry run and --apply alike, until
 * --force; a domain the user undefined is not defined again. */
static void undo_keeps_a_domain_changed_or_undefined_since_the_apply_unless_forced(void)
{
    char *xml = q35_variant("vcpus", "", "", NULL);
    CHECK(define(xml));
    free(xml);
    char *before = inactive_xml("vcpus");
    const char *apply_args[] = {"--domain", "vcpus", "--hide-hypervisor", "--apply", NULL};
    char *out = run_setup(0, apply_args);
    CHECK(has(out, "Applied. vgapt-setup undo reverts it."));
    free(out);
    virDomainPtr d = virDomainLookupByName(conn, "vcpus");
    CHECK_MSG(d && virDomainSetVcpusFlags(d, 1, VIR_DOMAIN_AFFECT_CONFIG) == 0, "setvcpus: %s",
              virGetLastErrorMessage());
    if (d)
        virDomainFree(d);
    char *changed = inactive_xml("vcpus");
    CHECK(has(changed, "<vcpu placement='static' current='1'>2</vcpu>"));

    const char *dry_args[] = {"undo", NULL};
    const char *apply_undo_args[] = {"undo", "--apply", NULL};
    const char *const *refused[] = {dry_args, apply_undo_args};
    for (int i = 0; i < 2; i++) {
        out = run_setup(1, refused[i]);
        CHECK(has(out, "CHANGED: domain vcpus changed since the apply:\n"));
        CHECK(has(out, "\n-  <vcpu placement=\"static\">2</vcpu>\n"
                       "+  <vcpu placement=\"static\" current=\"1\">2</vcpu>\n"));
        CHECK(has(out, "Refused: 1 of these changed since the plan was applied"));
        CHECK(has(out, "run the command again with --force"));
        CHECK(out && !strstr(out, "restored domain"));
        free(out);
        char *now = inactive_xml("vcpus");
        CHECK_MSG(now && changed && !strcmp(now, changed), "undo %s did not keep the change:\n%s",
                  i ? "--apply" : "(dry run)", now);
        free(now);
    }
    free(changed);
    const char *force_args[] = {"undo", "--apply", "--force", NULL};
    out = run_setup(0, force_args);
    CHECK(has(out, "restored domain vcpus\n"));
    free(out);
    char *after = inactive_xml("vcpus");
    CHECK_MSG(after && before && !strcmp(after, before), "undo --force gave:\n%s", after);
    free(after);

    /* Applied again, then undefined by the user: undo leaves it undefined. */
    out = run_setup(0, apply_args);
    free(out);
    d = virDomainLookupByName(conn, "vcpus");
    CHECK_MSG(d && virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_NVRAM) == 0, "undefine: %s",
              virGetLastErrorMessage());
    if (d)
        virDomainFree(d);
    out = run_setup(1, apply_undo_args);
    CHECK(has(out, "CHANGED: domain vcpus was undefined since the apply: undo would define it "
                   "again\n"));
    CHECK(out && !strstr(out, "restored domain"));
    free(out);
    char *names = domain_names();
    CHECK_MSG(names && !strstr(names, "vcpus\n"), "undo defined it again: %s", names);
    free(names);
    /* --force defines the backup all the same (and leaves no plan for the next case). */
    out = run_setup(0, force_args);
    CHECK(has(out, "restored domain vcpus\n"));
    free(out);
    after = inactive_xml("vcpus");
    CHECK_MSG(after && before && !strcmp(after, before), "undo --force gave:\n%s", after);
    free(after);
    free(before);
}

/* Fault 5: an ivshmem-doorbell region (a socket server and MSI; the server sets its size, so
 * libvirt refuses a <size> there) becomes ivshmem-plain without them and with a size, which
 * libvirt takes: the plan's trial copy is libvirt's, and apply defines it. */
static void a_doorbell_region_becomes_a_plain_one_libvirt_takes(void)
{
    char *xml = q35_variant("doorbell", "",
                            "    <shmem name='looking-glass'><model type='ivshmem-doorbell'/>"
                            "<server path='/var/lib/libvirt/shmem/"
                            "looking-glass-sock'/><msi vectors='1' ioeventfd='on'/></shmem>\n",
                            NULL);
    CHECK(define(xml));
    free(xml);
    char *before = inactive_xml("doorbell");
    CHECK(has(before, "<model type='ivshmem-doorbell'/>"));
    CHECK(has(before, "<server path='/var/lib/libvirt/shmem/looking-glass-sock'/>"));
    const char *plan_args[] = {"--domain",  "doorbell",   "--ivshmem", "--resolution",
                               "1920x1080", "--no-audio", NULL};
    char *out = run_setup(0, plan_args);
    CHECK(has(out, "<shmem name='looking-glass'>: model ivshmem-doorbell -> ivshmem-plain"));
    CHECK(has(out, "<server> and <msi> dropped (only ivshmem-doorbell has them)"));
    CHECK(has(out, "<shmem name='looking-glass'>: size (none) -> 32 MiB"));
    CHECK(has(out, "-      <model type=\"ivshmem-doorbell\"/>\n"
                   "-      <server path=\"/var/lib/libvirt/shmem/looking-glass-sock\"/>\n"
                   "-      <msi vectors=\"1\" ioeventfd=\"on\"/>\n"
                   "+      <model type=\"ivshmem-plain\"/>\n"
                   "+      <size unit=\"M\">32</size>\n"
                   "       <address type=\"pci\""));
    CHECK_MSG(out && !strstr(out, "not libvirt's final form"), "libvirt refused the plan:\n%s",
              out);
    free(out);
    char *names = domain_names();
    CHECK_MSG(count(names, "doorbell") == 1, "the trial copy is left: %s", names);
    free(names);

    const char *apply_args[] = {"--domain",  "doorbell",   "--ivshmem", "--resolution",
                                "1920x1080", "--no-audio", "--apply",   NULL};
    out = run_setup(0, apply_args);
    CHECK(has(out, "Applied. vgapt-setup undo reverts it."));
    free(out);
    char *held = inactive_xml("doorbell");
    CHECK(has(held, "<shmem name='looking-glass'>\n      <model type='ivshmem-plain'/>\n"
                    "      <size unit='M'>32</size>\n      <address type='pci'"));
    CHECK(held && !strstr(held, "ivshmem-doorbell") && !strstr(held, "<server") &&
          !strstr(held, "<msi"));
    free(held);
    const char *undo_args[] = {"undo", "--apply", NULL};
    out = run_setup(0, undo_args);
    CHECK(has(out, "restored domain doorbell\n"));
    free(out);
    char *after = inactive_xml("doorbell");
    CHECK(after && before && !strcmp(after, before));
    free(after);
    free(before);
}

/* Fault 6: a Looking Glass region added by hand as QEMU arguments, as older guides showed, is
 * found, explained and replaced by one <shmem> on the same file; other QEMU arguments stay. */
static void a_hand_made_qemu_commandline_region_becomes_one_shmem(void)
{
    char *xml =
        q35_variant("handmade", " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'", "",
                    "  <qemu:commandline>\n"
                    "    <qemu:arg value='-device'/>\n"
                    "    <qemu:arg value='ivshmem-plain,id=shmem0,memdev=ivshmem,bus=pcie.0'/>\n"
                    "    <qemu:arg value='-object'/>\n"
                    "    <qemu:arg value='memory-backend-file,id=ivshmem,share=on,"
                    "mem-path=/dev/shm/looking-glass,size=32M'/>\n"
                    "    <qemu:arg value='-fw_cfg'/>\n"
                    "    <qemu:arg value='opt/vgapt,string=1'/>\n"
                    "  </qemu:commandline>\n");
    CHECK(define(xml));
    free(xml);
    char *before = inactive_xml("handmade");
    CHECK(has(before, "mem-path=/dev/shm/looking-glass"));
    const char *plan_args[] = {"--domain",  "handmade",   "--ivshmem", "--resolution",
                               "1920x1080", "--no-audio", NULL};
    char *out = run_setup(0, plan_args);
    CHECK(has(out, "Replaced an IVSHMEM device added by hand in <qemu:commandline> (-device "
                   "ivshmem-plain,id=shmem0,memdev=ivshmem,bus=pcie.0; -object memory-backend-"
                   "file,id=ivshmem,share=on,mem-path=/dev/shm/looking-glass,size=32M) with "
                   "<shmem name='looking-glass'> on the same file"));
    CHECK(has(out, "removed the hand-made IVSHMEM device on /dev/shm/looking-glass from "
                   "<qemu:commandline>"));
    CHECK(has(out, "-    <qemu:arg value=\"memory-backend-file,id=ivshmem,share=on,"
                   "mem-path=/dev/shm/looking-glass,size=32M\"/>\n"));
    CHECK_MSG(out && !strstr(out, "not libvirt's final form"), "libvirt refused the plan:\n%s",
              out);
    free(out);

    const char *apply_args[] = {"--domain",  "handmade",   "--ivshmem", "--resolution",
                                "1920x1080", "--no-audio", "--apply",   NULL};
    out = run_setup(0, apply_args);
    CHECK(has(out, "Applied. vgapt-setup undo reverts it."));
    free(out);
    char *held = inactive_xml("handmade");
    CHECK_MSG(count(held, "<shmem name='looking-glass'>") == 1 && count(held, "<shmem ") == 1,
              "libvirt holds:\n%s", held);
    CHECK(has(held, "<shmem name='looking-glass'>\n      <model type='ivshmem-plain'/>\n"
                    "      <size unit='M'>32</size>\n"));
    CHECK_MSG(held && !strstr(held, "/dev/shm/looking-glass") && !strstr(held, "memdev=ivshmem"),
              "a hand-made device is left on the file:\n%s", held);
    CHECK(has(held, "<qemu:arg value='-fw_cfg'/>\n    <qemu:arg value='opt/vgapt,string=1'/>\n"));
    free(held);
    /* Planned again on libvirt's form: nothing left to replace. */
    out = run_setup(0, plan_args);
    CHECK(has(out, "Domain handmade already has every requested device and setting"));
    CHECK(out && !strstr(out, "Replaced an IVSHMEM device"));
    free(out);
    const char *undo_args[] = {"undo", "--apply", NULL};
    out = run_setup(0, undo_args);
    CHECK(has(out, "restored domain handmade\n"));
    free(out);
    char *after = inactive_xml("handmade");
    CHECK(after && before && !strcmp(after, before));
    free(after);
    free(before);
}

static pid_t qemu_pid(const char *name)
{
    char path[300], text[32] = "";
    snprintf(path, sizeof(path), "/run/libvirt/qemu/%s.pid", name);
    vg_test_read_text(path, text, sizeof(text));
    return (pid_t)atol(text);
}

static void check_region(pid_t qemu, const char *path, off_t size, const struct passwd *owner,
                         const struct group *grp)
{
    struct stat st;
    CHECK_MSG(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
    CHECK_MSG(st.st_size == size, "%s: %lld bytes, want %lld", path, (long long)st.st_size,
              (long long)size);
    if (owner && grp) {
        CHECK_MSG(
            st.st_uid == owner->pw_uid && st.st_gid == grp->gr_gid && (st.st_mode & 07777) == 0660,
            "%s: uid %u gid %u mode %04o, want %s:%s 0660", path, (unsigned)st.st_uid,
            (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777), owner->pw_name, grp->gr_name);
    }
    char maps_path[64];
    snprintf(maps_path, sizeof(maps_path), "/proc/%d/maps", (int)qemu);
    char *maps = vg_test_slurp(maps_path);
    CHECK_MSG(maps && strstr(maps, path), "QEMU (pid %d) does not map %s", (int)qemu, path);
    free(maps);
}

/* The edited q35 domain boots under TCG and QEMU maps both regions, created by the
 * tmpfiles.d rule vgapt-setup planned (as systemd-tmpfiles would at boot) with its owner. */
static void a_booted_domain_holds_the_regions_with_the_rules_owner(void)
{
    /* The older virt-manager form: the firmware and its variables named, the NVRAM path filled
     * in by libvirt from the domain's name. */
    char *vars = vg_xstrdup(ovmf_code);
    char *code = strstr(vars, "CODE");
    if (code)
        memcpy(code, "VARS", 4);
    const char *efi = "<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type>";
    const char *at = strstr(q35_xml, efi);
    char *xml = vg_xasprintf("%.*s<os><type arch='x86_64' machine='q35'>hvm</type><loader "
                             "readonly='yes' type='pflash'>%s</loader><nvram template='%s'/>%s",
                             (int)(at - q35_xml), q35_xml, ovmf_code, vars, at + strlen(efi));
    CHECK(define(xml));
    free(xml);
    free(vars);
    char *defined = inactive_xml("win10");
    CHECK(has(defined, "<nvram template='"));
    free(defined);
    /* With the Code 43 features too: a type='qemu' domain still starts with them. */
    const char *args[] = {"--domain",     "win10",     "--ivshmem",         "--user",  "nobody",
                          "--resolution", "1920x1080", "--hide-hypervisor", "--apply", NULL};
    char *out = run_setup(0, args);
    CHECK(has(out, "+      <hidden state=\"on\"/>\n"));
    free(out);
    struct passwd *nobody = getpwnam("nobody");
    struct group *kvm = getgrnam("kvm");
    bool rule = tmpfiles && *tmpfiles && nobody && kvm;
    if (rule) {
        char conf[800];
        snprintf(conf, sizeof(conf), "%s/etc/tmpfiles.d/vgapt.conf", root);
        char *targv[] = {(char *)tmpfiles, "--create", conf, NULL};
        char *o, *e;
        CHECK_MSG(fr_run(targv, &o, &e) == 0, "systemd-tmpfiles: %s", e);
        free(o);
        free(e);
    } else {
        fprintf(stderr, "  no systemd-tmpfiles, user nobody or group kvm: owner not checked\n");
    }
    double t0 = now_s();
    virDomainPtr d = virDomainLookupByName(conn, "win10");
    bool started = d && virDomainCreate(d) == 0;
    CHECK_MSG(started, "start: %s", virGetLastErrorMessage());
    fprintf(stderr, "  domain started in %.1f s\n", now_s() - t0);
    if (started) {
        pid_t qemu = qemu_pid("win10");
        CHECK(qemu > 0);
        check_region(qemu, "/dev/shm/looking-glass", 32 << 20, rule ? nobody : NULL,
                     rule ? kvm : NULL);
        check_region(qemu, "/dev/shm/scream-ivshmem", 2 << 20, rule ? nobody : NULL,
                     rule ? kvm : NULL);
        /* A few seconds of firmware under TCG, and it still runs. */
        sleep(2);
        CHECK(virDomainIsActive(d) == 1);
        CHECK(virDomainDestroy(d) == 0);
    }
    if (d)
        virDomainFree(d);
    /* The UEFI variables the first start made survive a plan's trial copy, which names the
     * same NVRAM file. */
    struct stat st;
    CHECK(stat("/var/lib/libvirt/qemu/nvram/win10_VARS.fd", &st) == 0);
    const char *again[] = {"--domain", "win10", "--hugepages", NULL};
    out = run_setup(0, again);
    CHECK(has(out, "+  <memoryBacking>\n"));
    free(out);
    CHECK_MSG(stat("/var/lib/libvirt/qemu/nvram/win10_VARS.fd", &st) == 0,
              "the trial copy took the NVRAM file with it");
}

/* A passthrough VM as the guides leave it: q35, a VNC display, no emulated video card (the
 * GPU is the display), no tablet, no sound; SeaBIOS and no disk, all QEMU needs to start. */
static const char passthrough_xml[] =
    "<domain type='qemu'>\n"
    "  <name>gpu-vm</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>\n"
    "  <features><acpi/><apic/></features>\n"
    "  <devices>\n"
    "    <controller type='usb' model='qemu-xhci'/>\n"
    "    <graphics type='vnc' port='-1' autoport='yes'><listen type='address' "
    "address='127.0.0.1'/></graphics>\n"
    "    <video><model type='none'/></video>\n"
    "  </devices>\n"
    "</domain>\n";

#define SPICE_SOCKET "/var/lib/libvirt/qemu/vgapt-gpu-vm.spice"

static void put_le32(uint8_t *at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        at[i] = (uint8_t)(v >> 8 * i);
}

/* The SPICE link handshake on the main channel (protocol 2.2, no capabilities): true when the
 * server answers with its link header and no error, which only a SPICE server does. */
static bool spice_answers(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    struct timeval tv = {.tv_sec = 10};
    uint8_t link[16 + 18] = {'R', 'E', 'D', 'Q'}, reply[20];
    size_t got = 0;
    bool ok = false;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        fprintf(stderr, "connect %s: %s\n", path, strerror(errno));
        goto cleanup;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    /* The link header ("REDQ", major 2, minor 2, the message's size), then the message: a
     * connection id of 0, channel type 1 (main) and id 0, no capabilities and their offset. */
    put_le32(link + 4, 2);
    put_le32(link + 8, 2);
    put_le32(link + 12, 18);
    link[20] = 1;
    put_le32(link + 30, 18);
    if (write(fd, link, sizeof(link)) != (ssize_t)sizeof(link)) {
        fprintf(stderr, "write %s: %s\n", path, strerror(errno));
        goto cleanup;
    }
    while (got < sizeof(reply)) {
        ssize_t n = read(fd, reply + got, sizeof(reply) - got);
        if (n <= 0) {
            fprintf(stderr, "read %s: %s after %zu bytes\n", path, n ? strerror(errno) : "EOF",
                    got);
            goto cleanup;
        }
        got += (size_t)n;
    }
    /* The reply's header, then its first word: the link error, 0 for none. */
    ok = !memcmp(reply, "REDQ", 4) && reply[4] == 2 && !reply[16] && !reply[17] && !reply[18] &&
         !reply[19];
    if (!ok)
        fprintf(stderr, "%s: not a SPICE link reply: %02x%02x%02x%02x major %u error %u\n", path,
                reply[0], reply[1], reply[2], reply[3], reply[4], reply[16]);
cleanup:
    if (fd >= 0)
        close(fd);
    return ok;
}

/* /proc/PID/cmdline, one argument a line. */
static char *command_line(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    size_t len = 0;
    char *text = vg_test_read_file(path, &len);
    for (size_t i = 0; text && i < len; i++)
        if (!text[i])
            text[i] = '\n';
    return text;
}

/* The argument after an `option` that holds `needle`, up to its end of line (NULL: none). */
static const char *option_with(const char *cmdline, const char *option, const char *needle)
{
    char *key = vg_xasprintf("\n%s\n", option);
    const char *found = NULL;
    for (const char *at = cmdline ? strstr(cmdline, key) : NULL; at && !found;
         at = strstr(at + 1, key)) {
        const char *arg = at + strlen(key);
        size_t len = strcspn(arg, "\n");
        const char *hit = strstr(arg, needle);
        if (hit && hit < arg + len)
            found = arg;
    }
    free(key);
    return found;
}

/* --spice --spice-audio on a passthrough VM: libvirt takes the plan's trial copy, the applied
 * domain boots under TCG, QEMU serves SPICE on the planned socket with server mouse, a tablet
 * and the ich9 codec on the SPICE audio backend, and undo gives back the XML byte for byte. */
static void spice_on_a_passthrough_vm_serves_the_planned_socket_and_undo_restores_it(void)
{
    CHECK(define(passthrough_xml));
    char *before = inactive_xml("gpu-vm");
    CHECK(has(before, "<model type='none'/>"));
    const char *plan_args[] = {"--domain", "gpu-vm", "--spice", "--spice-audio", NULL};
    char *out = run_setup(0, plan_args);
    CHECK(has(out, "+    <graphics type=\"spice\">\n"
                   "+      <listen type=\"socket\" socket=\"" SPICE_SOCKET "\"/>\n"
                   "+      <mouse mode=\"server\"/>\n"));
    /* libvirt's own form: the channel's port on the virtio-serial controller it adds. */
    CHECK(has(out, "<address type=\"virtio-serial\" controller=\"0\" bus=\"0\" port=\"1\"/>"));
    CHECK(has(out, "Keyboard and mouse: vgapt-client --spice unix:" SPICE_SOCKET ". "));
    CHECK_MSG(out && !strstr(out, "not libvirt's final form"), "libvirt refused the plan:\n%s",
              out);
    free(out);
    char *names = domain_names();
    CHECK_MSG(names && !strcmp(names, "gpu-vm\n"), "the trial copy is left: %s", names);
    free(names);

    const char *apply_args[] = {"--domain", "gpu-vm", "--spice", "--spice-audio", "--apply", NULL};
    out = run_setup(0, apply_args);
    CHECK(has(out, "Applied. vgapt-setup undo reverts it."));
    free(out);
    char *held = inactive_xml("gpu-vm");
    CHECK(has(held, "<listen type='socket' socket='" SPICE_SOCKET "'/>"));
    CHECK(has(held, "<graphics type='vnc'"));
    free(held);

    double t0 = now_s();
    virDomainPtr d = virDomainLookupByName(conn, "gpu-vm");
    bool started = d && virDomainCreate(d) == 0;
    CHECK_MSG(started, "start: %s", virGetLastErrorMessage());
    fprintf(stderr, "  domain started in %.1f s\n", now_s() - t0);
    if (started) {
        struct stat st;
        CHECK_MSG(stat(SPICE_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode), "%s: %s", SPICE_SOCKET,
                  errno ? strerror(errno) : "not a socket");
        CHECK(spice_answers(SPICE_SOCKET));
        pid_t qemu = qemu_pid("gpu-vm");
        CHECK(qemu > 0);
        char *cmd = qemu > 0 ? command_line(qemu) : NULL;
        /* "unix,addr=" from libvirt 9, "unix=on,addr=" from later ones. */
        const char *spice = option_with(cmd, "-spice", ",addr=" SPICE_SOCKET ",");
        CHECK_MSG(spice && !strncmp(spice, "unix", 4), "no -spice on the socket:\n%s", cmd);
        CHECK_MSG(option_with(cmd, "-spice", "agent-mouse=off"), "no server mouse:\n%s", cmd);
        CHECK_MSG(option_with(cmd, "-vnc", "127.0.0.1:"), "VNC is gone:\n%s", cmd);
        CHECK_MSG(option_with(cmd, "-device", "\"driver\":\"usb-tablet\""), "no tablet:\n%s", cmd);
        CHECK_MSG(option_with(cmd, "-chardev", "spicevmc,") &&
                      option_with(cmd, "-device", "\"name\":\"com.redhat.spice.0\""),
                  "no agent channel:\n%s", cmd);
        /* The codec plays into the audiodev whose driver is spice. */
        const char *spice_dev = option_with(cmd, "-audiodev", "\"driver\":\"spice\"");
        const char *id = spice_dev ? strstr(spice_dev, "\"id\":\"") : NULL;
        char *want =
            id ? vg_xasprintf("\"audiodev\":\"%.*s\"", (int)strcspn(id + 6, "\""), id + 6) : NULL;
        const char *codec = want ? option_with(cmd, "-device", want) : NULL;
        CHECK_MSG(codec && !strncmp(codec, "{\"driver\":\"hda-duplex\"", 22),
                  "no hda-duplex on the spice audiodev (%s):\n%s", want ? want : "none", cmd);
        CHECK_MSG(option_with(cmd, "-audiodev", "\"timer-period\":5000"),
                  "the spice audiodev has not the 5 ms timer period:\n%s", cmd);
        free(want);
        free(cmd);
        CHECK(virDomainDestroy(d) == 0);
    }
    if (d)
        virDomainFree(d);

    const char *undo_args[] = {"undo", "--apply", NULL};
    out = run_setup(0, undo_args);
    CHECK(has(out, "restored domain gpu-vm\n"));
    free(out);
    char *after = inactive_xml("gpu-vm");
    CHECK_MSG(after && before && !strcmp(after, before), "undo gave:\n%s\nwas:\n%s", after, before);
    free(after);
    free(before);
}

#ifdef VG_TEST_CLIENT_DOMAIN
/* What vgapt-setup --ivshmem --spice gives a VM, beside the VNC it had. */
/* libvirtd alone, stopped and started again; the test's connection made again. Running
 * domains go on (QEMU is not libvirtd's child once started). */
static bool restart_libvirtd(void)
{
    if (conn)
        virConnectClose(conn);
    conn = NULL;
    kill(daemons[2], SIGTERM);
    vg_test_wait(daemons[2], 10000);
    char conf[800], log[800];
    snprintf(conf, sizeof(conf), "%s/libvirtd.conf", work);
    snprintf(log, sizeof(log), "%s/libvirtd.log", work);
    char *argv[] = {(char *)libvirtd, "--config", conf, NULL};
    daemons[2] = vg_test_spawn_io(argv, log, log, false);
    for (double t0 = now_s(); !conn && now_s() - t0 < 30;) {
        conn = virConnectOpen(uri);
        if (!conn)
            usleep(50 * 1000);
    }
    if (!conn)
        show_log("libvirtd.log");
    return conn != NULL;
}

static const char client_vm_xml[] =
    "<domain type='qemu'>\n"
    "  <name>client-vm</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>\n"
    "  <devices>\n"
    "    <controller type='usb' model='qemu-xhci'/>\n"
    "    <input type='tablet' bus='usb'/>\n"
    "    <graphics type='vnc' port='-1' autoport='yes'><listen type='address' "
    "address='127.0.0.1'/></graphics>\n"
    "    <graphics type='spice'><listen type='socket' "
    "socket='/var/lib/libvirt/qemu/vgapt-client-vm.spice'/></graphics>\n"
    "    <video><model type='vga'/></video>\n"
    "    <shmem name='looking-glass'><model type='ivshmem-plain'/><size unit='M'>32</size>"
    "</shmem>\n"
    "    <shmem name='scream-ivshmem'><model type='ivshmem-plain'/><size unit='M'>2</size>"
    "</shmem>\n"
    "  </devices>\n"
    "</domain>\n";

/* A SPICE session of the input backend (ops; NULL fails) on addr, up within 20 s. */
static bool spice_session_ready(const struct vg_input_ops *ops, const struct vg_input_addr *addr,
                                const char *when)
{
    struct vg_input *in = ops ? ops->create(addr) : NULL;
    struct vg_input_status s = {.state = VG_INPUT_FAILED};
    snprintf(s.message, sizeof(s.message), "no SPICE backend");
    for (double t0 = now_s(); in && now_s() - t0 < 20; vg_sleep_ns(20 * VG_NS_PER_MS)) {
        ops->poll_status(in, &s);
        if (s.state != VG_INPUT_CONNECTING)
            break;
    }
    if (in)
        ops->destroy(in);
    if (s.state != VG_INPUT_READY)
        fprintf(stderr, "  SPICE %s: state %d: %s\n", when, s.state, s.message);
    return s.state == VG_INPUT_READY;
}

/* The real vgapt-client with --domain and nothing else (a window on the test's display: the
 * test runs under xvfb-run where the build has it; VG_TEST_CLIENT names the client). */
static void real_client_finds_the_domain(void)
{
    const char *client = getenv("VG_TEST_CLIENT");
    if (!client || !*client || !getenv("DISPLAY")) {
        fprintf(stderr, "  skipped the real client's run: no VG_TEST_CLIENT or no DISPLAY\n");
        return;
    }
    char log[800];
    snprintf(log, sizeof(log), "%s/client.log", work);
    char *argv[] = {(char *)client, "--domain", "client-vm", "--connect", uri,
                    "--no-audio",   "--seconds", "20",      "--log-level", "info", NULL};
    pid_t pid = vg_test_spawn_io(argv, log, log, false);
    CHECK(pid > 0);
    bool connected = false;
    for (double t0 = now_s(); pid > 0 && !connected && now_s() - t0 < 20;) {
        char *text = vg_test_slurp(log);
        connected = text && strstr(text, "keyboard and mouse connected");
        free(text);
        if (!connected)
            vg_sleep_ns(50 * VG_NS_PER_MS);
    }
    char *text = vg_test_slurp(log);
    CHECK_MSG(connected, "vgapt-client --domain did not connect to SPICE:\n%s", text ? text : "");
    CHECK_MSG(text && has(text, "--domain client-vm: frames from /dev/shm/looking-glass (32 MiB)"),
              "the client did not take the frame region:\n%s", text ? text : "");
    CHECK_MSG(text && has(text, "--domain client-vm: Scream audio from /dev/shm/scream-ivshmem (2 MiB)"),
              "the client did not take the Scream region:\n%s", text ? text : "");
    free(text);
    if (pid > 0) {
        kill(pid, SIGTERM);
        CHECK_MSG(vg_test_wait(pid, 10000) == 0, "vgapt-client did not exit cleanly on SIGTERM");
    }
}

static void client_domain_gives_its_regions_and_its_spice_server(void)
{
    CHECK(define(client_vm_xml));
    struct vg_domain_info info;
    char err[1024];
    /* Defined, not running. */
    struct vg_domain *d = vg_domain_open(uri, "client-vm", &info, err, sizeof(err));
    CHECK_MSG(!d && has(err, "is not running") && has(err, "start client-vm"), "%s", err);
    vg_domain_close(d);

    virDomainPtr dom = virDomainLookupByName(conn, "client-vm");
    bool started = dom && virDomainCreate(dom) == 0;
    CHECK_MSG(started, "start: %s", virGetLastErrorMessage());
    if (!started)
        goto cleanup;
    d = vg_domain_open(uri, "client-vm", &info, err, sizeof(err));
    CHECK_MSG(d, "%s", err);
    if (!d)
        goto cleanup;
    /* The files QEMU maps are the ones the client will. */
    struct stat st;
    CHECK(!strcmp(info.frames.path, "/dev/shm/looking-glass") && info.frames.size == 32u << 20);
    CHECK_MSG(stat(info.frames.path, &st) == 0 && st.st_size == (off_t)info.frames.size,
              "%s: %s", info.frames.path, strerror(errno));
    CHECK(!strcmp(info.scream.path, "/dev/shm/scream-ivshmem") && info.scream.size == 2u << 20);
    CHECK(stat(info.scream.path, &st) == 0 && st.st_size == (off_t)info.scream.size);
    CHECK_MSG(info.spice_index == 1, "spice index %d", info.spice_index);

    const struct vg_input_ops *ops = NULL;
    for (size_t i = 0; vg_inputs[i]; i++)
        if (!strcmp(vg_inputs[i]->name, "spice"))
            ops = vg_inputs[i];
    struct vg_input_addr addr = {.kind = VG_INPUT_ADDR_FD,
                                 .open_fd = vg_domain_open_spice_fd,
                                 .open_fd_ctx = d};
    snprintf(addr.host, sizeof(addr.host), "domain client-vm");
    double t0 = now_s();
    CHECK(spice_session_ready(ops, &addr, "through libvirt"));
    fprintf(stderr, "  keyboard and mouse through libvirt in %.1f s\n", now_s() - t0);
    /* libvirtd restarts (an upgrade does that) while the VM runs on: the client's next SPICE
     * connection, as after a VM reboot, comes through a new libvirt connection. */
    CHECK(restart_libvirtd());
    virDomainFree(dom);
    dom = conn ? virDomainLookupByName(conn, "client-vm") : NULL;
    CHECK_MSG(dom && virDomainIsActive(dom) == 1, "client-vm no longer runs");
    int fd = vg_domain_open_spice_fd(d);
    CHECK_MSG(fd >= 0, "no SPICE socket after libvirtd's restart: %d", fd);
    if (fd >= 0)
        close(fd);
    CHECK(spice_session_ready(ops, &addr, "after libvirtd's restart"));
    vg_domain_close(d);
    real_client_finds_the_domain();
cleanup:
    if (started)
        CHECK(virDomainDestroy(dom) == 0);
    if (dom)
        virDomainFree(dom);
}
#endif

/* The test proper, as PID 2 of the namespace. */
static int run(const char *which)
{
    if (!private_mounts())
        return SKIP;
    setenv("TMPDIR", "/run/vgapt-test", 1);
    snprintf(work, sizeof(work), "%s", vg_test_tmpdir());
    make_root();
    double t0 = now_s();
    if (!start_daemons()) {
        CHECK(!"libvirtd started");
        stop_daemons();
        return vg_test_finish();
    }
    if (!strcmp(which, "plans")) {
        RUN(q35_plan_shows_libvirts_controllers_and_undo_restores_it);
        RUN(i440fx_plan_shows_libvirts_address_and_undo_restores_it);
        RUN(undo_keeps_a_domain_changed_or_undefined_since_the_apply_unless_forced);
        RUN(a_doorbell_region_becomes_a_plain_one_libvirt_takes);
        RUN(a_hand_made_qemu_commandline_region_becomes_one_shmem);
    } else if (!strcmp(which, "spice")) {
        RUN(spice_on_a_passthrough_vm_serves_the_planned_socket_and_undo_restores_it);
#ifdef VG_TEST_CLIENT_DOMAIN
    } else if (!strcmp(which, "client")) {
        RUN(client_domain_gives_its_regions_and_its_spice_server);
#endif
    } else {
        RUN(a_booted_domain_holds_the_regions_with_the_rules_owner);
    }
    if (vg_test_failures)
        show_log("libvirtd.log");
    stop_daemons();
    fprintf(stderr, "%s: %.1f s with the daemons\n", which, now_s() - t0);
    return vg_test_finish();
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr,
                "usage: %s plans|boot|spice|client VGAPT-SETUP LIBVIRTD VIRTLOGD VIRTLOCKD "
                "OVMF-CODE [SYSTEMD-TMPFILES]\n",
                argv[0]);
        return 2;
    }
    setup = argv[2];
    libvirtd = argv[3];
    virtlogd = argv[4];
    virtlockd = argv[5];
    ovmf_code = argv[6];
    tmpfiles = argc > 7 ? argv[7] : NULL;
    if (geteuid() != 0) {
        fprintf(stderr, "skipped: a private libvirtd with the qemu driver needs root\n");
        return SKIP;
    }
    if (unshare(CLONE_NEWPID) != 0) {
        fprintf(stderr, "skipped: no PID namespace: %s\n", strerror(errno));
        return SKIP;
    }
    fflush(NULL);
    pid_t init = fork();
    if (init < 0)
        return 1;
    if (init > 0) {
        int status;
        while (waitpid(init, &status, 0) < 0 && errno == EINTR)
            ;
        /* No leak check here: with its PID namespace gone, this process cannot clone the
         * thread LeakSanitizer needs (the test proper had its own check). */
        fflush(NULL);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    /* PID 1: dies with the test (ctest's timeout included), and its end kills every process
     * left in the namespace. It reaps what libvirtd leaves (QEMU is double-forked), or a
     * destroyed QEMU would stay a zombie that libvirt waits for. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    pid_t test = fork();
    if (test == 0)
        exit(run(argv[1]));
    int rc = 1;
    for (;;) {
        int status;
        pid_t p = wait(&status);
        if (p < 0 && errno == EINTR)
            continue;
        if (p < 0)
            break;
        if (p == test) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
    }
    _exit(rc);
}
