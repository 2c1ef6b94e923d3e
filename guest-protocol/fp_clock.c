/* The producer-clock offset estimator (vg/fp_clock.h): the minimum of local - peer over a
 * window of recent samples. */
#include "vg/fp_clock.h"

#include <string.h>

void vg_fp_clock_sync_reset(struct vg_fp_clock_sync *s)
{
    memset(s, 0, sizeof(*s));
}

void vg_fp_clock_sync_sample(struct vg_fp_clock_sync *s, uint64_t peer_ns, uint64_t local_ns)
{
    /* Two's complement: the wrapped difference read as signed, without undefined behaviour. */
    const uint64_t d = local_ns - peer_ns;
    int64_t offset;
    memcpy(&offset, &d, sizeof(offset));
    s->offset[s->next] = offset;
    s->next = (s->next + 1u) % VG_FP_CLOCK_SYNC_WINDOW;
    if (s->count < VG_FP_CLOCK_SYNC_WINDOW)
        s->count++;
}

bool vg_fp_clock_sync_offset(const struct vg_fp_clock_sync *s, uint32_t min_samples,
                             int64_t *offset)
{
    if (min_samples == 0)
        min_samples = 1;
    if (min_samples > VG_FP_CLOCK_SYNC_WINDOW)
        min_samples = VG_FP_CLOCK_SYNC_WINDOW;
    if (s->count < min_samples || s->count > VG_FP_CLOCK_SYNC_WINDOW)
        return false;
    int64_t m = s->offset[0];
    for (uint32_t i = 1; i < s->count; i++) {
        if (s->offset[i] < m)
            m = s->offset[i];
    }
    *offset = m;
    return true;
}

bool vg_fp_clock_sync_to_local(const struct vg_fp_clock_sync *s, uint32_t min_samples,
                               uint64_t peer_ns, uint64_t *local_ns)
{
    int64_t offset;
    if (!vg_fp_clock_sync_offset(s, min_samples, &offset))
        return false;
    *local_ns = peer_ns + (uint64_t)offset;
    return true;
}
