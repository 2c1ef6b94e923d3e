#include "scream_reader_fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "scream_reader.h"

static void require(int cond)
{
    if (!cond)
        abort();
}

int scream_reader_fuzz_run(const uint8_t *data, size_t len)
{
    if (len < 26)
        return 0;
    size_t size = VG_SCREAM_HEADER_SIZE + ((size_t)data[0] | (size_t)data[1] << 8);
    uint8_t *region = malloc(size);
    size_t cap = 384000 / 50 * 4 * 8;
    uint8_t *dst = malloc(cap);
    int chunks = 0;
    if (!region || !dst)
        goto out;
    memset(region, 0, size);
    memcpy(region, data + 2, VG_SCREAM_HEADER_SIZE);
    struct vg_scream_reader r;
    vg_scream_reader_init(&r, region, size, 1 + data[2] % 8);
    for (size_t i = 26; i < len; i++) {
        uint8_t op = data[i], arg = i + 1 < len ? data[i + 1] : 0;
        struct vg_scream_read_info info;
        enum vg_scream_read_status st;
        switch (op % 6) {
        case 0:
        case 1: {
            size_t c = op % 6 == 0 ? cap : arg;
            st = vg_scream_reader_next(&r, dst, c, &info);
            if (st == VG_SCREAM_READ_CHUNK) {
                const struct vg_scream_layout *l = &info.layout;
                require(l->chunk_size <= c);
                require((uint64_t)l->offset + (uint64_t)l->max_chunks * l->chunk_size <= size);
                chunks++;
            }
            break;
        }
        case 2: /* the writer publishes a chunk index */
            region[4] = arg;
            region[5] = (uint8_t)(op >> 3);
            i++;
            break;
        case 3: /* a header byte changes */
            region[(op >> 3) % VG_SCREAM_HEADER_SIZE] = arg;
            i++;
            break;
        case 4: /* chunk data changes */
            if (size > VG_SCREAM_HEADER_SIZE)
                memset(region + VG_SCREAM_HEADER_SIZE, arg, size - VG_SCREAM_HEADER_SIZE);
            i++;
            break;
        default: /* the stream closes, or reopens with the input's header */
            if (op & 8)
                memset(region, 0, VG_SCREAM_HEADER_SIZE);
            else
                memcpy(region, data + 2, VG_SCREAM_HEADER_SIZE);
            break;
        }
    }
out:
    free(region);
    free(dst);
    return chunks;
}
