/* libFuzzer target: the Looking Glass B7 client (LGMP 6 / KVMFR 20) over a region the input is
 * (lgmp_fuzz.h). Any read outside the region or outside a buffer sized from a validated frame
 * or cursor, and any broken contract in the client's answers, is a bug in the client. */
#include "lgmp_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    lgmp_fuzz_run(data, len, NULL);
    return 0;
}
