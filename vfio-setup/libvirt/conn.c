#include "libvirt/conn.h"

#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/sbuf.h"
#include "vg/log.h"

struct vg_virt {
    virConnectPtr conn;
};

/* libvirt prints every error to stderr unless told otherwise; we log each once ourselves. */
static void quiet(void *data, virErrorPtr err)
{
}

static const char *last_error(void)
{
    const char *m = virGetLastErrorMessage();
    return m ? m : "unknown libvirt error";
}

struct vg_virt *vg_virt_open(const char *uri, bool read_only, char **error)
{
    virSetErrorFunc(NULL, quiet);
    virConnectPtr c = read_only ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
    if (!c) {
        if (error)
            *error = vg_xstrdup(last_error());
        return NULL;
    }
    struct vg_virt *v = vg_xcalloc(1, sizeof(*v));
    v->conn = c;
    return v;
}

void vg_virt_close(struct vg_virt *v)
{
    if (!v)
        return;
    virConnectClose(v->conn);
    free(v);
}

char *vg_virt_get_xml(struct vg_virt *v, const char *name)
{
    virDomainPtr d = virDomainLookupByName(v->conn, name);
    if (!d) {
        vg_err("domain '%s': %s (virsh list --all shows the defined ones)", name, last_error());
        return NULL;
    }
    char *xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    if (!xml)
        vg_err("domain '%s': cannot read its definition: %s", name, last_error());
    virDomainFree(d);
    char *copy = xml ? vg_xstrdup(xml) : NULL;
    free(xml);
    return copy;
}

int vg_virt_is_active(struct vg_virt *v, const char *name)
{
    virDomainPtr d = virDomainLookupByName(v->conn, name);
    if (!d)
        return -1;
    int active = virDomainIsActive(d);
    virDomainFree(d);
    return active < 0 ? -1 : active;
}

static bool define(void *ctx, const char *name, const char *xml)
{
    struct vg_virt *v = ctx;
    virDomainPtr d = virDomainDefineXMLFlags(v->conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
    if (!d) {
        vg_err("libvirt refused the definition of '%s': %s", name, last_error());
        return false;
    }
    bool same = !strcmp(virDomainGetName(d), name);
    virDomainFree(d);
    if (!same)
        vg_err("libvirt defined a domain under another name than '%s'", name);
    return same;
}

static char *held_xml(void *ctx, const char *name)
{
    struct vg_virt *v = ctx;
    virDomainPtr d = virDomainLookupByName(v->conn, name);
    if (!d)
        return NULL;
    char *xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    virDomainFree(d);
    char *copy = xml ? vg_xstrdup(xml) : NULL;
    free(xml);
    return copy;
}

struct vg_domain_ops vg_virt_ops(struct vg_virt *v)
{
    return (struct vg_domain_ops){.ctx = v, .define = define, .get_xml = held_xml};
}
