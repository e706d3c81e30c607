/* Where a capture's TLS keys come from: --keylog files (NSS key log text,
 * read once, checked when the option is given) and the capture's own pcapng
 * Decryption Secrets Blocks, together in one key log store per capture.
 *
 * Sources are numbered for the store (keylog.h): the files 1..n in the
 * order given, then the capture's key log blocks n+1, n+2, ... in file
 * order; capture_keys_source_name() names them for reports ("keys.txt",
 * "pcapng DSB 1"). Secrets stay in the store: nothing here formats them.
 *
 * The blocks are read before the pass, by a walk over the pcapng file that
 * reads block headers and the secrets blocks and seeks over everything else
 * (pcapng_secrets.h): so a block anywhere in the file, after the packets it
 * decrypts too, is used, and the packets' bytes are not read twice. A pcap
 * file cannot hold such blocks and is not walked at all. */
#ifndef TLSDIAG_KEY_SOURCES_H
#define TLSDIAG_KEY_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "keylog.h"
#include "pcapng_secrets.h"

struct keylog_file {
    char *path;
    uint8_t *text;
    size_t len;
};

/* The --keylog files of a command. Zero-initialised: none. */
struct keylog_files {
    struct keylog_file *files;
    size_t count;
    size_t bytes;                    /* all files together, at most KEYLOG_MAX_INPUT */
};

/* Reads one --keylog file. False when it cannot be used, with a one-line
 * reason (without the file name, never a secret) in err: unreadable, not a
 * regular file, over the key log limit (alone or with the files before it),
 * or text with no key log line at all and lines that are not key log lines. */
bool keylog_files_add(struct keylog_files *kf, const char *path, char *err, size_t errlen);
void keylog_files_free(struct keylog_files *kf);

/* One capture's keys. */
struct capture_keys {
    struct keylog *store;            /* NULL: no keys at all (decryption costs nothing) */
    const struct keylog_files *files;
    struct dsb_scan dsb;             /* the capture's Decryption Secrets Blocks */
    enum dsb_scan_result dsb_result;
};

/* The files' entries, then the capture's blocks (src: a path or bytes). */
void capture_keys_load(struct capture_keys *ck, const struct keylog_files *files,
                       const struct capture_source *src);
/* "FILE" for a --keylog file, "pcapng DSB N" for the capture's N-th key
 * log block; buf holds the latter. */
const char *capture_keys_source_name(const struct capture_keys *ck, uint32_t source, char *buf,
                                     size_t len);
void capture_keys_free(struct capture_keys *ck);

#endif
