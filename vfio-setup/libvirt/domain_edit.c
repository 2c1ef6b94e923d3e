#include "libvirt/domain_edit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "vg/log.h"

#define X(s) ((const xmlChar *)(s))
/* The <audio type='spice'> timer period vgapt-setup sets, in microseconds (see below). */
#define VG_SPICE_AUDIO_TIMER_PERIOD_US "5000"

static xmlDocPtr parse(const char *xml)
{
    return xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                         XML_PARSE_NOBLANKS | XML_PARSE_NONET | XML_PARSE_NOERROR |
                             XML_PARSE_NOWARNING);
}

static char *dump(xmlDocPtr doc)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlSaveCtxtPtr ctx = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
    xmlSaveDoc(ctx, doc);
    xmlSaveClose(ctx);
    char *s = vg_xstrdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return s;
}

char *vg_domain_normalise(const char *xml)
{
    xmlDocPtr doc = parse(xml);
    if (!doc)
        return NULL;
    char *s = dump(doc);
    xmlFreeDoc(doc);
    return s;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, X(name)))
            return c;
    return NULL;
}

static xmlNodePtr child_or_new(xmlNodePtr parent, const char *name, bool *created)
{
    xmlNodePtr c = child(parent, name);
    if (!c) {
        c = xmlNewChild(parent, NULL, X(name), NULL);
        if (created)
            *created = true;
    }
    return c;
}

static bool attr_is(xmlNodePtr n, const char *name, const char *value)
{
    xmlChar *v = xmlGetProp(n, X(name));
    bool same = v && !xmlStrcmp(v, X(value));
    xmlFree(v);
    return same;
}

/* Sets an attribute; true when it changed. */
static bool set_attr(xmlNodePtr n, const char *name, const char *value)
{
    if (attr_is(n, name, value))
        return false;
    xmlSetProp(n, X(name), X(value));
    return true;
}

bool vg_domain_scaled_kib(const char *value, const char *unit, unsigned long long *kib)
{
    const char *v = value;
    while (*v == ' ' || *v == '\t' || *v == '\n')
        v++;
    size_t digits = strspn(v, "0123456789");
    if (!digits || v[digits + strspn(v + digits, " \t\n")])
        return false;
    unsigned long long n = 0;
    for (size_t i = 0; i < digits; i++)
        if (__builtin_mul_overflow(n, 10ull, &n) ||
            __builtin_add_overflow(n, (unsigned long long)(v[i] - '0'), &n))
            return false;
    unsigned long long scale = 1024; /* no unit: KiB */
    if (unit && *unit) {
        static const char prefixes[] = "kmgtpe";
        const char *p = strchr(prefixes, unit[0] | 0x20);
        if (!strcasecmp(unit, "b") || !strcasecmp(unit, "byte") || !strcasecmp(unit, "bytes")) {
            scale = 1;
        } else if (p && *p) {
            /* "K", "KiB": powers of 1024; "KB": of 1000, as libvirt reads them. */
            unsigned long long base;
            if (!unit[1] || !strcasecmp(unit + 1, "iB"))
                base = 1024;
            else if ((unit[1] | 0x20) == 'b' && !unit[2])
                base = 1000;
            else
                return false;
            scale = 1;
            for (const char *q = prefixes; q <= p; q++)
                if (__builtin_mul_overflow(scale, base, &scale))
                    return false;
        } else {
            return false;
        }
    }
    unsigned long long bytes;
    if (__builtin_mul_overflow(n, scale, &bytes))
        return false;
    /* libvirt rounds a size up to whole KiB. */
    *kib = bytes / 1024 + (bytes % 1024 != 0);
    return true;
}

/* A <size>/<memory> value in KiB from its unit attribute; false (logged, with the element and
 * its value) for a unit libvirt does not know or a size past 2^64 bytes. */
static bool size_kib(xmlNodePtr n, unsigned long long *kib)
{
    xmlChar *v = xmlNodeGetContent(n), *u = xmlGetProp(n, X("unit"));
    bool ok = vg_domain_scaled_kib(v ? (const char *)v : "", u ? (const char *)u : NULL, kib);
    if (!ok)
        vg_err("<%s unit='%s'>%s</%s> in the domain: not a size libvirt takes (a whole number "
               "of b, KB/KiB/K, MB/MiB/M, GB/GiB/G, TB/TiB/T, PB/PiB/P or EB/EiB/E under 2^64 "
               "bytes): correct it with virsh edit",
               (const char *)n->name, u ? (const char *)u : "KiB", v ? (const char *)v : "",
               (const char *)n->name);
    xmlFree(v);
    xmlFree(u);
    return ok;
}

static void drop_children(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n->children, next; c; c = next) {
        next = c->next;
        if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, X(name))) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
}

/* False (logged) when the existing region's size cannot be read. */
static bool shmem(xmlNodePtr devices, const char *name, uint32_t mib, bool keep_larger,
                  struct vg_sbuf *changes, struct vg_sbuf *notes)
{
    xmlNodePtr s = NULL;
    for (xmlNodePtr c = devices->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, X("shmem")) &&
            attr_is(c, "name", name))
            s = c;
    char num[32];
    snprintf(num, sizeof(num), "%u", mib);
    if (!s) {
        s = xmlNewChild(devices, NULL, X("shmem"), NULL);
        xmlSetProp(s, X("name"), X(name));
        xmlSetProp(xmlNewChild(s, NULL, X("model"), NULL), X("type"), X("ivshmem-plain"));
        xmlSetProp(xmlNewChild(s, NULL, X("size"), X(num)), X("unit"), X("M"));
        vg_sbuf_printf(changes, "added <shmem name='%s'> ivshmem-plain %u MiB\n", name, mib);
        return true;
    }
    bool created = false;
    xmlNodePtr model = child_or_new(s, "model", &created);
    xmlChar *was = xmlGetProp(model, X("type"));
    if (set_attr(model, "type", "ivshmem-plain"))
        vg_sbuf_printf(changes, "<shmem name='%s'>: model %s -> ivshmem-plain\n", name,
                       was ? (const char *)was : "(none)");
    xmlFree(was);
    /* libvirt refuses both with ivshmem-plain: they belong to ivshmem-doorbell. */
    if (child(s, "server") || child(s, "msi")) {
        drop_children(s, "server");
        drop_children(s, "msi");
        vg_sbuf_printf(changes,
                       "<shmem name='%s'>: <server> and <msi> dropped (only "
                       "ivshmem-doorbell has them)\n",
                       name);
    }
    xmlNodePtr size = child(s, "size");
    unsigned long long kib = 0;
    if (size && !size_kib(size, &kib))
        return false;
    if (size && keep_larger && kib > (unsigned long long)mib * 1024) {
        if (notes)
            vg_sbuf_printf(notes,
                           "Kept <shmem name='%s'> at %llu MiB: larger than the %u MiB asked "
                           "for (--resolution WxH sets the size for that resolution).\n",
                           name, kib / 1024, mib);
        return true;
    }
    if (!size || kib != (unsigned long long)mib * 1024) {
        /* No <size> at all: an ivshmem-doorbell region, sized by its server. */
        char was_size[32] = "(none)";
        if (size)
            snprintf(was_size, sizeof(was_size), "%llu", kib / 1024);
        else
            size = xmlNewChild(s, NULL, X("size"), NULL);
        xmlNodeSetContent(size, X(num));
        xmlSetProp(size, X("unit"), X("M"));
        vg_sbuf_printf(changes, "<shmem name='%s'>: size %s -> %u MiB\n", name, was_size, mib);
    }
    return true;
}

#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

static bool is_qemu(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && !xmlStrcmp(n->ns->href, X(QEMU_NS)) &&
           !xmlStrcmp(n->name, X(name));
}

/* The value of key in a QEMU option list ("memory-backend-file,id=lg,size=32M"); the first
 * item, when it has no '=', is the value of first_key (the type or driver). */
static bool qemu_opt(const char *opts, const char *key, const char *first_key, char *out,
                     size_t size)
{
    size_t kl = strlen(key);
    for (const char *p = opts; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq && p == opts && !strcmp(key, first_key)) {
            snprintf(out, size, "%.*s", (int)len, p);
            return true;
        }
        if (eq && (size_t)(eq - p) == kl && !strncmp(p, key, kl)) {
            snprintf(out, size, "%.*s", (int)(len - kl - 1), eq + 1);
            return true;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

/* A QEMU size ("32M", "33554432", "1G": one optional binary suffix) in MiB, rounded up; 0 when
 * unreadable. */
static uint64_t qemu_size_mib(const char *s)
{
    static const char units[] = "bkmgtpe";
    char *end;
    unsigned long long bytes = strtoull(s, &end, 10);
    const char *u = *end ? strchr(units, end[0] | 0x20) : units;
    if (end == s || !u || !*u || (*end && end[1]))
        return 0;
    for (long i = 0; i < u - units; i++)
        if (__builtin_mul_overflow(bytes, 1024ull, &bytes))
            return 0;
    return bytes / (1u << 20) + (bytes % (1u << 20) != 0);
}

static void drop_node(xmlNodePtr n)
{
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

static bool ns_used(xmlNodePtr n, xmlNsPtr ns)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (n->ns == ns)
            return true;
        for (xmlAttrPtr a = n->properties; a; a = a->next)
            if (a->ns == ns)
                return true;
        if (ns_used(n->children, ns))
            return true;
    }
    return false;
}

/* Drops the qemu namespace from the root element when nothing uses it any more. */
static void drop_unused_qemu_ns(xmlNodePtr dom)
{
    for (xmlNsPtr *link = &dom->nsDef; *link; link = &(*link)->next) {
        xmlNsPtr ns = *link;
        if (ns->href && !xmlStrcmp(ns->href, X(QEMU_NS)) && !ns_used(dom, ns)) {
            *link = ns->next;
            ns->next = NULL;
            xmlFreeNs(ns);
            return;
        }
    }
}

#define MAX_QEMU_ARGS 64

/* Looking Glass guides had users add the region by hand as QEMU arguments:
 *   -device ivshmem-plain,memdev=ID  -object memory-backend-file,id=ID,mem-path=/dev/shm/NAME...
 * Left there beside a <shmem> on the same file, the guest gets two devices on one region.
 * Drops those argument pairs (and <qemu:commandline> when it empties); returns the size the old
 * backend had in MiB (0 when none was found). */
static uint64_t legacy_region(xmlNodePtr dom, const char *name, struct vg_sbuf *changes,
                              struct vg_sbuf *notes)
{
    xmlNodePtr cmdline = NULL;
    for (xmlNodePtr c = dom->children; c && !cmdline; c = c->next)
        if (is_qemu(c, "commandline"))
            cmdline = c;
    if (!cmdline)
        return 0;
    xmlNodePtr args[MAX_QEMU_ARGS];
    char *vals[MAX_QEMU_ARGS];
    bool drop[MAX_QEMU_ARGS] = {false};
    size_t n = 0;
    for (xmlNodePtr c = cmdline->children; c && n < MAX_QEMU_ARGS; c = c->next)
        if (is_qemu(c, "arg")) {
            xmlChar *v = xmlGetProp(c, X("value"));
            args[n] = c;
            vals[n++] = vg_xstrdup(v ? (const char *)v : "");
            xmlFree(v);
        }
    char path[300];
    snprintf(path, sizeof(path), "/dev/shm/%s", name);
    uint64_t mib = 0;
    struct vg_sbuf what = {0};
    for (size_t i = 0; i + 1 < n; i++) {
        char type[64], id[64], mem[300], size[64];
        if (strcmp(vals[i], "-object") ||
            !qemu_opt(vals[i + 1], "qom-type", "qom-type", type, sizeof(type)) ||
            strcmp(type, "memory-backend-file") ||
            !qemu_opt(vals[i + 1], "mem-path", "qom-type", mem, sizeof(mem)) ||
            strncmp(mem, path, strlen(path)) ||
            !qemu_opt(vals[i + 1], "id", "qom-type", id, sizeof(id)))
            continue;
        bool used = false;
        for (size_t j = 0; j + 1 < n; j++) {
            char drv[64], memdev[64];
            if (!strcmp(vals[j], "-device") &&
                qemu_opt(vals[j + 1], "driver", "driver", drv, sizeof(drv)) &&
                !strncmp(drv, "ivshmem", 7) &&
                qemu_opt(vals[j + 1], "memdev", "driver", memdev, sizeof(memdev)) &&
                !strcmp(memdev, id)) {
                drop[j] = drop[j + 1] = used = true;
                vg_sbuf_printf(&what, "%s-device %s", what.len ? "; " : "", vals[j + 1]);
            }
        }
        if (!used)
            continue;
        drop[i] = drop[i + 1] = true;
        vg_sbuf_printf(&what, "; -object %s", vals[i + 1]);
        uint64_t m =
            qemu_opt(vals[i + 1], "size", "qom-type", size, sizeof(size)) ? qemu_size_mib(size) : 0;
        if (m > mib)
            mib = m;
    }
    bool found = what.len != 0;
    if (found) {
        for (size_t i = 0; i < n; i++)
            if (drop[i])
                drop_node(args[i]);
        bool empty = true;
        for (xmlNodePtr c = cmdline->children; c; c = c->next)
            empty &= c->type != XML_ELEMENT_NODE;
        vg_sbuf_printf(changes,
                       "removed the hand-made IVSHMEM device on %s from "
                       "<qemu:commandline>%s\n",
                       path, empty ? " (now empty: dropped)" : "");
        if (empty)
            drop_node(cmdline);
        drop_unused_qemu_ns(dom);
        if (notes)
            vg_sbuf_printf(notes,
                           "Replaced an IVSHMEM device added by hand in <qemu:commandline> "
                           "(%s) with <shmem name='%s'> on the same file: libvirt then manages "
                           "it (its PCI address, its size, its security label), and the guest "
                           "does not see two devices on one region.\n",
                           what.data, name);
    }
    vg_sbuf_free(&what);
    for (size_t i = 0; i < n; i++)
        free(vals[i]);
    return mib;
}

static bool parse_bdf(const char *bdf, unsigned v[4])
{
    return sscanf(bdf, "%x:%x:%x.%x", &v[0], &v[1], &v[2], &v[3]) == 4;
}

static bool address_is(xmlNodePtr addr, const unsigned v[4])
{
    static const char *const names[] = {"domain", "bus", "slot", "function"};
    for (int i = 0; i < 4; i++) {
        xmlChar *a = xmlGetProp(addr, X(names[i]));
        unsigned long x = a ? strtoul((const char *)a, NULL, 0) : (i == 0 ? 0 : ~0ul);
        xmlFree(a);
        if (x != v[i])
            return false;
    }
    return true;
}

static void hostdev(xmlNodePtr devices, const char *bdf, const char *rom, struct vg_sbuf *changes)
{
    unsigned v[4];
    if (!parse_bdf(bdf, v))
        return;
    xmlNodePtr h = NULL;
    for (xmlNodePtr c = devices->children; c && !h; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, X("hostdev")) ||
            !attr_is(c, "type", "pci"))
            continue;
        xmlNodePtr src = child(c, "source");
        xmlNodePtr addr = src ? child(src, "address") : NULL;
        if (addr && address_is(addr, v))
            h = c;
    }
    if (!h) {
        char buf[4][16];
        snprintf(buf[0], 16, "0x%04x", v[0]);
        snprintf(buf[1], 16, "0x%02x", v[1]);
        snprintf(buf[2], 16, "0x%02x", v[2]);
        snprintf(buf[3], 16, "0x%x", v[3]);
        h = xmlNewChild(devices, NULL, X("hostdev"), NULL);
        xmlSetProp(h, X("mode"), X("subsystem"));
        xmlSetProp(h, X("type"), X("pci"));
        xmlSetProp(h, X("managed"), X("yes"));
        xmlNodePtr addr =
            xmlNewChild(xmlNewChild(h, NULL, X("source"), NULL), NULL, X("address"), NULL);
        xmlSetProp(addr, X("domain"), X(buf[0]));
        xmlSetProp(addr, X("bus"), X(buf[1]));
        xmlSetProp(addr, X("slot"), X(buf[2]));
        xmlSetProp(addr, X("function"), X(buf[3]));
        vg_sbuf_printf(changes, "added <hostdev> %s (managed)\n", bdf);
    }
    if (rom) {
        xmlNodePtr r = child_or_new(h, "rom", NULL);
        if (set_attr(r, "file", rom))
            vg_sbuf_printf(changes, "<hostdev> %s: rom file %s\n", bdf, rom);
    }
}

static void hide(xmlNodePtr dom, const char *vendor_id, struct vg_sbuf *changes)
{
    bool created = false;
    xmlNodePtr features = child_or_new(dom, "features", &created);
    xmlNodePtr hyperv = child_or_new(features, "hyperv", NULL);
    xmlNodePtr vid = child_or_new(hyperv, "vendor_id", NULL);
    bool a = set_attr(vid, "state", "on");
    if (set_attr(vid, "value", vendor_id) || a)
        vg_sbuf_printf(changes, "<hyperv><vendor_id value='%s'/>\n", vendor_id);
    xmlNodePtr kvm = child_or_new(features, "kvm", NULL);
    xmlNodePtr hidden = child_or_new(kvm, "hidden", NULL);
    if (set_attr(hidden, "state", "on"))
        vg_sbuf_puts(changes, "<kvm><hidden state='on'/>\n");
    xmlNodePtr os = child(dom, "os");
    xmlNodePtr type = os ? child(os, "type") : NULL;
    xmlChar *machine = type ? xmlGetProp(type, X("machine")) : NULL;
    if (machine && strstr((const char *)machine, "q35")) {
        xmlNodePtr ioapic = child_or_new(features, "ioapic", NULL);
        if (set_attr(ioapic, "driver", "kvm"))
            vg_sbuf_puts(changes, "<ioapic driver='kvm'/> (q35)\n");
    }
    xmlFree(machine);
}

void vg_spice_listener_finish(struct vg_spice_listener *l)
{
    if (!l)
        return;
    free(l->socket);
    free(l->address);
    free(l->network);
    *l = (struct vg_spice_listener){0};
}

static xmlNodePtr child_typed(xmlNodePtr parent, const char *name, const char *type)
{
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, X(name)) && attr_is(c, "type", type))
            return c;
    return NULL;
}

/* An attribute's value (owned, malloc'd), or NULL when absent. */
static char *prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, X(name));
    char *s = v ? vg_xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static void spice_listener(xmlNodePtr g, struct vg_spice_listener *out)
{
    xmlNodePtr l = child(g, "listen");
    if (l && attr_is(l, "type", "socket")) {
        out->socket = prop(l, "socket");
        return;
    }
    if (l && attr_is(l, "type", "network"))
        out->network = prop(l, "network");
    out->address = prop(l ? l : g, l ? "address" : "listen");
    if (!out->address)
        out->address = vg_xstrdup("");
    char *port = prop(g, "port");
    long p = port && !attr_is(g, "autoport", "yes") ? strtol(port, NULL, 10) : 0;
    out->port = p > 0 && p < 65536 ? (unsigned)p : 0;
    free(port);
}

/* What vgapt-client --spice needs: a server it can reach, input that reaches the guest with or
 * without the SPICE agent. */
static void spice(xmlNodePtr devices, const struct vg_domain_edit *e, struct vg_sbuf *changes)
{
    xmlNodePtr g = child_typed(devices, "graphics", "spice");
    bool existing = g != NULL;
    if (!g) {
        g = xmlNewChild(devices, NULL, X("graphics"), NULL);
        xmlSetProp(g, X("type"), X("spice"));
    }
    xmlNodePtr l = child(g, "listen");
    bool nowhere = l && attr_is(l, "type", "none");
    /* libvirt names such a socket after the domain's id, anew at each start. */
    bool unnamed = l && attr_is(l, "type", "socket") && !xmlHasProp(l, X("socket"));
    const char *where = e->spice_socket ? e->spice_socket : e->spice_listen;
    bool relisten = (!existing || nowhere || unnamed) && where;
    if (relisten) {
        if (l)
            drop_node(l);
        l = xmlNewChild(g, NULL, X("listen"), NULL);
        if (e->spice_socket) {
            xmlSetProp(l, X("type"), X("socket"));
            xmlSetProp(l, X("socket"), X(e->spice_socket));
        } else {
            xmlSetProp(g, X("autoport"), X("yes"));
            xmlSetProp(l, X("type"), X("address"));
            xmlSetProp(l, X("address"), X(e->spice_listen));
        }
        /* First, where libvirt keeps it: the listener is what a reader looks for. */
        if (g->children != l)
            xmlAddPrevSibling(g->children, l);
        const char *how = e->spice_socket ? "on the unix socket" : "on";
        const char *port = e->spice_socket ? "" : " (QEMU picks the port at each start)";
        if (!existing)
            vg_sbuf_printf(changes,
                           "added <graphics type='spice'> %s %s%s with <mouse "
                           "mode='server'/>%s\n",
                           how, where, port,
                           child_typed(devices, "graphics", "vnc")
                               ? ", beside the VNC display (QEMU serves both)"
                               : "");
        else
            vg_sbuf_printf(changes, "<graphics type='spice'>: listens %s %s%s, not %s\n", how,
                           where, port,
                           nowhere ? "nowhere (<listen type='none'/>)"
                                   : "on a socket libvirt names anew at each start");
    }
    /* mode='server' is QEMU's agent-mouse=off: absolute motion goes to the tablet, so the
     * pointer follows vgapt-client's with no SPICE agent running in the guest. */
    xmlNodePtr mouse = child_or_new(g, "mouse", NULL);
    char *was = prop(mouse, "mode");
    if (set_attr(mouse, "mode", "server") && existing)
        vg_sbuf_printf(changes,
                       "<graphics type='spice'>: <mouse mode='server'/>%s%s%s (the "
                       "tablet takes absolute motion, agent or not)\n",
                       was ? " (was " : "", was ? was : "", was ? ")" : "");
    free(was);
    if (e->spice_out) {
        vg_spice_listener_finish(e->spice_out);
        spice_listener(g, e->spice_out);
        e->spice_out->kept = !relisten;
        e->spice_out->vnc = child_typed(devices, "graphics", "vnc") != NULL;
    }

    if (!child_typed(devices, "channel", "spicevmc")) {
        xmlNodePtr ch = xmlNewChild(devices, NULL, X("channel"), NULL);
        xmlSetProp(ch, X("type"), X("spicevmc"));
        xmlNodePtr t = xmlNewChild(ch, NULL, X("target"), NULL);
        xmlSetProp(t, X("type"), X("virtio"));
        xmlSetProp(t, X("name"), X("com.redhat.spice.0"));
        vg_sbuf_puts(changes, "added <channel type='spicevmc'> com.redhat.spice.0 (the SPICE "
                              "agent's port: clipboard, and the pointer when an agent runs)\n");
    }
    if (!child_typed(devices, "input", "tablet")) {
        /* USB needs no guest driver; virtio only where the domain has no USB at all. */
        xmlNodePtr usb = child_typed(devices, "controller", "usb");
        const char *bus = usb && attr_is(usb, "model", "none") ? "virtio" : "usb";
        xmlNodePtr in = xmlNewChild(devices, NULL, X("input"), NULL);
        xmlSetProp(in, X("type"), X("tablet"));
        xmlSetProp(in, X("bus"), X(bus));
        vg_sbuf_printf(changes, "added <input type='tablet' bus='%s'/> (an absolute pointer)\n",
                       bus);
    }
    if (!e->spice_audio)
        return;
    xmlNodePtr audio = child_typed(devices, "audio", "spice");
    unsigned long max = 0;
    size_t others = 0;
    for (xmlNodePtr c = devices->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, X("audio")))
            continue;
        char *id = prop(c, "id");
        unsigned long v = id ? strtoul(id, NULL, 10) : 0;
        max = v > max ? v : max;
        others += c != audio;
        free(id);
    }
    char id[24];
    if (audio) {
        char *v = prop(audio, "id");
        snprintf(id, sizeof(id), "%s", v ? v : "1");
        free(v);
    } else {
        snprintf(id, sizeof(id), "%lu", max + 1);
        audio = xmlNewChild(devices, NULL, X("audio"), NULL);
        xmlSetProp(audio, X("id"), X(id));
        xmlSetProp(audio, X("type"), X("spice"));
        vg_sbuf_printf(changes, "added <audio id='%s' type='spice'/>\n", id);
    }
    /* QEMU moves the sound device's audio to SPICE every timer period: 10 ms by default.
     * vgapt-bench input measured guest write -> host sink 83.5 ms at 10 ms, 78.4 at 5 (and
     * 78.1 at 2: no more to gain). A period the user set stays. */
    if (!xmlHasProp(audio, X("timerPeriod"))) {
        xmlSetProp(audio, X("timerPeriod"), X(VG_SPICE_AUDIO_TIMER_PERIOD_US));
        vg_sbuf_printf(changes,
                       "set timerPeriod='" VG_SPICE_AUDIO_TIMER_PERIOD_US "' on <audio id='%s' "
                       "type='spice'> (QEMU passes the guest's sound on every 5 ms, not 10: "
                       "about 5 ms less latency)\n",
                       id);
    }
    /* The backend besides ours that a device without <audio> plays on, when it is the only one;
     * libvirt adds <audio type='none'> to a domain defined without sound output. */
    xmlNodePtr implicit = NULL;
    for (xmlNodePtr c = devices->children; c && others == 1; c = c->next)
        if (c != audio && c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, X("audio")))
            implicit = c;
    xmlNodePtr sound = NULL, silent = NULL;
    for (xmlNodePtr c = devices->children; c && !sound; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, X("sound")) ||
            !attr_is(c, "model", "ich9"))
            continue;
        xmlNodePtr a = child(c, "audio");
        xmlNodePtr backend = NULL;
        if (a) {
            char *ref = prop(a, "id");
            for (xmlNodePtr b = devices->children; b && ref && !backend; b = b->next)
                if (b->type == XML_ELEMENT_NODE && !xmlStrcmp(b->name, X("audio")) &&
                    attr_is(b, "id", ref))
                    backend = b;
            free(ref);
        } else {
            backend = others ? implicit : audio;
        }
        if (backend == audio) {
            sound = c;
            if (!a) {
                xmlSetProp(xmlNewChild(c, NULL, X("audio"), NULL), X("id"), X(id));
                vg_sbuf_printf(
                    changes, "<sound model='ich9'>: plays through SPICE (<audio id='%s'/>)\n", id);
            }
        } else if (!silent && (!backend || attr_is(backend, "type", "none"))) {
            silent = c;
        }
    }
    if (sound)
        return;
    /* An ich9 device that plays nowhere may as well play through SPICE. */
    if (silent) {
        xmlNodePtr a = child_or_new(silent, "audio", NULL);
        xmlSetProp(a, X("id"), X(id));
        vg_sbuf_printf(changes,
                       "<sound model='ich9'>: plays through SPICE (<audio id='%s'/>), not "
                       "into silence (no backend, or type='none')\n",
                       id);
        return;
    }
    sound = xmlNewChild(devices, NULL, X("sound"), NULL);
    xmlSetProp(sound, X("model"), X("ich9"));
    xmlSetProp(xmlNewChild(sound, NULL, X("audio"), NULL), X("id"), X(id));
    vg_sbuf_printf(changes, "added <sound model='ich9'> playing through SPICE (<audio id='%s'/>)\n",
                   id);
}

char *vg_domain_edit(const char *xml, const struct vg_domain_edit *e, char **old_norm,
                     struct vg_sbuf *changes, unsigned long *memory_kib)
{
    xmlDocPtr doc = parse(xml);
    xmlNodePtr dom = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!dom || xmlStrcmp(dom->name, X("domain"))) {
        if (doc)
            xmlFreeDoc(doc);
        return NULL;
    }
    *old_norm = NULL;
    char *before = dump(doc);
    unsigned long long mem_kib = 0;
    xmlNodePtr mem = child(dom, "memory");
    if (mem && !size_kib(mem, &mem_kib))
        goto fail;
    *memory_kib = mem_kib > ULONG_MAX ? ULONG_MAX : (unsigned long)mem_kib;
    xmlNodePtr devices = NULL;
    if (e->ivshmem || e->n_hostdevs || e->spice)
        devices = child_or_new(dom, "devices", NULL);
    if (e->ivshmem) {
        uint32_t mib = e->ivshmem_mib;
        uint64_t old = legacy_region(dom, VG_SHM_FRAMES, changes, e->notes);
        if (old > mib && e->keep_larger) {
            /* As for an existing <shmem>: a region made larger on purpose stays that large. */
            uint64_t pow2 = 1;
            while (pow2 < old && pow2 < (1u << 20))
                pow2 <<= 1;
            mib = (uint32_t)pow2;
            if (e->notes)
                vg_sbuf_printf(e->notes,
                               "Kept the replaced region's %u MiB: larger than the %u MiB asked "
                               "for (--resolution WxH sets the size for that resolution).\n",
                               mib, e->ivshmem_mib);
        }
        if (!shmem(devices, VG_SHM_FRAMES, mib, e->keep_larger, changes, e->notes))
            goto fail;
        if (e->scream) {
            legacy_region(dom, VG_SHM_SCREAM, changes, e->notes);
            if (!shmem(devices, VG_SHM_SCREAM, VG_SCREAM_MIB, false, changes, e->notes))
                goto fail;
        }
    }
    for (size_t i = 0; i < e->n_hostdevs; i++)
        hostdev(devices, e->hostdevs[i], i == 0 ? e->rom : NULL, changes);
    if (e->spice)
        spice(devices, e, changes);
    if (e->hide_hypervisor) {
        hide(dom, e->vendor_id, changes);
        if (e->notes && attr_is(dom, "type", "qemu"))
            vg_sbuf_puts(e->notes,
                         "--hide-hypervisor: this domain is type='qemu' (QEMU's emulator, TCG, "
                         "no KVM): <kvm><hidden/> and <ioapic driver='kvm'/> only matter once it "
                         "runs under KVM (type='kvm'), which a passed GPU needs anyway; the "
                         "guest still sees a hypervisor until then.\n");
    }
    if (e->hugepages) {
        bool created = false;
        xmlNodePtr mb = child_or_new(dom, "memoryBacking", NULL);
        child_or_new(mb, "hugepages", &created);
        if (created)
            vg_sbuf_puts(changes, "<memoryBacking><hugepages/>\n");
    }
    if (e->shm_mib) {
        unsigned long long kib = 0;
        xmlNodePtr devs = child(dom, "devices");
        for (xmlNodePtr c = devs ? devs->children : NULL; c; c = c->next) {
            xmlNodePtr size = c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, X("shmem"))
                                  ? child(c, "size")
                                  : NULL;
            unsigned long long one = 0;
            if (size && !size_kib(size, &one))
                goto fail;
            if (__builtin_add_overflow(kib, one, &kib))
                kib = ULLONG_MAX;
        }
        *e->shm_mib = kib / 1024;
    }
    *old_norm = before;
    char *out = dump(doc);
    xmlFreeDoc(doc);
    return out;
fail:
    *old_norm = before;
    xmlFreeDoc(doc);
    return NULL;
}

#define HIDDEN "(hidden)"

static bool name_is(const xmlChar *name, const char *const *names)
{
    for (; *names; names++)
        if (!xmlStrcasecmp(name, X(*names)))
            return true;
    return false;
}

/* QEMU option values that carry a secret ("-object secret,id=s0,data=..."): the value after
 * each such key, up to the next comma, becomes HIDDEN. */
static char *masked_qemu_arg(const char *v)
{
    static const char *const keys[] = {"password=", "passwd=", "data=", "key-secret=", NULL};
    bool secret_object = !strncmp(v, "secret,", 7) || strstr(v, "qom-type=secret");
    struct vg_sbuf b = {0};
    bool changed = false;
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ",");
        const char *hit = NULL;
        for (const char *const *k = keys; *k && !hit; k++)
            if (!strncmp(p, *k, strlen(*k)) && (strcmp(*k, "data=") || secret_object))
                hit = *k;
        if (hit) {
            vg_sbuf_printf(&b, "%s%s", hit, HIDDEN);
            changed = true;
        } else {
            vg_sbuf_putn(&b, p, len);
        }
        p += len;
        if (*p == ',')
            vg_sbuf_putn(&b, p++, 1);
    }
    if (!changed) {
        vg_sbuf_free(&b);
        return NULL;
    }
    return vg_sbuf_take(&b);
}

static void mask(xmlNodePtr n, bool in_auth)
{
    /* Values, not references: a password, a passphrase, a cookie. And what names the
     * credentials of a storage or an iSCSI source (its user and its libvirt secret). */
    static const char *const secret_attrs[] = {"passwd", "password", "passphrase", NULL};
    static const char *const ref_attrs[] = {"username", "uuid", "usage", "secret", NULL};
    static const char *const secret_text[] = {"cookie", "session", "dhCert", NULL};
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        bool auth = in_auth || !xmlStrcmp(n->name, X("auth"));
        bool secret = !xmlStrcmp(n->name, X("secret"));
        for (xmlAttrPtr a = n->properties; a; a = a->next)
            if (name_is(a->name, secret_attrs) ||
                ((auth || secret) && name_is(a->name, ref_attrs)) ||
                (!xmlStrcmp(n->name, X("encryption")) && !xmlStrcmp(a->name, X("secret"))))
                xmlSetNsProp(n, a->ns, a->name, X(HIDDEN));
        if (name_is(n->name, secret_text) && n->children) {
            xmlNodeSetContent(n, X(HIDDEN));
            continue;
        }
        if (is_qemu(n, "arg") || is_qemu(n, "env")) {
            xmlChar *v = xmlGetProp(n, X("value"));
            char *m = v ? masked_qemu_arg((const char *)v) : NULL;
            if (m)
                xmlSetProp(n, X("value"), X(m));
            free(m);
            xmlFree(v);
        }
        mask(n->children, auth);
    }
}

char *vg_domain_masked(const char *xml)
{
    xmlDocPtr doc = parse(xml);
    if (!doc)
        return NULL;
    mask(xmlDocGetRootElement(doc), false);
    char *out = dump(doc);
    xmlFreeDoc(doc);
    return out;
}

/* s with every from replaced by to (owned), or NULL when s has no from. */
static char *replaced(const char *s, const char *from, const char *to)
{
    if (!strstr(s, from))
        return NULL;
    struct vg_sbuf b = {0};
    size_t fl = strlen(from);
    for (const char *p = s, *hit; *p; p = hit + fl) {
        hit = strstr(p, from);
        if (!hit) {
            vg_sbuf_puts(&b, p);
            break;
        }
        vg_sbuf_putn(&b, p, (size_t)(hit - p));
        vg_sbuf_puts(&b, to);
    }
    return vg_sbuf_take(&b);
}

static void replace_derived(xmlNodePtr n, const char *from, const char *to)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content) {
            char *r = replaced((const char *)n->content, from, to);
            if (r)
                xmlNodeSetContent(n, X(r));
            free(r);
        }
        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (xmlAttrPtr a = n->properties; a; a = a->next) {
            xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
            char *r = v ? replaced((const char *)v, from, to) : NULL;
            if (r)
                xmlSetNsProp(n, a->ns, a->name, X(r));
            free(r);
            xmlFree(v);
        }
        replace_derived(n->children, from, to);
    }
}

char *vg_domain_reidentify(const char *xml, const char *name, const char *uuid,
                           const char *derived_from, char **was_uuid)
{
    xmlDocPtr doc = parse(xml);
    xmlNodePtr dom = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!dom || xmlStrcmp(dom->name, X("domain"))) {
        if (doc)
            xmlFreeDoc(doc);
        return NULL;
    }
    if (derived_from && *derived_from)
        replace_derived(dom->children, derived_from, name);
    xmlNodePtr u = child(dom, "uuid");
    xmlChar *old = u ? xmlNodeGetContent(u) : NULL;
    /* As text, not markup: a name may hold '&'. */
    xmlNodePtr n = child_or_new(dom, "name", NULL);
    xmlNodeSetContent(n, NULL);
    xmlAddChild(n, xmlNewDocText(doc, X(name)));
    if (!u) {
        /* Right after <name>, where libvirt puts it. */
        u = xmlNewDocNode(doc, NULL, X("uuid"), NULL);
        xmlAddNextSibling(child(dom, "name"), u);
    }
    xmlNodeSetContent(u, X(uuid));
    xmlNodePtr sysinfo = child(dom, "sysinfo");
    xmlNodePtr system = sysinfo ? child(sysinfo, "system") : NULL;
    for (xmlNodePtr c = system ? system->children : NULL; c && old; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, X("entry")) ||
            !attr_is(c, "name", "uuid"))
            continue;
        xmlChar *v = xmlNodeGetContent(c);
        if (v && !xmlStrcasecmp(v, old))
            xmlNodeSetContent(c, X(uuid));
        xmlFree(v);
    }
    if (was_uuid)
        *was_uuid = old ? vg_xstrdup((const char *)old) : NULL;
    xmlFree(old);
    char *out = dump(doc);
    xmlFreeDoc(doc);
    return out;
}

static xmlNodePtr find_controller(xmlNodePtr devices, xmlChar *type, xmlChar *index)
{
    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, X("controller")) &&
            attr_is(c, "type", type ? (const char *)type : "") &&
            attr_is(c, "index", index ? (const char *)index : ""))
            return c;
    return NULL;
}

void vg_domain_added_controllers(const char *before, const char *after, struct vg_sbuf *out)
{
    xmlDocPtr a = parse(before), b = parse(after);
    xmlNodePtr ra = a ? xmlDocGetRootElement(a) : NULL, rb = b ? xmlDocGetRootElement(b) : NULL;
    xmlNodePtr da = ra ? child(ra, "devices") : NULL, db = rb ? child(rb, "devices") : NULL;
    size_t n = 0;
    for (xmlNodePtr c = db ? db->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, X("controller")))
            continue;
        xmlChar *type = xmlGetProp(c, X("type")), *index = xmlGetProp(c, X("index"));
        xmlChar *model = xmlGetProp(c, X("model"));
        if (!find_controller(da, type, index))
            vg_sbuf_printf(out, "%s%s (index %s)", n++ ? ", " : "; libvirt adds <controller> ",
                           model  ? (const char *)model
                           : type ? (const char *)type
                                  : "?",
                           index ? (const char *)index : "?");
        xmlFree(type);
        xmlFree(index);
        xmlFree(model);
    }
    if (a)
        xmlFreeDoc(a);
    if (b)
        xmlFreeDoc(b);
}
