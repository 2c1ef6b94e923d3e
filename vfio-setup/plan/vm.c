#include "plan/builders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checks.h"
#include "libvirt/domain_edit.h"
#include "libvirt/ivshmem_size.h"
#include "util/fsroot.h"
#include "vg/log.h"

#define TMPFILES "/etc/tmpfiles.d/vgapt.conf"
#define SYSCTL "/etc/sysctl.d/90-vgapt-hugepages.conf"
/* The qemu driver's own directory, which libvirt gives to the QEMU user: QEMU creates the
 * socket there (it may not in /run/libvirt/qemu, root's), and other users may pass through. */
#define SPICE_SOCKET_DIR "/var/lib/libvirt/qemu"

/* SPICE_SOCKET_DIR/vgapt-NAME.spice, with what a file name had better not hold in NAME made '_'
 * and NAME cut to keep the path within a unix socket address. */
static void spice_socket_path(const char *domain, char *out, size_t size)
{
    char name[65];
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)domain; *c && n < sizeof(name) - 1; c++)
        name[n++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                            (*c >= '0' && *c <= '9') || strchr("._+-", *c)
                        ? (char)*c
                        : '_';
    name[n] = 0;
    snprintf(out, size, "%s/vgapt-%s.spice", SPICE_SOCKET_DIR, name);
}

static void spice_notes(struct vg_plan *p, const struct vg_vm_request *r,
                        const struct vg_spice_listener *l)
{
    struct vg_sbuf *n = &p->notes;
    struct vg_sbuf q = {0};
    vg_shell_quote(r->domain, &q);
    if (l->socket) {
        struct vg_sbuf arg = {0}, qa = {0};
        vg_sbuf_printf(&arg, "unix:%s", l->socket);
        vg_shell_quote(arg.data, &qa);
        vg_sbuf_printf(n,
                       "SPICE: %son the unix socket %s, which QEMU creates when the VM starts. "
                       "Keyboard and mouse: vgapt-client --spice %s. The socket belongs to the "
                       "QEMU user and group (libvirt-qemu:kvm on Debian, qemu:qemu on Fedora): "
                       "run vgapt-client as a member of that group, or as root.\n",
                       l->kept ? "kept the VM's server " : "", l->socket, qa.data);
        vg_sbuf_free(&arg);
        vg_sbuf_free(&qa);
    } else {
        const char *addr = l->address && *l->address ? l->address : NULL;
        bool loopback = false;
        bool numeric = addr && vg_valid_ip_address(addr, &loopback);
        struct vg_sbuf at = {0};
        if (addr)
            vg_sbuf_puts(&at, addr);
        else if (l->network)
            vg_sbuf_printf(&at, "the address of libvirt network %s", l->network);
        else
            vg_sbuf_puts(&at, "qemu.conf's spice_listen (127.0.0.1 unless changed)");
        /* A wildcard listener is reached on loopback too. */
        const char *host =
            !addr || !strcmp(addr, "0.0.0.0") || !strcmp(addr, "::") ? "127.0.0.1" : addr;
        if (l->network && !addr)
            host = "ADDRESS";
        bool v6 = strchr(host, ':') != NULL;
        char port[16] = "PORT";
        if (l->port)
            snprintf(port, sizeof(port), "%u", l->port);
        vg_sbuf_printf(n,
                       "SPICE: %son %s, port %s. Keyboard and mouse: vgapt-client --spice "
                       "%s%s%s:%s",
                       l->kept ? "kept the VM's server, " : "", at.data,
                       l->port ? port : "chosen by QEMU at each start", v6 ? "[" : "", host,
                       v6 ? "]" : "", port);
        if (!l->port)
            vg_sbuf_printf(n, ", PORT from virsh domdisplay --type spice %s once it runs", q.data);
        vg_sbuf_puts(n, ".\n");
        vg_sbuf_free(&at);
        if (addr && (!numeric || !loopback))
            vg_sbuf_printf(n,
                           "Warning: SPICE listens on %s, not only on this host: whoever reaches "
                           "it types and clicks in the guest. Give it a password or a loopback "
                           "address (virsh edit %s) unless that is what you want.\n",
                           addr, q.data);
    }
    if (r->spice_audio)
        vg_sbuf_puts(n, "Sound: the ich9 device plays through SPICE; vgapt-client plays it while "
                        "connected with --spice (--audio-source spice, or auto when no Scream "
                        "ring is live).\n");
    if (l->vnc)
        vg_sbuf_printf(n,
                       "Kept the VM's VNC display: QEMU serves VNC and SPICE side by side. "
                       "vgapt-client needs only SPICE; remove <graphics type='vnc'> (virsh edit "
                       "%s) when nothing else uses it.\n",
                       q.data);
    vg_sbuf_puts(n, "In the guest: the keyboard and a USB tablet need no driver (a virtio tablet "
                    "needs virtio-win's vioinput on Windows); the SPICE agent (spice-vdagent, or "
                    "spice-guest-tools on Windows) adds the clipboard.\n");
    vg_sbuf_free(&q);
}

static void ivshmem_notes(struct vg_plan *p, const struct vg_vm_request *r, uint32_t mib)
{
    struct vg_sbuf *n = &p->notes;
    vg_sbuf_printf(n,
                   "IVSHMEM: %u MiB for %ux%u%s frames of %u bytes a pixel: room for Looking "
                   "Glass (two frames + 10 MiB) and for vgapt-guest (three frames + headers), "
                   "rounded up to a power of two.\n",
                   mib, r->width, r->height, r->hdr ? " HDR" : "", r->hdr ? 8 : 4);
    vg_sbuf_printf(n, "Resolution %ux%u: %s.\n", r->width, r->height,
                   r->resolution_from    ? r->resolution_from
                   : r->resolution_given ? "--resolution"
                                         : "as asked");
    vg_sbuf_puts(n, "In the guest:\n"
                    "  - install the IVSHMEM driver (virtio-win's ivshmem, \"PCI standard RAM "
                    "Controller\" in Device Manager);\n"
                    "  - run the Looking Glass host or vgapt's Linux agent (vgapt-guest);\n");
    if (r->audio)
        vg_sbuf_printf(n,
                       "  - Scream: set the DWORD HKLM\\SYSTEM\\CurrentControlSet\\Services\\"
                       "Scream\\Options\\UseIVSHMEM = %u (the size in MiB of its %u MiB "
                       "region) and restart the guest.\n",
                       VG_SCREAM_MIB, VG_SCREAM_MIB);
}

/* The tmpfiles.d rule for the /dev/shm files: without one QEMU makes them libvirt-qemu's, mode
 * 0644, and vgapt-client cannot map them read-write. A rule for a path in another file (a
 * Looking Glass guide's) is left as it is: systemd-tmpfiles follows the first one it reads. */
static void shm_rule(struct vg_plan *p, const struct vg_host *h, const struct vg_vm_request *r)
{
    const char *owner = r->user ? r->user : "root";
    const struct {
        const char *name;
        const struct vg_shm_file *f;
        bool wanted;
    } files[] = {{VG_SHM_FRAMES, &h->shm_lg, true}, {VG_SHM_SCREAM, &h->shm_scream, r->audio}};
    struct vg_sbuf text = {0};
    vg_sbuf_printf(&text, "# vgapt-setup: shared memory for vgapt-client, owned by %s%s\n", owner,
                   r->user ? "" : " and group kvm (its members open it)");
    size_t lines = 0;
    for (size_t i = 0; i < 2; i++) {
        const struct vg_shm_file *f = files[i].f;
        if (!files[i].wanted)
            continue;
        if (f->rule_file[0] && strcmp(f->rule_file, TMPFILES)) {
            vg_sbuf_printf(&p->notes,
                           "/dev/shm/%s: kept the rule in %s (%s %s:%s); vgapt-setup adds none "
                           "for it.\n",
                           files[i].name, f->rule_file, f->rule_mode, f->rule_user, f->rule_group);
            continue;
        }
        vg_sbuf_printf(&text, "f /dev/shm/%s 0660 %s kvm -\n", files[i].name, owner);
        lines++;
    }
    if (lines && vg_plan_write(p, TMPFILES, text.data, 0644,
                               r->user ? "the /dev/shm files belong to the user who runs "
                                         "vgapt-client, not to root or libvirt-qemu"
                                       : "the /dev/shm files open read-write for group kvm, "
                                         "not only for libvirt-qemu")) {
        const char *argv[] = {"systemd-tmpfiles", "--create", TMPFILES, NULL};
        vg_plan_run_kept(p, argv, "create the files now with that owner and mode",
                         "the files in /dev/shm keep their owner until the next boot");
    }
    if (lines && !r->user)
        vg_sbuf_puts(&p->notes,
                     "No --user (and no sudo to name one): the rule gives the /dev/shm files to "
                     "root and group kvm. vgapt-client opens them as a member of kvm: sudo "
                     "usermod -aG kvm USER, then log in again; or give --user USER, the user "
                     "who runs vgapt-client, for files of that user's own.\n");
    vg_sbuf_free(&text);
}

bool vg_plan_vm(struct vg_plan *p, const struct vg_host *h, const struct vg_vm_request *r)
{
    const struct vg_pci_dev *funcs[16];
    const char *bdfs[16];
    size_t n_funcs = 0;
    if (r->gpu) {
        if (!vg_gpu_passable(h, r->gpu, r->force, false))
            return false;
        n_funcs = vg_group_functions(h, r->gpu, funcs, 16);
        for (size_t i = 0; i < n_funcs; i++)
            bdfs[i] = funcs[i]->bdf;
    }
    if (r->ivshmem && r->user && !vg_host_user_known(h, r->user)) {
        vg_err("--user %s: no such user on this host: give the user who runs vgapt-client "
               "(id -un prints yours)",
               r->user);
        return false;
    }
    if (r->ivshmem && !vg_host_group_known(h, "kvm")) {
        vg_err("the tmpfiles.d rule for the /dev/shm files gives them to the group kvm, which "
               "this host lacks: create it (groupadd -r kvm) and run this again");
        return false;
    }
    bool loopback = false;
    if (r->spice_listen && !vg_valid_ip_address(r->spice_listen, &loopback)) {
        vg_err("--spice-listen takes a numeric address (127.0.0.1, ::1), not '%s'",
               r->spice_listen);
        return false;
    }
    if (r->spice_listen && !loopback && !r->force) {
        vg_err("--spice-listen %s: SPICE has no password here, and anyone who reaches that "
               "address types and clicks in the guest. Use 127.0.0.1 (or leave --spice-listen out "
               "for a unix socket); --force listens there anyway",
               r->spice_listen);
        return false;
    }
    char socket[200];
    spice_socket_path(r->domain, socket, sizeof(socket));
    struct vg_spice_listener listener = {0};
    uint32_t mib = r->ivshmem ? vg_ivshmem_size_mib(r->width, r->height, r->hdr) : 0;
    if (r->ivshmem && r->audio && mib == VG_SCREAM_MIB) {
        vg_err("the frame region may not be %u MiB like Scream's: the Scream driver finds its "
               "device by size",
               VG_SCREAM_MIB);
        return false;
    }
    struct vg_sbuf kept = {0};
    unsigned long long shm_mib = 0;
    struct vg_domain_edit e = {
        .shm_mib = &shm_mib,
        .ivshmem = r->ivshmem,
        .ivshmem_mib = mib,
        .keep_larger = !r->resolution_given,
        .notes = &kept,
        .scream = r->audio,
        .hostdevs = bdfs,
        .n_hostdevs = n_funcs,
        .rom = r->rom,
        .hide_hypervisor = r->hide_hypervisor,
        .vendor_id = r->vendor_id,
        .hugepages = r->hugepages,
        .spice = r->spice,
        .spice_socket = r->spice_listen ? NULL : socket,
        .spice_listen = r->spice_listen,
        .spice_audio = r->spice_audio,
        .spice_out = &listener,
    };
    struct vg_sbuf changes = {0};
    char *old = NULL;
    unsigned long mem_kib = 0;
    char *new_xml = vg_domain_edit(r->xml, &e, &old, &changes, &mem_kib);
    if (!new_xml) {
        if (!old)
            vg_err("domain '%s': libvirt returned XML that is not a <domain>", r->domain);
        free(old);
        vg_sbuf_free(&changes);
        vg_sbuf_free(&kept);
        vg_spice_listener_finish(&listener);
        return false;
    }
    char *why = vg_xasprintf("%s", changes.len ? changes.data : "");
    size_t wl = strlen(why);
    while (wl && why[wl - 1] == '\n')
        why[--wl] = 0;
    struct vg_sbuf joined = {0};
    for (char *c = why; *c; c++) {
        if (*c == '\n')
            vg_sbuf_puts(&joined, "; ");
        else
            vg_sbuf_putn(&joined, c, 1);
    }
    free(why);
    if (strcmp(old, new_xml) && r->libvirt && r->libvirt->preview) {
        char *why_not = NULL;
        char *held = r->libvirt->preview(r->libvirt->ctx, r->domain, new_xml, &why_not);
        if (held) {
            free(new_xml);
            new_xml = held;
            vg_domain_added_controllers(old, new_xml, &joined);
        } else {
            vg_sbuf_printf(&p->notes,
                           "The domain diff is vgapt-setup's edit, not libvirt's final form (%s): "
                           "libvirt may add controllers and PCI addresses when it defines it.\n",
                           why_not ? why_not : "no trial definition");
        }
        free(why_not);
    }
    why = vg_sbuf_take(&joined);
    if (!vg_plan_domain(p, r->domain, old, new_xml, why))
        vg_sbuf_printf(&p->notes,
                       "Domain %s already has every requested device and setting: "
                       "no change.\n",
                       r->domain);
    free(why);
    free(old);
    free(new_xml);
    vg_sbuf_free(&changes);

    if (r->ivshmem) {
        ivshmem_notes(p, r, mib);
        shm_rule(p, h, r);
    }
    if (r->spice)
        spice_notes(p, r, &listener);
    vg_spice_listener_finish(&listener);
    if (kept.len)
        vg_sbuf_puts(&p->notes, kept.data);
    vg_sbuf_free(&kept);
    /* A mistyped --resolution (16384x16384: 4 GiB) is the usual cause; the regions come out of
     * the host's memory (/dev/shm) on top of the guest's. */
    if (r->ivshmem && mem_kib && shm_mib > mem_kib / 4096)
        vg_sbuf_printf(&p->notes,
                       "Warning: the shared-memory regions take %llu MiB, more than a quarter of "
                       "the VM's %lu MiB of memory, and come out of the host's memory (/dev/shm) "
                       "on top of it: check --resolution (%ux%u%s asks for %u MiB).\n",
                       shm_mib, mem_kib / 1024, r->width, r->height, r->hdr ? " HDR" : "", mib);

    if (r->hugepages) {
        unsigned long page = h->hugepage_kib ? h->hugepage_kib : 2048;
        unsigned long pages = (mem_kib + page - 1) / page;
        char *text = vg_xasprintf("# vgapt-setup: hugepages for domain %s (%lu MiB)\n"
                                  "vm.nr_hugepages = %lu\n",
                                  r->domain, mem_kib / 1024, pages);
        char *why_h = vg_xasprintf("reserve %lu pages of %lu KiB for the VM's %lu MiB", pages, page,
                                   mem_kib / 1024);
        bool ours = vg_root_exists(h->root, SYSCTL);
        if (h->hugepages_total >= pages && !ours) {
            vg_sbuf_printf(&p->notes,
                           "Hugepages: %lu of %lu KiB already reserved, enough for the VM's "
                           "%lu MiB; no sysctl change.\n",
                           h->hugepages_total, page, mem_kib / 1024);
        } else if (vg_plan_write(p, SYSCTL, text, 0644, why_h)) {
            char undo[64];
            snprintf(undo, sizeof(undo), "vm.nr_hugepages=%lu", h->hugepages_total);
            const char *argv[] = {"sysctl", "-p", SYSCTL, NULL};
            const char *uargv[] = {"sysctl", "-w", undo, NULL};
            vg_plan_run(p, argv, uargv,
                        "reserve them now (late reservation may find memory "
                        "fragmented: a reboot then gives the full count)");
        }
        if (h->mounts_known && !h->hugetlbfs[0])
            vg_sbuf_puts(&p->notes,
                         "Hugepages: no hugetlbfs is mounted, and libvirt needs one to start the "
                         "VM with <hugepages/>: sudo mkdir -p /dev/hugepages && sudo mount -t "
                         "hugetlbfs hugetlbfs /dev/hugepages, add 'hugetlbfs /dev/hugepages "
                         "hugetlbfs defaults 0 0' to /etc/fstab for the next boots (systemd "
                         "mounts it by itself), then restart libvirtd.\n");
        free(why_h);
        free(text);
    }
    return true;
}
