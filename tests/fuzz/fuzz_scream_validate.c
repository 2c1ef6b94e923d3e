/* libFuzzer target: the Scream header validator, a reader of what it validates, and the writer
 * (scream_fuzz.h). */
#include "scream_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    scream_fuzz_run(data, len);
    return 0;
}
