/* Inside the SPICE clipboard test's guest: a SPICE agent of the test's own on the virtio-serial
 * port com.redhat.spice.0, written from spice-protocol's vd_agent.h. It announces clipboard by
 * demand (without selections), and on the serial console prints:
 *   vgapt-agent: ready                   the port is open and the capabilities announced
 *   vgapt-agent: grab                    the client offers text (it is requested at once)
 *   vgapt-agent: text LEN HASH           the client's text arrived: its bytes, FNV-1a 32
 *   vgapt-agent: offered LEN HASH        the text a "vgapt-send LEN" text asked for, grabbed
 *   vgapt-agent: sent LEN                that text went to the client on its request
 * Messages span chunks both ways (VD_AGENT_MAX_DATA_SIZE each). Linked statically. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spice/vd_agent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PORT_NAME "com.redhat.spice.0"
#define MAX_MSG (32u << 20)

static int fd = -1;
static char *offer; /* the text this agent holds, NULL: none */
static size_t offer_len;

static uint32_t fnv1a(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static int find_port(char *path, size_t size)
{
    for (int tries = 0; tries < 100; tries++) {
        DIR *d = opendir("/sys/class/virtio-ports");
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char name_path[512], name[128] = "";
            snprintf(name_path, sizeof(name_path), "/sys/class/virtio-ports/%s/name", e->d_name);
            FILE *f = fopen(name_path, "r");
            if (f) {
                if (!fgets(name, sizeof(name), f))
                    name[0] = 0;
                fclose(f);
            }
            name[strcspn(name, "\n")] = 0;
            if (strcmp(name, PORT_NAME) == 0) {
                snprintf(path, size, "/dev/%s", e->d_name);
                closedir(d);
                return 0;
            }
        }
        if (d)
            closedir(d);
        nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
    }
    return -1;
}

static int write_all(const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(void *data, size_t n)
{
    uint8_t *p = data;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* One message: its header and data, cut into chunks for the client port. */
static int send_msg(uint32_t type, const void *head, size_t head_len, const void *body,
                    size_t body_len)
{
    size_t total = sizeof(VDAgentMessage) + head_len + body_len;
    uint8_t *buf = malloc(total);
    if (!buf)
        return -1;
    VDAgentMessage m = {
        .protocol = VD_AGENT_PROTOCOL, .type = type, .size = (uint32_t)(head_len + body_len)};
    memcpy(buf, &m, sizeof(m));
    if (head_len)
        memcpy(buf + sizeof(m), head, head_len);
    if (body_len)
        memcpy(buf + sizeof(m) + head_len, body, body_len);
    int rc = 0;
    for (size_t at = 0; rc == 0 && at < total;) {
        uint8_t chunk[VD_AGENT_MAX_DATA_SIZE];
        size_t n = total - at;
        if (n > sizeof(chunk) - sizeof(VDIChunkHeader))
            n = sizeof(chunk) - sizeof(VDIChunkHeader);
        VDIChunkHeader h = {.port = VDP_CLIENT_PORT, .size = (uint32_t)n};
        memcpy(chunk, &h, sizeof(h));
        memcpy(chunk + sizeof(h), buf + at, n);
        rc = write_all(chunk, sizeof(h) + n);
        at += n;
    }
    free(buf);
    return rc;
}

static int announce(uint32_t request)
{
    uint32_t caps[VD_AGENT_CAPS_SIZE] = {0};
    VD_AGENT_SET_CAPABILITY(caps, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
    VDAgentAnnounceCapabilities a = {.request = request};
    return send_msg(VD_AGENT_ANNOUNCE_CAPABILITIES, &a, sizeof(a), caps, sizeof(caps));
}

/* The text of a "vgapt-send LEN": LEN bytes of lines with a euro sign in each (UTF-8). */
static void make_offer(size_t len)
{
    free(offer);
    offer = malloc(len + 1);
    offer_len = offer ? len : 0;
    for (size_t i = 0; offer && i < len;) {
        char line[64];
        int n = snprintf(line, sizeof(line), "guest line %zu: \xe2\x82\xac%zu\n", i, i * 7);
        size_t take = (size_t)n < len - i ? (size_t)n : len - i;
        memcpy(offer + i, line, take);
        i += take;
    }
    /* A euro sign cut at the end would not be UTF-8. */
    while (offer_len > 0 && (uint8_t)offer[offer_len - 1] >= 0x80)
        offer_len--;
    uint32_t type = VD_AGENT_CLIPBOARD_UTF8_TEXT;
    if (offer && send_msg(VD_AGENT_CLIPBOARD_GRAB, NULL, 0, &type, sizeof(type)) == 0)
        printf("vgapt-agent: offered %zu %08x\n", offer_len, fnv1a(offer, offer_len));
}

static void on_message(uint32_t type, const uint8_t *data, uint32_t size)
{
    switch (type) {
    case VD_AGENT_ANNOUNCE_CAPABILITIES:
        if (size >= sizeof(VDAgentAnnounceCapabilities)) {
            VDAgentAnnounceCapabilities a;
            memcpy(&a, data, sizeof(a));
            if (a.request)
                announce(0);
        }
        break;
    case VD_AGENT_CLIPBOARD_GRAB: {
        printf("vgapt-agent: grab\n");
        for (uint32_t i = 0; i + 4 <= size; i += 4) {
            uint32_t t;
            memcpy(&t, data + i, 4);
            if (t == VD_AGENT_CLIPBOARD_UTF8_TEXT) {
                VDAgentClipboardRequest r = {.type = t};
                send_msg(VD_AGENT_CLIPBOARD_REQUEST, &r, sizeof(r), NULL, 0);
                break;
            }
        }
        break;
    }
    case VD_AGENT_CLIPBOARD: {
        if (size < 4)
            break;
        const uint8_t *text = data + 4;
        size_t len = size - 4;
        printf("vgapt-agent: text %zu %08x\n", len, fnv1a(text, len));
        unsigned long want;
        char cmd[40] = "";
        memcpy(cmd, text, len < sizeof(cmd) - 1 ? len : sizeof(cmd) - 1);
        if (sscanf(cmd, "vgapt-send %lu", &want) == 1 && want <= MAX_MSG / 2)
            make_offer(want);
        break;
    }
    case VD_AGENT_CLIPBOARD_REQUEST: {
        uint32_t t = 0;
        if (size >= 4)
            memcpy(&t, data, 4);
        VDAgentClipboard c = {.type = offer ? t : VD_AGENT_CLIPBOARD_NONE};
        if (send_msg(VD_AGENT_CLIPBOARD, &c, sizeof(c), offer, offer ? offer_len : 0) == 0)
            printf("vgapt-agent: sent %zu\n", offer ? offer_len : 0);
        break;
    }
    case VD_AGENT_CLIPBOARD_RELEASE:
        printf("vgapt-agent: release\n");
        break;
    default:
        break;
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    char path[300];
    if (find_port(path, sizeof(path)) != 0 || (fd = open(path, O_RDWR)) < 0) {
        printf("vgapt-agent: no port %s\n", PORT_NAME);
        return 1;
    }
    if (announce(1) != 0) {
        printf("vgapt-agent: cannot write %s\n", path);
        return 1;
    }
    printf("vgapt-agent: ready\n");
    /* The messages' bytes as the chunks bring them. */
    uint8_t *buf = NULL;
    size_t have = 0;
    for (;;) {
        VDIChunkHeader h;
        if (read_all(&h, sizeof(h)) != 0)
            break;
        if (h.size > VD_AGENT_MAX_DATA_SIZE) {
            printf("vgapt-agent: chunk of %u bytes\n", h.size);
            break;
        }
        uint8_t *grown = realloc(buf, have + h.size);
        if (!grown || read_all(grown + have, h.size) != 0)
            break;
        buf = grown;
        have += h.size;
        while (have >= sizeof(VDAgentMessage)) {
            VDAgentMessage m;
            memcpy(&m, buf, sizeof(m));
            if (m.protocol != VD_AGENT_PROTOCOL || m.size > MAX_MSG) {
                printf("vgapt-agent: bad message (protocol %u, %u bytes)\n", m.protocol, m.size);
                return 1;
            }
            size_t whole = sizeof(m) + m.size;
            if (have < whole)
                break;
            on_message(m.type, buf + sizeof(m), m.size);
            memmove(buf, buf + whole, have - whole);
            have -= whole;
        }
    }
    printf("vgapt-agent: port closed\n");
    return 0;
}
