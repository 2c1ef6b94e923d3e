/* Writes the seed corpus of fuzz-lgmp-client: hand-built B7-like regions (lgmp_fuzz.h).
 * Usage: fuzz-lgmp-seeds DIR */
#include <stdio.h>

#include "lgmp_fuzz.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR (an existing directory for the seed files)\n", argv[0]);
        return 2;
    }
    static uint8_t buf[LGMP_FUZZ_REGION_SIZE];
    for (int n = 0; n < LGMP_FUZZ_SEEDS; n++) {
        const size_t len = lgmp_fuzz_seed(n, buf, sizeof(buf));
        if (len == 0) {
            fprintf(stderr, "seed %d: could not be built\n", n);
            return 1;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/lgmp-seed-%d", argv[1], n);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    return 0;
}
