/* The libvirt half of --domain (domain.h): one connection, kept open for the SPICE sockets and
 * made again when libvirtd went away (a restart, a package upgrade) while the VM runs on. */
#include "domain.h"

#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vg/log.h"

struct vg_domain {
    pthread_mutex_t lock; /* conn and dom, which a reconnection replaces */
    virConnectPtr conn;
    virDomainPtr dom;
    int spice_index;
    char name[128];        /* for messages, printable */
    char *uri, *real_name; /* as given: to connect again */
};

/* libvirt prints every error on stderr unless told otherwise; we say what to do instead. */
static void quiet(void *data, virErrorPtr e)
{
    (void)data;
    (void)e;
}

static void printable(const char *s, char *out, size_t size)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < size; i++)
        out[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
    out[i] = 0;
}

static const char *last_error(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "unknown error";
}

void vg_domain_connect_message(const char *uri, int err_code, int err_int1, const char *msg,
                               char *out, size_t out_size)
{
    char m[300];
    printable(msg ? msg : "unknown error", m, sizeof(m));
    bool denied = err_code == VIR_ERR_AUTH_FAILED || err_code == VIR_ERR_AUTH_UNAVAILABLE ||
                  err_code == VIR_ERR_AUTH_CANCELLED || err_code == VIR_ERR_OPERATION_DENIED ||
                  err_code == VIR_ERR_ACCESS_DENIED ||
                  (err_code == VIR_ERR_SYSTEM_ERROR && (err_int1 == EACCES || err_int1 == EPERM));
    if (denied)
        snprintf(out, out_size,
                 "libvirt %s: permission denied (%s): add yourself to group libvirt "
                 "(sudo usermod -aG libvirt $USER, then log in again), or use "
                 "--connect qemu:///session for your own VMs",
                 uri, m);
    else
        snprintf(out, out_size, "libvirt %s: cannot connect (%s): is libvirtd running?", uri, m);
}

/* "a, b, c" of the domains that exist, or "none". */
static void list_names(virConnectPtr conn, char *out, size_t size)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    out[0] = 0;
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        char name[128];
        printable(virDomainGetName(doms[i]), name, sizeof(name));
        int w = snprintf(out + used, size - used, "%s%s", i ? ", " : "", name);
        if (w > 0 && (size_t)w < size - used)
            used += (size_t)w;
        virDomainFree(doms[i]);
    }
    free(doms);
    if (n <= 0)
        snprintf(out, size, "none");
}

struct vg_domain *vg_domain_open(const char *uri, const char *name, struct vg_domain_info *info,
                                 char *err, size_t err_size)
{
    if (!uri || !uri[0])
        uri = "qemu:///system";
    memset(info, 0, sizeof(*info));
    info->spice_index = -1;
    virSetErrorFunc(NULL, quiet);
    char shown_uri[256], shown_name[128];
    printable(uri, shown_uri, sizeof(shown_uri));
    printable(name, shown_name, sizeof(shown_name));
    struct vg_domain *d = calloc(1, sizeof(*d));
    char *xml = NULL;
    if (!d) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    snprintf(d->name, sizeof(d->name), "%s", shown_name);
    d->uri = strdup(uri);
    d->real_name = strdup(name);
    if (!d->uri || !d->real_name) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    d->conn = virConnectOpen(uri);
    if (!d->conn) {
        virErrorPtr e = virGetLastError();
        vg_domain_connect_message(shown_uri, e ? e->code : 0, e ? e->int1 : 0,
                                  e ? e->message : NULL, err, err_size);
        goto fail;
    }
    d->dom = virDomainLookupByName(d->conn, name);
    if (!d->dom) {
        virErrorPtr e = virGetLastError();
        if (e && (e->code == VIR_ERR_ACCESS_DENIED || e->code == VIR_ERR_OPERATION_DENIED)) {
            vg_domain_connect_message(shown_uri, e->code, e->int1, e->message, err, err_size);
            goto fail;
        }
        char names[400];
        list_names(d->conn, names, sizeof(names));
        snprintf(err, err_size,
                 "--domain %s: no such domain on %s (there: %s; --connect URI "
                 "picks another libvirt, such as qemu:///session)",
                 shown_name, shown_uri, names);
        goto fail;
    }
    int active = virDomainIsActive(d->dom);
    if (active < 0) {
        snprintf(err, err_size, "--domain %s: libvirt cannot say whether it runs: %s", shown_name,
                 last_error());
        goto fail;
    }
    if (active == 0) {
        snprintf(err, err_size,
                 "--domain %s is not running: its shared memory and SPICE server "
                 "exist only while it runs; start it (virsh -c %s start %s) and run this again",
                 shown_name, shown_uri, shown_name);
        goto fail;
    }
    xml = virDomainGetXMLDesc(d->dom, 0);
    if (!xml) {
        snprintf(err, err_size, "--domain %s: cannot read its XML: %s", shown_name, last_error());
        goto fail;
    }
    char why[400];
    if (!vg_domain_parse_xml(xml, strlen(xml), info, why, sizeof(why))) {
        snprintf(err, err_size, "--domain %s: %s", shown_name, why);
        goto fail;
    }
    if (!info->frames.found && !info->scream.found) {
        snprintf(err, err_size,
                 "--domain %s has no shared memory region (<shmem> ivshmem-plain) "
                 "for frames or audio: add them with vgapt-setup --ivshmem --domain %s, then "
                 "restart the VM",
                 shown_name, shown_name);
        goto fail;
    }
    d->spice_index = info->spice_index;
    free(xml);
    return d;
fail:
    free(xml);
    vg_domain_close(d);
    return NULL;
}

/* After libvirtd went away: a new connection and the domain found again by name. Called with
 * d->lock held. */
static bool reconnect(struct vg_domain *d)
{
    virConnectPtr conn = virConnectOpen(d->uri);
    virDomainPtr dom = conn ? virDomainLookupByName(conn, d->real_name) : NULL;
    if (!dom) {
        vg_err("--domain %s: libvirt's connection was lost and cannot be made again: %s (will "
               "try again)",
               d->name, last_error());
        if (conn)
            virConnectClose(conn);
        return false;
    }
    virDomainFree(d->dom);
    virConnectClose(d->conn);
    d->conn = conn;
    d->dom = dom;
    vg_info("--domain %s: libvirt's connection was lost (libvirtd restarted?); connected again",
            d->name);
    return true;
}

int vg_domain_open_spice_fd(void *ctx)
{
    struct vg_domain *d = ctx;
    if (!d || d->spice_index < 0)
        return -ENOENT;
    pthread_mutex_lock(&d->lock);
    int fd = virDomainOpenGraphicsFD(d->dom, (unsigned)d->spice_index,
                                     VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
    if (fd < 0 && virConnectIsAlive(d->conn) != 1 && reconnect(d))
        fd = virDomainOpenGraphicsFD(d->dom, (unsigned)d->spice_index,
                                     VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
    if (fd < 0)
        vg_err("--domain %s: libvirt cannot open its SPICE connection: %s", d->name, last_error());
    pthread_mutex_unlock(&d->lock);
    return fd < 0 ? -EIO : fd;
}

void vg_domain_close(struct vg_domain *d)
{
    if (!d)
        return;
    if (d->dom)
        virDomainFree(d->dom);
    if (d->conn)
        virConnectClose(d->conn);
    pthread_mutex_destroy(&d->lock);
    free(d->uri);
    free(d->real_name);
    free(d);
}
