#include "libvirt/conn.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "libvirt/domain_edit.h"
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

static bool fresh_uuid(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        return false;
    b[6] = (b[6] & 0x0f) | 0x40; /* version 4, random */
    b[8] = (b[8] & 0x3f) | 0x80;
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return true;
}

/* Removes the trial copy, leaving its NVRAM file alone: the copy names the original's. (A TPM's
 * state is kept by UUID, and the copy's is fresh.) Without KEEP_NVRAM (a driver that lacks
 * it), a plain undefine still refuses a domain that has NVRAM. */
static bool undefine_copy(virDomainPtr d, const char *copy)
{
    if (virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM) == 0 ||
        virDomainUndefineFlags(d, 0) == 0)
        return true;
    vg_err("cannot remove the trial definition '%s': %s: remove it with virsh undefine "
           "--keep-nvram '%s'",
           copy, last_error(), copy);
    return false;
}

static char *preview(void *ctx, const char *name, const char *xml, char **why_not)
{
    struct vg_virt *v = ctx;
    char uuid[37], *copy = vg_xasprintf("vgapt-plan-%s-%ld", name, (long)getpid());
    char *orig_uuid = NULL, *trial = NULL, *held = NULL, *out = NULL;
    if (!fresh_uuid(uuid)) {
        *why_not = vg_xstrdup("no random numbers for a fresh UUID");
        goto cleanup;
    }
    trial = vg_domain_reidentify(xml, copy, uuid, NULL, &orig_uuid);
    if (!trial || !orig_uuid) {
        *why_not = vg_xstrdup("the planned XML has no <uuid>");
        goto cleanup;
    }
    /* Ctrl-C between define and undefine would leave the copy behind: held until then. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGQUIT);
    sigprocmask(SIG_BLOCK, &block, &old);
    virDomainPtr d = virDomainDefineXMLFlags(v->conn, trial, VIR_DOMAIN_DEFINE_VALIDATE);
    if (!d) {
        *why_not = vg_xasprintf("libvirt refused a trial definition: %s", last_error());
    } else {
        char *dumped = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
        if (!dumped)
            *why_not = vg_xasprintf("cannot read the trial definition: %s", last_error());
        held = dumped ? vg_xstrdup(dumped) : NULL;
        free(dumped);
        if (!undefine_copy(d, copy)) {
            free(held);
            held = NULL;
            if (!*why_not)
                *why_not = vg_xasprintf("the trial definition '%s' could not be removed", copy);
        }
        virDomainFree(d);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (held) {
        out = vg_domain_reidentify(held, name, orig_uuid, copy, NULL);
        if (!out)
            *why_not = vg_xstrdup("libvirt returned a trial definition that is not a <domain>");
    }
cleanup:
    free(held);
    free(trial);
    free(orig_uuid);
    free(copy);
    return out;
}

struct vg_domain_ops vg_virt_ops(struct vg_virt *v)
{
    return (struct vg_domain_ops){
        .ctx = v, .define = define, .get_xml = held_xml, .preview = preview};
}
