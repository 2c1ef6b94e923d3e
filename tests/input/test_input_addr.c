/* --spice addresses: the forms QEMU and libvirt give, and clear errors for the rest. */
#include <string.h>

#include "input.h"
#include "testlib.h"

static void none_and_empty_mean_no_server(void)
{
    struct vg_input_addr a;
    char err[300];
    CHECK(vg_input_parse_addr("none", &a, err, sizeof(err)) && a.kind == VG_INPUT_ADDR_NONE);
    CHECK(vg_input_parse_addr("", &a, err, sizeof(err)) && a.kind == VG_INPUT_ADDR_NONE);
    CHECK(vg_input_parse_addr(NULL, &a, err, sizeof(err)) && a.kind == VG_INPUT_ADDR_NONE);
}

static void a_unix_socket_and_host_ports_parse(void)
{
    struct vg_input_addr a;
    char err[300];
    CHECK(vg_input_parse_addr("unix:/run/vm/spice.sock", &a, err, sizeof(err)));
    CHECK(a.kind == VG_INPUT_ADDR_UNIX && strcmp(a.path, "/run/vm/spice.sock") == 0);
    CHECK(vg_input_parse_addr("localhost:5900", &a, err, sizeof(err)));
    CHECK(a.kind == VG_INPUT_ADDR_TCP && strcmp(a.host, "localhost") == 0 && a.port == 5900);
    CHECK(vg_input_parse_addr("192.168.1.2:1", &a, err, sizeof(err)));
    CHECK(a.kind == VG_INPUT_ADDR_TCP && strcmp(a.host, "192.168.1.2") == 0 && a.port == 1);
    CHECK(vg_input_parse_addr("[::1]:65535", &a, err, sizeof(err)));
    CHECK(a.kind == VG_INPUT_ADDR_TCP && strcmp(a.host, "::1") == 0 && a.port == 65535);
}

static void bad_addresses_say_what_is_accepted(void)
{
    static const struct {
        const char *uri, *needle;
    } bad[] = {
        {"localhost", "not an address"}, {"unix:", "socket path is missing"},
        {":5900", "not an address"},     {"host:0", "1 to 65535"},
        {"host:65536", "1 to 65535"},    {"host:59x", "1 to 65535"},
        {"host:", "1 to 65535"},         {"host:-1", "1 to 65535"},
        {"::1:5900", "not an address"},  {"spice://host:5900", "not an address"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct vg_input_addr a;
        char err[300] = "";
        bool ok = vg_input_parse_addr(bad[i].uri, &a, err, sizeof(err));
        CHECK_MSG(!ok && strstr(err, bad[i].needle) && strstr(err, "unix:/PATH"), "'%s': %d '%s'",
                  bad[i].uri, ok, err);
    }
    char path[200];
    memset(path, 'a', sizeof(path));
    memcpy(path, "unix:/", 6);
    path[sizeof(path) - 1] = 0;
    struct vg_input_addr a;
    char err[300] = "";
    CHECK(!vg_input_parse_addr(path, &a, err, sizeof(err)) && strstr(err, "longer than"));
}

int main(void)
{
    RUN(none_and_empty_mean_no_server);
    RUN(a_unix_socket_and_host_ports_parse);
    RUN(bad_addresses_say_what_is_accepted);
    return vg_test_finish();
}
