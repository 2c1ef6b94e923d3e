/* A domain's XML → the regions and the SPICE graphics the client uses (domain.h). */
#include "domain.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define X(s) ((const xmlChar *)(s))

static bool is_element(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, X(name)) == 0;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent->children; c; c = c->next)
        if (is_element(c, name))
            return c;
    return NULL;
}

/* A name that names one file right under /dev/shm: libvirt's text could hold anything. */
static bool good_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(((struct vg_domain_region *)0)->name) || strcmp(s, ".") == 0 ||
        strcmp(s, "..") == 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x21 || *p > 0x7e || *p == '/')
            return false;
    return true;
}

/* Copies s for a message: what is not printable ASCII becomes '?', long text is cut. */
static void shown(const char *s, char *out, size_t size)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < size && i < 60; i++)
        out[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
    out[i] = 0;
}

/* <size unit='U'>N</size> in bytes; libvirt's scaled units, bytes when there is no unit. */
static bool parse_size(const char *text, const char *unit, uint64_t *out)
{
    static const struct {
        const char *name;
        uint64_t scale;
    } units[] = {
        {"b", 1},
        {"bytes", 1},
        {"k", 1ull << 10},
        {"KiB", 1ull << 10},
        {"KB", 1000},
        {"m", 1ull << 20},
        {"MiB", 1ull << 20},
        {"MB", 1000000},
        {"g", 1ull << 30},
        {"GiB", 1ull << 30},
        {"GB", 1000000000},
        {"t", 1ull << 40},
        {"TiB", 1ull << 40},
        {"TB", 1000000000000ull},
    };
    uint64_t scale = 0;
    if (!unit || !unit[0]) {
        scale = 1;
    } else {
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            bool one_letter = strlen(units[i].name) == 1;
            if (one_letter ? strcasecmp(unit, units[i].name) == 0
                           : strcmp(unit, units[i].name) == 0)
                scale = units[i].scale;
        }
    }
    if (!scale || !text)
        return false;
    while (*text == ' ' || *text == '\n' || *text == '\t')
        text++;
    uint64_t v = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++)
        if (__builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
            return false;
    while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
    if (p == text || *p)
        return false;
    return !__builtin_mul_overflow(v, scale, out);
}

/* One <shmem>: its name and size into *r. Returns false with err set on bad text. */
static bool read_shmem(xmlNodePtr s, const char *name, struct vg_domain_region *r, char *err,
                       size_t err_size)
{
    char what[64];
    shown(name, what, sizeof(what));
    if (!good_name(name)) {
        snprintf(err, err_size,
                 "<shmem name='%s'>: not a file name for /dev/shm (one printable word without "
                 "'/', under %zu bytes)",
                 what, sizeof(r->name));
        return false;
    }
    uint64_t size = 0;
    xmlNodePtr sz = child(s, "size");
    if (sz) {
        xmlChar *text = xmlNodeGetContent(sz);
        xmlChar *unit = xmlGetProp(sz, X("unit"));
        bool ok = parse_size((const char *)text, (const char *)unit, &size);
        char t[64], u[64];
        shown((const char *)text, t, sizeof(t));
        shown((const char *)unit, u, sizeof(u));
        xmlFree(text);
        xmlFree(unit);
        if (!ok) {
            snprintf(err, err_size, "<shmem name='%s'>: <size unit='%s'>%s</size> is not a size",
                     what, u, t);
            return false;
        }
    }
    r->found = true;
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->size = size;
    snprintf(r->path, sizeof(r->path), "/dev/shm/%s", name);
    return true;
}

bool vg_domain_parse_xml(const char *xml, size_t len, struct vg_domain_info *out, char *err,
                         size_t err_size)
{
    memset(out, 0, sizeof(*out));
    out->spice_index = -1;
    err[0] = 0;
    if (!xml || len > (size_t)2147483647) {
        snprintf(err, err_size, "the domain's XML is missing or too large");
        return false;
    }
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    bool ok = false;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !is_element(root, "domain")) {
        snprintf(err, err_size, "the domain's XML does not parse as a <domain>");
        goto cleanup;
    }
    xmlNodePtr devices = child(root, "devices");
    /* The frame region: looking-glass, else the first other plain region. */
    struct vg_domain_region other = {0};
    char other_err[300] = "";
    int graphics = 0;
    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
        if (is_element(c, "graphics")) {
            xmlChar *type = xmlGetProp(c, X("type"));
            if (type && xmlStrcmp(type, X("spice")) == 0 && out->spice_index < 0)
                out->spice_index = graphics;
            xmlFree(type);
            graphics++;
            continue;
        }
        if (!is_element(c, "shmem"))
            continue;
        out->n_shmem++;
        xmlChar *name = xmlGetProp(c, X("name"));
        xmlNodePtr model = child(c, "model");
        xmlChar *type = model ? xmlGetProp(model, X("type")) : NULL;
        /* A doorbell region (or a plain one with a <server>) lives where its server says, not
         * at /dev/shm/NAME: not ours to map. libvirt's default model is ivshmem-plain. */
        bool plain = (!type || xmlStrcmp(type, X("ivshmem-plain")) == 0) && !child(c, "server");
        const char *n = name ? (const char *)name : "";
        struct vg_domain_region *r = NULL;
        if (plain && strcmp(n, VG_DOMAIN_SHM_SCREAM) == 0 && !out->scream.found)
            r = &out->scream;
        else if (plain && strcmp(n, VG_DOMAIN_SHM_FRAMES) == 0 && !out->frames.found)
            r = &out->frames;
        bool good = !r || read_shmem(c, n, r, err, err_size);
        /* Another region matters only when there is no looking-glass one: judged at the end. */
        if (!r && plain && !other.found && !other_err[0] && strcmp(n, VG_DOMAIN_SHM_SCREAM) != 0)
            read_shmem(c, n, &other, other_err, sizeof(other_err));
        xmlFree(type);
        xmlFree(name);
        if (!good)
            goto cleanup;
    }
    if (!out->frames.found && other_err[0]) {
        snprintf(err, err_size, "%s", other_err);
        goto cleanup;
    }
    if (!out->frames.found)
        out->frames = other;
    ok = true;
cleanup:
    xmlFreeDoc(doc);
    return ok;
}
