/* A tap on the bytes of a pcapng file on their way to libpcap: it follows
 * the block framing and hands every Decryption Secrets Block (pcapng spec
 * 4.7) to a callback as the file is read.
 *
 * Why: libpcap drops these blocks, and finding them before the pass by a
 * walk of their own costs a read of every block header in the file, which
 * on a large capture is a sizeable part of the whole analysis. The bytes
 * pass through here anyway; following the framing over them costs a few
 * comparisons per block.
 *
 * The bytes are fed in whatever pieces the reader asks for: a block header
 * or trailer may be cut anywhere. Only section headers (for the byte order)
 * and the secrets blocks themselves are looked into; every other block is
 * stepped over by its length, its trailing length compared with the leading
 * one. A secrets block is collected whole (at most PCAPNG_MAX_BLOCK bytes,
 * which is also the key log store's KEYLOG_MAX_INPUT) and delivered once
 * its trailer has arrived, with after_packets set when an enhanced, simple
 * or obsolete packet block came before it.
 *
 * Damage to the framing (a first block that is not a section header, an
 * unknown byte-order magic, a pcapng version other than 1, a length under
 * the minimum, not a multiple of 4, over PCAPNG_MAX_BLOCK or past the end
 * of a file of known size, a trailing length that differs) stops the tap
 * for good, silently: the reader reports damage in its own words, and
 * nothing past it is read as a block. */
#ifndef TLSDIAG_PCAPNG_TAP_H
#define TLSDIAG_PCAPNG_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

struct pcapng_tap;

/* A tap for a file of size bytes (0: unknown) whose first byte is the next
 * one fed. NULL when out of memory. */
struct pcapng_tap *pcapng_tap_new(uint64_t size, pcapng_secrets_fn fn, void *ctx);

/* The next len bytes of the file. fn is called from here, for each secrets
 * block these bytes complete. */
void pcapng_tap_feed(struct pcapng_tap *tap, const uint8_t *bytes, size_t len);

/* True once damage has stopped the tap. */
bool pcapng_tap_stopped(const struct pcapng_tap *tap);

void pcapng_tap_free(struct pcapng_tap *tap);

#endif
