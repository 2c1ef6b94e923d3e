/* VM edits through libvirt's test driver on one connection: --ivshmem, --gpu,
 * --hide-hypervisor, --hugepages and --spice round trips (the XML libvirt returns), idempotence,
 * virt-xml-validate on the result, a refused definition keeping the old one, undo restoring
 * the exact previous XML.
 * Usage: test-setup-libvirt PATH-TO-vgapt-setup GOLDEN-DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/apply.h"
#include "fakeroot.h"
#include "libvirt/conn.h"
#include "libvirt/domain_edit.h"
#include "model/model.h"
#include "plan/builders.h"
#include "testlib.h"
#include "vg/log.h"

static const char *setup, *golden, *tmp;
static char uri[600], root[600];

static const char node_xml[] =
    "<node>\n"
    "  <domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
    "    <name>win10</name>\n"
    "    <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
    "    <memory unit='KiB'>8388608</memory>\n"
    "    <vcpu>4</vcpu>\n"
    "    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "    <features><acpi/><apic/><hyperv mode='custom'><relaxed state='on'/></hyperv>"
    "</features>\n"
    "    <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>\n"
    "    <test:runstate>5</test:runstate>\n"
    "  </domain>\n"
    "  <domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
    "    <name>Windows 11</name>\n"
    "    <memory unit='MiB'>512</memory>\n"
    "    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "    <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>\n"
    "    <test:runstate>1</test:runstate>\n"
    "  </domain>\n"
    /* A GPU-passthrough VM: VNC for the installation, no emulated video. */
    "  <domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
    "    <name>gpu-vm</name>\n"
    "    <uuid>0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5</uuid>\n"
    "    <memory unit='GiB'>8</memory>\n"
    "    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "    <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "      <controller type='usb' model='qemu-xhci'/>\n"
    "      <graphics type='vnc' port='-1' autoport='yes'>"
    "<listen type='address' address='127.0.0.1'/></graphics>\n"
    "      <video><model type='none'/></video>\n"
    "    </devices>\n"
    "    <test:runstate>5</test:runstate>\n"
    "  </domain>\n"
    /* What virt-manager makes for a q35 guest: SPICE on TCP, its agent channel, a tablet,
     * ich9 sound (an older one: no <audio>). */
    "  <domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
    "    <name>vm-manager</name>\n"
    "    <uuid>1d2e3f40-5b6c-4d7e-9f80-91a2b3c4d5e6</uuid>\n"
    "    <memory unit='GiB'>4</memory>\n"
    "    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "    <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "      <controller type='usb' index='0' model='qemu-xhci' ports='15'/>\n"
    "      <controller type='virtio-serial' index='0'/>\n"
    "      <channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>\n"
    "      <input type='tablet' bus='usb'/>\n"
    "      <graphics type='spice' autoport='yes'><listen type='address'/>"
    "<image compression='off'/></graphics>\n"
    "      <sound model='ich9'/>\n"
    "      <video><model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1'/>"
    "</video>\n"
    "    </devices>\n"
    "    <test:runstate>5</test:runstate>\n"
    "  </domain>\n"
    "</node>\n";

static bool has(const char *text, const char *needle)
{
    bool found = text && strstr(text, needle) != NULL;
    if (!found)
        fprintf(stderr, "missing: %s\n", needle);
    return found;
}

static bool validate_xml(const char *xml)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/check.xml", tmp);
    fr_write("", path, xml);
    char *argv[] = {"/usr/bin/virt-xml-validate", path, "domain", NULL};
    char *out, *err;
    int rc = fr_run(argv, &out, &err);
    if (rc != 0)
        fprintf(stderr, "virt-xml-validate: %s%s\n", out, err);
    free(out);
    free(err);
    return rc == 0;
}

static void all_edits_round_trip_through_libvirt_and_undo_restores(void)
{
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    CHECK(v != NULL);
    if (!v)
        return;
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    char *before = vg_virt_get_xml(v, "win10");
    CHECK(before != NULL);
    struct vg_vm_request r = {
        .domain = "win10",
        .xml = before,
        .ivshmem = true,
        .width = 1920,
        .height = 1080,
        .audio = true,
        .gpu = "0000:0a:00.0",
        .hide_hypervisor = true,
        .vendor_id = "vgaptvgapt",
        .hugepages = true,
        .user = "alice",
    };
    struct vg_plan p;
    vg_plan_init(&p, "edit win10", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    /* domain, tmpfiles.d rule, its command, the sysctl file, its command */
    CHECK_MSG(p.n == 5, "%zu steps", p.n);
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_apply_opts o = {.domain = &ops};
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);

    char *after = vg_virt_get_xml(v, "win10");
    CHECK(has(after, "<shmem name='looking-glass'>\n      <model type='ivshmem-plain'/>\n"
                     "      <size unit='M'>32</size>\n"));
    CHECK(has(after, "<shmem name='scream-ivshmem'>\n      <model type='ivshmem-plain'/>\n"
                     "      <size unit='M'>2</size>\n"));
    CHECK(has(after, "<hostdev mode='subsystem' type='pci' managed='yes'>\n      <source>\n"
                     "        <address domain='0x0000' bus='0x0a' slot='0x00' "
                     "function='0x0'/>\n"));
    CHECK(has(after, "<address domain='0x0000' bus='0x0a' slot='0x00' function='0x1'/>"));
    CHECK(has(after, "<vendor_id state='on' value='vgaptvgapt'/>"));
    CHECK(has(after, "<kvm>\n      <hidden state='on'/>\n    </kvm>"));
    CHECK(has(after, "<ioapic driver='kvm'/>"));
    CHECK(has(after, "<memoryBacking>\n    <hugepages/>\n  </memoryBacking>"));
    CHECK(has(after, "<relaxed state='on'/>")); /* what was there stays */
    CHECK(validate_xml(after));
    char *tmpfiles = fr_read(root, "/etc/tmpfiles.d/vgapt.conf");
    CHECK(has(tmpfiles, "f /dev/shm/looking-glass 0660 alice kvm -\n"
                        "f /dev/shm/scream-ivshmem 0660 alice kvm -\n"));
    free(tmpfiles);
    char *sysctl = fr_read(root, "/etc/sysctl.d/90-vgapt-hugepages.conf");
    CHECK(has(sysctl, "vm.nr_hugepages = 4096\n")); /* 8 GiB in 2 MiB pages */
    free(sysctl);

    /* A second run changes nothing. */
    r.xml = after;
    vg_plan_init(&p, "edit win10 again", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    CHECK_MSG(p.n == 0, "second run has %zu steps", p.n);
    CHECK(has(p.notes.data, "Domain win10 already has every requested device and setting: "
                            "no change."));
    vg_plan_finish(&p);

    struct vg_sbuf report = {0};
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "restored domain win10\n"));
    vg_sbuf_free(&report);
    char *undone = vg_virt_get_xml(v, "win10");
    CHECK_MSG(undone && before && !strcmp(undone, before), "undo did not restore:\n%s", undone);
    CHECK(fr_read(root, "/etc/tmpfiles.d/vgapt.conf") == NULL);
    free(undone);
    free(after);
    free(before);
    vg_host_finish(&h);
    vg_virt_close(v);
}

static void size_change_updates_the_region_in_place(void)
{
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_apply_opts o = {.domain = &ops};
    uint32_t sizes[][3] = {{1920, 1080, 32}, {3840, 2160, 128}};
    for (int i = 0; i < 2; i++) {
        char *xml = vg_virt_get_xml(v, "win10");
        struct vg_vm_request r = {.domain = "win10",
                                  .xml = xml,
                                  .ivshmem = true,
                                  .width = sizes[i][0],
                                  .height = sizes[i][1],
                                  .audio = false};
        struct vg_plan p;
        vg_plan_init(&p, "size", root);
        CHECK(vg_plan_vm(&p, &h, &r));
        CHECK(vg_apply(&p, &o));
        vg_plan_finish(&p);
        free(xml);
    }
    char *xml = vg_virt_get_xml(v, "win10");
    CHECK(has(xml, "<size unit='M'>128</size>"));
    char *first = strstr(xml, "<shmem name='looking-glass'>");
    CHECK(first && !strstr(first + 1, "<shmem name='looking-glass'>"));
    CHECK(!strstr(xml, "scream-ivshmem"));
    free(xml);
    /* Issue 12: no --user either: the rule all the same, for group kvm. */
    char *rule = fr_read(root, "/etc/tmpfiles.d/vgapt.conf");
    CHECK(has(rule, "\nf /dev/shm/looking-glass 0660 root kvm -\n"));
    free(rule);
    char path[700];
    snprintf(path, sizeof(path), "%s/etc/tmpfiles.d/vgapt.conf", root);
    unlink(path);
    vg_host_finish(&h);
    vg_virt_close(v);
}

static void refused_definition_keeps_the_old_one_and_rolls_back_files(void)
{
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    char *before = vg_virt_get_xml(v, "win10");
    /* A tmpfiles.d write first, then a definition libvirt's schema refuses. */
    struct vg_plan p;
    vg_plan_init(&p, "bad", root);
    CHECK(vg_plan_write(&p, "/etc/tmpfiles.d/vgapt.conf", "f /dev/shm/x 0660 a kvm -\n", 0644,
                        "test"));
    char *bad = strdup(before);
    char *devices = strstr(bad, "</devices>");
    CHECK(devices != NULL);
    char *bad2 = malloc(strlen(bad) + 200);
    sprintf(bad2, "%.*s<shmem name='looking-glass'><model type='bogus-model'/></shmem>%s",
            (int)(devices - bad), bad, devices);
    CHECK(vg_plan_domain(&p, "win10", before, bad2, "test"));
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_apply_opts o = {.domain = &ops};
    vg_log_set_level(VG_LOG_ERROR + 0);
    CHECK(!vg_apply(&p, &o));
    vg_plan_finish(&p);
    char *after = vg_virt_get_xml(v, "win10");
    CHECK(after && !strcmp(before, after));
    CHECK(fr_read(root, "/etc/tmpfiles.d/vgapt.conf") == NULL);
    free(after);
    free(bad);
    free(bad2);
    free(before);
    vg_virt_close(v);
}

static void hugepages_and_hiding_without_q35_skip_the_ioapic(void)
{
    const char *xml = "<domain type='kvm'><name>i440</name><memory unit='GiB'>4</memory>"
                      "<os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>"
                      "</domain>";
    struct vg_domain_edit e = {.hide_hypervisor = true, .vendor_id = "abc123", .hugepages = true};
    struct vg_sbuf changes = {0};
    char *old = NULL;
    unsigned long mem = 0;
    char *out = vg_domain_edit(xml, &e, &old, &changes, &mem);
    CHECK(mem == 4UL * 1024 * 1024);
    CHECK(has(out, "<vendor_id state=\"on\" value=\"abc123\"/>"));
    CHECK(!strstr(out, "ioapic"));
    CHECK(has(changes.data, "<memoryBacking><hugepages/>\n"));
    char *again_old = NULL;
    struct vg_sbuf again = {0};
    char *out2 = vg_domain_edit(out, &e, &again_old, &again, &mem);
    CHECK(out2 && !strcmp(out, out2));
    CHECK(again.len == 0);
    free(out);
    free(out2);
    free(old);
    free(again_old);
    vg_sbuf_free(&changes);
    vg_sbuf_free(&again);
    const char *const gpu[] = {"0000:0a:00.0", "0000:0a:00.1"};
    struct vg_domain_edit rom = {
        .hostdevs = gpu, .n_hostdevs = 2, .rom = "/var/lib/libvirt/vbios/gtx1060.rom"};
    out = vg_domain_edit(xml, &rom, &old, &changes, &mem);
    CHECK(has(out, "function=\"0x0\"/>\n      </source>\n      "
                   "<rom file=\"/var/lib/libvirt/vbios/gtx1060.rom\"/>"));
    CHECK(has(out, "function=\"0x1\"/>\n      </source>\n    </hostdev>"));
    free(out);
    free(old);
    vg_sbuf_free(&changes);
    CHECK(vg_domain_edit("<network/>", &e, &old, &changes, &mem) == NULL);
    CHECK(vg_domain_edit("not xml", &e, &old, &changes, &mem) == NULL);
}

/* Issue 12: every unit libvirt takes for <memory> and <size>, decimal ones in powers of 1000,
 * and a size past 2^64 bytes refused with the element named, not wrapped around. */
static void sizes_are_read_in_every_libvirt_unit_and_overflow_is_refused(void)
{
    const struct {
        const char *value, *unit;
        unsigned long long kib;
    } ok[] = {
        {"8388608", NULL, 8388608},
        {"8388608", "", 8388608},
        {"2048", "b", 2},
        {"2049", "bytes", 3}, /* rounded up, as libvirt does */
        {"1", "byte", 1},
        {"4", "k", 4},
        {"4", "K", 4},
        {"4", "KiB", 4},
        {"1024", "KB", 1000},
        {"32", "M", 32768},
        {"32", "MiB", 32768},
        {"1", "MB", 977}, /* 1000000 bytes */
        {"8", "G", 8388608},
        {"8", "GiB", 8388608},
        {"1", "GB", 976563},
        {"1", "T", 1073741824},
        {"1", "TiB", 1073741824},
        {"1", "TB", 976562500},
        {"1", "tib", 1073741824},
        {"1", "P", 1099511627776ull},
        {"1", "PB", 976562500000ull},
        {"8", "E", 9007199254740992ull}, /* 2^63 bytes */
        {"15", "EiB", 16888498602639360ull},
        {" 64 ", "M", 65536},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        unsigned long long kib = 0;
        bool read = vg_domain_scaled_kib(ok[i].value, ok[i].unit, &kib);
        CHECK_MSG(read && kib == ok[i].kib, "%s %s: %d, %llu KiB", ok[i].value,
                  ok[i].unit ? ok[i].unit : "(none)", read, kib);
    }
    const struct {
        const char *value, *unit;
    } bad[] = {{"16", "E"},
               {"18446744073709551616", "b"},
               {"99999999999999999999", NULL},
               {"20000", "P"},
               {"1", "KiBB"},
               {"1", "Q"},
               {"1", "iB"},
               {"-1", "M"},
               {"1.5", "G"},
               {"", "M"},
               {"0x10", "M"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned long long kib = 0;
        CHECK_MSG(!vg_domain_scaled_kib(bad[i].value, bad[i].unit, &kib), "%s %s read as %llu",
                  bad[i].value, bad[i].unit, kib);
    }

    /* In a domain: a region in T is larger than 32 MiB and kept; the memory in TB is read. */
    const char *xml = "<domain type='kvm'><name>big</name><memory unit='TB'>1</memory>"
                      "<devices><shmem name='looking-glass'><model type='ivshmem-plain'/>"
                      "<size unit='T'>1</size></shmem></devices></domain>";
    struct vg_sbuf notes = {0}, changes = {0};
    struct vg_domain_edit e = {
        .ivshmem = true, .ivshmem_mib = 32, .keep_larger = true, .notes = &notes};
    char *old = NULL;
    unsigned long mem = 0;
    char *out = vg_domain_edit(xml, &e, &old, &changes, &mem);
    CHECK(out != NULL);
    CHECK_MSG(mem == 976562500ul, "%lu KiB", mem);
    CHECK(has(notes.data, "Kept <shmem name='looking-glass'> at 1048576 MiB"));
    CHECK(changes.len == 0);
    free(out);
    free(old);
    vg_sbuf_free(&notes);
    vg_sbuf_free(&changes);
    /* Past 2^64 bytes: refused, not wrapped around to a small size. */
    const char *huge = "<domain type='kvm'><name>big</name><memory unit='EiB'>16</memory>"
                       "</domain>";
    struct vg_domain_edit none = {0};
    out = vg_domain_edit(huge, &none, &old, &changes, &mem);
    CHECK(out == NULL);
    CHECK(old != NULL); /* a domain, with a size libvirt would not take */
    free(old);
    vg_sbuf_free(&changes);
}

static void hiding_a_tcg_domain_says_it_only_matters_under_kvm(void)
{
    const char *xml = "<domain type='qemu'><name>tcg</name><memory unit='GiB'>1</memory>"
                      "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os></domain>";
    struct vg_sbuf notes = {0}, changes = {0};
    struct vg_domain_edit e = {.hide_hypervisor = true, .vendor_id = "vgaptvgapt", .notes = &notes};
    char *old = NULL;
    unsigned long mem = 0;
    char *out = vg_domain_edit(xml, &e, &old, &changes, &mem);
    CHECK(has(out, "<hidden state=\"on\"/>"));
    CHECK(has(notes.data, "--hide-hypervisor: this domain is type='qemu' (QEMU's emulator, TCG, "
                          "no KVM): <kvm><hidden/> and <ioapic driver='kvm'/> only matter once "
                          "it runs under KVM (type='kvm')"));
    free(out);
    free(old);
    vg_sbuf_free(&notes);
    vg_sbuf_free(&changes);
    /* A KVM domain gets no such word. */
    struct vg_sbuf kvm_notes = {0};
    e.notes = &kvm_notes;
    out = vg_domain_edit("<domain type='kvm'><name>k</name></domain>", &e, &old, &changes, &mem);
    CHECK(kvm_notes.len == 0);
    free(out);
    free(old);
    vg_sbuf_free(&kvm_notes);
    vg_sbuf_free(&changes);
}

static void a_doorbell_region_becomes_plain_without_server_and_msi(void)
{
    const char *xml =
        "<domain type='kvm'><name>lg</name><memory unit='GiB'>4</memory>"
        "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os><devices>"
        "<shmem name='looking-glass'><model type='ivshmem-doorbell'/><size unit='M'>32</size>"
        "<server path='/var/lib/libvirt/shmem/looking-glass-sock'/><msi vectors='1' "
        "ioeventfd='on'/></shmem></devices></domain>";
    struct vg_domain_edit e = {.ivshmem = true, .ivshmem_mib = 32, .keep_larger = true};
    struct vg_sbuf changes = {0};
    char *old = NULL;
    unsigned long mem = 0;
    char *out = vg_domain_edit(xml, &e, &old, &changes, &mem);
    CHECK(has(out, "<shmem name=\"looking-glass\">\n      <model type=\"ivshmem-plain\"/>\n"
                   "      <size unit=\"M\">32</size>\n    </shmem>"));
    CHECK(!strstr(out, "<server") && !strstr(out, "<msi"));
    CHECK(has(changes.data, "model ivshmem-doorbell -> ivshmem-plain\n"));
    CHECK(has(changes.data, "<server> and <msi> dropped"));
    CHECK(validate_xml(out));
    free(out);
    free(old);
    vg_sbuf_free(&changes);
}

/* A Looking Glass device added by hand as QEMU arguments, as guides showed. */
#define QEMU_LG_ARGS(size)                                                                         \
    "<qemu:arg value='-device'/><qemu:arg value='ivshmem-plain,id=shmem0,memdev=ivshmem,"          \
    "bus=pcie.0'/><qemu:arg value='-object'/><qemu:arg value='memory-backend-file,id=ivshmem,"     \
    "share=on,mem-path=/dev/shm/looking-glass,size=" size "'/>"

static char *qemu_domain(const char *args)
{
    return vg_xasprintf(
        "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
        "<name>lg</name><memory unit='GiB'>8</memory>"
        "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>"
        "<qemu:commandline>%s</qemu:commandline></domain>",
        args);
}

static void a_hand_made_qemu_commandline_region_is_replaced_by_shmem(void)
{
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    /* Only the region's arguments, 64 MiB, and a plain --ivshmem (1920x1080: 32 MiB). */
    char *xml = qemu_domain(QEMU_LG_ARGS("64M"));
    CHECK(validate_xml(xml));
    struct vg_vm_request r = {
        .domain = "lg", .xml = xml, .ivshmem = true, .width = 1920, .height = 1080};
    struct vg_plan p;
    vg_plan_init(&p, "edit lg", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    CHECK_MSG(p.n == 1, "%zu steps", p.n);
    const char *planned = p.n ? p.steps[0].new_xml : NULL;
    CHECK(has(planned, "<shmem name=\"looking-glass\">\n      <model type=\"ivshmem-plain\"/>\n"
                       "      <size unit=\"M\">64</size>\n    </shmem>"));
    /* The arguments, the emptied <qemu:commandline> and its namespace are gone. */
    CHECK(planned && !strstr(planned, "qemu:") && !strstr(planned, "xmlns:qemu"));
    CHECK(planned && validate_xml(planned));
    CHECK(p.n && has(p.steps[0].why, "removed the hand-made IVSHMEM device on "
                                     "/dev/shm/looking-glass from <qemu:commandline> (now "
                                     "empty: dropped)"));
    CHECK(has(p.notes.data,
              "Replaced an IVSHMEM device added by hand in <qemu:commandline> (-device "
              "ivshmem-plain,id=shmem0,memdev=ivshmem,bus=pcie.0; -object memory-backend-file,"
              "id=ivshmem,share=on,mem-path=/dev/shm/looking-glass,size=64M) with <shmem "
              "name='looking-glass'> on the same file"));
    CHECK(has(p.notes.data, "Kept the replaced region's 64 MiB: larger than the 32 MiB asked "
                            "for"));
    /* Planning again on the result changes nothing. */
    struct vg_plan again;
    vg_plan_init(&again, "again", root);
    r.xml = planned;
    CHECK(vg_plan_vm(&again, &h, &r));
    CHECK_MSG(again.n == 0, "%zu steps", again.n);
    vg_plan_finish(&again);
    vg_plan_finish(&p);
    free(xml);

    /* Other arguments stay, and so does the namespace; a region on /dev/kvmfr0 (the kvmfr
     * module) is not ours to replace; --resolution sets the size. */
    xml = qemu_domain(
        "<qemu:arg value='-fw_cfg'/><qemu:arg value='opt/vgapt,string=1'/>" QEMU_LG_ARGS(
            "33554432") "<qemu:arg value='-device'/><qemu:arg value='ivshmem-plain,memdev=kvmfr'/>"
                        "<qemu:arg value='-object'/><qemu:arg value='memory-backend-file,id=kvmfr,"
                        "mem-path=/dev/kvmfr0,size=32M,share=yes'/>");
    struct vg_domain_edit e = {.ivshmem = true, .ivshmem_mib = 128, .keep_larger = false};
    struct vg_sbuf changes = {0};
    char *old = NULL;
    unsigned long mem = 0;
    char *out = vg_domain_edit(xml, &e, &old, &changes, &mem);
    CHECK(has(out, "<size unit=\"M\">128</size>"));
    CHECK(has(out, "<qemu:commandline>\n    <qemu:arg value=\"-fw_cfg\"/>\n"
                   "    <qemu:arg value=\"opt/vgapt,string=1\"/>\n"
                   "    <qemu:arg value=\"-device\"/>\n"
                   "    <qemu:arg value=\"ivshmem-plain,memdev=kvmfr\"/>\n"
                   "    <qemu:arg value=\"-object\"/>\n"
                   "    <qemu:arg value=\"memory-backend-file,id=kvmfr,mem-path=/dev/kvmfr0,"
                   "size=32M,share=yes\"/>\n  </qemu:commandline>"));
    CHECK(has(out, "xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\""));
    CHECK(out && !strstr(out, "/dev/shm/looking-glass"));
    CHECK(has(changes.data, "removed the hand-made IVSHMEM device on /dev/shm/looking-glass "
                            "from <qemu:commandline>\n"));
    CHECK(out && validate_xml(out));
    free(out);
    free(old);
    free(xml);
    vg_sbuf_free(&changes);
    vg_host_finish(&h);
}

static void a_larger_region_is_kept_unless_a_resolution_is_given(void)
{
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_apply_opts o = {.domain = &ops};
    /* --resolution 2560x1440 made 64 MiB; then a plain --ivshmem (1920x1080: 32). */
    struct {
        uint32_t w, h;
        bool given;
        const char *size, *note;
    } runs[] = {
        {2560, 1440, true, "<size unit='M'>64</size>", NULL},
        {1920, 1080, false, "<size unit='M'>64</size>",
         "Kept <shmem name='looking-glass'> at 64 MiB: larger than the 32 MiB asked for "
         "(--resolution WxH sets the size for that resolution).\n"},
        {1920, 1080, true, "<size unit='M'>32</size>", NULL},
    };
    for (int i = 0; i < 3; i++) {
        char *xml = vg_virt_get_xml(v, "win10");
        struct vg_vm_request r = {.domain = "win10",
                                  .xml = xml,
                                  .ivshmem = true,
                                  .width = runs[i].w,
                                  .height = runs[i].h,
                                  .resolution_given = runs[i].given};
        struct vg_plan p;
        vg_plan_init(&p, "size", root);
        CHECK(vg_plan_vm(&p, &h, &r));
        if (runs[i].note)
            CHECK(has(p.notes.data, runs[i].note));
        CHECK(vg_apply(&p, &o));
        vg_plan_finish(&p);
        free(xml);
        xml = vg_virt_get_xml(v, "win10");
        CHECK_MSG(has(xml, runs[i].size), "run %d", i);
        free(xml);
    }
    vg_host_finish(&h);
    vg_virt_close(v);
}

static void an_unknown_user_is_refused_at_plan_time(void)
{
    char r2[700];
    snprintf(r2, sizeof(r2), "%s/user-root", tmp);
    mkdir(r2, 0755);
    fr_build(r2, &fr_x399);
    fr_write(r2, "/etc/passwd",
             "root:x:0:0:root:/root:/bin/bash\n"
             "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
    fr_write(r2, "/etc/group", "root:x:0:\nkvm:x:993:alice\n");
    char *argv[] = {(char *)setup, "--domain", "win10",  "--ivshmem", "--user", "nosuchuser",
                    "--connect",   uri,        "--root", r2,          NULL};
    char *out, *err;
    CHECK(fr_run(argv, &out, &err) == 1);
    CHECK(has(err, "--user nosuchuser: no such user on this host"));
    CHECK(!strstr(out, "Dry run"));
    free(out);
    free(err);
    argv[5] = "alice";
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "+f /dev/shm/looking-glass 0660 alice kvm -\n"));
    free(out);
    free(err);
    fr_write(r2, "/etc/group", "root:x:0:\n");
    CHECK(fr_run(argv, &out, &err) == 1);
    CHECK(has(err, "the group kvm, which this host lacks"));
    free(out);
    free(err);
}

/* Issue 12: QEMU makes the /dev/shm files libvirt-qemu's, 0644, without a tmpfiles.d rule, and
 * vgapt-client cannot map them read-write: --ivshmem offers the rule without --user too (for
 * group kvm), and leaves a rule for a path that another file already has. */
static void ivshmem_always_offers_the_shm_rule(void)
{
    char r2[700];
    snprintf(r2, sizeof(r2), "%s/rule-root", tmp);
    mkdir(r2, 0755);
    fr_build(r2, &fr_x399);
    char *sudo_user = getenv("SUDO_USER") ? strdup(getenv("SUDO_USER")) : NULL;
    unsetenv("SUDO_USER");
    char *argv[] = {(char *)setup, "--domain", "win10", "--ivshmem", "--connect",
                    uri,           "--root",   r2,      NULL};
    char *out = NULL, *err = NULL;
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "+f /dev/shm/looking-glass 0660 root kvm -\n"
                   "+f /dev/shm/scream-ivshmem 0660 root kvm -\n"));
    CHECK(has(out, "run systemd-tmpfiles --create /etc/tmpfiles.d/vgapt.conf\n"));
    CHECK(has(out, "the rule gives the /dev/shm files to root and group kvm. vgapt-client opens "
                   "them as a member of kvm: sudo usermod -aG kvm USER, then log in again"));
    free(out);
    free(err);
    /* A Looking Glass guide's rule for the frame region stays the one that counts. */
    fr_write(r2, "/etc/tmpfiles.d/10-looking-glass.conf",
             "f /dev/shm/looking-glass 0660 alice kvm -\n");
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "/dev/shm/looking-glass: kept the rule in "
                   "/etc/tmpfiles.d/10-looking-glass.conf (0660 alice:kvm); vgapt-setup adds none "
                   "for it.\n"));
    CHECK(out && !strstr(out, "+f /dev/shm/looking-glass"));
    CHECK(has(out, "+f /dev/shm/scream-ivshmem 0660 root kvm -\n"));
    free(out);
    free(err);
    char *no_audio[] = {(char *)setup, "--domain", "win10",  "--ivshmem", "--no-audio",
                        "--connect",   uri,        "--root", r2,          NULL};
    CHECK(fr_run(no_audio, &out, &err) == 0);
    CHECK(out && !strstr(out, "tmpfiles.d/vgapt.conf"));
    free(out);
    free(err);
    if (sudo_user)
        setenv("SUDO_USER", sudo_user, 1);
    free(sudo_user);
}

static const char secret_node_xml[] =
    "<node>\n"
    "  <domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
    "    <name>vault</name>\n"
    "    <uuid>3c2f1e0d-5b4a-4c3d-9e8f-7a6b5c4d3e2f</uuid>\n"
    "    <memory unit='GiB'>2</memory>\n"
    "    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "    <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "      <disk type='network' device='disk'><driver name='qemu' type='raw'/>"
    "<auth username='ceph-admin'><secret type='ceph' uuid='2ba6ad0e-7d5f-4f1e-b7c4-"
    "3f2e0c1d2e3f'/></auth><source protocol='rbd' name='pool/image'><host name='mon1' "
    "port='6789'/></source><target dev='vda' bus='virtio'/></disk>\n"
    "      <graphics type='vnc' port='-1' passwd='hunter2-vnc'/>\n"
    "      <graphics type='spice' autoport='yes' passwd='hunter2-spice'/>\n"
    "    </devices>\n"
    "    <test:runstate>5</test:runstate>\n"
    "  </domain>\n"
    "</node>\n";

static bool shows_no_secret(const char *text)
{
    static const char *const secrets[] = {"hunter2", "ceph-admin", "2ba6ad0e", NULL};
    for (const char *const *s = secrets; *s; s++)
        if (text && strstr(text, *s)) {
            fprintf(stderr, "shown: %s in\n%s\n", *s, text);
            return false;
        }
    return text != NULL;
}

/* Issue 12: the XML is read with VIR_DOMAIN_XML_SECURE, so that a definition keeps its
 * passwords; the plan a user shows (and pastes into a bug report) hides them, while what is
 * defined, and restored by undo, keeps them byte for byte. */
static void plans_hide_passwords_and_secrets_yet_define_them(void)
{
    fr_write(tmp, "/secret-node.xml", secret_node_xml);
    char suri[700];
    snprintf(suri, sizeof(suri), "test://%s/secret-node.xml", tmp);
    struct vg_virt *v = vg_virt_open(suri, false, NULL);
    CHECK(v != NULL);
    if (!v)
        return;
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    char *before = vg_virt_get_xml(v, "vault");
    CHECK(has(before, "passwd='hunter2-vnc'"));
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_vm_request r = {.domain = "vault",
                              .xml = before,
                              .ivshmem = true,
                              .width = 1920,
                              .height = 1080,
                              .hide_hypervisor = true,
                              .vendor_id = "vgaptvgapt",
                              .libvirt = &ops};
    struct vg_plan p;
    vg_plan_init(&p, "edit vault", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    CHECK_MSG(p.n >= 1 && p.steps[0].kind == VG_STEP_DOMAIN, "%zu steps", p.n);
    /* Secrets on lines the diff shows, in context or changed. */
    char *old_xml = p.n ? vg_xstrdup(p.steps[0].old_xml) : NULL;
    if (p.n) {
        /* The old side differs on the VNC line, and on the disk's <auth> and <secret>. */
        char *e = strstr(p.steps[0].old_xml, "<graphics type=\"vnc\"");
        char *a = strstr(p.steps[0].old_xml, "<auth username");
        CHECK(e && a);
        if (e && a) {
            memcpy(e + strlen("<graphics type=\""), "VNC", 3);
            memcpy(a + strlen("<auth user"), "N", 1); /* userName */
            char *sec = strstr(a, "<secret type=\"ceph\"");
            if (sec)
                memcpy(sec + strlen("<secret type=\""), "CEPH", 4);
        }
        CHECK(has(p.steps[0].new_xml, "hunter2-spice"));
    }
    struct vg_sbuf shown = {0};
    vg_plan_print(&p, &shown);
    CHECK(shows_no_secret(shown.data));
    CHECK(has(shown.data, "-    <graphics type=\"VNC\" port=\"-1\" autoport=\"yes\" "
                          "passwd=\"(hidden)\""));
    CHECK(has(shown.data, "+    <graphics type=\"vnc\" port=\"-1\" autoport=\"yes\" "
                          "passwd=\"(hidden)\""));
    CHECK(has(shown.data, "-      <auth userName=\"(hidden)\">\n"
                          "-        <secret type=\"CEPH\" uuid=\"(hidden)\"/>"));
    CHECK(has(shown.data, "+      <auth username=\"(hidden)\">\n"
                          "+        <secret type=\"ceph\" uuid=\"(hidden)\"/>"));
    vg_sbuf_free(&shown);
    if (p.n) {
        free(p.steps[0].old_xml);
        p.steps[0].old_xml = old_xml;
    }
    struct vg_apply_opts o = {.domain = &ops};
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    char *after = vg_virt_get_xml(v, "vault");
    CHECK(has(after, "<graphics type='vnc' port='-1' autoport='yes' passwd='hunter2-vnc'"));
    CHECK(has(after, "passwd='hunter2-spice'"));
    CHECK(has(after, "<auth username='ceph-admin'>"));
    CHECK(has(after, "<shmem name='looking-glass'>"));
    /* A password changed since the apply: undo says so without showing it. */
    char *changed = after ? vg_xstrdup(after) : NULL;
    char *pw = changed ? strstr(changed, "hunter2-vnc") : NULL;
    if (pw)
        memcpy(pw, "hunter3", 7);
    CHECK(changed && ops.define(v, "vault", changed));
    struct vg_sbuf report = {0};
    CHECK(!vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "CHANGED: domain vault changed since the apply, in a password or "
                           "secret (not shown)\n"));
    CHECK(shows_no_secret(report.data) && !strstr(report.data, "hunter3"));
    vg_sbuf_free(&report);
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true, .force = true}, &report));
    vg_sbuf_free(&report);
    char *undone = vg_virt_get_xml(v, "vault");
    CHECK_MSG(undone && before && !strcmp(undone, before), "undo did not restore:\n%s", undone);
    free(undone);
    free(changed);
    free(after);

    /* The command line's dry run, the same. */
    char *argv[] = {(char *)setup, "--domain", "vault",  "--ivshmem", "--hide-hypervisor",
                    "--connect",   suri,       "--root", root,        NULL};
    char *out = NULL, *err = NULL;
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(shows_no_secret(out));
    CHECK(has(out, "+    <shmem name=\"looking-glass\">"));
    free(out);
    free(err);
    /* QEMU arguments that carry one. */
    char *masked = vg_domain_masked(
        "<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><qemu:commandline>"
        "<qemu:arg value='-object'/><qemu:arg value='secret,id=s0,data=hunter2'/>"
        "<qemu:arg value='-vnc'/><qemu:arg value=':0,password=hunter2,lossy=on'/>"
        "<qemu:arg value='memory-backend-file,id=m,data=kept'/></qemu:commandline>"
        "<launchSecurity type='sev'><dhCert>hunter2</dhCert><session>hunter2</session>"
        "</launchSecurity></domain>");
    CHECK(shows_no_secret(masked));
    CHECK(has(masked, "secret,id=s0,data=(hidden)"));
    CHECK(has(masked, ":0,password=(hidden),lossy=on"));
    CHECK(has(masked, "memory-backend-file,id=m,data=kept"));
    free(masked);
    free(before);
    vg_host_finish(&h);
    vg_virt_close(v);
}

static void a_running_domain_is_told_to_shut_down_and_start(void)
{
    /* test:///default's domain "test" is running; win10 in node.xml is shut off. */
    char *argv[] = {(char *)setup, "--domain",        "test",   "--hide-hypervisor",
                    "--connect",   "test:///default", "--root", root,
                    NULL};
    char *out, *err;
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "Domain test is running: the new definition takes effect only after a full "
                   "shutdown and start (virsh shutdown test, wait until it is shut off, then "
                   "virsh start test); a reboot inside the guest is not enough.\n"));
    free(out);
    free(err);
    char *argv2[] = {(char *)setup, "--domain", "win10", "--hide-hypervisor", "--connect", uri,
                     "--root",      root,       NULL};
    CHECK(fr_run(argv2, &out, &err) == 0);
    CHECK(!strstr(out, "is running"));
    free(out);
    free(err);
}

static void cli_dry_run_shows_the_domain_diff(void)
{
    char *argv[] = {(char *)setup,       "--domain",  "win10", "--ivshmem", "--gpu", "0a:00.0",
                    "--hide-hypervisor", "--connect", uri,     "--root",    root,    NULL};
    char *out, *err;
    int rc = fr_run(argv, &out, &err);
    CHECK_MSG(rc == 0, "rc %d: %s", rc, err);
    /* The x399 dummy plug is 2560x1440: 64 MiB unless --resolution says otherwise. */
    CHECK(has(err, "resolution 2560x1440 from the guest GPU's display"));
    CHECK(has(out, "+    <shmem name=\"looking-glass\">\n"
                   "+      <model type=\"ivshmem-plain\"/>\n"
                   "+      <size unit=\"M\">64</size>\n"));
    CHECK(has(out, "UseIVSHMEM = 2"));
    CHECK(has(out, "--user USER"));
    /* node.xml and the URI name the temporary directory: replace it for the golden file. */
    char *p;
    while ((p = strstr(out, tmp)))
        memmove(p + 3, p + strlen(tmp), strlen(p + strlen(tmp)) + 1), memcpy(p, "TMP", 3);
    CHECK(fr_golden(golden, "vm-x399-win10.txt", out));
    free(out);
    free(err);
    char *argv2[] = {(char *)setup, "--domain", "win10",      "--ivshmem", "--resolution",
                     "3840x2160",   "--hdr",    "--no-audio", "--connect", uri,
                     "--root",      root,       NULL};
    rc = fr_run(argv2, &out, &err);
    CHECK(rc == 0);
    CHECK(has(out, "+      <size unit=\"M\">256</size>\n"));
    CHECK(!strstr(out, "scream"));
    free(out);
    free(err);
    char *argv3[] = {(char *)setup, "--domain", "nosuch", "--ivshmem", "--connect",
                     uri,           "--root",   root,     NULL};
    rc = fr_run(argv3, &out, &err);
    CHECK(rc == 1);
    CHECK(has(err, "domain 'nosuch'"));
    CHECK(has(err, "virsh list --all"));
    free(out);
    free(err);
    char *argv4[] = {(char *)setup,  "--domain", "win10",     "--ivshmem",
                     "--resolution", "1920x",    "--connect", uri,
                     "--root",       root,       NULL};
    rc = fr_run(argv4, &out, &err);
    CHECK(rc == 2);
    CHECK(has(err, "--resolution takes WIDTHxHEIGHT, each 1 to 16384 (e.g. 2560x1440), not "
                   "'1920x'"));
    free(out);
    free(err);
    argv4[5] = "99999x99999";
    rc = fr_run(argv4, &out, &err);
    CHECK(rc == 2);
    CHECK(has(err, "each 1 to 16384 (e.g. 2560x1440), not '99999x99999'"));
    free(out);
    free(err);
}

static void hugepages_already_reserved_need_no_sysctl(void)
{
    char r2[700];
    snprintf(r2, sizeof(r2), "%s/huge-root", tmp);
    mkdir(r2, 0755);
    fr_build(r2, &fr_single_2060); /* 8192 pages of 2 MiB reserved */
    char *argv[] = {(char *)setup, "--domain", "win10", "--hugepages", "--connect",
                    uri,           "--root",   r2,      NULL};
    char *out, *err;
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "+  <memoryBacking>\n+    <hugepages/>\n+  </memoryBacking>\n"));
    CHECK(has(out, "Hugepages: 8192 of 2048 KiB already reserved, enough for the VM's 8192 MiB; "
                   "no sysctl change."));
    CHECK(!strstr(out, "sysctl.d"));
    CHECK(!strstr(out, "no hugetlbfs is mounted"));
    free(out);
    free(err);
    /* Without a hugetlbfs mount the plan says how to make one. */
    fr_write(r2, "/proc/mounts", "proc /proc proc rw 0 0\n");
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "Hugepages: no hugetlbfs is mounted, and libvirt needs one to start the VM "
                   "with <hugepages/>: sudo mkdir -p /dev/hugepages && sudo mount -t hugetlbfs "
                   "hugetlbfs /dev/hugepages, add 'hugetlbfs /dev/hugepages hugetlbfs defaults 0 "
                   "0' to /etc/fstab for the next boots (systemd mounts it by itself), then "
                   "restart libvirtd.\n"));
    free(out);
    free(err);
}

static void cli_apply_then_undo_uses_the_plans_connection(void)
{
    char r2[700];
    snprintf(r2, sizeof(r2), "%s/cli-root", tmp);
    mkdir(r2, 0755);
    fr_build(r2, &fr_x399);
    char *argv[] = {
        (char *)setup, "--domain", "win10", "--hide-hypervisor", "--apply", "--connect", uri,
        "--root",      r2,         NULL};
    char *out, *err;
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "[1] define domain win10\n"));
    CHECK(has(out, "Applied. vgapt-setup undo reverts it."));
    free(out);
    free(err);
    /* The test driver forgets between processes: to undo, the domain looks changed since
     * the apply (the edit is gone), so undo refuses until --force. What matters here is which
     * connection undo picks (the plan's, not the default) and that the backup is defined
     * there. */
    char *argv1[] = {(char *)setup, "undo", "--apply", "--root", r2, NULL};
    CHECK(fr_run(argv1, &out, &err) == 1);
    char want[800];
    snprintf(want, sizeof(want), "libvirt connection of the plan: %s\n", uri);
    CHECK(has(out, want));
    CHECK(has(out, "CHANGED: domain win10 changed since the apply:\n"));
    CHECK(has(out, "-    <kvm>\n"));
    CHECK(has(out, "run the command again with --force"));
    CHECK(!strstr(out, "restored domain"));
    free(out);
    free(err);
    char *argv2[] = {(char *)setup, "undo", "--apply", "--force", "--root", r2, NULL};
    CHECK(fr_run(argv2, &out, &err) == 0);
    CHECK(has(out, "restored domain win10\nundone: edit domain win10\n"));
    free(out);
    free(err);
    CHECK(fr_run(argv2, &out, &err) == 1);
    CHECK(has(err, "nothing to undo"));
    free(out);
    free(err);
}

/* The same host after binding and a reboot: 0a:00.0 on vfio-pci, its DRM card gone. */
static struct fr_machine x399_bound(void)
{
    struct fr_machine m = fr_x399;
    m.devs[2].driver = "vfio-pci";
    m.devs[3].driver = "vfio-pci";
    m.conns[0] = fr_x399.conns[2]; /* the host's card1-DP-2 stays */
    m.conns[1] = (struct fr_conn){0};
    return m;
}

static char *run_setup(char *const *argv, int want_rc)
{
    char *out, *err;
    int rc = fr_run(argv, &out, &err);
    CHECK_MSG(rc == want_rc, "rc %d: %s", rc, err);
    free(err);
    return out;
}

static void the_mode_seen_before_binding_sizes_the_region_after(void)
{
    char before[700], after[700], fresh[700];
    snprintf(before, sizeof(before), "%s/before-bind", tmp);
    snprintf(after, sizeof(after), "%s/after-bind", tmp);
    snprintf(fresh, sizeof(fresh), "%s/bound-fresh", tmp);
    mkdir(before, 0755);
    mkdir(after, 0755);
    mkdir(fresh, 0755);
    fr_build(before, &fr_x399);
    struct fr_machine bound = x399_bound();
    fr_build(after, &bound);
    fr_build(fresh, &bound);
    const char *kept = "/var/lib/vgapt-setup/displays";

    /* check, while nouveau has the GTX 1060 and the plug shows 2560x1440, keeps the mode
     * (beside another GPU's line, which stays); a mode kept earlier for this GPU is replaced. */
    fr_write(before, kept,
             "0000:0a:00.0 1920x1080 card0-DP-1 2025-05-05T10:00:00Z\n"
             "0000:43:00.0 3840x2160 card1-DP-2 2025-05-05T10:00:00Z\n");
    char *argv[] = {(char *)setup, "check", "--root", before, "--connect", uri, NULL};
    free(run_setup(argv, 0));
    char *text = fr_read(before, kept);
    const char *line = text ? strstr(text, "\n0000:0a:00.0 2560x1440 card0-DP-1 20") : NULL;
    CHECK_MSG(line != NULL, "%s", text);
    CHECK(has(text, "\n0000:43:00.0 3840x2160 card1-DP-2 2025-05-05T10:00:00Z\n"));
    CHECK(text && !strstr(text, "1920x1080"));
    char date[11] = "";
    if (line)
        snprintf(date, sizeof(date), "%s", line + strlen("\n0000:0a:00.0 2560x1440 card0-DP-1 "));

    /* bind's plan keeps it too, and says so; on a bound GPU there is nothing to keep. */
    char bindroot[700];
    snprintf(bindroot, sizeof(bindroot), "%s/bind-plan", tmp);
    mkdir(bindroot, 0755);
    fr_build(bindroot, &fr_x399);
    char *bargv[] = {(char *)setup, "bind", "--gpu", "0a:00.0", "--root", bindroot, NULL};
    char *out = run_setup(bargv, 0);
    CHECK(has(out, "Display: card0-DP-1 shows 2560x1440; kept in /var/lib/vgapt-setup/displays"));
    free(out);
    char *bound_kept = fr_read(bindroot, kept);
    CHECK(has(bound_kept, "\n0000:0a:00.0 2560x1440 card0-DP-1 20"));
    free(bound_kept);
    bargv[5] = fresh;
    free(run_setup(bargv, 0));
    CHECK(fr_read(fresh, kept) == NULL);

    /* After the reboot (the state folder survives): check tells what --ivshmem will use, and
     * --ivshmem sizes 64 MiB for it, not the 32 of 1920x1080. */
    fr_write(after, kept, text);
    char *cargv[] = {(char *)setup, "check", "--root", after, "--connect", uri, NULL};
    out = run_setup(cargv, 0);
    char want[300];
    snprintf(want, sizeof(want),
             "ok    0000:0a:00.0 is on vfio-pci: its connectors read \"unknown\" from the host; "
             "--ivshmem sizes for 2560x1440, seen on card0-DP-1 on %s (IVSHMEM 64 MiB)",
             date);
    CHECK(has(out, want));
    free(out);
    char *after_check = fr_read(after, kept);
    CHECK(after_check && text && !strcmp(after_check, text)); /* nothing seen: nothing replaced */
    free(after_check);
    char *vargv[] = {(char *)setup, "--domain", "win10",  "--ivshmem", "--no-audio",
                     "--connect",   uri,        "--root", after,       NULL};
    out = run_setup(vargv, 0);
    CHECK(has(out, "+      <size unit=\"M\">64</size>\n"));
    snprintf(want, sizeof(want),
             "Resolution 2560x1440: remembered from %s: card0-DP-1 on 0000:0a:00.0 showed it "
             "while a driver still had the GPU.\n",
             date);
    CHECK(has(out, want));
    free(out);
    /* --resolution wins over what was kept. */
    char *rargv[] = {(char *)setup, "--domain",  "win10", "--ivshmem", "--resolution", "3840x2160",
                     "--no-audio",  "--connect", uri,     "--root",    after,          NULL};
    out = run_setup(rargv, 0);
    CHECK(has(out, "+      <size unit=\"M\">128</size>\n"));
    CHECK(has(out, "Resolution 3840x2160: --resolution.\n"));
    free(out);
    free(text);

    /* Bound with nothing kept: the default, and the plan says so; check says what to give. */
    vargv[8] = fresh;
    out = run_setup(vargv, 0);
    CHECK(has(out, "+      <size unit=\"M\">32</size>\n"));
    CHECK(has(out, "Resolution 1920x1080: the default: no display seen on the guest GPU now and "
                   "none remembered from before binding; --resolution WxH sets it.\n"));
    free(out);
    cargv[3] = fresh;
    out = run_setup(cargv, 0);
    CHECK(has(out, "warn  0000:0a:00.0 is on vfio-pci: its connectors read \"unknown\" from the "
                   "host, and no mode seen before binding was kept: give --ivshmem --resolution "
                   "WxH"));
    free(out);
}

static void a_name_with_a_space_is_edited_and_hooks_advise_domrename(void)
{
    /* 16384x16384 on a 512 MiB VM: planned, with a warning. */
    char *argv[] = {(char *)setup,  "--domain",    "Windows 11", "--ivshmem",
                    "--resolution", "16384x16384", "--connect",  uri,
                    "--root",       root,          NULL};
    char *out, *err;
    int rc = fr_run(argv, &out, &err);
    CHECK_MSG(rc == 0, "rc %d: %s", rc, err);
    CHECK(has(out, "Plan: edit domain Windows 11\n"));
    CHECK(has(out, "+      <size unit=\"M\">4096</size>\n"));
    CHECK(has(out, "Warning: the shared-memory regions take 4098 MiB, more than a quarter of the "
                   "VM's 512 MiB of memory, and come out of the host's memory (/dev/shm) on top "
                   "of it: check --resolution (16384x16384 asks for 4096 MiB).\n"));
    /* The running domain's commands are quoted for the shell. */
    CHECK(has(out, "(virsh shutdown 'Windows 11', wait until it is shut off, then virsh start "
                   "'Windows 11')"));
    free(out);
    free(err);
    /* 2560x1440 on the same VM: 66 MiB of 512 is fine. */
    argv[5] = "2560x1440";
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(out && !strstr(out, "Warning: the shared-memory regions"));
    free(out);
    free(err);
    char *hargv[] = {(char *)setup, "hooks",  "--domain", "Windows 11", "--gpu",
                     "0a:00.0",     "--root", root,       NULL};
    CHECK(fr_run(hargv, &out, &err) == 1);
    CHECK(has(err, "rename it while it is shut off (virsh domrename 'Windows 11' NEW-NAME), "
                   "then run this again with the new name"));
    CHECK(!strstr(out, "Plan:"));
    free(out);
    free(err);
    char *bad[] = {(char *)setup, "--domain", "a/b", "--ivshmem", "--connect",
                   uri,           "--root",   root,  NULL};
    CHECK(fr_run(bad, &out, &err) == 2);
    CHECK(has(err, "--domain 'a/b': libvirt names have no '/'"));
    free(out);
    free(err);
}

/* Fault 9: the plan's diff is the definition libvirt will hold, from a trial copy that is gone
 * afterwards, and apply defines exactly what the plan showed. */
static void the_plan_shows_what_libvirt_holds_and_apply_defines_it(void)
{
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_apply_opts o = {.domain = &ops};
    char *before = vg_virt_get_xml(v, "win10");
    struct vg_vm_request r = {.domain = "win10",
                              .xml = before,
                              .ivshmem = true,
                              .width = 1920,
                              .height = 1080,
                              .hugepages = true,
                              .libvirt = &ops};
    struct vg_plan p;
    vg_plan_init(&p, "preview", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    CHECK_MSG(p.n >= 1 && p.steps[0].kind == VG_STEP_DOMAIN, "%zu steps", p.n);
    char copy[300];
    snprintf(copy, sizeof(copy), "vgapt-plan-win10-%ld", (long)getpid());
    CHECK(ops.get_xml(v, copy) == NULL);
    CHECK(!strstr(p.notes.data ? p.notes.data : "", "not libvirt's final form"));
    /* libvirt puts <memoryBacking> before <vcpu>; the local edit appends it at the end. */
    const char *planned = p.n ? p.steps[0].new_xml : "";
    const char *mb = strstr(planned, "<memoryBacking>"), *vcpu = strstr(planned, "<vcpu");
    CHECK_MSG(mb && vcpu && mb < vcpu, "%s", planned);
    CHECK(has(planned, "<name>win10</name>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"));
    CHECK(vg_apply(&p, &o));
    char *held = vg_virt_get_xml(v, "win10");
    char *norm = held ? vg_domain_normalise(held) : NULL;
    CHECK_MSG(norm && !strcmp(norm, planned), "planned:\n%s\nheld:\n%s", planned, norm);
    vg_plan_finish(&p);
    struct vg_sbuf report = {0};
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    vg_sbuf_free(&report);
    char *undone = vg_virt_get_xml(v, "win10");
    CHECK(undone && before && !strcmp(undone, before));
    /* A definition libvirt refuses: no preview, the reason, and no copy left behind. */
    char *bad = vg_xasprintf("%.*s<shmem name='x'><model type='bogus-model'/></shmem>%s",
                             (int)(strstr(before, "</devices>") - before), before,
                             strstr(before, "</devices>"));
    char *why_not = NULL;
    char *refused = ops.preview(v, "win10", bad, &why_not);
    CHECK(refused == NULL);
    CHECK(has(why_not, "libvirt refused a trial definition: "));
    CHECK(ops.get_xml(v, copy) == NULL);
    free(why_not);
    free(refused);
    free(bad);
    free(undone);
    free(norm);
    free(held);
    free(before);
    vg_host_finish(&h);
    vg_virt_close(v);
}

static char *no_preview(void *ctx, const char *name, const char *xml, char **why_not)
{
    *why_not = strdup("the driver has no copies");
    return NULL;
}

static void without_a_trial_copy_the_plan_says_its_diff_is_the_local_edit(void)
{
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    const char *xml = "<domain type='kvm'><name>lg</name><uuid>0a6c1d55-3f7e-4b0a-9d2e-"
                      "6f1c8a9b2d11</uuid><memory unit='GiB'>4</memory><os><type arch='x86_64' "
                      "machine='pc-q35-7.2'>hvm</type></os><devices/></domain>";
    struct vg_domain_ops ops = {.preview = no_preview};
    struct vg_vm_request r = {.domain = "lg",
                              .xml = xml,
                              .ivshmem = true,
                              .width = 1920,
                              .height = 1080,
                              .libvirt = &ops};
    struct vg_plan p;
    vg_plan_init(&p, "fallback", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    CHECK(p.n == 1);
    CHECK(has(p.notes.data, "The domain diff is vgapt-setup's edit, not libvirt's final form (the "
                            "driver has no copies): libvirt may add controllers and PCI addresses "
                            "when it defines it.\n"));
    CHECK(p.n && has(p.steps[0].new_xml, "<size unit=\"M\">32</size>"));
    vg_plan_finish(&p);
    vg_host_finish(&h);
}

static void a_trial_identity_is_undone_in_names_paths_and_smbios(void)
{
    const char *xml =
        "<domain type='kvm'><name>win10</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
        "<sysinfo type='smbios'><system><entry name='manufacturer'>ACME</entry>"
        "<entry name='uuid'>6695eb01-f6a4-8304-79aa-97f2502e193f</entry></system></sysinfo>"
        "<os><nvram>/var/lib/libvirt/qemu/nvram/win10_VARS.fd</nvram></os></domain>";
    char *was = NULL;
    char *trial = vg_domain_reidentify(xml, "vgapt-plan-win10-1",
                                       "11111111-2222-4333-8444-"
                                       "555555555555",
                                       NULL, &was);
    CHECK(has(was, "6695eb01-f6a4-8304-79aa-97f2502e193f"));
    CHECK(has(trial, "<name>vgapt-plan-win10-1</name>"));
    CHECK(has(trial, "<entry name=\"uuid\">11111111-2222-4333-8444-555555555555</entry>"));
    CHECK(has(trial, "/nvram/win10_VARS.fd")); /* the original's: never started, kept */
    /* What libvirt might have derived from the trial name goes back to the original's. */
    char *dumped = trial ? vg_xasprintf("%.*s<title>vgapt-plan-win10-1 &amp; co</title></domain>",
                                        (int)(strstr(trial, "</domain>") - trial), trial)
                         : NULL;
    char *back =
        dumped ? vg_domain_reidentify(dumped, "win10", was, "vgapt-plan-win10-1", NULL) : NULL;
    char *want = vg_domain_normalise(xml);
    CHECK(back && has(back, "<title>win10 &amp; co</title>"));
    char *t = back ? strstr(back, "  <title>") : NULL;
    if (t)
        strcpy(t, "</domain>\n");
    CHECK_MSG(back && want && !strcmp(back, want), "%s\n%s", back, want);
    char *amp =
        vg_domain_reidentify(xml, "a & b", "11111111-2222-4333-8444-555555555555", NULL, NULL);
    CHECK(has(amp, "<name>a &amp; b</name>"));
    free(amp);
    free(want);
    free(back);
    free(dumped);
    free(trial);
    free(was);
}

/* Plans name vgapt-client's command; a second run finds everything in place. */
static char *spice_round_trip(struct vg_virt *v, const char *name, bool audio, char **notes,
                              size_t *steps)
{
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_apply_opts o = {.domain = &ops};
    char *before = vg_virt_get_xml(v, name);
    struct vg_vm_request r = {
        .domain = name, .xml = before, .spice = true, .spice_audio = audio, .libvirt = &ops};
    struct vg_plan p;
    vg_plan_init(&p, "spice", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    *steps = p.n;
    *notes = vg_xstrdup(p.notes.data ? p.notes.data : "");
    CHECK(vg_apply(&p, &o));
    vg_plan_finish(&p);
    char *after = vg_virt_get_xml(v, name);
    CHECK(validate_xml(after));
    r.xml = after;
    vg_plan_init(&p, "spice again", root);
    CHECK(vg_plan_vm(&p, &h, &r));
    CHECK_MSG(p.n == 0, "second run has %zu steps", p.n);
    vg_plan_finish(&p);
    struct vg_sbuf report = {0};
    CHECK(vg_undo(root, &o, &(struct vg_undo_opts){.apply = true}, &report));
    CHECK(has(report.data, "restored domain "));
    vg_sbuf_free(&report);
    char *undone = vg_virt_get_xml(v, name);
    CHECK_MSG(undone && before && !strcmp(undone, before), "undo did not restore:\n%s", undone);
    free(undone);
    free(before);
    vg_host_finish(&h);
    return after;
}

static void spice_on_a_passthrough_vm_adds_a_socket_server_beside_vnc_and_undo_restores(void)
{
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    char *notes = NULL;
    size_t steps = 0;
    char *after = spice_round_trip(v, "gpu-vm", true, &notes, &steps);
    CHECK_MSG(steps == 1, "%zu steps", steps);
    CHECK(has(after, "<graphics type='spice'>\n      <listen type='socket' "
                     "socket='/var/lib/libvirt/qemu/vgapt-gpu-vm.spice'/>\n"
                     "      <mouse mode='server'/>\n    </graphics>\n"));
    CHECK(has(after, "<channel type='spicevmc'>\n      <target type='virtio' "
                     "name='com.redhat.spice.0'/>\n"));
    CHECK(has(after, "<input type='tablet' bus='usb'/>"));
    CHECK(has(after, "<sound model='ich9'>\n      <audio id='1'/>\n    </sound>\n"
                     "    <audio id='1' type='spice' timerPeriod='5000'/>\n"));
    CHECK(has(after, "<graphics type='vnc'"));             /* kept */
    CHECK(has(after, "<model type='none'/>"));             /* no video device added */
    CHECK(has(after, "<controller type='virtio-serial'")); /* libvirt's, for the channel */
    CHECK(has(notes, "Keyboard and mouse: vgapt-client --spice "
                     "unix:/var/lib/libvirt/qemu/vgapt-gpu-vm.spice. "));
    CHECK(has(notes, "Kept the VM's VNC display: QEMU serves VNC and SPICE side by side."));
    CHECK(has(notes, "Sound: the ich9 device plays through SPICE; vgapt-client plays it while "
                     "connected with --spice"));
    free(notes);
    free(after);
    vg_virt_close(v);
}

static void spice_on_a_virt_manager_vm_keeps_its_server_and_adds_what_input_needs(void)
{
    struct vg_virt *v = vg_virt_open(uri, false, NULL);
    char *notes = NULL;
    size_t steps = 0;
    char *after = spice_round_trip(v, "vm-manager", true, &notes, &steps);
    CHECK_MSG(steps == 1, "%zu steps", steps);
    /* Its TCP listener stays; only the mouse mode and the sound's backend are new. */
    CHECK(has(after, "<graphics type='spice' autoport='yes'>\n      <listen type='address'/>\n"
                     "      <image compression='off'/>\n      <mouse mode='server'/>\n"));
    CHECK(has(after, "<sound model='ich9'>\n      <audio id='1'/>\n"));
    CHECK(has(after, "<audio id='1' type='spice' timerPeriod='5000'/>"));
    const char *ch = after ? strstr(after, "type='spicevmc'") : NULL;
    CHECK(ch && !strstr(ch + 1, "<channel type='spicevmc'"));
    const char *tab = after ? strstr(after, "<input type='tablet'") : NULL;
    CHECK(tab && !strstr(tab + 1, "<input type='tablet'"));
    CHECK(!strstr(after ? after : "", "socket="));
    CHECK(has(notes, "SPICE: kept the VM's server, on qemu.conf's spice_listen (127.0.0.1 unless "
                     "changed), port chosen by QEMU at each start. Keyboard and mouse: "
                     "vgapt-client --spice 127.0.0.1:PORT, PORT from virsh domdisplay --type "
                     "spice vm-manager once it runs.\n"));
    CHECK(!strstr(notes, "VNC"));
    free(notes);
    free(after);
    vg_virt_close(v);
}

static char *spice_edit(const char *devices, const struct vg_domain_edit *e, struct vg_sbuf *ch)
{
    char *xml = vg_xasprintf("<domain type='kvm'><name>s</name><os><type arch='x86_64' "
                             "machine='pc-q35-7.2'>hvm</type></os><devices>%s</devices></domain>",
                             devices);
    char *old = NULL;
    unsigned long mem = 0;
    char *out = vg_domain_edit(xml, e, &old, ch, &mem);
    /* Every edit is its own fixed point. */
    struct vg_sbuf again = {0};
    char *old2 = NULL;
    struct vg_domain_edit e2 = *e;
    e2.spice_out = NULL; /* *e->spice_out tells of the first edit */
    char *out2 = out ? vg_domain_edit(out, &e2, &old2, &again, &mem) : NULL;
    CHECK_MSG(out2 && !strcmp(out, out2) && !again.len, "not idempotent: %s", again.data);
    vg_sbuf_free(&again);
    free(out2);
    free(old2);
    free(old);
    free(xml);
    return out;
}

static void an_existing_spice_server_is_adjusted_only_where_it_must_be(void)
{
    struct vg_spice_listener l = {0};
    struct vg_domain_edit e = {
        .spice = true, .spice_socket = "/var/lib/libvirt/qemu/vgapt-s.spice", .spice_out = &l};
    struct vg_sbuf ch = {0};
    /* Listening nowhere, mouse in client mode: a socket, server mode. */
    char *out = spice_edit("<graphics type='spice'><listen type='none'/><mouse mode='client'/>"
                           "</graphics>",
                           &e, &ch);
    CHECK(has(out, "<listen type=\"socket\" socket=\"/var/lib/libvirt/qemu/vgapt-s.spice\"/>"));
    CHECK(!strstr(out ? out : "", "type=\"none\""));
    CHECK(has(ch.data, "<graphics type='spice'>: listens on the unix socket "
                       "/var/lib/libvirt/qemu/vgapt-s.spice, not nowhere"));
    CHECK(has(ch.data, "<mouse mode='server'/> (was client)"));
    CHECK(has(l.socket, "/var/lib/libvirt/qemu/vgapt-s.spice") && !l.kept);
    free(out);
    vg_sbuf_free(&ch);
    /* A socket libvirt would name at each start gets a lasting one. */
    out = spice_edit("<graphics type='spice'><listen type='socket'/></graphics>", &e, &ch);
    CHECK(has(out, "socket=\"/var/lib/libvirt/qemu/vgapt-s.spice\""));
    CHECK(has(ch.data, "not on a socket libvirt names anew at each start"));
    free(out);
    vg_sbuf_free(&ch);
    /* A named socket and a fixed port are the user's: kept. */
    out = spice_edit("<graphics type='spice'><listen type='socket' socket='/run/x.sock'/>"
                     "</graphics>",
                     &e, &ch);
    CHECK(has(l.socket, "/run/x.sock") && l.kept);
    CHECK(!strstr(out ? out : "", "vgapt-s.spice"));
    free(out);
    vg_sbuf_free(&ch);
    out = spice_edit("<graphics type='spice' port='5930' listen='0.0.0.0'>"
                     "<listen type='address' address='0.0.0.0'/></graphics>",
                     &e, &ch);
    CHECK(l.port == 5930 && has(l.address, "0.0.0.0") && l.kept);
    free(out);
    vg_sbuf_free(&ch);
    /* TCP on loopback with autoport; no USB at all: a virtio tablet. */
    struct vg_domain_edit tcp = {.spice = true, .spice_listen = "127.0.0.1", .spice_out = &l};
    out = spice_edit("<controller type='usb' model='none'/>", &tcp, &ch);
    CHECK(has(out, "<graphics type=\"spice\" autoport=\"yes\">\n"
                   "      <listen type=\"address\" address=\"127.0.0.1\"/>\n"));
    CHECK(has(out, "<input type=\"tablet\" bus=\"virtio\"/>"));
    CHECK(has(ch.data, "added <graphics type='spice'> on 127.0.0.1 (QEMU picks the port at each "
                       "start) with <mouse mode='server'/>\n"));
    CHECK(l.port == 0 && has(l.address, "127.0.0.1"));
    free(out);
    vg_sbuf_free(&ch);
    /* Sound that plays elsewhere stays there; SPICE's gets a device and a backend of its own. */
    struct vg_domain_edit au = {.spice = true, .spice_socket = "/s.sock", .spice_audio = true};
    out = spice_edit("<sound model='ich9'><audio id='1'/></sound><audio id='1' type='pulseaudio' "
                     "serverName='/run/user/1000/pulse/native'/>",
                     &au, &ch);
    CHECK(has(out, "<sound model=\"ich9\">\n      <audio id=\"1\"/>\n"));
    CHECK(has(out, "<audio id=\"2\" type=\"spice\" timerPeriod=\"5000\"/>"));
    CHECK(has(ch.data, "set timerPeriod='5000' on <audio id='2' type='spice'>"));
    CHECK(has(out, "<sound model=\"ich9\">\n      <audio id=\"2\"/>\n"));
    free(out);
    vg_sbuf_free(&ch);
    /* libvirt gives a domain without sound output <audio type='none'>: its device takes ours. */
    out = spice_edit("<sound model='ich9'/><audio id='1' type='none'/>", &au, &ch);
    CHECK(has(out, "<sound model=\"ich9\">\n      <audio id=\"2\"/>\n"));
    CHECK(out && !strstr(strstr(out, "<sound") + 1, "<sound"));
    CHECK(has(ch.data, "<sound model='ich9'>: plays through SPICE (<audio id='2'/>), not into "
                       "silence"));
    free(out);
    vg_sbuf_free(&ch);
    vg_spice_listener_finish(&l);
}

static void spice_listen_takes_loopback_and_anything_else_only_with_force(void)
{
    char *argv[] = {(char *)setup, "--domain",  "gpu-vm", "--spice-listen",
                    "127.0.0.1",   "--connect", uri,      "--root",
                    root,          NULL};
    char *out, *err;
    CHECK(fr_run(argv, &out, &err) == 0);
    CHECK(has(out, "+      <listen type=\"address\" address=\"127.0.0.1\"/>\n"));
    CHECK(has(out, "Keyboard and mouse: vgapt-client --spice 127.0.0.1:PORT, PORT from virsh "
                   "domdisplay --type spice gpu-vm once it runs.\n"));
    CHECK(!strstr(out, "Warning"));
    free(out);
    free(err);
    argv[4] = "192.168.1.5";
    CHECK(fr_run(argv, &out, &err) == 1);
    CHECK(has(err, "--spice-listen 192.168.1.5: SPICE has no password here"));
    CHECK(!strstr(out, "Plan:"));
    free(out);
    free(err);
    argv[4] = "localhost";
    CHECK(fr_run(argv, &out, &err) == 1);
    CHECK(has(err, "--spice-listen takes a numeric address"));
    free(out);
    free(err);
    /* A name with a space: the socket's file name holds '_' for it. */
    char *spaced[] = {(char *)setup, "--domain", "Windows 11", "--spice", "--connect",
                      uri,           "--root",   root,         NULL};
    CHECK(fr_run(spaced, &out, &err) == 0);
    CHECK(has(out, "vgapt-client --spice unix:/var/lib/libvirt/qemu/vgapt-Windows_11.spice. "));
    free(out);
    free(err);
    /* --spice-audio alone asks for the server too. */
    char *audio[] = {(char *)setup, "--domain", "gpu-vm", "--spice-audio", "--connect", uri,
                     "--root",      root,       NULL};
    CHECK(fr_run(audio, &out, &err) == 0);
    CHECK(has(out, "+    <graphics type=\"spice\">\n"));
    CHECK(has(out, "+    <audio id=\"1\" type=\"spice\" timerPeriod=\"5000\"/>\n"));
    free(out);
    free(err);
    char *forced[] = {(char *)setup, "--domain", "gpu-vm",    "--spice-listen",
                      "192.168.1.5", "--force",  "--connect", uri,
                      "--root",      root,       NULL};
    CHECK(fr_run(forced, &out, &err) == 0);
    CHECK(has(out, "vgapt-client --spice 192.168.1.5:PORT"));
    CHECK(has(out, "Warning: SPICE listens on 192.168.1.5, not only on this host"));
    free(out);
    free(err);
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
    vg_log_init("test-setup-libvirt", VG_LOG_WARN);
    snprintf(root, sizeof(root), "%s/root", tmp);
    mkdir(root, 0755);
    fr_build(root, &fr_x399);
    fr_write(tmp, "/node.xml", node_xml);
    snprintf(uri, sizeof(uri), "test://%s/node.xml", tmp);
    RUN(all_edits_round_trip_through_libvirt_and_undo_restores);
    RUN(size_change_updates_the_region_in_place);
    RUN(refused_definition_keeps_the_old_one_and_rolls_back_files);
    RUN(hugepages_and_hiding_without_q35_skip_the_ioapic);
    RUN(sizes_are_read_in_every_libvirt_unit_and_overflow_is_refused);
    RUN(cli_dry_run_shows_the_domain_diff);
    RUN(hugepages_already_reserved_need_no_sysctl);
    RUN(cli_apply_then_undo_uses_the_plans_connection);
    RUN(a_doorbell_region_becomes_plain_without_server_and_msi);
    RUN(hiding_a_tcg_domain_says_it_only_matters_under_kvm);
    RUN(a_larger_region_is_kept_unless_a_resolution_is_given);
    RUN(a_hand_made_qemu_commandline_region_is_replaced_by_shmem);
    RUN(an_unknown_user_is_refused_at_plan_time);
    RUN(ivshmem_always_offers_the_shm_rule);
    RUN(a_running_domain_is_told_to_shut_down_and_start);
    RUN(the_mode_seen_before_binding_sizes_the_region_after);
    RUN(a_name_with_a_space_is_edited_and_hooks_advise_domrename);
    RUN(the_plan_shows_what_libvirt_holds_and_apply_defines_it);
    RUN(without_a_trial_copy_the_plan_says_its_diff_is_the_local_edit);
    RUN(a_trial_identity_is_undone_in_names_paths_and_smbios);
    RUN(plans_hide_passwords_and_secrets_yet_define_them);
    RUN(spice_on_a_passthrough_vm_adds_a_socket_server_beside_vnc_and_undo_restores);
    RUN(spice_on_a_virt_manager_vm_keeps_its_server_and_adds_what_input_needs);
    RUN(an_existing_spice_server_is_adjusted_only_where_it_must_be);
    RUN(spice_listen_takes_loopback_and_anything_else_only_with_force);
    return vg_test_finish();
}
