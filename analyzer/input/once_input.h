/* A capture that can be read only once, from its start: standard input
 * ("-"), or a gzip file or pipe decompressed as it is read (zlib; gzip is
 * told by its magic, never by the name). The stream serves the capture's
 * first bytes again after they were looked at, so the format checks and
 * libpcap see the same bytes; memory stays one read buffer whatever the
 * size. A truncated gzip ends the stream where the data ends (the reader
 * reports the damaged tail). */
#ifndef TLSDIAG_ONCE_INPUT_H
#define TLSDIAG_ONCE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes looked at before the capture is handed to its reader: enough for
 * the longest file header checked (pcapng's first block). */
#define ONCE_INPUT_HEAD 28u

/* Whether path needs this: "-", or a file whose first bytes (got of them in
 * file_head) are gzip's magic. */
bool once_input_wanted(const char *path, const uint8_t *file_head, size_t got);

/* Opens path ("-": standard input) and reads its first ONCE_INPUT_HEAD
 * bytes of capture (decompressed) into head (*head_len: fewer when the
 * capture is shorter); *compressed: it was gzip. The stream starts at the
 * capture's first byte. NULL with a one-line reason in err. */
FILE *once_input_open(const char *path, uint8_t *head, size_t *head_len, bool *compressed, char *err,
                      size_t errlen);

#endif
