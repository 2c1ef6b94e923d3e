/* libFuzzer target: the Scream ring reader (scream_reader_fuzz.h). */
#include "scream_reader_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scream_reader_fuzz_run(data, size);
    return 0;
}
