/* Shared plumbing for the fuzz targets, the regression replayer and the seed
 * extractor: a byte-stream reader for decoding fuzz inputs, an in-memory file
 * for the code that wants a path or a FILE*, a pipeline built from the
 * dissect/ pieces (so packets can come from any reader), and an event sink
 * that reads every byte an event points at (so a view past its buffer is an
 * ASan report, not a silent wrong answer). */
#ifndef TLSDIAG_FUZZ_HARNESS_H
#define TLSDIAG_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "events_out.h"
#include "facts.h"
#include "pipeline.h"

/* ---- decoding a fuzz input ---- */

struct fuzz_input {
    const uint8_t *data;
    size_t len;
    size_t pos;
};

static inline size_t fuzz_remaining(const struct fuzz_input *in) { return in->len - in->pos; }

/* Past the end every read returns 0, so a short input still decodes to
 * something deterministic. */
static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
    return in->pos < in->len ? in->data[in->pos++] : 0;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
    uint16_t hi = fuzz_u8(in);
    return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
    uint32_t hi = fuzz_u16(in);
    return hi << 16 | fuzz_u16(in);
}

/* Up to n bytes; *got says how many there were. */
static inline const uint8_t *fuzz_bytes(struct fuzz_input *in, size_t n, size_t *got)
{
    size_t left = fuzz_remaining(in);
    *got = n < left ? n : left;
    const uint8_t *p = in->data + in->pos;
    in->pos += *got;
    return p;
}

/* ---- an in-memory file with a path ---- */

/* A memfd holding the bytes, reachable as /proc/self/fd/N: capture_open()
 * and rules_load() take paths and check for a regular file, and a memfd is
 * one, without touching the disk. Reused across runs. */
struct fuzz_memfile {
    int fd;
    char path[64];
};

int fuzz_memfile_write(struct fuzz_memfile *m, const uint8_t *data, size_t len);
/* A fresh FILE* at offset 0 over the bytes last written (the caller closes it). */
FILE *fuzz_memfile_fopen(struct fuzz_memfile *m);

/* ---- a pipeline from the dissect/ pieces ---- */

/* pipeline.c keeps its dispatch private and reads only through capture.c;
 * this is the same wiring, so packets can come from our pcapng reader
 * directly or be made up by a target. tap, when set, sees every run of
 * stream bytes before the dissectors do (the seed extractor uses it). */
struct fuzz_pipeline {
    struct packet_decoder decoder;
    struct tcp_reassembler reasm;
    struct stream_dissector streams;
    const struct event_sink *consumer;
    struct pipeline_summary summary;
    void (*tap)(void *tap_ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                const struct packet_view *pkt, bool segment_start);
    void (*tap_gap)(void *tap_ctx, struct tcp_conn *c, int sender, uint64_t missing);
    void (*tap_datagram)(void *tap_ctx, const struct packet_view *pkt);
    void *tap_ctx;
};

bool fuzz_pipeline_init(struct fuzz_pipeline *p, const struct pipeline_options *opt,
                        const struct event_sink *consumer);
void fuzz_pipeline_packet(struct fuzz_pipeline *p, const struct capture_packet *cp);
/* A packet already decoded (the reassembler target makes these up). */
void fuzz_pipeline_decoded(struct fuzz_pipeline *p, const struct packet_view *pkt);
/* Ends every connection (their EV_CONN_END reach the consumer) and frees. */
void fuzz_pipeline_finish(struct fuzz_pipeline *p);

/* ---- the consumer ---- */

/* Every event goes to the JSON Lines writer (on /dev/null), the facts builder
 * and a reader that walks each view byte by byte and parses certificates
 * and fingerprints, as the real consumers would. */
struct fuzz_consumer {
    struct events_writer writer;
    struct facts_builder *facts;
    struct event_sink sink;
    uint64_t checksum;           /* keeps the byte walks from being optimised out */
};

/* with_facts: the facts builder's 4 MB name table costs a millisecond per
 * run under ASan, a tenfold slowdown for the small targets, so they let the
 * input decide. */
void fuzz_consumer_init(struct fuzz_consumer *c, bool with_facts);
/* Builds the facts from what was seen, renders them, frees everything. */
void fuzz_consumer_finish(struct fuzz_consumer *c, const struct pipeline_summary *summary);

/* /dev/null as a FILE*, opened once. */
FILE *fuzz_null_file(void);

/* Reads every byte of a view (no-op for NULL/0). */
uint64_t fuzz_touch(const void *p, size_t n);

#endif
