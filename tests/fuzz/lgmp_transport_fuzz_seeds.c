/* Writes the seed corpus of fuzz-lgmp-transport (lgmp_transport_fuzz.h): the hand-built B7-like
 * regions and regions the KVMFR producer wrote, each with a host script at its end. The
 * producer's regions are 4 MiB (its cursor buffers alone take 3.2 MiB): run the fuzzer with
 * -max_len=4300000.
 * Usage: fuzz-lgmp-transport-seeds DIR */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "lgmp_transport_fuzz.h"
#include "vg/log.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR (an existing directory for the seed files)\n", argv[0]);
        return 2;
    }
    vg_log_set_level(VG_LOG_WARN);
    uint8_t *buf = malloc(LGMP_TRANSPORT_FUZZ_SEED_CAP);
    if (!buf) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    int ret = 0;
    for (int n = 0; n < LGMP_TRANSPORT_FUZZ_SEEDS && ret == 0; n++) {
        const size_t len = lgmp_transport_fuzz_seed(n, buf, LGMP_TRANSPORT_FUZZ_SEED_CAP);
        if (len == 0) {
            fprintf(stderr, "seed %d: could not be built\n", n);
            ret = 1;
            break;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/lgmp-transport-seed-%d", argv[1], n);
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(buf, 1, len, f) == len;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok) {
            perror(path);
            ret = 1;
        }
    }
    free(buf);
    return ret;
}
