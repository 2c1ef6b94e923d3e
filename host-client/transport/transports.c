#include "transport.h"

/* Probe order: each backend recognises its own magic, so the order only matters for speed. */
const struct vg_transport_ops *const vg_transports[] = {
#ifdef VG_HAVE_TRANSPORT_VGFP
    &vg_transport_vgfp,
#endif
#ifdef VG_HAVE_TRANSPORT_LGMP
    &vg_transport_lgmp,
#endif
    NULL,
};
