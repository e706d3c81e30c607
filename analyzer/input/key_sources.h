/* Where a capture's TLS keys come from: --keylog files (NSS key log text,
 * read once, checked when the option is given) and the capture's own pcapng
 * Decryption Secrets Blocks, together in one key log store per capture.
 *
 * Sources are numbered for the store (keylog.h): the files 1..n in the
 * order given, then the capture's key log blocks n+1, n+2, ... in file
 * order; capture_keys_source_name() names them for reports ("keys.txt",
 * "pcapng DSB 1"). Secrets stay in the store: nothing here formats them.
 *
 * The blocks are read while the pass reads the file
 * (capture_keys_load_while_read()): the pass's capture source carries a
 * callback that the capture input calls for each block as its bytes go by
 * (capture.h, pcapng_tap.h), so finding them costs no read of the file of
 * their own. A block is fed to the store as soon as it is read, so it
 * serves the packets after it. A key log block that comes after packet
 * blocks (late) came too late for those packets: the caller then reads the
 * file a second time with the store now complete (diagnose.c does), and
 * blocks fed once are not fed again, by their offset in the file.
 *
 * A caller that cannot read a capture twice (`events` writes its output as
 * it reads) walks the file for its blocks before the pass instead
 * (capture_keys_load(), pcapng_secrets.h): a read of every block header,
 * with a seek over the packets. A pcap file cannot hold such blocks and is
 * not looked at for them. */
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
    /* While read with the pass: */
    bool late;                       /* a key log block came after a packet block */
    bool dsb_taken;                  /* a block was counted; the last one at: */
    uint64_t dsb_last_offset;
};

/* The files' entries, then the capture's blocks (src: a path or bytes),
 * found by a walk over the file before the pass. */
void capture_keys_load(struct capture_keys *ck, const struct keylog_files *files,
                       const struct capture_source *src);

/* The files' entries now; the capture's blocks while src is read: for a
 * pcapng source this sets src->on_secrets and src->secrets_ctx (ck, which
 * must stay where it is while src is read) and gives ck a store even
 * before any key is in it. Read src as often as needed (ck->late says
 * whether a second pass is), then call capture_keys_pass_done(). */
void capture_keys_load_while_read(struct capture_keys *ck, const struct keylog_files *files,
                                  struct capture_source *src);
/* After the last pass: without a file and without a key log block there are
 * no keys, as after capture_keys_load(): no store. */
void capture_keys_pass_done(struct capture_keys *ck);

/* "FILE" for a --keylog file, "pcapng DSB N" for the capture's N-th key
 * log block; buf holds the latter. */
const char *capture_keys_source_name(const struct capture_keys *ck, uint32_t source, char *buf,
                                     size_t len);
void capture_keys_free(struct capture_keys *ck);

#endif
