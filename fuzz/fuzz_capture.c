/* A whole capture file, as bytes, through everything `tlsdiag analyze` runs:
 * the pass from memory (libpcap, and our pcapng reader when libpcap
 * refuses), link/IP decoding, reassembly, the stream dissectors, nDPI (for
 * one input length in 32), the facts builder, the rule packs in
 * rules/packs/, the report in every output format. The bytes are read where
 * libFuzzer put them: nothing touches the disk. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diagnose.h"
#include "harness.h"
#include "report_format.h"

static struct diagnose_options options;
static struct diagnoser *diagnoser;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* The fuzz binaries live at varying depths under build/; the packs are
     * found through the source tree the binary was built from. */
    setenv("TLSDIAG_RULES", FUZZ_SOURCE_DIR "/rules/packs", 0);
    diagnose_default_options(&options);
    diagnoser = diagnoser_new(&options, NULL);
    if (!diagnoser)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Setting up nDPI costs ~80 ms, a hundred times the rest of a small
     * run, so only one input length in 32 pays for flow classification. */
    options.pipeline.classify = size % 32 == 0;
    cJSON *report = NULL;
    if (diagnose_memory(diagnoser, "fuzz-input.pcap", data, size, &report) != PASS_UNUSABLE) {
        for (const struct report_format *f = report_formats; f->name; f++)
            report_format_write_one(f, fuzz_null_file(), report);
        cJSON_Delete(report);
    }
    return 0;
}
