/* A pcapng file through our own block reader (analyzer/input/pcapng_reader.c),
 * which libpcap would otherwise shadow for most inputs, then the same
 * decoding, reassembly, dissectors, events writer and facts builder as
 * `tlsdiag events` / `analyze`. Small limits make the caps bite early. */
#include <stdint.h>
#include <stdio.h>

#include "harness.h"
#include "pcapng_reader.h"

static struct fuzz_memfile pcapng_file;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_memfile_write(&pcapng_file, data, size) != 0)
        return 0;
    FILE *f = fuzz_memfile_fopen(&pcapng_file);
    if (!f)
        return 0;
    char err[256];
    struct pcapng_reader *reader = pcapng_reader_open(f, err, sizeof err);
    if (!reader)
        return 0;

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
    struct fuzz_pipeline pipeline;
    if (!fuzz_pipeline_init(&pipeline, &opt, &consumer.sink)) {
        fuzz_consumer_finish(&consumer, &pipeline.summary);
        pcapng_reader_close(reader);
        return 0;
    }
    struct capture_packet cp;
    uint64_t frame = 0;
    enum capture_result r;
    while ((r = pcapng_reader_next(reader, &cp, err, sizeof err)) == CAPTURE_PACKET) {
        cp.frame = ++frame;
        fuzz_pipeline_packet(&pipeline, &cp);
    }
    pipeline.summary.damaged_tail = r == CAPTURE_DAMAGED_TAIL;
    fuzz_pipeline_finish(&pipeline);
    fuzz_consumer_finish(&consumer, &pipeline.summary);
    pcapng_reader_close(reader);
    return 0;
}
