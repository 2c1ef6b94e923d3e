/* libFuzzer target: the SPICE playback PCM queue (pcm_queue_fuzz.h). */
#include "pcm_queue_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pcm_queue_fuzz_run(data, size);
    return 0;
}
