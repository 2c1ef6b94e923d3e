/* vgapt-client: shows a VM guest's frames from IVSHMEM shared memory. */
#include "app.h"
#include "client_domain.h"
#include "config.h"
#include "vg/log.h"

int main(int argc, char **argv)
{
    vg_log_init("vgapt-client", VG_LOG_INFO);
    struct vg_client_config cfg;
    enum vg_client_parse p = vg_client_config_parse(&cfg, argc, argv);
    int status = p == VG_CLIENT_EXIT_OK ? 0 : 2;
    if (p == VG_CLIENT_RUN) {
        vg_log_set_level((enum vg_log_level)cfg.log_level);
        struct vg_client_domain *dom;
        status = 1;
        if (vg_client_domain_apply(&cfg, &dom))
            status = vg_client_run(&cfg);
        vg_client_domain_destroy(dom);
    }
    vg_client_config_free(&cfg);
    return status;
}
