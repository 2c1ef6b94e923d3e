/* vgapt-setup: check the host, bind the GPU, install hooks, edit the VM; plan first, apply on
 * request, undo the last applied plan. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/apply.h"
#include "apply/remember.h"
#include "checks/checks.h"
#include "libvirt/conn.h"
#include "libvirt/ivshmem_size.h"
#include "model/model.h"
#include "plan/builders.h"
#include "util/fsroot.h"
#include "vg/log.h"
#include "vg/opts.h"
#include "vg/version.h"

struct cli {
    char *root, *uri, *gpu, *domain, *resolution, *rom, *vendor_id, *user, *log_level, *mode;
    char *spice_listen;
    bool json, apply, force, ivshmem, hdr, audio, hide, hugepages, spice, spice_audio;
};

static void fputs_all(const char *s, FILE *f)
{
    fputs(s ? s : "", f);
    fflush(f);
}

static int cmd_check(const struct cli *c, const struct vg_host *h)
{
    struct vg_check_input in = {
        .libvirt_uri = c->uri, .user = c->user, .user_uid = -1, .domain = c->domain};
    char *err = NULL;
    struct vg_virt *v = vg_virt_open(c->uri, true, &err);
    in.libvirt_ok = v != NULL;
    in.libvirt_error = err;
    vg_virt_close(v);
    if (c->user) {
        struct passwd *pw = getpwnam(c->user);
        if (pw)
            in.user_uid = (long)pw->pw_uid;
    }
    /* The mode kept from before binding, for the guest GPU the checks will pick. */
    char guest[VG_BDF_LEN] = "";
    bool single;
    struct vg_sbuf why = {0};
    struct vg_seen_mode kept;
    if (vg_choose_guest_gpu(h, guest, &single, &why) && vg_recall_mode(c->root, guest, &kept))
        in.remembered = &kept;
    vg_sbuf_free(&why);
    struct vg_report r = {0};
    vg_checks_run(h, &in, &r);
    if (r.guest_gpu[0])
        vg_remember_mode(c->root, h, r.guest_gpu, NULL);
    struct vg_sbuf out = {0};
    if (c->json)
        vg_report_json(&r, &out);
    else
        vg_report_text(&r, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"), &out);
    fputs_all(out.data, stdout);
    int rc = vg_report_has_fail(&r) ? 1 : 0;
    vg_sbuf_free(&out);
    vg_report_finish(&r);
    free(err);
    return rc;
}

/* Shows the plan, and runs it with --apply. */
static int show_and_apply(const struct cli *c, struct vg_plan *p, struct vg_virt *v)
{
    struct vg_sbuf out = {0};
    vg_plan_print(p, &out);
    fputs_all(out.data, stdout);
    vg_sbuf_free(&out);
    if (vg_plan_empty(p))
        return 0;
    if (!c->apply) {
        printf("\nDry run: nothing was changed. Run the same command with --apply to do the "
               "above.\n");
        return 0;
    }
    struct vg_domain_ops ops = v ? vg_virt_ops(v) : (struct vg_domain_ops){0};
    struct vg_apply_opts o = {.domain = v ? &ops : NULL};
    if (!vg_apply(p, &o))
        return 1;
    printf("\nApplied. vgapt-setup undo reverts it.\n");
    return 0;
}

/* The frame size --ivshmem plans for, and where it came from (owned, for the plan's note):
 * --resolution, the display on the guest GPU now, the mode kept from before binding, or
 * 1920x1080. */
static char *choose_resolution(const struct cli *c, const struct vg_host *h, uint32_t *w,
                               uint32_t *hgt)
{
    if (c->resolution)
        return vg_xstrdup("--resolution"); /* *w and *hgt hold it already */
    *w = 1920;
    *hgt = 1080;
    char gpu[VG_BDF_LEN] = "";
    if (c->gpu) {
        snprintf(gpu, sizeof(gpu), "%s", c->gpu);
    } else {
        bool single;
        struct vg_sbuf why = {0};
        vg_choose_guest_gpu(h, gpu, &single, &why);
        vg_sbuf_free(&why);
    }
    const struct vg_drm_connector *now = gpu[0] ? vg_host_display(h, gpu) : NULL;
    struct vg_seen_mode kept;
    if (now) {
        *w = now->best_w;
        *hgt = now->best_h;
        vg_remember_mode(c->root, h, gpu, NULL);
        vg_info("resolution %ux%u from the guest GPU's display (--resolution overrides)", *w, *hgt);
        return vg_xasprintf("the display on %s now, %s", gpu, now->name);
    }
    if (gpu[0] && vg_recall_mode(c->root, gpu, &kept)) {
        *w = kept.w;
        *hgt = kept.h;
        vg_info("resolution %ux%u remembered from %.10s, when %s showed it (--resolution "
                "overrides)",
                *w, *hgt, kept.when, kept.connector);
        return vg_xasprintf("remembered from %.10s: %s on %s showed it while a driver still had "
                            "the GPU",
                            kept.when, kept.connector, gpu);
    }
    vg_info("resolution 1920x1080 (no display seen on the guest GPU; --resolution WxH sets it)");
    return vg_xstrdup("the default: no display seen on the guest GPU now and none remembered "
                      "from before binding; --resolution WxH sets it");
}

static int cmd_vm(const struct cli *c, const struct vg_host *h)
{
    uint32_t w = 1920, hgt = 1080;
    if (c->resolution && !vg_parse_size(c->resolution, VG_MAX_RESOLUTION, &w, &hgt)) {
        vg_err("--resolution takes WIDTHxHEIGHT, each 1 to %u (e.g. 2560x1440), not '%s'",
               VG_MAX_RESOLUTION, c->resolution);
        return 2;
    }
    char *from = c->ivshmem ? choose_resolution(c, h, &w, &hgt) : NULL;
    char *err = NULL;
    struct vg_virt *v = vg_virt_open(c->uri, false, &err);
    if (!v) {
        vg_err("cannot connect to libvirt at %s: %s (is libvirtd running? --connect URI picks "
               "another)",
               c->uri, err);
        free(err);
        free(from);
        return 1;
    }
    int rc = 1;
    char *xml = vg_virt_get_xml(v, c->domain);
    if (!xml)
        goto cleanup;
    struct vg_domain_ops ops = vg_virt_ops(v);
    struct vg_vm_request req = {
        .domain = c->domain,
        .xml = xml,
        .ivshmem = c->ivshmem,
        .width = w,
        .height = hgt,
        .resolution_given = c->resolution != NULL,
        .resolution_from = from,
        .hdr = c->hdr,
        .audio = c->audio,
        .gpu = c->gpu,
        .rom = c->rom,
        .hide_hypervisor = c->hide,
        .vendor_id = c->vendor_id,
        .hugepages = c->hugepages,
        .spice = c->spice || c->spice_listen || c->spice_audio,
        .spice_listen = c->spice_listen,
        .spice_audio = c->spice_audio,
        .user = c->user,
        .force = c->force,
        .libvirt = &ops,
    };
    struct vg_plan p;
    vg_plan_init(&p, "edit the definition of domain", c->root);
    free(p.title);
    p.title = vg_xasprintf("edit domain %s", c->domain);
    p.uri = vg_xstrdup(c->uri);
    if (vg_plan_vm(&p, h, &req)) {
        bool defines = false;
        for (size_t i = 0; i < p.n; i++)
            defines |= p.steps[i].kind == VG_STEP_DOMAIN;
        if (defines && vg_virt_is_active(v, c->domain) == 1) {
            struct vg_sbuf q = {0};
            vg_shell_quote(c->domain, &q);
            vg_sbuf_printf(&p.notes,
                           "Domain %s is running: the new definition takes effect only after "
                           "a full shutdown and start (virsh shutdown %s, wait until it is shut "
                           "off, then virsh start %s); a reboot inside the guest is not "
                           "enough.\n",
                           c->domain, q.data, q.data);
            vg_sbuf_free(&q);
        }
        rc = show_and_apply(c, &p, v);
    }
    vg_plan_finish(&p);
    free(xml);
cleanup:
    vg_virt_close(v);
    free(from);
    return rc;
}

static int cmd_undo(const struct cli *c)
{
    char *err = NULL;
    /* The plan's own connection: its domain backups belong there. */
    char *uri = vg_undo_uri(c->root);
    const char *use = uri ? uri : c->uri;
    struct vg_virt *v = vg_virt_open(use, false, &err);
    if (uri)
        printf("libvirt connection of the plan: %s\n", uri);
    if (!v && uri)
        vg_warn("libvirt at %s not reachable (%s): domain backups cannot be restored", use, err);
    free(uri);
    free(err);
    struct vg_domain_ops ops = v ? vg_virt_ops(v) : (struct vg_domain_ops){0};
    struct vg_apply_opts o = {.domain = v ? &ops : NULL};
    /* Printed as it goes: each command's output after the lines about it. */
    fflush(stdout);
    struct vg_undo_opts uo = {.apply = c->apply, .force = c->force, .live = stdout};
    struct vg_sbuf report = {0};
    bool ok = vg_undo(c->root, &o, &uo, &report);
    vg_sbuf_free(&report);
    vg_virt_close(v);
    return ok ? 0 : 1;
}

/* bind is the last run that sees the guest GPU's display: keep its mode for --ivshmem. */
static void note_kept_mode(const struct cli *c, const struct vg_host *h, struct vg_plan *p)
{
    struct vg_seen_mode m;
    char path[4200];
    vg_seen_modes_path(c->root, path, sizeof(path));
    if (vg_remember_mode(c->root, h, c->gpu, &m))
        vg_sbuf_printf(&p->notes,
                       "Display: %s shows %ux%u; kept in %s, since once vfio-pci has the GPU "
                       "the host no longer sees it: --ivshmem sizes the frame region for that "
                       "mode.\n",
                       m.connector, m.w, m.h, path);
}

static bool validate(struct cli *c)
{
    if (c->gpu) {
        char bdf[VG_BDF_LEN];
        if (!vg_bdf_parse(c->gpu, bdf)) {
            vg_err("--gpu takes a PCI address like 0000:0a:00.0 or 0a:00.0, not '%s'", c->gpu);
            return false;
        }
        vg_opts_set_string(&c->gpu, bdf);
    }
    if (c->domain && !vg_valid_domain_name(c->domain)) {
        vg_err("--domain '%s': libvirt names have no '/', and vgapt-setup takes none with "
               "control characters (virsh list --all shows the names; virsh domrename gives a "
               "domain another)",
               c->domain);
        return false;
    }
    if (c->user && !vg_valid_user_name(c->user)) {
        vg_err("--user '%s' is not a valid user name", c->user);
        return false;
    }
    if (c->vendor_id && !vg_valid_vendor_id(c->vendor_id)) {
        vg_err("--vendor-id takes 1 to 12 letters or digits, not '%s'", c->vendor_id);
        return false;
    }
    if (c->rom && !vg_valid_path(c->rom)) {
        vg_err("--rom takes an absolute path without quotes or shell characters, not '%s'", c->rom);
        return false;
    }
    if (!vg_root_is_dir(c->root, "/")) {
        vg_err("--root '%s' is not a directory", c->root);
        return false;
    }
    if (c->rom && !vg_root_exists(c->root, c->rom))
        vg_warn("--rom %s does not exist (yet): libvirt will refuse to start the VM without it",
                c->rom);
    return true;
}

int main(int argc, char **argv)
{
    struct cli c = {.audio = true};
    vg_opts_set_string(&c.root, "/");
    vg_opts_set_string(&c.uri, "qemu:///system");
    vg_opts_set_string(&c.vendor_id, "vgaptvgapt");
    vg_opts_set_string(&c.log_level, "info");
    vg_opts_set_string(&c.mode, "single");
    const char *sudo_user = getenv("SUDO_USER");
    if (sudo_user && vg_valid_user_name(sudo_user))
        vg_opts_set_string(&c.user, sudo_user);
    const struct vg_opt opts[] = {
        {"root", 0, VG_OPT_STRING, &c.root, 0, 0, NULL, "DIR", "read and write the host under DIR",
         NULL, NULL},
        {"connect", 'c', VG_OPT_STRING, &c.uri, 0, 0, NULL, "URI", "libvirt connection", NULL,
         NULL},
        {"json", 0, VG_OPT_FLAG, &c.json, 0, 0, NULL, NULL, "check: machine-readable output", NULL,
         NULL},
        {"apply", 0, VG_OPT_FLAG, &c.apply, 0, 0, NULL, NULL,
         "carry out the plan (without it, only show it)", NULL, NULL},
        {"force", 0, VG_OPT_FLAG, &c.force, 0, 0, NULL, NULL,
         "pass a shared IOMMU group or the boot GPU anyway; undo: overwrite what changed "
         "since the apply",
         NULL, NULL},
        {"gpu", 'g', VG_OPT_STRING, &c.gpu, 0, 0, NULL, "BDF", "the guest GPU (0000:0a:00.0)", NULL,
         NULL},
        {"domain", 'd', VG_OPT_STRING, &c.domain, 0, 0, NULL, "NAME", "the libvirt domain", NULL,
         NULL},
        {"ivshmem", 0, VG_OPT_FLAG, &c.ivshmem, 0, 0, NULL, NULL, "add the shared-memory devices",
         NULL, NULL},
        {"resolution", 0, VG_OPT_STRING, &c.resolution, 0, 0, NULL, "WxH",
         "frame size for the IVSHMEM size", NULL,
         "the guest GPU's display, else the mode kept from before binding, else 1920x1080"},
        {"hdr", 0, VG_OPT_FLAG, &c.hdr, 0, 0, NULL, NULL, "size the IVSHMEM for HDR frames", NULL,
         NULL},
        {"audio", 0, VG_OPT_FLAG, &c.audio, 0, 0, NULL, NULL,
         "with --ivshmem: the 2 MiB Scream region", NULL, NULL},
        {"rom", 0, VG_OPT_STRING, &c.rom, 0, 0, NULL, "FILE", "with --gpu: ROM file for the GPU",
         NULL, NULL},
        {"hide-hypervisor", 0, VG_OPT_FLAG, &c.hide, 0, 0, NULL, NULL,
         "hide KVM from the guest driver (Code 43)", NULL, NULL},
        {"vendor-id", 0, VG_OPT_STRING, &c.vendor_id, 0, 0, NULL, "ID",
         "hyperv vendor_id (1-12 letters/digits)", NULL, NULL},
        {"hugepages", 0, VG_OPT_FLAG, &c.hugepages, 0, 0, NULL, NULL,
         "back the VM's memory with hugepages", NULL, NULL},
        {"spice", 0, VG_OPT_FLAG, &c.spice, 0, 0, NULL, NULL,
         "SPICE keyboard and mouse for vgapt-client --spice (unix socket)", NULL, NULL},
        {"spice-listen", 0, VG_OPT_STRING, &c.spice_listen, 0, 0, NULL, "ADDR",
         "SPICE on TCP at ADDR with autoport, not a socket (implies --spice; non-loopback needs "
         "--force)",
         NULL, NULL},
        {"spice-audio", 0, VG_OPT_FLAG, &c.spice_audio, 0, 0, NULL, NULL,
         "ich9 sound played through SPICE (implies --spice)", NULL, NULL},
        {"user", 'u', VG_OPT_STRING, &c.user, 0, 0, NULL, "USER",
         "who runs vgapt-client (owner of /dev/shm files)", NULL,
         "$SUDO_USER, the user who ran sudo; none without sudo"},
        {"mode", 0, VG_OPT_STRING, &c.mode, 0, 0, NULL, "single|dynamic",
         "hooks: single-GPU or dual-GPU dynamic", NULL, NULL},
        {"log-level", 0, VG_OPT_STRING, &c.log_level, 0, 0, NULL, "LEVEL",
         "error, warn, info, debug", NULL, NULL},
    };
    const size_t n_opts = sizeof(opts) / sizeof(opts[0]);
    const struct vg_opts_program prog = {
        .name = "vgapt-setup",
        .usage = "[check|bind|unbind|hooks|undo] [OPTIONS]",
        .summary = "Checks the host for GPU passthrough, binds the guest GPU to vfio-pci, "
                   "installs libvirt hooks and edits the VM definition (--ivshmem, --gpu, "
                   "--hide-hypervisor, --hugepages, --spice with --domain). Every change is "
                   "shown as a plan first; --apply runs it, undo reverts it.",
        .version = VG_VERSION,
    };
    vg_log_init("vgapt-setup", VG_LOG_INFO);
    const char *pos[2];
    size_t npos = 0;
    int rc = 2;
    enum vg_opts_result pr = vg_opts_parse(&prog, opts, n_opts, argc, argv, pos, 1, &npos);
    if (pr != VG_OPTS_OK) {
        rc = pr == VG_OPTS_EXIT_OK ? 0 : 2;
        goto cleanup;
    }
    enum vg_log_level lvl;
    if (!vg_log_level_parse(c.log_level, &lvl)) {
        vg_err("--log-level takes error, warn, info or debug, not '%s'", c.log_level);
        goto cleanup;
    }
    vg_log_set_level(lvl);
    const char *cmd = npos ? pos[0] : NULL;
    bool vm_edit = c.ivshmem || c.hide || c.hugepages || c.spice || c.spice_listen ||
                   c.spice_audio || (c.gpu && c.domain && !cmd);
    if (!cmd)
        cmd = vm_edit ? "vm" : "check";
    if (!validate(&c))
        goto cleanup;
    if (!strcmp(cmd, "undo")) {
        rc = cmd_undo(&c);
        goto cleanup;
    }
    struct vg_host h;
    if (!vg_host_load(&h, c.root)) {
        vg_err("cannot read the host under %s", c.root);
        rc = 1;
        goto cleanup;
    }
    if (!strcmp(cmd, "check")) {
        rc = cmd_check(&c, &h);
    } else if (!strcmp(cmd, "vm")) {
        if (!c.domain) {
            vg_err("VM edits need --domain NAME (virsh list --all shows the names)");
        } else {
            rc = cmd_vm(&c, &h);
        }
    } else if (!strcmp(cmd, "bind") || !strcmp(cmd, "unbind")) {
        struct vg_plan p;
        bool bind = !strcmp(cmd, "bind");
        if (bind && !c.gpu) {
            vg_err("bind needs --gpu BDF (vgapt-setup check names the guest GPU)");
        } else {
            char *title =
                bind ? vg_xasprintf("bind %s and its IOMMU group to vfio-pci at boot", c.gpu)
                     : vg_xstrdup("undo boot-time vfio-pci binding");
            vg_plan_init(&p, title, c.root);
            free(title);
            bool ok = bind ? vg_plan_bind(&p, &h, c.gpu, c.force) : vg_plan_unbind(&p, &h);
            if (ok && bind)
                note_kept_mode(&c, &h, &p);
            rc = ok ? show_and_apply(&c, &p, NULL) : 1;
            vg_plan_finish(&p);
        }
    } else if (!strcmp(cmd, "hooks")) {
        if (!c.gpu || !c.domain) {
            vg_err("hooks needs --domain NAME and --gpu BDF");
        } else if (strcmp(c.mode, "single") && strcmp(c.mode, "dynamic")) {
            vg_err("--mode takes single or dynamic, not '%s'", c.mode);
        } else {
            struct vg_plan p;
            char *title =
                vg_xasprintf("libvirt hooks: %s for domain %s (%s)", c.gpu, c.domain, c.mode);
            vg_plan_init(&p, title, c.root);
            free(title);
            bool ok = vg_plan_hooks(&p, &h, c.domain, c.gpu,
                                    strcmp(c.mode, "single") ? VG_HOOKS_DYNAMIC : VG_HOOKS_SINGLE,
                                    c.force);
            rc = ok ? show_and_apply(&c, &p, NULL) : 1;
            vg_plan_finish(&p);
        }
    } else {
        vg_err("unknown command '%s': check, bind, unbind, hooks or undo (--help)", cmd);
    }
    vg_host_finish(&h);
cleanup:
    vg_opts_free(opts, n_opts);
    return rc;
}
