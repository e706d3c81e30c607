/* Our own pcapng block reader, for the files libpcap refuses (interfaces with
 * different link types or snapshot lengths). Reads SHB, IDB, EPB, SPB and
 * the obsolete PB, in both byte orders, with each interface's link type and
 * timestamp resolution; Decryption Secrets Blocks go to a callback when one
 * is set (pcapng_secrets.h, and capture.c for its on_secrets); other blocks
 * are skipped. Streaming: one
 * block in memory at a time, its size capped. */
#ifndef TLSDIAG_PCAPNG_READER_H
#define TLSDIAG_PCAPNG_READER_H

#include <stdio.h>
#include "capture.h"

#define PCAPNG_MAX_BLOCK (64u * 1024u * 1024u)  /* larger blocks are damage */
#define PCAPNG_MAX_INTERFACES 4096

struct pcapng_reader;

/* Takes ownership of f (positioned at the start of the file, or a stream
 * over the file's bytes in memory), and closes it on failure too. NULL with a reason in err when the file is not pcapng or
 * the first SHB is unreadable. */
struct pcapng_reader *pcapng_reader_open(FILE *f, char *err, size_t errlen);

/* Same result codes as capture_next(). pkt->frame is left to the caller.
 * After CAPTURE_EOF or CAPTURE_DAMAGED_TAIL every later call returns
 * CAPTURE_EOF. */
enum capture_result pcapng_reader_next(struct pcapng_reader *r, struct capture_packet *pkt,
                                       char *err, size_t errlen);

/* The smallest snapshot length the interfaces read so far declare; 0 when
 * none declares one (0 in an IDB means no limit). */
uint32_t pcapng_reader_snaplen(const struct pcapng_reader *r);

void pcapng_reader_close(struct pcapng_reader *r);

/* The same over a stream whose size the caller knows (fmemopen() has no file
 * descriptor to ask): every block length is checked against it, so a length
 * past the end is damage before anything is allocated for it. */
struct pcapng_reader *pcapng_reader_open_sized(FILE *f, uint64_t size, char *err, size_t errlen);

/* ---- Decryption Secrets Blocks (struct pcapng_secrets: capture.h) ---- */

/* Every Decryption Secrets Block read from now on goes to fn (without a
 * callback they are skipped like any block we do not use). A block whose
 * secrets length does not fit it is passed with malformed set; it does not
 * end the file, since the block lengths around it still frame the file. */
void pcapng_reader_on_secrets(struct pcapng_reader *r, pcapng_secrets_fn fn, void *ctx);

/* From now on read only section headers, interface descriptions and
 * Decryption Secrets Blocks: every other block (packets above all) is
 * stepped over by its length with a seek, its bytes never read, and
 * pcapng_reader_next() returns no packets. For a walk that wants only the
 * secrets (pcapng_secrets.h). */
void pcapng_reader_secrets_only(struct pcapng_reader *r);

#endif
