#include "bench_source.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "vg/fp.h"
#include "vg/lgmp.h"
#include "vg/time.h"

_Static_assert(sizeof(struct vg_rect) == sizeof(struct vg_fp_rect) &&
                   sizeof(struct vg_rect) == sizeof(struct vg_kvmfr_damage_rect),
               "damage rects share one layout");

const char *vg_bench_protocol_name(enum vg_bench_protocol p)
{
    return p == VG_BENCH_LGMP ? "lgmp" : "vgfp";
}

static uint64_t now_ms(void)
{
    return vg_time_ns() / VG_NS_PER_MS;
}

bool vg_bench_source_open(struct vg_bench_source *s, enum vg_bench_protocol p, uint32_t w,
                          uint32_t h)
{
    *s = (struct vg_bench_source){.proto = p};
    /* Each protocol's own sizing rule: what vgapt-setup --ivshmem gives a real VM. */
    uint64_t size = p == VG_BENCH_LGMP ? vg_kvmfr_recommended_size(h, w * 4)
                                       : vg_fp_region_size_for(w, h, VG_FP_FORMAT_BGRA8, 3);
    s->region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s->region == MAP_FAILED) {
        s->region = NULL;
        fprintf(stderr, "vgapt-bench: cannot map %llu bytes\n", (unsigned long long)size);
        return false;
    }
    s->size = size;
    if (p == VG_BENCH_LGMP) {
        const struct vg_kvmfr_producer_config cfg = {.capture = "vgapt-bench"};
        s->lg = vg_kvmfr_producer_create(s->region, size, &cfg, now_ms());
        s->tops = &vg_transport_lgmp;
    } else {
        struct vg_fp_producer_config pc = {.slot_count = 3, .clock = VG_FP_CLOCK_HOST_MONOTONIC};
        s->fp = vg_fp_producer_create(s->region, size, &pc);
        s->tops = &vg_transport_vgfp;
    }
    if (!s->lg && !s->fp)
        return false;
    const struct vg_transport_map map = {
        .base = s->region, .size = size, .writable = true, .kind = VG_MAP_SHM_FILE, .fd = -1};
    s->t = s->tops->create(&map, VG_NS_PER_S);
    if (!s->t)
        return false;
    /* LGMP needs the heartbeat to move before a session starts. */
    for (int i = 0; i < 200; i++) {
        if (s->lg)
            vg_kvmfr_producer_tick(s->lg, now_ms());
        else
            vg_fp_producer_heartbeat(s->fp, vg_time_ns());
        struct vg_transport_status st;
        if (s->tops->poll(s->t, vg_time_ns(), &st) || (s->fp && i > 0))
            return true;
        vg_sleep_ns(10 * VG_NS_PER_MS);
    }
    fprintf(stderr, "vgapt-bench: the %s transport never became ready\n",
            vg_bench_protocol_name(p));
    return false;
}

void vg_bench_source_close(struct vg_bench_source *s)
{
    if (s->t)
        s->tops->destroy(s->t);
    vg_fp_producer_destroy(s->fp);
    vg_kvmfr_producer_destroy(s->lg);
    if (s->region)
        munmap(s->region, s->size);
    *s = (struct vg_bench_source){0};
}

bool vg_bench_source_submit(struct vg_bench_source *s, const uint8_t *src, uint32_t w, uint32_t h,
                            const struct vg_rect *damage)
{
    if (s->fp) {
        struct vg_fp_frame_desc desc = {VG_FP_FORMAT_BGRA8, w, h, vg_time_ns()};
        const struct vg_fp_rect *d = (const struct vg_fp_rect *)damage;
        return vg_fp_producer_submit(s->fp, &desc, src, (size_t)w * 4, d, d ? 1 : 0) == 0;
    }
    const struct vg_kvmfr_frame_params fp = {.type = VG_KVMFR_FRAME_BGRA,
                                             .frame_width = w,
                                             .frame_height = h,
                                             .stop_after = UINT64_MAX};
    const struct vg_kvmfr_damage_rect *d = (const struct vg_kvmfr_damage_rect *)damage;
    /* The host's 10 ms timer, which a real host runs on its own thread: the heartbeat. */
    vg_kvmfr_producer_tick(s->lg, now_ms());
    for (int i = 0; i < 1000; i++) {
        int r = vg_kvmfr_producer_submit(s->lg, &fp, src, (size_t)w * 4, d, d ? 1 : 0, now_ms());
        if (r != -EBUSY)
            return r == 0;
        vg_kvmfr_producer_tick(s->lg, now_ms());
        vg_sleep_ns(100 * VG_NS_PER_US);
    }
    return false;
}
