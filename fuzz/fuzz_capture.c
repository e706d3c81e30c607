/* A whole capture file, as bytes, through everything `tlsdiag analyze` runs:
 * capture_open() (libpcap, and our pcapng reader when libpcap refuses),
 * link/IP decoding, reassembly, the stream dissectors, nDPI (for one input
 * length in 32), the facts builder, the rule packs in rules/packs/, the JSON report and its text form.
 * The bytes live in a memfd so nothing touches the disk. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diagnose.h"
#include "harness.h"
#include "report.h"

static struct diagnose_options options;
static struct diagnoser *diagnoser;
static struct fuzz_memfile capture_file;

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
    char err[512];
    diagnoser = diagnoser_new(&options, err, sizeof err);
    if (!diagnoser)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_memfile_write(&capture_file, data, size) != 0)
        return 0;
    /* Setting up nDPI costs ~80 ms, a hundred times the rest of a small
     * run, so only one input length in 32 pays for flow classification. */
    options.pipeline.classify = size % 32 == 0;
    /* Unusable-input messages and damaged-tail warnings go to stderr; at
     * thousands of runs a second they would drown the fuzzer's own lines. */
    FILE *saved_stderr = stderr;
    stderr = fuzz_null_file();
    cJSON *report = NULL;
    if (diagnose_capture(diagnoser, capture_file.path, NULL, &report) != PASS_UNUSABLE) {
        report_print_text(fuzz_null_file(), report);
        char *text = cJSON_PrintUnformatted(report);
        free(text);
        cJSON_Delete(report);
    }
    stderr = saved_stderr;
    return 0;
}
