/* Shared plumbing for the fuzz targets, the regression replayer and the seed
 * extractor: a byte-stream reader for decoding fuzz inputs, an in-memory file
 * for the code that wants a path (rules_load()), and an event sink that
 * reads every byte an event points at (so a view past its buffer is an ASan
 * report, not a silent wrong answer). Captures go through the pass API
 * (analyzer/pass/pipeline.h), from memory; nothing here wires the pipeline. */
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

/* A memfd holding the bytes, reachable as /proc/self/fd/N: rules_load()
 * takes paths and checks for a regular file, and a memfd is one, without
 * touching the disk. Reused across runs. */
struct fuzz_memfile {
    int fd;
    char path[64];
};

int fuzz_memfile_write(struct fuzz_memfile *m, const uint8_t *data, size_t len);

/* ---- the consumer ---- */

/* Every event goes to the JSON Lines writer (on /dev/null), the facts builder
 * and a reader that walks each view byte by byte and parses certificates
 * and fingerprints, as the real consumers would. */
struct fuzz_consumer {
    struct events_writer writer;
    bool with_facts;
    struct facts_builder *facts; /* made at the first event, or at the finish */
    struct event_sink sink;
    uint64_t checksum;           /* keeps the byte walks from being optimised out */
};

/* with_facts: the facts builder's 4 MB name table costs a millisecond per
 * run under ASan, a tenfold slowdown for the small targets, so they let the
 * input decide; and it is made only once there is something to read, so an
 * input that does not open costs nothing. */
void fuzz_consumer_init(struct fuzz_consumer *c, bool with_facts);
/* Builds the facts from what was seen, renders them, frees everything.
 * summary NULL: nothing was read (the input did not open); only frees. */
void fuzz_consumer_finish(struct fuzz_consumer *c, const struct pipeline_summary *summary);

/* /dev/null as a FILE*, opened once. */
FILE *fuzz_null_file(void);

/* Reads every byte of a view (no-op for NULL/0). */
uint64_t fuzz_touch(const void *p, size_t n);

#endif
