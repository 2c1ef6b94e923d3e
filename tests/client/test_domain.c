/* vgapt-client --domain: the regions and SPICE graphics read out of a domain's XML (hostile
 * text included), and what the user is told, through libvirt's test driver with a node file of
 * our own: a domain with both regions, one with another region name, none, one not running,
 * none of that name; and through vgapt-client itself for the messages it adds.
 * Usage: test-client-domain PATH-TO-vgapt-client */
#include <errno.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "testlib.h"

static const char *client;
static char uri[700];
static const char *tmp;

#define DOM_HEAD(name, state)                                                                      \
    "  <domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"              \
    "    <name>" name "</name>\n"                                                                  \
    "    <memory unit='MiB'>512</memory>\n"                                                        \
    "    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"                           \
    "    <test:runstate>" state "</test:runstate>\n"

static const char node_xml[] = "<node>\n"
    /* What vgapt-setup --ivshmem --spice makes, VNC left first. */
    DOM_HEAD("both", "1") "    <devices>\n"
                          "      <graphics type='vnc' port='-1' autoport='yes'/>\n"
                          "      <graphics type='spice' autoport='yes'/>\n"
                          "      <shmem name='scream-ivshmem'><model type='ivshmem-plain'/>"
                          "<size unit='M'>2</size></shmem>\n"
                          "      <shmem name='looking-glass'><model type='ivshmem-plain'/>"
                          "<size unit='M'>64</size></shmem>\n"
                          "    </devices>\n"
                          "  </domain>\n"
    /* A region of another name, no SPICE. */
    DOM_HEAD("other-name", "1") "    <devices>\n"
                                "      <shmem name='my-frames'><model type='ivshmem-plain'/>"
                                "<size unit='M'>32</size></shmem>\n"
                                "    </devices>\n"
                                "  </domain>\n"
    /* Scream alone. */
    DOM_HEAD(
        "scream-only",
        "1") "    <devices>\n"
             "      <shmem name='scream-ivshmem'><model type='ivshmem-plain'/>"
             "<size unit='M'>2</size></shmem>\n"
             "    </devices>\n"
             "  </domain>\n" DOM_HEAD(
                 "no-shmem",
                 "1") "    <devices><graphics type='spice' autoport='yes'/></devices>\n"
                      "  </domain>\n" DOM_HEAD(
                          "stopped",
                          "5") "    <devices>\n"
                               "      <shmem name='looking-glass'><model type='ivshmem-plain'/>"
                               "<size unit='M'>64</size></shmem>\n"
                               "    </devices>\n"
                               "  </domain>\n"
                               "</node>\n";

static bool parse(const char *devices, struct vg_domain_info *info, char *err, size_t size)
{
    char xml[4096];
    snprintf(xml, sizeof(xml), "<domain type='kvm'><name>x</name><devices>%s</devices></domain>",
             devices);
    return vg_domain_parse_xml(xml, strlen(xml), info, err, size);
}

static void xml_both_regions_found_by_name_with_sizes_and_paths(void)
{
    struct vg_domain_info info;
    char err[400];
    CHECK(parse("<graphics type='vnc'/><graphics type='spice'/>"
                "<shmem name='scream-ivshmem'><model type='ivshmem-plain'/>"
                "<size unit='M'>2</size></shmem>"
                "<shmem name='looking-glass'><model type='ivshmem-plain'/>"
                "<size unit='GiB'>1</size></shmem>",
                &info, err, sizeof(err)));
    CHECK(info.frames.found && strcmp(info.frames.path, "/dev/shm/looking-glass") == 0);
    CHECK(info.frames.size == 1ull << 30);
    CHECK(info.scream.found && strcmp(info.scream.path, "/dev/shm/scream-ivshmem") == 0);
    CHECK(info.scream.size == 2ull << 20);
    CHECK(info.n_shmem == 2);
    CHECK_MSG(info.spice_index == 1, "spice_index %d", info.spice_index);
}

static void xml_looking_glass_wins_over_another_region(void)
{
    struct vg_domain_info info;
    char err[400];
    CHECK(parse("<shmem name='first'><size unit='M'>16</size></shmem>"
                "<shmem name='looking-glass'><size unit='M'>64</size></shmem>",
                &info, err, sizeof(err)));
    CHECK(strcmp(info.frames.name, "looking-glass") == 0);
    CHECK(!info.scream.found);
    CHECK(info.spice_index == -1);
}

static void xml_another_plain_region_is_the_frame_region(void)
{
    struct vg_domain_info info;
    char err[400];
    /* A doorbell region lives at its server's socket, not /dev/shm: skipped. */
    CHECK(parse("<shmem name='bell'><model type='ivshmem-doorbell'/>"
                "<server path='/run/x.sock'/></shmem>"
                "<shmem name='scream-ivshmem'><size unit='M'>2</size></shmem>"
                "<shmem name='my-frames'><size>33554432</size></shmem>",
                &info, err, sizeof(err)));
    CHECK(strcmp(info.frames.path, "/dev/shm/my-frames") == 0);
    CHECK(info.frames.size == 32ull << 20);
    CHECK(info.scream.found);
    CHECK(info.n_shmem == 3);
}

static void xml_no_regions_none_found(void)
{
    struct vg_domain_info info;
    char err[400];
    CHECK(parse("<graphics type='spice'/>", &info, err, sizeof(err)));
    CHECK(!info.frames.found && !info.scream.found && info.n_shmem == 0);
    CHECK(info.spice_index == 0);
    /* No <devices> at all. */
    const char bare[] = "<domain><name>x</name></domain>";
    CHECK(vg_domain_parse_xml(bare, strlen(bare), &info, err, sizeof(err)));
    CHECK(!info.frames.found && info.spice_index == -1);
}

static void xml_hostile_names_never_make_a_path(void)
{
    static const char *const bad[] = {
        "<shmem name='../../etc/passwd'/>",
        "<shmem name='..'/>",
        "<shmem name='a/b'/>",
        "<shmem name=''/>",
        "<shmem name='with space'/>",
        "<shmem name='tab&#9;'/>",
        "<shmem/>",
        "<shmem name='xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'/>",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct vg_domain_info info;
        char err[400];
        CHECK_MSG(!parse(bad[i], &info, err, sizeof(err)), "%s accepted", bad[i]);
        CHECK_MSG(strstr(err, "not a file name"), "%s: %s", bad[i], err);
        CHECK(!info.frames.found);
    }
    /* A bad other region does not matter beside a good looking-glass. */
    struct vg_domain_info info;
    char err[400];
    CHECK(parse("<shmem name='a/b'/><shmem name='looking-glass'/>", &info, err, sizeof(err)));
    CHECK(strcmp(info.frames.name, "looking-glass") == 0);
    /* A name with a quote or bytes beyond ASCII is refused, and the message stays printable. */
    CHECK(!parse("<shmem name='looking-glass&#10;x'/>", &info, err, sizeof(err)));
    for (const char *p = err; *p; p++)
        CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void xml_hostile_sizes_refused(void)
{
    static const char *const bad[] = {
        "<size unit='T'>99999999999999999999</size>", /* does not fit 64 bits */
        "<size unit='TiB'>16777216</size>",           /* 2^64 bytes */
        "<size unit='M'>-1</size>",
        "<size unit='M'>12abc</size>",
        "<size unit='M'></size>",
        "<size unit='parsecs'>1</size>",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char dev[300];
        snprintf(dev, sizeof(dev), "<shmem name='looking-glass'>%s</shmem>", bad[i]);
        struct vg_domain_info info;
        char err[400];
        CHECK_MSG(!parse(dev, &info, err, sizeof(err)), "%s accepted", bad[i]);
        CHECK_MSG(strstr(err, "is not a size"), "%s: %s", bad[i], err);
    }
    struct vg_domain_info info;
    char err[400];
    CHECK(parse("<shmem name='looking-glass'><size unit='KiB'> 65536 </size></shmem>", &info, err,
                sizeof(err)));
    CHECK(info.frames.size == 64ull << 20);
}

static void xml_malformed_refused(void)
{
    static const char *const bad[] = {"", "<domain>", "<notdomain/>", "garbage<<>>",
                                      "<domain><devices><shmem name='x'></devices></domain>"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct vg_domain_info info;
        char err[400];
        CHECK_MSG(!vg_domain_parse_xml(bad[i], strlen(bad[i]), &info, err, sizeof(err)),
                  "'%s' accepted", bad[i]);
        CHECK(err[0]);
    }
}

/* Through the test driver: libvirt's own lookups and the XML it returns. */
static struct vg_domain *open_domain(const char *name, struct vg_domain_info *info, char *err,
                                     size_t size)
{
    return vg_domain_open(uri, name, info, err, size);
}

static void libvirt_domain_with_both_regions(void)
{
    struct vg_domain_info info;
    char err[1024];
    struct vg_domain *d = open_domain("both", &info, err, sizeof(err));
    CHECK_MSG(d, "%s", err);
    CHECK(strcmp(info.frames.path, "/dev/shm/looking-glass") == 0 && info.frames.size == 64ull
                                                                                             << 20);
    CHECK(strcmp(info.scream.path, "/dev/shm/scream-ivshmem") == 0 &&
          info.scream.size == 2ull << 20);
    CHECK(info.spice_index == 1);
    vg_domain_close(d);
}

static void libvirt_no_such_domain_lists_those_there(void)
{
    struct vg_domain_info info;
    char err[1024];
    CHECK(!open_domain("nope", &info, err, sizeof(err)));
    CHECK_MSG(strstr(err, "no such domain") && strstr(err, "both") && strstr(err, "stopped") &&
                  strstr(err, "--connect"),
              "%s", err);
}

static void libvirt_not_running_says_virsh_start(void)
{
    struct vg_domain_info info;
    char err[1024];
    CHECK(!open_domain("stopped", &info, err, sizeof(err)));
    CHECK_MSG(strstr(err, "not running") && strstr(err, "start stopped"), "%s", err);
}

static void libvirt_no_regions_says_vgapt_setup_ivshmem(void)
{
    struct vg_domain_info info;
    char err[1024];
    CHECK(!open_domain("no-shmem", &info, err, sizeof(err)));
    CHECK_MSG(strstr(err, "vgapt-setup --ivshmem --domain no-shmem"), "%s", err);
}

static void libvirt_connect_failure_and_permission_messages(void)
{
    struct vg_domain_info info;
    char err[1024], bad[800];
    snprintf(bad, sizeof(bad), "test://%s/missing.xml", tmp);
    CHECK(!vg_domain_open(bad, "both", &info, err, sizeof(err)));
    CHECK_MSG(strstr(err, "cannot connect"), "%s", err);
    /* What qemu:///system's socket says to a user outside group libvirt, and polkit's no. */
    vg_domain_connect_message("qemu:///system", VIR_ERR_SYSTEM_ERROR, EACCES,
                              "Failed to connect socket to '/run/libvirt/libvirt-sock': "
                              "Permission denied",
                              err, sizeof(err));
    CHECK_MSG(strstr(err, "permission denied") && strstr(err, "group libvirt") &&
                  strstr(err, "--connect qemu:///session"),
              "%s", err);
    vg_domain_connect_message("qemu:///system", VIR_ERR_AUTH_FAILED, 0, "authentication failed",
                              err, sizeof(err));
    CHECK(strstr(err, "group libvirt"));
    vg_domain_connect_message("qemu:///system", VIR_ERR_SYSTEM_ERROR, ENOENT, NULL, err,
                              sizeof(err));
    CHECK_MSG(strstr(err, "cannot connect") && !strstr(err, "group libvirt"), "%s", err);
}

/* What vgapt-client itself says about a domain it cannot show. */
static void client_says_what_the_domain_lacks(void)
{
    char out[4096], err[8192], dir[700];
    snprintf(dir, sizeof(dir), "%s/run", tmp);
    const char *no_frames[] = {"--connect", uri, "--domain", "scream-only", NULL};
    int st = vg_test_run_capture(client, no_frames, tmp, 20000, out, sizeof(out), err, sizeof(err));
    CHECK_MSG(st == 1, "exit %d", st);
    CHECK_MSG(strstr(err, "no shared memory region for frames") &&
                  strstr(err, "vgapt-setup --ivshmem --domain scream-only"),
              "%s", err);

    const char *stopped[] = {"--connect", uri, "--domain", "stopped", NULL};
    st = vg_test_run_capture(client, stopped, tmp, 20000, out, sizeof(out), err, sizeof(err));
    CHECK_MSG(st == 1 && strstr(err, "start stopped"), "exit %d: %s", st, err);

    /* No SPICE: a warning naming the fix; the audio-only run goes on without it. */
    const char *no_spice[] = {"--connect",    uri,         "--domain", "other-name",
                              "--audio-only", "--seconds", "1",        NULL};
    vg_test_run_capture(client, no_spice, tmp, 20000, out, sizeof(out), err, sizeof(err));
    CHECK_MSG(strstr(err, "vgapt-setup --spice --domain other-name") &&
                  strstr(err, "/dev/shm/my-frames"),
              "%s", err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-vgapt-client\n", argv[0]);
        return 2;
    }
    client = argv[1];
    tmp = vg_test_tmpdir();
    char path[600];
    snprintf(path, sizeof(path), "%s/node.xml", tmp);
    FILE *f = fopen(path, "w");
    if (!f || fputs(node_xml, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        return 1;
    }
    snprintf(uri, sizeof(uri), "test://%s", path);

    RUN(xml_both_regions_found_by_name_with_sizes_and_paths);
    RUN(xml_looking_glass_wins_over_another_region);
    RUN(xml_another_plain_region_is_the_frame_region);
    RUN(xml_no_regions_none_found);
    RUN(xml_hostile_names_never_make_a_path);
    RUN(xml_hostile_sizes_refused);
    RUN(xml_malformed_refused);
    RUN(libvirt_domain_with_both_regions);
    RUN(libvirt_no_such_domain_lists_those_there);
    RUN(libvirt_not_running_says_virsh_start);
    RUN(libvirt_no_regions_says_vgapt_setup_ivshmem);
    RUN(libvirt_connect_failure_and_permission_messages);
    RUN(client_says_what_the_domain_lacks);
    return vg_test_finish();
}
