/* Our own pcapng block reader, for the files libpcap refuses (interfaces with
 * different link types or snapshot lengths). Reads SHB, IDB, EPB, SPB and
 * the obsolete PB, in both byte orders, with each interface's link type and
 * timestamp resolution; other blocks are skipped. Streaming: one block in
 * memory at a time, its size capped. */
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

void pcapng_reader_close(struct pcapng_reader *r);

#endif
