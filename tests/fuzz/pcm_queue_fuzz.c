#include "pcm_queue_fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "audio_pcm_queue.h"

#define MAX_PUSH (65535u << 6)

static void require(int cond)
{
    if (!cond)
        abort();
}

static uint8_t byte_at(const uint8_t *data, size_t len, size_t i)
{
    return i < len ? data[i] : 0;
}

/* What the consumer was handed: each chunk's bytes follow on from the byte before them. */
static void check_read(int r, const struct vg_audio_read *rd, const uint8_t *dst, size_t cap)
{
    if (r == VG_AUDIO_READ_NONE)
        return;
    struct vg_audio_format f;
    size_t chunk = 0;
    char why[160];
    require(vg_pcm_format_check((int)rd->fmt.bits, (int)rd->fmt.channels, (int)rd->fmt.rate, &f,
                                &chunk, why, sizeof(why)));
    require(vg_audio_format_equal(&f, &rd->fmt) && chunk == rd->chunk_bytes);
    require(chunk <= VG_PCM_MAX_CHUNK_BYTES);
    if (r != VG_AUDIO_READ_CHUNK)
        return;
    require(rd->len == chunk && chunk <= cap);
    for (size_t i = 1; i < rd->len; i++)
        require(dst[i] == (uint8_t)(dst[0] + i));
}

int pcm_queue_fuzz_run(const uint8_t *data, size_t len)
{
    struct vg_pcm_queue *q = vg_pcm_queue_create(1 + byte_at(data, len, 0) % 32);
    uint8_t *dst = malloc(VG_PCM_MAX_CHUNK_BYTES);
    uint8_t *pcm = malloc(MAX_PUSH);
    int chunks = 0;
    uint8_t next = 0; /* the byte the next accepted push starts with */
    if (!q || !dst || !pcm)
        goto out;
    for (size_t i = 1; i < len; i++) {
        uint8_t op = data[i];
        struct vg_audio_read rd;
        uint64_t at;
        int r;
        switch (op % 8) {
        case 0: {
            int bits = (int8_t)byte_at(data, len, i + 1);
            int channels = (int8_t)byte_at(data, len, i + 2);
            int rate = (int)((uint32_t)byte_at(data, len, i + 3) |
                             (uint32_t)byte_at(data, len, i + 4) << 8 |
                             (uint32_t)byte_at(data, len, i + 5) << 16);
            if (op & 0x80)
                rate = -rate;
            vg_pcm_queue_start(q, bits, channels, rate);
            i += 5;
            break;
        }
        case 1: {
            size_t n = ((size_t)byte_at(data, len, i + 1) | (size_t)byte_at(data, len, i + 2) << 8)
                       << ((op >> 4) % 7);
            i += 2;
            for (size_t k = 0; k < n; k++)
                pcm[k] = (uint8_t)(next + k);
            if (vg_pcm_queue_push(q, pcm, n, i))
                next = (uint8_t)(next + n);
            break;
        }
        case 2:
            vg_pcm_queue_stop(q);
            break;
        case 3:
            vg_pcm_queue_disconnected(q, "gone");
            break;
        case 4:
        case 5: {
            size_t cap =
                op % 8 == 4 ? VG_PCM_MAX_CHUNK_BYTES : (size_t)byte_at(data, len, ++i) * 64u;
            r = vg_pcm_queue_read(q, dst, cap, &rd, &at);
            check_read(r, &rd, dst, cap);
            chunks += r == VG_AUDIO_READ_CHUNK;
            break;
        }
        case 6:
            vg_pcm_queue_set_max_behind(q, byte_at(data, len, ++i));
            break;
        default:
            for (int k = 0; k < 512; k++) {
                r = vg_pcm_queue_read(q, dst, VG_PCM_MAX_CHUNK_BYTES, &rd, &at);
                check_read(r, &rd, dst, VG_PCM_MAX_CHUNK_BYTES);
                chunks += r == VG_AUDIO_READ_CHUNK;
                if (r == VG_AUDIO_READ_NONE)
                    break;
            }
            break;
        }
    }
out:
    vg_pcm_queue_destroy(q);
    free(dst);
    free(pcm);
    return chunks;
}
