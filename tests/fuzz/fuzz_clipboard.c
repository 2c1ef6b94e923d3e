/* libFuzzer target: the clipboard exchange (clipboard_fuzz.h). */
#include "clipboard_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clipboard_fuzz_run(data, size);
    return 0;
}
