/* Writes the seed corpus of fuzz-fp-consumer: regions made by a real producer, in the compact
 * input format (fp_fuzz.h). Usage: fuzz-fp-seeds DIR */
#include <stdio.h>

#include "fp_fuzz.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR (an existing directory for the seed files)\n", argv[0]);
        return 2;
    }
    static uint8_t buf[8192];
    for (int n = 0; n < FP_FUZZ_SEEDS; n++) {
        const size_t len = fp_fuzz_seed(n, buf, sizeof(buf));
        if (len == 0) {
            fprintf(stderr, "seed %d: the producer failed\n", n);
            return 1;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/seed-%d", argv[1], n);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    return 0;
}
