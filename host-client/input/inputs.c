#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct vg_input_ops *const vg_inputs[] = {
#ifdef VG_HAVE_INPUT_SPICE
    &vg_input_spice,
#endif
    NULL,
};

static const char accepted[] = "give unix:/PATH (QEMU -spice unix=on,addr=PATH), HOST:PORT "
                               "(-spice port=PORT) or none";

bool vg_input_parse_addr(const char *uri, struct vg_input_addr *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof(*out));
    err[0] = 0;
    if (!uri || !uri[0] || strcmp(uri, "none") == 0)
        return true;
    if (strncmp(uri, "unix:", 5) == 0) {
        const char *path = uri + 5;
        if (!path[0]) {
            snprintf(err, err_size, "--spice '%s': the socket path is missing: %s", uri, accepted);
            return false;
        }
        if (strlen(path) >= sizeof(out->path)) {
            snprintf(err, err_size, "--spice '%s': the socket path is longer than %zu bytes", uri,
                     sizeof(out->path) - 1);
            return false;
        }
        out->kind = VG_INPUT_ADDR_UNIX;
        snprintf(out->path, sizeof(out->path), "%s", path);
        return true;
    }
    /* HOST:PORT, HOST an IPv6 address in brackets when it holds colons. */
    const char *colon = strrchr(uri, ':');
    const char *host = uri;
    size_t host_len = colon ? (size_t)(colon - uri) : 0;
    if (host_len >= 2 && uri[0] == '[' && uri[host_len - 1] == ']') {
        host++;
        host_len -= 2;
    } else if (colon && memchr(uri, ':', host_len)) {
        host_len = 0; /* an unbracketed IPv6 address */
    }
    if (!colon || host_len == 0 || host_len >= sizeof(out->host) || strchr(uri, '/')) {
        snprintf(err, err_size, "--spice '%s': not an address: %s", uri, accepted);
        return false;
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || port == 0 || port > 65535 || colon[1] == '-' ||
        colon[1] == '+') {
        snprintf(err, err_size, "--spice '%s': the port '%s' is not a number from 1 to 65535: %s",
                 uri, colon + 1, accepted);
        return false;
    }
    out->kind = VG_INPUT_ADDR_TCP;
    memcpy(out->host, host, host_len);
    out->host[host_len] = 0;
    out->port = (uint16_t)port;
    return true;
}
