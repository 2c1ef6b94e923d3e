/* libFuzzer target: the client's Looking Glass B7 transport backend (vg_transport_lgmp) over a
 * region the input is, with a scripted host at its end (lgmp_transport_fuzz.h). Any read
 * outside the region or outside a buffer sized from what the backend returned, and any broken
 * contract in its answers, is a bug in the backend. */
#include "lgmp_transport_fuzz.h"

#include "vg/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* The backend logs every session and every rejected frame; that is noise here. */
    vg_log_set_level(VG_LOG_ERROR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    lgmp_transport_fuzz_run(data, len, NULL);
    return 0;
}
