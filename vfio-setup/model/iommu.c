#include "model/model.h"

#include <stdio.h>

#include "util/fsroot.h"

void vg_model_iommu(struct vg_host *h)
{
    h->acpi_dmar = vg_root_exists(h->root, "/sys/firmware/acpi/tables/DMAR");
    h->acpi_ivrs = vg_root_exists(h->root, "/sys/firmware/acpi/tables/IVRS");
    char **names;
    int n = vg_root_list(h->root, "/sys/kernel/iommu_groups", &names);
    h->n_iommu_groups = n > 0 ? n : 0;
    h->group_type[0] = 0;
    if (n > 0) {
        char path[128];
        snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/type", names[0]);
        vg_root_line(h->root, path, h->group_type, sizeof(h->group_type));
    }
    vg_root_names_free(names, n);
}
