#include "model/model.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fsroot.h"

static bool has_flag(const char *flags_line, const char *flag)
{
    return vg_cmdline_has(flags_line, flag);
}

void vg_model_cpu(struct vg_host *h)
{
    char *info = vg_root_read(h->root, "/proc/cpuinfo", NULL);
    h->kvm_nested_paging = -1;
    if (info) {
        if (strstr(info, "GenuineIntel"))
            h->cpu = VG_CPU_INTEL;
        else if (strstr(info, "AuthenticAMD"))
            h->cpu = VG_CPU_AMD;
        /* The first "flags" line is enough: all cores of a host share the feature set. */
        char *flags = strstr(info, "\nflags");
        if (flags) {
            char *colon = strchr(flags, ':');
            char *nl = colon ? strchr(colon, '\n') : NULL;
            if (nl)
                *nl = 0;
            if (colon)
                h->cpu_virt = has_flag(colon + 1, "vmx") || has_flag(colon + 1, "svm");
        }
        free(info);
    }
    h->kvm_dev = vg_root_exists(h->root, "/dev/kvm");
    if (h->kvm_dev) {
        char full[4096];
        h->kvm_access =
            vg_root_path(h->root, "/dev/kvm", full, sizeof(full)) && access(full, R_OK | W_OK) == 0;
    }
    char v[16];
    const char *param = h->cpu == VG_CPU_AMD ? "/sys/module/kvm_amd/parameters/npt"
                                             : "/sys/module/kvm_intel/parameters/ept";
    if (vg_root_line(h->root, param, v, sizeof(v)))
        h->kvm_nested_paging = (v[0] == 'Y' || v[0] == 'y' || v[0] == '1') ? 1 : 0;
}
