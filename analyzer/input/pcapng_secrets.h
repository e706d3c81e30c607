/* Decryption Secrets Blocks (pcapng spec 4.7) into a key log store.
 *
 * A pcapng file may carry the TLS key log it needs (Wireshark's `editcap
 * --inject-secrets` writes one): blocks of type 0x0000000A whose secrets
 * type is "TLSK" hold NSS key log text. This walks the file with our own
 * pcapng reader (pcapng_reader.h: its block checks and caps apply, nothing
 * is copied) and feeds each such block's text to keylog_feed(), as sources
 * 1, 2, ... in file order (or first_source, first_source + 1, ...: the
 * *_from variants, after --keylog files). Secrets of other types
 * (WireGuard, ZigBee, ...) are counted, not read. The walk reads block
 * headers, interface descriptions and these blocks only: every other
 * block (the packets) is stepped over by a seek, its bytes never read
 * (libpcap, which reads captures for the analysis, drops these blocks).
 *
 * The walk is a read of the file before the pass: `events`, which writes
 * as it reads and so cannot read a file twice, uses it. analyze and diff
 * take the blocks as the pass reads the file instead (key_sources.h,
 * pcapng_tap.h), counted by dsb_scan_add() as here.
 *
 * Bounded: a block longer than the file (regular files and memory: their
 * size is known) or than PCAPNG_MAX_BLOCK is damage found before anything
 * is allocated for it, a secrets length past its block is counted as
 * malformed, and the store caps what it keeps (keylog.h). */
#ifndef TLSDIAG_PCAPNG_SECRETS_H
#define TLSDIAG_PCAPNG_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "keylog.h"

enum dsb_scan_result {
    DSB_SCAN_OK,             /* read to the end */
    DSB_SCAN_NOT_PCAPNG,     /* pcap or anything else: no secrets blocks can be there */
    DSB_SCAN_DAMAGED,        /* the file stops being pcapng at a block (err says
                                where); the blocks before it were read */
    DSB_SCAN_UNREADABLE,     /* cannot open or read the file (err says why) */
};

struct dsb_scan {
    uint32_t blocks;                  /* Decryption Secrets Blocks met */
    uint32_t key_log_blocks;          /* TLS key logs among them, fed to the store */
    uint32_t other_blocks;            /* secrets of other types */
    uint32_t malformed_blocks;        /* a secrets length past the end of its block */
    uint64_t first_malformed_offset;  /* file offset of the first such block */
    uint64_t key_log_bytes;           /* text in the key log blocks */
    enum keylog_status keylog_status; /* the first limit the store hit while fed */
};

/* What a scan does with each block it meets, for readers that meet the
 * blocks themselves (key_sources.c, while a pass reads the file): counts it
 * in out and feeds a TLS key log to kl as source first_source + the key log
 * blocks counted before it. */
void dsb_scan_add(struct dsb_scan *out, struct keylog *kl, uint32_t first_source,
                  const struct pcapng_secrets *secrets);

/* Scans the file at path. out is zeroed first and filled in every case. */
enum dsb_scan_result pcapng_secrets_scan_file(const char *path, struct keylog *kl,
                                              struct dsb_scan *out, char *err, size_t errlen);

enum dsb_scan_result pcapng_secrets_scan_file_from(const char *path, struct keylog *kl,
                                                   uint32_t first_source, struct dsb_scan *out,
                                                   char *err, size_t errlen);

/* The same over a file's bytes in memory. */
enum dsb_scan_result pcapng_secrets_scan_memory(const uint8_t *data, size_t len,
                                                struct keylog *kl, struct dsb_scan *out,
                                                char *err, size_t errlen);
enum dsb_scan_result pcapng_secrets_scan_memory_from(const uint8_t *data, size_t len,
                                                     struct keylog *kl, uint32_t first_source,
                                                     struct dsb_scan *out, char *err, size_t errlen);

#endif
