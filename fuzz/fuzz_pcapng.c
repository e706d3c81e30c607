/* A pcapng file through our own block reader (analyzer/input/pcapng_reader.c),
 * which libpcap would otherwise shadow for most inputs: the pass from
 * memory, asked for our reader from the first block, with the decoding,
 * reassembly, dissectors, events writer and facts builder of
 * `tlsdiag events` / `analyze`. Small limits make the caps bite early. */
#include <stdint.h>
#include <stdio.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pipeline_options opt;
    pipeline_default_options(&opt);
    opt.reasm.max_conns = 16;
    opt.reasm.max_held_segments = 32;
    opt.reasm.max_held_bytes = 16384;
    opt.stream.tls.max_handshake_message = 8192;
    opt.stream.max_http_header = 2048;
    opt.ipfrag.max_datagrams = 4;

    struct fuzz_consumer consumer;
    fuzz_consumer_init(&consumer, true);
    struct capture_source src = { .data = data, .len = size, .own_pcapng_reader = true };
    char err[256];
    struct pass *pass = pass_open(&src, &opt, &consumer.sink, err, sizeof err);
    if (!pass) {
        fuzz_consumer_finish(&consumer, NULL);
        return 0;
    }
    pass_run(pass);
    struct pipeline_summary summary;
    pass_finish(pass, &summary);
    fuzz_consumer_finish(&consumer, &summary);
    return 0;
}
